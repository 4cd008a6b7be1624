/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Hostile and broken peers (docs/ROBUSTNESS.md): each attack is made
 * against a node, and afterwards a well-behaved second node must still
 * exchange messages with it both ways. Nothing here measures time: each
 * check is about what arrived, what was said and what was closed. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "charla-test-support.h"
#include "charla-node-private.h"
#include "charla-platform-private.h"

/* Whether @node lists the peer at the other end of a raw client. */
static gboolean
has_peer_with_port (CharlaNode *node,
                    GSocket    *client)
{
  GListModel *peers = charla_node_get_peers (node);
  guint16 port = charla_test_socket_get_port (client);

  for (guint i = 0; i < g_list_model_get_n_items (peers); i++)
    {
      g_autoptr(CharlaPeer) peer = g_list_model_get_item (peers, i);

      if (charla_peer_get_port (peer) == port)
        return TRUE;
    }

  return FALSE;
}

/* The proof after every attack: a new, well-behaved node connects to
 * @node and the two exchange a message each way. */
static void
check_friend_chats (CharlaNode *node)
{
  g_autoptr(CharlaNode) friend = charla_test_start_node ("Testigo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(CharlaTestInbox) friend_inbox = charla_test_inbox_new (friend);
  g_autoptr(CharlaPeer) peer = NULL;
  g_autoptr(GError) error = NULL;

  peer = charla_test_connect_node (friend, "127.0.0.1", charla_node_get_port (node), &error);
  g_assert_no_error (error);
  CHARLA_TEST_WAIT_UNTIL (charla_test_find_peer_named (node, "Testigo") != NULL);

  g_assert_cmpuint (charla_node_send (node, "¿sigues ahí?"), >=, 1);
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (friend_inbox, "¿sigues ahí?"));

  g_assert_cmpuint (charla_node_send (friend, "sí, aquí estoy"), ==, 1);
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (inbox, "sí, aquí estoy"));

  charla_node_disconnect_all (friend);
  CHARLA_TEST_WAIT_UNTIL (charla_test_find_peer_named (node, "Testigo") == NULL);
  charla_test_finalize_node (&friend);
}

static void
raw_send_string (GSocket    *socket,
                 const char *text)
{
  charla_test_raw_send (socket, text, strlen (text));
}

/* Reads from a raw socket until @needle has arrived; returns all of it. */
static GString *
raw_receive_until (GSocket    *socket,
                   const char *needle)
{
  GString *received = g_string_new (NULL);
  char buffer[4096];

  while (strstr (received->str, needle) == NULL)
    {
      gssize n_read = charla_test_raw_receive (socket, buffer, sizeof buffer);

      g_assert_cmpint (n_read, >, 0);
      g_string_append_len (received, buffer, n_read);
    }

  return received;
}

/* Reads from a raw socket until the node closes it; returns all of it. */
static GString *
raw_receive_all (GSocket *socket)
{
  GString *received = g_string_new (NULL);
  char buffer[65536];
  gssize n_read;

  while ((n_read = charla_test_raw_receive (socket, buffer, sizeof buffer)) > 0)
    g_string_append_len (received, buffer, n_read);

  return received;
}

/* A Charla client written by hand: the handshake of docs/PROTOCOL.md
 * §3.1, claiming the node id @id. */
static GSocket *
raw_charla_connect (guint16     port,
                    const char *id,
                    const char *name)
{
  GSocket *socket = charla_test_raw_connect (port);
  g_autoptr(GString) reply = NULL;
  g_autofree char *hello = g_strdup_printf ("CHARLA/1 HELLO %s %s\n", id, name);
  char buffer[256];

  raw_send_string (socket, "--name");
  g_assert_cmpint (charla_test_raw_receive (socket, buffer, sizeof buffer), >, 0);
  raw_send_string (socket, "--name");
  reply = raw_receive_until (socket, "\n");
  g_assert_nonnull (strstr (reply->str, "CHARLA/1 HELLO "));
  charla_test_raw_send (socket, hello, strlen (hello));

  return socket;
}

/* Learns a node's id as anyone can: two bare queries to its listener. */
static char *
learn_node_id (guint16 port)
{
  g_autoptr(GSocket) socket = charla_test_raw_connect (port);
  g_autoptr(GString) reply = NULL;
  char buffer[256];
  const char *hello;

  raw_send_string (socket, "--name");
  g_assert_cmpint (charla_test_raw_receive (socket, buffer, sizeof buffer), >, 0);
  raw_send_string (socket, "--name");
  reply = raw_receive_until (socket, "\n");
  hello = strstr (reply->str, "CHARLA/1 HELLO ");
  g_assert_nonnull (hello);
  g_socket_close (socket, NULL);

  return g_strndup (hello + strlen ("CHARLA/1 HELLO "), 16);
}

static CharlaPeer *
wait_for_peer (CharlaNode *node,
               guint       n)
{
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) >= n);

  return g_list_model_get_item (charla_node_get_peers (node), n - 1);
}

/* Sends 3 KiB messages to a seed client that never reads until it is
 * dropped: the loss is counted in messages, not in 1 KiB writes. */
static void
test_undelivered_counts_messages (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(GSocket) sleeper = charla_test_raw_connect (charla_node_get_port (node));
  g_autoptr(CharlaPeer) sleeper_peer = NULL;
  g_autofree char *text = g_strnfill (3 * 1024, 'm');
  const char *notice;
  guint n_sent = 0;
  guint n_undelivered = 0;

  g_socket_set_option (sleeper, SOL_SOCKET, SO_RCVBUF, 4096, NULL);
  raw_send_string (sleeper, "estoy");
  sleeper_peer = wait_for_peer (node, 1);
  g_assert_cmpint (charla_peer_get_dialect (sleeper_peer), ==, CHARLA_PEER_DIALECT_SEED);

  while (charla_peer_get_state (sleeper_peer) != CHARLA_PEER_STATE_CLOSED)
    {
      g_assert_cmpuint (n_sent, <, 100000);
      charla_node_send (node, text);
      n_sent++;
      g_main_context_iteration (NULL, FALSE);
    }

  notice = charla_test_inbox_find_notice (inbox, "could not be delivered");
  g_assert_nonnull (notice);
  g_assert_cmpint (sscanf (notice, "%u", &n_undelivered), ==, 1);
  g_test_message ("sent %u, %u undelivered", n_sent, n_undelivered);
  g_assert_cmpuint (n_undelivered, >=, 1);
  g_assert_cmpuint (n_undelivered, <=, n_sent);

  check_friend_chats (node);
}

