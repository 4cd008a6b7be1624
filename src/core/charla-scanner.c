/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "charla-error.h"
#include "charla-endpoint.h"
#include "charla-network.h"
#include "charla-node-private.h"
#include "charla-platform-private.h"
#include "charla-scanner.h"
#include "charla-text.h"
#include "charla-wire.h"

/**
 * CharlaScanner:
 *
 * Probes host × port pairs for chat nodes the way the seed's scanner
 * does (connect, send the bare `--name`, read the reply), but many at a
 * time and without ever blocking the main loop.
 *
 * All probes run in one #GSource.  Their sockets are watched by one
 * epoll instance, the only fd the main loop polls, and the deadlines of
 * each phase sit in FIFO queues (every probe of a phase has the same
 * timeout, so start order is deadline order), the earliest of which sets
 * the source's ready time.  A source, a poll record or a timer per probe
 * makes every start and every end O(probes in flight) inside GMainContext
 * (measured in docs/BENCHMARKS.md); this way both are O(1), so thousands
 * of probes can be in flight on a small machine without false timeouts
 * or long main loop stalls.
 */

/* How long a reply may keep arriving after its first bytes: a name can
 * come in more than one segment. */
#define REPLY_GRACE_USEC (10 * G_TIME_SPAN_MILLISECOND)

/* The seed reads the name with one recv(1024). */
#define REPLY_MAX_BYTES 1024

/* Progress and the report list are updated at most this often, so a
 * 65536-probe scan does not emit 65536 notifications. */
#define FLUSH_INTERVAL_USEC (16 * G_TIME_SPAN_MILLISECOND)

/* How long one dispatch may spend starting and timing out probes (a
 * few syscalls each) before it lets the rest of the main loop run. */
#define DISPATCH_SLICE_USEC (2 * G_TIME_SPAN_MILLISECOND)

/* Socket events fetched per epoll_wait() call. */
#define EVENT_BATCH 256

/* File descriptors left for everything else while a scan runs. */
#define FD_RESERVE 64

/* A detail longer than this is cut: it is a hint, not a transcript. */
#define DETAIL_MAX_BYTES 64

enum {
  PROP_0,
  PROP_NODE,
  PROP_CONNECT_TIMEOUT,
  PROP_REPLY_TIMEOUT,
  PROP_MAX_IN_FLIGHT,
  PROP_SERVERS,
  PROP_REPORT,
  PROP_DONE,
  PROP_TOTAL,
  PROP_RUNNING,
  N_PROPS
};

typedef enum {
  PHASE_CONNECT,
  PHASE_REPLY,
  PHASE_GRACE,
  N_PHASES
} ProbePhase;

/* Shared with the thread that grows the fd table, see fd_table_grow_start(). */
typedef struct
{
  gint done;
  int wanted_size;
} FdTableGrowth;

typedef struct
{
  GList link;                   /* in the run's queue for @phase; data = self */
  int fd;
  GInetAddress *address;
  guint16 port;
  ProbePhase phase;
  gint64 deadline;
  char *reply;                  /* REPLY_MAX_BYTES, allocated once connected */
  gsize reply_len;
} Probe;

typedef struct
{
  GSource source;

  /* Borrowed: the task holds a reference on the scanner */
  CharlaScanner *scanner;

  /* Owned */
  GTask *task;
  int epoll_fd;
  FdTableGrowth *fd_table_growth;       /* until the helper thread is done */
  CharlaTargetSet *targets;
  CharlaNode *node;
  GQueue queues[N_PHASES];
  GPtrArray *pending_report;    /* results not yet in the report list */
  GPtrArray *pending_servers;   /* results not yet in the server list */

  guint16 port_min;
  guint n_ports;
  guint64 total;
  guint64 next_index;
  guint64 done;
  guint in_flight;
  guint max_in_flight;
  gint64 connect_timeout_usec;
  gint64 reply_timeout_usec;
  gint64 last_flush;
  gboolean finished;
} ScanRun;

struct _CharlaScanner
{
  GObject parent_instance;

  /* Owned */
  CharlaTargetSet *targets;
  GListStore *servers;
  GListStore *report;
  ScanRun *run;                 /* a reference on the run's source */

  /* Borrowed */
  CharlaNode *node;             /* weak */

  guint16 port_min;
  guint16 port_max;
  guint connect_timeout_ms;
  guint reply_timeout_ms;
  guint max_in_flight;
  guint64 done;
  guint64 total;
};

