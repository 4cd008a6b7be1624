/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

/* Wire compatibility with the seed program, in its three roles (scanner,
 * server, client), through tests/seed-peer.py: an emulator written from
 * the seed's socket code that reports, as JSON lines, exactly what the
 * seed would have read, printed or left unread. */

#include <string.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "charla-test-support.h"

/* Time a negative check ("nothing else happens") gives things to go wrong. */
#define SETTLE_MS 600

static char *
hex_of (const char *data,
        gsize       len)
{
  GString *hex = g_string_sized_new (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", (guchar) data[i]);
  return g_string_free (hex, FALSE);
}

static char *
hex_of_string (const char *text)
{
  return hex_of (text, strlen (text));
}

/* ------------------------------------------------------------------ */
/* The emulator process and the events it prints */

typedef struct {
  CharlaTestProcess *program;
  GPtrArray         *events;     /* JsonObject */
} SeedPeer;

static void
on_seed_line (const char *line,
              gpointer    user_data)
{
  SeedPeer *seed = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (line, &error);

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    g_ptr_array_add (seed->events, json_object_ref (json_node_get_object (node)));
  else
    g_test_message ("seed-peer printed a non-JSON line: %s", line);
}

static const char *
seed_peer_script (void)
{
  const char *script = g_getenv ("CHARLA_SEED_PEER");

  if (script == NULL)
    script = g_test_get_filename (G_TEST_DIST, "seed-peer.py", NULL);
  return script;
}

/* Starts `python seed-peer.py ARGS…` (NULL-terminated). */
static SeedPeer *
seed_peer_spawn (const char *first_arg,
                 ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *python = g_getenv ("PYTHON");
  SeedPeer *seed;
  va_list args;

  g_ptr_array_add (argv, (gpointer) (python != NULL ? python : "python3"));
  g_ptr_array_add (argv, (gpointer) "-u");
  g_ptr_array_add (argv, (gpointer) seed_peer_script ());
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  seed = g_new0 (SeedPeer, 1);
  seed->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  seed->program = charla_test_process_spawnv ((const char * const *) argv->pdata, on_seed_line, seed);
  return seed;
}

static void
seed_peer_free (SeedPeer *seed)
{
  if (seed == NULL)
    return;

  charla_test_process_free (seed->program);
  g_ptr_array_unref (seed->events);
  g_free (seed);
}

/* The @n-th event (from 0) that has a member @key, or %NULL. */
static JsonObject *
seed_peer_nth (SeedPeer   *seed,
               const char *key,
               guint       n)
{
  for (guint i = 0; i < seed->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (seed->events, i);

      if (json_object_has_member (event, key) && n-- == 0)
        return event;
    }
  return NULL;
}

static guint
seed_peer_count (SeedPeer   *seed,
                 const char *key)
{
  guint count = 0;

  for (guint i = 0; i < seed->events->len; i++)
    if (json_object_has_member (g_ptr_array_index (seed->events, i), key))
      count++;
  return count;
}

/* What a seed server printed as chat, chunk by chunk. */
static guint
seed_peer_count_text (SeedPeer *seed)
{
  return seed_peer_count (seed, "text");
}

static const char *
seed_peer_nth_text (SeedPeer *seed,
                    guint     n)
{
  JsonObject *event = seed_peer_nth (seed, "text", n);

  return event != NULL ? json_object_get_string_member (event, "text") : NULL;
}

static gsize
seed_peer_text_bytes (SeedPeer *seed)
{
  gsize total = 0;

  for (guint i = 0; i < seed_peer_count_text (seed); i++)
    total += strlen (seed_peer_nth_text (seed, i));
  return total;
}

/* What the emulator reported, for the log of a failing test. */
static void
seed_peer_log_events (SeedPeer *seed)
{
  for (guint i = 0; i < seed->events->len; i++)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (),
                                                        g_ptr_array_index (seed->events, i));
      g_autofree char *text = json_to_string (node, FALSE);

      g_test_message ("seed-peer: %s", text);
    }
}

