/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window around a node of the test's own, driven through its actions
 * and widgets as a user would: scan, activate a row, type, use the
 * seed's commands, the connection dialog. Servers are CharlaNodes of
 * this process on a loopback address of its own (ui_test_address()). */
#include "config.h"

#include "charla-chat-view.h"
#include "charla-connect-dialog.h"
#include "charla-peer-row.h"
#include "charla-scan-report.h"
#include "charla-server-list.h"
#include "charla-server-row.h"
#include "charla-window.h"
#include "ui-test-util.h"

#define PORT_MIN 9990
#define PORT_MAX 9995
/* Nothing listens here: the test's address is its own. */
#define CLOSED_PORT 9999

typedef struct {
  const char   *address;
  CharlaNode   *node;
  CharlaNode   *ana;
  CharlaNode   *beto;
  CharlaWindow *window;
  CharlaServerList *server_list;
  CharlaChatView *chat_view;
  AdwViewStack *stack;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->address = ui_test_address ();
  fixture->ana = charla_test_start_node_full ("Ana", fixture->address, PORT_MIN, PORT_MAX);
  fixture->beto = charla_test_start_node_full (data != NULL ? data : "Beto", fixture->address, PORT_MIN, PORT_MAX);
  fixture->node = charla_test_start_node_full ("Tester", fixture->address, PORT_MIN, PORT_MAX);

  fixture->window = g_object_ref_sink (charla_window_new (NULL, fixture->node, NULL));
  gtk_window_present (GTK_WINDOW (fixture->window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));

  fixture->server_list = CHARLA_SERVER_LIST (ui_test_find_widget (GTK_WIDGET (fixture->window),
                                                                  CHARLA_TYPE_SERVER_LIST, 0));
  fixture->chat_view = CHARLA_CHAT_VIEW (ui_test_find_widget (GTK_WIDGET (fixture->window),
                                                              CHARLA_TYPE_CHAT_VIEW, 0));
  fixture->stack = ADW_VIEW_STACK (ui_test_find_widget (GTK_WIDGET (fixture->window),
                                                        ADW_TYPE_VIEW_STACK, 0));
  g_assert_nonnull (fixture->server_list);
  g_assert_nonnull (fixture->chat_view);
  g_assert_nonnull (fixture->stack);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  charla_test_spin_for (50);
  g_assert_finalize_object (fixture->window);

  charla_test_finalize_node (&fixture->node);
  charla_test_finalize_node (&fixture->ana);
  charla_test_finalize_node (&fixture->beto);
}

static guint
n_peers (CharlaNode *node)
{
  return g_list_model_get_n_items (charla_node_get_peers (node));
}

static const char *
visible_page (Fixture *fixture)
{
  return adw_view_stack_get_visible_child_name (fixture->stack);
}

static void
scan_test_range (Fixture *fixture)
{
  g_autofree char *ports = g_strdup_printf ("%u-%u", PORT_MIN, PORT_MAX);

  charla_server_list_set_targets (fixture->server_list, fixture->address, ports);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.scan", NULL);
  g_assert_true (charla_server_list_get_scanning (fixture->server_list));
  CHARLA_TEST_WAIT_UNTIL (charla_server_list_get_summary (fixture->server_list) != NULL);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
}

static CharlaServerRow *
find_server_row (Fixture    *fixture,
                 const char *name)
{
  for (guint i = 0; ; i++)
    {
      GtkWidget *row = ui_test_find_widget (GTK_WIDGET (fixture->server_list), CHARLA_TYPE_SERVER_ROW, i);

      if (row == NULL)
        return NULL;
      if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), name) == 0)
        return CHARLA_SERVER_ROW (row);
    }
}

static void
connect_to (Fixture    *fixture,
            CharlaNode *server)
{
  guint before = n_peers (fixture->node);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.connect", "(sq)",
                              fixture->address, charla_node_get_port (server));
  CHARLA_TEST_WAIT_UNTIL (n_peers (fixture->node) == before + 1 && n_peers (server) >= 1);
}

