/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-preferences-window.h"
#include "charla-settings.h"

/* The preferences, each bound to its GSettings key. Text values (name,
 * port ranges, scan targets) are checked by the core's parsers while the
 * user types; the parser's message shows in a row under the entry, and a
 * value is saved only when it is valid and the user applies it (Enter or
 * the entry's apply button). Numbers and switches are saved as they
 * change: their widgets cannot hold a bad value. Everything applies at
 * once except the listening ports, which apply at the next start (the
 * listener would have to close under the connected peers' feet). */

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_NODE,
  PROP_OWN_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One text preference: the entry, the row that shows its error, its key. */
typedef struct
{
  AdwEntryRow  *row;
  AdwActionRow *error_row;
  const char   *key;
} TextField;

enum {
  FIELD_DISPLAY_NAME,
  FIELD_LISTEN_PORTS,
  FIELD_SCAN_TARGETS,
  FIELD_SCAN_PORTS,
  N_FIELDS
};

struct _CharlaPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets */
  AdwPreferencesGroup  *name_group;
  AdwPreferencesGroup  *listen_group;
  AdwEntryRow          *display_name_row;
  AdwActionRow         *display_name_error;
  AdwEntryRow          *listen_ports_row;
  AdwActionRow         *listen_ports_error;
  AdwEntryRow          *scan_targets_row;
  AdwActionRow         *scan_targets_error;
  AdwEntryRow          *scan_ports_row;
  AdwActionRow         *scan_ports_error;
  GtkAdjustment        *timeout_adjustment;
  GtkAdjustment        *in_flight_adjustment;
  GtkSwitch            *notifications_switch;
  GtkListBox           *recent_list;

  /* Owned */
  GSettings            *settings;
  CharlaNode           *node;
  GListModel           *recent_connections;
  char                 *own_name;

  /* Borrowed */
  TextField             fields[N_FIELDS];
};

G_DEFINE_FINAL_TYPE (CharlaPreferencesWindow, charla_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static TextField *
find_field (CharlaPreferencesWindow *self,
            AdwEntryRow             *row)
{
  for (guint i = 0; i < N_FIELDS; i++)
    if (self->fields[i].row == row)
      return &self->fields[i];

  g_assert_not_reached ();
}

/* The text of @field as it would be saved. */
static char *
dup_field_text (TextField *field)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (field->row))));
}

static gboolean
check_field (CharlaPreferencesWindow  *self,
             TextField                *field,
             const char               *text,
             GError                  **error)
{
  if (field == &self->fields[FIELD_DISPLAY_NAME])
    return charla_settings_check_display_name (text, error);

  if (field == &self->fields[FIELD_LISTEN_PORTS] || field == &self->fields[FIELD_SCAN_PORTS])
    return charla_settings_check_port_range (text, error);

  if (field == &self->fields[FIELD_SCAN_TARGETS])
    {
      g_autoptr(CharlaScanner) scanner = NULL;
      g_autofree char *ports = NULL;
      const char *targets[] = { text, NULL };

      if (!charla_settings_check_scan_targets (text, error))
        return FALSE;
      if (*text == '\0')
        return TRUE;

      /* The whole scan as the scanner would refuse it: too many probes,
       * or a target this machine may not scan. Nothing is sent. */
      ports = dup_field_text (&self->fields[FIELD_SCAN_PORTS]);
      if (!charla_settings_check_port_range (ports, NULL))
        g_clear_pointer (&ports, g_free);
      scanner = charla_scanner_new (NULL);
      return charla_scanner_prepare (scanner, targets, ports, error);
    }

  g_assert_not_reached ();
}

/* Shows or hides the parser's message under @field's entry. */
static gboolean
validate_field (CharlaPreferencesWindow *self,
                TextField               *field)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = dup_field_text (field);
  gboolean valid = check_field (self, field, text, &error);

  if (valid)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (field->row), "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (field->row), GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (field->row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (field->row), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (field->row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (field->row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error->message,
                                      -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field->error_row), error->message);
    }
  gtk_widget_set_visible (GTK_WIDGET (field->error_row), !valid);

  return valid;
}

static void
on_entry_row_changed (AdwEntryRow             *row,
                      CharlaPreferencesWindow *self)
{
  validate_field (self, find_field (self, row));

  /* The scan targets are checked against the ports being typed. */
  if (row == self->scan_ports_row)
    validate_field (self, &self->fields[FIELD_SCAN_TARGETS]);
}

