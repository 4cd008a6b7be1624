/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include <string.h>

#include "charla-test-support.h"

/* How often a wait looks at its condition when nothing else wakes it:
 * some conditions change without a source firing (a subprocess wrote). */
#define WAIT_TICK_MS 20

gint64
charla_test_deadline_in (guint seconds)
{
  return g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
}

static gboolean
on_tick (gpointer user_data)
{
  /* Removed by whoever added it, fired or not. */
  return G_SOURCE_CONTINUE;
}

/* One blocking iteration of the default main context, woken at the
 * latest after a tick, unless @deadline has passed.
 * Returns: %FALSE, without iterating, once @deadline has passed */
gboolean
charla_test_iterate_before (gint64 deadline)
{
  guint tick;

  if (g_get_monotonic_time () > deadline)
    return FALSE;

  tick = g_timeout_add (WAIT_TICK_MS, on_tick, NULL);
  g_main_context_iteration (NULL, TRUE);
  g_clear_handle_id (&tick, g_source_remove);
  return TRUE;
}

/* The same, failing the test once @deadline has passed. */
void
charla_test_iterate (gint64      deadline,
                     const char *waiting_for)
{
  if (!charla_test_iterate_before (deadline))
    g_error ("Timed out waiting for: %s", waiting_for);
}

/* Spins the main context until @condition holds; fails after
 * %CHARLA_TEST_WAIT_SECONDS. */
void
charla_test_wait_until (CharlaTestCondition condition,
                        gpointer            data)
{
  CHARLA_TEST_WAIT_UNTIL (condition (data));
}

/* Spins the main context for @ms milliseconds. */
void
charla_test_spin_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    charla_test_iterate (G_MAXINT64, "time to pass");
}

/* A GAsyncReadyCallback that keeps the result in *@data (a GAsyncResult
 * pointer starting out NULL), to wait on with CHARLA_TEST_WAIT_UNTIL. */
void
charla_test_store_result (GObject      *object,
                          GAsyncResult *result,
                          gpointer      data)
{
  GAsyncResult **out_result = data;

  g_assert_null (*out_result);
  *out_result = g_object_ref (result);
}

/* A running node listening on the first free port of @port_min–@port_max
 * (0–0: any free port), on @bind_address if not %NULL. */
CharlaNode *
charla_test_start_node_full (const char *name,
                             const char *bind_address,
                             guint16     port_min,
                             guint16     port_max)
{
  g_autoptr(CharlaNode) node = charla_node_new (name);
  g_autoptr(GError) error = NULL;

  charla_node_set_port_range (node, port_min, port_max);
  if (bind_address != NULL)
    charla_node_set_bind_address (node, bind_address);
  g_assert_true (charla_node_start (node, &error));
  g_assert_no_error (error);
  g_assert_true (charla_node_get_running (node));
  g_assert_cmpuint (charla_node_get_port (node), >, 0);

  return g_steal_pointer (&node);
}

/* A running node on any free port, on @bind_address if not %NULL. */
CharlaNode *
charla_test_start_node_bound (const char *name,
                              const char *bind_address)
{
  return charla_test_start_node_full (name, bind_address, 0, 0);
}

CharlaNode *
charla_test_start_node (const char *name)
{
  return charla_test_start_node_bound (name, NULL);
}

/* Connects @node and waits for the outcome.
 * Returns: (transfer full) (nullable): the peer, or %NULL with @error set */
CharlaPeer *
charla_test_connect_node (CharlaNode  *node,
                          const char  *host,
                          guint16      port,
                          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  charla_node_connect_async (node, host, port, NULL, charla_test_store_result, &result);
  CHARLA_TEST_WAIT_UNTIL (result != NULL);

  return charla_node_connect_finish (node, result, error);
}

/* Stops and drops the node, then waits until pending I/O, which may hold
 * it for a few iterations, lets it go: it must not leak. */