static void
type_line (Fixture    *fixture,
           const char *line)
{
  GtkWidget *entry = charla_chat_view_get_entry (fixture->chat_view);

  gtk_editable_set_text (GTK_EDITABLE (entry), line);
  g_signal_emit_by_name (entry, "activate");
}

static CharlaConnectDialog *
find_connect_dialog (void)
{
  return (CharlaConnectDialog *) ui_test_find_toplevel (CHARLA_TYPE_CONNECT_DIALOG);
}

static void
close_connect_dialog (void)
{
  CharlaConnectDialog *dialog = find_connect_dialog ();

  g_assert_nonnull (dialog);
  gtk_window_destroy (GTK_WINDOW (dialog));
  CHARLA_TEST_WAIT_UNTIL (find_connect_dialog () == NULL);
}

static gboolean
on_silent_incoming (GSocketService     *service,
                    GSocketConnection  *connection,
                    GObject            *source,
                    GPtrArray          *held)
{
  /* Accepted, never answered: the seed's "Anonimo". */
  g_ptr_array_add (held, g_object_ref (connection));
  return TRUE;
}

static gboolean
chat_needs_attention (Fixture *fixture)
{
  GtkWidget *chat = adw_view_stack_get_child_by_name (fixture->stack, "chat");

  return adw_view_stack_page_get_needs_attention (adw_view_stack_get_page (fixture->stack, chat));
}

static void
test_scan_lists_servers (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GSocketService) silent = g_socket_service_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (fixture->address);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, PORT_MAX);
  g_autoptr(GError) error = NULL;
  GListModel *servers;
  CharlaServerRow *row;
  GtkProgressBar *bar;

  g_socket_listener_add_address (G_SOCKET_LISTENER (silent), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (silent, "incoming", G_CALLBACK (on_silent_incoming), held);

  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fixture->server_list)));
  scan_test_range (fixture);

  servers = charla_scanner_get_servers (charla_server_list_get_scanner (fixture->server_list));
  g_assert_cmpuint (g_list_model_get_n_items (servers), ==, 4);

  /* The progress bar follows the scanner's fraction; done/total beside. */
  bar = GTK_PROGRESS_BAR (ui_test_find_widget (GTK_WIDGET (fixture->server_list), GTK_TYPE_PROGRESS_BAR, 0));
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (bar), ==, 1.0);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_widget_get_next_sibling (GTK_WIDGET (bar)))), ==, "6 of 6");
  g_assert_nonnull (find_server_row (fixture, "Anonimo"));

  g_assert_nonnull (find_server_row (fixture, "Ana"));
  g_assert_nonnull (find_server_row (fixture, "Beto"));

  /* This node is listed, and marked as such. */
  row = find_server_row (fixture, "Tester");
  g_assert_nonnull (row);
  g_assert_true (charla_scan_result_get_is_self (charla_server_row_get_result (row)));
  g_assert_nonnull (ui_test_find_label (GTK_WIDGET (row), "This node"));
  g_assert_null (ui_test_find_label (GTK_WIDGET (find_server_row (fixture, "Ana")), "This node"));

  /* A node's answer time beside it; none for this node (never probed)
   * nor for the silent listener (only a timeout). */
  g_assert_nonnull (ui_test_find_label_containing (GTK_WIDGET (find_server_row (fixture, "Ana")), " ms"));
  g_assert_null (ui_test_find_label_containing (GTK_WIDGET (row), " ms"));
  g_assert_null (ui_test_find_label_containing (GTK_WIDGET (find_server_row (fixture, "Anonimo")), " ms"));

  /* Six ports: three nodes, a silent listener, nothing on the other two.
   * The summary is the core's, the same words as the node's message. */
  g_assert_cmpstr (charla_server_list_get_summary (fixture->server_list), ==, "4 servers found · 2 refused");
  g_assert_nonnull (ui_test_find_label (GTK_WIDGET (fixture->server_list), "4 servers found · 2 refused"));
  g_assert_cmpstr (charla_message_get_text (ui_test_last_message (fixture->node)), ==,
                   "Scan finished: 4 servers found · 2 refused.");
  g_assert_true (charla_server_list_get_can_scan (fixture->server_list));
  /* The scan's lines are in the chat too, but it ran here: nothing new
   * to call the user to the Chat page for. */
  g_assert_false (chat_needs_attention (fixture));

  g_socket_service_stop (silent);
  g_socket_listener_close (G_SOCKET_LISTENER (silent));
}

