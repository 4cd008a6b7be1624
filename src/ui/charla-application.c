/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-application.h"
#include "charla-preferences-window.h"
#include "charla-settings.h"
#include "charla-window.h"

/* CharlaApplication owns the node: it starts listening with the app and
 * stops with it. Windows show it; they never create one.
 *
 * Uniqueness: `charla` without options is a unique application, so the
 * launcher (or a second `charla`) presents the window that is already
 * open. With --name, --port, --ports or --bind the user asks for a node
 * of its own, so that process is NON_UNIQUE and runs side by side with
 * any other Charla (the seed's port range exists for exactly that). */

struct _CharlaApplication
{
  AdwApplication  parent_instance;

  /* Owned */
  CharlaNode     *node;
  GSettings      *settings;
  CharlaNotifier *notifier;
  char           *name_option;
  char           *bind_option;
  guint16         port_min_option;
  guint16         port_max_option;
  gboolean        ports_given;
};

G_DEFINE_FINAL_TYPE (CharlaApplication, charla_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "name", 'n', 0, G_OPTION_ARG_STRING, NULL,
    N_("The name other people see (default: your name)"), N_("NAME") },
  { "port", 'p', 0, G_OPTION_ARG_STRING, NULL,
    N_("Listen on exactly this port (0: any free port)"), N_("PORT") },
  { "ports", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Listen on the first free port of this range (default 9990-10005)"), N_("LO-HI") },
  { "bind", 'b', 0, G_OPTION_ARG_STRING, NULL,
    N_("Listen on this address only (default: every address)"), N_("ADDRESS") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and quit"), NULL },
  { NULL }
};

/* A settings object when the schema is installed (or GSETTINGS_SCHEMA_DIR
 * points at the build tree, as `meson devenv` does); otherwise NULL and
 * the window uses the defaults, so a bare build-tree run still starts. */
static GSettings *
dup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("Schema %s is not installed: settings are not kept", APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static void
charla_application_quit_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
charla_application_about_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  CharlaApplication *self = user_data;
  static const char *developers[] = { "The Charla developers", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (window,
                         "application-name", _("Charla"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Chat with people on your local network, without a server"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
charla_application_preferences_action (GSimpleAction *action,
                                       GVariant      *parameter,
                                       gpointer       user_data)
{
  CharlaApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  CharlaPreferencesWindow *preferences;

  /* Without the schema nothing could be kept: the action is disabled. */
  g_return_if_fail (self->settings != NULL);

  preferences = charla_preferences_window_new (window, self->settings, self->node);
  /* A name given with --name is this node's own (see start_node). */
  charla_preferences_window_set_own_name (preferences, self->name_option);
  gtk_window_present (GTK_WINDOW (preferences));
}

static const GActionEntry app_actions[] = {
  { "quit", charla_application_quit_action },
  { "about", charla_application_about_action },
  { "preferences", charla_application_preferences_action },
};

static int
charla_application_handle_local_options (GApplication *application,
                                         GVariantDict *options)
{
  CharlaApplication *self = CHARLA_APPLICATION (application);
  g_autoptr(GError) error = NULL;
  const char *port = NULL;
  const char *ports = NULL;
  const char *bind = NULL;
  const char *name = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("charla %s\n", PACKAGE_VERSION);
      return 0;
    }

  g_variant_dict_lookup (options, "name", "&s", &name);
  g_variant_dict_lookup (options, "port", "&s", &port);
  g_variant_dict_lookup (options, "ports", "&s", &ports);
  g_variant_dict_lookup (options, "bind", "&s", &bind);

  /* The core's parsers, so every face accepts the same text. */
  if (port != NULL && ports != NULL)
    g_set_error_literal (&error, CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT,
                         _("Use either --port or --ports, not both."));
  else if (port != NULL && g_strcmp0 (port, "0") == 0)
    self->port_min_option = self->port_max_option = 0;  /* any free port, as charla-cli */
  else if (port != NULL && charla_port_parse (port, &self->port_min_option, &error))
    self->port_max_option = self->port_min_option;
  else if (ports != NULL)
    charla_port_range_parse (ports, &self->port_min_option, &self->port_max_option, &error);

  if (error == NULL && bind != NULL)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (bind);

      if (address == NULL)
        g_set_error (&error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                     _("“%s” is not an IP address"), bind);
    }

  if (error == NULL && name != NULL)
    {
      g_autofree char *clean = g_strstrip (g_strdup (name));

      if (*clean == '\0')
        g_set_error_literal (&error, CHARLA_ERROR, CHARLA_ERROR_INVALID_NAME,
                             _("The name cannot be empty."));
    }

  if (error != NULL)
    {
      g_printerr ("charla: %s\n", error->message);
      return 2;
    }

  self->ports_given = port != NULL || ports != NULL;
  self->name_option = g_strdup (name);
  self->bind_option = g_strdup (bind);

  /* A node of its own: see the uniqueness note at the top. */
  if (self->ports_given || name != NULL || bind != NULL)
    g_application_set_flags (application,
                             g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);

  return G_APPLICATION_CLASS (charla_application_parent_class)->handle_local_options (application, options);
}

static void
charla_application_start_node (CharlaApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *settings_name = NULL;
  const char *name = self->name_option;
  guint16 port_min = CHARLA_DEFAULT_PORT_MIN;
  guint16 port_max = CHARLA_DEFAULT_PORT_MAX;

  if (name == NULL && self->settings != NULL)
    name = settings_name = charla_settings_dup_display_name (self->settings);
  if (name == NULL)
    name = charla_default_name ();

  if (self->ports_given)
    {
      port_min = self->port_min_option;
      port_max = self->port_max_option;
    }
  else if (self->settings != NULL)
    charla_settings_get_listen_ports (self->settings, &port_min, &port_max);

  self->node = charla_node_new (name);
  charla_node_set_port_range (self->node, port_min, port_max);
  if (self->bind_option != NULL)
    charla_node_set_bind_address (self->node, self->bind_option);
  /* A display name changed in the preferences renames the node at once
   * and a rename is kept as the display name, unless the name was given
   * with --name: then this is a node of its own (see the uniqueness note
   * above), which another Charla's rename must not rename, nor it them.
   * Connections are remembered as recent either way. */
  if (self->settings != NULL)
    {
      if (self->name_option == NULL)
        charla_settings_bind_node (self->settings, self->node);
      else
        charla_settings_bind_node_connections (self->settings, self->node);
      /* Probe timeout and probes in flight, for the next search. */
      charla_settings_bind_scanner (self->settings, charla_node_get_scanner (self->node));
    }

  /* Not fatal: the user can still scan and connect out. The window
   * shows that the node is not listening; the node posts why to the
   * history. */
  charla_node_start (self->node, &error);
}

static void
charla_application_startup (GApplication *application)
{
  CharlaApplication *self = CHARLA_APPLICATION (application);
  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.scan", { "<Control>r", "F5", NULL } },
    { "win.connect-dialog", { "<Control>n", NULL } },
    { "win.focus-entry", { "<Control>l", NULL } },
    { "win.show-page::servers", { "<Alt>1", NULL } },
    { "win.show-page::chat", { "<Alt>2", NULL } },
    { "win.show-page::peers", { "<Alt>3", NULL } },
    { "win.disconnect-all", { "<Control><Shift>d", NULL } },
  };

  G_APPLICATION_CLASS (charla_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);

  self->settings = dup_settings ();
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "preferences")),
                               self->settings != NULL);
  charla_application_start_node (self);
  self->notifier = charla_notifier_new (GTK_APPLICATION (self), self->node);
  if (self->settings != NULL)
    g_settings_bind (self->settings, "notifications", self->notifier, "enabled", G_SETTINGS_BIND_GET);
}

