/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-probe-engine.h"
#include "charla-wire.h"

/* The portable probe engine: GIO only.
 *
 * Each probe is a g_socket_client_connect_async() to one
 * #GInetSocketAddress (no DNS, proxy support off: a proxy lookup per
 * probe would cost a thread hop and could send the probe elsewhere),
 * then the bare name query and a g_input_stream_read_async() of the
 * reply, both answered at G_PRIORITY_DEFAULT.  GSocketClient's own timeout counts whole seconds, so every
 * probe has a #GCancellable that the engine cancels when the probe's
 * deadline passes; the outcome is only ever decided in the callback
 * that follows.
 *
 * GLib 2.74 needs care (see docs/BENCHMARKS.md):
 * - an attempt that fails after GSocketClient's 250 ms timer has run
 *   leaks its operation (GNOME/glib#3184): CharlaProbeConnectable below
 *   keeps that path from being taken;
 * - everything, including every g_cancellable_cancel(), happens on the
 *   scanner's thread: GCancellable's cross-thread races (a cancelled
 *   handler running on a disposed GCancellableSource, fixed in 2.83;
 *   leaks in GCancellableSource, fixed in 2.81) cannot happen;
 * - a callback may arrive after the engine is gone (the scan ended or
 *   was stopped): each pending operation holds a reference on its probe,
 *   and a probe detached from its engine only cleans up;
 * - the error a callback reports is not taken as what happened: a GTask
 *   checks its cancellable again when its result is taken, so an attempt
 *   that connected just before its deadline reports cancellation, and one
 *   that failed just after it reports the failure; the probe's own
 *   record (its deadline passed or not) decides.
 *
 * GSocketClient's callbacks run at G_PRIORITY_DEFAULT, which the engine
 * cannot lower, so it bounds what each of its slices sets off: starts
 * and cancellations per dispatch are capped, each being followed by a
 * callback at default priority in the next main loop iteration. */

/* What one dispatch may set off: each start and each cancellation is
 * followed by about 20–60 µs of GIO work at default priority. */
#define STARTS_PER_SLICE 64
#define CANCELS_PER_SLICE 64

typedef struct
{
  CharlaProbe base;
  GList all_link;               /* in the engine's list of probes in flight */
  grefcount ref;                /* the engine's, and one per pending operation */
  CharlaProbeEngine *engine;    /* NULL once detached */
  GCancellable *cancellable;
  GSocketConnection *connection;
  gboolean timed_out;
} GioProbe;

struct _CharlaProbeEngine
{
  /* Owned */
  GSocketClient *client;
  CharlaProbeDeadlines deadlines;
  GQueue probes;                /* GioProbe in flight, by all_link */
  GQueue retry;                 /* GioProbe out of descriptors, by all_link */

  /* Borrowed */
  GSource *scan_source;
  CharlaProbeDoneFunc done;
  gpointer user_data;

  guint starts_this_slice;
  gboolean start_deferred;      /* a start was asked for in the next slice */
  guint fd_ceiling;             /* probes that fit when one ran out, or 0 */
};

/* ---------------------------------------------------------------------
 * CharlaProbeConnectable: one address, for GSocketClient.
 *
 * GSocketClient starts a 250 ms "happy eyeballs" timer with each
 * connection attempt; when it fires, it asks the address enumerator for
 * another address.  A GInetSocketAddress's enumerator answers "no more"
 * at once, and if the attempt then fails (refused after a retransmitted
 * SYN, unreachable…), GLib 2.74 never drops the reference that attempt
 * held on the operation's GTask: the task, its data and the client leak
 * (GNOME/glib#3184, fixed in 2.79; tests/test-probe-engine.c
 * /charla/probe-engine/late-answer).  This enumerator hands out its one
 * address, and holds a request made from that timer (a timeout source,
 * GSocketClient's only one) until the operation cancels its enumeration
 * (which every ending of the operation does) or asks again (after the
 * attempt failed); then it answers "no more".  GSocketClient then
 * finishes the operation from its enumeration path, which drops every
 * reference.  Held requests end from a source of their own, never
 * inside GSocketClient's or a GCancellable's own call.
 */

#define CHARLA_TYPE_PROBE_CONNECTABLE (charla_probe_connectable_get_type ())
G_DECLARE_FINAL_TYPE (CharlaProbeConnectable, charla_probe_connectable,
                      CHARLA, PROBE_CONNECTABLE, GObject)