static void
on_entry_row_apply (AdwEntryRow             *row,
                    CharlaPreferencesWindow *self)
{
  TextField *field = find_field (self, row);
  g_autofree char *text = NULL;

  /* A bad value is never saved: the entry keeps it, with its message,
   * for the user to correct. */
  if (!validate_field (self, field))
    return;

  text = dup_field_text (field);
  g_settings_set_string (self->settings, field->key, text);
}

/* A key changed elsewhere (a rename in the window, gsettings): show it,
 * unless that is what the entry already says. */
static void
on_text_setting_changed (GSettings               *settings,
                         const char              *key,
                         CharlaPreferencesWindow *self)
{
  for (guint i = 0; i < N_FIELDS; i++)
    {
      TextField *field = &self->fields[i];
      g_autofree char *value = NULL;
      g_autofree char *shown = NULL;

      if (g_strcmp0 (field->key, key) != 0)
        continue;

      value = g_settings_get_string (settings, key);
      shown = dup_field_text (field);
      if (g_strcmp0 (g_strstrip (value), shown) != 0)
        {
          gtk_editable_set_text (GTK_EDITABLE (field->row), value);
          validate_field (self, field);
        }
    }
}

static void
update_name_description (CharlaPreferencesWindow *self)
{
  g_autofree char *description = NULL;

  if (self->own_name != NULL)
    description =
      /* Translators: the first %s is the name given with --name, the
       * second the name used when none is set: the user's real name or login */
      g_strdup_printf (_("This Charla was started with --name “%s” and keeps that name; the display name is for Charla started without --name. Empty: “%s”."),
                       self->own_name, charla_default_name ());
  else
    description =
      /* Translators: %s is the name used when none is set: the user's real name or login */
      g_strdup_printf (_("Others see this name in their searches and chats; connected Charla peers see a new name at once. Empty: “%s”."),
                       charla_default_name ());

  adw_preferences_group_set_description (self->name_group, description);
}

static void
update_listen_description (CharlaPreferencesWindow *self)
{
  g_autofree char *description = NULL;

  if (charla_node_get_running (self->node))
    description =
      /* Translators: %u is a port number */
      g_strdup_printf (_("Charla listens on port %u now. A change applies the next time Charla starts."),
                       (guint) charla_node_get_port (self->node));
  else
    description = g_strdup (_("Charla is not listening now. A change applies the next time Charla starts."));

  adw_preferences_group_set_description (self->listen_group, description);
}

static void
on_forget_clicked (GtkButton               *button,
                   CharlaPreferencesWindow *self)
{
  const char *endpoint = g_object_get_data (G_OBJECT (button), "endpoint");

  charla_settings_remove_recent_connection (self->settings, endpoint);
}

static GtkWidget *
create_recent_row (gpointer item,
                   gpointer user_data)
{
  CharlaPreferencesWindow *self = user_data;
  const char *endpoint = gtk_string_object_get_string (item);
  g_autofree char *tooltip = g_strdup_printf (_("Forget %s"), endpoint);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), endpoint);
  /* An address is text from the user or the network, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data_full (G_OBJECT (button), "endpoint", g_strdup (endpoint), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_forget_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
charla_preferences_window_constructed (GObject *object)
{
  CharlaPreferencesWindow *self = CHARLA_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (charla_preferences_window_parent_class)->constructed (object);

  g_assert (G_IS_SETTINGS (self->settings));
  g_assert (CHARLA_IS_NODE (self->node));

  /* Text values: shown as saved, saved when applied. */
  for (guint i = 0; i < N_FIELDS; i++)
    {
      TextField *field = &self->fields[i];
      g_autofree char *value = g_settings_get_string (self->settings, field->key);

      gtk_editable_set_text (GTK_EDITABLE (field->row), value);
      validate_field (self, field);
    }

  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_text_setting_changed), self, 0);

  g_settings_bind (self->settings, "scan-timeout-ms",
                   self->timeout_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "scan-max-in-flight",
                   self->in_flight_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notifications",
                   self->notifications_switch, "active", G_SETTINGS_BIND_DEFAULT);

  update_name_description (self);
  update_listen_description (self);
  g_signal_connect_object (self->node, "notify::running",
                           G_CALLBACK (update_listen_description), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->node, "notify::port",
                           G_CALLBACK (update_listen_description), self, G_CONNECT_SWAPPED);

  self->recent_connections = charla_settings_recent_connections_new (self->settings);
  gtk_list_box_bind_model (self->recent_list, self->recent_connections,
                           create_recent_row, self, NULL);
}