static void
charla_application_activate (GApplication *application)
{
  CharlaApplication *self = CHARLA_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      window = GTK_WINDOW (charla_window_new (self, self->node, self->settings));
      if (self->settings != NULL)
        charla_settings_bind_window_state (self->settings, window);
    }

  gtk_window_present (window);
}

static void
on_node_shut_down (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  gboolean *done = user_data;

  /* What could not be delivered is the node's to say, not ours. */
  charla_node_shutdown_finish (CHARLA_NODE (object), result, NULL);
  *done = TRUE;
}

static void
charla_application_shutdown (GApplication *application)
{
  CharlaApplication *self = CHARLA_APPLICATION (application);

  g_clear_object (&self->notifier);

  /* Quitting delivers what was typed before closing the connections,
   * within the node's shutdown timeout. */
  if (self->node != NULL)
    {
      gboolean done = FALSE;

      charla_node_shutdown_async (self->node, NULL, on_node_shut_down, &done);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
    }

  G_APPLICATION_CLASS (charla_application_parent_class)->shutdown (application);
}

static void
charla_application_finalize (GObject *object)
{
  CharlaApplication *self = CHARLA_APPLICATION (object);

  g_clear_object (&self->node);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->name_option, g_free);
  g_clear_pointer (&self->bind_option, g_free);

  G_OBJECT_CLASS (charla_application_parent_class)->finalize (object);
}

static void
charla_application_class_init (CharlaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = charla_application_finalize;

  application_class->handle_local_options = charla_application_handle_local_options;
  application_class->startup = charla_application_startup;
  application_class->activate = charla_application_activate;
  application_class->shutdown = charla_application_shutdown;
}

static void
charla_application_init (CharlaApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Chat with people on your local network."));
}

CharlaApplication *
charla_application_new (void)
{
  return g_object_new (CHARLA_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/charla/Charla",
                       NULL);
}

/**
 * charla_application_get_node:
 *
 * Returns: (transfer none) (nullable): the node, once the app started
 */
CharlaNode *
charla_application_get_node (CharlaApplication *self)
{
  g_return_val_if_fail (CHARLA_IS_APPLICATION (self), NULL);

  return self->node;
}

/**
 * charla_application_get_settings:
 *
 * Returns: (transfer none) (nullable): the settings, %NULL when the
 *   schema is not installed
 */
GSettings *
charla_application_get_settings (CharlaApplication *self)
{
  g_return_val_if_fail (CHARLA_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * charla_application_get_notifier:
 *
 * Returns: (transfer none) (nullable): what tells the user about messages
 *   and peers while they look elsewhere; %NULL before startup
 */
CharlaNotifier *
charla_application_get_notifier (CharlaApplication *self)
{
  g_return_val_if_fail (CHARLA_IS_APPLICATION (self), NULL);

  return self->notifier;
}
