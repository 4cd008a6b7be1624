/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>
#include <sys/socket.h>

#include "charla-test-support.h"

typedef struct
{
  GListModel *model;
  guint       n_items;
} CountCheck;

static gboolean
model_has_exactly (gpointer data)
{
  CountCheck *check = data;

  return g_list_model_get_n_items (check->model) == check->n_items;
}

static void
wait_for_peers (CharlaNode *node,
                guint       n_peers)
{
  CountCheck check = { charla_node_get_peers (node), n_peers };

  charla_test_wait_until (model_has_exactly, &check);
}

typedef struct
{
  CharlaTestInbox *inbox;
  guint            n_texts;
} InboxCheck;

static gboolean
inbox_has (gpointer data)
{
  InboxCheck *check = data;

  return check->inbox->texts->len >= check->n_texts;
}

static void
wait_for_texts (CharlaTestInbox *inbox,
                guint            n_texts)
{
  InboxCheck check = { inbox, n_texts };

  charla_test_wait_until (inbox_has, &check);
}

typedef struct
{
  CharlaTestInbox *inbox;
  const char      *text;
} LastTextCheck;

static gboolean
inbox_last_text_is (gpointer data)
{
  LastTextCheck *check = data;
  GPtrArray *texts = check->inbox->texts;

  return texts->len > 0 && g_strcmp0 (g_ptr_array_index (texts, texts->len - 1), check->text) == 0;
}

/* Waits (at most 20 s, like every wait here) for @text to arrive last. */
static void
wait_for_last_text (CharlaTestInbox *inbox,
                    const char      *text)
{
  LastTextCheck check = { inbox, text };

  charla_test_wait_until (inbox_last_text_is, &check);
}

static gboolean
peer_name_is (gpointer data)
{
  gpointer *pair = data;

  return g_strcmp0 (charla_peer_get_name (pair[0]), pair[1]) == 0;
}

static gboolean
inbox_has_bytes (gpointer data)
{
  gpointer *pair = data;
  CharlaTestInbox *inbox = pair[0];

  return inbox->total_bytes >= GPOINTER_TO_SIZE (pair[1]);
}

/* Two nodes, one connects: both learn the other's name, chat both ways. */
static void
test_two_nodes_chat (void)
{
  g_autoptr(CharlaNode) ana = charla_test_start_node ("Ana");
  g_autoptr(CharlaNode) beto = charla_test_start_node ("Beto");
  g_autoptr(CharlaTestInbox) ana_inbox = charla_test_inbox_new (ana);
  g_autoptr(CharlaTestInbox) beto_inbox = charla_test_inbox_new (beto);
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaPeer) to_ana = NULL;
  g_autoptr(CharlaPeer) from_beto = NULL;

  to_ana = charla_test_connect_node (beto, "127.0.0.1", charla_node_get_port (ana), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (charla_peer_get_name (to_ana), ==, "Ana");
  g_assert_cmpint (charla_peer_get_dialect (to_ana), ==, CHARLA_PEER_DIALECT_CHARLA);
  g_assert_cmpint (charla_peer_get_direction (to_ana), ==, CHARLA_PEER_OUTGOING);

  wait_for_peers (ana, 1);
  from_beto = g_list_model_get_item (charla_node_get_peers (ana), 0);
  g_assert_cmpstr (charla_peer_get_name (from_beto), ==, "Beto");
  g_assert_cmpint (charla_peer_get_dialect (from_beto), ==, CHARLA_PEER_DIALECT_CHARLA);
  g_assert_cmpint (charla_peer_get_direction (from_beto), ==, CHARLA_PEER_INCOMING);

  g_assert_cmpuint (charla_node_send (beto, "hola Ana"), ==, 1);
  g_assert_cmpuint (charla_node_send (beto, "¿qué tal?\ntodo bien"), ==, 1);
  wait_for_texts (ana_inbox, 3);
  g_assert_cmpstr (g_ptr_array_index (ana_inbox->texts, 0), ==, "hola Ana");
  g_assert_cmpstr (g_ptr_array_index (ana_inbox->texts, 1), ==, "¿qué tal?");
  g_assert_cmpstr (g_ptr_array_index (ana_inbox->texts, 2), ==, "todo bien");
  g_assert_cmpstr (g_ptr_array_index (ana_inbox->senders, 0), ==, "Beto");

  g_assert_cmpuint (charla_node_send (ana, "hola Beto"), ==, 1);
  wait_for_texts (beto_inbox, 1);
  g_assert_cmpstr (g_ptr_array_index (beto_inbox->texts, 0), ==, "hola Beto");
  g_assert_cmpstr (g_ptr_array_index (beto_inbox->senders, 0), ==, "Ana");

  /* --name NEW reaches Charla peers. */
  g_assert_true (charla_node_set_name (beto, "Roberto", &error));
  g_assert_no_error (error);
  charla_test_wait_until (peer_name_is, (gpointer[]) { from_beto, "Roberto" });

  /* --ex closes every connection, on both sides, and says so. */
  g_assert_cmpuint (charla_node_disconnect_all (beto), ==, 1);
  g_assert_nonnull (charla_test_inbox_find_notice (beto_inbox, "Closed 1 connection"));
  wait_for_peers (beto, 0);
  wait_for_peers (ana, 0);
  g_assert_nonnull (charla_test_inbox_find_notice (ana_inbox, "disconnected"));
}