static void
test_scan_input_validated (Fixture       *fixture,
                           gconstpointer  data)
{
  charla_server_list_set_targets (fixture->server_list, "not-an-address!", "9990-9995");
  g_assert_false (charla_server_list_get_can_scan (fixture->server_list));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.scan", NULL);
  g_assert_false (charla_server_list_get_scanning (fixture->server_list));

  charla_server_list_set_targets (fixture->server_list, fixture->address, "10005-9990");
  g_assert_false (charla_server_list_get_can_scan (fixture->server_list));

  charla_server_list_set_targets (fixture->server_list, fixture->address, "70000");
  g_assert_false (charla_server_list_get_can_scan (fixture->server_list));

  charla_server_list_set_targets (fixture->server_list, fixture->address, "9990-9995");
  g_assert_true (charla_server_list_get_can_scan (fixture->server_list));
}

static CharlaScanReport *
find_scan_report (void)
{
  return (CharlaScanReport *) ui_test_find_toplevel (CHARLA_TYPE_SCAN_REPORT);
}

static void
test_scan_report (Fixture       *fixture,
                  gconstpointer  data)
{
  CharlaScanReport *report;
  GtkLabel *label;
  g_autofree char *refused = NULL;

  scan_test_range (fixture);

  /* The summary line opens the report: what was not a server, and why. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.scan-report", NULL);
  CHARLA_TEST_WAIT_UNTIL ((report = find_scan_report ()) != NULL);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (report));
  g_assert_nonnull (ui_test_find_label (GTK_WIDGET (report), "Refused: nothing listens on that port"));
  /* A refusal is an answer: its time is shown. */
  refused = g_strdup_printf ("%s:%u · ", fixture->address, PORT_MAX);
  CHARLA_TEST_WAIT_UNTIL ((label = ui_test_find_label_containing (GTK_WIDGET (report), refused)) != NULL);
  g_assert_true (g_str_has_suffix (gtk_label_get_text (label), " ms"));
  /* Nodes are in the server list, not in the report. */
  g_assert_null (ui_test_find_label_containing (GTK_WIDGET (report), "Ana"));

  gtk_window_destroy (GTK_WINDOW (report));
  CHARLA_TEST_WAIT_UNTIL (find_scan_report () == NULL);
}

static void
test_scan_cancel (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkProgressBar *bar;

  /* Only the test's own address, on many ports, cancelled before the
   * main loop ever runs the scan. */
  charla_server_list_set_targets (fixture->server_list, fixture->address, "1-60000");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.scan", NULL);
  g_assert_true (charla_server_list_get_scanning (fixture->server_list));
  g_assert_false (charla_server_list_get_can_scan (fixture->server_list));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.scan-cancel", NULL);
  CHARLA_TEST_WAIT_UNTIL (!charla_server_list_get_scanning (fixture->server_list));
  g_assert_cmpstr (charla_server_list_get_summary (fixture->server_list), ==, "Search cancelled");
  /* Bound, not computed: where the scanner stopped. */
  bar = GTK_PROGRESS_BAR (ui_test_find_widget (GTK_WIDGET (fixture->server_list), GTK_TYPE_PROGRESS_BAR, 0));
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (bar), ==,
                     charla_scanner_get_fraction (charla_server_list_get_scanner (fixture->server_list)));
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (bar), <, 1.0);
  g_assert_true (charla_server_list_get_can_scan (fixture->server_list));
}

static void
test_row_activation_connects (Fixture       *fixture,
                              gconstpointer  data)
{
  CharlaServerRow *row;

  scan_test_range (fixture);
  row = find_server_row (fixture, "Ana");
  g_assert_nonnull (row);

  /* Double-click and Enter both activate the row. */
  gtk_widget_activate (GTK_WIDGET (row));
  CHARLA_TEST_WAIT_UNTIL (n_peers (fixture->node) == 1 && n_peers (fixture->ana) == 1);
  CHARLA_TEST_WAIT_UNTIL (g_strcmp0 (visible_page (fixture), "chat") == 0);
}