static void
seed_peer_type_line (SeedPeer   *seed,
                     const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *with_newline = g_strconcat (line, "\n", NULL);
  GOutputStream *input = g_subprocess_get_stdin_pipe (seed->program->process);

  g_output_stream_write_all (input, with_newline, strlen (with_newline),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (input, NULL, &error);
  g_assert_no_error (error);
}

static guint16
seed_peer_wait_listening (SeedPeer *seed)
{
  JsonObject *event;
  gint64 port;

  CHARLA_TEST_WAIT_UNTIL (seed_peer_nth (seed, "listening", 0) != NULL || seed->program->eof);
  event = seed_peer_nth (seed, "listening", 0);
  g_assert_nonnull (event);
  port = json_object_get_int_member (event, "listening");
  g_assert_cmpint (port, >, 0);
  g_assert_cmpint (port, <=, G_MAXUINT16);
  return (guint16) port;
}

static void
seed_peer_wait_exit (SeedPeer *seed)
{
  g_autoptr(GError) error = NULL;

  CHARLA_TEST_WAIT_UNTIL (seed->program->eof);
  g_subprocess_wait (seed->program->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (seed->program->process));
  g_assert_cmpint (g_subprocess_get_exit_status (seed->program->process), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Nodes, peers and messages */

typedef struct {
  CharlaNode *node;
  CharlaNode *other_node;
  SeedPeer   *seed;
  SeedPeer   *seed_client;
  GSocketConnection *raw;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_pointer (&fixture->seed, seed_peer_free);
  g_clear_pointer (&fixture->seed_client, seed_peer_free);
  if (fixture->raw != NULL)
    g_io_stream_close (G_IO_STREAM (fixture->raw), NULL, NULL);
  g_clear_object (&fixture->raw);
  charla_test_finalize_node (&fixture->node);
  charla_test_finalize_node (&fixture->other_node);
}

static CharlaNode *
start_node_bound (const char *name,
                  const char *bind_address)
{
  CharlaNode *node = charla_test_start_node_bound (name, bind_address);

  g_assert_cmpstr (charla_node_get_name (node), ==, name);
  return node;
}

static CharlaNode *
start_node (const char *name)
{
  return start_node_bound (name, NULL);
}

static guint
count_live_peers (CharlaNode *node)
{
  GListModel *peers = charla_node_get_peers (node);
  guint live = 0;

  for (guint i = 0; i < g_list_model_get_n_items (peers); i++)
    {
      g_autoptr(CharlaPeer) peer = g_list_model_get_item (peers, i);

      if (charla_peer_get_state (peer) != CHARLA_PEER_STATE_CLOSED)
        live++;
    }
  return live;
}

/* The first peer in the list (borrowed: the list holds it). */
static CharlaPeer *
first_peer (CharlaNode *node)
{
  GListModel *peers = charla_node_get_peers (node);
  g_autoptr(CharlaPeer) peer = NULL;

  if (g_list_model_get_n_items (peers) == 0)
    return NULL;
  peer = g_list_model_get_item (peers, 0);
  return peer;
}

static gboolean
peer_is_connected (CharlaPeer *peer)
{
  return peer != NULL && charla_peer_get_state (peer) == CHARLA_PEER_STATE_CONNECTED;
}

static guint
count_incoming (CharlaNode *node)
{
  GListModel *messages = charla_node_get_messages (node);
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(CharlaMessage) message = g_list_model_get_item (messages, i);

      if (charla_message_get_kind (message) == CHARLA_MESSAGE_INCOMING)
        count++;
    }
  return count;
}

/* The @n-th incoming chat message (borrowed), or %NULL. */
static CharlaMessage *
nth_incoming (CharlaNode *node,
              guint       n)
{
  GListModel *messages = charla_node_get_messages (node);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(CharlaMessage) message = g_list_model_get_item (messages, i);

      if (charla_message_get_kind (message) == CHARLA_MESSAGE_INCOMING && n-- == 0)
        return message;
    }
  return NULL;
}

static const char *
nth_incoming_text (CharlaNode *node,
                   guint       n)
{
  CharlaMessage *message = nth_incoming (node, n);

  return message != NULL ? charla_message_get_text (message) : NULL;
}

/* Waits for incoming message number @n and checks its text and sender. */
static void
assert_incoming (CharlaNode *node,
                 guint       n,
                 const char *sender,
                 const char *text)
{
  CharlaMessage *message;

  CHARLA_TEST_WAIT_UNTIL (count_incoming (node) > n);
  message = nth_incoming (node, n);
  g_assert_cmpstr (charla_message_get_text (message), ==, text);
  if (sender != NULL)
    g_assert_cmpstr (charla_message_get_sender (message), ==, sender);
}

/* What the node showed, for the log of a failing test. */
static void
log_messages (CharlaNode *node)
{
  GListModel *messages = charla_node_get_messages (node);

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(CharlaMessage) message = g_list_model_get_item (messages, i);

      g_test_message ("%s message from %s: %s",
                      charla_message_kind_to_string (charla_message_get_kind (message)),
                      charla_message_get_sender (message),
                      charla_message_get_text (message));
    }
}

/* Connects @node to 127.0.0.1:@port and waits until the handshake is over.
 * Returns: (transfer full): the peer */
static CharlaPeer *
connect_and_handshake (CharlaNode *node,
                       guint16     port)
{
  g_autoptr(GError) error = NULL;
  CharlaPeer *peer = charla_test_connect_node (node, "127.0.0.1", port, &error);

  g_assert_no_error (error);
  g_assert_nonnull (peer);
  g_assert_cmpint (charla_peer_get_direction (peer), ==, CHARLA_PEER_OUTGOING);
  CHARLA_TEST_WAIT_UNTIL (charla_peer_get_state (peer) != CHARLA_PEER_STATE_HANDSHAKING);
  g_assert_cmpint (charla_peer_get_state (peer), ==, CHARLA_PEER_STATE_CONNECTED);
  return peer;
}

static GSocketConnection *
raw_connect (guint16 port)
{
  g_autoptr(GSocket) socket = charla_test_raw_connect (port);

  return g_socket_connection_factory_create_connection (socket);
}

static void
raw_write (GSocketConnection *connection,
           const char        *data,
           gsize              len)
{
  charla_test_raw_send (g_socket_connection_get_socket (connection), data, len);
}

/* ------------------------------------------------------------------ */
/* The seed scanner (option 0) probing a Charla node */

static gboolean
scan_timed_out (SeedPeer *seed)
{
  for (guint i = 0; seed_peer_nth (seed, "timed_out", i) != NULL; i++)
    if (json_object_get_boolean_member (seed_peer_nth (seed, "timed_out", i), "timed_out"))
      return TRUE;
  return FALSE;
}