#define CHARLA_TYPE_PROBE_ENUMERATOR (charla_probe_enumerator_get_type ())
G_DECLARE_FINAL_TYPE (CharlaProbeEnumerator, charla_probe_enumerator,
                      CHARLA, PROBE_ENUMERATOR, GSocketAddressEnumerator)

struct _CharlaProbeConnectable
{
  GObject parent_instance;

  GSocketAddress *address;
};

struct _CharlaProbeEnumerator
{
  GSocketAddressEnumerator parent_instance;

  GSocketAddress *address;      /* NULL once handed out */
  GPtrArray *held;              /* GTask */
};

static void charla_probe_connectable_iface_init (GSocketConnectableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CharlaProbeConnectable, charla_probe_connectable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SOCKET_CONNECTABLE,
                                                      charla_probe_connectable_iface_init))
G_DEFINE_FINAL_TYPE (CharlaProbeEnumerator, charla_probe_enumerator,
                     G_TYPE_SOCKET_ADDRESS_ENUMERATOR)

static GSocketAddress *
charla_probe_enumerator_next (GSocketAddressEnumerator  *enumerator,
                              GCancellable              *cancellable,
                              GError                   **error)
{
  CharlaProbeEnumerator *self = CHARLA_PROBE_ENUMERATOR (enumerator);

  return g_steal_pointer (&self->address);
}

/* Answers a held request "no more addresses", once. */
static gboolean
end_held_request (gpointer user_data)
{
  GTask *task = user_data;
  CharlaProbeEnumerator *self = g_task_get_source_object (task);

  if (g_ptr_array_remove (self->held, task))
    {
      g_task_return_pointer (task, NULL, NULL);
      g_object_unref (task);
    }

  return G_SOURCE_REMOVE;
}

static void
end_held_request_soon (GTask *task)
{
  g_autoptr(GSource) idle = g_idle_source_new ();

  g_task_attach_source (task, idle, end_held_request);
}

static gboolean
on_held_request_cancelled (GCancellable *cancellable,
                           gpointer      user_data)
{
  return end_held_request (user_data);
}

static void
charla_probe_enumerator_next_async (GSocketAddressEnumerator *enumerator,
                                    GCancellable             *cancellable,
                                    GAsyncReadyCallback       callback,
                                    gpointer                  user_data)
{
  CharlaProbeEnumerator *self = CHARLA_PROBE_ENUMERATOR (enumerator);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GSource *current = g_main_current_source ();

  g_task_set_source_tag (task, charla_probe_enumerator_next_async);
  g_task_set_check_cancellable (task, FALSE);

  if (self->address != NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&self->address), g_object_unref);
      return;
    }

  /* A request from GSocketClient's attempt timer waits, unless the
   * operation is already over. */
  if (current != NULL && current->source_funcs == &g_timeout_funcs &&
      !g_cancellable_is_cancelled (cancellable))
    {
      if (cancellable != NULL)
        {
          g_autoptr(GSource) cancelled = g_cancellable_source_new (cancellable);

          g_task_attach_source (task, cancelled, G_SOURCE_FUNC (on_held_request_cancelled));
        }
      g_ptr_array_add (self->held, g_steal_pointer (&task));
      return;
    }

  /* Asked again: the attempt is over; so are the held requests. */
  for (guint i = 0; i < self->held->len; i++)
    end_held_request_soon (g_ptr_array_index (self->held, i));
  g_task_return_pointer (task, NULL, NULL);
}

static GSocketAddress *
charla_probe_enumerator_next_finish (GSocketAddressEnumerator  *enumerator,
                                     GAsyncResult              *result,
                                     GError                   **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
charla_probe_enumerator_finalize (GObject *object)
{
  CharlaProbeEnumerator *self = CHARLA_PROBE_ENUMERATOR (object);

  /* Held requests keep their enumerator alive: none are left here. */
  g_assert (self->held->len == 0);
  g_ptr_array_unref (self->held);
  g_clear_object (&self->address);

  G_OBJECT_CLASS (charla_probe_enumerator_parent_class)->finalize (object);
}

static void
charla_probe_enumerator_class_init (CharlaProbeEnumeratorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GSocketAddressEnumeratorClass *enumerator_class = G_SOCKET_ADDRESS_ENUMERATOR_CLASS (klass);

  object_class->finalize = charla_probe_enumerator_finalize;
  enumerator_class->next = charla_probe_enumerator_next;
  enumerator_class->next_async = charla_probe_enumerator_next_async;
  enumerator_class->next_finish = charla_probe_enumerator_next_finish;
}

static void
charla_probe_enumerator_init (CharlaProbeEnumerator *self)
{
  self->held = g_ptr_array_new ();
}

static GSocketAddressEnumerator *
charla_probe_connectable_enumerate (GSocketConnectable *connectable)
{
  CharlaProbeConnectable *self = CHARLA_PROBE_CONNECTABLE (connectable);
  CharlaProbeEnumerator *enumerator = g_object_new (CHARLA_TYPE_PROBE_ENUMERATOR, NULL);

  enumerator->address = g_object_ref (self->address);
  return G_SOCKET_ADDRESS_ENUMERATOR (enumerator);
}

static char *
charla_probe_connectable_to_string (GSocketConnectable *connectable)
{
  return g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (CHARLA_PROBE_CONNECTABLE (connectable)->address));
}

