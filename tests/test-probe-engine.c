/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gio/gio.h>

#include "charla-probe-engine.h"
#include "charla-scanner-private.h"
#include "charla-test-support.h"

/* The probe engine that this build has (meson -Dprobe_engine), driven
 * through CharlaScanner: what a probe finds, and that a scan stopped at
 * any point of any probe's life frees everything and closes every
 * socket.  CI runs this program on both engines. */

#define NODE_NAME "Nodo de prueba"

/* Long enough that a loaded machine never turns a live port into a
 * timeout; the one filtered port costs this once per scan. */
#define CONNECT_TIMEOUT_MS 300
#define REPLY_TIMEOUT_MS 1500

/* ---------------------------------------------------------------------
 * Servers on one port of consecutive loopback addresses, served from a
 * thread of their own so answers never wait for the scanner's loop.
 */

typedef enum {
  TARGET_NODE,          /* answers the name query with a name */
  TARGET_ECHO,          /* sends back whatever it reads */
  TARGET_SILENT,        /* accepts (in the kernel) and never answers */
  TARGET_HANGUP,        /* accepts and closes at once */
  TARGET_REFUSED,       /* nothing listens */
  TARGET_FILTERED,      /* a full accept queue: SYNs are dropped */
  N_TARGETS
} TargetKind;

typedef struct
{
  CharlaTestServers *thread;

  const char *prefix;           /* kind K listens on PREFIX.(K + 1) */
  guint16 port;
  GSocketService *services[N_TARGETS];
  GSocket *sockets[N_TARGETS];  /* silent and filtered listeners */
  GSocket *filler;              /* fills the filtered listener's queue */
} Servers;

typedef struct
{
  GSocketConnection *connection;
  TargetKind kind;
  char buffer[256];
} ServerConnection;

static void
on_server_read (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ServerConnection *conn = user_data;
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (conn->connection));
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n <= 0)
    {
      g_object_unref (conn->connection);
      g_free (conn);
      return;
    }

  if (conn->kind == TARGET_ECHO)
    g_output_stream_write_all (output, conn->buffer, n, NULL, NULL, NULL);
  else if (n == 6 && g_ascii_strncasecmp (conn->buffer, "--name", 6) == 0)
    g_output_stream_write_all (output, NODE_NAME, strlen (NODE_NAME), NULL, NULL, NULL);

  g_input_stream_read_async (G_INPUT_STREAM (object), conn->buffer, sizeof conn->buffer,
                             G_PRIORITY_DEFAULT, NULL, on_server_read, conn);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  ServerConnection *conn;

  if (GPOINTER_TO_INT (user_data) == TARGET_HANGUP)
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  conn = g_new0 (ServerConnection, 1);
  conn->connection = g_object_ref (connection);
  conn->kind = GPOINTER_TO_INT (user_data);
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                             conn->buffer, sizeof conn->buffer, G_PRIORITY_DEFAULT,
                             NULL, on_server_read, conn);
  return TRUE;
}

static GInetAddress *
target_address (const char *prefix,
                TargetKind  kind)
{
  g_autofree char *text = g_strdup_printf ("%s.%u", prefix, kind + 1);

  return g_inet_address_new_from_string (text);
}

static void
servers_close (Servers *servers)
{
  for (guint kind = 0; kind < N_TARGETS; kind++)
    {
      if (servers->services[kind] != NULL)
        {
          g_socket_service_stop (servers->services[kind]);
          g_socket_listener_close (G_SOCKET_LISTENER (servers->services[kind]));
          g_clear_object (&servers->services[kind]);
        }
      g_clear_object (&servers->sockets[kind]);
    }
  g_clear_object (&servers->filler);
}

