/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

/* fanout-bench: one sender, many receivers, all on 127.0.0.1.
 *
 * The sender is a CharlaNode in this process's main thread (--target=node)
 * or a plain client of an `ncat --broker` (--target=broker). The receivers
 * live in one extra thread: raw sockets on one epoll, cheap enough that
 * the figures describe the sender, not them. Each message carries its
 * sequence number and its send time (CLOCK_MONOTONIC), so the receivers
 * count losses, reordering and latency per delivery.
 *
 * Every message text is "s<seq>t<ns>#" padded with dots to --size bytes:
 * self-delimiting, so the same parser reads framed MSG lines, bare seed
 * writes that the kernel may coalesce, and what ncat relays. */

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib-unix.h>

#include "bench-support.h"
#include "charla-node.h"
#include "charla-peer.h"

/* Latency histogram: 1 µs buckets below 100 ms, then 1 ms buckets. */
#define FINE_BUCKETS 100000
#define COARSE_BUCKETS 120000
#define N_BUCKETS (FINE_BUCKETS + COARSE_BUCKETS)

/* A burst pauses while some peer has this much queued, well under the
 * node's 16 MiB limit for slow peers, and resumes under the low mark. */
#define QUEUE_HIGH_WATER (4 * 1024 * 1024)
#define QUEUE_LOW_WATER (1 * 1024 * 1024)

#define RECEIVE_BUFFER_SIZE (256 * 1024)
#define WARM_UP_INTERVAL_US (50 * G_TIME_SPAN_MILLISECOND)

typedef enum {
  FIELD_NONE,
  FIELD_SEQ,
  FIELD_TIME,
} ParseField;

typedef struct
{
  int        fd;
  ParseField field;
  guint64    value;
  guint64    seq;

  guint64    next_seq;      /* expected next; 0 until the warm-up arrived */
  guint64    received;
  guint64    lost;
  guint64    out_of_order;
  gboolean   warmed_up;
  gboolean   finished;
  gboolean   closed;
} Receiver;

typedef struct
{
  /* Set before the thread starts */
  char          *host;
  guint16        port;
  guint          n_receivers;
  gboolean       charla_handshake;
  gboolean       say_hello;      /* seed receivers of a node */
  guint64        n_messages;
  gint64         deadline_ns;

  /* Written by the receiver thread */
  Receiver      *receivers;
  guint64       *histogram;
  gint64         max_latency_ns;
  gint64         last_delivery_ns;
  gint           connected;      /* atomic: handshakes done */
  gint           warmed_up;      /* atomic: receivers that saw a warm-up message */
  gint           finished;       /* atomic: receivers done with the run */
  gint           failed;         /* atomic */
  char          *error_message;

  /* Written by the main thread */
  gint           stop;           /* atomic */
} Fanout;

static char *opt_target = NULL;
static char *opt_dialect = NULL;
static int opt_port = 0;
static int opt_peers = 100;
static gint64 opt_messages = 10000;
static double opt_rate = 0;
static int opt_size = 64;
static int opt_batch = 64;
static int opt_timeout = 60;

