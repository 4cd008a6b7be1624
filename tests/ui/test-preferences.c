/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The preferences: the settings helpers (checked reads, recent
 * connections, window state, persistence in a key file as across a
 * restart) and CharlaPreferencesWindow (bad values refused inline with the
 * core parser's message and never saved, good ones saved and applied:
 * a new display name reaches a connected Charla peer at once). */
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "charla.h"
#include "charla-preferences-window.h"
#include "charla-settings.h"
#include "charla-test-support.h"

#define APP_ID "io.github.charla.Charla"
/* Nodes listen on loopback only, on a free port. */
static CharlaNode *
start_node (const char *name)
{
  return charla_test_start_node_bound (name, "127.0.0.1");
}

typedef struct
{
  GSettingsBackend        *backend;
  GSettings               *settings;
  CharlaNode              *node;
  CharlaPreferencesWindow *window;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->backend = g_memory_settings_backend_new ();
  fixture->settings = g_settings_new_with_backend (APP_ID, fixture->backend);
  fixture->node = start_node ("Ana");
  charla_settings_bind_node (fixture->settings, fixture->node);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (fixture->window));
      g_assert_finalize_object (fixture->window);
    }
  charla_test_finalize_node (&fixture->node);
  /* GSettings delivers change notifications from idles holding a ref. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (fixture->settings);
  g_assert_finalize_object (fixture->backend);
}

static CharlaPreferencesWindow *
open_window (Fixture *fixture)
{
  fixture->window = g_object_ref (charla_preferences_window_new (NULL, fixture->settings, fixture->node));
  gtk_window_present (GTK_WINDOW (fixture->window));
  return fixture->window;
}

static gpointer
child (Fixture    *fixture,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                   CHARLA_TYPE_PREFERENCES_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

/* Types @text into the entry row @row_name and presses Enter (applies). */
static void
type_and_apply (Fixture    *fixture,
                const char *row_name,
                const char *text)
{
  AdwEntryRow *row = child (fixture, row_name);

  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
}

/* The entry row shows @message under it, is marked invalid, and the key
 * still has @saved. */
static void
assert_refused (Fixture    *fixture,
                const char *field,
                const char *key,
                const char *message,
                const char *saved)
{
  g_autofree char *row_name = g_strconcat (field, "_row", NULL);
  g_autofree char *error_name = g_strconcat (field, "_error", NULL);
  GtkWidget *row = child (fixture, row_name);
  AdwPreferencesRow *error_row = child (fixture, error_name);
  g_autofree char *value = g_settings_get_string (fixture->settings, key);

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_row)));
  g_assert_cmpstr (adw_preferences_row_get_title (error_row), ==, message);
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_cmpstr (value, ==, saved);
}

static void
assert_accepted (Fixture    *fixture,
                 const char *field)
{
  g_autofree char *row_name = g_strconcat (field, "_row", NULL);
  g_autofree char *error_name = g_strconcat (field, "_error", NULL);

  g_assert_false (gtk_widget_get_visible (child (fixture, error_name)));
  g_assert_false (gtk_widget_has_css_class (child (fixture, row_name), "error"));
}

/* The message the core's port range parser gives for @text. */
static char *
port_range_message (const char *text)
{
  g_autoptr(GError) error = NULL;
  guint16 port_min, port_max;

  g_assert_false (charla_port_range_parse (text, &port_min, &port_max, &error));
  return g_strdup (error->message);
}

static void
test_bad_ports_refused (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *bad[] = { "", "10005-9990", "70000", "0", "9990-", "abc" };

  open_window (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *message = port_range_message (bad[i]);

      g_test_message ("listen-ports “%s”: %s", bad[i], message);
      type_and_apply (fixture, "listen_ports_row", bad[i]);
      assert_refused (fixture, "listen_ports", "listen-ports", message, "9990-10005");

      type_and_apply (fixture, "scan_ports_row", bad[i]);
      assert_refused (fixture, "scan_ports", "scan-ports", message, "9990-10005");
    }

  type_and_apply (fixture, "listen_ports_row", " 40000-40010 ");
  assert_accepted (fixture, "listen_ports");
  {
    g_autofree char *value = g_settings_get_string (fixture->settings, "listen-ports");
    guint16 port_min, port_max;

    g_assert_cmpstr (value, ==, "40000-40010");
    charla_settings_get_listen_ports (fixture->settings, &port_min, &port_max);
    g_assert_cmpuint (port_min, ==, 40000);
    g_assert_cmpuint (port_max, ==, 40010);
  }
}