G_DEFINE_FINAL_TYPE (CharlaScanner, charla_scanner, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

/* The size of this process's fd table (FDSize in /proc/self/status), or
 * 0 if unknown. */
static guint
fd_table_size (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;

  line = strstr (status, "\nFDSize:");
  if (line == NULL)
    return 0;

  return (guint) g_ascii_strtoull (line + strlen ("\nFDSize:"), NULL, 10);
}

/* Growing the fd table of a threaded process waits for an RCU grace
 * period (often 10 ms or more), and it grows by doubling: opening a
 * thousand sockets from the main thread would stall it several times.
 * A helper thread grows it to its final size at once instead. */
static gpointer
grow_fd_table_thread (gpointer data)
{
  FdTableGrowth *growth = data;
  int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  if (fd >= 0)
    {
      /* The lowest free fd from there up: never one in use. */
      int high_fd = fcntl (fd, F_DUPFD_CLOEXEC, growth->wanted_size - 1);

      if (high_fd >= 0)
        (void) close (high_fd);
      (void) close (fd);
    }

  g_atomic_int_set (&growth->done, 1);
  g_atomic_rc_box_release (growth);
  return NULL;
}

static FdTableGrowth *
fd_table_grow_start (guint wanted_size)
{
  FdTableGrowth *growth;
  GThread *thread;
  guint size = fd_table_size ();

  if (size == 0 || size >= wanted_size || wanted_size > G_MAXINT)
    return NULL;

  growth = g_atomic_rc_box_new0 (FdTableGrowth);
  growth->wanted_size = (int) wanted_size;
  thread = g_thread_try_new ("charla-fd-table", grow_fd_table_thread,
                             g_atomic_rc_box_acquire (growth), NULL);
  if (thread == NULL)
    {
      g_atomic_rc_box_release (growth);
      g_atomic_rc_box_release (growth);
      return NULL;
    }

  g_thread_unref (thread);
  return growth;
}

static void
set_error_from_errno (GError **error,
                      int      errsv)
{
  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errsv), g_strerror (errsv));
}

static void
set_done (CharlaScanner *self,
          guint64        done)
{
  if (self->done == done)
    return;

  self->done = done;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
}

/* The pending items are taken out of @items before the store tells
 * anyone, so a handler that ends the scan cannot append them twice. */
static void
store_append_all (GListStore *store,
                  GPtrArray  *items)
{
  gsize n_items = items->len;
  gpointer *taken;

  if (n_items == 0)
    return;

  taken = g_ptr_array_steal (items, NULL);
  g_list_store_splice (store, g_list_model_get_n_items (G_LIST_MODEL (store)), 0,
                       taken, n_items);
  for (gsize i = 0; i < n_items; i++)
    g_object_unref (taken[i]);
  g_free (taken);
}

/* Moves pending results into the public lists and tells about progress.
 * Emits signals: handlers may cancel the scan or dispose the scanner. */
static void
scan_run_flush (ScanRun *run)
{
  CharlaScanner *scanner = run->scanner;

  run->last_flush = g_get_monotonic_time ();
  store_append_all (scanner->servers, run->pending_servers);
  store_append_all (scanner->report, run->pending_report);
  set_done (scanner, run->done);
}

static void
scan_run_record (ScanRun           *run,
                 GInetAddress      *address,
                 guint16            port,
                 CharlaProbeResult  result,
                 const char        *name,
                 gboolean           is_self,
                 const char        *detail)
{
  g_autofree char *address_text = g_inet_address_to_string (address);
  CharlaScanResult *scan_result;

  scan_result = charla_scan_result_new (address_text, port, result, name, is_self, detail);
  if (charla_scan_result_is_server (scan_result))
    g_ptr_array_add (run->pending_servers, g_object_ref (scan_result));
  g_ptr_array_add (run->pending_report, scan_result);
  run->done++;
}

static void
probe_close (ScanRun *run,
             Probe   *probe)
{
  g_queue_unlink (&run->queues[probe->phase], &probe->link);
  /* Closing also leaves the epoll set.  Nothing useful can be done if
   * close fails; the fd is gone anyway. */
  (void) close (probe->fd);
  g_object_unref (probe->address);
  g_free (probe->reply);
  g_free (probe);
  run->in_flight--;
}

static void
probe_set_phase (ScanRun    *run,
                 Probe      *probe,
                 ProbePhase  phase,
                 gint64      deadline)
{
  g_queue_unlink (&run->queues[probe->phase], &probe->link);
  probe->phase = phase;
  probe->deadline = deadline;
  g_queue_push_tail_link (&run->queues[phase], &probe->link);
}

static char *
summarize_reply (const char *data,
                 gsize       len)
{
  gsize line_len = 0;

  while (line_len < len && data[line_len] != '\r' && data[line_len] != '\n')
    line_len++;
  if (line_len == 0)
    line_len = len;

  return charla_text_sanitize (data, charla_utf8_cut (data, line_len, DETAIL_MAX_BYTES));
}

