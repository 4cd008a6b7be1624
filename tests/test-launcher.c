/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The launcher entry of an installed Charla, seen as GNOME Shell sees it:
 * GIO's desktop app index finds it by its keywords (Spanish ones under a
 * Spanish locale), its icons are in the icon theme, and launching it
 * starts `charla`, whose second launch presents the first instead of
 * starting another. check-install.py runs this against the DESTDIR it
 * installed into, under Xvfb in a D-Bus session, with:
 *   CHARLA_TEST_PREFIX   the installed prefix inside the DESTDIR
 *   CHARLA_TEST_DATADIR  ... its data directory
 *   CHARLA_TEST_BINDIR   ... its program directory
 *   CHARLA_TEST_PORT     a free port for the launched node to listen on
 *   CHARLA_TEST_PIDFILE  where to note the pid of each launched charla */
#include <signal.h>
#include <string.h>

#include <gio/gdesktopappinfo.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "charla-test-support.h"

#define APP_ID "io.github.charla.Charla"
#define DESKTOP_ID APP_ID ".desktop"

static const char *datadir;
static const char *bindir;

static gboolean
search_finds_charla (const char *term)
{
  g_auto(GStrv) flat = NULL;
  gchar ***groups = g_desktop_app_info_search (term);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_strv_builder_addv (builder, (const char **) groups[i]);
      g_strfreev (groups[i]);
    }
  g_free (groups);
  flat = g_strv_builder_end (builder);

  return g_strv_contains ((const char * const *) flat, DESKTOP_ID);
}

static void
test_found_in_launcher (void)
{
  const char *terms[] = { "charla", "chat", "lan", "p2p", "messaging" };
  g_autoptr(GDesktopAppInfo) info = g_desktop_app_info_new (DESKTOP_ID);
  g_autofree char *executable = NULL;

  /* GIO hides an entry whose program is not in PATH. */
  g_assert_nonnull (info);
  g_assert_true (g_app_info_should_show (G_APP_INFO (info)));
  g_assert_cmpstr (g_app_info_get_name (G_APP_INFO (info)), ==, "Charla");
  g_assert_cmpstr (g_desktop_app_info_get_categories (info), ==, "Network;Chat;InstantMessaging;");
  g_assert_true (g_desktop_app_info_get_boolean (info, "StartupNotify"));
  executable = g_find_program_in_path (g_app_info_get_executable (G_APP_INFO (info)));
  g_assert_nonnull (executable);
  g_assert_true (g_str_has_prefix (executable, bindir));

  for (guint i = 0; i < G_N_ELEMENTS (terms); i++)
    {
      g_test_message ("searching for \"%s\"", terms[i]);
      g_assert_true (search_finds_charla (terms[i]));
    }
}

static void
test_spanish_entry (void)
{
  g_autofree char *path = g_build_filename (datadir, "applications", DESKTOP_ID, NULL);
  g_autoptr(GDesktopAppInfo) info = NULL;
  const char * const *keywords;

  /* Read again with Spanish as the language, as a Spanish session would. */
  g_setenv ("LANGUAGE", "es", TRUE);
  info = g_desktop_app_info_new_from_filename (path);
  g_unsetenv ("LANGUAGE");

  g_assert_nonnull (info);
  g_assert_cmpstr (g_desktop_app_info_get_generic_name (info), ==, "Chat de red local");
  keywords = g_desktop_app_info_get_keywords (info);
  g_assert_nonnull (keywords);
  g_assert_true (g_strv_contains (keywords, "mensajería"));
  g_assert_true (g_strv_contains (keywords, "chat"));
}

static void
test_icons_in_theme (void)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());

  g_assert_true (gtk_icon_theme_has_icon (theme, APP_ID));
  g_assert_true (gtk_icon_theme_has_icon (theme, APP_ID "-symbolic"));
}

typedef struct
{
  char     *owner;     /* unique name owning APP_ID, NULL when none */
  gboolean  vanished;
  GPid      last_pid;
} Launch;

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  Launch *launch = user_data;

  g_free (launch->owner);
  launch->owner = g_strdup (owner);
}

static void
on_name_vanished (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  Launch *launch = user_data;

  g_clear_pointer (&launch->owner, g_free);
  launch->vanished = TRUE;
}

static void
on_launched (GAppLaunchContext *context,
             GAppInfo          *info,
             GVariant          *platform_data,
             gpointer           user_data)
{
  Launch *launch = user_data;
  gint32 pid = 0;

  g_variant_lookup (platform_data, "pid", "i", &pid);
  launch->last_pid = pid;

  /* For check-install.py to end it should this test fail half-way. */
  if (g_getenv ("CHARLA_TEST_PIDFILE") != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (g_getenv ("CHARLA_TEST_PIDFILE"));
      g_autoptr(GFileOutputStream) stream = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, NULL);
      g_autofree char *line = g_strdup_printf ("%d\n", pid);

      if (stream != NULL)
        g_output_stream_write_all (G_OUTPUT_STREAM (stream), line, strlen (line), NULL, NULL, NULL);
    }
}