static void
test_bad_targets_refused (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *bad[] = { "not-an-address", "127.0.0.1,,127.0.0.2", "127.0.0.300", "127.0.0.0/33" };

  open_window (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(CharlaTargetSet) set = charla_target_set_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (charla_target_set_add (set, bad[i], &error));
      g_test_message ("scan-targets “%s”: %s", bad[i], error->message);
      type_and_apply (fixture, "scan_targets_row", bad[i]);
      assert_refused (fixture, "scan_targets", "scan-targets", error->message, "");
    }

  /* Too many probes for one scan: the scanner's own refusal. */
  type_and_apply (fixture, "scan_targets_row", "127.0.0.0/8");
  g_assert_true (gtk_widget_get_visible (child (fixture, "scan_targets_error")));
  {
    g_autofree char *value = g_settings_get_string (fixture->settings, "scan-targets");

    g_assert_cmpstr (value, ==, "");
  }

  /* Under CHARLA_LOOPBACK_ONLY=1 another network is refused as well. */
  if (charla_loopback_only ())
    {
      type_and_apply (fixture, "scan_targets_row", "192.0.2.1");
      g_assert_true (gtk_widget_get_visible (child (fixture, "scan_targets_error")));
    }

  type_and_apply (fixture, "scan_targets_row", "127.0.0.1, 127.0.0.10-20");
  assert_accepted (fixture, "scan_targets");
  {
    g_autofree char *value = g_settings_get_string (fixture->settings, "scan-targets");
    g_autofree char *targets = charla_settings_dup_scan_targets (fixture->settings);

    g_assert_cmpstr (value, ==, "127.0.0.1, 127.0.0.10-20");
    g_assert_cmpstr (targets, ==, "127.0.0.1, 127.0.0.10-20");
  }

  /* Empty means this machine's networks. */
  type_and_apply (fixture, "scan_targets_row", "");
  assert_accepted (fixture, "scan_targets");
  g_assert_null (charla_settings_dup_scan_targets (fixture->settings));
}

static gboolean
peer_has_name (gpointer data)
{
  gpointer *args = data;
  GListModel *peers = charla_node_get_peers (args[0]);
  g_autoptr(CharlaPeer) peer = NULL;

  if (g_list_model_get_n_items (peers) != 1)
    return FALSE;
  peer = g_list_model_get_item (peers, 0);
  return g_strcmp0 (charla_peer_get_name (peer), args[1]) == 0;
}

static void
connect_nodes (CharlaNode *from,
               CharlaNode *to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaPeer) peer = charla_test_connect_node (from, "127.0.0.1",
                                                         charla_node_get_port (to), &error);

  g_assert_no_error (error);
}

static void
test_display_name_applied (Fixture       *fixture,
                           gconstpointer  data)
{
  CharlaNode *beto = start_node ("Beto");
  gpointer beto_sees_ana[] = { beto, "Ana" };
  gpointer beto_sees_carla[] = { beto, "Carla" };
  gpointer ana_sees_beto[] = { fixture->node, "Beto" };

  connect_nodes (beto, fixture->node);
  charla_test_wait_until (peer_has_name, beto_sees_ana);
  charla_test_wait_until (peer_has_name, ana_sees_beto);

  open_window (fixture);

  /* No visible character: the node's own refusal, nothing saved. */
  type_and_apply (fixture, "display_name_row", "\x01\x02");
  assert_refused (fixture, "display_name", "display-name",
                  "A name needs at least one visible character", "");
  g_assert_cmpstr (charla_node_get_name (fixture->node), ==, "Ana");

  /* Saved, and the connected Charla peer hears it at once. */
  type_and_apply (fixture, "display_name_row", "  Carla ");
  assert_accepted (fixture, "display_name");
  {
    g_autofree char *value = g_settings_get_string (fixture->settings, "display-name");

    g_assert_cmpstr (value, ==, "Carla");
  }
  g_assert_cmpstr (charla_node_get_name (fixture->node), ==, "Carla");
  g_test_message ("waiting for Beto to see Carla");
  charla_test_wait_until (peer_has_name, beto_sees_carla);

  /* Empty: back to the user's own name. */
  type_and_apply (fixture, "display_name_row", "");
  assert_accepted (fixture, "display_name");
  g_assert_cmpstr (charla_node_get_name (fixture->node), ==, charla_default_name ());
  {
    g_autofree char *value = g_settings_get_string (fixture->settings, "display-name");

    g_assert_cmpstr (value, ==, "");
  }

  /* A rename elsewhere (the window, a typed --name NEW) is kept. */
  g_assert_true (charla_node_set_name (fixture->node, "Dora", NULL));
  {
    g_autofree char *value = g_settings_get_string (fixture->settings, "display-name");

    g_assert_cmpstr (value, ==, "Dora");
  }
  g_assert_cmpstr (gtk_editable_get_text (child (fixture, "display_name_row")), ==, "Dora");

  charla_test_finalize_node (&beto);
}