static GOptionEntry option_entries[] = {
  { "target", 0, 0, G_OPTION_ARG_STRING, &opt_target, "node (a CharlaNode, default) or broker (ncat --broker at --port)", "TARGET" },
  { "dialect", 0, 0, G_OPTION_ARG_STRING, &opt_dialect, "Receivers speak charla (framed, default) or seed (raw)", "DIALECT" },
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "Broker port on 127.0.0.1", "PORT" },
  { "peers", 0, 0, G_OPTION_ARG_INT, &opt_peers, "Receivers (default 100)", "N" },
  { "messages", 0, 0, G_OPTION_ARG_INT64, &opt_messages, "Messages to send (default 10000)", "N" },
  { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt_rate, "Messages per second; 0 sends a burst (default)", "R" },
  { "size", 0, 0, G_OPTION_ARG_INT, &opt_size, "Message text size in bytes (default 64)", "BYTES" },
  { "batch", 0, 0, G_OPTION_ARG_INT, &opt_batch, "Burst: messages sent per main loop iteration (default 64)", "N" },
  { "timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout, "Give up after this many seconds (default 60)", "S" },
  { NULL }
};

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static void
fail (Fanout     *fanout,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
fail (Fanout     *fanout,
      const char *format,
      ...)
{
  va_list args;

  if (!g_atomic_int_compare_and_exchange (&fanout->failed, 0, 1))
    return;

  va_start (args, format);
  fanout->error_message = g_strdup_vprintf (format, args);
  va_end (args);
}

/* CPU time of the calling thread: the node's share of the work. */
static double
thread_cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Receivers */

static gboolean
read_exactly_until (int          fd,
                    GString     *reply,
                    const char  *until,
                    gint64       deadline_ns)
{
  char buffer[1024];

  /* A blocking socket with a short receive timeout keeps this simple. */
  while (until == NULL ? reply->len == 0 : strstr (reply->str, until) == NULL)
    {
      ssize_t n = recv (fd, buffer, sizeof buffer, 0);

      if (n > 0)
        g_string_append_len (reply, buffer, n);
      else if (n == 0)
        return FALSE;
      else if (errno != EAGAIN && errno != EINTR)
        return FALSE;

      if (now_ns () > deadline_ns)
        return FALSE;
    }

  return TRUE;
}

/* The Charla client handshake of docs/PROTOCOL.md 3.1, against the node's
 * listener: bare query, name, bare query again, HELLO, our HELLO. */
static gboolean
charla_handshake (int    fd,
                  guint  index,
                  gint64 deadline_ns)
{
  g_autoptr(GString) reply = g_string_new (NULL);
  g_autofree char *hello = g_strdup_printf ("CHARLA/1 HELLO r%u\n", index);

  if (!bench_send_all (fd, "--name", 6) || !read_exactly_until (fd, reply, NULL, deadline_ns))
    return FALSE;

  /* The name may arrive split; the HELLO line cannot be mistaken for it. */
  g_usleep (5 * G_TIME_SPAN_MILLISECOND);
  g_string_truncate (reply, 0);
  if (!bench_send_all (fd, "--name", 6) || !read_exactly_until (fd, reply, "\n", deadline_ns))
    return FALSE;

  if (strstr (reply->str, "CHARLA/1 HELLO ") == NULL)
    return FALSE;

  return bench_send_all (fd, hello, strlen (hello));
}

static int
connect_receiver (Fanout *fanout,
                  guint   index)
{
  struct sockaddr_in address = { 0 };
  struct timeval timeout = { .tv_sec = 0, .tv_usec = 100000 };
  int one = 1;
  int fd;

  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;

  address.sin_family = AF_INET;
  address.sin_port = htons (fanout->port);
  inet_pton (AF_INET, fanout->host, &address.sin_addr);

  if (connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      close (fd);
      return -1;
    }

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

  return fd;
}

static void
record_latency (Fanout *fanout,
                gint64  latency_ns)
{
  gint64 us = MAX (latency_ns, 0) / 1000;
  gsize bucket;

  if (us < FINE_BUCKETS)
    bucket = us;
  else
    bucket = MIN (FINE_BUCKETS + (us - FINE_BUCKETS) / 1000, N_BUCKETS - 1);

  fanout->histogram[bucket]++;
  fanout->max_latency_ns = MAX (fanout->max_latency_ns, latency_ns);
}

static void
receiver_finish (Fanout   *fanout,
                 Receiver *receiver)
{
  if (receiver->finished)
    return;

  receiver->finished = TRUE;
  g_atomic_int_inc (&fanout->finished);
}

static void
receive_message (Fanout   *fanout,
                 Receiver *receiver,
                 guint64   seq,
                 gint64    sent_ns,
                 gint64    arrived_ns)
{
  /* Seq 0 only proves the path works before the run starts. */
  if (seq == 0)
    {
      if (!receiver->warmed_up)
        {
          receiver->warmed_up = TRUE;
          receiver->next_seq = 1;
          g_atomic_int_inc (&fanout->warmed_up);
        }
      return;
    }

  if (!receiver->warmed_up)
    {
      /* The run started before this receiver's warm-up: all of it counts. */
      receiver->warmed_up = TRUE;
      receiver->next_seq = 1;
      g_atomic_int_inc (&fanout->warmed_up);
    }

  if (seq < receiver->next_seq)
    {
      receiver->out_of_order++;
      return;
    }

  receiver->lost += seq - receiver->next_seq;
  receiver->next_seq = seq + 1;
  receiver->received++;
  record_latency (fanout, arrived_ns - sent_ns);
  fanout->last_delivery_ns = MAX (fanout->last_delivery_ns, arrived_ns);

  if (seq >= fanout->n_messages)
    receiver_finish (fanout, receiver);
}

/* A tiny state machine, so records split across reads still parse. Any
 * byte that is not part of "s<digits>t<digits>#" resets it: "MSG ", LF,
 * padding and handshake replies are skipped. */
static void
parse_bytes (Fanout     *fanout,
             Receiver   *receiver,
             const char *data,
             gsize       len,
             gint64      arrived_ns)
{
  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (c >= '0' && c <= '9')
        {
          if (receiver->field != FIELD_NONE)
            receiver->value = receiver->value * 10 + (c - '0');
        }
      else if (c == 's')
        {
          receiver->field = FIELD_SEQ;
          receiver->value = 0;
        }
      else if (c == 't' && receiver->field == FIELD_SEQ)
        {
          receiver->seq = receiver->value;
          receiver->field = FIELD_TIME;
          receiver->value = 0;
        }
      else if (c == '#' && receiver->field == FIELD_TIME)
        {
          receive_message (fanout, receiver, receiver->seq, (gint64) receiver->value, arrived_ns);
          receiver->field = FIELD_NONE;
        }
      else
        {
          receiver->field = FIELD_NONE;
        }
    }
}

