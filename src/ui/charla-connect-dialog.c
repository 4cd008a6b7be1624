/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-connect-dialog.h"
#include "charla-ui-util.h"

/* The seed's "Ip:" / "Puerto:" loop as a dialog: host and port checked
 * inline by the core's parsers, one charla_node_connect_async() per try,
 * and on failure the node's own message under the fields while the
 * dialog stays open to correct and retry. It closes once connected. */

struct _CharlaConnectDialog
{
  AdwWindow     parent_instance;

  /* Template widgets */
  AdwEntryRow  *host_row;
  AdwEntryRow  *port_row;
  GtkLabel     *error_label;
  GtkWidget    *spinner;
  GtkWidget    *recent_group;
  GtkListBox   *recent_list;

  /* Owned */
  CharlaNode   *node;
  GListModel   *recent;
  GCancellable *cancellable;
  char         *error;
  char         *host;
  guint16       port;
};

enum {
  PROP_0,
  PROP_NODE,
  PROP_RECENT,
  PROP_BUSY,
  PROP_ERROR,
  N_PROPS
};

enum {
  CONNECTED,
  FORGET_RECENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CharlaConnectDialog, charla_connect_dialog, ADW_TYPE_WINDOW)

static void
set_error (CharlaConnectDialog *self,
           GtkWidget           *row,
           const char          *message)
{
  if (g_strcmp0 (self->error, message) != 0)
    {
      g_free (self->error);
      self->error = g_strdup (message);
      gtk_label_set_text (self->error_label, message != NULL ? message : "");
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }

  charla_ui_set_entry_error (GTK_WIDGET (self->host_row), row == GTK_WIDGET (self->host_row));
  charla_ui_set_entry_error (GTK_WIDGET (self->port_row), row == GTK_WIDGET (self->port_row));
}

static void
update_actions (CharlaConnectDialog *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.connect",
                                 self->host != NULL && self->port != 0 && self->cancellable == NULL);
}

/* "host", "host:port" or "[v6]:port" in the address field; the port
 * field wins when both give one. */
static void
validate (CharlaConnectDialog *self)
{
  const char *host_text = gtk_editable_get_text (GTK_EDITABLE (self->host_row));
  const char *port_text = gtk_editable_get_text (GTK_EDITABLE (self->port_row));
  g_autofree char *host = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port = 0;

  g_clear_pointer (&self->host, g_free);
  self->port = 0;

  if (*host_text == '\0')
    {
      set_error (self, NULL, NULL);
    }
  else if (!charla_host_port_parse (host_text, &host, &port, &error))
    {
      set_error (self, GTK_WIDGET (self->host_row), error->message);
    }
  else if (*port_text != '\0' && !charla_port_parse (port_text, &port, &error))
    {
      set_error (self, GTK_WIDGET (self->port_row), error->message);
    }
  else if (*port_text != '\0' && port == 0)
    {
      set_error (self, GTK_WIDGET (self->port_row), _("Port 0 cannot be connected to (1–65535)"));
    }
  else
    {
      set_error (self, NULL, NULL);
      self->host = g_steal_pointer (&host);
      self->port = port;
    }

  update_actions (self);
}

static void
set_busy (CharlaConnectDialog *self,
          GCancellable        *cancellable)
{
  g_clear_object (&self->cancellable);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;

  gtk_widget_set_visible (self->spinner, cancellable != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->host_row), cancellable == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->port_row), cancellable == NULL);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CharlaConnectDialog) self = user_data;
  g_autoptr(CharlaPeer) peer = NULL;
  g_autoptr(GError) error = NULL;

  peer = charla_node_connect_finish (CHARLA_NODE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, NULL);

  if (peer == NULL)
    {
      /* The node posted the same text to the history; here it is shown
       * where the user is looking, and the dialog stays to retry. */
      GtkWidget *row = NULL;

      /* Only a field that is wrong is marked; a refusal is nobody's typo. */
      if (error->domain == CHARLA_ERROR && error->code == CHARLA_ERROR_INVALID_PORT)
        row = GTK_WIDGET (self->port_row);
      else if (error->domain == CHARLA_ERROR &&
               (error->code == CHARLA_ERROR_INVALID_ADDRESS || error->code == CHARLA_ERROR_NOT_LOOPBACK))
        row = GTK_WIDGET (self->host_row);

      set_error (self, row, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->host_row));
      return;
    }

  g_signal_emit (self, signals[CONNECTED], 0, peer);
  gtk_window_close (GTK_WINDOW (self));
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  charla_connect_dialog_connect (CHARLA_CONNECT_DIALOG (widget));
}