/* Runs the seed's detect_servers() over @ips × @port.  The seed gives a
 * reply 0.1 s; a loaded machine may miss that, which the seed reads as
 * "Anonimo": retried a few times, so the test checks the protocol and
 * not the machine's speed. */
static SeedPeer *
run_seed_scan (const char *ips,
               guint16     port,
               const char *extra_arg)
{
  g_autofree char *ports = g_strdup_printf ("%u-%u", port, port);

  for (guint attempt = 1; ; attempt++)
    {
      SeedPeer *seed = seed_peer_spawn ("scan", "--ip", ips, "--ports", ports,
                                        extra_arg, NULL);

      seed_peer_wait_exit (seed);
      g_assert_nonnull (seed_peer_nth (seed, "done", 0));
      if (!scan_timed_out (seed) || attempt == 5)
        return seed;
      g_test_message ("seed scan timed out (attempt %u), retrying", attempt);
      seed_peer_free (seed);
    }
}

/* Checks that the scan found @name on 127.0.0.1:@port, byte for byte. */
static void
assert_scan_found (SeedPeer   *seed,
                   guint16     port,
                   const char *name)
{
  g_autofree char *name_hex = hex_of_string (name);
  JsonObject *found = NULL;

  g_assert_cmpuint (seed_peer_count (seed, "decode_error"), ==, 0);
  g_assert_cmpuint (seed_peer_count (seed, "error"), ==, 0);
  for (guint i = 0; seed_peer_nth (seed, "port", i) != NULL; i++)
    {
      JsonObject *server = seed_peer_nth (seed, "port", i);

      if (json_object_get_int_member (server, "port") == port &&
          g_strcmp0 (json_object_get_string_member (server, "ip"), "127.0.0.1") == 0)
        {
          g_assert_null (found);
          found = server;
        }
    }
  g_assert_nonnull (found);
  g_assert_false (json_object_get_boolean_member (found, "timed_out"));
  g_assert_cmpstr (json_object_get_string_member (found, "name"), ==, name);
  g_assert_cmpstr (json_object_get_string_member (found, "raw_hex"), ==, name_hex);
  if (json_object_has_member (found, "extra_hex"))
    g_assert_cmpstr (json_object_get_string_member (found, "extra_hex"), ==, "");
}

static void
peers_changed_cb (GListModel *peers,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  guint *max_peers = user_data;

  *max_peers = MAX (*max_peers, g_list_model_get_n_items (peers));
}

static void
test_scanner_name (Fixture       *fixture,
                   gconstpointer  user_data)
{
  guint16 port;
  guint max_peers = 0;
  gulong handler;

  fixture->node = start_node ("Ana");
  port = charla_node_get_port (fixture->node);
  handler = g_signal_connect (charla_node_get_peers (fixture->node), "items-changed",
                              G_CALLBACK (peers_changed_cb), &max_peers);

  fixture->seed = run_seed_scan ("127.0.0.1", port, NULL);
  assert_scan_found (fixture->seed, port, "Ana");

  /* A probe is not a peer, not even for a moment, and not later. */
  charla_test_spin_for (SETTLE_MS + 500);
  g_assert_cmpuint (max_peers, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (charla_node_get_peers (fixture->node)), ==, 0);
  g_assert_cmpuint (count_incoming (fixture->node), ==, 0);
  g_signal_handler_disconnect (charla_node_get_peers (fixture->node), handler);
}

static void
test_scanner_non_ascii_name (Fixture       *fixture,
                             gconstpointer  user_data)
{
  const char *name = "Señora Ñandú";
  guint16 port;

  fixture->node = start_node (name);
  port = charla_node_get_port (fixture->node);

  /* Also waits a while after the name: nothing may follow it. */
  fixture->seed = run_seed_scan ("127.0.0.1", port, "--check-extra=200");
  assert_scan_found (fixture->seed, port, name);
  g_clear_pointer (&fixture->seed, seed_peer_free);

  /* The node keeps working: a second scan, then a seed client chats. */
  fixture->seed = run_seed_scan ("127.0.0.1", port, NULL);
  assert_scan_found (fixture->seed, port, name);
  g_clear_pointer (&fixture->seed, seed_peer_free);

  {
    g_autofree char *port_text = g_strdup_printf ("%u", port);

    fixture->seed_client = seed_peer_spawn ("client", "--port", port_text, NULL);
  }
  CHARLA_TEST_WAIT_UNTIL (seed_peer_nth (fixture->seed_client, "connected", 0) != NULL);
  seed_peer_type_line (fixture->seed_client, "hola después del escaneo");
  assert_incoming (fixture->node, 0, "Anonimo", "hola después del escaneo");
}