/* Listens on @port of every address, or fails without leaving anything. */
static gboolean
servers_try_port (gpointer data,
                  guint16  port)
{
  Servers *servers = data;
  for (guint kind = 0; kind < N_TARGETS; kind++)
    {
      g_autoptr(GInetAddress) inet_address = target_address (servers->prefix, kind);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet_address, port);

      switch (kind)
        {
        case TARGET_NODE:
        case TARGET_ECHO:
        case TARGET_HANGUP:
          servers->services[kind] = g_socket_service_new ();
          g_signal_connect (servers->services[kind], "incoming",
                            G_CALLBACK (on_incoming), GINT_TO_POINTER (kind));
          if (!g_socket_listener_add_address (G_SOCKET_LISTENER (servers->services[kind]),
                                              address, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, NULL, NULL, NULL))
            return FALSE;
          break;

        case TARGET_SILENT:
          servers->sockets[kind] = charla_test_listen_raw (inet_address, port, 128, NULL);
          if (servers->sockets[kind] == NULL)
            return FALSE;
          break;

        case TARGET_REFUSED:
          if (!charla_test_port_is_free (inet_address, port))
            return FALSE;
          break;

        case TARGET_FILTERED:
          /* Backlog 0 queues one connection; once it holds one that is
           * never accepted, Linux drops every further SYN, like a
           * firewall would: no root or namespace needed. */
          servers->sockets[kind] = charla_test_listen_raw (inet_address, port, 0, NULL);
          if (servers->sockets[kind] == NULL)
            return FALSE;
          servers->filler = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL);
          if (servers->filler == NULL || !g_socket_connect (servers->filler, address, NULL, NULL))
            return FALSE;
          break;

        case N_TARGETS:
        default:
          g_assert_not_reached ();
        }
    }

  servers->port = port;
  return TRUE;
}

static void
servers_close_cb (gpointer data)
{
  servers_close (data);
}

/* Each test program's servers live on addresses of their own
 * (@prefix.1 to @prefix.6), never on 127.0.0.1's crowded ports. */
static Servers *
servers_start (const char *prefix)
{
  Servers *servers = g_new0 (Servers, 1);

  servers->prefix = prefix;
  servers->thread = charla_test_servers_start (servers_try_port,
                                               servers_close_cb, servers);
  return servers;
}

static void
servers_stop (Servers *servers)
{
  charla_test_servers_stop (servers->thread);
  g_free (servers);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Servers, servers_stop)

/* ---------------------------------------------------------------------
 * Helpers
 */

static CharlaScanner *
new_scanner (const char *target,
             guint16     port)
{
  CharlaScanner *scanner = charla_scanner_new (NULL);
  g_autofree char *ports = g_strdup_printf ("%u", port);
  const char *targets[] = { target, NULL };
  g_autoptr(GError) error = NULL;

  charla_scanner_set_connect_timeout (scanner, CONNECT_TIMEOUT_MS);
  charla_scanner_set_reply_timeout (scanner, REPLY_TIMEOUT_MS);
  charla_scanner_prepare (scanner, targets, ports, &error);
  g_assert_no_error (error);
  return scanner;
}

static void
run_scan (CharlaScanner *scanner)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  charla_scanner_scan_async (scanner, NULL, charla_test_store_result, &result);
  CHARLA_TEST_WAIT_UNTIL (result != NULL);
  g_assert_true (charla_scanner_scan_finish (scanner, result, &error));
  g_assert_no_error (error);
}

static CharlaScanResult *
find_result (CharlaScanner *scanner,
             const char    *address)
{
  GListModel *report = charla_scanner_get_report (scanner);

  for (guint i = 0; i < g_list_model_get_n_items (report); i++)
    {
      g_autoptr(CharlaScanResult) result = g_list_model_get_item (report, i);

      if (g_str_equal (charla_scan_result_get_address (result), address))
        return result;
    }

  g_error ("no result for %s", address);
}

static void
assert_kind (CharlaScanner     *scanner,
             Servers           *servers,
             TargetKind         kind,
             CharlaProbeResult  expected,
             const char        *name)
{
  g_autofree char *address = g_strdup_printf ("%s.%u", servers->prefix, kind + 1);
  CharlaScanResult *result = find_result (scanner, address);

  if (charla_scan_result_get_result (result) != expected)
    g_error ("%s is %s (%s), expected %s", address,
             charla_probe_result_to_string (charla_scan_result_get_result (result)),
             charla_scan_result_get_detail (result),
             charla_probe_result_to_string (expected));
  g_assert_cmpstr (charla_scan_result_get_name (result), ==, name);
}

/* ---------------------------------------------------------------------
 * Tests
 */