/* Ends a connected probe: what it said, if anything, decides its class. */
static void
probe_finish_reply (ScanRun      *run,
                    Probe        *probe,
                    gboolean      closed,
                    const GError *error)
{
  if (probe->reply_len > 0 && charla_reply_is_plausible_name (probe->reply, probe->reply_len))
    {
      g_autofree char *name = charla_name_sanitize (probe->reply, probe->reply_len);

      scan_run_record (run, probe->address, probe->port, CHARLA_PROBE_NODE,
                       name != NULL ? name : CHARLA_ANONYMOUS_NAME, FALSE, NULL);
    }
  else if (probe->reply_len > 0)
    {
      g_autofree char *detail = summarize_reply (probe->reply, probe->reply_len);

      scan_run_record (run, probe->address, probe->port, CHARLA_PROBE_OTHER_SERVICE,
                       NULL, FALSE, detail);
    }
  else if (error != NULL)
    scan_run_record (run, probe->address, probe->port, CHARLA_PROBE_ERROR,
                     NULL, FALSE, error->message);
  else
    scan_run_record (run, probe->address, probe->port, CHARLA_PROBE_SILENT,
                     CHARLA_ANONYMOUS_NAME, FALSE,
                     closed ? _("Closed the connection without answering") : NULL);

  probe_close (run, probe);
}

static void
record_connect_error (ScanRun      *run,
                      GInetAddress *address,
                      guint16       port,
                      const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    scan_run_record (run, address, port, CHARLA_PROBE_REFUSED, NULL, FALSE, NULL);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    scan_run_record (run, address, port, CHARLA_PROBE_FILTERED, NULL, FALSE, NULL);
  else
    scan_run_record (run, address, port, CHARLA_PROBE_ERROR, NULL, FALSE, error->message);
}

/* Sends the bare name query and waits for the reply. */
static void
probe_connected (ScanRun *run,
                 Probe   *probe)
{
  g_autoptr(GError) error = NULL;
  struct epoll_event event = { .events = EPOLLIN, .data.ptr = probe };
  gssize sent;

  sent = send (probe->fd, CHARLA_NAME_QUERY, CHARLA_NAME_QUERY_LEN, MSG_NOSIGNAL);
  if (sent < 0)
    set_error_from_errno (&error, errno);
  if (sent != CHARLA_NAME_QUERY_LEN)
    {
      /* Six bytes always fit a fresh socket's buffer; a failure means
       * the peer reset the connection right away. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
        {
          probe_finish_reply (run, probe, TRUE, NULL);
          return;
        }
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("The name query could not be sent"));
      probe_finish_reply (run, probe, FALSE, error);
      return;
    }

  if (epoll_ctl (run->epoll_fd, EPOLL_CTL_MOD, probe->fd, &event) != 0)
    {
      set_error_from_errno (&error, errno);
      probe_finish_reply (run, probe, FALSE, error);
      return;
    }

  probe->reply = g_malloc (REPLY_MAX_BYTES);
  probe_set_phase (run, probe, PHASE_REPLY, g_get_monotonic_time () + run->reply_timeout_usec);
}

static void
probe_handle_connect (ScanRun *run,
                      Probe   *probe)
{
  g_autoptr(GError) error = NULL;
  int errsv = 0;
  socklen_t len = sizeof errsv;

  if (getsockopt (probe->fd, SOL_SOCKET, SO_ERROR, &errsv, &len) != 0)
    errsv = errno;

  if (errsv == 0)
    {
      probe_connected (run, probe);
      return;
    }

  set_error_from_errno (&error, errsv);
  record_connect_error (run, probe->address, probe->port, error);
  probe_close (run, probe);
}

/* Reads what arrived; finishes the probe on EOF, error or a full buffer,
 * and otherwise waits out the grace period for the rest of a split reply. */
static void
probe_handle_readable (ScanRun *run,
                       Probe   *probe)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize received;
      int errsv;

      received = recv (probe->fd, probe->reply + probe->reply_len,
                       REPLY_MAX_BYTES - probe->reply_len, 0);
      if (received > 0)
        {
          probe->reply_len += received;
          if (probe->reply_len == REPLY_MAX_BYTES)
            {
              probe_finish_reply (run, probe, FALSE, NULL);
              return;
            }
          continue;
        }

      if (received == 0)
        {
          probe_finish_reply (run, probe, TRUE, NULL);
          return;
        }

      errsv = errno;
      if (errsv == EINTR)
        continue;
      if (errsv == EAGAIN || errsv == EWOULDBLOCK)
        break;

      set_error_from_errno (&error, errsv);
      /* A server that closes at once with our query unread resets the
       * connection instead of closing it: the same hang-up, told apart
       * only by timing. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
        probe_finish_reply (run, probe, TRUE, NULL);
      else
        probe_finish_reply (run, probe, FALSE, error);
      return;
    }

  if (probe->phase == PHASE_REPLY && probe->reply_len > 0)
    probe_set_phase (run, probe, PHASE_GRACE, g_get_monotonic_time () + REPLY_GRACE_USEC);
}

static void
probe_handle_deadline (ScanRun *run,
                       Probe   *probe)
{
  switch (probe->phase)
    {
    /* Socket events were fetched just before deadlines are looked at, so
     * an answer that arrived in time is never taken for a timeout, however
     * late the main loop got round to it. */
    case PHASE_CONNECT:
      scan_run_record (run, probe->address, probe->port, CHARLA_PROBE_FILTERED,
                       NULL, FALSE, NULL);
      probe_close (run, probe);
      break;

    case PHASE_REPLY:
    case PHASE_GRACE:
      probe_finish_reply (run, probe, FALSE, NULL);
      break;

    case N_PHASES:
    default:
      g_assert_not_reached ();
    }
}