void
charla_test_finalize_node (CharlaNode **node_pointer)
{
  CharlaNode *node = *node_pointer;

  if (node == NULL)
    return;

  charla_node_stop (node);
  g_object_add_weak_pointer (G_OBJECT (node), (gpointer *) node_pointer);
  g_object_unref (node);
  CHARLA_TEST_WAIT_UNTIL (*node_pointer == NULL);
}

/* How many file descriptors this process has open (Linux). */
guint
charla_test_count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

/* How many established peers @node lists. */
guint
charla_test_n_peers (CharlaNode *node)
{
  return g_list_model_get_n_items (charla_node_get_peers (node));
}

/* The first peer @node lists under @name.
 * Returns: (transfer none) (nullable): the peer (the list holds it) */
CharlaPeer *
charla_test_find_peer_named (CharlaNode *node,
                             const char *name)
{
  GListModel *peers = charla_node_get_peers (node);

  for (guint i = 0; i < g_list_model_get_n_items (peers); i++)
    {
      g_autoptr(CharlaPeer) peer = g_list_model_get_item (peers, i);

      if (g_strcmp0 (charla_peer_get_name (peer), name) == 0)
        return peer;
    }

  return NULL;
}

static void
on_inbox_message (CharlaNode      *node,
                  CharlaMessage   *message,
                  CharlaTestInbox *inbox)
{
  const char *text = charla_message_get_text (message);

  switch (charla_message_get_kind (message))
    {
    case CHARLA_MESSAGE_INCOMING:
      g_ptr_array_add (inbox->texts, g_strdup (text));
      g_ptr_array_add (inbox->senders, g_strdup (charla_message_get_sender (message)));
      inbox->total_bytes += strlen (text);
      break;
    case CHARLA_MESSAGE_OUTGOING:
      break;
    case CHARLA_MESSAGE_NOTICE:
    case CHARLA_MESSAGE_ERROR:
    default:
      g_test_message ("notice: %s", text);
      g_ptr_array_add (inbox->notices, g_strdup (text));
      break;
    }
}

/* Starts collecting what @node shows; free it before or after the node. */
CharlaTestInbox *
charla_test_inbox_new (CharlaNode *node)
{
  CharlaTestInbox *inbox = g_new0 (CharlaTestInbox, 1);

  inbox->node = node;
  g_object_add_weak_pointer (G_OBJECT (node), (gpointer *) &inbox->node);
  inbox->texts = g_ptr_array_new_with_free_func (g_free);
  inbox->senders = g_ptr_array_new_with_free_func (g_free);
  inbox->notices = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (node, "message", G_CALLBACK (on_inbox_message), inbox);

  return inbox;
}

void
charla_test_inbox_free (CharlaTestInbox *inbox)
{
  if (inbox->node != NULL)
    {
      g_signal_handlers_disconnect_by_data (inbox->node, inbox);
      g_object_remove_weak_pointer (G_OBJECT (inbox->node), (gpointer *) &inbox->node);
    }
  g_ptr_array_unref (inbox->texts);
  g_ptr_array_unref (inbox->senders);
  g_ptr_array_unref (inbox->notices);
  g_free (inbox);
}

/* Whether @text has arrived, as a whole message. */
gboolean
charla_test_inbox_has_text (CharlaTestInbox *inbox,
                            const char      *text)
{
  for (guint i = 0; i < inbox->texts->len; i++)
    if (g_strcmp0 (g_ptr_array_index (inbox->texts, i), text) == 0)
      return TRUE;

  return FALSE;
}

/* The first notice that contains @needle, or %NULL. */
const char *
charla_test_inbox_find_notice (CharlaTestInbox *inbox,
                               const char      *needle)
{
  for (guint i = 0; i < inbox->notices->len; i++)
    if (strstr (g_ptr_array_index (inbox->notices, i), needle) != NULL)
      return g_ptr_array_index (inbox->notices, i);

  return NULL;
}

/* How many notices contain @needle. */
guint
charla_test_inbox_count_notices (CharlaTestInbox *inbox,
                                 const char      *needle)
{
  guint n = 0;

  for (guint i = 0; i < inbox->notices->len; i++)
    if (strstr (g_ptr_array_index (inbox->notices, i), needle) != NULL)
      n++;

  return n;
}

