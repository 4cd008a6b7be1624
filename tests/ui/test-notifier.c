/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CharlaNotifier: a message or a new peer while the window is not focused
 * raises a GNotification (seen here by a fake org.gtk.Notifications
 * server on the test's own session bus), none while it is focused or when
 * the setting is off; the unread count lasts until the conversation is
 * seen; activating a notification presents the window at the chat. */
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <adwaita.h>

#include "charla.h"
#include "charla-notifier.h"
#include "charla-test-support.h"

#define APP_ID "io.github.charla.Charla"

static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.gtk.Notifications'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

/* What the shell was asked: "add ID|TITLE|BODY|ACTION" or "remove ID". */
static GPtrArray *shell_calls;

/* One registered application for the whole program, as in the app: a
 * registered GApplication keeps itself alive until the process ends. */
static GtkApplication *application;

/* The fake shell's connection. */
static GDBusConnection *shell;

static void
on_notifications_call (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *path,
                       const char            *interface,
                       const char            *method,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  if (g_str_equal (method, "AddNotification"))
    {
      g_autoptr(GVariant) notification = NULL;
      const char *app_id, *id;
      const char *title = "", *body = "", *action = "";

      g_variant_get (parameters, "(&s&s@a{sv})", &app_id, &id, &notification);
      g_variant_lookup (notification, "title", "&s", &title);
      g_variant_lookup (notification, "body", "&s", &body);
      g_variant_lookup (notification, "default-action", "&s", &action);
      g_assert_cmpstr (app_id, ==, APP_ID);
      g_ptr_array_add (shell_calls, g_strdup_printf ("add %s|%s|%s|%s", id, title, body, action));
    }
  else
    {
      const char *app_id, *id;

      g_variant_get (parameters, "(&s&s)", &app_id, &id);
      g_ptr_array_add (shell_calls, g_strdup_printf ("remove %s", id));
    }

  g_dbus_method_invocation_return_value (invocation, NULL);
}

/* Plays the shell's notification daemon on a connection of its own. */
static GDBusConnection *
start_fake_shell (void)
{
  static const GDBusInterfaceVTable vtable = { on_notifications_call, NULL, NULL, { 0 } };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  GDBusConnection *connection;
  g_autoptr(GVariant) reply = NULL;

  g_assert_no_error (error);
  connection = g_dbus_connection_new_for_address_sync (address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (connection, "/org/gtk/Notifications",
                                     info->interfaces[0], &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.gtk.Notifications", 0),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  return connection;
}

typedef struct
{
  GtkApplication   *application;  /* borrowed */
  GSettingsBackend *backend;
  GSettings        *settings;
  CharlaNode       *ana;          /* the app's node */
  CharlaNode       *beto;         /* a peer */
  CharlaNotifier   *notifier;
  GtkWindow        *window;       /* the conversation */
  GtkWindow        *other;        /* another window, to take the focus */
  char             *shown_page;   /* what win.show-page was asked */
} Fixture;

static void
show_page_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  Fixture *fixture = user_data;

  g_free (fixture->shown_page);
  fixture->shown_page = g_variant_dup_string (parameter, NULL);
}

static gboolean
window_is_active (gpointer data)
{
  return gtk_window_is_active (data);
}

static void
focus (GtkWindow *window)
{
  gtk_window_present (window);
  charla_test_wait_until (window_is_active, window);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GSimpleAction) show_page = g_simple_action_new ("show-page", G_VARIANT_TYPE_STRING);

  g_ptr_array_set_size (shell_calls, 0);
  fixture->application = application;

  fixture->backend = g_memory_settings_backend_new ();
  fixture->settings = g_settings_new_with_backend (APP_ID, fixture->backend);
  fixture->ana = charla_test_start_node_bound ("Ana", "127.0.0.1");
  fixture->beto = charla_test_start_node_bound ("Beto", "127.0.0.1");
  fixture->notifier = charla_notifier_new (fixture->application, fixture->ana);
  /* As the application binds it. */
  g_settings_bind (fixture->settings, "notifications", fixture->notifier, "enabled", G_SETTINGS_BIND_GET);

  fixture->window = g_object_ref (GTK_WINDOW (gtk_application_window_new (fixture->application)));
  g_signal_connect (show_page, "activate", G_CALLBACK (show_page_action), fixture);
  g_action_map_add_action (G_ACTION_MAP (fixture->window), G_ACTION (show_page));
  fixture->other = g_object_ref (GTK_WINDOW (gtk_window_new ()));
  charla_notifier_set_window (fixture->notifier, fixture->window);
  focus (fixture->window);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->other);
  gtk_window_destroy (fixture->window);
  g_assert_finalize_object (fixture->other);
  g_assert_finalize_object (fixture->window);
  g_assert_finalize_object (fixture->notifier);
  charla_test_finalize_node (&fixture->beto);
  charla_test_finalize_node (&fixture->ana);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (fixture->settings);
  g_assert_finalize_object (fixture->backend);
  g_clear_pointer (&fixture->shown_page, g_free);
}