/* Starts the next probe.  Returns FALSE when no socket can be opened
 * right now (fd limit): the probe is retried once others finish. */
static gboolean
scan_run_start_probe (ScanRun *run)
{
  guint64 index = run->next_index;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GError) error = NULL;
  struct sockaddr_storage native;
  struct epoll_event event = { .events = EPOLLOUT };
  guint16 port;
  Probe *probe;
  int fd;

  address = charla_target_set_get_address (run->targets, index / run->n_ports);
  port = run->port_min + (guint16) (index % run->n_ports);

  if (run->node != NULL && charla_node_is_own_endpoint (run->node, address, port))
    {
      /* Our own listener is answered from here: probing it would make
       * our reply wait for this very main loop. */
      run->next_index++;
      scan_run_record (run, address, port, CHARLA_PROBE_NODE,
                       charla_node_get_name (run->node), TRUE, NULL);
      return TRUE;
    }

  /* Plain non-blocking sockets: a GSocket per probe costs an object and
   * two more syscalls, and nothing of it is needed here. */
  fd = socket (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 ? AF_INET6 : AF_INET,
               SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0)
    {
      int errsv = errno;

      if ((errsv == EMFILE || errsv == ENFILE) && run->in_flight > 0)
        {
          run->max_in_flight = run->in_flight;
          return FALSE;
        }
      set_error_from_errno (&error, errsv);
      run->next_index++;
      scan_run_record (run, address, port, CHARLA_PROBE_ERROR, NULL, FALSE, error->message);
      return TRUE;
    }

  run->next_index++;

  probe = g_new0 (Probe, 1);
  probe->link.data = probe;
  probe->fd = fd;
  probe->address = g_object_ref (address);
  probe->port = port;
  probe->phase = PHASE_CONNECT;
  g_queue_push_tail_link (&run->queues[PHASE_CONNECT], &probe->link);
  run->in_flight++;

  socket_address = g_inet_socket_address_new (address, port);
  event.data.ptr = probe;
  if (g_socket_address_to_native (socket_address, &native, sizeof native, &error))
    {
      gboolean connected = connect (fd, (struct sockaddr *) &native,
                                    g_socket_address_get_native_size (socket_address)) == 0;

      if (!connected && errno != EINPROGRESS)
        set_error_from_errno (&error, errno);
      else if (epoll_ctl (run->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0)
        set_error_from_errno (&error, errno);
      else if (connected)
        {
          /* Loopback may connect at once. */
          probe_connected (run, probe);
          return TRUE;
        }
      else
        {
          probe->deadline = g_get_monotonic_time () + run->connect_timeout_usec;
          return TRUE;
        }
    }

  record_connect_error (run, address, port, error);
  probe_close (run, probe);
  return TRUE;
}

/* Completes the scan: every probe closed, the lists complete, the task
 * returned.  Touches nothing of @run or the scanner after returning the
 * task, whose callback may drop the last reference to either. */
static void
scan_run_finish (ScanRun *run,
                 GError  *error)
{
  CharlaScanner *scanner = run->scanner;
  g_autoptr(GTask) task = NULL;

  g_assert (!run->finished);
  run->finished = TRUE;

  for (guint phase = 0; phase < N_PHASES; phase++)
    while (run->queues[phase].head != NULL)
      probe_close (run, run->queues[phase].head->data);

  g_source_destroy ((GSource *) run);
  task = g_steal_pointer (&run->task);

  /* Detach before emitting anything, so a handler may start a new scan. */
  if (scanner->run == run)
    scanner->run = NULL;

  scan_run_flush (run);
  g_object_notify_by_pspec (G_OBJECT (scanner), properties[PROP_RUNNING]);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);

  g_source_unref ((GSource *) run);
}

static gint64
scan_run_next_wakeup (ScanRun *run)
{
  gint64 wakeup = -1;

  for (guint phase = 0; phase < N_PHASES; phase++)
    {
      Probe *head = run->queues[phase].head != NULL ? run->queues[phase].head->data : NULL;

      if (head != NULL && (wakeup < 0 || head->deadline < wakeup))
        wakeup = head->deadline;
    }

  if (run->pending_report->len > 0)
    {
      gint64 flush_time = run->last_flush + FLUSH_INTERVAL_USEC;

      if (wakeup < 0 || flush_time < wakeup)
        wakeup = flush_time;
    }

  return wakeup;
}