/* Every kind of target, found the same way by either engine. */
static void
test_classify (void)
{
  g_autoptr(Servers) servers = servers_start ("127.0.86");
  g_autoptr(CharlaScanner) scanner = new_scanner ("127.0.86.1-6", servers->port);

  g_test_message ("probe engine: %s", charla_probe_engine_get_name ());
  run_scan (scanner);

  g_assert_cmpuint (g_list_model_get_n_items (charla_scanner_get_report (scanner)), ==, N_TARGETS);
  assert_kind (scanner, servers, TARGET_NODE, CHARLA_PROBE_NODE, NODE_NAME);
  assert_kind (scanner, servers, TARGET_SILENT, CHARLA_PROBE_SILENT, CHARLA_ANONYMOUS_NAME);
  assert_kind (scanner, servers, TARGET_HANGUP, CHARLA_PROBE_SILENT, CHARLA_ANONYMOUS_NAME);
  assert_kind (scanner, servers, TARGET_REFUSED, CHARLA_PROBE_REFUSED, NULL);
  assert_kind (scanner, servers, TARGET_FILTERED, CHARLA_PROBE_FILTERED, NULL);
  g_assert_cmpuint (charla_scanner_get_count (scanner, CHARLA_PROBE_FILTERED), ==, 1);
}

/* A server that sends our query back is another service, not a node
 * called "--name" (issue 8, item 5). */
static void
test_echo (void)
{
  g_autoptr(Servers) servers = servers_start ("127.0.87");
  g_autoptr(CharlaScanner) scanner = new_scanner ("127.0.87.2", servers->port);
  CharlaScanResult *result;

  run_scan (scanner);

  result = find_result (scanner, "127.0.87.2");
  g_assert_cmpint (charla_scan_result_get_result (result), ==, CHARLA_PROBE_OTHER_SERVICE);
  g_assert_null (charla_scan_result_get_name (result));
  g_assert_false (charla_scan_result_is_server (result));
  g_assert_cmpuint (g_list_model_get_n_items (charla_scanner_get_servers (scanner)), ==, 0);
}

/* A probe bound to the very address and port it probes connects to
 * itself (a TCP simultaneous open), as happens by chance when scanning
 * the ephemeral range of a local address: it reads its own query back.
 * Nothing listens there, and "--name" is never a node's name (issue 8,
 * item 5). */
static void
test_self_connect (void)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string ("127.0.88.1");
  g_autoptr(CharlaScanner) scanner = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  CharlaScanResult *result;
  guint16 port = charla_test_closed_port (address);

  scanner = new_scanner ("127.0.88.1", port);
  local = g_inet_socket_address_new (address, port);
  charla_scanner_set_probe_local_address (scanner, G_INET_SOCKET_ADDRESS (local));
  run_scan (scanner);

  result = find_result (scanner, "127.0.88.1");
  g_test_message ("self-connect: %s (%s)",
                  charla_probe_result_to_string (charla_scan_result_get_result (result)),
                  charla_scan_result_get_detail (result));
  g_assert_cmpstr (charla_scan_result_get_name (result), !=, "--name");
  g_assert_cmpint (charla_scan_result_get_result (result), ==, CHARLA_PROBE_REFUSED);
  g_assert_false (charla_scan_result_is_server (result));
  g_assert_cmpuint (g_list_model_get_n_items (charla_scanner_get_servers (scanner)), ==, 0);
}

/* A connect refused, or accepted, after more than 250 ms: GSocketClient's "happy
 * eyeballs" timer has asked its enumerator for another address by then,
 * and GLib 2.74 leaks the connect's GTask (and the client) when the
 * attempt then fails (GNOME/glib#3184, fixed in 2.79).  The listener's
 * full queue drops the first SYN; once the listener is closed, the
 * retransmitted SYN (about 1 s later) is refused.  The ASan build's leak
 * check is what catches a leak here. */
static gboolean
close_socket (gpointer data)
{
  g_socket_close (data, NULL);
  return G_SOURCE_REMOVE;
}

/* Makes room in the listener's queue: the next SYN gets in. */
static gboolean
accept_one (gpointer data)
{
  g_autoptr(GSocket) accepted = g_socket_accept (data, NULL, NULL);

  g_assert_nonnull (accepted);
  return G_SOURCE_REMOVE;
}

/* A listener whose full queue drops the first SYN, and what happens to
 * it 400 ms later; the retransmitted SYN comes about 1 s after the first. */