static gpointer
receivers_thread (gpointer user_data)
{
  Fanout *fanout = user_data;
  g_autofree char *buffer = g_malloc (RECEIVE_BUFFER_SIZE);
  struct epoll_event events[128];
  gint64 connect_deadline = now_ns () + 20 * G_GINT64_CONSTANT (1000000000);
  int epoll_fd;

  epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (epoll_fd < 0)
    {
      fail (fanout, "epoll_create1: %s", g_strerror (errno));
      return NULL;
    }

  for (guint i = 0; i < fanout->n_receivers; i++)
    {
      Receiver *receiver = &fanout->receivers[i];
      struct epoll_event event = { .events = EPOLLIN, .data.ptr = receiver };

      receiver->fd = connect_receiver (fanout, i);
      if (receiver->fd < 0)
        {
          fail (fanout, "receiver %u could not connect: %s", i, g_strerror (errno));
          break;
        }

      if (fanout->charla_handshake)
        {
          if (!charla_handshake (receiver->fd, i, connect_deadline))
            {
              fail (fanout, "receiver %u: the Charla handshake failed", i);
              break;
            }
        }
      else if (fanout->say_hello)
        {
          /* Seed receivers to a node say something so the node treats
           * them as seed peers at once instead of after 500 ms. */
          g_autofree char *hello = g_strdup_printf ("r%u\n", i);
          bench_send_all (receiver->fd, hello, strlen (hello));
        }

      g_unix_set_fd_nonblocking (receiver->fd, TRUE, NULL);
      epoll_ctl (epoll_fd, EPOLL_CTL_ADD, receiver->fd, &event);
      g_atomic_int_inc (&fanout->connected);
    }

  while (!g_atomic_int_get (&fanout->stop) && !g_atomic_int_get (&fanout->failed))
    {
      int n_events = epoll_wait (epoll_fd, events, G_N_ELEMENTS (events), 50);

      for (int e = 0; e < n_events; e++)
        {
          Receiver *receiver = events[e].data.ptr;

          for (;;)
            {
              ssize_t n = recv (receiver->fd, buffer, RECEIVE_BUFFER_SIZE, 0);

              if (n > 0)
                {
                  parse_bytes (fanout, receiver, buffer, n, now_ns ());
                  if (n < RECEIVE_BUFFER_SIZE)
                    break;
                  continue;
                }

              if (n < 0 && errno == EINTR)
                continue;
              if (n < 0 && errno == EAGAIN)
                break;

              /* Closed by the sender: what did not arrive is lost. */
              epoll_ctl (epoll_fd, EPOLL_CTL_DEL, receiver->fd, NULL);
              receiver->closed = TRUE;
              receiver_finish (fanout, receiver);
              break;
            }
        }
    }

  for (guint i = 0; i < fanout->n_receivers; i++)
    if (fanout->receivers[i].fd >= 0)
      close (fanout->receivers[i].fd);
  close (epoll_fd);

  return NULL;
}

/* Message text */

static char *
format_message (guint64 seq,
                gsize   size)
{
  GString *text = g_string_sized_new (size + 1);

  g_string_printf (text, "s%" G_GUINT64_FORMAT "t%" G_GINT64_FORMAT "#", seq, now_ns ());
  while (text->len < size)
    g_string_append_c (text, '.');

  return g_string_free (text, FALSE);
}