/* A million one-byte messages to a peer that never reads cost what
 * they take: the queue's bookkeeping counts towards its cap. */
static void
test_queue_counts_bookkeeping (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(GSocket) sleeper = NULL;
  g_autoptr(CharlaPeer) sleeper_peer = NULL;
  guint n_sent = 0;

  sleeper = raw_charla_connect (charla_node_get_port (node), "00000000000000aa", "Dormida");
  g_socket_set_option (sleeper, SOL_SOCKET, SO_RCVBUF, 4096, NULL);
  sleeper_peer = wait_for_peer (node, 1);

  /* 16 MiB of "MSG x\n" alone would be 2.8 million messages; with
   * their bookkeeping they fill it at about 240,000 (and the kernel's
   * socket buffers hold a few hundred thousand more). */
  while (charla_peer_get_state (sleeper_peer) != CHARLA_PEER_STATE_CLOSED)
    {
      g_assert_cmpuint (n_sent, <, 2000000);
      charla_peer_send (sleeper_peer, "x");
      n_sent++;
      if (n_sent % 1024 == 0)
        g_main_context_iteration (NULL, FALSE);
    }
  g_test_message ("dropped after %u one-byte messages", n_sent);

  check_friend_chats (node);
}

/* A Charla peer dropped for not reading is told, after what it already
 * has, how many messages it missed; a node that is told says so. */
static void
test_dropped_peer_is_told (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(GSocket) sleeper = NULL;
  g_autoptr(CharlaPeer) sleeper_peer = NULL;
  g_autoptr(GSocket) other = NULL;
  g_autoptr(GString) received = NULL;
  g_autofree char *text = g_strnfill (60 * 1024, 'z');
  const char *bye;
  guint missed = 0;

  /* Its receive buffer keeps its usual size: a tiny TCP window would
   * make the reading below crawl at one segment per persist timeout. */
  sleeper = raw_charla_connect (charla_node_get_port (node), "00000000000000aa", "Dormida");
  sleeper_peer = wait_for_peer (node, 1);

  while (charla_peer_get_state (sleeper_peer) != CHARLA_PEER_STATE_CLOSED)
    {
      charla_peer_send (sleeper_peer, text);
      g_main_context_iteration (NULL, FALSE);
    }

  /* It wakes up: what it had, then the farewell, then the end. */
  received = raw_receive_all (sleeper);
  g_assert_true (g_str_has_suffix (received->str, "\n"));
  bye = g_strrstr (received->str, "\nBYE TOO-SLOW ");
  g_assert_nonnull (bye);
  g_assert_cmpint (sscanf (bye, "\nBYE TOO-SLOW %u", &missed), ==, 1);
  g_assert_cmpuint (missed, >, 0);
  g_assert_nonnull (charla_test_inbox_find_notice (inbox, "stopped reading"));

  /* The other way round: a peer says goodbye, the user is told why. */
  other = raw_charla_connect (charla_node_get_port (node), "00000000000000bb", "Lenta");
  g_clear_object (&sleeper_peer);
  sleeper_peer = wait_for_peer (node, 1);
  charla_test_raw_send (other, "MSG adiós\nBYE TOO-SLOW 42\n", strlen ("MSG adiós\nBYE TOO-SLOW 42\n"));
  g_socket_close (other, NULL);
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_find_notice (inbox, "42 messages did not arrive") != NULL);
  g_assert_true (charla_test_inbox_has_text (inbox, "adiós"));

  check_friend_chats (node);
}

/* Counts a flood as it arrives, checking that nothing is lost or
 * reordered, and notes where it stood when other events happened. */
typedef struct
{
  const char *flooder;
  guint       n_received;
  guint       at_friend_text;
  gboolean    friend_text_seen;
} Flood;

static void
on_flood_message (CharlaNode    *node,
                  CharlaMessage *message,
                  Flood         *flood)
{
  if (charla_message_get_kind (message) != CHARLA_MESSAGE_INCOMING)
    return;

  if (g_strcmp0 (charla_message_get_sender (message), flood->flooder) == 0)
    {
      g_autofree char *expected = g_strdup_printf ("%u", flood->n_received);

      g_assert_cmpstr (charla_message_get_text (message), ==, expected);
      flood->n_received++;
    }
  else if (!flood->friend_text_seen)
    {
      flood->friend_text_seen = TRUE;
      flood->at_friend_text = flood->n_received;
    }
}

/* A peer sends 300,000 tiny messages as fast as it can. Another peer's
 * message, once it is in the node's socket, is handled within a few
 * turns (a few hundred flood messages later), not after the whole
 * backlog; the node's answer is written as promptly; nothing of the
 * flood is lost or reordered. Both are counted from moments the node's
 * own main loop decides (the friend's bytes acknowledged by the node's
 * kernel before the loop runs again; the answer leaving the node's
 * queue), so how the kernel schedules loopback delivery on a loaded
 * machine does not enter the count. */
static void
test_flood_takes_turns (void)
{
  const guint n_flood = 300000;
  const guint turns = 8;
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(GSocket) flooder = NULL;
  g_autoptr(GSocket) friend = NULL;
  g_autoptr(GString) batch = g_string_new (NULL);
  g_autoptr(GString) answer = NULL;
  CharlaPeer *friend_peer;
  Flood flood = { "Inundación", 0, 0, FALSE };
  guint at_friend_arrived = 0;
  guint at_answer_sent;
  guint n_sent = 0;

  g_signal_connect (node, "message", G_CALLBACK (on_flood_message), &flood);
  friend = raw_charla_connect (charla_node_get_port (node), "00000000000000fe", "Amiga");
  flooder = raw_charla_connect (charla_node_get_port (node), "00000000000000fd", "Inundación");
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 2 && charla_test_find_peer_named (node, "Amiga") != NULL);
  friend_peer = charla_test_find_peer_named (node, "Amiga");

  while (n_sent < n_flood)
    {
      g_string_truncate (batch, 0);
      for (guint i = 0; i < 10000; i++, n_sent++)
        g_string_append_printf (batch, "MSG %u\n", n_sent);
      charla_test_raw_send (flooder, batch->str, batch->len);

      /* The node now has a backlog of megabytes from the flooder. The
       * friend's line is in the node's socket once its kernel has
       * acknowledged it; the node's loop does not run meanwhile. */
      if (n_sent == 100000)
        {
          gint64 deadline = g_get_monotonic_time () + CHARLA_TEST_WAIT_SECONDS * G_USEC_PER_SEC;

          raw_send_string (friend, "MSG hola en medio\n");
          while (charla_socket_get_unsent_bytes (friend) > 0)
            {
              if (g_get_monotonic_time () > deadline)
                g_error ("Timed out waiting for the node's kernel to take the friend's line");
              g_usleep (100);
            }
          at_friend_arrived = flood.n_received;
        }
    }

  CHARLA_TEST_WAIT_UNTIL (flood.friend_text_seen);
  g_test_message ("the friend's message was handled %u flood messages after it arrived",
                  flood.at_friend_text - at_friend_arrived);
  g_assert_cmpuint (flood.at_friend_text - at_friend_arrived, <=, turns * 64);

  at_answer_sent = flood.n_received;
  g_assert_cmpuint (charla_node_send (node, "contesto"), ==, 2);
  /* Checked after each main loop iteration: the count is at most one
   * iteration's turns late, never early. */
  CHARLA_TEST_WAIT_UNTIL (charla_peer_get_queued_bytes (friend_peer) == 0);
  g_test_message ("the answer was written %u flood messages after it was sent",
                  flood.n_received - at_answer_sent);
  g_assert_cmpuint (flood.n_received - at_answer_sent, <=, turns * 64);
  answer = raw_receive_until (friend, "MSG contesto\n");

  /* Generous: under sanitizers 300,000 messages take a while. */
  CHARLA_TEST_WAIT_UNTIL_FOR (240, flood.n_received == n_flood);
  g_signal_handlers_disconnect_by_data (node, &flood);
  g_socket_close (flooder, NULL);
  g_socket_close (friend, NULL);
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 0);

  check_friend_chats (node);
}