static void
on_changed (CharlaConnectDialog *self)
{
  validate (self);
}

static void
on_entry_activated (CharlaConnectDialog *self,
                    AdwEntryRow         *row)
{
  if (row == self->host_row && self->port == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->port_row));
  else
    charla_connect_dialog_connect (self);
}

static void
on_recent_activated (CharlaConnectDialog *self,
                     GtkListBoxRow       *row)
{
  charla_connect_dialog_set_target (self, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "");
  charla_connect_dialog_connect (self);
}

static GtkWidget *
create_recent_row (gpointer item,
                   gpointer user_data)
{
  const char *target = gtk_string_object_get_string (item);
  g_autofree char *tooltip = g_strdup_printf (_("Forget %s"), target);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *forget = gtk_button_new_from_icon_name ("user-trash-symbolic");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), target);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  gtk_widget_set_valign (forget, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (forget, "flat");
  gtk_widget_set_tooltip_text (forget, tooltip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (forget), "dialog.forget-recent");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (forget), "s", target);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), forget);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));

  return row;
}

/* Whoever keeps the recent targets (the window) removes it from the model. */
static void
forget_recent_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  g_signal_emit (widget, signals[FORGET_RECENT], 0, g_variant_get_string (parameter, NULL));
}

static void
on_recent_changed (CharlaConnectDialog *self)
{
  gtk_widget_set_visible (self->recent_group, g_list_model_get_n_items (self->recent) > 0);
}

static void
charla_connect_dialog_constructed (GObject *object)
{
  CharlaConnectDialog *self = CHARLA_CONNECT_DIALOG (object);

  G_OBJECT_CLASS (charla_connect_dialog_parent_class)->constructed (object);

  if (self->recent == NULL)
    self->recent = G_LIST_MODEL (gtk_string_list_new (NULL));
  gtk_list_box_bind_model (self->recent_list, self->recent, create_recent_row, NULL, NULL);
  g_signal_connect_object (self->recent, "items-changed", G_CALLBACK (on_recent_changed), self,
                           G_CONNECT_SWAPPED);
  on_recent_changed (self);
  validate (self);
}

static void
charla_connect_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  CharlaConnectDialog *self = CHARLA_CONNECT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_NODE:
      g_value_set_object (value, self->node);
      break;

    case PROP_RECENT:
      g_value_set_object (value, self->recent);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;

    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_connect_dialog_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  CharlaConnectDialog *self = CHARLA_CONNECT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_NODE:
      self->node = g_value_dup_object (value);
      break;

    case PROP_RECENT:
      self->recent = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_connect_dialog_dispose (GObject *object)
{
  CharlaConnectDialog *self = CHARLA_CONNECT_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHARLA_TYPE_CONNECT_DIALOG);
  g_clear_object (&self->node);
  g_clear_object (&self->recent);

  G_OBJECT_CLASS (charla_connect_dialog_parent_class)->dispose (object);
}

static void
charla_connect_dialog_finalize (GObject *object)
{
  CharlaConnectDialog *self = CHARLA_CONNECT_DIALOG (object);

  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->host, g_free);

  G_OBJECT_CLASS (charla_connect_dialog_parent_class)->finalize (object);
}

