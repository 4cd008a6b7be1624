/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The whole CharlaApplication with its settings, as a user starts it:
 * the window comes back at its saved size, its search fields follow the
 * preferences, the Chat tab counts unread messages until the chat is seen,
 * no notification is tried without a notification server, and the
 * connection dialog offers the recent connections and forgets one on
 * request, and a name given with --name is the node's own: another
 * Charla's rename (the shared display-name) does not rename it, nor its
 * rename them. The node listens on loopback, on any free port. */
#include <adwaita.h>
#include <string.h>

#include "charla-application.h"
#include "charla-connect-dialog.h"
#include "charla-preferences-window.h"
#include "charla-server-list.h"
#include "charla-settings.h"
#include "charla-window.h"
#include "ui-test-util.h"

#define APP_ID "io.github.charla.Charla"

static gpointer
find_widget (GtkWidget *widget,
             GType      type)
{
  return ui_test_find_widget (widget, type, 0);
}

static gboolean
badge_is (gpointer data)
{
  gpointer *args = data;

  return adw_view_stack_page_get_badge_number (args[0]) == GPOINTER_TO_UINT (args[1]);
}

static gboolean
window_is_active (gpointer data)
{
  return gtk_window_is_active (data);
}

static gboolean
has_peers (gpointer data)
{
  return g_list_model_get_n_items (charla_node_get_peers (data)) > 0;
}