static void
test_numbers_and_switch (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(CharlaScanner) scanner = charla_scanner_new (fixture->node);
  guint timeout, in_flight;

  charla_settings_bind_scanner (fixture->settings, scanner);
  open_window (fixture);

  gtk_adjustment_set_value (child (fixture, "timeout_adjustment"), 250);
  gtk_adjustment_set_value (child (fixture, "in_flight_adjustment"), 64);
  gtk_switch_set_active (child (fixture, "notifications_switch"), FALSE);

  g_assert_cmpuint (g_settings_get_uint (fixture->settings, "scan-timeout-ms"), ==, 250);
  g_assert_cmpuint (g_settings_get_uint (fixture->settings, "scan-max-in-flight"), ==, 64);
  g_assert_false (g_settings_get_boolean (fixture->settings, "notifications"));

  /* Applied to the scanner for its next scan. */
  g_object_get (scanner, "connect-timeout", &timeout, "max-in-flight", &in_flight, NULL);
  g_assert_cmpuint (timeout, ==, 250);
  g_assert_cmpuint (in_flight, ==, 64);

  /* Out of the schema's range: the spin button clamps, never saves it. */
  gtk_adjustment_set_value (child (fixture, "timeout_adjustment"), 0);
  g_assert_cmpuint (g_settings_get_uint (fixture->settings, "scan-timeout-ms"), ==, 10);
}

static GtkWidget *
find_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget))
    return widget;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *button = find_button (c);

      if (button != NULL)
        return button;
    }

  return NULL;
}

static void
test_recent_connections (Fixture       *fixture,
                         gconstpointer  data)
{
  CharlaNode *beto = start_node ("Beto");
  g_autofree char *beto_endpoint = g_strdup_printf ("127.0.0.1:%u", charla_node_get_port (beto));
  gpointer ana_sees_beto[] = { fixture->node, "Beto" };
  g_auto(GStrv) recent = NULL;
  GtkListBox *list;
  GtkListBoxRow *row;
  GtkWidget *button;

  for (guint i = 0; i < CHARLA_MAX_RECENT_CONNECTIONS + 2; i++)
    {
      g_autofree char *endpoint = g_strdup_printf ("127.0.0.%u:9990", i + 1);

      charla_settings_add_recent_connection (fixture->settings, endpoint);
    }
  charla_settings_add_recent_connection (fixture->settings, "127.0.0.10:9990");
  recent = g_settings_get_strv (fixture->settings, "recent-connections");
  g_assert_cmpuint (g_strv_length (recent), ==, CHARLA_MAX_RECENT_CONNECTIONS);
  g_assert_cmpstr (recent[0], ==, "127.0.0.10:9990");
  g_assert_cmpstr (recent[1], ==, "127.0.0.9:9990");
  g_clear_pointer (&recent, g_strfreev);

  /* A connection the node makes is remembered, newest first. */
  connect_nodes (fixture->node, beto);
  charla_test_wait_until (peer_has_name, ana_sees_beto);
  recent = g_settings_get_strv (fixture->settings, "recent-connections");
  g_assert_cmpstr (recent[0], ==, beto_endpoint);

  /* Shown in the preferences, and removable there. */
  open_window (fixture);
  list = child (fixture, "recent_list");
  row = gtk_list_box_get_row_at_index (list, 0);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, beto_endpoint);
  g_assert_nonnull (gtk_list_box_get_row_at_index (list, CHARLA_MAX_RECENT_CONNECTIONS - 1));
  g_assert_null (gtk_list_box_get_row_at_index (list, CHARLA_MAX_RECENT_CONNECTIONS));

  button = find_button (GTK_WIDGET (row));
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");

  g_clear_pointer (&recent, g_strfreev);
  recent = g_settings_get_strv (fixture->settings, "recent-connections");
  g_assert_false (g_strv_contains ((const char * const *) recent, beto_endpoint));
  row = gtk_list_box_get_row_at_index (list, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, recent[0]);

  charla_test_finalize_node (&beto);
}

/* Like the main window, the preferences fit a 360 px wide phone screen,
 * even while showing an error message. */
static void
test_fits_360_px (Fixture       *fixture,
                  gconstpointer  data)
{
  int minimum = 0;

  open_window (fixture);
  type_and_apply (fixture, "scan_targets_row", "127.0.0.1,,127.0.0.2,,127.0.0.3,,127.0.0.4");
  g_assert_true (gtk_widget_get_visible (child (fixture, "scan_targets_error")));

  /* The content; the window's own frame (client-side borders) is outside. */
  gtk_widget_measure (gtk_widget_get_first_child (GTK_WIDGET (fixture->window)), GTK_ORIENTATION_HORIZONTAL, -1,
                      &minimum, NULL, NULL, NULL);
  g_test_message ("minimum width %d px", minimum);
  g_assert_cmpint (minimum, <=, 360);
}

/* A value written behind the app's back (gsettings set) that does not
 * parse is ignored for the key's default. */