static CharlaScanResult *
scan_late_answer (const char  *address_text,
                  GSourceFunc  after_400_ms,
                  guint16     *out_port)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (address_text);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GSocket) filler = NULL;
  g_autoptr(CharlaScanner) scanner = NULL;
  g_autoptr(GError) error = NULL;
  CharlaScanResult *result;

  listener = charla_test_listen_raw (address, 0, 0, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (listener, &error);
  g_assert_no_error (error);
  filler = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_connect (filler, bound, NULL, &error));

  *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  scanner = new_scanner (address_text, *out_port);
  charla_scanner_set_connect_timeout (scanner, 10000);
  charla_scanner_set_reply_timeout (scanner, 300);
  g_timeout_add_full (G_PRIORITY_DEFAULT, 400, after_400_ms, g_object_ref (listener), g_object_unref);
  run_scan (scanner);

  result = g_object_ref (find_result (scanner, address_text));
  g_assert_cmpfloat (charla_scan_result_get_answer_time (result), >, 250.0);
  return result;
}

static void
test_late_answer (void)
{
  g_autoptr(CharlaScanResult) refused = NULL;
  g_autoptr(CharlaScanResult) accepted = NULL;
  guint16 port;

  refused = scan_late_answer ("127.0.93.1", close_socket, &port);
  g_assert_cmpint (charla_scan_result_get_result (refused), ==, CHARLA_PROBE_REFUSED);

  /* Connected after the timer too: the held request must end for the
   * probe to go on to its query. */
  accepted = scan_late_answer ("127.0.93.2", accept_one, &port);
  g_assert_cmpint (charla_scan_result_get_result (accepted), ==, CHARLA_PROBE_SILENT);
}

typedef enum {
  STOP_CANCEL,          /* the scan's cancellable is cancelled */
  STOP_DISPOSE,         /* the scanner is disposed (a window closing) */
} StopHow;

typedef struct
{
  GAsyncResult *result;
  GCancellable *cancellable;
  CharlaScanner *scanner;
  StopHow how;
  guint stop_at_flush;          /* stop from the N-th notify::done, if > 0 */
  guint flushes;
} StopRun;

static void
stop_run_stop (StopRun *run)
{
  if (run->how == STOP_CANCEL)
    g_cancellable_cancel (run->cancellable);
  else
    g_object_run_dispose (G_OBJECT (run->scanner));
}

static void
on_done_stop (CharlaScanner *scanner,
              GParamSpec    *pspec,
              StopRun       *run)
{
  if (++run->flushes == run->stop_at_flush)
    stop_run_stop (run);
}

/* Stops a scan of every kind of target after @iterations main loop
 * iterations and @after_ms milliseconds (or at its @flush-th progress
 * report), then checks the
 * scan ended once, leaked nothing and closed every socket, also after
 * any GIO callback still on its way has run. */
static void
scan_and_stop (Servers *servers,
               guint    baseline_fds,
               StopHow  how,
               guint    iterations,
               guint    after_ms,
               guint    flush)
{
  g_autofree char *target = g_strdup_printf ("%s.1-6", servers->prefix);
  g_autoptr(GError) error = NULL;
  StopRun run = { 0 };

  run.scanner = new_scanner (target, servers->port);
  run.cancellable = g_cancellable_new ();
  run.how = how;
  run.stop_at_flush = flush;
  g_signal_connect (run.scanner, "notify::done", G_CALLBACK (on_done_stop), &run);

  charla_scanner_scan_async (run.scanner, run.cancellable, charla_test_store_result, &run.result);
  if (flush == 0)
    {
      gint64 stop_time = g_get_monotonic_time () + after_ms * G_TIME_SPAN_MILLISECOND;

      for (guint i = 0; i < iterations && run.result == NULL; i++)
        g_main_context_iteration (NULL, FALSE);
      while (run.result == NULL && g_get_monotonic_time () < stop_time)
        charla_test_iterate (charla_test_deadline_in (CHARLA_TEST_WAIT_SECONDS), "a stop point");
      if (run.result == NULL)
        stop_run_stop (&run);
    }
  CHARLA_TEST_WAIT_UNTIL (run.result != NULL);

  /* Ended once: cancelled, or complete if it got there first. */
  if (!charla_scanner_scan_finish (run.scanner, run.result, &error))
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  else
    g_assert_cmpuint (g_list_model_get_n_items (charla_scanner_get_report (run.scanner)),
                      ==, N_TARGETS);
  g_assert_false (charla_scanner_get_running (run.scanner));

  g_clear_object (&run.result);
  g_signal_handlers_disconnect_by_data (run.scanner, &run);
  g_assert_finalize_object (run.scanner);
  g_clear_object (&run.cancellable);

  /* Sockets of probes stopped mid-flight close once GIO is done with
   * them (at once for the epoll engine). */
  CHARLA_TEST_WAIT_UNTIL (charla_test_count_open_fds () <= baseline_fds);
}