static void
charla_probe_connectable_iface_init (GSocketConnectableIface *iface)
{
  iface->enumerate = charla_probe_connectable_enumerate;
  iface->proxy_enumerate = charla_probe_connectable_enumerate;
  iface->to_string = charla_probe_connectable_to_string;
}

static void
charla_probe_connectable_finalize (GObject *object)
{
  g_clear_object (&CHARLA_PROBE_CONNECTABLE (object)->address);

  G_OBJECT_CLASS (charla_probe_connectable_parent_class)->finalize (object);
}

static void
charla_probe_connectable_class_init (CharlaProbeConnectableClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = charla_probe_connectable_finalize;
}

static void
charla_probe_connectable_init (CharlaProbeConnectable *self)
{
}

static GSocketConnectable *
charla_probe_connectable_new (GInetAddress *address,
                              guint16       port)
{
  CharlaProbeConnectable *self = g_object_new (CHARLA_TYPE_PROBE_CONNECTABLE, NULL);

  self->address = g_inet_socket_address_new (address, port);
  return G_SOCKET_CONNECTABLE (self);
}

/* ---------------------------------------------------------------------
 * The engine
 */

const char *
charla_probe_engine_get_name (void)
{
  return "gio";
}

static GioProbe *
gio_probe_ref (GioProbe *probe)
{
  g_ref_count_inc (&probe->ref);
  return probe;
}

static void
gio_probe_unref (GioProbe *probe)
{
  if (!g_ref_count_dec (&probe->ref))
    return;

  g_assert (probe->engine == NULL);
  g_clear_object (&probe->connection);
  g_clear_object (&probe->cancellable);
  charla_probe_clear (&probe->base);
  g_free (probe);
}

/* Takes @probe away from its engine: whatever callback is still to come
 * only cleans up.  Drops the engine's reference. */
static void
gio_probe_detach (CharlaProbeEngine *self,
                  GioProbe          *probe,
                  GQueue            *list)
{
  charla_probe_deadlines_remove (&self->deadlines, &probe->base);
  g_queue_unlink (list, &probe->all_link);
  probe->engine = NULL;
  g_cancellable_cancel (probe->cancellable);
  gio_probe_unref (probe);
}

/* Ends @probe with @result (transfer full).  Called from GIO callbacks
 * (or the start), never from inside the scanner's own dispatch loop over
 * the engine's lists. */
static void
gio_probe_report (GioProbe         *probe,
                  CharlaScanResult *result)
{
  CharlaProbeEngine *self = probe->engine;

  self->done (result, self->user_data);
  gio_probe_detach (self, probe, &self->probes);

  /* The scanner may start another probe, or be done. */
  g_source_set_ready_time (self->scan_source, 0);
}

static gboolean
is_self_connect (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);

  if (!G_IS_INET_SOCKET_ADDRESS (local) || !G_IS_INET_SOCKET_ADDRESS (remote))
    return FALSE;

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) ==
         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)) &&
         g_inet_address_equal (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)),
                               g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
}

static void probe_read_more (GioProbe *probe);