static void
test_bad_stored_values_ignored (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *name = NULL;
  g_autofree char *targets = NULL;
  g_autofree char *ports = NULL;
  guint16 port_min, port_max;

  g_settings_set_string (fixture->settings, "listen-ports", "10005-9990");
  g_settings_set_string (fixture->settings, "scan-ports", "70000");
  g_settings_set_string (fixture->settings, "scan-targets", "nonsense");
  g_settings_set_string (fixture->settings, "display-name", "\x07");

  charla_settings_get_listen_ports (fixture->settings, &port_min, &port_max);
  g_assert_cmpuint (port_min, ==, CHARLA_DEFAULT_PORT_MIN);
  g_assert_cmpuint (port_max, ==, CHARLA_DEFAULT_PORT_MAX);
  ports = charla_settings_dup_scan_ports (fixture->settings);
  g_assert_cmpstr (ports, ==, "9990-10005");
  targets = charla_settings_dup_scan_targets (fixture->settings);
  g_assert_null (targets);
  name = charla_settings_dup_display_name (fixture->settings);
  g_assert_null (name);
}

/* Settings kept in a key file (as the keyfile backend keeps them between
 * runs) are there for the next process: a new backend on the same file. */
static void
test_persist_across_restart (void)
{
  g_autofree char *dir = g_dir_make_tmp ("charla-settings-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "keyfile", NULL);

  {
    g_autoptr(GSettingsBackend) backend =
      g_keyfile_settings_backend_new (path, "/io/github/charla/Charla/", "charla");
    g_autoptr(GSettings) settings = g_settings_new_with_backend (APP_ID, backend);
    g_autoptr(CharlaNode) node = charla_node_new ("Ana");
    CharlaPreferencesWindow *window = charla_preferences_window_new (NULL, settings, node);
    AdwEntryRow *row = ADW_ENTRY_ROW (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                     CHARLA_TYPE_PREFERENCES_WINDOW,
                                                                     "display_name_row"));

    g_object_ref (window);
    gtk_editable_set_text (GTK_EDITABLE (row), "Dora");
    g_signal_emit_by_name (row, "apply");
    g_settings_set_int (settings, "window-width", 500);
    g_settings_sync ();
    gtk_window_destroy (GTK_WINDOW (window));
    g_assert_finalize_object (window);
  }

  {
    g_autoptr(GSettingsBackend) backend =
      g_keyfile_settings_backend_new (path, "/io/github/charla/Charla/", "charla");
    g_autoptr(GSettings) settings = g_settings_new_with_backend (APP_ID, backend);
    g_autofree char *name = charla_settings_dup_display_name (settings);

    g_assert_cmpstr (name, ==, "Dora");
    g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 500);
  }

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* The window comes back with the size and state it was closed with. */
static void
test_window_state (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  int width, height;

  g_object_ref (window);
  charla_settings_bind_window_state (fixture->settings, window);
  gtk_window_set_default_size (window, 480, 420);
  gtk_window_present (window);
  gtk_window_close (window);
  g_assert_cmpint (g_settings_get_int (fixture->settings, "window-width"), ==, 480);
  g_assert_cmpint (g_settings_get_int (fixture->settings, "window-height"), ==, 420);
  g_assert_false (g_settings_get_boolean (fixture->settings, "window-maximized"));
  gtk_window_destroy (window);
  g_assert_finalize_object (window);

  g_settings_set_boolean (fixture->settings, "window-maximized", TRUE);
  window = GTK_WINDOW (gtk_window_new ());
  g_object_ref (window);
  charla_settings_bind_window_state (fixture->settings, window);
  gtk_window_get_default_size (window, &width, &height);
  g_assert_cmpint (width, ==, 480);
  g_assert_cmpint (height, ==, 420);
  g_assert_true (gtk_window_is_maximized (window) ||
                 /* before mapping, the request is only recorded */
                 !gtk_widget_get_mapped (GTK_WIDGET (window)));
  gtk_window_destroy (window);
  g_assert_finalize_object (window);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/charla/preferences/ports/bad-refused", test_bad_ports_refused);
  ADD ("/charla/preferences/targets/bad-refused", test_bad_targets_refused);
  ADD ("/charla/preferences/display-name/applied-to-peers", test_display_name_applied);
  ADD ("/charla/preferences/numbers-and-switch", test_numbers_and_switch);
  ADD ("/charla/preferences/recent-connections", test_recent_connections);
  ADD ("/charla/preferences/fits-360-px", test_fits_360_px);
  ADD ("/charla/settings/bad-stored-values-ignored", test_bad_stored_values_ignored);
  ADD ("/charla/settings/window-state", test_window_state);
  g_test_add_func ("/charla/settings/persist-across-restart", test_persist_across_restart);

  return g_test_run ();
}
