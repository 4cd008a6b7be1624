/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>
#include <sys/socket.h>

#include "charla-test-support.h"

/* Every chat command carried out through charla_node_run_command_async(),
 * the one entry both faces use, with no face involved: each outcome must
 * be exactly one message (kind + event) in the node's history, and the
 * node's state and signals must follow. Also the node-owned operations
 * behind the commands: scanning and shutting down. */

/* Runs @line through the parser and the node; waits for the result. */
static gboolean
run_line (CharlaNode  *node,
          const char  *line,
          GError     **error)
{
  g_autoptr(CharlaCommand) command = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  command = charla_command_parse (line, error);
  if (command == NULL)
    return FALSE;

  charla_node_run_command_async (node, command, NULL, charla_test_store_result, &result);
  CHARLA_TEST_WAIT_UNTIL (result != NULL);

  return charla_node_run_command_finish (node, result, error);
}

/* The messages a node posted from @start on. */
static guint
count_events (CharlaNode         *node,
              guint               start,
              CharlaMessageEvent  event)
{
  GListModel *messages = charla_node_get_messages (node);
  guint count = 0;

  for (guint i = start; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(CharlaMessage) message = g_list_model_get_item (messages, i);

      if (charla_message_get_event (message) == event &&
          charla_message_get_kind (message) != CHARLA_MESSAGE_INCOMING &&
          charla_message_get_kind (message) != CHARLA_MESSAGE_OUTGOING)
        count++;
    }

  return count;
}

static guint
n_messages (CharlaNode *node)
{
  return g_list_model_get_n_items (charla_node_get_messages (node));
}

/* The last message, borrowed. */
static CharlaMessage *
last_message (CharlaNode *node)
{
  g_autoptr(CharlaMessage) message = NULL;

  g_assert_cmpuint (n_messages (node), >, 0);
  message = g_list_model_get_item (charla_node_get_messages (node), n_messages (node) - 1);
  return message;
}

static gboolean
has_incoming (CharlaNode *node,
              const char *text)
{
  GListModel *messages = charla_node_get_messages (node);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(CharlaMessage) message = g_list_model_get_item (messages, i);

      if (charla_message_get_kind (message) == CHARLA_MESSAGE_INCOMING &&
          g_str_equal (charla_message_get_text (message), text))
        return TRUE;
    }

  return FALSE;
}

/* A loopback port where nothing listens. */
static guint16
closed_port (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  return charla_test_closed_port (loopback);
}

/* Counts a node's peer signals. */
typedef struct
{
  guint  joined;
  guint  left;
  guint  renamed;
  char  *old_name;
} PeerSignals;

static void
on_peer_joined (CharlaNode  *node,
                CharlaPeer  *peer,
                PeerSignals *signals)
{
  g_assert_true (CHARLA_IS_PEER (peer));
  signals->joined++;
}

static void
on_peer_left (CharlaNode  *node,
              CharlaPeer  *peer,
              PeerSignals *signals)
{
  signals->left++;
}

static void
on_peer_renamed (CharlaNode  *node,
                 CharlaPeer  *peer,
                 const char  *old_name,
                 PeerSignals *signals)
{
  signals->renamed++;
  g_free (signals->old_name);
  signals->old_name = g_strdup (old_name);
}

static void
watch_peer_signals (CharlaNode  *node,
                    PeerSignals *signals)
{
  g_signal_connect (node, "peer-joined", G_CALLBACK (on_peer_joined), signals);
  g_signal_connect (node, "peer-left", G_CALLBACK (on_peer_left), signals);
  g_signal_connect (node, "peer-renamed", G_CALLBACK (on_peer_renamed), signals);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *count)
{
  (*count)++;
}