/* The framed message limit is 64 KiB of text, not 64 KiB and 16 bytes;
 * the rest of an over-long line is text only if the line was a MSG. */
static void
test_framed_limits (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(GSocket) client = NULL;
  g_autoptr(CharlaPeer) peer = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *long_name = NULL;
  gsize total = 0;

  client = raw_charla_connect (charla_node_get_port (node), "00000000000000cc", "Larga");
  peer = wait_for_peer (node, 1);

  /* The longest line the old limit let through in one piece. */
  g_string_append (line, "MSG ");
  for (guint i = 0; i < 65548; i++)
    g_string_append_c (line, 'x');
  g_string_append_c (line, '\n');
  /* Over-long lines that are not messages never become text. */
  g_string_append (line, "NAME ");
  for (guint i = 0; i < 70000; i++)
    g_string_append_c (line, 'n');
  g_string_append (line, "\nFOO ");
  for (guint i = 0; i < 70000; i++)
    g_string_append_c (line, 'f');
  g_string_append (line, "\nMSG fin\n");
  charla_test_raw_send (client, line->str, line->len);

  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (inbox, "fin"));
  for (guint i = 0; i + 1 < inbox->texts->len; i++)
    {
      const char *text = g_ptr_array_index (inbox->texts, i);

      g_assert_cmpuint (strlen (text), <=, CHARLA_MAX_MESSAGE_SIZE);
      g_assert_null (strchr (text, 'n'));
      g_assert_null (strchr (text, 'f'));
      total += strlen (text);
    }
  g_assert_cmpuint (total, ==, 65548);

  long_name = g_strnfill (CHARLA_MAX_NAME_CHARS, 'n');
  g_assert_cmpstr (charla_peer_get_name (peer), ==, long_name);

  g_socket_close (client, NULL);
  check_friend_chats (node);
}

/* Reads until the node closes the connection; what it sent is dropped. */
static void
raw_wait_closed (GSocket *socket)
{
  g_autoptr(GString) rest = raw_receive_all (socket);
}

/* What a service scan (nmap -sV) sends a chat port: each is refused at
 * its first bytes with one line, and nothing of it lands in the chat;
 * a seed client's text, typed however, still arrives. */
static void
test_other_protocols (void)
{
  static const struct {
    const char *bytes;
    gsize       len;
    const char *what;
  } probes[] = {
#define PROBE(bytes, what) { bytes, sizeof bytes - 1, what }
    PROBE ("GET / HTTP/1.0\r\n\r\n", "(HTTP)"),
    PROBE ("GET /nice%20ports%2C/Tri%6Eity.txt%2ebak HTTP/1.0\r\n\r\n", "(HTTP)"),
    PROBE ("OPTIONS / HTTP/1.0\r\n\r\n", "(HTTP)"),
    PROBE ("OPTIONS / RTSP/1.0\r\n\r\n", "(RTSP)"),
    PROBE ("OPTIONS sip:nm SIP/2.0\r\nVia: SIP/2.0/TCP nm;branch=foo\r\n\r\n", "(SIP)"),
    PROBE ("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\x5a\x5b", "(TLS)"),
    PROBE ("SSH-2.0-OpenSSH_9.2p1\r\n", "(SSH)"),
    PROBE ("EHLO\r\n", "(SMTP)"),
    PROBE ("HELP\r\n", "(HELP)"),
    PROBE ("\x80\0\0\x28\x72\xfe\x1d\x13\0\0\0\0\0\0\0\x02", "binary data"),
    PROBE ("\0\0\0\xa4\xff\x53\x4d\x42\x72\0\0\0\0", "binary data"),
    PROBE ("l\0\x0b\0\0\0\0\0\0\0\0\0", "binary data"),
    PROBE ("\x30\x84\0\0\0\x2d\x02\x01\x07\x63\x84", "binary data"),
#undef PROBE
  };
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(GSocket) lines = NULL;
  g_autoptr(GSocket) late = NULL;
  g_autoptr(GSocket) seed = NULL;
  g_autoptr(CharlaPeer) late_peer = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      g_autoptr(GSocket) probe = charla_test_raw_connect (charla_node_get_port (node));
      guint n_notices = inbox->notices->len;

      charla_test_raw_send (probe, probes[i].bytes, probes[i].len);
      raw_wait_closed (probe);
      CHARLA_TEST_WAIT_UNTIL (inbox->notices->len > n_notices);

      /* One line, naming the address and what it spoke. */
      g_assert_cmpuint (inbox->notices->len, ==, n_notices + 1);
      g_assert_true (g_str_has_prefix (g_ptr_array_index (inbox->notices, n_notices), "127.0.0.1 "));
      g_assert_nonnull (strstr (g_ptr_array_index (inbox->notices, n_notices), probes[i].what));
    }
  g_assert_cmpuint (inbox->texts->len, ==, 0);
  g_assert_cmpuint (charla_test_n_peers (node), ==, 0);

  /* A probe that waited to be listed first (nmap's first probe only
   * listens): it goes from the list, still with one line. */
  late = charla_test_raw_connect (charla_node_get_port (node));
  late_peer = wait_for_peer (node, 1);
  raw_send_string (late, "GET / HTTP/1.0\r\n\r\n");
  raw_wait_closed (late);
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 0);
  g_assert_cmpuint (charla_test_inbox_count_notices (inbox, "spoke another protocol (HTTP)"), ==, 4);
  g_assert_null (charla_test_inbox_find_notice (inbox, "disconnected"));

  /* Empty lines are no protocol, and nothing to show either. */
  lines = charla_test_raw_connect (charla_node_get_port (node));
  raw_send_string (lines, "\r\n\r\n");
  charla_test_spin_for (100);
  g_socket_close (lines, NULL);

  /* A seed client's text arrives, typed however. */
  seed = charla_test_raw_connect (charla_node_get_port (node));
  raw_send_string (seed, "GET me a coffee");
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (inbox, "GET me a coffee"));
  charla_test_spin_for (100);
  raw_send_string (seed, "HELP");
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (inbox, "HELP"));
  charla_test_spin_for (100);
  raw_send_string (seed, "uno\r\ndos \x1b[31mrojo\r\n");
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (inbox, "uno"));
  CHARLA_TEST_WAIT_UNTIL (inbox->texts->len == 4);
  g_assert_cmpuint (charla_test_inbox_count_notices (inbox, "spoke another protocol"), ==, 10);
  g_assert_cmpuint (charla_test_inbox_count_notices (inbox, "binary data"), ==, 4);
  g_socket_close (seed, NULL);

  check_friend_chats (node);
}