/* Two nodes connected both ways get each message once; a node that
 * connects to itself is told so. */
static void
test_mutual_and_self_connections (void)
{
  g_autoptr(CharlaNode) ana = charla_test_start_node ("Ana");
  g_autoptr(CharlaNode) beto = charla_test_start_node ("Beto");
  g_autoptr(CharlaTestInbox) ana_inbox = charla_test_inbox_new (ana);
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaPeer) to_ana = NULL;
  g_autoptr(CharlaPeer) to_beto = NULL;
  g_autoptr(CharlaPeer) to_self = NULL;

  to_ana = charla_test_connect_node (beto, "127.0.0.1", charla_node_get_port (ana), &error);
  g_assert_no_error (error);
  to_beto = charla_test_connect_node (ana, "127.0.0.1", charla_node_get_port (beto), &error);
  g_assert_no_error (error);
  g_assert_nonnull (charla_peer_get_node_id (to_ana));
  wait_for_peers (ana, 2);
  wait_for_peers (beto, 2);

  g_assert_cmpuint (charla_node_send (beto, "una vez"), ==, 1);
  g_assert_cmpuint (charla_node_send (beto, "dos veces"), ==, 1);
  wait_for_texts (ana_inbox, 2);
  charla_test_spin_for (200);
  g_assert_cmpuint (ana_inbox->texts->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (ana_inbox->texts, 1), ==, "dos veces");

  to_self = charla_test_connect_node (ana, "127.0.0.1", charla_node_get_port (ana), &error);
  g_assert_null (to_self);
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_SELF_CONNECT);
  g_assert_nonnull (strstr (error->message, "this node itself"));
  charla_test_spin_for (200);
  g_assert_cmpuint (g_list_model_get_n_items (charla_node_get_peers (ana)), ==, 2);
}