static const char *
field_text (CharlaServerList *list,
            const char       *name)
{
  GObject *row = gtk_widget_get_template_child (GTK_WIDGET (list), CHARLA_TYPE_SERVER_LIST, name);

  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
check_search_fields (CharlaWindow *window,
                     GSettings    *settings)
{
  CharlaServerList *list = find_widget (GTK_WIDGET (window), CHARLA_TYPE_SERVER_LIST);

  g_assert_nonnull (list);
  g_assert_cmpstr (field_text (list, "targets_row"), ==, "127.0.0.7");
  g_assert_cmpstr (field_text (list, "ports_row"), ==, "9990-9991");

  /* A change in the preferences shows at once. */
  g_settings_set_string (settings, "scan-targets", "127.0.0.8-9");
  g_settings_set_string (settings, "scan-ports", "9995");
  charla_test_spin_for (50);
  g_assert_cmpstr (field_text (list, "targets_row"), ==, "127.0.0.8-9");
  g_assert_cmpstr (field_text (list, "ports_row"), ==, "9995");
}

static void
check_unread_badge (CharlaApplication *app,
                    CharlaWindow      *window)
{
  CharlaNode *node = charla_application_get_node (app);
  AdwViewStackPage *chat_page = ADW_VIEW_STACK_PAGE (
    gtk_widget_get_template_child (GTK_WIDGET (window), CHARLA_TYPE_WINDOW, "chat_page"));
  CharlaNode *beto = charla_test_start_node_bound ("Beto", "127.0.0.1");
  g_autoptr(CharlaPeer) peer = NULL;
  g_autoptr(GError) error = NULL;
  gpointer one[] = { chat_page, GUINT_TO_POINTER (1) };
  gpointer none[] = { chat_page, GUINT_TO_POINTER (0) };

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "servers");
  peer = charla_test_connect_node (beto, "127.0.0.1", charla_node_get_port (node), &error);
  g_assert_no_error (error);
  charla_test_wait_until (has_peers, node);

  charla_node_send (beto, "hola");
  charla_test_wait_until (badge_is, one);
  g_assert_cmpuint (charla_notifier_get_unread_count (charla_application_get_notifier (app)), ==, 1);

  /* Seeing the chat reads it. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "chat");
  gtk_window_present (GTK_WINDOW (window));
  charla_test_wait_until (window_is_active, window);
  charla_test_wait_until (badge_is, none);

  g_clear_object (&peer);
  charla_test_finalize_node (&beto);
}

/* No notification server on this test's bus (Xvfb, no shell): a message
 * while the window is not focused is counted, and nothing is sent that
 * would make GLib warn (warnings are fatal here). */
static void
check_no_notification_server (CharlaApplication *app,
                              CharlaWindow      *window)
{
  CharlaNode *node = charla_application_get_node (app);
  CharlaNotifier *notifier = charla_application_get_notifier (app);
  CharlaNode *beto = charla_test_start_node_bound ("Beto", "127.0.0.1");
  GtkWindow *other = GTK_WINDOW (gtk_window_new ());
  g_autoptr(CharlaPeer) peer = NULL;
  g_autoptr(GError) error = NULL;
  guint unread = charla_notifier_get_unread_count (notifier);

  gtk_window_present (other);
  charla_test_wait_until (window_is_active, other);
  g_assert_false (charla_notifier_get_can_notify (notifier));

  peer = charla_test_connect_node (beto, "127.0.0.1", charla_node_get_port (node), &error);
  g_assert_no_error (error);
  charla_test_wait_until (has_peers, node);
  charla_node_send (beto, "¿hay alguien?");
  while (charla_notifier_get_unread_count (notifier) == unread)
    g_main_context_iteration (NULL, TRUE);
  /* Time for a failed call's reply, and its warning, to come back. */
  charla_test_spin_for (300);
  g_assert_false (charla_notifier_get_can_notify (notifier));

  gtk_window_destroy (other);
  g_clear_object (&peer);
  charla_test_finalize_node (&beto);
}

static CharlaConnectDialog *
find_connect_dialog (void)
{
  return (CharlaConnectDialog *) ui_test_find_toplevel (CHARLA_TYPE_CONNECT_DIALOG);
}

static gboolean
has_connect_dialog (gpointer data)
{
  return find_connect_dialog () != NULL;
}

static void
check_recent_connections (CharlaWindow *window,
                          GSettings    *settings)
{
  const char * const recent[] = { "127.0.0.9:9990", "[::1]:9991", NULL };
  g_auto(GStrv) left = NULL;
  CharlaConnectDialog *dialog;
  GtkListBox *list;
  GtkListBoxRow *row;
  GtkButton *forget;

  g_settings_set_strv (settings, "recent-connections", recent);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.connect-dialog", NULL);
  charla_test_wait_until (has_connect_dialog, NULL);
  dialog = find_connect_dialog ();

  list = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (dialog), CHARLA_TYPE_CONNECT_DIALOG,
                                                      "recent_list"));
  row = gtk_list_box_get_row_at_index (list, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "127.0.0.9:9990");
  g_assert_nonnull (gtk_list_box_get_row_at_index (list, 1));

  /* Forgotten: out of the settings and of the dialog. */
  forget = GTK_BUTTON (find_widget (GTK_WIDGET (row), GTK_TYPE_BUTTON));
  g_assert_nonnull (forget);
  g_signal_emit_by_name (forget, "clicked");
  left = g_settings_get_strv (settings, "recent-connections");
  g_assert_cmpstrv (left, ((const char * const[]) { "[::1]:9991", NULL }));
  row = gtk_list_box_get_row_at_index (list, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "[::1]:9991");
  g_assert_null (gtk_list_box_get_row_at_index (list, 1));

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static CharlaPreferencesWindow *
find_preferences (void)
{
  return (CharlaPreferencesWindow *) ui_test_find_toplevel (CHARLA_TYPE_PREFERENCES_WINDOW);
}

/* Started with --name Ana: a second node beside the user's own Charla,
 * which shares the settings. */