/* Nothing blank is ever shown: empty lines, spaces, invisible marks. */
static void
test_empty_messages (void)
{
  static const char raw[] = "\n\n  \n\t\n\xe2\x80\x8b\n\xc2\xa0\nhola\n";
  static const char framed[] = "MSG \nMSG    \nMSG \xe2\x80\x8b\xe2\x80\x8e\nMSG adiós\n";
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(GSocket) seed = charla_test_raw_connect (charla_node_get_port (node));
  g_autoptr(GSocket) charla = NULL;

  charla_test_raw_send (seed, raw, sizeof raw - 1);
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (inbox, "hola"));

  charla = raw_charla_connect (charla_node_get_port (node), "00000000000000ee", "Vacía");
  charla_test_raw_send (charla, framed, sizeof framed - 1);
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (inbox, "adiós"));

  g_assert_cmpuint (inbox->texts->len, ==, 2);
  g_socket_close (seed, NULL);
  g_socket_close (charla, NULL);

  check_friend_chats (node);
}

/* A connect that reaches a web server instead of a chat node says so. */
static void
test_connect_to_other_service (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(GSocket) server = NULL;
  g_autoptr(GSocket) accepted = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CharlaPeer) peer = NULL;
  g_autoptr(GError) error = NULL;
  char query[16];

  server = charla_test_listen_raw (loopback, 0, 16, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (server, FALSE);

  charla_node_connect_async (node, "127.0.0.1", charla_test_socket_get_port (server),
                             NULL, charla_test_store_result, &result);
  while ((accepted = g_socket_accept (server, NULL, NULL)) == NULL)
    charla_test_spin_for (10);
  g_assert_cmpint (charla_test_raw_receive (accepted, query, sizeof query), ==, 6);
  raw_send_string (accepted, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");

  CHARLA_TEST_WAIT_UNTIL (result != NULL);
  peer = charla_node_connect_finish (node, result, &error);
  g_assert_null (peer);
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_OTHER_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "(HTTP)"));
  g_assert_cmpuint (charla_test_inbox_count_notices (inbox, "(HTTP)"), ==, 1);
  g_assert_cmpuint (charla_test_n_peers (node), ==, 0);

  check_friend_chats (node);
}

/* A node id is a claim, not proof: a peer that learned Nora's id and
 * presented it first cannot take her share of the hub's messages, and
 * whoever presents the hub's own id is refused instead of talking
 * unlisted. */
static void
test_claimed_ids (void)
{
  g_autoptr(CharlaNode) hub = charla_test_start_node ("Hub");
  g_autoptr(CharlaNode) nora = charla_test_start_node ("Nora");
  g_autoptr(CharlaTestInbox) hub_inbox = charla_test_inbox_new (hub);
  g_autoptr(CharlaTestInbox) nora_inbox = charla_test_inbox_new (nora);
  g_autoptr(GSocket) impostor = NULL;
  g_autoptr(GSocket) mirror = NULL;
  g_autoptr(GString) received = NULL;
  g_autoptr(CharlaPeer) to_hub = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *nora_id = learn_node_id (charla_node_get_port (nora));
  g_autofree char *hub_id = learn_node_id (charla_node_get_port (hub));

  impostor = raw_charla_connect (charla_node_get_port (hub), nora_id, "Nora");
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (hub) == 1);
  to_hub = charla_test_connect_node (nora, "127.0.0.1", charla_node_get_port (hub), &error);
  g_assert_no_error (error);
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (hub) == 2);

  /* The real Nora gets the hub's message; so does the impostor, which
   * is listed and shown for what it is. */
  g_assert_cmpuint (charla_node_send (hub, "para Nora"), ==, 1);
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (nora_inbox, "para Nora"));
  received = raw_receive_until (impostor, "MSG para Nora\n");

  /* Both are heard, each as itself. */
  raw_send_string (impostor, "ID 0123456789abcdef\nMSG soy Nora\n");
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (hub_inbox, "soy Nora"));
  g_assert_cmpuint (charla_node_send (nora, "la de verdad"), ==, 1);
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (hub_inbox, "la de verdad"));

  /* Replaying a message id with other text hides nothing. */
  raw_send_string (impostor, "ID 0123456789abcdef\nMSG otra cosa\n");
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (hub_inbox, "otra cosa"));

  /* The hub's own id on an incoming connection: refused, one line, and
   * nothing it says is shown. */
  mirror = raw_charla_connect (charla_node_get_port (hub), hub_id, "Hub");
  raw_send_string (mirror, "MSG soy tú\nNAME Otro\n");
  g_string_free (g_steal_pointer (&received), TRUE);
  received = raw_receive_all (mirror);
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_find_notice (hub_inbox, "claimed to be this node") != NULL);
  g_assert_false (charla_test_inbox_has_text (hub_inbox, "soy tú"));
  g_assert_null (charla_test_inbox_find_notice (hub_inbox, "Otro"));
  g_assert_cmpuint (charla_test_n_peers (hub), ==, 2);

  g_socket_close (impostor, NULL);
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (hub) == 1);
  check_friend_chats (hub);
}