static void
test_text_both_ways (Fixture       *fixture,
                     gconstpointer  data)
{
  connect_to (fixture, fixture->ana);

  type_line (fixture, "hola Ana");
  CHARLA_TEST_WAIT_UNTIL (ui_test_has_message (fixture->ana, CHARLA_MESSAGE_INCOMING, "hola Ana"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (charla_chat_view_get_entry (fixture->chat_view))), ==, "");

  /* Control characters from the network never reach a label. */
  charla_node_send (fixture->ana, "bell\a escape\x1b[31m end");
  CHARLA_TEST_WAIT_UNTIL (ui_test_has_message (fixture->node, CHARLA_MESSAGE_INCOMING, " end"));
  adw_view_stack_set_visible_child_name (fixture->stack, "chat");
  {
    CharlaWrappedText *text;

    CHARLA_TEST_WAIT_UNTIL ((text = ui_test_find_text_containing (GTK_WIDGET (fixture->chat_view), " end")) != NULL);
    for (const char *p = charla_wrapped_text_get_text (text); *p != '\0'; p++)
      g_assert_false ((guchar) *p < 0x20 || *p == 0x7f);
    g_assert_nonnull (strstr (charla_wrapped_text_get_text (text), "bell"));
  }

  /* A message that arrives while another page is shown marks the Chat
   * page until it is seen. */
  adw_view_stack_set_visible_child_name (fixture->stack, "servers");
  g_assert_false (chat_needs_attention (fixture));
  charla_node_send (fixture->ana, "buenas, Tester");
  CHARLA_TEST_WAIT_UNTIL (ui_test_has_message (fixture->node, CHARLA_MESSAGE_INCOMING, "buenas, Tester"));
  g_assert_true (chat_needs_attention (fixture));
  adw_view_stack_set_visible_child_name (fixture->stack, "chat");
  g_assert_false (chat_needs_attention (fixture));
  CHARLA_TEST_WAIT_UNTIL (ui_test_find_text (GTK_WIDGET (fixture->chat_view), "buenas, Tester") != NULL);
  CHARLA_TEST_WAIT_UNTIL (ui_test_find_text (GTK_WIDGET (fixture->chat_view), "hola Ana") != NULL);
}