/* Handles every socket that is ready now.  Each fd shows up at most once
 * per epoll_wait(), so a probe freed while handling the batch is never
 * looked at again. */
static void
scan_run_handle_events (ScanRun *run)
{
  struct epoll_event events[EVENT_BATCH];
  int n;

  do
    {
      n = epoll_wait (run->epoll_fd, events, EVENT_BATCH, 0);
      for (int i = 0; i < n; i++)
        {
          Probe *probe = events[i].data.ptr;

          if (probe->phase == PHASE_CONNECT)
            probe_handle_connect (run, probe);
          else
            probe_handle_readable (run, probe);
        }
    }
  while (n == EVENT_BATCH);
}

static gboolean
scan_run_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     user_data)
{
  ScanRun *run = (ScanRun *) source;
  GCancellable *cancellable = g_task_get_cancellable (run->task);
  GError *error = NULL;
  gboolean more_work = FALSE;
  gint64 now, slice_end;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      scan_run_finish (run, error);
      return G_SOURCE_REMOVE;
    }

  /* Events first, then deadlines: see probe_handle_deadline(). */
  scan_run_handle_events (run);

  now = g_get_monotonic_time ();
  slice_end = now + DISPATCH_SLICE_USEC;
  for (guint phase = 0; phase < N_PHASES && !more_work; phase++)
    {
      GQueue *queue = &run->queues[phase];

      while (queue->head != NULL && ((Probe *) queue->head->data)->deadline <= now)
        {
          probe_handle_deadline (run, queue->head->data);
          if (g_get_monotonic_time () >= slice_end)
            {
              more_work = TRUE;
              break;
            }
        }
    }

  if (run->fd_table_growth != NULL && g_atomic_int_get (&run->fd_table_growth->done))
    g_clear_pointer (&run->fd_table_growth, g_atomic_rc_box_release);

  /* Until the fd table has grown, look again every millisecond. */
  if (run->fd_table_growth != NULL)
    more_work = TRUE;

  while (!more_work && run->in_flight < run->max_in_flight && run->next_index < run->total)
    {
      if (!scan_run_start_probe (run))
        break;
      if (g_get_monotonic_time () >= slice_end)
        more_work = TRUE;
    }

  if (run->in_flight == 0 && run->next_index >= run->total)
    {
      scan_run_finish (run, NULL);
      return G_SOURCE_REMOVE;
    }

  if (run->pending_servers->len > 0 ||
      g_get_monotonic_time () - run->last_flush >= FLUSH_INTERVAL_USEC)
    {
      scan_run_flush (run);
      /* A handler may have disposed the scanner, which ends the run. */
      if (run->finished)
        return G_SOURCE_REMOVE;
    }

  /* Ready at once when the time slice left work: other sources still
   * get their turn in between. */
  if (run->fd_table_growth != NULL)
    g_source_set_ready_time (source, g_get_monotonic_time () + G_TIME_SPAN_MILLISECOND);
  else
    g_source_set_ready_time (source, more_work ? 0 : scan_run_next_wakeup (run));

  return G_SOURCE_CONTINUE;
}

static void
scan_run_source_finalize (GSource *source)
{
  ScanRun *run = (ScanRun *) source;

  /* Probes are all closed by scan_run_finish(), which always runs. */
  if (run->epoll_fd >= 0)
    (void) close (run->epoll_fd);
  g_clear_pointer (&run->fd_table_growth, g_atomic_rc_box_release);
  g_clear_object (&run->task);
  g_clear_pointer (&run->targets, charla_target_set_unref);
  g_clear_object (&run->node);
  g_clear_pointer (&run->pending_report, g_ptr_array_unref);
  g_clear_pointer (&run->pending_servers, g_ptr_array_unref);
}

static GSourceFuncs scan_run_source_funcs = {
  .dispatch = scan_run_dispatch,
  .finalize = scan_run_source_finalize,
};

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  /* The parent source (the run) sees the cancellation and ends. */
  return G_SOURCE_CONTINUE;
}