/* A plain non-blocking connect to @address:@port from @source (or any):
 * returns the descriptor, or -1 with errno set (EMFILE when the process
 * is out of descriptors). */
static int
connect_nonblocking (const char *source,
                     const char *address,
                     guint16     port)
{
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = g_htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;

  if (source != NULL)
    {
      struct sockaddr_in from = { .sin_family = AF_INET };

      g_assert_cmpint (inet_pton (AF_INET, source, &from.sin_addr), ==, 1);
      g_assert_cmpint (bind (fd, (struct sockaddr *) &from, sizeof from), ==, 0);
    }

  g_assert_cmpint (inet_pton (AF_INET, address, &to.sin_addr), ==, 1);
  if (connect (fd, (struct sockaddr *) &to, sizeof to) < 0 && errno != EINPROGRESS)
    {
      int saved = errno;

      close (fd);
      errno = saved;
      return -1;
    }

  return fd;
}

/* Out of descriptors (the open-file limit reached by connections that
 * keep coming): the node stops accepting and waits, instead of retrying
 * in a loop that logs a warning each time, and accepts again once
 * descriptors are free. Runs in a child process with a low limit. */
static void
test_descriptor_limit (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(CharlaNode) node = NULL;
      g_autoptr(CharlaTestInbox) inbox = NULL;
      g_autoptr(GArray) clients = g_array_new (FALSE, FALSE, sizeof (int));
      struct rlimit limit;
      guint errors_before_wait;

      /* Both ends of each connection live in this process. */
      limit.rlim_cur = limit.rlim_max = charla_test_count_open_fds () + 48;
      g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);

      node = charla_test_start_node_bound ("Nodo", "127.0.0.1");
      inbox = charla_test_inbox_new (node);

      for (guint i = 0; i < 40; i++)
        {
          int fd = connect_nonblocking (NULL, "127.0.0.1", charla_node_get_port (node));

          if (fd < 0)
            break;
          g_array_append_val (clients, fd);
        }
      g_test_message ("%u clients connected", clients->len);

      CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_find_notice (inbox, "Out of file descriptors") != NULL);
      errors_before_wait = charla_node_get_n_accept_errors (node);
      charla_test_spin_for (500);
      /* Half a second of waiting costs a handful of tries, not a spin. */
      g_test_message ("%u failed accepts, %u more in 500 ms",
                      errors_before_wait, charla_node_get_n_accept_errors (node) - errors_before_wait);
      g_assert_cmpuint (charla_node_get_n_accept_errors (node) - errors_before_wait, <=, 10);

      for (guint i = 0; i < clients->len; i++)
        close (g_array_index (clients, int, i));
      CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_find_notice (inbox, "Accepting connections again") != NULL);
      CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 0);

      check_friend_chats (node);
      return;
    }

  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* A burst of 1,000 connections at once: all are accepted and listed,
 * a seed scanner's probe still gets the name, and when they go the node
 * chats as before. */
static void
test_connection_burst (void)
{
  g_autoptr(CharlaNode) node = NULL;
  g_autoptr(GArray) clients = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GSocket) probe = NULL;
  struct rlimit limit;
  char reply[64] = { 0 };

  charla_raise_fd_limit ();
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  if (limit.rlim_cur < 2300)
    {
      g_test_skip ("needs 2,300 open files (both ends of 1,000 connections)");
      return;
    }

  node = charla_test_start_node ("Nodo");
  for (guint i = 0; i < 1000; i++)
    {
      int fd = connect_nonblocking (NULL, "127.0.0.1", charla_node_get_port (node));

      g_assert_cmpint (fd, >=, 0);
      g_array_append_val (clients, fd);
      if (i % 100 == 99)
        g_main_context_iteration (NULL, FALSE);
    }

  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 1000);

  probe = charla_test_raw_connect (charla_node_get_port (node));
  raw_send_string (probe, "--name");
  g_assert_cmpint (charla_test_raw_receive (probe, reply, sizeof reply - 1), ==, 4);
  g_assert_cmpstr (reply, ==, "Nodo");
  g_socket_close (probe, NULL);

  check_friend_chats (node);

  for (guint i = 0; i < clients->len; i++)
    close (g_array_index (clients, int, i));
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 0);

  check_friend_chats (node);
}

/* Whether the node still holds a raw client's connection: what it sent
 * is read and dropped; an end of stream (or a reset) means closed. */
static gboolean
raw_is_open (GSocket *socket)
{
  char buffer[4096];

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n_read = g_socket_receive_with_blocking (socket, buffer, sizeof buffer, FALSE, NULL, &error);

      if (n_read > 0)
        continue;
      return n_read < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
    }
}

/* A listed peer is never closed for its silence: a seed client that
 * connected and only reads (its user has not typed yet), and a Charla
 * node whose user never types, stay however long, and the seed
 * client's first message, when it comes, arrives. With the handshake
 * deadline at 20 ms, both stay through 75 times that (and past the 1 s
 * the old silence deadline had in this test). */
static void
test_silent_peers_stay (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(GSocket) seed_client = NULL;
  g_autoptr(GSocket) charla = NULL;

  charla_node_set_handshake_timeout (node, 20);
  seed_client = charla_test_raw_connect (charla_node_get_port (node));
  charla = raw_charla_connect (charla_node_get_port (node), "00000000000000dd", "Callada");
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 2);

  charla_test_spin_for (1500);
  g_assert_cmpuint (charla_test_n_peers (node), ==, 2);
  g_assert_true (raw_is_open (seed_client));
  g_assert_true (raw_is_open (charla));
  g_assert_null (charla_test_inbox_find_notice (inbox, "closed"));

  raw_send_string (seed_client, "por fin escribo");
  raw_send_string (charla, "MSG y yo\n");
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (inbox, "por fin escribo") && charla_test_inbox_has_text (inbox, "y yo"));
  g_assert_cmpuint (charla_test_n_peers (node), ==, 2);

  check_friend_chats (node);
}

/* A name query in two pieces (the second before the raw pause ends) is
 * answered, and the connection is still decided: listed as a silent
 * seed client, so it can make room for others later. It used to stay
 * undecided, unlisted and never closed. (Under load the pause may end
 * first; then "--na" is text, and the client is listed all the same.) */
static void
test_query_in_pieces_is_decided (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(GSocket) client = NULL;

  charla_node_set_handshake_timeout (node, 100);
  client = charla_test_raw_connect (charla_node_get_port (node));
  raw_send_string (client, "--na");
  charla_test_spin_for (5);
  raw_send_string (client, "me");
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 1);
  g_assert_true (raw_is_open (client));
}