static gboolean
has_owner (gpointer data)
{
  return ((Launch *) data)->owner != NULL;
}

static gboolean
has_vanished (gpointer data)
{
  return ((Launch *) data)->vanished;
}

static gboolean
process_ended (gpointer data)
{
  GPid pid = GPOINTER_TO_INT (data);
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *state;

  /* Gone, or a zombie that GIO's child watch has not reaped yet. */
  if (kill (pid, 0) != 0 || !g_file_get_contents (stat_path, &stat, NULL, NULL))
    return TRUE;
  state = strrchr (stat, ')');
  return state != NULL && state[1] == ' ' && state[2] == 'Z';
}

static void
test_launch (void)
{
  g_autoptr(GDesktopAppInfo) info = g_desktop_app_info_new (DESKTOP_ID);
  g_autoptr(GAppLaunchContext) context = g_app_launch_context_new ();
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *config = g_dir_make_tmp ("charla-launch-XXXXXX", &error);
  g_autofree char *settings_dir = g_build_filename (config, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (settings_dir, "keyfile", NULL);
  g_autofree char *keyfile_text = NULL;
  g_autofree char *schema_dir = g_build_filename (datadir, "glib-2.0", "schemas", NULL);
  g_autofree char *first_owner = NULL;
  Launch launch = { 0 };
  guint watch;

  g_assert_no_error (error);
  g_assert_nonnull (info);

  /* The node listens on a free port only, and talks to loopback only. */
  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
  keyfile_text = g_strdup_printf ("[io/github/charla/Charla]\nlisten-ports='%s'\n",
                                  g_getenv ("CHARLA_TEST_PORT"));
  g_assert_true (g_file_set_contents (keyfile, keyfile_text, -1, NULL));
  g_app_launch_context_setenv (context, "GSETTINGS_BACKEND", "keyfile");
  g_app_launch_context_setenv (context, "XDG_CONFIG_HOME", config);
  g_app_launch_context_setenv (context, "GSETTINGS_SCHEMA_DIR", schema_dir);
  g_app_launch_context_setenv (context, "CHARLA_LOOPBACK_ONLY", "1");
  g_signal_connect (context, "launched", G_CALLBACK (on_launched), &launch);

  watch = g_bus_watch_name_on_connection (bus, APP_ID, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          on_name_appeared, on_name_vanished, &launch, NULL);

  g_assert_true (g_app_info_launch (G_APP_INFO (info), NULL, context, &error));
  g_assert_no_error (error);
  charla_test_wait_until (has_owner, &launch);
  first_owner = g_strdup (launch.owner);
  g_test_message ("charla (pid %d) owns %s as %s", launch.last_pid, APP_ID, first_owner);

  /* Launching again while it runs presents the running one: the second
   * process hands over and ends; the first keeps the name. */
  launch.last_pid = 0;
  g_assert_true (g_app_info_launch (G_APP_INFO (info), NULL, context, &error));
  g_assert_no_error (error);
  g_assert_cmpint (launch.last_pid, >, 0);
  charla_test_wait_until (process_ended, GINT_TO_POINTER (launch.last_pid));
  g_assert_cmpstr (launch.owner, ==, first_owner);

  /* Quit through its action, as the menu does; the app may be gone
   * before it answers. */
  g_dbus_connection_call (bus, APP_ID, "/io/github/charla/Charla", "org.gtk.Actions", "Activate",
                          g_variant_new ("(sava{sv})", "quit", NULL, NULL),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
  charla_test_wait_until (has_vanished, &launch);

  g_bus_unwatch_name (watch);
  g_clear_pointer (&launch.owner, g_free);
  g_remove (keyfile);
  g_rmdir (settings_dir);
  {
    g_autofree char *glib_dir = g_path_get_dirname (settings_dir);

    g_rmdir (glib_dir);
  }
  g_rmdir (config);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_dirs = NULL;
  g_autofree char *path = NULL;

  datadir = g_getenv ("CHARLA_TEST_DATADIR");
  bindir = g_getenv ("CHARLA_TEST_BINDIR");
  if (datadir == NULL || bindir == NULL)
    {
      g_print ("1..0 # SKIP run by check-install.py on an installed Charla\n");
      return 0;
    }

  /* The installed prefix as a session that has it in its paths. */
  data_dirs = g_strdup_printf ("%s:/usr/share", datadir);
  g_setenv ("XDG_DATA_DIRS", data_dirs, TRUE);
  g_setenv ("XDG_DATA_HOME", "/nonexistent", TRUE);
  path = g_strdup_printf ("%s:%s", bindir, g_getenv ("PATH"));
  g_setenv ("PATH", path, TRUE);

  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charla/launcher/found", test_found_in_launcher);
  g_test_add_func ("/charla/launcher/spanish", test_spanish_entry);
  g_test_add_func ("/charla/launcher/icons", test_icons_in_theme);
  g_test_add_func ("/charla/launcher/launch", test_launch);

  return g_test_run ();
}