static void
on_reply_read (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GioProbe *probe = user_data;
  g_autoptr(GError) error = NULL;
  gssize received;

  received = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (probe->engine == NULL)
    {
      gio_probe_unref (probe);
      return;
    }

  if (received > 0)
    {
      probe->base.reply_len += received;
      if (probe->timed_out || charla_probe_reply_is_complete (&probe->base))
        gio_probe_report (probe, charla_probe_result_for_reply (&probe->base, FALSE, NULL));
      else
        {
          if (probe->base.phase == CHARLA_PROBE_PHASE_REPLY)
            charla_probe_deadlines_add (&probe->engine->deadlines, &probe->base,
                                        CHARLA_PROBE_PHASE_GRACE, g_get_monotonic_time ());
          probe_read_more (probe);
        }
    }
  else if (received == 0)
    gio_probe_report (probe, charla_probe_result_for_reply (&probe->base, TRUE, NULL));
  else if (probe->timed_out)
    gio_probe_report (probe, charla_probe_result_for_reply (&probe->base, FALSE, NULL));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
    /* A server that closes at once with our query unread resets the
     * connection: the same hang-up as a close. */
    gio_probe_report (probe, charla_probe_result_for_reply (&probe->base, TRUE, NULL));
  else
    gio_probe_report (probe, charla_probe_result_for_reply (&probe->base, FALSE, error));

  gio_probe_unref (probe);
}

static void
probe_read_more (GioProbe *probe)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (probe->connection));

  /* At default priority, like GSocketClient's own callbacks: above the
   * scan's dispatch, so an answer is always read before its deadline is
   * looked at (see charla_probe_engine_process()). */
  g_input_stream_read_async (input, probe->base.reply + probe->base.reply_len,
                             CHARLA_PROBE_REPLY_MAX_BYTES - probe->base.reply_len,
                             G_PRIORITY_DEFAULT, probe->cancellable,
                             on_reply_read, gio_probe_ref (probe));
}

/* Sends the bare name query and waits for the reply. */
static void
probe_connected (GioProbe *probe)
{
  g_autoptr(GError) error = NULL;
  GSocket *socket = g_socket_connection_get_socket (probe->connection);
  gssize sent;

  if (is_self_connect (probe->connection))
    {
      gio_probe_report (probe, charla_probe_result_for_self_connect (&probe->base));
      return;
    }

  /* Six bytes always fit a fresh socket's buffer; a failure means the
   * peer reset the connection right away. */
  sent = g_socket_send_with_blocking (socket, CHARLA_NAME_QUERY, CHARLA_NAME_QUERY_LEN,
                                      FALSE, NULL, &error);
  if (sent != CHARLA_NAME_QUERY_LEN)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
        gio_probe_report (probe, charla_probe_result_for_reply (&probe->base, TRUE, NULL));
      else
        {
          if (error == NULL)
            g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                 _("The name query could not be sent"));
          gio_probe_report (probe, charla_probe_result_for_reply (&probe->base, FALSE, error));
        }
      return;
    }

  probe->base.reply = g_malloc (CHARLA_PROBE_REPLY_MAX_BYTES);
  charla_probe_deadlines_add (&probe->engine->deadlines, &probe->base, CHARLA_PROBE_PHASE_REPLY,
                              g_get_monotonic_time ());
  probe_read_more (probe);
}

static void probe_connect (GioProbe *probe);

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GioProbe *probe = user_data;
  CharlaProbeEngine *self = probe->engine;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, &error);

  if (self == NULL)
    {
      /* The scan is over; dropping the connection closes it. */
      gio_probe_unref (probe);
      return;
    }

  if (probe->timed_out)
    {
      /* Whatever GSocketClient says of an attempt cancelled at its
       * deadline, the port did not answer in time. */
      gio_probe_report (probe, charla_probe_result_new (&probe->base, CHARLA_PROBE_FILTERED,
                                                        NULL, NULL));
    }
  else if (connection != NULL)
    {
      probe->connection = g_steal_pointer (&connection);
      probe_connected (probe);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES) &&
           self->probes.length > 1)
    {
      /* Tried again once another probe has ended. */
      charla_probe_deadlines_remove (&self->deadlines, &probe->base);
      g_queue_unlink (&self->probes, &probe->all_link);
      g_queue_push_tail_link (&self->retry, &probe->all_link);
      self->fd_ceiling = self->probes.length;
    }
  else
    gio_probe_report (probe, charla_probe_result_for_connect_error (&probe->base, error));

  gio_probe_unref (probe);
}

static void
probe_connect (GioProbe *probe)
{
  CharlaProbeEngine *self = probe->engine;
  g_autoptr(GSocketConnectable) address = charla_probe_connectable_new (probe->base.address,
                                                                        probe->base.port);

  charla_probe_deadlines_add (&self->deadlines, &probe->base, CHARLA_PROBE_PHASE_CONNECT,
                              g_get_monotonic_time ());
  g_socket_client_connect_async (self->client, address,
                                 probe->cancellable, on_connected, gio_probe_ref (probe));
}