/* At the total cap, a newcomer is admitted by closing the oldest listed
 * connection that never said anything (with an end of stream, and one
 * notice for the whole episode); one that spoke is never closed for
 * room. When everyone has spoken, newcomers are refused until some
 * close; a seed scanner's probe gets the name whenever there is room. */
static void
test_room_is_made (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(GPtrArray) speakers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) mutes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocket) newcomer = NULL;
  g_autoptr(GSocket) refused = NULL;
  g_autoptr(GSocket) probe = NULL;
  guint16 port = charla_node_get_port (node);
  char reply[64] = { 0 };

  charla_node_set_handshake_timeout (node, 50);
  charla_node_set_connection_caps (node, 8, 64);

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *text = g_strdup_printf ("hola %u", i);
      GSocket *speaker = charla_test_raw_connect (port);

      g_ptr_array_add (speakers, speaker);
      raw_send_string (speaker, text);
      CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (inbox, text));
    }
  for (guint i = 0; i < 4; i++)
    {
      g_ptr_array_add (mutes, charla_test_raw_connect (port));
      CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 5 + i);
    }

  /* A silent newcomer: the oldest silent one makes room for it. */
  newcomer = charla_test_raw_connect (port);
  raw_wait_closed (g_ptr_array_index (mutes, 0));
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 8 && has_peer_with_port (node, newcomer));
  for (guint i = 1; i < 4; i++)
    g_assert_true (raw_is_open (g_ptr_array_index (mutes, i)));
  for (guint i = 0; i < 4; i++)
    g_assert_true (raw_is_open (g_ptr_array_index (speakers, i)));
  g_assert_cmpuint (charla_test_inbox_count_notices (inbox, "closing the oldest that never said anything"), ==, 1);

  /* A seed scanner's probe too: the next oldest goes, the probe is answered. */
  probe = charla_test_raw_connect (port);
  raw_send_string (probe, "--name");
  g_assert_cmpint (charla_test_raw_receive (probe, reply, sizeof reply - 1), ==, 4);
  g_assert_cmpstr (reply, ==, "Nodo");
  raw_wait_closed (g_ptr_array_index (mutes, 1));
  g_assert_cmpuint (charla_test_inbox_count_notices (inbox, "closing the oldest that never said anything"), ==, 1);

  /* The probe leaves a place free: the episode ends, told once. */
  g_socket_close (probe, NULL);
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_find_notice (inbox, "Room for new connections again") != NULL);
  g_assert_nonnull (charla_test_inbox_find_notice (inbox, "Room for new connections again (2 silent ones were closed"));

  /* Full again, and everyone speaks: nobody can be closed for room. */
  g_ptr_array_add (speakers, charla_test_raw_connect (port));
  raw_send_string (g_ptr_array_index (speakers, 4), "hola 4");
  for (guint i = 2; i < 4; i++)
    raw_send_string (g_ptr_array_index (mutes, i), "ya hablo");
  raw_send_string (newcomer, "yo también");
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_has_text (inbox, "hola 4") && charla_test_inbox_has_text (inbox, "yo también"));
  refused = charla_test_raw_connect (port);
  raw_wait_closed (refused);
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_find_notice (inbox, "refusing new ones until some close") != NULL);
  for (guint i = 2; i < 4; i++)
    g_assert_true (raw_is_open (g_ptr_array_index (mutes, i)));
  g_assert_true (raw_is_open (newcomer));

  /* Two leave: accepting again, told once. */
  g_ptr_array_remove_range (speakers, 0, 2);
  CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_find_notice (inbox, "Accepting connections again") != NULL);
  g_assert_nonnull (charla_test_inbox_find_notice (inbox, "Accepting connections again (1 was refused)"));
  g_assert_cmpuint (charla_test_inbox_count_notices (inbox, "refusing new ones"), ==, 1);

  check_friend_chats (node);
}

/* Reads what a raw client was sent; whether the node closed it (an end
 * of stream: a reset fails the test, a seed's recv() would not survive it). */
static gboolean
fd_was_closed (int fd)
{
  char buffer[4096];
  ssize_t n;

  while ((n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT)) > 0)
    ;
  g_assert_false (n < 0 && errno == ECONNRESET);

  return n == 0;
}

static void
fd_wait_closed (int fd)
{
  gint64 deadline = g_get_monotonic_time () + CHARLA_TEST_WAIT_SECONDS * G_USEC_PER_SEC;

  while (!fd_was_closed (fd))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for the node to close a connection");
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Too many connections from one address (in a network namespace of its
 * own, where 192.0.2.x is an address of the namespace's loopback
 * interface, not loopback): a newcomer from it is admitted by closing
 * the oldest of its connections that never said anything, cleanly and
 * with one notice; once all of them have spoken, the excess is refused
 * cleanly, with one notice; other addresses are still served. */
static void
test_per_address_cap (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(CharlaNode) node = NULL;
      g_autoptr(CharlaTestInbox) inbox = NULL;
      g_autoptr(GArray) clients = g_array_new (FALSE, FALSE, sizeof (int));
      int other;
      int refused;
      char reply[64] = { 0 };
      gssize n_read = -1;

      /* netns: this child's own network namespace, made by unshare(). */
      g_assert_cmpint (unshare (CLONE_NEWNET), ==, 0);
      g_assert_true (g_spawn_command_line_sync ("ip link set lo up", NULL, NULL, NULL, NULL));
      g_assert_true (g_spawn_command_line_sync ("ip addr add 192.0.2.1/24 dev lo", NULL, NULL, NULL, NULL));

      node = charla_test_start_node ("Nodo");
      charla_node_set_handshake_timeout (node, 50);
      inbox = charla_test_inbox_new (node);

      for (guint i = 0; i < 64; i++)
        {
          int fd = connect_nonblocking ("192.0.2.2", "192.0.2.1", charla_node_get_port (node));

          g_assert_cmpint (fd, >=, 0);
          g_array_append_val (clients, fd);
        }
      CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 64);

      /* Six more: the six oldest silent ones make room, nobody else. */
      for (guint i = 0; i < 6; i++)
        {
          int fd = connect_nonblocking ("192.0.2.2", "192.0.2.1", charla_node_get_port (node));

          g_assert_cmpint (fd, >=, 0);
          g_array_append_val (clients, fd);
        }
      for (guint i = 0; i < 6; i++)
        fd_wait_closed (g_array_index (clients, int, i));
      CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 64);
      for (guint i = 6; i < clients->len; i++)
        g_assert_false (fd_was_closed (g_array_index (clients, int, i)));
      g_assert_cmpuint (charla_test_inbox_count_notices (inbox, "from 192.0.2.2 are open"), ==, 1);
      g_assert_nonnull (charla_test_inbox_find_notice (inbox, "closing the oldest of them that never said anything"));

      /* All of them speak: the next one from there is refused. */
      for (guint i = 6; i < clients->len; i++)
        while (send (g_array_index (clients, int, i), "hola", 4, MSG_NOSIGNAL) != 4)
          g_main_context_iteration (NULL, FALSE);
      CHARLA_TEST_WAIT_UNTIL (inbox->texts->len == 64);
      refused = connect_nonblocking ("192.0.2.2", "192.0.2.1", charla_node_get_port (node));
      g_assert_cmpint (refused, >=, 0);
      fd_wait_closed (refused);
      close (refused);
      CHARLA_TEST_WAIT_UNTIL (charla_test_inbox_find_notice (inbox, "refusing more from it") != NULL);
      g_assert_cmpuint (charla_test_n_peers (node), ==, 64);

      /* Another address is served, as a seed scanner would be. */
      other = connect_nonblocking ("192.0.2.3", "192.0.2.1", charla_node_get_port (node));
      g_assert_cmpint (other, >=, 0);
      while (send (other, "--name", 6, MSG_NOSIGNAL) != 6)
        g_main_context_iteration (NULL, FALSE);
      while (n_read <= 0)
        {
          n_read = recv (other, reply, sizeof reply - 1, MSG_DONTWAIT);
          g_main_context_iteration (NULL, n_read < 0);
        }
      g_assert_cmpstr (reply, ==, "Nodo");
      close (other);

      for (guint i = 0; i < clients->len; i++)
        close (g_array_index (clients, int, i));
      CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 0);

      check_friend_chats (node);
      return;
    }

  if (geteuid () != 0)
    {
      g_test_skip ("needs root for a network namespace of its own");
      return;
    }

  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* charla-cli chat in a process of its own, connected to a node: what it
 * prints (JSON lines) is collected as it comes. */