/* --ch keeps the existing connections: text goes to all of them. */
static void
test_fan_out_to_all (void)
{
  g_autoptr(CharlaNode) hub = charla_test_start_node ("Hub");
  g_autoptr(CharlaNode) uno = charla_test_start_node ("Uno");
  g_autoptr(CharlaNode) dos = charla_test_start_node ("Dos");
  g_autoptr(CharlaTestInbox) uno_inbox = charla_test_inbox_new (uno);
  g_autoptr(CharlaTestInbox) dos_inbox = charla_test_inbox_new (dos);
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaPeer) peer1 = NULL;
  g_autoptr(CharlaPeer) peer2 = NULL;
  g_autofree char *names = NULL;

  peer1 = charla_test_connect_node (hub, "127.0.0.1", charla_node_get_port (uno), &error);
  g_assert_no_error (error);
  peer2 = charla_test_connect_node (hub, "::1", charla_node_get_port (dos), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    {
      /* No IPv6 loopback on this machine: use IPv4 for the second one. */
      g_clear_error (&error);
      peer2 = charla_test_connect_node (hub, "localhost", charla_node_get_port (dos), &error);
    }
  g_assert_no_error (error);

  wait_for_peers (hub, 2);
  g_assert_cmpuint (charla_node_send (hub, "a todos"), ==, 2);
  wait_for_texts (uno_inbox, 1);
  wait_for_texts (dos_inbox, 1);
  g_assert_cmpstr (g_ptr_array_index (uno_inbox->texts, 0), ==, "a todos");
  g_assert_cmpstr (g_ptr_array_index (dos_inbox->texts, 0), ==, "a todos");

  names = charla_node_dup_peer_names (hub);
  g_assert_nonnull (strstr (names, "Uno ("));
  g_assert_nonnull (strstr (names, "Dos ("));
}

static void
test_send_with_nobody (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Sola");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);

  g_assert_cmpuint (charla_node_send (node, "¿hay alguien?"), ==, 0);
  g_assert_nonnull (charla_test_inbox_find_notice (inbox, "Nobody is connected"));
  g_assert_cmpuint (charla_node_send (node, ""), ==, 0);
}

static void
test_port_in_use (void)
{
  g_autoptr(CharlaNode) first = charla_test_start_node ("Primero");
  g_autoptr(CharlaNode) second = charla_node_new ("Segundo");
  g_autoptr(CharlaNode) third = charla_node_new ("Tercero");
  g_autoptr(GError) error = NULL;
  guint16 taken = charla_node_get_port (first);

  charla_node_set_port_range (second, taken, taken);
  g_assert_false (charla_node_start (second, &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_PORT_IN_USE);
  g_assert_nonnull (strstr (error->message, "already in use"));
  g_clear_error (&error);

  /* A range moves on to the next free port, as the seed's nodes do. */
  if (taken < G_MAXUINT16)
    {
      charla_node_set_port_range (third, taken, taken + 1);
      if (charla_node_start (third, &error))
        g_assert_cmpuint (charla_node_get_port (third), ==, taken + 1);
      else
        g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_NO_FREE_PORT);
    }
}

static void
test_bad_bind_address (void)
{
  g_autoptr(CharlaNode) node = charla_node_new ("Nodo");
  g_autoptr(GError) error = NULL;

  charla_node_set_bind_address (node, "999.1.1.1");
  g_assert_false (charla_node_start (node, &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS);
  g_assert_false (charla_node_get_running (node));

  g_clear_error (&error);
  charla_node_set_bind_address (node, "127.0.0.1");
  charla_node_set_port_range (node, 0, 0);
  g_assert_true (charla_node_start (node, &error));
  g_assert_no_error (error);
}

static void
test_rename_rejects_empty (void)
{
  g_autoptr(CharlaNode) node = charla_node_new ("Nodo");
  g_autoptr(GError) error = NULL;

  g_assert_false (charla_node_set_name (node, " \x1b ", &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_NAME);
  g_assert_cmpstr (charla_node_get_name (node), ==, "Nodo");

  g_clear_error (&error);
  g_assert_true (charla_node_set_name (node, "<b>Ana</b>\x07", &error));
  g_assert_cmpstr (charla_node_get_name (node), ==, "<b>Ana</b>");
}

static void
test_connect_refused (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaNode) gone = charla_test_start_node ("Ido");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaPeer) peer = NULL;
  guint16 closed_port = charla_node_get_port (gone);

  charla_node_stop (gone);
  peer = charla_test_connect_node (node, "127.0.0.1", closed_port, &error);
  g_assert_null (peer);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_nonnull (charla_test_inbox_find_notice (inbox, "Could not connect"));

  /* The session goes on. */
  g_assert_true (charla_node_get_running (node));
}