CharlaProbeEngine *
charla_probe_engine_new (const CharlaProbeSettings *settings,
                         GSource                   *scan_source,
                         CharlaProbeDoneFunc        done,
                         gpointer                   user_data,
                         GError                   **error)
{
  CharlaProbeEngine *self = g_new0 (CharlaProbeEngine, 1);

  self->client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (self->client, FALSE);
  g_socket_client_set_protocol (self->client, G_SOCKET_PROTOCOL_TCP);
  if (settings->local_address != NULL)
    g_socket_client_set_local_address (self->client, G_SOCKET_ADDRESS (settings->local_address));
  charla_probe_deadlines_init (&self->deadlines, settings);
  g_queue_init (&self->probes);
  g_queue_init (&self->retry);
  self->scan_source = scan_source;
  self->done = done;
  self->user_data = user_data;

  return self;
}

CharlaProbeStart
charla_probe_engine_start (CharlaProbeEngine *self,
                           GInetAddress      *address,
                           guint16            port)
{
  GioProbe *probe;

  if (self->retry.length > 0)
    return CHARLA_PROBE_START_NO_FDS;
  if (self->starts_this_slice >= STARTS_PER_SLICE)
    {
      self->start_deferred = TRUE;
      return CHARLA_PROBE_START_LATER;
    }
  self->starts_this_slice++;

  probe = g_new0 (GioProbe, 1);
  charla_probe_init (&probe->base, address, port);
  probe->all_link.data = probe;
  g_ref_count_init (&probe->ref);
  probe->engine = self;
  probe->cancellable = g_cancellable_new ();
  g_queue_push_tail_link (&self->probes, &probe->all_link);

  probe_connect (probe);
  return CHARLA_PROBE_STARTED;
}

/* Cancels the probes whose deadline has passed (their callbacks decide
 * the outcome) and restarts those that ran out of descriptors, within
 * the slice and the caps.
 *
 * Socket callbacks run at default priority, above the scan, so the scan
 * only gets here in a main loop iteration whose poll found no socket
 * ready: a deadline that had passed by then (the iteration's time, taken
 * right after the poll) was not met.  That keeps answers from being
 * taken for timeouts as the epoll engine does by reading events first.
 *
 * Returns: %TRUE if it stopped with work left that is ready now */
gboolean
charla_probe_engine_process (CharlaProbeEngine *self,
                             gint64             slice_end)
{
  gint64 now = g_source_get_time (self->scan_source);
  CharlaProbe *expired;
  guint cancels = 0;

  self->starts_this_slice = 0;
  self->start_deferred = FALSE;

  while (cancels < CANCELS_PER_SLICE &&
         (expired = charla_probe_deadlines_pop_expired (&self->deadlines, now)) != NULL)
    {
      GioProbe *probe = (GioProbe *) expired;

      probe->timed_out = TRUE;
      g_cancellable_cancel (probe->cancellable);
      cancels++;
      if (g_get_monotonic_time () >= slice_end)
        break;
    }

  /* Probes that ran out of descriptors, once others have ended. */
  while (self->retry.length > 0 && self->probes.length < self->fd_ceiling &&
         self->starts_this_slice < STARTS_PER_SLICE)
    {
      GioProbe *probe = g_queue_peek_head (&self->retry);

      g_queue_unlink (&self->retry, &probe->all_link);
      g_queue_push_tail_link (&self->probes, &probe->all_link);
      self->starts_this_slice++;
      probe_connect (probe);
    }

  return charla_probe_deadlines_next (&self->deadlines) >= 0 &&
         charla_probe_deadlines_next (&self->deadlines) <= now;
}

gint64
charla_probe_engine_get_ready_time (CharlaProbeEngine *self)
{
  if (self->start_deferred)
    return 0;

  /* A probe that ends wakes the scan: then the retries may go. */
  if (self->retry.length > 0 && self->probes.length < self->fd_ceiling)
    return 0;

  return charla_probe_deadlines_next (&self->deadlines);
}

guint
charla_probe_engine_get_in_flight (CharlaProbeEngine *self)
{
  return self->probes.length + self->retry.length;
}

/* Cancels every probe still open, reporting none: their callbacks
 * arrive later, detached, and only clean up. */
void
charla_probe_engine_free (CharlaProbeEngine *self)
{
  while (self->probes.head != NULL)
    gio_probe_detach (self, self->probes.head->data, &self->probes);
  while (self->retry.head != NULL)
    gio_probe_detach (self, self->retry.head->data, &self->retry);

  g_clear_object (&self->client);
  g_free (self);
}