typedef struct
{
  CharlaTestProcess *program;
  GString           *notices;   /* every notice and error line, joined */
  guint              n_messages;
} Child;

static void
on_child_line (const char *line,
               gpointer    user_data)
{
  Child *child = user_data;

  if (g_str_has_prefix (line, "{\"type\":\"message\""))
    child->n_messages++;
  else if (g_str_has_prefix (line, "{\"type\":\"notice\"") || g_str_has_prefix (line, "{\"type\":\"error\""))
    g_string_append_printf (child->notices, "%s\n", line);
}

static Child *
child_start (const char *name,
             guint16     port)
{
  g_autofree char *target = g_strdup_printf ("127.0.0.1:%u", port);
  const char *cli = g_getenv ("CHARLA_CLI");
  const char *argv[] = { cli, "chat", "--port", "0", "--json", "--name", name, "--connect", target, NULL };
  Child *child = g_new0 (Child, 1);

  g_assert_nonnull (cli);
  child->notices = g_string_new (NULL);
  child->program = charla_test_process_spawnv (argv, on_child_line, child);

  return child;
}

static void
child_free (Child *child)
{
  charla_test_process_free (child->program);
  g_string_free (child->notices, TRUE);
  g_free (child);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Child, child_free)

static void
child_signal (Child *child,
              int    signum)
{
  g_subprocess_send_signal (child->program->process, signum);
}

/* A peer process killed outright: the node notices and goes on. */
static void
test_killed_peer (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(Child) child = child_start ("Hija", charla_node_get_port (node));

  CHARLA_TEST_WAIT_UNTIL (charla_test_find_peer_named (node, "Hija") != NULL);
  charla_node_send (node, "hola, Hija");
  CHARLA_TEST_WAIT_UNTIL (child->n_messages == 1);

  child_signal (child, SIGKILL);
  CHARLA_TEST_WAIT_UNTIL (charla_test_find_peer_named (node, "Hija") == NULL);
  g_assert_nonnull (charla_test_inbox_find_notice (inbox, "Hija"));

  check_friend_chats (node);
}

/* A peer process stopped (SIGSTOP) while the node floods it: it is
 * dropped once its queue is full, the others chat on meanwhile, and
 * when it resumes it reads what it had and learns what it missed. */
static void
test_stopped_peer_under_flood (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(Child) child = child_start ("Dormida", charla_node_get_port (node));
  g_autoptr(CharlaPeer) peer = NULL;
  g_autofree char *text = g_strnfill (60 * 1024, 'f');
  GListModel *peers = charla_node_get_peers (node);

  CHARLA_TEST_WAIT_UNTIL (charla_test_find_peer_named (node, "Dormida") != NULL);
  peer = g_list_model_get_item (peers, 0);

  child_signal (child, SIGSTOP);
  while (charla_peer_get_state (peer) != CHARLA_PEER_STATE_CLOSED)
    {
      charla_peer_send (peer, text);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_nonnull (charla_test_inbox_find_notice (inbox, "stopped reading"));

  check_friend_chats (node);

  child_signal (child, SIGCONT);
  CHARLA_TEST_WAIT_UNTIL (strstr (child->notices->str, "did not read fast enough") != NULL);
  g_test_message ("the stopped peer read %u messages, then the farewell", child->n_messages);
}

static gsize
history_text_bytes (CharlaNode *node)
{
  GListModel *messages = charla_node_get_messages (node);
  gsize total = 0;

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(CharlaMessage) message = g_list_model_get_item (messages, i);

      total += strlen (charla_message_get_text (message));
    }

  return total;
}

/* History is capped in bytes, not in messages: 700 messages of 64 KiB
 * of control characters (192 KiB each once shown as symbols) do not all
 * stay, while 100,000 ordinary ones do. */