/* A TCP socket listening on @address:@port (0: any free port) that
 * queues up to @backlog connections nobody accepts.
 * Returns: (transfer full) (nullable): the socket, or %NULL with @error set */
GSocket *
charla_test_listen_raw (GInetAddress  *address,
                        guint16        port,
                        int            backlog,
                        GError       **error)
{
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (address, port);
  g_autoptr(GSocket) socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, error);

  if (socket == NULL)
    return NULL;
  g_socket_set_listen_backlog (socket, backlog);
  if (!g_socket_bind (socket, socket_address, FALSE, error) || !g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

/* The local port of a bound or connected @socket. */
guint16
charla_test_socket_get_port (GSocket *socket)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, &error);

  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
}

/* A port of @address where nothing listens: bound, read back, released. */
guint16
charla_test_closed_port (GInetAddress *address)
{
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (address, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any_port, FALSE, &error));
  g_assert_no_error (error);
  return charla_test_socket_get_port (socket);
}

/* Whether nothing is bound to @port of @address: it can be bound now. */
gboolean
charla_test_port_is_free (GInetAddress *address,
                          guint16       port)
{
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (address, port);
  g_autoptr(GSocket) socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);

  return socket != NULL && g_socket_bind (socket, socket_address, FALSE, NULL);
}

/* A raw client, as a seed client or netcat: a blocking GSocket
 * connected to 127.0.0.1:@port. */
GSocket *
charla_test_raw_connect (guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_connect (socket, address, NULL, &error));
  g_assert_no_error (error);

  return socket;
}

static gboolean
on_socket_ready (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  return G_SOURCE_REMOVE;
}

/* Spins the main context until @socket is ready for @condition. */
static void
wait_for_socket (GSocket      *socket,
                 GIOCondition  condition,
                 gint64        deadline,
                 const char   *waiting_for)
{
  g_autoptr(GSource) source = g_socket_create_source (socket, condition | G_IO_HUP | G_IO_ERR, NULL);

  g_source_set_callback (source, G_SOURCE_FUNC (on_socket_ready), NULL, NULL);
  g_source_attach (source, NULL);
  charla_test_iterate (deadline, waiting_for);
  g_source_destroy (source);
}

/* Sends all of @data, spinning the main context (the node under test runs
 * in this thread) while the socket is full. */
void
charla_test_raw_send (GSocket    *socket,
                      const char *data,
                      gsize       len)
{
  g_autoptr(GError) error = NULL;
  gint64 deadline = charla_test_deadline_in (CHARLA_TEST_WAIT_SECONDS);

  g_socket_set_blocking (socket, FALSE);
  while (len > 0)
    {
      gssize sent = g_socket_send (socket, data, len, NULL, &error);

      if (sent < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_clear_error (&error);
          wait_for_socket (socket, G_IO_OUT, deadline, "room in a raw client's socket");
          continue;
        }
      g_assert_no_error (error);
      data += sent;
      len -= sent;
    }
}

/* Reads what is there, spinning the main context until something
 * arrives; 0 at the end of the stream. */
gssize
charla_test_raw_receive (GSocket *socket,
                         char    *buffer,
                         gsize    size)
{
  gint64 deadline = charla_test_deadline_in (CHARLA_TEST_WAIT_SECONDS);

  g_socket_set_blocking (socket, FALSE);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n_read = g_socket_receive (socket, buffer, size, NULL, &error);

      if (n_read >= 0)
        return n_read;
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
      wait_for_socket (socket, G_IO_IN, deadline, "bytes on a raw client's socket");
    }
}

static void process_read_next (CharlaTestProcess *process);

static void
on_process_line (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CharlaTestProcess *process = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                     result, NULL, &error);

  if (line == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_test_message ("reading a program's output: %s", error->message);
      process->reading = FALSE;
      process->eof = TRUE;
      return;
    }

  process->line_func (line, process->data);
  process_read_next (process);
}