static void
charla_scanner_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CharlaScanner *self = CHARLA_SCANNER (object);

  switch (prop_id)
    {
    case PROP_NODE:
      g_value_set_object (value, self->node);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout_ms);
      break;
    case PROP_REPLY_TIMEOUT:
      g_value_set_uint (value, self->reply_timeout_ms);
      break;
    case PROP_MAX_IN_FLIGHT:
      g_value_set_uint (value, self->max_in_flight);
      break;
    case PROP_SERVERS:
      g_value_set_object (value, self->servers);
      break;
    case PROP_REPORT:
      g_value_set_object (value, self->report);
      break;
    case PROP_DONE:
      g_value_set_uint64 (value, self->done);
      break;
    case PROP_TOTAL:
      g_value_set_uint64 (value, self->total);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->run != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_scanner_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CharlaScanner *self = CHARLA_SCANNER (object);

  switch (prop_id)
    {
    case PROP_NODE:
      /* Weak: a node owns a scanner of its own (charla_node_get_scanner()). */
      g_set_weak_pointer (&self->node, g_value_get_object (value));
      break;
    case PROP_CONNECT_TIMEOUT:
      charla_scanner_set_connect_timeout (self, g_value_get_uint (value));
      break;
    case PROP_REPLY_TIMEOUT:
      charla_scanner_set_reply_timeout (self, g_value_get_uint (value));
      break;
    case PROP_MAX_IN_FLIGHT:
      charla_scanner_set_max_in_flight (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_scanner_dispose (GObject *object)
{
  CharlaScanner *self = CHARLA_SCANNER (object);

  /* Only reachable mid-scan through g_object_run_dispose(), since the
   * running task holds a reference: end the scan as cancelled. */
  if (self->run != NULL && !self->run->finished)
    scan_run_finish (self->run,
                     g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                          _("The scan was stopped")));

  g_clear_weak_pointer (&self->node);

  G_OBJECT_CLASS (charla_scanner_parent_class)->dispose (object);
}

static void
charla_scanner_finalize (GObject *object)
{
  CharlaScanner *self = CHARLA_SCANNER (object);

  g_clear_pointer (&self->targets, charla_target_set_unref);
  g_clear_object (&self->servers);
  g_clear_object (&self->report);

  G_OBJECT_CLASS (charla_scanner_parent_class)->finalize (object);
}

static void
charla_scanner_class_init (CharlaScannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = charla_scanner_get_property;
  object_class->set_property = charla_scanner_set_property;
  object_class->dispose = charla_scanner_dispose;
  object_class->finalize = charla_scanner_finalize;

  /**
   * CharlaScanner:node: (nullable)
   *
   * The node whose own listener is marked as "self" in the results.
   */
  properties[PROP_NODE] =
    g_param_spec_object ("node", NULL, NULL, CHARLA_TYPE_NODE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL,
                       1, G_MAXUINT / 1000, CHARLA_SCAN_DEFAULT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPLY_TIMEOUT] =
    g_param_spec_uint ("reply-timeout", NULL, NULL,
                       1, G_MAXUINT / 1000, CHARLA_SCAN_DEFAULT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_IN_FLIGHT] =
    g_param_spec_uint ("max-in-flight", NULL, NULL,
                       1, G_MAXUINT, CHARLA_SCAN_DEFAULT_MAX_IN_FLIGHT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaScanner:servers:
   *
   * The #CharlaScanResult of every node and silent listener, in the
   * order they were found.
   */
  properties[PROP_SERVERS] =
    g_param_spec_object ("servers", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaScanner:report:
   *
   * The #CharlaScanResult of every finished probe.
   */
  properties[PROP_REPORT] =
    g_param_spec_object ("report", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaScanner:done:
   *
   * Probes finished so far; notified at most about every 16 ms.
   */
  properties[PROP_DONE] =
    g_param_spec_uint64 ("done", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOTAL] =
    g_param_spec_uint64 ("total", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
charla_scanner_init (CharlaScanner *self)
{
  self->servers = g_list_store_new (CHARLA_TYPE_SCAN_RESULT);
  self->report = g_list_store_new (CHARLA_TYPE_SCAN_RESULT);
  self->connect_timeout_ms = CHARLA_SCAN_DEFAULT_TIMEOUT_MS;
  self->reply_timeout_ms = CHARLA_SCAN_DEFAULT_TIMEOUT_MS;
  self->max_in_flight = CHARLA_SCAN_DEFAULT_MAX_IN_FLIGHT;
}

/**
 * charla_scanner_new:
 * @node: (nullable): the scanning node, whose own listener is marked
 *
 * Returns: (transfer full): a new scanner
 */
CharlaScanner *
charla_scanner_new (CharlaNode *node)
{
  g_return_val_if_fail (node == NULL || CHARLA_IS_NODE (node), NULL);

  return g_object_new (CHARLA_TYPE_SCANNER, "node", node, NULL);
}

/**
 * charla_scanner_set_connect_timeout:
 *
 * Sets how long a connection attempt may take before the port counts as
 * filtered (default %CHARLA_SCAN_DEFAULT_TIMEOUT_MS, the seed's 0.1 s).
 * Applies to the next scan.
 */
void
charla_scanner_set_connect_timeout (CharlaScanner *self,
                                    guint          msec)
{
  g_return_if_fail (CHARLA_IS_SCANNER (self));
  g_return_if_fail (msec > 0 && msec <= G_MAXUINT / 1000);

  if (self->connect_timeout_ms == msec)
    return;

  self->connect_timeout_ms = msec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECT_TIMEOUT]);
}

/**
 * charla_scanner_set_reply_timeout:
 *
 * Sets how long a connected server has to answer the name query before
 * it is listed as silent (default %CHARLA_SCAN_DEFAULT_TIMEOUT_MS).
 * Applies to the next scan.
 */
void
charla_scanner_set_reply_timeout (CharlaScanner *self,
                                  guint          msec)
{
  g_return_if_fail (CHARLA_IS_SCANNER (self));
  g_return_if_fail (msec > 0 && msec <= G_MAXUINT / 1000);

  if (self->reply_timeout_ms == msec)
    return;

  self->reply_timeout_ms = msec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLY_TIMEOUT]);
}

/**
 * charla_scanner_set_max_in_flight:
 *
 * Sets how many probes may be open at once (default
 * %CHARLA_SCAN_DEFAULT_MAX_IN_FLIGHT).  The file descriptor limit may
 * lower it further.  Applies to the next scan.
 */
void
charla_scanner_set_max_in_flight (CharlaScanner *self,
                                  guint          max_in_flight)
{
  g_return_if_fail (CHARLA_IS_SCANNER (self));
  g_return_if_fail (max_in_flight > 0);

  if (self->max_in_flight == max_in_flight)
    return;

  self->max_in_flight = max_in_flight;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_IN_FLIGHT]);
}