static void
test_history_in_bytes (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(CharlaTestInbox) inbox = charla_test_inbox_new (node);
  g_autoptr(GSocket) client = NULL;
  g_autoptr(GString) batch = g_string_new (NULL);
  GListModel *messages = charla_node_get_messages (node);
  gsize n_before;

  client = raw_charla_connect (charla_node_get_port (node), "00000000000000ab", "Pesada");
  CHARLA_TEST_WAIT_UNTIL (charla_test_n_peers (node) == 1);

  for (guint i = 0; i < CHARLA_MAX_MESSAGE_SIZE; i++)
    g_string_append_c (batch, i % 2 ? '\x01' : '\x7f');
  g_string_prepend (batch, "MSG ");
  g_string_append_c (batch, '\n');
  for (guint i = 0; i < 700; i++)
    charla_test_raw_send (client, batch->str, batch->len);
  raw_send_string (client, "MSG ligera\n");
  CHARLA_TEST_WAIT_UNTIL_FOR (240, charla_test_inbox_has_text (inbox, "ligera"));

  g_test_message ("%u messages, %" G_GSIZE_FORMAT " bytes of text in the history",
                  g_list_model_get_n_items (messages), history_text_bytes (node));
  g_assert_cmpuint (history_text_bytes (node), <=, 64 * 1024 * 1024);

  /* Ordinary chat: 100,000 lines all stay. */
  n_before = g_list_model_get_n_items (messages);
  g_string_truncate (batch, 0);
  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (batch, "MSG mensaje número %u\n", i);
  charla_test_raw_send (client, batch->str, batch->len);
  CHARLA_TEST_WAIT_UNTIL_FOR (240, charla_test_inbox_has_text (inbox, "mensaje número 99999"));
  g_assert_cmpuint (g_list_model_get_n_items (messages), >=, 100000);
  g_test_message ("%u messages kept (%" G_GSIZE_FORMAT " before)", g_list_model_get_n_items (messages), n_before);
  {
    g_autoptr(CharlaMessage) first = g_list_model_get_item (messages, g_list_model_get_n_items (messages) - 100000);

    g_assert_cmpstr (charla_message_get_text (first), ==, "mensaje número 0");
  }

  g_socket_close (client, NULL);
  check_friend_chats (node);
}

/* Write system calls a process has made so far (/proc/PID/io). */
static guint64
process_write_calls (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/io", g_subprocess_get_identifier (process));
  g_autofree char *contents = NULL;
  const char *syscw;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  syscw = strstr (contents, "syscw: ");
  g_assert_nonnull (syscw);

  return g_ascii_strtoull (syscw + strlen ("syscw: "), NULL, 10);
}

/* A face under a flood writes its output in blocks, not once per
 * message: charla-cli prints 10,000 messages in far fewer writes. */
static void
test_face_output_is_buffered (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autoptr(Child) child = child_start ("Lectora", charla_node_get_port (node));
  guint64 writes_before;
  guint64 writes;

  CHARLA_TEST_WAIT_UNTIL (charla_test_find_peer_named (node, "Lectora") != NULL);
  charla_node_send (node, "primero");
  CHARLA_TEST_WAIT_UNTIL (child->n_messages == 1);

  writes_before = process_write_calls (child->program->process);
  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *text = g_strdup_printf ("mensaje %u", i);

      charla_node_send (node, text);
    }
  CHARLA_TEST_WAIT_UNTIL_FOR (120, child->n_messages == 10001);
  writes = process_write_calls (child->program->process) - writes_before;

  g_test_message ("10,000 messages printed in %" G_GUINT64_FORMAT " writes", writes);
  g_assert_cmpuint (writes, <, 2500);

  check_friend_chats (node);
}

/* charla-cli --json says why it could not start as an "error" object,
 * where a program reading its output looks, not only on stderr. */
static void
test_face_startup_error_in_json (void)
{
  g_autoptr(CharlaNode) node = charla_test_start_node ("Nodo");
  g_autofree char *port = g_strdup_printf ("%u", charla_node_get_port (node));
  struct {
    const char *args[4];
    const char *event;
    int         status;
  } cases[] = {
    { { "--port", port, NULL }, "\"event\":\"not-listening\"", 1 },
    { { "--port", "0", "--bind", "999.1.1.1" }, "\"event\":\"not-listening\"", 1 },
    { { "--ports", "70000", NULL }, "\"event\":\"invalid-option\"", 2 },
    { { "--port", "0", "--connect", "127.0.0.1" }, "\"event\":\"invalid-option\"", 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;

      g_ptr_array_add (argv, (char *) g_getenv ("CHARLA_CLI"));
      g_ptr_array_add (argv, "chat");
      g_ptr_array_add (argv, "--json");
      for (guint j = 0; j < G_N_ELEMENTS (cases[i].args) && cases[i].args[j] != NULL; j++)
        g_ptr_array_add (argv, (char *) cases[i].args[j]);
      g_ptr_array_add (argv, NULL);

      process = g_subprocess_newv ((const char * const *) argv->pdata,
                                   G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                   G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
      g_assert_no_error (error);

      g_test_message ("%s", out);
      g_assert_true (g_str_has_prefix (out, "{\"type\":\"error\""));
      g_assert_nonnull (strstr (out, cases[i].event));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, cases[i].status);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charla/robustness/undelivered-counts-messages", test_undelivered_counts_messages);
  g_test_add_func ("/charla/robustness/queue-counts-bookkeeping", test_queue_counts_bookkeeping);
  g_test_add_func ("/charla/robustness/dropped-peer-is-told", test_dropped_peer_is_told);
  g_test_add_func ("/charla/robustness/flood-takes-turns", test_flood_takes_turns);
  g_test_add_func ("/charla/robustness/framed-limits", test_framed_limits);
  g_test_add_func ("/charla/robustness/other-protocols", test_other_protocols);
  g_test_add_func ("/charla/robustness/empty-messages", test_empty_messages);
  g_test_add_func ("/charla/robustness/connect-to-other-service", test_connect_to_other_service);
  g_test_add_func ("/charla/robustness/claimed-ids", test_claimed_ids);
  g_test_add_func ("/charla/robustness/descriptor-limit", test_descriptor_limit);
  g_test_add_func ("/charla/robustness/connection-burst", test_connection_burst);
  g_test_add_func ("/charla/robustness/silent-peers-stay", test_silent_peers_stay);
  g_test_add_func ("/charla/robustness/query-in-pieces-is-decided", test_query_in_pieces_is_decided);
  g_test_add_func ("/charla/robustness/room-is-made", test_room_is_made);
  g_test_add_func ("/charla/robustness/per-address-cap", test_per_address_cap);
  g_test_add_func ("/charla/robustness/history-in-bytes", test_history_in_bytes);
  g_test_add_func ("/charla/robustness/killed-peer", test_killed_peer);
  g_test_add_func ("/charla/robustness/face-output-is-buffered", test_face_output_is_buffered);
  g_test_add_func ("/charla/robustness/face-startup-error-in-json", test_face_startup_error_in_json);
  g_test_add_func ("/charla/robustness/stopped-peer-under-flood", test_stopped_peer_under_flood);

  return g_test_run ();
}
