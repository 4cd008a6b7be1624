/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-settings.h"

/* The app's GSettings (schema io.github.charla.Charla), read and written
 * through one place so that every value is checked by the core's own
 * parsers: the preferences window refuses a bad value before it is
 * saved, and a bad value written behind the app's back (gsettings,
 * dconf-editor) is ignored in favour of the key's default, with a
 * message in the journal, never a crash. */

/**
 * charla_settings_check_display_name:
 * @text: a display name as typed; "" means the user's own name
 * @error: return location for a #CHARLA_ERROR
 *
 * Returns: %TRUE if the node would accept @text as its name
 */
gboolean
charla_settings_check_display_name (const char  *text,
                                    GError     **error)
{
  g_autofree char *clean = NULL;
  g_autofree char *stripped = NULL;

  g_return_val_if_fail (text != NULL, FALSE);

  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0')
    return TRUE;

  clean = charla_name_sanitize (stripped, -1);
  if (clean == NULL)
    {
      /* The node's own message for the same refusal. */
      g_set_error_literal (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_NAME,
                           _("A name needs at least one visible character"));
      return FALSE;
    }

  return TRUE;
}

/**
 * charla_settings_check_port_range:
 * @text: a port or a port range ("9990-10005")
 * @error: return location for the core parser's #CHARLA_ERROR
 *
 * Returns: %TRUE if @text is a usable port range
 */
gboolean
charla_settings_check_port_range (const char  *text,
                                  GError     **error)
{
  guint16 port_min, port_max;

  g_return_val_if_fail (text != NULL, FALSE);

  return charla_port_range_parse (text, &port_min, &port_max, error);
}

/**
 * charla_settings_check_scan_targets:
 * @text: comma-separated scan targets; "" means this machine's networks
 * @error: return location for the core parser's #CHARLA_ERROR
 *
 * Returns: %TRUE if every target of @text parses
 */
gboolean
charla_settings_check_scan_targets (const char  *text,
                                    GError     **error)
{
  g_autoptr(CharlaTargetSet) set = NULL;
  g_autofree char *stripped = NULL;

  g_return_val_if_fail (text != NULL, FALSE);

  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0')
    return TRUE;

  set = charla_target_set_new ();
  return charla_target_set_add (set, stripped, error);
}

/* A string key's value when @check accepts it, else its default. */
static char *
dup_checked_string (GSettings   *settings,
                    const char  *key,
                    gboolean   (*check) (const char *, GError **))
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = g_settings_get_string (settings, key);

  if (check (value, &error))
    return g_steal_pointer (&value);

  g_message ("Ignoring the setting %s “%s”: %s", key, value, error->message);
  {
    g_autoptr(GVariant) fallback = g_settings_get_default_value (settings, key);

    return g_variant_dup_string (fallback, NULL);
  }
}

/**
 * charla_settings_dup_display_name:
 * @settings: the app's settings
 *
 * Returns: (transfer full) (nullable): the display name, stripped, or
 *   %NULL for the user's own name
 */
char *
charla_settings_dup_display_name (GSettings *settings)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  value = dup_checked_string (settings, "display-name", charla_settings_check_display_name);
  g_strstrip (value);

  return *value != '\0' ? g_steal_pointer (&value) : NULL;
}

/**
 * charla_settings_get_listen_ports:
 * @settings: the app's settings
 * @out_min: (out): the first port to listen on
 * @out_max: (out): the last port to listen on
 *
 * The listening port range of listen-ports, or the seed's 9990–10005 if
 * that does not parse.
 */
void
charla_settings_get_listen_ports (GSettings *settings,
                                  guint16   *out_min,
                                  guint16   *out_max)
{
  g_autofree char *value = NULL;

  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (out_min != NULL && out_max != NULL);

  *out_min = CHARLA_DEFAULT_PORT_MIN;
  *out_max = CHARLA_DEFAULT_PORT_MAX;
  value = dup_checked_string (settings, "listen-ports", charla_settings_check_port_range);
  if (!charla_port_range_parse (value, out_min, out_max, NULL))
    {
      *out_min = CHARLA_DEFAULT_PORT_MIN;
      *out_max = CHARLA_DEFAULT_PORT_MAX;
    }
}

/**
 * charla_settings_dup_scan_targets:
 * @settings: the app's settings
 *
 * Returns: (transfer full) (nullable): the default scan targets, or %NULL
 *   for this machine's networks
 */