static void
process_read_next (CharlaTestProcess *process)
{
  process->reading = TRUE;
  g_data_input_stream_read_line_async (process->output, G_PRIORITY_DEFAULT, process->cancellable,
                                       on_process_line, process);
}

/* Starts @argv (NULL-terminated) and reads its output, handing each
 * line to @line_func with @data, until it ends. */
CharlaTestProcess *
charla_test_process_spawnv (const char * const *argv,
                            CharlaTestLineFunc  line_func,
                            gpointer            data)
{
  g_autoptr(GError) error = NULL;
  CharlaTestProcess *process = g_new0 (CharlaTestProcess, 1);

  process->process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                        &error);
  g_assert_no_error (error);
  process->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process->process));
  process->cancellable = g_cancellable_new ();
  process->line_func = line_func;
  process->data = data;
  process_read_next (process);

  return process;
}

/* Ends the program (SIGKILL), waits for it and for the last read. */
void
charla_test_process_free (CharlaTestProcess *process)
{
  g_subprocess_force_exit (process->process);
  g_subprocess_wait (process->process, NULL, NULL);
  g_cancellable_cancel (process->cancellable);
  CHARLA_TEST_WAIT_UNTIL (!process->reading);

  g_object_unref (process->output);
  g_object_unref (process->cancellable);
  g_object_unref (process->process);
  g_free (process);
}

struct _CharlaTestServers
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex mutex;
  GCond cond;
  gboolean ready;
  gboolean listening;

  CharlaTestListenFunc listen;
  GDestroyNotify release;
  gpointer data;
};

static gpointer
test_servers_run (gpointer user_data)
{
  CharlaTestServers *servers = user_data;
  gboolean listening = FALSE;

  g_main_context_push_thread_default (servers->context);

  /* A random port high above the usual services, until one is free. */
  for (guint attempt = 0; attempt < 50 && !listening; attempt++)
    {
      listening = servers->listen (servers->data, (guint16) g_random_int_range (20000, 60000));
      if (!listening)
        servers->release (servers->data);
    }

  g_mutex_lock (&servers->mutex);
  servers->ready = TRUE;
  servers->listening = listening;
  g_cond_signal (&servers->cond);
  g_mutex_unlock (&servers->mutex);

  if (listening)
    {
      g_main_loop_run (servers->loop);
      servers->release (servers->data);
    }

  /* Let pending operations see their streams closed. */
  while (g_main_context_iteration (servers->context, FALSE))
    ;
  g_main_context_pop_thread_default (servers->context);
  return NULL;
}

/* Starts a thread whose main context runs servers: @listen is tried on
 * random ports until it succeeds (the test fails after 50 tries); @release
 * closes them there, after a failed try and at the end. */
CharlaTestServers *
charla_test_servers_start (CharlaTestListenFunc listen,
                           GDestroyNotify       release,
                           gpointer             data)
{
  CharlaTestServers *servers = g_new0 (CharlaTestServers, 1);

  g_mutex_init (&servers->mutex);
  g_cond_init (&servers->cond);
  servers->listen = listen;
  servers->release = release;
  servers->data = data;
  servers->context = g_main_context_new ();
  servers->loop = g_main_loop_new (servers->context, FALSE);
  servers->thread = g_thread_new ("test-servers", test_servers_run, servers);

  g_mutex_lock (&servers->mutex);
  while (!servers->ready)
    g_cond_wait (&servers->cond, &servers->mutex);
  g_mutex_unlock (&servers->mutex);

  g_assert_true (servers->listening);
  return servers;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
charla_test_servers_stop (CharlaTestServers *servers)
{
  g_main_context_invoke (servers->context, quit_loop, servers->loop);
  g_thread_join (servers->thread);
  g_main_loop_unref (servers->loop);
  g_main_context_unref (servers->context);
  g_mutex_clear (&servers->mutex);
  g_cond_clear (&servers->cond);
  g_free (servers);
}