/* Results */

static gint64
histogram_percentile_us (Fanout *fanout,
                         double  fraction)
{
  guint64 total = 0;
  guint64 wanted;
  guint64 seen = 0;

  for (gsize i = 0; i < N_BUCKETS; i++)
    total += fanout->histogram[i];
  if (total == 0)
    return -1;

  wanted = (guint64) (fraction * total);
  if (wanted >= total)
    wanted = total - 1;

  for (gsize i = 0; i < N_BUCKETS; i++)
    {
      seen += fanout->histogram[i];
      if (seen > wanted)
        return i < FINE_BUCKETS ? (gint64) i : FINE_BUCKETS + (gint64) (i - FINE_BUCKETS) * 1000;
    }

  return -1;
}

static void
print_results (Fanout     *fanout,
               const char *label,
               gint64      first_send_ns,
               gint64      last_send_ns,
               guint       dropped_peers,
               double      sender_cpu_seconds)
{
  guint64 received = 0, lost = 0, out_of_order = 0;
  guint64 expected = fanout->n_messages * fanout->n_receivers;
  double seconds = (fanout->last_delivery_ns - first_send_ns) / 1e9;
  double send_seconds = (last_send_ns - first_send_ns) / 1e9;
  double rate;

  for (guint i = 0; i < fanout->n_receivers; i++)
    {
      Receiver *receiver = &fanout->receivers[i];

      received += receiver->received;
      out_of_order += receiver->out_of_order;
      lost += receiver->lost;
      /* Messages after the last one that arrived never came. */
      if (receiver->next_seq <= fanout->n_messages)
        lost += fanout->n_messages + 1 - MAX (receiver->next_seq, 1);
    }

  rate = seconds > 0 ? received / seconds : 0;

  g_print ("%s: %u receivers, %" G_GUINT64_FORMAT " messages of %d bytes%s\n",
           label, fanout->n_receivers, fanout->n_messages, opt_size,
           opt_rate > 0 ? "" : " (burst)");
  if (opt_rate > 0)
    g_print ("  paced at %.0f messages/s\n", opt_rate);
  g_print ("  deliveries: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
           ", lost %" G_GUINT64_FORMAT ", out of order %" G_GUINT64_FORMAT ", peers dropped %u\n",
           received, expected, lost, out_of_order, dropped_peers);
  g_print ("  sending took %.3f s, last delivery after %.3f s: %.0f deliveries/s\n",
           send_seconds, seconds, rate);
  g_print ("  latency: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
           histogram_percentile_us (fanout, 0.50) / 1000.0,
           histogram_percentile_us (fanout, 0.99) / 1000.0,
           fanout->max_latency_ns / 1e6);
  if (sender_cpu_seconds >= 0)
    g_print ("  sender thread CPU: %.3f s, %.2f us per delivery\n",
             sender_cpu_seconds, received > 0 ? sender_cpu_seconds * 1e6 / received : 0);
  g_print ("RESULT target=%s dialect=%s peers=%u messages=%" G_GUINT64_FORMAT " rate=%.0f batch=%d"
           " deliveries=%" G_GUINT64_FORMAT " lost=%" G_GUINT64_FORMAT " out_of_order=%" G_GUINT64_FORMAT
           " dropped=%u seconds=%.4f deliveries_per_s=%.0f sender_cpu_s=%.3f"
           " p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
           opt_target, opt_dialect, fanout->n_receivers, fanout->n_messages, opt_rate, opt_batch,
           received, lost, out_of_order, dropped_peers, seconds, rate, sender_cpu_seconds,
           histogram_percentile_us (fanout, 0.50) / 1000.0,
           histogram_percentile_us (fanout, 0.99) / 1000.0,
           fanout->max_latency_ns / 1e6);
}

static gboolean
run_finished (Fanout *fanout)
{
  return (guint) g_atomic_int_get (&fanout->finished) >= fanout->n_receivers ||
         g_atomic_int_get (&fanout->failed) ||
         now_ns () > fanout->deadline_ns;
}

/* Target: a CharlaNode in this thread */

typedef struct
{
  CharlaNode *node;
  GPtrArray  *peers;
  guint       dropped;
} NodeSender;

static void
on_peer_closed (CharlaPeer   *peer,
                const GError *error,
                guint         undelivered,
                NodeSender   *sender)
{
  sender->dropped++;
}