/* The seed's loop over last octets, restricted to loopback. */
static void
test_scanner_octet_range (Fixture       *fixture,
                          gconstpointer  user_data)
{
  guint16 port;

  fixture->node = start_node_bound ("Ana", "127.0.0.1");
  port = charla_node_get_port (fixture->node);

  fixture->seed = run_seed_scan ("127.0.0.1-3", port, NULL);
  assert_scan_found (fixture->seed, port, "Ana");
  /* Bound to 127.0.0.1 only: the other addresses refuse. */
  g_assert_cmpuint (seed_peer_count (fixture->seed, "port"), ==, 1);
  charla_test_spin_for (SETTLE_MS);
  g_assert_cmpuint (g_list_model_get_n_items (charla_node_get_peers (fixture->node)), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Charla connecting to a seed server */

/* Starts a seed server, connects the node to it and checks the seed
 * learned nothing but two name queries.
 * Returns: (transfer full): the peer */
static CharlaPeer *
connect_to_seed_server (Fixture    *fixture,
                        const char *seed_name,
                        const char *option)
{
  g_autoptr(CharlaPeer) peer = NULL;
  guint16 port;

  fixture->node = start_node ("Beto");
  fixture->seed = seed_peer_spawn ("server", "--port", "0", "--name", seed_name,
                                   option, NULL);
  port = seed_peer_wait_listening (fixture->seed);

  peer = connect_and_handshake (fixture->node, port);
  g_assert_cmpstr (charla_peer_get_name (peer), ==, seed_name);
  g_assert_true (charla_peer_get_name_known (peer));
  g_assert_cmpint (charla_peer_get_dialect (peer), ==, CHARLA_PEER_DIALECT_SEED);
  g_assert_null (charla_peer_get_node_id (peer));

  /* The handshake was silent: two bare queries, nothing printed. */
  CHARLA_TEST_WAIT_UNTIL (seed_peer_count (fixture->seed, "name_query") >= 2);
  charla_test_spin_for (SETTLE_MS);
  g_assert_cmpuint (seed_peer_count (fixture->seed, "name_query"), ==, 2);
  g_assert_cmpuint (seed_peer_count_text (fixture->seed), ==, 0);
  g_assert_cmpuint (seed_peer_count (fixture->seed, "decode_error"), ==, 0);
  g_assert_cmpuint (seed_peer_count (fixture->seed, "closed"), ==, 0);
  if (count_incoming (fixture->node) > 0)
    {
      log_messages (fixture->node);
      seed_peer_log_events (fixture->seed);
    }
  g_assert_cmpuint (count_incoming (fixture->node), ==, 0);

  return g_steal_pointer (&peer);
}

/* Sends @text and checks the seed printed it as chunk number @n, whole. */
static void
send_and_assert_seed_printed (Fixture    *fixture,
                              guint       n,
                              const char *text)
{
  g_autofree char *text_hex = hex_of_string (text);
  JsonObject *chunk;

  g_assert_cmpuint (charla_node_send (fixture->node, text), ==, 1);
  CHARLA_TEST_WAIT_UNTIL (seed_peer_count_text (fixture->seed) > n ||
              seed_peer_count (fixture->seed, "decode_error") > 0);
  g_assert_cmpuint (seed_peer_count (fixture->seed, "decode_error"), ==, 0);
  chunk = seed_peer_nth (fixture->seed, "text", n);
  g_assert_cmpstr (json_object_get_string_member (chunk, "text"), ==, text);
  g_assert_cmpstr (json_object_get_string_member (chunk, "raw_hex"), ==, text_hex);
}

static void
assert_seed_server_clean (Fixture *fixture,
                          guint    n_texts)
{
  charla_test_spin_for (SETTLE_MS);
  g_assert_cmpuint (seed_peer_count_text (fixture->seed), ==, n_texts);
  g_assert_cmpuint (seed_peer_count (fixture->seed, "name_query"), ==, 2);
  g_assert_cmpuint (seed_peer_count (fixture->seed, "decode_error"), ==, 0);
  g_assert_cmpuint (seed_peer_count (fixture->seed, "closed"), ==, 0);
}

static void
test_server_chat (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(CharlaPeer) peer = connect_to_seed_server (fixture, "Criss", NULL);

  send_and_assert_seed_printed (fixture, 0, "hola");
  send_and_assert_seed_printed (fixture, 1, "¿Qué tal, señor Ñandú? 🎉 ½ € 中文");
  /* The seed's command is never sent as text, in any case. */
  charla_node_send (fixture->node, "--NAME");
  send_and_assert_seed_printed (fixture, 2, "adiós");
  assert_seed_server_clean (fixture, 3);
  g_assert_true (peer_is_connected (peer));
}

/* Messages sent in one go (a script piping lines, text typed during the
 * handshake) reach the seed as one recv() each, as a seed client's sends
 * would, each printed as its own message, when the seed's thread reads
 * each before the next is written (5 ms after the previous one was
 * acknowledged). A seed thread kept from running longer than that
 * (a loaded machine) reads two at once and prints them as one, as it
 * would two seed clients' sends: no sender can prevent it. So the test
 * accepts that, and checks what the node controls: every message
 * arrives, whole, in order, and a printed chunk only ever joins whole
 * messages (never cuts one). */
static void
test_server_burst (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(CharlaPeer) peer = connect_to_seed_server (fixture, "Criss", NULL);
  const char *lines[] = { "uno", "dos", "tres ñ", "cuatro €", "cinco" };
  gsize total = 0;
  guint n_chunks;
  guint line = 0;

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_assert_cmpuint (charla_node_send (fixture->node, lines[i]), ==, 1);
      total += strlen (lines[i]);
    }

  CHARLA_TEST_WAIT_UNTIL (seed_peer_text_bytes (fixture->seed) >= total ||
                          seed_peer_count (fixture->seed, "decode_error") > 0);
  g_assert_cmpuint (seed_peer_count (fixture->seed, "decode_error"), ==, 0);

  n_chunks = seed_peer_count_text (fixture->seed);
  g_test_message ("%u messages printed as %u", (guint) G_N_ELEMENTS (lines), n_chunks);
  for (guint i = 0; i < n_chunks; i++)
    {
      const char *chunk = seed_peer_nth_text (fixture->seed, i);
      gsize offset = 0;

      /* Whole messages, in order, one or more per chunk. */
      do
        {
          gsize len;

          if (line == G_N_ELEMENTS (lines))
            {
              seed_peer_log_events (fixture->seed);
              g_error ("the seed printed more than was sent: \"%s\"", chunk);
            }
          len = strlen (lines[line]);
          if (strncmp (chunk + offset, lines[line], len) != 0)
            {
              seed_peer_log_events (fixture->seed);
              g_error ("chunk %u is \"%s\", not whole messages from \"%s\" on", i, chunk, lines[line]);
            }
          offset += len;
          line++;
        }
      while (chunk[offset] != '\0');
    }
  g_assert_cmpuint (line, ==, G_N_ELEMENTS (lines));
  assert_seed_server_clean (fixture, n_chunks);
}

static void
test_server_non_ascii_name (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(CharlaPeer) peer = connect_to_seed_server (fixture, "Señora Ñandú", NULL);

  send_and_assert_seed_printed (fixture, 0, "hola, Señora");
  assert_seed_server_clean (fixture, 1);
}

static void
test_server_long_message (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(CharlaPeer) peer = connect_to_seed_server (fixture, "Criss", NULL);
  g_autoptr(GString) text = g_string_new ("Mensaje largo:");
  g_autoptr(GString) printed = g_string_new (NULL);
  guint n_chunks;

  /* 1, 2, 3 and 4-byte characters, so no cut at a fixed size is safe. */
  while (text->len < 5000)
    g_string_append (text, " €ñ🎉a");
  g_assert_cmpuint (charla_node_send (fixture->node, text->str), ==, 1);

  CHARLA_TEST_WAIT_UNTIL (seed_peer_text_bytes (fixture->seed) >= text->len ||
              seed_peer_count (fixture->seed, "decode_error") > 0);
  /* A real seed's thread dies on a read it cannot decode: the chunks
   * must not merge into reads that end inside a character. */
  if (seed_peer_count (fixture->seed, "decode_error") > 0)
    seed_peer_log_events (fixture->seed);
  g_assert_cmpuint (seed_peer_count (fixture->seed, "decode_error"), ==, 0);

  n_chunks = seed_peer_count_text (fixture->seed);
  g_assert_cmpuint (n_chunks, >=, (text->len + 1023) / 1024);
  for (guint i = 0; i < n_chunks; i++)
    {
      const char *chunk = seed_peer_nth_text (fixture->seed, i);

      g_assert_cmpuint (strlen (chunk), <=, 1024);
      g_string_append (printed, chunk);
    }
  if (!g_str_equal (printed->str, text->str))
    seed_peer_log_events (fixture->seed);
  g_assert_cmpstr (printed->str, ==, text->str);

  /* And the next message is one chunk again. */
  send_and_assert_seed_printed (fixture, n_chunks, "siguiente");
  assert_seed_server_clean (fixture, n_chunks + 1);
}

/* A name cut in the middle of "ñ" arriving in two pieces 10 ms apart,
 * inside the 30 ms a reply may take to gather. */
static void
test_server_split_reply (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(CharlaPeer) peer = connect_to_seed_server (fixture, "Peñón", "--split-reply=10");

  send_and_assert_seed_printed (fixture, 0, "hola");
  assert_seed_server_clean (fixture, 1);
}

/* The first reply's tail ("\xb1ón") travels with the second reply, in
 * one segment: "Pe\xc3", then "\xb1ónPeñón". */
static void
test_server_merged_reply (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(CharlaPeer) peer = connect_to_seed_server (fixture, "Peñón", "--double-reply");

  send_and_assert_seed_printed (fixture, 0, "hola");
  assert_seed_server_clean (fixture, 1);
}

/* ------------------------------------------------------------------ */
/* A seed client (option 1) connecting to Charla */

static SeedPeer *
spawn_seed_client (CharlaNode *node)
{
  g_autofree char *port = g_strdup_printf ("%u", charla_node_get_port (node));
  SeedPeer *seed = seed_peer_spawn ("client", "--port", port, "--check-unread", NULL);

  CHARLA_TEST_WAIT_UNTIL (seed_peer_nth (seed, "connected", 0) != NULL || seed->program->eof);
  g_assert_nonnull (seed_peer_nth (seed, "connected", 0));
  return seed;
}

static gboolean
hex_matches (const char *hex,
             const char *pattern)
{
  g_autoptr(GString) bytes = g_string_new (NULL);

  for (const char *p = hex; p[0] != '\0' && p[1] != '\0'; p += 2)
    g_string_append_c (bytes, (char) ((g_ascii_xdigit_value (p[0]) << 4) |
                                      g_ascii_xdigit_value (p[1])));
  return g_regex_match_simple (pattern, bytes->str, G_REGEX_RAW, 0);
}

/* Asks the emulator what it would have left unread so far, until the
 * bytes match @pattern (a regular expression, anchor it). */
static void
wait_pending (SeedPeer   *seed,
              const char *pattern)
{
  for (guint n = 0; ; n++)
    {
      const char *pending;

      seed_peer_type_line (seed, "::peek");
      CHARLA_TEST_WAIT_UNTIL (seed_peer_nth (seed, "pending_hex", n) != NULL);
      pending = json_object_get_string_member (seed_peer_nth (seed, "pending_hex", n),
                                               "pending_hex");
      if (hex_matches (pending, pattern))
        return;
      if (n == 200)
        g_error ("Unread bytes %s never matched %s", pending, pattern);
      charla_test_spin_for (100);
    }
}

static void
test_client_chat (Fixture       *fixture,
                  gconstpointer  user_data)
{
  const char *name = "Ana María";
  g_autofree char *escaped = g_regex_escape_string (name, -1);
  g_autofree char *just_name = g_strdup_printf ("^%s$", escaped);
  g_autofree char *name_and_hello = g_strdup_printf ("^%sCHARLA/1 HELLO [0-9a-f]{16} %s\n$",
                                                     escaped, escaped);
  g_autoptr(GString) long_text = g_string_new (NULL);
  CharlaPeer *peer;
  JsonObject *unread;

  fixture->node = start_node (name);
  fixture->seed_client = spawn_seed_client (fixture->node);

  /* It never says its name: shown as "Anonimo", once it stayed a while. */
  CHARLA_TEST_WAIT_UNTIL (count_live_peers (fixture->node) == 1);
  peer = first_peer (fixture->node);
  g_assert_cmpstr (charla_peer_get_name (peer), ==, "Anonimo");
  g_assert_cmpint (charla_peer_get_direction (peer), ==, CHARLA_PEER_INCOMING);
  g_assert_cmpint (charla_peer_get_dialect (peer), ==, CHARLA_PEER_DIALECT_SEED);

  seed_peer_type_line (fixture->seed_client, "hola");
  assert_incoming (fixture->node, 0, "Anonimo", "hola");
  seed_peer_type_line (fixture->seed_client, "¿Qué tal? ñandú 🎉");
  assert_incoming (fixture->node, 1, "Anonimo", "¿Qué tal? ñandú 🎉");

  /* One send() of 4 KiB in multibyte characters is one message. */
  while (long_text->len < 4000)
    g_string_append (long_text, "€ñ🎉a ");
  seed_peer_type_line (fixture->seed_client, long_text->str);
  assert_incoming (fixture->node, 2, "Anonimo", long_text->str);

  /* "--name" typed at the seed is the name query: answered, not chat. */
  seed_peer_type_line (fixture->seed_client, "--name");
  wait_pending (fixture->seed_client, just_name);
  /* Asked twice, the answer is the HELLO line (nobody reads it). */
  seed_peer_type_line (fixture->seed_client, "--NAME");
  wait_pending (fixture->seed_client, name_and_hello);
  seed_peer_type_line (fixture->seed_client, "adiós");
  assert_incoming (fixture->node, 3, "Anonimo", "adiós");
  g_assert_cmpint (charla_peer_get_dialect (peer), ==, CHARLA_PEER_DIALECT_SEED);

  seed_peer_type_line (fixture->seed_client, "--ex");
  CHARLA_TEST_WAIT_UNTIL (seed_peer_nth (fixture->seed_client, "unread_hex", 0) != NULL);
  unread = seed_peer_nth (fixture->seed_client, "unread_hex", 0);
  g_assert_true (hex_matches (json_object_get_string_member (unread, "unread_hex"),
                              name_and_hello));
  seed_peer_wait_exit (fixture->seed_client);

  CHARLA_TEST_WAIT_UNTIL (count_live_peers (fixture->node) == 0);
  charla_test_spin_for (SETTLE_MS);
  g_assert_cmpuint (count_incoming (fixture->node), ==, 4);
}

/* A seed client that never asks the name receives nothing at all, even
 * while this node chats. */
static void
test_client_receives_nothing (Fixture       *fixture,
                              gconstpointer  user_data)
{
  JsonObject *unread;

  fixture->node = start_node ("Ana");
  fixture->seed_client = spawn_seed_client (fixture->node);
  CHARLA_TEST_WAIT_UNTIL (count_live_peers (fixture->node) == 1);
  seed_peer_type_line (fixture->seed_client, "hola");
  assert_incoming (fixture->node, 0, "Anonimo", "hola");

  charla_test_spin_for (SETTLE_MS);
  seed_peer_type_line (fixture->seed_client, "--ex");
  CHARLA_TEST_WAIT_UNTIL (seed_peer_nth (fixture->seed_client, "unread_hex", 0) != NULL);
  unread = seed_peer_nth (fixture->seed_client, "unread_hex", 0);
  g_assert_cmpstr (json_object_get_string_member (unread, "unread_hex"), ==, "");
  seed_peer_wait_exit (fixture->seed_client);
}

/* ------------------------------------------------------------------ */
/* Raw clients: what a seed cannot send, but nc or a broken peer can */

static void
test_raw_invalid_utf8 (Fixture       *fixture,
                       gconstpointer  user_data)
{
  static const char bytes[] = "ab\xff" "cd\xc3(\xed\xa0\x80z\n";

  fixture->node = start_node ("Ana");
  fixture->raw = raw_connect (charla_node_get_port (fixture->node));
  raw_write (fixture->raw, bytes, sizeof bytes - 1);
  CHARLA_TEST_WAIT_UNTIL (count_incoming (fixture->node) >= 1);
  g_assert_true (g_utf8_validate (nth_incoming_text (fixture->node, 0), -1, NULL));
  g_assert_true (g_str_has_prefix (nth_incoming_text (fixture->node, 0),
                                   "ab\xef\xbf\xbd" "cd\xef\xbf\xbd("));
  g_assert_true (g_str_has_suffix (nth_incoming_text (fixture->node, 0),
                                   "\xef\xbf\xbdz"));
  g_assert_cmpstr (charla_message_get_sender (nth_incoming (fixture->node, 0)), ==, "Anonimo");
}

static void
test_raw_control_characters (Fixture       *fixture,
                             gconstpointer  user_data)
{
  /* SOH, ESC, DEL, tab, C1 NEL, RIGHT-TO-LEFT OVERRIDE, BEL */
  static const char bytes[] = "ab\x01" "c\x1b[31md\x7f" "e\tf\xc2\x85g\xe2\x80\xaeh\x07\n";
  const char *expected = "ab\xe2\x90\x81" "c\xe2\x90\x9b[31md\xe2\x90\xa1"
                         "e\tf\xef\xbf\xbdg\xef\xbf\xbdh\xe2\x90\x87";

  fixture->node = start_node ("Ana");
  fixture->raw = raw_connect (charla_node_get_port (fixture->node));
  /* Control bytes as a client's very first bytes mark a binary probe
   * (test-robustness); later in a chat they are shown defused. */
  raw_write (fixture->raw, "hola\n", 5);
  assert_incoming (fixture->node, 0, "Anonimo", "hola");
  raw_write (fixture->raw, bytes, sizeof bytes - 1);
  assert_incoming (fixture->node, 1, "Anonimo", expected);
}

/* NUL is a C0 control too: U+2400, and the text after it is kept. */
static void
test_raw_nul_byte (Fixture       *fixture,
                   gconstpointer  user_data)
{
  static const char bytes[] = "a\0b\n";

  fixture->node = start_node ("Ana");
  fixture->raw = raw_connect (charla_node_get_port (fixture->node));
  /* Not as the very first bytes: those would mark a binary probe. */
  raw_write (fixture->raw, "hola\n", 5);
  assert_incoming (fixture->node, 0, "Anonimo", "hola");
  raw_write (fixture->raw, bytes, sizeof bytes - 1);
  assert_incoming (fixture->node, 1, "Anonimo", "a\xe2\x90\x80" "b");
}

static void
test_raw_disconnect_mid_message (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  static const char cut_in_character[] = "corte en ñ\xc3";
  g_autoptr(GSocketConnection) second = NULL;

  fixture->node = start_node ("Ana");
  fixture->raw = raw_connect (charla_node_get_port (fixture->node));
  raw_write (fixture->raw, "primera\nsegunda sin final", 25);
  g_io_stream_close (G_IO_STREAM (fixture->raw), NULL, NULL);
  assert_incoming (fixture->node, 0, "Anonimo", "primera");
  assert_incoming (fixture->node, 1, "Anonimo", "segunda sin final");

  /* Gone in the middle of a character: what came is kept, repaired. */
  second = raw_connect (charla_node_get_port (fixture->node));
  raw_write (second, cut_in_character, sizeof cut_in_character - 1);
  g_io_stream_close (G_IO_STREAM (second), NULL, NULL);
  assert_incoming (fixture->node, 2, "Anonimo", "corte en ñ\xef\xbf\xbd");

  CHARLA_TEST_WAIT_UNTIL (count_live_peers (fixture->node) == 0);
}

typedef struct {
  gboolean done;
  GError  *error;
} WriteResult;

static void
write_all_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  WriteResult *write_result = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL,
                                    &write_result->error);
  write_result->done = TRUE;
}