static gboolean
n_shell_calls_is (gpointer data)
{
  return shell_calls->len == GPOINTER_TO_UINT (data);
}

static gboolean
unread_count_is (gpointer data)
{
  Fixture *fixture = ((gpointer *) data)[0];

  return charla_notifier_get_unread_count (fixture->notifier) == GPOINTER_TO_UINT (((gpointer *) data)[1]);
}

static void
wait_for_unread (Fixture *fixture,
                 guint    count)
{
  gpointer args[] = { fixture, GUINT_TO_POINTER (count) };

  charla_test_wait_until (unread_count_is, args);
}

static void
connect_beto (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaPeer) peer = charla_test_connect_node (fixture->beto, "127.0.0.1",
                                                         charla_node_get_port (fixture->ana), &error);

  g_assert_no_error (error);
  charla_test_wait_until ((CharlaTestCondition) g_list_model_get_n_items,
                          charla_node_get_peers (fixture->ana));
}

/* Lets any D-Bus call in flight reach the fake shell. */
static void
settle (void)
{
  charla_test_spin_for (200);
}

static void
test_unfocused_message (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  connect_beto (fixture);
  focus (fixture->other);
  settle ();
  g_ptr_array_set_size (shell_calls, 0);

  charla_node_send (fixture->beto, "hola Ana");
  charla_test_wait_until (n_shell_calls_is, GUINT_TO_POINTER (1));
  g_assert_cmpstr (g_ptr_array_index (shell_calls, 0), ==, "add message|Beto|hola Ana|app.show-conversation");
  g_assert_cmpuint (charla_notifier_get_unread_count (fixture->notifier), ==, 1);

  charla_node_send (fixture->beto, "¿estás?");
  charla_test_wait_until (n_shell_calls_is, GUINT_TO_POINTER (2));
  g_assert_cmpstr (g_ptr_array_index (shell_calls, 1), ==,
                   "add message|2 new messages|Beto: ¿estás?|app.show-conversation");
  g_assert_cmpuint (charla_notifier_get_unread_count (fixture->notifier), ==, 2);

  /* Back in the window but on another page: still unread. */
  focus (fixture->window);
  g_assert_cmpuint (charla_notifier_get_unread_count (fixture->notifier), ==, 2);

  /* Seeing the conversation reads it and withdraws the notifications. */
  charla_notifier_set_conversation_visible (fixture->notifier, TRUE);
  g_assert_cmpuint (charla_notifier_get_unread_count (fixture->notifier), ==, 0);
  charla_test_wait_until (n_shell_calls_is, GUINT_TO_POINTER (4));
  g_assert_cmpstr (g_ptr_array_index (shell_calls, 2), ==, "remove message");
  g_assert_cmpstr (g_ptr_array_index (shell_calls, 3), ==, "remove peer-joined");
}

static void
test_focused_no_notification (Fixture       *fixture,
                              gconstpointer  data)
{
  connect_beto (fixture);
  settle ();
  g_ptr_array_set_size (shell_calls, 0);

  /* Focused, on another page: counted, not notified. */
  charla_node_send (fixture->beto, "uno");
  wait_for_unread (fixture, 1);

  /* Focused, at the conversation: neither. */
  charla_notifier_set_conversation_visible (fixture->notifier, TRUE);
  g_assert_cmpuint (charla_notifier_get_unread_count (fixture->notifier), ==, 0);
  charla_node_send (fixture->beto, "dos");
  charla_test_wait_until ((CharlaTestCondition) g_list_model_get_n_items,
                          charla_node_get_messages (fixture->ana));
  settle ();
  g_assert_cmpuint (charla_notifier_get_unread_count (fixture->notifier), ==, 0);

  for (guint i = 0; i < shell_calls->len; i++)
    g_assert_false (g_str_has_prefix (g_ptr_array_index (shell_calls, i), "add "));
}

static void
test_disabled (Fixture       *fixture,
               gconstpointer  data)
{
  g_settings_set_boolean (fixture->settings, "notifications", FALSE);
  focus (fixture->other);
  connect_beto (fixture);
  charla_node_send (fixture->beto, "hola");
  wait_for_unread (fixture, 1);
  settle ();

  for (guint i = 0; i < shell_calls->len; i++)
    g_assert_false (g_str_has_prefix (g_ptr_array_index (shell_calls, i), "add "));
}