/**
 * charla_scanner_get_servers:
 *
 * Returns: (transfer none): a #GListModel of #CharlaScanResult: the nodes
 *   and silent listeners found, in the order they were found
 */
GListModel *
charla_scanner_get_servers (CharlaScanner *self)
{
  g_return_val_if_fail (CHARLA_IS_SCANNER (self), NULL);

  return G_LIST_MODEL (self->servers);
}

/**
 * charla_scanner_get_report:
 *
 * Returns: (transfer none): a #GListModel of #CharlaScanResult: every
 *   finished probe, in the order they finished
 */
GListModel *
charla_scanner_get_report (CharlaScanner *self)
{
  g_return_val_if_fail (CHARLA_IS_SCANNER (self), NULL);

  return G_LIST_MODEL (self->report);
}

guint64
charla_scanner_get_done (CharlaScanner *self)
{
  g_return_val_if_fail (CHARLA_IS_SCANNER (self), 0);

  return self->done;
}

guint64
charla_scanner_get_total (CharlaScanner *self)
{
  g_return_val_if_fail (CHARLA_IS_SCANNER (self), 0);

  return self->total;
}

gboolean
charla_scanner_get_running (CharlaScanner *self)
{
  g_return_val_if_fail (CHARLA_IS_SCANNER (self), FALSE);

  return self->run != NULL;
}

/**
 * charla_scanner_prepare:
 * @self: a scanner
 * @targets: (array zero-terminated=1): address specifications, each as
 *   charla_target_set_add() takes them
 * @ports: (nullable): a port or port range; %NULL for the seed's 9990–10005
 * @error: return location for a #CHARLA_ERROR
 *
 * Checks and stores what the next scan probes.  Nothing is sent.  The
 * whole scan is refused if it needs more than %CHARLA_MAX_SCAN_PROBES
 * probes or if any target is forbidden (see charla_check_target_allowed()).
 *
 * Returns: %TRUE if the scan may run
 */
gboolean
charla_scanner_prepare (CharlaScanner      *self,
                        const char * const *targets,
                        const char         *ports,
                        GError            **error)
{
  g_autoptr(CharlaTargetSet) set = NULL;
  guint16 port_min = CHARLA_DEFAULT_PORT_MIN;
  guint16 port_max = CHARLA_DEFAULT_PORT_MAX;
  guint64 n_hosts, total;

  g_return_val_if_fail (CHARLA_IS_SCANNER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->run != NULL)
    {
      g_set_error_literal (error, CHARLA_ERROR, CHARLA_ERROR_BUSY,
                           _("A scan is already running; stop it first"));
      return FALSE;
    }

  if (targets == NULL || targets[0] == NULL)
    {
      g_set_error_literal (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                           _("No address to scan was given"));
      return FALSE;
    }

  set = charla_target_set_new ();
  for (guint i = 0; targets[i] != NULL; i++)
    if (!charla_target_set_add (set, targets[i], error))
      return FALSE;

  if (ports != NULL && !charla_port_range_parse (ports, &port_min, &port_max, error))
    return FALSE;

  n_hosts = charla_target_set_get_n_hosts (set);
  total = n_hosts * (guint64) (port_max - port_min + 1);
  if (total > CHARLA_MAX_SCAN_PROBES)
    {
      /* Formatted apart: a G_GUINT64_FORMAT inside _() breaks xgettext. */
      g_autofree char *hosts_text = g_strdup_printf ("%" G_GUINT64_FORMAT, n_hosts);
      g_autofree char *total_text = g_strdup_printf ("%" G_GUINT64_FORMAT, total);

      g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_RANGE_TOO_LARGE,
                   _("Scanning %s addresses × %u ports needs %s probes, more than the %u allowed; "
                     "scan fewer addresses or ports"),
                   hosts_text, (guint) (port_max - port_min + 1), total_text,
                   (guint) CHARLA_MAX_SCAN_PROBES);
      return FALSE;
    }

  for (guint64 i = 0; i < n_hosts; i++)
    {
      g_autoptr(GInetAddress) address = charla_target_set_get_address (set, i);

      if (!charla_check_target_allowed (address, error))
        return FALSE;
    }

  g_clear_pointer (&self->targets, charla_target_set_unref);
  self->targets = g_steal_pointer (&set);
  self->port_min = port_min;
  self->port_max = port_max;

  set_done (self, 0);
  if (self->total != total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }

  return TRUE;
}