static gboolean
last_incoming_is (CharlaNode *node,
                  const char *text)
{
  guint count = count_incoming (node);

  return count > 0 && g_strcmp0 (nth_incoming_text (node, count - 1), text) == 0;
}

/* 10 MB without a newline: delivered in pieces of at most 64 KiB, cut on
 * character boundaries, nothing lost, and the node goes on. */
static void
test_raw_ten_megabytes (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(GString) payload = g_string_new (NULL);
  g_autoptr(GString) received = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  WriteResult result = { 0 };
  GOutputStream *output;
  guint count;

  while (payload->len < 10 * 1000 * 1000)
    g_string_append (payload, "ab€ñ🎉");   /* 11 bytes: cuts never align */
  g_string_append (payload, "\ndespués\n");

  fixture->node = start_node ("Ana");
  fixture->raw = raw_connect (charla_node_get_port (fixture->node));
  output = g_io_stream_get_output_stream (G_IO_STREAM (fixture->raw));
  g_output_stream_write_all_async (output, payload->str, payload->len, G_PRIORITY_DEFAULT,
                                   NULL, write_all_cb, &result);
  CHARLA_TEST_WAIT_UNTIL (result.done);
  g_assert_no_error (result.error);
  CHARLA_TEST_WAIT_UNTIL (last_incoming_is (fixture->node, "después"));

  count = count_incoming (fixture->node);
  g_assert_cmpuint (count, >=, 153);   /* ⌈10 MB / 64 KiB⌉ */
  for (guint i = 0; i + 1 < count; i++)
    {
      const char *piece = nth_incoming_text (fixture->node, i);

      g_assert_cmpuint (strlen (piece), <=, CHARLA_MAX_MESSAGE_SIZE);
      g_string_append (received, piece);
    }
  g_string_append (received, "\ndespués\n");
  g_assert_cmpuint (received->len, ==, payload->len);
  g_assert_true (memcmp (received->str, payload->str, payload->len) == 0);

  /* And a fresh seed client is still served. */
  fixture->seed_client = spawn_seed_client (fixture->node);
  seed_peer_type_line (fixture->seed_client, "sigo aquí");
  CHARLA_TEST_WAIT_UNTIL (last_incoming_is (fixture->node, "sigo aquí"));
}