static void
test_typed_commands (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *target = NULL;
  CharlaMessage *last;

  connect_to (fixture, fixture->ana);

  /* --name NEW and the rename action. */
  type_line (fixture, "--name Roberto");
  g_assert_cmpstr (charla_node_get_name (fixture->node), ==, "Roberto");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.rename", "s", "Carlos");
  g_assert_cmpstr (charla_node_get_name (fixture->node), ==, "Carlos");

  /* --name lists the peers, as the show-names action does. */
  type_line (fixture, "--name");
  last = ui_test_last_message (fixture->node);
  g_assert_cmpint (charla_message_get_kind (last), ==, CHARLA_MESSAGE_NOTICE);
  g_assert_nonnull (strstr (charla_message_get_text (last), "Ana"));

  /* --help lists the commands. */
  type_line (fixture, "--HELP");
  last = ui_test_last_message (fixture->node);
  g_assert_nonnull (strstr (charla_message_get_text (last), "--ch"));
  g_assert_nonnull (strstr (charla_message_get_text (last), "--ex"));

  /* --ex closes every connection, as the button does. */
  type_line (fixture, "--ex");
  CHARLA_TEST_WAIT_UNTIL (n_peers (fixture->node) == 0);

  /* --ch HOST:PORT connects at once. */
  target = g_strdup_printf ("--ch %s:%u", fixture->address, charla_node_get_port (fixture->beto));
  type_line (fixture, target);
  CHARLA_TEST_WAIT_UNTIL (n_peers (fixture->node) == 1 && n_peers (fixture->beto) == 1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.disconnect-all", NULL);
  CHARLA_TEST_WAIT_UNTIL (n_peers (fixture->node) == 0);

  /* --ch alone asks, like the seed's "Ip:" and "Puerto:": the dialog. */
  g_assert_null (find_connect_dialog ());
  type_line (fixture, "--ch");
  CHARLA_TEST_WAIT_UNTIL (find_connect_dialog () != NULL);
  close_connect_dialog ();

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.connect-dialog", NULL);
  CHARLA_TEST_WAIT_UNTIL (find_connect_dialog () != NULL);
  close_connect_dialog ();

  /* --scan TARGETS PORTS searches from the chat. */
  g_free (target);
  target = g_strdup_printf ("--scan %s %u-%u", fixture->address, PORT_MIN, PORT_MAX);
  type_line (fixture, target);
  g_assert_cmpstr (visible_page (fixture), ==, "servers");
  CHARLA_TEST_WAIT_UNTIL (charla_server_list_get_summary (fixture->server_list) != NULL);
  g_assert_cmpstr (charla_server_list_get_summary (fixture->server_list), ==, "3 servers found · 3 refused");
}

static void
test_connect_dialog_errors (Fixture       *fixture,
                            gconstpointer  data)
{
  CharlaConnectDialog *dialog;
  g_autofree char *port = NULL;
  g_autofree char *closed = g_strdup_printf ("%u", CLOSED_PORT);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.connect-dialog", NULL);
  CHARLA_TEST_WAIT_UNTIL (find_connect_dialog () != NULL);
  dialog = find_connect_dialog ();

  /* A host the parser refuses: inline, nothing is tried. */
  charla_connect_dialog_set_target (dialog, "bad host!", "9990");
  g_assert_nonnull (charla_connect_dialog_get_error (dialog));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.connect", NULL);
  g_assert_false (charla_connect_dialog_get_busy (dialog));

  /* A port out of range. */
  charla_connect_dialog_set_target (dialog, fixture->address, "70000");
  g_assert_nonnull (charla_connect_dialog_get_error (dialog));

  /* A refused connection: the node's message, and the dialog stays. */
  charla_connect_dialog_set_target (dialog, fixture->address, closed);
  g_assert_null (charla_connect_dialog_get_error (dialog));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.connect", NULL);
  g_assert_true (charla_connect_dialog_get_busy (dialog));
  CHARLA_TEST_WAIT_UNTIL (!charla_connect_dialog_get_busy (dialog));
  g_assert_nonnull (charla_connect_dialog_get_error (dialog));
  g_assert_true (find_connect_dialog () == dialog);
  g_assert_nonnull (ui_test_find_label (GTK_WIDGET (dialog), charla_connect_dialog_get_error (dialog)));
  g_assert_cmpuint (n_peers (fixture->node), ==, 0);

  /* Corrected, it connects and closes. */
  port = g_strdup_printf ("%u", charla_node_get_port (fixture->ana));
  charla_connect_dialog_set_target (dialog, fixture->address, port);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.connect", NULL);
  CHARLA_TEST_WAIT_UNTIL (n_peers (fixture->node) == 1);
  CHARLA_TEST_WAIT_UNTIL (find_connect_dialog () == NULL);
  g_assert_cmpstr (visible_page (fixture), ==, "chat");
}

static void
test_markup_shows_literally (Fixture       *fixture,
                             gconstpointer  data)
{
  GtkWidget *row;
  GtkLabel *label;

  connect_to (fixture, fixture->beto);

  adw_view_stack_set_visible_child_name (fixture->stack, "peers");
  row = ui_test_find_widget (GTK_WIDGET (fixture->window), CHARLA_TYPE_PEER_ROW, 0);
  g_assert_nonnull (row);
  CHARLA_TEST_WAIT_UNTIL (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "<b>x</b>") == 0);
  CHARLA_TEST_WAIT_UNTIL ((label = ui_test_find_label (row, "<b>x</b>")) != NULL);
  g_assert_false (gtk_label_get_use_markup (label));

  /* The peer disconnects itself from the row's button (one peer). */
  charla_node_send (fixture->beto, "<i>hola</i> & <span>");
  adw_view_stack_set_visible_child_name (fixture->stack, "chat");
  /* Message texts are CharlaWrappedText, which has no markup to parse. */
  CHARLA_TEST_WAIT_UNTIL (ui_test_find_text (GTK_WIDGET (fixture->chat_view), "<i>hola</i> & <span>") != NULL);
  /* The sender, in the message's header. */
  CHARLA_TEST_WAIT_UNTIL (ui_test_find_text_containing (GTK_WIDGET (fixture->chat_view), "<b>x</b>  ") != NULL);

  /* Toasts (libadwaita 1.2 reads their titles as markup) too. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-toast", "s", "Cannot reach <b>x</b> & co");
  CHARLA_TEST_WAIT_UNTIL (ui_test_find_label (GTK_WIDGET (fixture->window), "Cannot reach <b>x</b> & co") != NULL);
}

static void
test_disconnect_one (Fixture       *fixture,
                     gconstpointer  data)
{
  CharlaPeerRow *row;
  CharlaPeer *peer;

  connect_to (fixture, fixture->ana);
  connect_to (fixture, fixture->beto);
  adw_view_stack_set_visible_child_name (fixture->stack, "peers");

  row = CHARLA_PEER_ROW (ui_test_find_widget (GTK_WIDGET (fixture->window), CHARLA_TYPE_PEER_ROW, 0));
  peer = charla_peer_row_get_peer (row);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "win.disconnect-peer", "(sq)",
                                             charla_peer_get_address (peer), charla_peer_get_port (peer)));
  CHARLA_TEST_WAIT_UNTIL (n_peers (fixture->node) == 1);
}

/* Where others reach this node: its address and port, copied by the
 * row's button; nothing to copy while it does not listen. */
static void
test_reachable_address (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *endpoint = g_strdup_printf ("%s:%u", fixture->address, charla_node_get_port (fixture->node));
  g_autofree char *subtitle = g_strdup_printf ("Others reach you at %s", endpoint);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (fixture->window));
  g_auto(GValue) copied = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (ui_test_find_label (GTK_WIDGET (fixture->window), subtitle));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.copy-address", NULL));
  g_value_init (&copied, G_TYPE_STRING);
  g_assert_true (gdk_content_provider_get_value (gdk_clipboard_get_content (clipboard), &copied, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_value_get_string (&copied), ==, endpoint);

  charla_node_stop (fixture->node);
  CHARLA_TEST_WAIT_UNTIL (ui_test_find_label_containing (GTK_WIDGET (fixture->window), "Not listening") != NULL);
  gdk_clipboard_set_text (clipboard, "untouched");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.copy-address", NULL);
  g_value_reset (&copied);
  g_assert_true (gdk_content_provider_get_value (gdk_clipboard_get_content (clipboard), &copied, &error));
  g_assert_cmpstr (g_value_get_string (&copied), ==, "untouched");
}

static const char *
field_text (CharlaServerList *list,
            const char       *name)
{
  GObject *row = gtk_widget_get_template_child (GTK_WIDGET (list), CHARLA_TYPE_SERVER_LIST, name);

  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* `--scan` searches what the help says is the default for what it leaves
 * out (the preferences' hosts and ports here, on this test's address),
 * not whatever the fields held last. */
static void
test_typed_scan_defaults (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.charla.Charla");
  g_autofree char *ports = g_strdup_printf ("%u-%u", PORT_MIN, PORT_MAX);
  g_autofree char *line = g_strdup_printf ("--scan %s", fixture->address);
  CharlaWindow *window;
  CharlaServerList *list;
  GtkEntry *entry;

  g_settings_set_string (settings, "scan-targets", fixture->address);
  g_settings_set_string (settings, "scan-ports", ports);
  window = g_object_ref_sink (charla_window_new (NULL, fixture->node, settings));
  list = CHARLA_SERVER_LIST (ui_test_find_widget (GTK_WIDGET (window), CHARLA_TYPE_SERVER_LIST, 0));
  entry = GTK_ENTRY (charla_chat_view_get_entry (CHARLA_CHAT_VIEW (ui_test_find_widget (GTK_WIDGET (window),
                                                                                        CHARLA_TYPE_CHAT_VIEW,
                                                                                        0))));

  /* The user searched elsewhere by hand. */
  charla_server_list_set_targets (list, "127.0.0.254", "9999");

  gtk_editable_set_text (GTK_EDITABLE (entry), "--scan");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (field_text (list, "targets_row"), ==, fixture->address);
  g_assert_cmpstr (field_text (list, "ports_row"), ==, ports);
  CHARLA_TEST_WAIT_UNTIL (charla_server_list_get_summary (list) != NULL);
  g_assert_cmpstr (charla_server_list_get_summary (list), ==, "3 servers found · 3 refused");

  /* Targets without ports: the default ports. */
  charla_server_list_set_targets (list, NULL, "9999");
  gtk_editable_set_text (GTK_EDITABLE (entry), line);
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (field_text (list, "ports_row"), ==, ports);
  CHARLA_TEST_WAIT_UNTIL (!charla_server_list_get_scanning (list));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_settings_reset (settings, "scan-targets");
  g_settings_reset (settings, "scan-ports");
}

/* A new user's first look: at the default size the empty Servers page
 * shows all of its advice, and at any size the page's own scrolled
 * window is the only one around it, so the page scrolls to what does not
 * fit. (An AdwStatusPage, which scrolls inside itself, was given too
 * little height there and cut its last line off at 720×640.) */
static void
test_first_look_fits (Fixture       *fixture,
                      gconstpointer  data)
{
  GtkWidget *advice = GTK_WIDGET (ui_test_find_label_containing (GTK_WIDGET (fixture->window), "with Ctrl+N"));
  GtkWidget *servers_box = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                                      CHARLA_TYPE_WINDOW, "servers_box"));
  GtkWidget *page = gtk_widget_get_ancestor (servers_box, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (page));
  graphene_rect_t bounds;
  int natural;

  g_assert_nonnull (advice);
  g_assert_true (gtk_widget_get_ancestor (advice, GTK_TYPE_SCROLLED_WINDOW) == page);

  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));

  /* The advice has all the height its text needs, and the page shows
   * all of it without scrolling. */
  gtk_widget_measure (advice, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (advice), NULL, &natural, NULL, NULL);
  g_assert_cmpint (gtk_widget_get_height (advice), >=, natural);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);
  g_assert_true (gtk_widget_compute_bounds (advice, page, &bounds));
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (page));
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add ("/charla/ui/window/scan-lists-servers", Fixture, NULL,
              fixture_set_up, test_scan_lists_servers, fixture_tear_down);
  g_test_add ("/charla/ui/window/scan-input-validated", Fixture, NULL,
              fixture_set_up, test_scan_input_validated, fixture_tear_down);
  g_test_add ("/charla/ui/window/scan-report", Fixture, NULL,
              fixture_set_up, test_scan_report, fixture_tear_down);
  g_test_add ("/charla/ui/window/scan-cancel", Fixture, NULL,
              fixture_set_up, test_scan_cancel, fixture_tear_down);
  g_test_add ("/charla/ui/window/row-activation-connects", Fixture, NULL,
              fixture_set_up, test_row_activation_connects, fixture_tear_down);
  g_test_add ("/charla/ui/window/text-both-ways", Fixture, NULL,
              fixture_set_up, test_text_both_ways, fixture_tear_down);
  g_test_add ("/charla/ui/window/typed-commands", Fixture, NULL,
              fixture_set_up, test_typed_commands, fixture_tear_down);
  g_test_add ("/charla/ui/window/connect-dialog-errors", Fixture, NULL,
              fixture_set_up, test_connect_dialog_errors, fixture_tear_down);
  g_test_add ("/charla/ui/window/markup-shows-literally", Fixture, "<b>x</b>",
              fixture_set_up, test_markup_shows_literally, fixture_tear_down);
  g_test_add ("/charla/ui/window/disconnect-one", Fixture, NULL,
              fixture_set_up, test_disconnect_one, fixture_tear_down);
  g_test_add ("/charla/ui/window/typed-scan-defaults", Fixture, NULL,
              fixture_set_up, test_typed_scan_defaults, fixture_tear_down);
  g_test_add ("/charla/ui/window/first-look-fits", Fixture, NULL,
              fixture_set_up, test_first_look_fits, fixture_tear_down);
  g_test_add ("/charla/ui/window/reachable-address", Fixture, NULL,
              fixture_set_up, test_reachable_address, fixture_tear_down);

  return g_test_run ();
}