static void
charla_preferences_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  CharlaPreferencesWindow *self = CHARLA_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_NODE:
      g_value_set_object (value, self->node);
      break;

    case PROP_OWN_NAME:
      g_value_set_string (value, self->own_name);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_preferences_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  CharlaPreferencesWindow *self = CHARLA_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    case PROP_NODE:
      self->node = g_value_dup_object (value);
      break;

    case PROP_OWN_NAME:
      charla_preferences_window_set_own_name (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_preferences_window_dispose (GObject *object)
{
  CharlaPreferencesWindow *self = CHARLA_PREFERENCES_WINDOW (object);

  if (self->recent_list != NULL)
    gtk_list_box_bind_model (self->recent_list, NULL, NULL, NULL, NULL);
  /* The bindings hold the settings until their objects are finalized. */
  if (self->timeout_adjustment != NULL)
    {
      g_settings_unbind (self->timeout_adjustment, "value");
      g_settings_unbind (self->in_flight_adjustment, "value");
      g_settings_unbind (self->notifications_switch, "active");
      g_settings_unbind (self->notifications_switch, "sensitive");
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), CHARLA_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->recent_connections);

  G_OBJECT_CLASS (charla_preferences_window_parent_class)->dispose (object);
}

static void
charla_preferences_window_finalize (GObject *object)
{
  CharlaPreferencesWindow *self = CHARLA_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->node);
  g_clear_pointer (&self->own_name, g_free);

  G_OBJECT_CLASS (charla_preferences_window_parent_class)->finalize (object);
}

static void
charla_preferences_window_class_init (CharlaPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = charla_preferences_window_constructed;
  object_class->get_property = charla_preferences_window_get_property;
  object_class->set_property = charla_preferences_window_set_property;
  object_class->dispose = charla_preferences_window_dispose;
  object_class->finalize = charla_preferences_window_finalize;

  /**
   * CharlaPreferencesWindow:settings:
   *
   * The app's settings, which this window shows and changes.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaPreferencesWindow:node:
   *
   * The app's node, for the port it listens on now.
   */
  properties[PROP_NODE] =
    g_param_spec_object ("node", NULL, NULL, CHARLA_TYPE_NODE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaPreferencesWindow:own-name: (nullable)
   *
   * The name the node was started with (`charla --name`), which the
   * display name does not change; %NULL when it follows the display name.
   */
  properties[PROP_OWN_NAME] =
    g_param_spec_string ("own-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/charla/Charla/charla-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, name_group);
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, listen_group);
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, display_name_error);
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, listen_ports_row);
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, listen_ports_error);
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, scan_targets_row);
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, scan_targets_error);
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, scan_ports_row);
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, scan_ports_error);
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, timeout_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, in_flight_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, CharlaPreferencesWindow, recent_list);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_row_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_row_apply);
}

static void
charla_preferences_window_init (CharlaPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->fields[FIELD_DISPLAY_NAME] = (TextField) { self->display_name_row, self->display_name_error, "display-name" };
  self->fields[FIELD_LISTEN_PORTS] = (TextField) { self->listen_ports_row, self->listen_ports_error, "listen-ports" };
  self->fields[FIELD_SCAN_TARGETS] = (TextField) { self->scan_targets_row, self->scan_targets_error, "scan-targets" };
  self->fields[FIELD_SCAN_PORTS] = (TextField) { self->scan_ports_row, self->scan_ports_error, "scan-ports" };
}

/**
 * charla_preferences_window_new:
 * @parent: (nullable): the window it belongs to
 * @settings: the app's settings
 * @node: the app's node
 *
 * Returns: (transfer none): a new preferences window, not shown yet
 */
CharlaPreferencesWindow *
charla_preferences_window_new (GtkWindow  *parent,
                               GSettings  *settings,
                               CharlaNode *node)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (CHARLA_IS_NODE (node), NULL);

  return g_object_new (CHARLA_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "settings", settings,
                       "node", node,
                       NULL);
}

/**
 * charla_preferences_window_set_own_name:
 * @name: (nullable): the name given with `--name`, or %NULL
 *
 * Tells the window that the node keeps @name whatever the display name
 * is, so that it does not promise a rename at once.
 */
void
charla_preferences_window_set_own_name (CharlaPreferencesWindow *self,
                                        const char              *name)
{
  g_return_if_fail (CHARLA_IS_PREFERENCES_WINDOW (self));

  if (g_strcmp0 (self->own_name, name) == 0)
    return;

  g_free (self->own_name);
  self->own_name = g_strdup (name);

  if (self->name_group != NULL)
    update_name_description (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OWN_NAME]);
}