/* A listener whose accept queue is full drops SYNs: on loopback that
 * looks exactly like a firewalled port. */
static void
test_connect_timeout (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GPtrArray) fillers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(CharlaPeer) peer = NULL;
  guint16 port;

  listener = charla_test_listen_raw (loopback, 0, 0, &error);
  g_assert_no_error (error);
  port = charla_test_socket_get_port (listener);
  bound = g_inet_socket_address_new (loopback, port);

  /* Fill the queue; further SYNs are dropped. */
  for (guint i = 0; i < 3; i++)
    {
      GSocket *filler = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);

      g_socket_set_blocking (filler, FALSE);
      g_socket_connect (filler, bound, NULL, NULL);
      g_ptr_array_add (fillers, filler);
    }
  charla_test_spin_for (100);

  charla_node_set_connect_timeout (node, 300);
  peer = charla_test_connect_node (node, "127.0.0.1", port, &error);
  if (error != NULL && !g_error_matches (error, CHARLA_ERROR, CHARLA_ERROR_TIMED_OUT))
    {
      g_test_skip ("this kernel does not drop SYNs to a full accept queue");
      return;
    }
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "timed out"));
  g_assert_null (peer);
  g_assert_true (charla_node_get_running (node));
}

static void
test_connect_bad_targets (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaPeer) peer = NULL;

  peer = charla_test_connect_node (node, "", 9990, &error);
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS);
  g_clear_error (&error);

  peer = charla_test_connect_node (node, "127.0.0.1", 0, &error);
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT);
  g_clear_error (&error);

  /* CHARLA_LOOPBACK_ONLY=1 (set for every test) refuses the rest. */
  g_assert_true (charla_loopback_only ());
  peer = charla_test_connect_node (node, "192.0.2.1", 9990, &error);
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_NOT_LOOPBACK);
  g_assert_nonnull (strstr (error->message, "CHARLA_LOOPBACK_ONLY"));
  g_clear_error (&error);

  peer = charla_test_connect_node (node, "2001:db8::1", 9990, &error);
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_NOT_LOOPBACK);
  g_clear_error (&error);

  /* Not even looked up: the name server's query would leave loopback. */
  peer = charla_test_connect_node (node, "host.invalid", 9990, &error);
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_NOT_LOOPBACK);
  g_assert_nonnull (strstr (error->message, "host.invalid"));
  g_assert_null (peer);
}