char *
charla_settings_dup_scan_targets (GSettings *settings)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  value = dup_checked_string (settings, "scan-targets", charla_settings_check_scan_targets);
  g_strstrip (value);

  return *value != '\0' ? g_steal_pointer (&value) : NULL;
}

/**
 * charla_settings_dup_scan_ports:
 * @settings: the app's settings
 *
 * Returns: (transfer full): the default ports to scan, such as "9990-10005"
 */
char *
charla_settings_dup_scan_ports (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_strstrip (dup_checked_string (settings, "scan-ports", charla_settings_check_port_range));
}

static void
on_display_name_changed (GSettings  *settings,
                         const char *key,
                         CharlaNode *node)
{
  g_autofree char *name = charla_settings_dup_display_name (settings);

  /* Announced to connected Charla peers by the node at once. */
  charla_node_set_name (node, name != NULL ? name : charla_default_name (), NULL);
}

/* A rename in the window or by a typed --name NEW is the user's new name:
 * kept for the next start too. */
static void
on_node_name_changed (CharlaNode *node,
                      GParamSpec *pspec,
                      GSettings  *settings)
{
  const char *name = charla_node_get_name (node);
  g_autofree char *saved = charla_settings_dup_display_name (settings);

  if (saved == NULL && g_strcmp0 (name, charla_default_name ()) == 0)
    return;
  if (g_strcmp0 (saved, name) != 0)
    g_settings_set_string (settings, "display-name", name);
}

static void
on_peers_changed (GListModel *peers,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GSettings  *settings)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CharlaPeer) peer = g_list_model_get_item (peers, i);

      /* Only where we connected to: a peer that connected to us came
       * from a port of its own that nobody can connect back to. */
      if (charla_peer_get_direction (peer) == CHARLA_PEER_OUTGOING)
        {
          g_autofree char *endpoint = charla_peer_dup_endpoint (peer);

          charla_settings_add_recent_connection (settings, endpoint);
        }
    }
}

/**
 * charla_settings_bind_node:
 * @settings: the app's settings
 * @node: the app's node
 *
 * From now on, a change of display-name renames @node at once (Charla
 * peers are told), a rename of @node (the window, a typed `--name NEW`)
 * is saved as display-name, and every connection @node makes is
 * remembered (charla_settings_bind_node_connections()). The bindings last
 * as long as @node.
 */
void
charla_settings_bind_node (GSettings  *settings,
                           CharlaNode *node)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (CHARLA_IS_NODE (node));

  g_signal_connect_object (settings, "changed::display-name",
                           G_CALLBACK (on_display_name_changed), node, 0);
  g_signal_connect_object (node, "notify::name",
                           G_CALLBACK (on_node_name_changed), settings, 0);

  charla_settings_bind_node_connections (settings, node);
}

/**
 * charla_settings_bind_node_connections:
 * @settings: the app's settings
 * @node: a node
 *
 * Remembers every connection @node makes in recent-connections, and
 * nothing else: for a node whose name is its own (`charla --name`), which
 * neither follows display-name nor changes it.
 */
void
charla_settings_bind_node_connections (GSettings  *settings,
                                       CharlaNode *node)
{
  g_autoptr(GListModel) peers = NULL;

  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (CHARLA_IS_NODE (node));

  g_object_get (node, "peers", &peers, NULL);
  g_signal_connect_object (peers, "items-changed",
                           G_CALLBACK (on_peers_changed), settings, 0);
}

/**
 * charla_settings_bind_scanner:
 * @settings: the app's settings
 * @scanner: a scanner
 *
 * Keeps the probe timeout and the probes in flight of @scanner equal to
 * the settings; a change applies to the next scan.
 */
void
charla_settings_bind_scanner (GSettings     *settings,
                              CharlaScanner *scanner)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (CHARLA_IS_SCANNER (scanner));

  g_settings_bind (settings, "scan-timeout-ms", scanner, "connect-timeout", G_SETTINGS_BIND_GET);
  g_settings_bind (settings, "scan-timeout-ms", scanner, "reply-timeout", G_SETTINGS_BIND_GET);
  g_settings_bind (settings, "scan-max-in-flight", scanner, "max-in-flight", G_SETTINGS_BIND_GET);
}