static gsize
max_queued_bytes (NodeSender *sender)
{
  gsize most = 0;

  for (guint i = 0; i < sender->peers->len; i++)
    most = MAX (most, charla_peer_get_queued_bytes (g_ptr_array_index (sender->peers, i)));

  return most;
}

static void
send_one (NodeSender *sender,
          guint64     seq)
{
  g_autofree char *text = format_message (seq, opt_size);

  charla_node_send (sender->node, text);
}

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until @deadline_ns (the node flushes and
 * answers meanwhile), never sleeping past it by more than GLib's 1 ms
 * poll granularity. */
static void
iterate_until (GSource *timer,
               gint64   deadline_ns)
{
  g_source_set_ready_time (timer, deadline_ns / 1000);
  while (now_ns () < deadline_ns)
    g_main_context_iteration (NULL, TRUE);
}

static int
run_node (Fanout *fanout)
{
  g_autoptr(CharlaNode) node = charla_node_new ("nodo");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) peers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSource) timer = g_timeout_source_new (0);
  NodeSender sender = { .node = node, .peers = peers };
  GListModel *peer_model;
  GThread *thread;
  gint64 setup_deadline = now_ns () + 30 * G_GINT64_CONSTANT (1000000000);
  gint64 first_send_ns, last_send_ns;
  double first_cpu_seconds, sender_cpu_seconds;
  gsize most_queued = 0;

  g_source_set_callback (timer, wake_up, NULL, NULL);
  g_source_set_ready_time (timer, -1);
  g_source_attach (timer, NULL);

  charla_node_set_port_range (node, 0, 0);
  charla_node_set_bind_address (node, "127.0.0.1");
  if (!charla_node_start (node, &error))
    {
      g_printerr ("Cannot start the node: %s\n", error->message);
      return 1;
    }

  fanout->host = g_strdup ("127.0.0.1");
  fanout->port = charla_node_get_port (node);
  thread = g_thread_new ("receivers", receivers_thread, fanout);

  /* Every receiver is an established peer before anything is sent. */
  peer_model = charla_node_get_peers (node);
  while (g_list_model_get_n_items (peer_model) < fanout->n_receivers &&
         !g_atomic_int_get (&fanout->failed) && now_ns () < setup_deadline)
    iterate_until (timer, now_ns () + 10 * G_GINT64_CONSTANT (1000000));

  if (g_list_model_get_n_items (peer_model) < fanout->n_receivers)
    {
      fail (fanout, "only %u of %u receivers became peers",
            g_list_model_get_n_items (peer_model), fanout->n_receivers);
      goto out;
    }

  for (guint i = 0; i < fanout->n_receivers; i++)
    {
      CharlaPeer *peer = g_list_model_get_item (peer_model, i);
      CharlaPeerDialect wanted = fanout->charla_handshake ? CHARLA_PEER_DIALECT_CHARLA
                                                          : CHARLA_PEER_DIALECT_SEED;

      if (charla_peer_get_dialect (peer) != wanted)
        fail (fanout, "peer %u speaks %s, not %s", i,
              charla_peer_dialect_to_string (charla_peer_get_dialect (peer)),
              charla_peer_dialect_to_string (wanted));

      g_signal_connect (peer, "closed", G_CALLBACK (on_peer_closed), &sender);
      g_ptr_array_add (peers, peer);
    }

  while ((guint) g_atomic_int_get (&fanout->warmed_up) < fanout->n_receivers &&
         !g_atomic_int_get (&fanout->failed) && now_ns () < setup_deadline)
    {
      send_one (&sender, 0);
      iterate_until (timer, now_ns () + WARM_UP_INTERVAL_US * 1000);
    }

  if ((guint) g_atomic_int_get (&fanout->warmed_up) < fanout->n_receivers)
    {
      fail (fanout, "only %d of %u receivers heard the warm-up",
            g_atomic_int_get (&fanout->warmed_up), fanout->n_receivers);
      goto out;
    }

  /* Let stray warm-up messages drain. */
  iterate_until (timer, now_ns () + 100 * G_GINT64_CONSTANT (1000000));

  fanout->deadline_ns = now_ns () + opt_timeout * G_GINT64_CONSTANT (1000000000);
  first_cpu_seconds = thread_cpu_seconds ();
  first_send_ns = now_ns ();

  if (opt_rate > 0)
    {
      gint64 interval_ns = (gint64) (1e9 / opt_rate);
      gint64 next_ns = first_send_ns;

      for (guint64 seq = 1; seq <= fanout->n_messages && now_ns () < fanout->deadline_ns; seq++)
        {
          iterate_until (timer, next_ns);
          send_one (&sender, seq);
          next_ns += interval_ns;
        }
    }
  else
    {
      guint64 seq = 1;

      while (seq <= fanout->n_messages && now_ns () < fanout->deadline_ns)
        {
          gsize queued;

          for (int k = 0; k < opt_batch && seq <= fanout->n_messages; k++)
            send_one (&sender, seq++);

          /* The idle flushes run now; a full socket waits for POLLOUT. */
          g_main_context_iteration (NULL, FALSE);

          queued = max_queued_bytes (&sender);
          most_queued = MAX (most_queued, queued);
          if (queued > QUEUE_HIGH_WATER)
            {
              while (max_queued_bytes (&sender) > QUEUE_LOW_WATER && now_ns () < fanout->deadline_ns)
                g_main_context_iteration (NULL, TRUE);
            }
        }
    }

  last_send_ns = now_ns ();

  g_source_set_ready_time (timer, -1);
  while (!run_finished (fanout))
    iterate_until (timer, now_ns () + G_GINT64_CONSTANT (1000000));
  sender_cpu_seconds = thread_cpu_seconds () - first_cpu_seconds;

  g_atomic_int_set (&fanout->stop, 1);
  g_thread_join (g_steal_pointer (&thread));

  if (!g_atomic_int_get (&fanout->failed))
    {
      print_results (fanout,
                     fanout->charla_handshake ? "CharlaNode, Charla (framed) peers"
                                              : "CharlaNode, seed (raw) peers",
                     first_send_ns, last_send_ns, sender.dropped, sender_cpu_seconds);
      g_print ("  most bytes queued for one peer during the burst: %" G_GSIZE_FORMAT "\n", most_queued);
    }

