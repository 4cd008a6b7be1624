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

#include "charla-platform-private.h"
#include "charla-probe-engine.h"
#include "charla-wire.h"

/* The epoll probe engine (Linux).
 *
 * Probes are plain non-blocking sockets in one epoll set, whose fd is
 * the only one the main loop polls for the whole scan.  A GSocket and a
 * GSource per probe cost O(probes in flight) inside GMainContext for
 * every start and end (its fds and poll records are linked lists, and
 * every change wakes the context): measured in docs/BENCHMARKS.md.  Here
 * both are O(1), so thousands of probes can be in flight on a small
 * machine without false timeouts or long main loop stalls. */

/* Socket events fetched per epoll_wait() call. */
#define EVENT_BATCH 256

/* File descriptors left for everything else while a scan runs. */
#define FD_RESERVE 64

/* Shared with the thread that grows the fd table, see fd_table_grow_start(). */
typedef struct
{
  gint done;
  int wanted_size;
} FdTableGrowth;

typedef struct
{
  CharlaProbe base;
  int fd;
} EpollProbe;

struct _CharlaProbeEngine
{
  /* Owned */
  int epoll_fd;
  FdTableGrowth *fd_table_growth;       /* until the helper thread is done */
  GSocketAddress *local_address;
  CharlaProbeDeadlines deadlines;

  /* Borrowed */
  GSource *scan_source;
  gpointer epoll_tag;
  CharlaProbeDoneFunc done;
  gpointer user_data;

  guint in_flight;
  gboolean events_left;         /* the last look at the epoll set was cut short */
  gboolean start_deferred;      /* a start was asked for later */
};

const char *
charla_probe_engine_get_name (void)
{
  return "epoll";
}

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

/* Whether the table is still growing (see grow_fd_table_thread()). */
static gboolean
fd_table_is_growing (CharlaProbeEngine *self)
{
  if (self->fd_table_growth != NULL && g_atomic_int_get (&self->fd_table_growth->done))
    g_clear_pointer (&self->fd_table_growth, g_atomic_rc_box_release);

  return self->fd_table_growth != NULL;
}

static void
set_error_from_errno (GError **error,
                      int      errsv)
{
  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errsv), g_strerror (errsv));
}

static void
probe_close (CharlaProbeEngine *self,
             EpollProbe        *probe)
{
  charla_probe_deadlines_remove (&self->deadlines, &probe->base);
  /* Closing also leaves the epoll set.  Nothing useful can be done if
   * close fails; the fd is gone anyway. */
  (void) close (probe->fd);
  charla_probe_clear (&probe->base);
  g_free (probe);
  self->in_flight--;
}

static void
probe_report (CharlaProbeEngine *self,
              EpollProbe        *probe,
              CharlaScanResult  *result)
{
  self->done (result, self->user_data);
  probe_close (self, probe);
}

/* Whether the socket's local address is the address it connected to:
 * a TCP self-connect (see charla_probe_result_for_self_connect()). */
static gboolean
probe_is_self_connect (EpollProbe *probe)
{
  struct sockaddr_storage local, remote;
  socklen_t local_len = sizeof local, remote_len = sizeof remote;

  if (getsockname (probe->fd, (struct sockaddr *) &local, &local_len) != 0 ||
      getpeername (probe->fd, (struct sockaddr *) &remote, &remote_len) != 0)
    return FALSE;

  return local_len == remote_len && memcmp (&local, &remote, local_len) == 0;
}