static void
check_own_name (CharlaApplication *app,
                CharlaWindow      *window,
                GSettings         *settings)
{
  CharlaNode *node = charla_application_get_node (app);
  CharlaPreferencesWindow *preferences;
  AdwPreferencesGroup *name_group;
  g_autofree char *saved = NULL;

  /* The other Charla renamed itself (or the preferences did). */
  g_settings_set_string (settings, "display-name", "Zoe");
  charla_test_spin_for (50);
  g_assert_cmpstr (charla_node_get_name (node), ==, "Ana");

  /* This one renames itself: the other keeps its name. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.rename", "s", "Anita");
  g_assert_cmpstr (charla_node_get_name (node), ==, "Anita");
  charla_test_spin_for (50);
  saved = g_settings_get_string (settings, "display-name");
  g_assert_cmpstr (saved, ==, "Zoe");

  g_settings_reset (settings, "display-name");

  /* The preferences do not promise to rename this node. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  preferences = find_preferences ();
  g_assert_nonnull (preferences);
  name_group = ADW_PREFERENCES_GROUP (gtk_widget_get_template_child (GTK_WIDGET (preferences),
                                                                     CHARLA_TYPE_PREFERENCES_WINDOW,
                                                                     "name_group"));
  g_assert_nonnull (strstr (adw_preferences_group_get_description (name_group),
                            "started with --name “Ana”"));
  gtk_window_destroy (GTK_WINDOW (preferences));
}

static void
on_activate (CharlaApplication *app,
             gpointer           user_data)
{
  gboolean *ran = user_data;
  GSettings *settings = charla_application_get_settings (app);
  CharlaWindow *window = CHARLA_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  int width, height;

  g_assert_nonnull (settings);
  g_assert_nonnull (window);

  /* Back at the size it had. */
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 600);
  g_assert_cmpint (height, ==, 500);

  /* The notifications switch of the preferences reaches the notifier. */
  g_assert_true (charla_notifier_get_enabled (charla_application_get_notifier (app)));
  g_settings_set_boolean (settings, "notifications", FALSE);
  g_assert_false (charla_notifier_get_enabled (charla_application_get_notifier (app)));
  g_settings_set_boolean (settings, "notifications", TRUE);
  /* The window is the notifier's conversation. */
  g_assert_true (charla_notifier_get_window (charla_application_get_notifier (app)) == GTK_WINDOW (window));

  check_search_fields (window, settings);
  check_unread_badge (app, window);
  check_no_notification_server (app, window);
  check_recent_connections (window, settings);
  check_own_name (app, window, settings);

  *ran = TRUE;
  g_application_quit (G_APPLICATION (app));
}

static void
test_app_with_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(CharlaApplication) app = charla_application_new ();
  char *argv[] = { "charla", "--name", "Ana", "--bind", "127.0.0.1", "--port", "0", NULL };
  gboolean ran = FALSE;

  /* The memory backend is the process's: the app reads these. */
  g_settings_set_int (settings, "window-width", 600);
  g_settings_set_int (settings, "window-height", 500);
  g_settings_set_string (settings, "scan-targets", "127.0.0.7");
  g_settings_set_string (settings, "scan-ports", "9990-9991");

  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), &ran);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), G_N_ELEMENTS (argv) - 1, argv), ==, 0);
  g_assert_true (ran);
}

/* Without --name the node is the user's: it follows display-name and a
 * rename is kept there (--bind only keeps this test on loopback). */
static void
on_activate_follows (CharlaApplication *app,
                     gpointer           user_data)
{
  gboolean *ran = user_data;
  GSettings *settings = charla_application_get_settings (app);
  CharlaNode *node = charla_application_get_node (app);
  CharlaWindow *window = CHARLA_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_autofree char *saved = NULL;

  g_assert_cmpstr (charla_node_get_name (node), ==, "Berta");

  g_settings_set_string (settings, "display-name", "Zoe");
  charla_test_spin_for (50);
  g_assert_cmpstr (charla_node_get_name (node), ==, "Zoe");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.rename", "s", "Zoila");
  charla_test_spin_for (50);
  saved = g_settings_get_string (settings, "display-name");
  g_assert_cmpstr (saved, ==, "Zoila");

  g_settings_reset (settings, "display-name");
  *ran = TRUE;
  g_application_quit (G_APPLICATION (app));
}

static void
test_app_follows_display_name (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(CharlaApplication) app = charla_application_new ();
  char *argv[] = { "charla", "--bind", "127.0.0.1", "--port", "0", NULL };
  gboolean ran = FALSE;

  g_settings_set_string (settings, "display-name", "Berta");
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate_follows), &ran);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), G_N_ELEMENTS (argv) - 1, argv), ==, 0);
  g_assert_true (ran);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charla/desktop/app-with-settings", test_app_with_settings);
  g_test_add_func ("/charla/desktop/app-follows-display-name", test_app_follows_display_name);

  return g_test_run ();
}