static void
charla_connect_dialog_class_init (CharlaConnectDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = charla_connect_dialog_constructed;
  object_class->get_property = charla_connect_dialog_get_property;
  object_class->set_property = charla_connect_dialog_set_property;
  object_class->dispose = charla_connect_dialog_dispose;
  object_class->finalize = charla_connect_dialog_finalize;

  /**
   * CharlaConnectDialog:node:
   *
   * The node that connects.
   */
  properties[PROP_NODE] =
    g_param_spec_object ("node", NULL, NULL, CHARLA_TYPE_NODE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * CharlaConnectDialog:recent: (nullable)
   *
   * Recent targets, a #GListModel of #GtkStringObject "host:port".
   */
  properties[PROP_RECENT] =
    g_param_spec_object ("recent", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * CharlaConnectDialog:busy:
   *
   * Whether a connection attempt is running.
   */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CharlaConnectDialog:error: (nullable)
   *
   * The message shown under the fields.
   */
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CharlaConnectDialog::connected:
   * @peer: the new peer
   *
   * Emitted once connected, just before the dialog closes.
   */
  signals[CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CHARLA_TYPE_PEER);

  /**
   * CharlaConnectDialog::forget-recent:
   * @target: a "host:port" of #CharlaConnectDialog:recent
   *
   * The user asked to forget @target; the owner of the recent model
   * removes it.
   */
  signals[FORGET_RECENT] =
    g_signal_new ("forget-recent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "dialog.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "dialog.forget-recent", "s", forget_recent_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/charla/Charla/charla-connect-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CharlaConnectDialog, host_row);
  gtk_widget_class_bind_template_child (widget_class, CharlaConnectDialog, port_row);
  gtk_widget_class_bind_template_child (widget_class, CharlaConnectDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, CharlaConnectDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, CharlaConnectDialog, recent_group);
  gtk_widget_class_bind_template_child (widget_class, CharlaConnectDialog, recent_list);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_recent_activated);
}

static void
charla_connect_dialog_init (CharlaConnectDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CharlaConnectDialog *
charla_connect_dialog_new (GtkWindow  *parent,
                           CharlaNode *node,
                           GListModel *recent)
{
  g_return_val_if_fail (CHARLA_IS_NODE (node), NULL);

  return g_object_new (CHARLA_TYPE_CONNECT_DIALOG,
                       "transient-for", parent,
                       "node", node,
                       "recent", recent,
                       NULL);
}

/**
 * charla_connect_dialog_set_target:
 * @host: (nullable): address (or "address:port"); %NULL keeps it
 * @port: (nullable): port text; %NULL keeps it
 *
 * Prefills the fields, as `--ch HOST` does.
 */
void
charla_connect_dialog_set_target (CharlaConnectDialog *self,
                                  const char          *host,
                                  const char          *port)
{
  g_return_if_fail (CHARLA_IS_CONNECT_DIALOG (self));

  if (host != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->host_row), host);
  if (port != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->port_row), port);

  if (host != NULL && port == NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->port_row));
}

/**
 * charla_connect_dialog_connect:
 *
 * Connects to what the fields say (`dialog.connect`).
 */
void
charla_connect_dialog_connect (CharlaConnectDialog *self)
{
  g_autoptr(GCancellable) cancellable = NULL;

  g_return_if_fail (CHARLA_IS_CONNECT_DIALOG (self));

  validate (self);
  if (self->cancellable != NULL || self->host == NULL)
    return;

  if (self->port == 0)
    {
      set_error (self, GTK_WIDGET (self->port_row), _("Enter the port the server listens on, such as 9990"));
      return;
    }

  cancellable = g_cancellable_new ();
  set_busy (self, cancellable);
  charla_node_connect_async (self->node, self->host, self->port, cancellable, on_connected, g_object_ref (self));
}

/**
 * charla_connect_dialog_get_error:
 *
 * Returns: (nullable): the message shown under the fields
 */
const char *
charla_connect_dialog_get_error (CharlaConnectDialog *self)
{
  g_return_val_if_fail (CHARLA_IS_CONNECT_DIALOG (self), NULL);

  return self->error;
}

gboolean
charla_connect_dialog_get_busy (CharlaConnectDialog *self)
{
  g_return_val_if_fail (CHARLA_IS_CONNECT_DIALOG (self), FALSE);

  return self->cancellable != NULL;
}