static void
test_connect_cancelled (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaNode) other = charla_test_start_node ("Otro");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) precancelled = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaPeer) peer = NULL;

  charla_node_connect_async (node, "127.0.0.1", charla_node_get_port (other), cancellable,
                             charla_test_store_result, &result);
  g_cancellable_cancel (cancellable);
  CHARLA_TEST_WAIT_UNTIL (result != NULL);
  peer = charla_node_connect_finish (node, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (peer);
  g_clear_error (&error);

  g_cancellable_cancel (precancelled);
  charla_node_connect_async (node, "127.0.0.1", charla_node_get_port (other), precancelled,
                             charla_test_store_result, &result2);
  CHARLA_TEST_WAIT_UNTIL (result2 != NULL);
  peer = charla_node_connect_finish (node, result2, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Nothing lingers: no half-made peer on either side. */
  charla_test_spin_for (600);
  g_assert_cmpuint (g_list_model_get_n_items (charla_node_get_peers (node)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (charla_node_get_peers (other)), ==, 0);
}

/* Dropping a node mid-connect must not crash. */
static void
test_node_finalized_mid_connect (void)
{
  g_autoptr(CharlaNode) other = charla_test_start_node ("Otro");
  CharlaNode *node = charla_test_start_node ("Nodo");
  g_autoptr(GAsyncResult) result = NULL;

  charla_node_connect_async (node, "127.0.0.1", charla_node_get_port (other), NULL,
                             charla_test_store_result, &result);
  g_object_unref (node);
  CHARLA_TEST_WAIT_UNTIL (result != NULL);
  charla_test_spin_for (100);
}

static gboolean
on_incoming_keep (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source_object,
                  GPtrArray         *kept)
{
  g_ptr_array_add (kept, g_object_ref (connection));
  return TRUE;
}

/* A server that accepts and never answers (not a seed: a seed always
 * answers) still becomes a peer, named Anonimo, after the reply timeout. */
static void
test_connect_to_silent_server (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(GSocketService) silent = g_socket_service_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaPeer) peer = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);

  g_signal_connect (silent, "incoming", G_CALLBACK (on_incoming_keep), kept);
  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (silent), any_port,
                                                G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                NULL, &bound, &error));
  g_socket_service_start (silent);

  peer = charla_test_connect_node (node, "127.0.0.1",
                       g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (charla_peer_get_name (peer), ==, "Anonimo");
  g_assert_false (charla_peer_get_name_known (peer));
  g_assert_cmpint (charla_peer_get_dialect (peer), ==, CHARLA_PEER_DIALECT_SEED);
}

/* A raw (seed or netcat) client: name query, text, invalid bytes. */
static void
test_raw_client (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Señora Ñandú");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(GSocket) client = charla_test_raw_connect (charla_node_get_port (node));
  g_autoptr(CharlaPeer) peer = NULL;
  char reply[64] = { 0 };
  gssize n_read;

  /* The seed scanner's exchange: bare query, bare name back. */
  charla_test_raw_send (client, "--name", 6);
  n_read = charla_test_raw_receive (client, reply, sizeof reply - 1);
  g_assert_cmpint (n_read, ==, strlen ("Señora Ñandú"));
  g_assert_cmpstr (reply, ==, "Señora Ñandú");

  charla_test_spin_for (100);
  charla_test_raw_send (client, "hola", 4);
  wait_for_texts (inbox, 1);
  g_assert_cmpstr (g_ptr_array_index (inbox->texts, 0), ==, "hola");
  g_assert_cmpstr (g_ptr_array_index (inbox->senders, 0), ==, "Anonimo");

  wait_for_peers (node, 1);
  peer = g_list_model_get_item (charla_node_get_peers (node), 0);
  g_assert_cmpint (charla_peer_get_dialect (peer), ==, CHARLA_PEER_DIALECT_SEED);

  /* Lines from netcat; invalid UTF-8 and escapes arrive defused. */
  charla_test_spin_for (100);
  charla_test_raw_send (client, "uno\ndos\r\n", 9);
  wait_for_texts (inbox, 3);
  g_assert_cmpstr (g_ptr_array_index (inbox->texts, 1), ==, "uno");
  g_assert_cmpstr (g_ptr_array_index (inbox->texts, 2), ==, "dos");

  charla_test_spin_for (100);
  charla_test_raw_send (client, "\xff\x1b[2Jmal", 8);
  wait_for_texts (inbox, 4);
  g_assert_true (g_utf8_validate (g_ptr_array_index (inbox->texts, 3), -1, NULL));
  g_assert_null (strchr (g_ptr_array_index (inbox->texts, 3), '\x1b'));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (inbox->texts, 3), "[2Jmal"));

  /* Our text reaches it bare, as a seed client would send it. */
  g_assert_cmpuint (charla_node_send (node, "para ti"), ==, 1);
  memset (reply, 0, sizeof reply);
  n_read = charla_test_raw_receive (client, reply, sizeof reply - 1);
  g_assert_cmpint (n_read, ==, 7);
  g_assert_cmpstr (reply, ==, "para ti");

  /* A peer that hangs up mid-message: what it said still arrives. */
  charla_test_raw_send (client, "a medias", 8);
  g_socket_close (client, NULL);
  wait_for_texts (inbox, 5);
  g_assert_cmpstr (g_ptr_array_index (inbox->texts, 4), ==, "a medias");
  wait_for_peers (node, 0);
}