/**
 * charla_scanner_scan_async:
 * @self: a prepared scanner
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when every probe has finished or the scan was cancelled
 * @user_data: data for @callback
 *
 * Runs the scan prepared by charla_scanner_prepare().  The lists are
 * emptied first and filled while probes finish.
 */
void
charla_scanner_scan_async (CharlaScanner       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSource) cancel_source = NULL;
  guint open_fds = 0;
  ScanRun *run;

  g_return_if_fail (CHARLA_IS_SCANNER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, charla_scanner_scan_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->run != NULL)
    {
      g_task_return_new_error (task, CHARLA_ERROR, CHARLA_ERROR_BUSY,
                               _("A scan is already running; stop it first"));
      return;
    }

  if (self->targets == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("Nothing to scan: the scan was not prepared"));
      return;
    }

  run = (ScanRun *) g_source_new (&scan_run_source_funcs, sizeof (ScanRun));
  g_source_set_static_name ((GSource *) run, "[charla] scan");
  run->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (run->epoll_fd < 0)
    {
      int errsv = errno;

      g_source_unref ((GSource *) run);
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                               _("Cannot start the scan: %s"), g_strerror (errsv));
      return;
    }
  g_source_add_unix_fd ((GSource *) run, run->epoll_fd, G_IO_IN);
  run->scanner = self;
  run->task = g_steal_pointer (&task);
  run->targets = charla_target_set_ref (self->targets);
  run->node = self->node != NULL ? g_object_ref (self->node) : NULL;
  for (guint phase = 0; phase < N_PHASES; phase++)
    g_queue_init (&run->queues[phase]);
  run->pending_report = g_ptr_array_new_with_free_func (g_object_unref);
  run->pending_servers = g_ptr_array_new_with_free_func (g_object_unref);
  run->port_min = self->port_min;
  run->n_ports = (guint) (self->port_max - self->port_min) + 1;
  run->total = self->total;
  run->max_in_flight = MIN (self->max_in_flight, charla_fd_budget (FD_RESERVE, &open_fds));
  run->max_in_flight = (guint) MIN ((guint64) run->max_in_flight, self->total);
  /* Small scans fit the table a process starts with. */
  if (run->max_in_flight > 64)
    run->fd_table_growth = fd_table_grow_start (open_fds + run->max_in_flight + FD_RESERVE);
  run->connect_timeout_usec = (gint64) self->connect_timeout_ms * G_TIME_SPAN_MILLISECOND;
  run->reply_timeout_usec = (gint64) self->reply_timeout_ms * G_TIME_SPAN_MILLISECOND;
  run->last_flush = g_get_monotonic_time ();

  if (cancellable != NULL)
    {
      cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (cancel_source, G_SOURCE_FUNC (on_cancelled), NULL, NULL);
      g_source_add_child_source ((GSource *) run, cancel_source);
    }

  self->run = run;
  g_list_store_remove_all (self->servers);
  g_list_store_remove_all (self->report);
  set_done (self, 0);

  g_source_set_ready_time ((GSource *) run, 0);
  /* Below GTK's layout and redraw (GDK_PRIORITY_REDRAW, 120): a run
   * whose time slice left work is ready again at once, and at the
   * default priority it starved a window's frame clock for the whole
   * scan (bench/ui-scan-lab.sh). Other sources of the default priority
   * (peers, the listener) come first too, as they should. */
  g_source_set_priority ((GSource *) run, G_PRIORITY_DEFAULT_IDLE);
  g_source_attach ((GSource *) run, g_task_get_context (run->task));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

/**
 * charla_scanner_scan_finish:
 *
 * Returns: %TRUE if every probe ran; %FALSE with %G_IO_ERROR_CANCELLED
 *   if the scan was cancelled (the lists keep what was found)
 */
gboolean
charla_scanner_scan_finish (CharlaScanner  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (CHARLA_IS_SCANNER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == charla_scanner_scan_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