static void
test_peer_joined (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *expected_prefix = NULL;
  CharlaNode *carla = charla_test_start_node_bound ("Carla", "127.0.0.1");
  g_autoptr(CharlaPeer) peer = NULL;
  g_autoptr(GError) error = NULL;

  focus (fixture->other);
  settle ();
  g_ptr_array_set_size (shell_calls, 0);

  connect_beto (fixture);
  charla_test_wait_until (n_shell_calls_is, GUINT_TO_POINTER (1));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (shell_calls, 0),
                                   "add peer-joined|Beto joined the chat|127.0.0.1:"));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (shell_calls, 0), "|app.show-conversation"));

  peer = charla_test_connect_node (carla, "127.0.0.1", charla_node_get_port (fixture->ana), &error);
  g_assert_no_error (error);
  charla_test_wait_until (n_shell_calls_is, GUINT_TO_POINTER (2));
  g_assert_cmpstr (g_ptr_array_index (shell_calls, 1), ==,
                   "add peer-joined|2 people joined the chat|Beto, Carla|app.show-conversation");

  /* A new peer is not a message. */
  g_assert_cmpuint (charla_notifier_get_unread_count (fixture->notifier), ==, 0);

  g_clear_object (&peer);
  charla_test_finalize_node (&carla);
}

static gboolean
can_notify_is (gpointer data)
{
  Fixture *fixture = ((gpointer *) data)[0];

  return charla_notifier_get_can_notify (fixture->notifier) == GPOINTER_TO_INT (((gpointer *) data)[1]);
}

static void
shell_call_name (const char *method)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *parameters = g_str_equal (method, "RequestName")
                         ? g_variant_new ("(su)", "org.gtk.Notifications", 0)
                         : g_variant_new ("(s)", "org.gtk.Notifications");

  reply = g_dbus_connection_call_sync (shell, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", method, parameters,
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

/* The shell's notification server goes away: nothing is sent until it
 * is back (GLib would warn about every failed call otherwise). */
static void
test_server_vanishes (Fixture       *fixture,
                      gconstpointer  data)
{
  gpointer off[] = { fixture, GINT_TO_POINTER (FALSE) };
  gpointer on[] = { fixture, GINT_TO_POINTER (TRUE) };

  charla_test_wait_until (can_notify_is, on);
  connect_beto (fixture);
  focus (fixture->other);
  settle ();
  g_ptr_array_set_size (shell_calls, 0);

  shell_call_name ("ReleaseName");
  charla_test_wait_until (can_notify_is, off);
  charla_node_send (fixture->beto, "¿hay alguien?");
  wait_for_unread (fixture, 1);
  settle ();
  for (guint i = 0; i < shell_calls->len; i++)
    g_assert_false (g_str_has_prefix (g_ptr_array_index (shell_calls, i), "add "));

  /* Back: the next message is told. */
  shell_call_name ("RequestName");
  charla_test_wait_until (can_notify_is, on);
  charla_node_send (fixture->beto, "ya estás");
  charla_test_wait_until (n_shell_calls_is, GUINT_TO_POINTER (1));
  g_assert_cmpstr (g_ptr_array_index (shell_calls, 0), ==,
                   "add message|2 new messages|Beto: ya estás|app.show-conversation");
}

static void
test_activation_shows_conversation (Fixture       *fixture,
                                    gconstpointer  data)
{
  focus (fixture->other);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->application), "show-conversation", NULL);
  charla_test_wait_until (window_is_active, fixture->window);
  g_assert_cmpstr (fixture->shown_page, ==, "chat");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* The daemon GNOME Shell implements; the portal only in a sandbox. */
  g_setenv ("GNOTIFICATION_BACKEND", "gtk", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  shell_calls = g_ptr_array_new_with_free_func (g_free);
  shell = start_fake_shell ();
  application = gtk_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/charla/notifier/unfocused-message", test_unfocused_message);
  ADD ("/charla/notifier/focused-no-notification", test_focused_no_notification);
  ADD ("/charla/notifier/disabled", test_disabled);
  ADD ("/charla/notifier/peer-joined", test_peer_joined);
  ADD ("/charla/notifier/activation-shows-conversation", test_activation_shows_conversation);
  ADD ("/charla/notifier/server-vanishes", test_server_vanishes);

  status = g_test_run ();

  g_object_unref (application);
  g_dbus_connection_close_sync (shell, NULL, NULL);
  g_clear_object (&shell);
  g_ptr_array_unref (shell_calls);

  return status;
}