/* A scanner probe (query, reply, close) never shows up as a peer. */
static void
test_probe_is_not_a_peer (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GSocket) probe = charla_test_raw_connect (charla_node_get_port (node));
      char reply[64];

      charla_test_raw_send (probe, "--name", 6);
      g_assert_cmpint (charla_test_raw_receive (probe, reply, sizeof reply), ==, 4);
      g_socket_close (probe, NULL);
    }

  charla_test_spin_for (700);
  g_assert_cmpuint (g_list_model_get_n_items (charla_node_get_peers (node)), ==, 0);
  g_assert_cmpuint (inbox->notices->len, ==, 0);
  g_assert_cmpuint (inbox->texts->len, ==, 0);
}

/* 10 MB without a newline: bounded pieces, nothing lost, still alive. */
static void
test_huge_line (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(GSocket) client = charla_test_raw_connect (charla_node_get_port (node));
  gsize total = 10 * 1024 * 1024;
  g_autofree char *payload = g_strnfill (total, 'z');
  gpointer pair[2] = { inbox, GSIZE_TO_POINTER (total) };

  charla_test_raw_send (client, payload, total);
  charla_test_wait_until (inbox_has_bytes, pair);
  g_assert_cmpuint (inbox->total_bytes, ==, total);
  for (guint i = 0; i < inbox->texts->len; i++)
    g_assert_cmpuint (strlen (g_ptr_array_index (inbox->texts, i)), <=, CHARLA_MAX_MESSAGE_SIZE);

  charla_test_spin_for (100);
  charla_test_raw_send (client, "\nsigo aquí\n", strlen ("\nsigo aquí\n"));
  wait_for_last_text (inbox, "sigo aquí");
}

/* Same between two Charla nodes: a 10 MB framed message. */
static void
test_huge_framed_message (void)
{
  g_autoptr(CharlaNode) ana = charla_test_start_node ("Ana");
  g_autoptr(CharlaNode) beto = charla_test_start_node ("Beto");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (ana);
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaPeer) peer = NULL;
  gsize total = 10 * 1024 * 1024;
  g_autofree char *payload = g_strnfill (total, 'q');
  gpointer pair[2] = { inbox, GSIZE_TO_POINTER (total) };

  peer = charla_test_connect_node (beto, "127.0.0.1", charla_node_get_port (ana), &error);
  g_assert_no_error (error);
  charla_node_send (beto, payload);
  charla_node_send (beto, "fin");
  charla_test_wait_until (inbox_has_bytes, pair);
  wait_for_texts (inbox, total / CHARLA_MAX_MESSAGE_SIZE + 1);
  g_assert_cmpstr (g_ptr_array_index (inbox->texts, inbox->texts->len - 1), ==, "fin");
  g_assert_cmpuint (inbox->total_bytes, ==, total + 3);
}

static gboolean
peer_is_closed (gpointer data)
{
  return charla_peer_get_state (data) == CHARLA_PEER_STATE_CLOSED;
}

/* A peer that never reads is dropped and the loss is reported, while
 * the others keep chatting. */