/* Plain text, and text with nobody to read it. */
static void
test_send (void)
{
  g_autoptr(CharlaNode) ana = charla_test_start_node ("Ana");
  g_autoptr(CharlaNode) beto = charla_test_start_node ("Beto");
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  guint mark = n_messages (ana);
  CharlaMessage *message;

  g_assert_false (run_line (ana, "nadie escucha", &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_NOT_CONNECTED);
  g_clear_error (&error);
  g_assert_cmpuint (n_messages (ana), ==, mark + 1);
  g_assert_cmpuint (count_events (ana, mark, CHARLA_MESSAGE_EVENT_NOT_SENT), ==, 1);
  g_assert_cmpint (charla_message_get_kind (last_message (ana)), ==, CHARLA_MESSAGE_ERROR);

  line = g_strdup_printf ("--ch 127.0.0.1:%u", charla_node_get_port (beto));
  g_assert_true (run_line (ana, line, &error));
  g_assert_no_error (error);

  mark = n_messages (ana);
  g_assert_true (run_line (ana, "  hola Beto  ", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_messages (ana), ==, mark + 1);
  message = last_message (ana);
  g_assert_cmpint (charla_message_get_kind (message), ==, CHARLA_MESSAGE_OUTGOING);
  g_assert_cmpint (charla_message_get_event (message), ==, CHARLA_MESSAGE_EVENT_NONE);
  g_assert_cmpuint (charla_message_get_recipients (message), ==, 1);
  g_assert_cmpstr (charla_message_get_sender (message), ==, "Ana");
  CHARLA_TEST_WAIT_UNTIL (has_incoming (beto, "  hola Beto  "));

  /* Blank lines are nothing at all. */
  mark = n_messages (ana);
  g_assert_true (run_line (ana, "   ", &error));
  g_assert_cmpuint (n_messages (ana), ==, mark);
}

/* Every --ch form, and each way a connect fails: one message each. */
static void
test_connect (void)
{
  g_autoptr(CharlaNode) ana = charla_test_start_node ("Ana");
  g_autoptr(CharlaNode) beto = charla_test_start_node_bound ("Beto", "127.0.0.1");
  g_autoptr(CharlaNode) carla = charla_test_start_node_bound ("Carla", "127.0.0.1");
  g_autoptr(GError) error = NULL;
  g_autofree char *colon = g_strdup_printf ("--ch 127.0.0.1:%u", charla_node_get_port (beto));
  g_autofree char *apart = g_strdup_printf ("--CH   127.0.0.1  %u", charla_node_get_port (carla));
  g_autofree char *refused = g_strdup_printf ("--ch 127.0.0.1:%u", closed_port ());
  g_autofree char *self = g_strdup_printf ("--ch 127.0.0.1 %u", charla_node_get_port (ana));
  PeerSignals signals = { 0 };
  guint mark;
  CharlaMessage *message;

  watch_peer_signals (ana, &signals);

  mark = n_messages (ana);
  g_assert_true (run_line (ana, colon, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (charla_test_n_peers (ana), ==, 1);
  g_assert_cmpuint (signals.joined, ==, 1);
  g_assert_cmpuint (n_messages (ana), ==, mark + 1);
  message = last_message (ana);
  g_assert_cmpint (charla_message_get_kind (message), ==, CHARLA_MESSAGE_NOTICE);
  g_assert_cmpint (charla_message_get_event (message), ==, CHARLA_MESSAGE_EVENT_PEER_JOINED);
  g_assert_nonnull (charla_message_get_peer (message));
  g_assert_cmpstr (charla_message_get_sender (message), ==, "Beto");
  g_assert_cmpstr (charla_peer_get_name (charla_message_get_peer (message)), ==, "Beto");
  g_assert_cmpint (charla_peer_get_direction (charla_message_get_peer (message)), ==, CHARLA_PEER_OUTGOING);
  CHARLA_TEST_WAIT_UNTIL (count_events (beto, 0, CHARLA_MESSAGE_EVENT_PEER_JOINED) == 1);

  mark = n_messages (ana);
  g_assert_true (run_line (ana, apart, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (charla_test_n_peers (ana), ==, 2);
  g_assert_cmpuint (signals.joined, ==, 2);
  g_assert_cmpuint (count_events (ana, mark, CHARLA_MESSAGE_EVENT_PEER_JOINED), ==, 1);
  g_assert_cmpuint (n_messages (ana), ==, mark + 1);

  /* Refused: one error message, the GTask error only for the flow. */
  mark = n_messages (ana);
  g_assert_false (run_line (ana, refused, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_clear_error (&error);
  g_assert_cmpuint (n_messages (ana), ==, mark + 1);
  message = last_message (ana);
  g_assert_cmpint (charla_message_get_kind (message), ==, CHARLA_MESSAGE_ERROR);
  g_assert_cmpint (charla_message_get_event (message), ==, CHARLA_MESSAGE_EVENT_CONNECT_FAILED);

  /* This node itself has an error code of its own. */
  mark = n_messages (ana);
  g_assert_false (run_line (ana, self, &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_SELF_CONNECT);
  g_clear_error (&error);
  g_assert_cmpuint (count_events (ana, mark, CHARLA_MESSAGE_EVENT_CONNECT_FAILED), ==, 1);
  charla_test_spin_for (100);
  g_assert_cmpuint (n_messages (ana), ==, mark + 1);
  g_assert_cmpuint (charla_test_n_peers (ana), ==, 2);
  g_assert_cmpuint (signals.joined, ==, 2);

  /* A port out of range never reaches the node: the parser says so. */
  g_assert_false (run_line (ana, "--ch 127.0.0.1:70000", &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT);
  g_clear_error (&error);

  /* Without a host or a port the face must ask first; nothing is posted. */
  mark = n_messages (ana);
  g_assert_false (run_line (ana, "--ch", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (run_line (ana, "--ch 127.0.0.1", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (n_messages (ana), ==, mark);

  g_signal_handlers_disconnect_by_data (ana, &signals);
  g_free (signals.old_name);
}

/* --name, --name NEW, --ex and --help. */
static void
test_names_and_exit (void)
{
  g_autoptr(CharlaNode) ana = charla_test_start_node ("Ana");
  g_autoptr(CharlaNode) beto = charla_test_start_node ("Beto");
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strdup_printf ("--ch 127.0.0.1:%u", charla_node_get_port (beto));
  g_autoptr(CharlaPeer) beto_peer = NULL;
  PeerSignals beto_signals = { 0 };
  PeerSignals ana_signals = { 0 };
  guint peers_changes = 0;
  guint mark;
  CharlaMessage *message;

  g_assert_true (run_line (ana, line, &error));
  g_assert_no_error (error);
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (beto) == 1);
  watch_peer_signals (ana, &ana_signals);
  watch_peer_signals (beto, &beto_signals);
  g_signal_connect (charla_node_get_peers (beto), "items-changed", G_CALLBACK (on_items_changed), &peers_changes);
  beto_peer = g_list_model_get_item (charla_node_get_peers (ana), 0);

  /* --name lists the peers. */
  mark = n_messages (ana);
  g_assert_true (run_line (ana, "--NAME", &error));
  g_assert_cmpuint (n_messages (ana), ==, mark + 1);
  message = last_message (ana);
  g_assert_cmpint (charla_message_get_event (message), ==, CHARLA_MESSAGE_EVENT_PEER_LIST);
  g_assert_nonnull (strstr (charla_message_get_text (message), "Beto (127.0.0.1:"));

  /* --name NEW: confirmed once here, announced once there, and the
   * peer list there changes nothing but the peer's name. */
  mark = n_messages (ana);
  g_assert_true (run_line (ana, "--name   Ana María ", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (charla_node_get_name (ana), ==, "Ana María");
  g_assert_cmpuint (n_messages (ana), ==, mark + 1);
  message = last_message (ana);
  g_assert_cmpint (charla_message_get_event (message), ==, CHARLA_MESSAGE_EVENT_RENAMED);
  g_assert_cmpstr (charla_message_get_text (message), ==, "You are now “Ana María”.");
  CHARLA_TEST_WAIT_UNTIL (beto_signals.renamed == 1);
  g_assert_cmpstr (beto_signals.old_name, ==, "Ana");
  g_assert_cmpuint (count_events (beto, 0, CHARLA_MESSAGE_EVENT_PEER_RENAMED), ==, 1);
  g_assert_cmpuint (peers_changes, ==, 0);

  /* The same name again still gets an answer, and nothing else. */
  mark = n_messages (ana);
  g_assert_true (run_line (ana, "--name Ana María", &error));
  g_assert_cmpuint (n_messages (ana), ==, mark + 1);
  g_assert_cmpint (charla_message_get_event (last_message (ana)), ==, CHARLA_MESSAGE_EVENT_RENAMED);

  /* An unusable name: one error, the name unchanged. */
  mark = n_messages (ana);
  g_assert_false (run_line (ana, "--name \x01\x02", &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_NAME);
  g_clear_error (&error);
  g_assert_cmpuint (n_messages (ana), ==, mark + 1);
  message = last_message (ana);
  g_assert_cmpint (charla_message_get_kind (message), ==, CHARLA_MESSAGE_ERROR);
  g_assert_cmpint (charla_message_get_event (message), ==, CHARLA_MESSAGE_EVENT_RENAME_FAILED);
  g_assert_cmpstr (charla_node_get_name (ana), ==, "Ana María");

  /* --help: the core's help text, once. */
  mark = n_messages (ana);
  g_assert_true (run_line (ana, "--help", &error));
  g_assert_cmpuint (n_messages (ana), ==, mark + 1);
  message = last_message (ana);
  g_assert_cmpint (charla_message_get_event (message), ==, CHARLA_MESSAGE_EVENT_HELP);
  g_assert_cmpstr (charla_message_get_text (message), ==, charla_command_help_text ());

  /* --ex closes everything and says so once; the node keeps listening. */
  mark = n_messages (ana);
  g_assert_true (run_line (ana, "--ex", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (charla_test_n_peers (ana), ==, 0);
  g_assert_cmpuint (ana_signals.left, ==, 1);
  g_assert_cmpuint (count_events (ana, mark, CHARLA_MESSAGE_EVENT_PEER_LEFT), ==, 1);
  g_assert_cmpuint (count_events (ana, mark, CHARLA_MESSAGE_EVENT_DISCONNECTED_ALL), ==, 1);
  g_assert_cmpstr (charla_message_get_text (last_message (ana)), ==, "Closed 1 connection");
  g_assert_true (charla_node_get_running (ana));
  CHARLA_TEST_WAIT_UNTIL (beto_signals.left == 1);
  g_assert_cmpint (charla_peer_get_state (beto_peer), ==, CHARLA_PEER_STATE_CLOSED);

  g_signal_handlers_disconnect_by_data (ana, &ana_signals);
  g_signal_handlers_disconnect_by_data (beto, &beto_signals);
  g_signal_handlers_disconnect_by_data (charla_node_get_peers (beto), &peers_changes);
  g_free (ana_signals.old_name);
  g_free (beto_signals.old_name);
}

/* Reads from @socket until what arrived ends with @suffix. */
static void
raw_read_until (GSocket    *socket,
                GString    *received,
                const char *suffix)
{
  while (!g_str_has_suffix (received->str, suffix))
    {
      char buffer[256];
      gssize n_read = charla_test_raw_receive (socket, buffer, sizeof buffer);

      g_assert_cmpint (n_read, >, 0);
      g_string_append_len (received, buffer, n_read);
    }
}

/* Renamed while an accepted connection is still handshaking: the HELLO
 * already carried the old name, so the new one follows as soon as the
 * connection is established. The client's side is played by hand, step
 * by step as docs/PROTOCOL.md tells, so the rename lands in the gap. */
static void
test_rename_during_handshake (void)
{
  g_autoptr(CharlaNode) beto = charla_test_start_node ("Beto");
  g_autoptr(GSocket) client = charla_test_raw_connect (charla_node_get_port (beto));
  g_autoptr(GString) received = g_string_new (NULL);
  const char *hello = "CHARLA/1 HELLO 0123456789abcdef Cliente\n";

  charla_test_raw_send (client, CHARLA_NAME_QUERY, CHARLA_NAME_QUERY_LEN);
  raw_read_until (client, received, "Beto");
  charla_test_raw_send (client, CHARLA_NAME_QUERY, CHARLA_NAME_QUERY_LEN);
  raw_read_until (client, received, " Beto\n");
  g_assert_nonnull (strstr (received->str, CHARLA_HELLO_PREFIX));

  g_assert_true (charla_node_set_name (beto, "Beto Nuevo", NULL));
  charla_test_raw_send (client, hello, strlen (hello));

  raw_read_until (client, received, "\n" CHARLA_VERB_RENAME "Beto Nuevo\n");
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (beto) == 1);
}

/* --scan with every form of arguments, on ports this test started. */
static void
test_scan (void)
{
  g_autoptr(CharlaNode) ana = charla_test_start_node_bound ("Ana", "127.0.0.1");
  g_autoptr(CharlaNode) beto = charla_test_start_node_bound ("Beto", "127.0.0.1");
  g_autoptr(GError) error = NULL;
  g_autofree char *explicit = g_strdup_printf ("--scan 127.0.0.1, 127.0.0.1 %u", charla_node_get_port (beto));
  g_autofree char *ports_only = g_strdup_printf ("--scan %u", charla_node_get_port (beto));
  CharlaScanner *scanner = charla_node_get_scanner (ana);
  GListModel *servers = charla_scanner_get_servers (scanner);
  g_autoptr(CharlaScanResult) found = NULL;
  guint mark;
  CharlaMessage *message;

  g_assert_true (CHARLA_IS_SCANNER (scanner));
  g_assert_true (scanner == charla_node_get_scanner (ana));
  charla_scanner_set_reply_timeout (scanner, 2000);

  mark = n_messages (ana);
  g_assert_true (run_line (ana, explicit, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_messages (ana), ==, mark + 2);
  g_assert_cmpuint (count_events (ana, mark, CHARLA_MESSAGE_EVENT_SCAN_STARTED), ==, 1);
  message = last_message (ana);
  g_assert_cmpint (charla_message_get_event (message), ==, CHARLA_MESSAGE_EVENT_SCAN_FINISHED);
  g_assert_cmpstr (charla_message_get_text (message), ==, "Scan finished: 1 server found.");
  g_assert_cmpuint (g_list_model_get_n_items (servers), ==, 1);
  found = g_list_model_get_item (servers, 0);
  g_assert_cmpstr (charla_scan_result_get_name (found), ==, "Beto");

  /* Targets left out: this machine's networks, loopback only here. */
  mark = n_messages (ana);
  g_assert_true (run_line (ana, ports_only, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_events (ana, mark, CHARLA_MESSAGE_EVENT_SCAN_FINISHED), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (servers), ==, 1);

  /* Bad ports, a forbidden target: one SCAN_FAILED each, nothing sent. */
  mark = n_messages (ana);
  g_assert_false (run_line (ana, "--scan 127.0.0.1 70000", &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT);
  g_clear_error (&error);
  g_assert_cmpuint (n_messages (ana), ==, mark + 1);
  g_assert_cmpint (charla_message_get_event (last_message (ana)), ==, CHARLA_MESSAGE_EVENT_SCAN_FAILED);

  mark = n_messages (ana);
  g_assert_false (run_line (ana, "--scan 192.0.2.1 9990", &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_NOT_LOOPBACK);
  g_clear_error (&error);
  g_assert_cmpuint (n_messages (ana), ==, mark + 1);
  g_assert_cmpint (charla_message_get_kind (last_message (ana)), ==, CHARLA_MESSAGE_ERROR);
}

/* Peer properties a row binds to. */
static void
test_peer_properties (void)
{
  g_autoptr(CharlaNode) ana = charla_test_start_node ("Ana");
  g_autoptr(CharlaNode) beto = charla_test_start_node ("Beto");
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaPeer) peer = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *expected_endpoint = NULL;
  g_autofree char *node_id = NULL;
  guint64 queued = 1;
  CharlaPeerDialect dialect = CHARLA_PEER_DIALECT_UNKNOWN;
  guint notifies = 0;

  peer = charla_test_connect_node (ana, "127.0.0.1", charla_node_get_port (beto), &error);
  g_assert_no_error (error);
  CHARLA_TEST_WAIT_UNTIL (charla_peer_get_queued_bytes (peer) == 0);

  g_object_get (peer, "endpoint", &endpoint, "node-id", &node_id, "queued-bytes", &queued,
                "dialect", &dialect, NULL);
  expected_endpoint = charla_peer_dup_endpoint (peer);
  g_assert_cmpstr (endpoint, ==, expected_endpoint);
  g_assert_true (g_str_has_prefix (endpoint, "127.0.0.1:"));
  g_assert_nonnull (node_id);
  g_assert_cmpuint (queued, ==, 0);
  g_assert_cmpint (dialect, ==, CHARLA_PEER_DIALECT_CHARLA);
  g_assert_true (G_IS_PARAM_SPEC_ENUM (g_object_class_find_property (G_OBJECT_GET_CLASS (peer), "state")));

  /* A burst queued in one go is one flush: few notifications, and the
   * count ends at zero once the socket has taken it. */
  g_signal_connect (peer, "notify::queued-bytes", G_CALLBACK (on_items_changed), &notifies);
  for (guint i = 0; i < 100; i++)
    charla_node_send (ana, "una ráfaga");
  g_assert_cmpuint (notifies, ==, 0);
  CHARLA_TEST_WAIT_UNTIL (has_incoming (beto, "una ráfaga"));
  CHARLA_TEST_WAIT_UNTIL (charla_peer_get_queued_bytes (peer) == 0);
  g_assert_cmpuint (notifies, <=, 2);
  g_signal_handlers_disconnect_by_data (peer, &notifies);
}

/* Shutting down delivers what is queued. */
static void
test_shutdown_delivers (void)
{
  g_autoptr(CharlaNode) ana = charla_test_start_node ("Ana");
  g_autoptr(CharlaNode) beto = charla_test_start_node ("Beto");
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CharlaPeer) peer = NULL;
  g_autofree char *chunk = g_strnfill (60 * 1024, 'x');

  peer = charla_test_connect_node (ana, "127.0.0.1", charla_node_get_port (beto), &error);
  g_assert_no_error (error);

  /* Several megabytes: more than the socket takes at once. */
  for (guint i = 0; i < 80; i++)
    charla_node_send (ana, chunk);
  charla_node_send (ana, "el último");
  g_assert_cmpuint (charla_peer_get_queued_bytes (peer), >, 0);

  charla_node_shutdown_async (ana, NULL, charla_test_store_result, &result);
  g_assert_false (charla_node_get_running (ana));
  CHARLA_TEST_WAIT_UNTIL (result != NULL);
  g_assert_true (charla_node_shutdown_finish (ana, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_events (ana, 0, CHARLA_MESSAGE_EVENT_UNDELIVERED), ==, 0);
  g_assert_cmpuint (charla_test_n_peers (ana), ==, 0);

  CHARLA_TEST_WAIT_UNTIL (has_incoming (beto, "el último"));
}

/* A peer that never reads: the shutdown is bounded and says what was lost. */
static void
test_shutdown_undelivered (gconstpointer data)
{
  gboolean cancel = GPOINTER_TO_INT (data);
  g_autoptr(CharlaNode) ana = charla_test_start_node ("Ana");
  g_autoptr(GSocket) sleeper = charla_test_raw_connect (charla_node_get_port (ana));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *chunk = g_strnfill (8 * 1024, 'z');
  gint64 start;

  g_socket_set_option (sleeper, SOL_SOCKET, SO_RCVBUF, 4096, NULL);
  /* Says something, so it is a seed client and a chat partner. */
  charla_test_raw_send (sleeper, "hola", 4);
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (ana) == 1);

  for (guint i = 0; i < 200; i++)
    charla_node_send (ana, chunk);

  /* Long enough never to be reached when cancelled. */
  charla_node_set_shutdown_timeout (ana, cancel ? 60000 : 300);
  start = g_get_monotonic_time ();
  charla_node_shutdown_async (ana, cancellable, charla_test_store_result, &result);
  if (cancel)
    {
      charla_test_spin_for (50);
      g_assert_null (result);
      g_cancellable_cancel (cancellable);
    }
  CHARLA_TEST_WAIT_UNTIL (result != NULL);
  g_test_message ("shutdown took %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);

  g_assert_false (charla_node_shutdown_finish (ana, result, &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_UNDELIVERED);
  g_assert_cmpuint (count_events (ana, 0, CHARLA_MESSAGE_EVENT_UNDELIVERED), ==, 1);
  g_assert_cmpuint (charla_test_n_peers (ana), ==, 0);
  g_assert_false (charla_node_get_running (ana));
}

/* With nothing to wait for, a shutdown is immediate; twice is an error. */
static void
test_shutdown_idle (void)
{
  g_autoptr(CharlaNode) ana = charla_test_start_node ("Ana");
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;

  charla_node_shutdown_async (ana, NULL, charla_test_store_result, &first);
  charla_node_shutdown_async (ana, NULL, charla_test_store_result, &second);
  CHARLA_TEST_WAIT_UNTIL (first != NULL && second != NULL);
  g_assert_true (charla_node_shutdown_finish (ana, first, &error));
  g_assert_no_error (error);
  g_assert_false (charla_node_get_running (ana));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charla/node-commands/send", test_send);
  g_test_add_func ("/charla/node-commands/connect", test_connect);
  g_test_add_func ("/charla/node-commands/names-and-exit", test_names_and_exit);
  g_test_add_func ("/charla/node-commands/rename-during-handshake", test_rename_during_handshake);
  g_test_add_func ("/charla/node-commands/scan", test_scan);
  g_test_add_func ("/charla/node-commands/peer-properties", test_peer_properties);
  g_test_add_func ("/charla/node-commands/shutdown/delivers", test_shutdown_delivers);
  g_test_add_data_func ("/charla/node-commands/shutdown/undelivered", GINT_TO_POINTER (FALSE),
                        test_shutdown_undelivered);
  g_test_add_data_func ("/charla/node-commands/shutdown/cancelled", GINT_TO_POINTER (TRUE),
                        test_shutdown_undelivered);
  g_test_add_func ("/charla/node-commands/shutdown/idle", test_shutdown_idle);

  return g_test_run ();
}