out:
  g_atomic_int_set (&fanout->stop, 1);
  if (thread != NULL)
    g_thread_join (thread);

  for (guint i = 0; i < peers->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (peers, i), &sender);
  charla_node_stop (node);
  g_source_destroy (timer);

  if (g_atomic_int_get (&fanout->failed))
    {
      g_printerr ("fanout-bench: %s\n", fanout->error_message);
      return 1;
    }

  return 0;
}

/* Target: ncat --broker; the sender is one more client */

static void
sleep_until (gint64 deadline_ns)
{
  struct timespec ts = {
    .tv_sec = deadline_ns / G_GINT64_CONSTANT (1000000000),
    .tv_nsec = deadline_ns % G_GINT64_CONSTANT (1000000000),
  };

  while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}

static gboolean
broker_send (int     fd,
             guint64 seq)
{
  g_autofree char *text = format_message (seq, opt_size);
  g_autofree char *line = g_strconcat (text, "\n", NULL);

  return bench_send_all (fd, line, strlen (line));
}

static int
run_broker (Fanout *fanout)
{
  GThread *thread;
  gint64 setup_deadline = now_ns () + 30 * G_GINT64_CONSTANT (1000000000);
  gint64 first_send_ns = 0, last_send_ns = 0;
  int fd = -1;

  fanout->host = g_strdup ("127.0.0.1");
  fanout->port = opt_port;
  thread = g_thread_new ("receivers", receivers_thread, fanout);

  while ((guint) g_atomic_int_get (&fanout->connected) < fanout->n_receivers &&
         !g_atomic_int_get (&fanout->failed) && now_ns () < setup_deadline)
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);

  if (!g_atomic_int_get (&fanout->failed))
    {
      fd = connect_receiver (fanout, fanout->n_receivers);
      if (fd < 0)
        fail (fanout, "the sender could not connect to the broker: %s", g_strerror (errno));
    }

  /* The broker relays to whoever it has accepted; repeat until all heard. */
  while (!g_atomic_int_get (&fanout->failed) &&
         (guint) g_atomic_int_get (&fanout->warmed_up) < fanout->n_receivers &&
         now_ns () < setup_deadline)
    {
      broker_send (fd, 0);
      g_usleep (WARM_UP_INTERVAL_US);
    }

  if (!g_atomic_int_get (&fanout->failed) &&
      (guint) g_atomic_int_get (&fanout->warmed_up) < fanout->n_receivers)
    fail (fanout, "only %d of %u receivers heard the warm-up",
          g_atomic_int_get (&fanout->warmed_up), fanout->n_receivers);

  if (!g_atomic_int_get (&fanout->failed))
    {
      g_usleep (100 * G_TIME_SPAN_MILLISECOND);
      fanout->deadline_ns = now_ns () + opt_timeout * G_GINT64_CONSTANT (1000000000);
      first_send_ns = now_ns ();

      if (opt_rate > 0)
        {
          gint64 interval_ns = (gint64) (1e9 / opt_rate);
          gint64 next_ns = first_send_ns;

          for (guint64 seq = 1; seq <= fanout->n_messages && now_ns () < fanout->deadline_ns; seq++)
            {
              sleep_until (next_ns);
              if (!broker_send (fd, seq))
                break;
              next_ns += interval_ns;
            }
        }
      else
        {
          guint64 seq = 1;

          /* Lines go out in batches, as the node's coalesced writes do. */
          while (seq <= fanout->n_messages && now_ns () < fanout->deadline_ns)
            {
              g_autoptr(GString) batch = g_string_new (NULL);

              for (int k = 0; k < opt_batch && seq <= fanout->n_messages; k++)
                {
                  g_autofree char *text = format_message (seq++, opt_size);
                  g_string_append (batch, text);
                  g_string_append_c (batch, '\n');
                }
              if (!bench_send_all (fd, batch->str, batch->len))
                break;
            }
        }

      last_send_ns = now_ns ();
      while (!run_finished (fanout))
        g_usleep (G_TIME_SPAN_MILLISECOND);
    }

  g_atomic_int_set (&fanout->stop, 1);
  g_thread_join (thread);
  if (fd >= 0)
    close (fd);

  if (g_atomic_int_get (&fanout->failed))
    {
      g_printerr ("fanout-bench: %s\n", fanout->error_message);
      return 1;
    }

  /* ncat's CPU is another process's: bench/fanout-ncat.py reads it. */
  print_results (fanout, "ncat --broker", first_send_ns, last_send_ns, 0, -1);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- fan-out benchmark on 127.0.0.1");
  g_autoptr(GError) error = NULL;
  Fanout fanout = { 0 };
  int status;

  g_setenv ("CHARLA_LOOPBACK_ONLY", "1", TRUE);

  g_option_context_add_main_entries (context, option_entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (opt_target == NULL)
    opt_target = g_strdup ("node");
  if (opt_dialect == NULL)
    opt_dialect = g_strdup (g_str_equal (opt_target, "broker") ? "raw" : "charla");

  if (!g_str_equal (opt_target, "node") && !g_str_equal (opt_target, "broker"))
    {
      g_printerr ("--target is node or broker\n");
      return 2;
    }
  if (g_str_equal (opt_target, "node") &&
      !g_str_equal (opt_dialect, "charla") && !g_str_equal (opt_dialect, "seed"))
    {
      g_printerr ("--dialect is charla or seed\n");
      return 2;
    }
  if (g_str_equal (opt_target, "broker") && (opt_port <= 0 || opt_port > 65535))
    {
      g_printerr ("--target=broker needs --port\n");
      return 2;
    }
  if (opt_peers < 1 || opt_messages < 1 || opt_size < 32 || opt_size > 1000 ||
      opt_batch < 1 || opt_timeout < 1 || opt_rate < 0)
    {
      g_printerr ("Out of range: --peers ≥ 1, --messages ≥ 1, 32 ≤ --size ≤ 1000, --batch ≥ 1, --timeout ≥ 1\n");
      return 2;
    }

  fanout.n_receivers = opt_peers;
  fanout.n_messages = opt_messages;
  fanout.charla_handshake = g_str_equal (opt_target, "node") && g_str_equal (opt_dialect, "charla");
  fanout.say_hello = g_str_equal (opt_target, "node") && g_str_equal (opt_dialect, "seed");
  fanout.receivers = g_new0 (Receiver, fanout.n_receivers);
  fanout.histogram = g_new0 (guint64, N_BUCKETS);
  for (guint i = 0; i < fanout.n_receivers; i++)
    fanout.receivers[i].fd = -1;

  if (g_str_equal (opt_target, "node"))
    status = run_node (&fanout);
  else
    status = run_broker (&fanout);

  g_free (fanout.receivers);
  g_free (fanout.histogram);
  g_free (fanout.host);
  g_free (fanout.error_message);
  g_free (opt_target);
  g_free (opt_dialect);

  return status;
}