static void
save_window_state (GtkWindow *window,
                   GSettings *settings)
{
  int width = -1, height = -1;

  gtk_window_get_default_size (window, &width, &height);
  /* While maximized the default size is still the unmaximized one,
   * which is what the next start should use after unmaximizing. */
  g_settings_set_int (settings, "window-width", CLAMP (width, -1, G_MAXINT16));
  g_settings_set_int (settings, "window-height", CLAMP (height, -1, G_MAXINT16));
  g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
}

static gboolean
on_window_close_request (GtkWindow *window,
                         GSettings *settings)
{
  save_window_state (window, settings);
  return GDK_EVENT_PROPAGATE;
}

static void
on_window_unrealize (GtkWindow *window,
                     GSettings *settings)
{
  /* Quitting (app.quit) destroys the window without a close request. */
  save_window_state (window, settings);
}

/**
 * charla_settings_bind_window_state:
 * @settings: the app's settings
 * @window: the main window, not shown yet
 *
 * Gives @window the size and maximized state it had when it was last
 * closed, and saves them when it closes again.
 */
void
charla_settings_bind_window_state (GSettings *settings,
                                   GtkWindow *window)
{
  int width, height;

  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (GTK_IS_WINDOW (window));

  width = g_settings_get_int (settings, "window-width");
  height = g_settings_get_int (settings, "window-height");
  if (width > 0 && height > 0)
    gtk_window_set_default_size (window, width, height);
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (window);

  g_signal_connect_object (window, "close-request",
                           G_CALLBACK (on_window_close_request), settings, 0);
  g_signal_connect_object (window, "unrealize",
                           G_CALLBACK (on_window_unrealize), settings, 0);
}

static void
refill_recent_connections (GSettings     *settings,
                           const char    *key,
                           GtkStringList *list)
{
  g_auto(GStrv) endpoints = g_settings_get_strv (settings, "recent-connections");

  gtk_string_list_splice (list, 0, g_list_model_get_n_items (G_LIST_MODEL (list)),
                          (const char * const *) endpoints);
}

/**
 * charla_settings_recent_connections_new:
 * @settings: the app's settings
 *
 * Returns: (transfer full): a list of #GtkStringObject, the "host:port"
 *   of the recent connections, newest first, kept up to date
 */
GListModel *
charla_settings_recent_connections_new (GSettings *settings)
{
  GtkStringList *list;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  list = gtk_string_list_new (NULL);
  refill_recent_connections (settings, NULL, list);
  g_signal_connect_object (settings, "changed::recent-connections",
                           G_CALLBACK (refill_recent_connections), list, 0);

  return G_LIST_MODEL (list);
}

/* recent-connections without @endpoint, and with it in front if @add. */
static void
update_recent_connections (GSettings  *settings,
                           const char *endpoint,
                           gboolean    add)
{
  g_auto(GStrv) old = g_settings_get_strv (settings, "recent-connections");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) endpoints = NULL;
  guint n = 0;

  if (add)
    {
      g_strv_builder_add (builder, endpoint);
      n++;
    }
  for (guint i = 0; old[i] != NULL && n < CHARLA_MAX_RECENT_CONNECTIONS; i++)
    if (g_strcmp0 (old[i], endpoint) != 0)
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }

  endpoints = g_strv_builder_end (builder);
  if (!g_strv_equal ((const char * const *) old, (const char * const *) endpoints))
    g_settings_set_strv (settings, "recent-connections", (const char * const *) endpoints);
}

/**
 * charla_settings_add_recent_connection:
 * @settings: the app's settings
 * @endpoint: "host:port" (or "[v6]:port")
 *
 * Puts @endpoint first in recent-connections, keeping at most
 * %CHARLA_MAX_RECENT_CONNECTIONS.
 */
void
charla_settings_add_recent_connection (GSettings  *settings,
                                       const char *endpoint)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (endpoint != NULL && *endpoint != '\0');

  update_recent_connections (settings, endpoint, TRUE);
}

/**
 * charla_settings_remove_recent_connection:
 * @settings: the app's settings
 * @endpoint: an entry of recent-connections
 *
 * Forgets @endpoint.
 */
void
charla_settings_remove_recent_connection (GSettings  *settings,
                                          const char *endpoint)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (endpoint != NULL);

  update_recent_connections (settings, endpoint, FALSE);
}