/* ------------------------------------------------------------------ */
/* Control: two Charla nodes through the same handshake */

static void
test_charla_to_charla (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(CharlaPeer) outgoing = NULL;
  g_autoptr(GString) long_text = g_string_new (NULL);
  CharlaPeer *incoming;

  fixture->node = start_node ("Ana");
  fixture->other_node = start_node ("Beto Ñandú");

  outgoing = connect_and_handshake (fixture->other_node, charla_node_get_port (fixture->node));
  g_assert_cmpstr (charla_peer_get_name (outgoing), ==, "Ana");
  g_assert_cmpint (charla_peer_get_dialect (outgoing), ==, CHARLA_PEER_DIALECT_CHARLA);

  CHARLA_TEST_WAIT_UNTIL (peer_is_connected (charla_test_find_peer_named (fixture->node, "Beto Ñandú")) &&
                          charla_peer_get_dialect (charla_test_find_peer_named (fixture->node, "Beto Ñandú"))
                            == CHARLA_PEER_DIALECT_CHARLA);
  incoming = charla_test_find_peer_named (fixture->node, "Beto Ñandú");
  g_assert_cmpint (charla_peer_get_direction (incoming), ==, CHARLA_PEER_INCOMING);
  g_assert_true (charla_peer_get_name_known (incoming));
  g_assert_true (g_regex_match_simple ("^[0-9a-f]{16}$", charla_peer_get_node_id (outgoing), 0, 0));
  g_assert_true (g_regex_match_simple ("^[0-9a-f]{16}$", charla_peer_get_node_id (incoming), 0, 0));
  g_assert_cmpstr (charla_peer_get_node_id (outgoing), !=, charla_peer_get_node_id (incoming));
  g_assert_cmpuint (count_live_peers (fixture->node), ==, 1);

  g_assert_cmpuint (charla_node_send (fixture->other_node, "hola Ana"), ==, 1);
  assert_incoming (fixture->node, 0, "Beto Ñandú", "hola Ana");
  g_assert_cmpuint (charla_node_send (fixture->node, "¿qué tal, Beto? 🎉"), ==, 1);
  assert_incoming (fixture->other_node, 0, "Ana", "¿qué tal, Beto? 🎉");

  /* Framed: no 1024-byte chunks between Charla nodes, and a message
   * that is exactly the seed's query is just text here... if sent. */
  while (long_text->len < 3000)
    g_string_append (long_text, "€ñ🎉a ");
  charla_node_send (fixture->other_node, long_text->str);
  assert_incoming (fixture->node, 1, "Beto Ñandú", long_text->str);

  charla_test_spin_for (SETTLE_MS);
  g_assert_cmpuint (count_incoming (fixture->node), ==, 2);
  g_assert_cmpuint (count_incoming (fixture->other_node), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  /* No G_TEST_OPTION_ISOLATE_DIRS: nothing here touches user dirs, and
   * GLib 2.74 leaks the strings it sets, which LeakSanitizer reports. */
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/charla/seed-interop/scanner/name", test_scanner_name);
  ADD ("/charla/seed-interop/scanner/non-ascii-name", test_scanner_non_ascii_name);
  ADD ("/charla/seed-interop/scanner/octet-range", test_scanner_octet_range);
  ADD ("/charla/seed-interop/server/chat", test_server_chat);
  ADD ("/charla/seed-interop/server/burst", test_server_burst);
  ADD ("/charla/seed-interop/server/non-ascii-name", test_server_non_ascii_name);
  ADD ("/charla/seed-interop/server/long-message", test_server_long_message);
  ADD ("/charla/seed-interop/server/split-reply", test_server_split_reply);
  ADD ("/charla/seed-interop/server/merged-reply", test_server_merged_reply);
  ADD ("/charla/seed-interop/client/chat", test_client_chat);
  ADD ("/charla/seed-interop/client/receives-nothing", test_client_receives_nothing);
  ADD ("/charla/seed-interop/raw/invalid-utf8", test_raw_invalid_utf8);
  ADD ("/charla/seed-interop/raw/control-characters", test_raw_control_characters);
  ADD ("/charla/seed-interop/raw/nul-byte", test_raw_nul_byte);
  ADD ("/charla/seed-interop/raw/disconnect-mid-message", test_raw_disconnect_mid_message);
  ADD ("/charla/seed-interop/raw/ten-megabytes", test_raw_ten_megabytes);
  ADD ("/charla/seed-interop/charla/control", test_charla_to_charla);

#undef ADD

  return g_test_run ();
}