/* Stopping a scan at every point of its probes' lives: before the
 * first dispatch, while connects are in progress, while the query is
 * on its way, while replies are read, from inside a progress report.
 * This is where GLib 2.74's GSocketClient needs care (cancelled
 * attempts, callbacks after the operation's owner is gone). */
static void
test_stop_anywhere (gconstpointer data)
{
  StopHow how = GPOINTER_TO_INT (data);
  g_autoptr(Servers) servers = servers_start (how == STOP_CANCEL ? "127.0.89" : "127.0.90");
  guint baseline_fds = charla_test_count_open_fds ();

  /* Stop points, not timings: whatever each one catches, the checks
   * are the same. */
  static const guint after_ms[] = { 0, 1, 2, 5, 10, 20, 50, 100, 200, CONNECT_TIMEOUT_MS - 5,
                                    CONNECT_TIMEOUT_MS + 5 };

  for (guint iterations = 0; iterations < 12; iterations++)
    scan_and_stop (servers, baseline_fds, how, iterations, 0, 0);
  for (guint i = 0; i < G_N_ELEMENTS (after_ms); i++)
    scan_and_stop (servers, baseline_fds, how, 0, after_ms[i], 0);
  for (guint flush = 1; flush <= 3; flush++)
    scan_and_stop (servers, baseline_fds, how, 0, 0, flush);
}

/* The scanner reads the fd limit but never changes it; it keeps going
 * when descriptors run out under it, a probe at a time. */
static void
test_fd_limit (void)
{
  struct rlimit before, after, low;
  g_autoptr(Servers) servers = NULL;
  g_autoptr(CharlaScanner) scanner = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GArray) fillers = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *report;
  guint open_fds;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  servers = servers_start ("127.0.91");
  open_fds = charla_test_count_open_fds ();

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &before), ==, 0);
  low = before;
  low.rlim_cur = MIN (before.rlim_max, (rlim_t) open_fds + 200);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);

  /* 256 refused ports on one address where nothing listens. */
  scanner = charla_scanner_new (NULL);
  {
    const char *targets[] = { "127.0.91.5", NULL };

    charla_scanner_prepare (scanner, targets, "40000-40255", &error);
    g_assert_no_error (error);
  }
  charla_scanner_scan_async (scanner, NULL, charla_test_store_result, &result);

  /* Take all but a few descriptors once the scan has sized itself. */
  fillers = g_array_new (FALSE, FALSE, sizeof (int));
  for (;;)
    {
      int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

      if (fd < 0)
        break;
      g_array_append_val (fillers, fd);
    }
  for (guint i = 0; i < 4 && fillers->len > 0; i++)
    {
      close (g_array_index (fillers, int, fillers->len - 1));
      g_array_set_size (fillers, fillers->len - 1);
    }

  CHARLA_TEST_WAIT_UNTIL (result != NULL);
  g_assert_true (charla_scanner_scan_finish (scanner, result, &error));
  g_assert_no_error (error);

  report = charla_scanner_get_report (scanner);
  g_assert_cmpuint (g_list_model_get_n_items (report), ==, 256);
  g_assert_cmpuint (charla_scanner_get_count (scanner, CHARLA_PROBE_REFUSED), ==, 256);

  for (guint i = 0; i < fillers->len; i++)
    close (g_array_index (fillers, int, i));

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &after), ==, 0);
  g_assert_cmpuint (after.rlim_cur, ==, low.rlim_cur);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charla/probe-engine/classify", test_classify);
  g_test_add_func ("/charla/probe-engine/echo", test_echo);
  g_test_add_func ("/charla/probe-engine/self-connect", test_self_connect);
  g_test_add_func ("/charla/probe-engine/late-answer", test_late_answer);
  g_test_add_data_func ("/charla/probe-engine/cancel-anywhere",
                        GINT_TO_POINTER (STOP_CANCEL), test_stop_anywhere);
  g_test_add_data_func ("/charla/probe-engine/dispose-anywhere",
                        GINT_TO_POINTER (STOP_DISPOSE), test_stop_anywhere);
  g_test_add_func ("/charla/probe-engine/fd-limit", test_fd_limit);

  return g_test_run ();
}