static void
test_slow_peer_dropped (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaNode) friend = charla_test_start_node ("Amiga");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(CharlaTestInbox) friend_inbox = charla_test_inbox_new (friend);
  g_autoptr(GSocket) sleeper = charla_test_raw_connect (charla_node_get_port (node));
  g_autoptr(CharlaPeer) sleeper_peer = NULL;
  g_autoptr(CharlaPeer) friend_peer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *chunk = g_strnfill (60 * 1024, 's');
  int small = 4096;

  g_socket_set_option (sleeper, SOL_SOCKET, SO_RCVBUF, small, NULL);
  charla_test_raw_send (sleeper, "estoy", 5);
  wait_for_peers (node, 1);
  sleeper_peer = g_list_model_get_item (charla_node_get_peers (node), 0);

  friend_peer = charla_test_connect_node (node, "127.0.0.1", charla_node_get_port (friend), &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 1000 && charla_peer_get_state (sleeper_peer) != CHARLA_PEER_STATE_CLOSED; i++)
    {
      charla_node_send (node, chunk);
      g_main_context_iteration (NULL, FALSE);
    }

  charla_test_wait_until (peer_is_closed, sleeper_peer);
  g_assert_nonnull (charla_test_inbox_find_notice (inbox, "could not be delivered"));
  g_assert_nonnull (charla_test_inbox_find_notice (inbox, "stopped reading"));

  g_assert_cmpint (charla_peer_get_state (friend_peer), ==, CHARLA_PEER_STATE_CONNECTED);
  charla_node_send (node, "sigues ahí");
  wait_for_last_text (friend_inbox, "sigues ahí");
}

/* Text typed while a connect is still handshaking is not lost. */
static void
test_text_during_handshake (void)
{
  g_autoptr(CharlaNode) ana = charla_test_start_node ("Ana");
  g_autoptr(CharlaNode) beto = charla_test_start_node ("Beto");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (ana);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CharlaPeer) peer = NULL;
  g_autoptr(GError) error = NULL;

  charla_node_connect_async (beto, "127.0.0.1", charla_node_get_port (ana), NULL, charla_test_store_result, &result);
  CHARLA_TEST_WAIT_UNTIL (g_list_model_get_n_items (charla_node_get_peers (beto)) > 0 || result != NULL ||
                          charla_node_send (beto, "temprano") > 0);

  CHARLA_TEST_WAIT_UNTIL (result != NULL);
  peer = charla_node_connect_finish (beto, result, &error);
  g_assert_no_error (error);
  wait_for_texts (inbox, 1);
  g_assert_cmpstr (g_ptr_array_index (inbox->texts, 0), ==, "temprano");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charla/node/two-nodes-chat", test_two_nodes_chat);
  g_test_add_func ("/charla/node/fan-out", test_fan_out_to_all);
  g_test_add_func ("/charla/node/mutual-and-self", test_mutual_and_self_connections);
  g_test_add_func ("/charla/node/send-with-nobody", test_send_with_nobody);
  g_test_add_func ("/charla/node/port-in-use", test_port_in_use);
  g_test_add_func ("/charla/node/bad-bind-address", test_bad_bind_address);
  g_test_add_func ("/charla/node/rename", test_rename_rejects_empty);
  g_test_add_func ("/charla/node/connect/refused", test_connect_refused);
  g_test_add_func ("/charla/node/connect/bad-targets", test_connect_bad_targets);
  g_test_add_func ("/charla/node/connect/timeout", test_connect_timeout);
  g_test_add_func ("/charla/node/connect/silent-server", test_connect_to_silent_server);
  g_test_add_func ("/charla/node/connect/cancelled", test_connect_cancelled);
  g_test_add_func ("/charla/node/connect/node-finalized", test_node_finalized_mid_connect);
  g_test_add_func ("/charla/node/connect/text-during-handshake", test_text_during_handshake);
  g_test_add_func ("/charla/node/raw-client", test_raw_client);
  g_test_add_func ("/charla/node/probe-is-not-a-peer", test_probe_is_not_a_peer);
  g_test_add_func ("/charla/node/huge-line", test_huge_line);
  g_test_add_func ("/charla/node/huge-framed-message", test_huge_framed_message);
  g_test_add_func ("/charla/node/slow-peer-dropped", test_slow_peer_dropped);

  return g_test_run ();
}