/* Sends the bare name query and waits for the reply. */
static void
probe_connected (CharlaProbeEngine *self,
                 EpollProbe        *probe)
{
  g_autoptr(GError) error = NULL;
  struct epoll_event event = { .events = EPOLLIN, .data.ptr = probe };
  gssize sent;

  if (probe_is_self_connect (probe))
    {
      probe_report (self, probe, charla_probe_result_for_self_connect (&probe->base));
      return;
    }

  sent = send (probe->fd, CHARLA_NAME_QUERY, CHARLA_NAME_QUERY_LEN, MSG_NOSIGNAL);
  if (sent < 0)
    set_error_from_errno (&error, errno);
  if (sent != CHARLA_NAME_QUERY_LEN)
    {
      /* Six bytes always fit a fresh socket's buffer; a failure means
       * the peer reset the connection right away. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
        {
          probe_report (self, probe, charla_probe_result_for_reply (&probe->base, TRUE, NULL));
          return;
        }
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("The name query could not be sent"));
      probe_report (self, probe, charla_probe_result_for_reply (&probe->base, FALSE, error));
      return;
    }

  if (epoll_ctl (self->epoll_fd, EPOLL_CTL_MOD, probe->fd, &event) != 0)
    {
      set_error_from_errno (&error, errno);
      probe_report (self, probe, charla_probe_result_for_reply (&probe->base, FALSE, error));
      return;
    }

  probe->base.reply = g_malloc (CHARLA_PROBE_REPLY_MAX_BYTES);
  charla_probe_deadlines_add (&self->deadlines, &probe->base, CHARLA_PROBE_PHASE_REPLY,
                              g_get_monotonic_time ());
}

static void
probe_handle_connect (CharlaProbeEngine *self,
                      EpollProbe        *probe)
{
  g_autoptr(GError) error = NULL;
  int errsv = 0;
  socklen_t len = sizeof errsv;

  if (getsockopt (probe->fd, SOL_SOCKET, SO_ERROR, &errsv, &len) != 0)
    errsv = errno;

  if (errsv == 0)
    {
      probe_connected (self, probe);
      return;
    }

  set_error_from_errno (&error, errsv);
  probe_report (self, probe, charla_probe_result_for_connect_error (&probe->base, error));
}

/* Reads what arrived; finishes the probe on EOF, error or a full buffer,
 * and otherwise waits out the grace period for the rest of a split reply. */
static void
probe_handle_readable (CharlaProbeEngine *self,
                       EpollProbe        *probe)
{
  CharlaProbe *base = &probe->base;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize received;
      int errsv;

      received = recv (probe->fd, base->reply + base->reply_len,
                       CHARLA_PROBE_REPLY_MAX_BYTES - base->reply_len, 0);
      if (received > 0)
        {
          base->reply_len += received;
          if (charla_probe_reply_is_complete (base))
            {
              probe_report (self, probe, charla_probe_result_for_reply (base, FALSE, NULL));
              return;
            }
          continue;
        }

      if (received == 0)
        {
          probe_report (self, probe, charla_probe_result_for_reply (base, TRUE, NULL));
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
        probe_report (self, probe, charla_probe_result_for_reply (base, TRUE, NULL));
      else
        probe_report (self, probe, charla_probe_result_for_reply (base, FALSE, error));
      return;
    }

  if (base->phase == CHARLA_PROBE_PHASE_REPLY && base->reply_len > 0)
    charla_probe_deadlines_add (&self->deadlines, base, CHARLA_PROBE_PHASE_GRACE,
                                g_get_monotonic_time ());
}

static void
probe_handle_deadline (CharlaProbeEngine *self,
                       EpollProbe        *probe)
{
  switch (probe->base.phase)
    {
    case CHARLA_PROBE_PHASE_CONNECT:
      probe_report (self, probe,
                    charla_probe_result_new (&probe->base, CHARLA_PROBE_FILTERED, NULL, NULL));
      break;

    case CHARLA_PROBE_PHASE_REPLY:
    case CHARLA_PROBE_PHASE_GRACE:
      probe_report (self, probe, charla_probe_result_for_reply (&probe->base, FALSE, NULL));
      break;

    case CHARLA_PROBE_N_PHASES:
    default:
      g_assert_not_reached ();
    }
}

CharlaProbeEngine *
charla_probe_engine_new (const CharlaProbeSettings *settings,
                         GSource                   *scan_source,
                         CharlaProbeDoneFunc        done,
                         gpointer                   user_data,
                         GError                   **error)
{
  g_autofree CharlaProbeEngine *self = g_new0 (CharlaProbeEngine, 1);
  guint open_fds = 0;

  self->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (self->epoll_fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Cannot start the scan: %s"), g_strerror (errsv));
      return NULL;
    }

  self->scan_source = scan_source;
  self->epoll_tag = g_source_add_unix_fd (scan_source, self->epoll_fd, G_IO_IN);
  charla_probe_deadlines_init (&self->deadlines, settings);
  if (settings->local_address != NULL)
    self->local_address = g_object_ref (G_SOCKET_ADDRESS (settings->local_address));
  self->done = done;
  self->user_data = user_data;

  /* Small scans fit the table a process starts with. */
  if (settings->max_in_flight > 64)
    {
      (void) charla_fd_budget (FD_RESERVE, &open_fds);
      self->fd_table_growth = fd_table_grow_start (open_fds + settings->max_in_flight + FD_RESERVE);
    }

  return g_steal_pointer (&self);
}

CharlaProbeStart
charla_probe_engine_start (CharlaProbeEngine *self,
                           GInetAddress      *address,
                           guint16            port)
{
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GError) error = NULL;
  struct sockaddr_storage native;
  struct epoll_event event = { .events = EPOLLOUT };
  EpollProbe *probe;
  int fd;

  /* Until the fd table has grown, opening sockets could stall. */
  if (fd_table_is_growing (self))
    {
      self->start_deferred = TRUE;
      return CHARLA_PROBE_START_LATER;
    }

  /* Plain non-blocking sockets: a GSocket per probe costs an object and
   * two more syscalls, and nothing of it is needed here. */
  fd = socket (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 ? AF_INET6 : AF_INET,
               SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0 && (errno == EMFILE || errno == ENFILE) && self->in_flight > 0)
    return CHARLA_PROBE_START_NO_FDS;

  probe = g_new0 (EpollProbe, 1);
  charla_probe_init (&probe->base, address, port);
  probe->fd = fd;
  self->in_flight++;

  if (fd < 0)
    {
      set_error_from_errno (&error, errno);
      self->done (charla_probe_result_new (&probe->base, CHARLA_PROBE_ERROR, NULL, error->message),
                  self->user_data);
      charla_probe_clear (&probe->base);
      g_free (probe);
      self->in_flight--;
      return CHARLA_PROBE_STARTED;
    }

  socket_address = g_inet_socket_address_new (address, port);
  event.data.ptr = probe;
  if (self->local_address != NULL &&
      g_socket_address_to_native (self->local_address, &native, sizeof native, &error) &&
      bind (fd, (struct sockaddr *) &native, g_socket_address_get_native_size (self->local_address)) != 0)
    set_error_from_errno (&error, errno);

  if (error == NULL &&
      g_socket_address_to_native (socket_address, &native, sizeof native, &error))
    {
      gboolean connected = connect (fd, (struct sockaddr *) &native,
                                    g_socket_address_get_native_size (socket_address)) == 0;

      if (!connected && errno != EINPROGRESS)
        set_error_from_errno (&error, errno);
      else if (epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0)
        set_error_from_errno (&error, errno);
      else if (connected)
        {
          /* Loopback may connect at once. */
          probe_connected (self, probe);
          return CHARLA_PROBE_STARTED;
        }
      else
        {
          charla_probe_deadlines_add (&self->deadlines, &probe->base, CHARLA_PROBE_PHASE_CONNECT,
                                      probe->base.started);
          return CHARLA_PROBE_STARTED;
        }
    }

  probe_report (self, probe, charla_probe_result_for_connect_error (&probe->base, error));
  return CHARLA_PROBE_STARTED;
}

/* Handles the sockets that are ready, then the probes whose deadline
 * has passed, until @slice_end.  Events come first and deadlines are
 * those passed before the events were fetched, so an answer that arrived
 * in time is never taken for a timeout, however late the main loop got
 * round to it.
 *
 * Returns: %TRUE if it stopped with work left that is ready now */
gboolean
charla_probe_engine_process (CharlaProbeEngine *self,
                             gint64             slice_end)
{
  struct epoll_event events[EVENT_BATCH];
  gint64 now = g_get_monotonic_time ();
  CharlaProbe *expired;
  int n;

  self->events_left = FALSE;
  self->start_deferred = FALSE;
  do
    {
      /* Each fd shows up at most once per epoll_wait(), so a probe freed
       * while handling the batch is never looked at again. */
      n = epoll_wait (self->epoll_fd, events, EVENT_BATCH, 0);
      for (int i = 0; i < n; i++)
        {
          EpollProbe *probe = events[i].data.ptr;

          if (probe->base.phase == CHARLA_PROBE_PHASE_CONNECT)
            probe_handle_connect (self, probe);
          else
            probe_handle_readable (self, probe);
        }

      if (n == EVENT_BATCH && g_get_monotonic_time () >= slice_end)
        {
          self->events_left = TRUE;
          return TRUE;
        }
    }
  while (n == EVENT_BATCH);

  while ((expired = charla_probe_deadlines_pop_expired (&self->deadlines, now)) != NULL)
    {
      probe_handle_deadline (self, (EpollProbe *) expired);
      if (g_get_monotonic_time () >= slice_end)
        return charla_probe_deadlines_next (&self->deadlines) >= 0 &&
               charla_probe_deadlines_next (&self->deadlines) <= now;
    }

  return FALSE;
}

/* When the engine needs charla_probe_engine_process() or _start() again
 * without a socket event: 0 for now, -1 for never. */
gint64
charla_probe_engine_get_ready_time (CharlaProbeEngine *self)
{
  /* Until the fd table has grown, look again every millisecond. */
  if (self->start_deferred)
    return fd_table_is_growing (self) ? g_get_monotonic_time () + G_TIME_SPAN_MILLISECOND : 0;

  if (self->events_left)
    return 0;

  return charla_probe_deadlines_next (&self->deadlines);
}

guint
charla_probe_engine_get_in_flight (CharlaProbeEngine *self)
{
  return self->in_flight;
}

/* Closes every probe still open, reporting none. */
void
charla_probe_engine_free (CharlaProbeEngine *self)
{
  for (guint phase = 0; phase < CHARLA_PROBE_N_PHASES; phase++)
    while (self->deadlines.queues[phase].head != NULL)
      probe_close (self, self->deadlines.queues[phase].head->data);

  g_assert (self->in_flight == 0);
  g_source_remove_unix_fd (self->scan_source, self->epoll_tag);
  (void) close (self->epoll_fd);
  g_clear_pointer (&self->fd_table_growth, g_atomic_rc_box_release);
  g_clear_object (&self->local_address);
  g_free (self);
}
