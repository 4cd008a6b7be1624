/* SPDX-License-Identifier: GPL-3.0-or-later */

/* soak-bench: 100 peers × 10,000 messages both ways through one node.
 *
 * The node (a CharlaNode in this process, on 127.0.0.1) receives 10,000
 * messages from each of 100 peers and sends 10,000 of its own to all of
 * them, interleaved with what it receives. The peers live in a second
 * process (this program run with --peers PORT): hand-written Charla
 * clients on one epoll set, each sending "MSG pNNN SEQ" as fast as its
 * socket takes it and reading everything the node sends.
 *
 * Prints what was lost (must be 0), what came out of order per sender
 * (must be 0), the node's resident memory at each tenth of the run
 * (flat once the history has reached its cap) and the rates.
 *
 *   flock /tmp/charla-bench.lock _build/bench/soak-bench [--peers-count N] [--messages N]
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-support.h"

static int opt_peers = 100;
static int opt_messages = 10000;
static int opt_port = 0;

static const GOptionEntry entries[] = {
  { "peers-count", 0, 0, G_OPTION_ARG_INT, &opt_peers, "Peers (default 100)", "N" },
  { "messages", 0, 0, G_OPTION_ARG_INT, &opt_messages, "Messages each way per peer (default 10000)", "N" },
  { "peers", 0, 0, G_OPTION_ARG_INT, &opt_port, "Run the peers against 127.0.0.1:PORT (internal)", "PORT" },
  { NULL }
};

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

/* The peers' side: plain sockets on one epoll set. */

typedef struct
{
  int      fd;
  int      index;
  int      next_to_send;
  int      received;
  int      out_of_order;
  GString *in;
  GString *out;
  gsize    out_offset;
  gboolean want_out;
} Peer;

static void
die (const char *what)
{
  fprintf (stderr, "soak-bench peers: %s: %s\n", what, g_strerror (errno));
  exit (2);
}

static void
blocking_read_until (int         fd,
                     GString    *into,
                     const char *needle)
{
  char buffer[1024];

  while (needle == NULL ? into->len == 0 : strstr (into->str, needle) == NULL)
    {
      ssize_t n = recv (fd, buffer, sizeof buffer, 0);

      if (n <= 0)
        die ("handshake");
      g_string_append_len (into, buffer, n);
    }
}

static void
peer_handshake (Peer *peer,
                int   port)
{
  g_autoptr(GString) reply = g_string_new (NULL);
  g_autofree char *hello = g_strdup_printf ("CHARLA/1 HELLO %016x p%03d\n", peer->index + 1, peer->index);
  const char *after;
  int one = 1;

  peer->fd = bench_connect_loopback (port);
  if (peer->fd < 0)
    die ("connect");
  setsockopt (peer->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  /* docs/PROTOCOL.md §3.1, by hand. */
  send (peer->fd, "--name", 6, 0);
  blocking_read_until (peer->fd, reply, NULL);
  g_string_truncate (reply, 0);
  send (peer->fd, "--name", 6, 0);
  blocking_read_until (peer->fd, reply, "\n");
  send (peer->fd, hello, strlen (hello), 0);

  /* Framed lines may already follow the HELLO. */
  after = strchr (reply->str, '\n') + 1;
  g_string_append (peer->in, after);
  fcntl (peer->fd, F_SETFL, fcntl (peer->fd, F_GETFL) | O_NONBLOCK);
}

static void
peer_take_lines (Peer *peer)
{
  char *line = peer->in->str;
  char *newline;

  while ((newline = memchr (line, '\n', peer->in->str + peer->in->len - line)) != NULL)
    {
      *newline = '\0';
      if (g_str_has_prefix (line, "MSG n"))
        {
          int seq = atoi (line + 5);

          if (seq != peer->received)
            peer->out_of_order++;
          peer->received++;
        }
      line = newline + 1;
    }

  g_string_erase (peer->in, 0, line - peer->in->str);
}

/* Refills the outgoing buffer with the next messages, 64 KiB at most. */
static void
peer_fill (Peer *peer)
{
  if (peer->out_offset == peer->out->len)
    {
      g_string_truncate (peer->out, 0);
      peer->out_offset = 0;
    }

  while (peer->out->len < 64 * 1024 && peer->next_to_send < opt_messages)
    {
      g_string_append_printf (peer->out, "ID %08x%08x\nMSG p%03d %d\n",
                              peer->index, peer->next_to_send, peer->index, peer->next_to_send);
      peer->next_to_send++;
    }
}

static int
run_peers (int port)
{
  g_autofree Peer *peers = g_new0 (Peer, opt_peers);
  int epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  gint64 start = now_us ();
  gint64 deadline = start + 900 * G_USEC_PER_SEC;
  long total_received = 0, total_out_of_order = 0;
  int done = 0;

  for (int i = 0; i < opt_peers; i++)
    {
      struct epoll_event event = { .events = EPOLLIN | EPOLLOUT, .data.ptr = &peers[i] };

      peers[i].index = i;
      peers[i].in = g_string_new (NULL);
      peers[i].out = g_string_new (NULL);
      peer_handshake (&peers[i], port);
      peers[i].want_out = TRUE;
      epoll_ctl (epoll_fd, EPOLL_CTL_ADD, peers[i].fd, &event);
    }

  while (done < opt_peers && now_us () < deadline)
    {
      struct epoll_event events[128];
      int n = epoll_wait (epoll_fd, events, G_N_ELEMENTS (events), 1000);

      for (int e = 0; e < n; e++)
        {
          Peer *peer = events[e].data.ptr;
          gboolean was_done = peer->received == opt_messages && peer->next_to_send == opt_messages &&
                              peer->out_offset == peer->out->len;

          if (events[e].events & EPOLLIN)
            {
              char buffer[65536];
              ssize_t got;

              while ((got = recv (peer->fd, buffer, sizeof buffer, 0)) > 0)
                g_string_append_len (peer->in, buffer, got);
              if (got == 0)
                die ("the node closed a peer");
              peer_take_lines (peer);
            }

          if (peer->want_out)
            {
              peer_fill (peer);
              while (peer->out_offset < peer->out->len)
                {
                  ssize_t sent = send (peer->fd, peer->out->str + peer->out_offset,
                                       peer->out->len - peer->out_offset, MSG_NOSIGNAL);

                  if (sent < 0)
                    break;
                  peer->out_offset += sent;
                  peer_fill (peer);
                }

              if (peer->next_to_send == opt_messages && peer->out_offset == peer->out->len)
                {
                  struct epoll_event event = { .events = EPOLLIN, .data.ptr = peer };

                  peer->want_out = FALSE;
                  epoll_ctl (epoll_fd, EPOLL_CTL_MOD, peer->fd, &event);
                }
            }

          if (!was_done && peer->received == opt_messages && peer->next_to_send == opt_messages &&
              peer->out_offset == peer->out->len)
            done++;
        }
    }

  for (int i = 0; i < opt_peers; i++)
    {
      total_received += peers[i].received;
      total_out_of_order += peers[i].out_of_order;
    }

  printf ("peers: received %ld of %ld node messages, %ld out of order, in %.1f s\n",
          total_received, (long) opt_peers * opt_messages, total_out_of_order,
          (now_us () - start) / 1e6);
  fflush (stdout);

  /* Stay connected until the node has everything, then leave. */
  {
    char byte;
    if (read (STDIN_FILENO, &byte, 1) < 0)
      die ("stdin");
  }

  for (int i = 0; i < opt_peers; i++)
    {
      close (peers[i].fd);
      g_string_free (peers[i].in, TRUE);
      g_string_free (peers[i].out, TRUE);
    }
  close (epoll_fd);

  return total_received == (long) opt_peers * opt_messages && total_out_of_order == 0 ? 0 : 1;
}

/* The node's side. */

typedef struct
{
  CharlaNode  *node;
  int         *next_seq;       /* per sender index */
  long         received;
  long         out_of_order;
  long         foreign;
  int          sent;
  long         total_expected;
  long         next_sample;
  int          n_samples;
  long         samples[11];
  gint64       start;
} Soak;

static void
on_message (CharlaNode    *node,
            CharlaMessage *message,
            Soak          *soak)
{
  const char *text;
  int sender, seq;

  if (charla_message_get_kind (message) != CHARLA_MESSAGE_INCOMING)
    return;

  text = charla_message_get_text (message);
  if (sscanf (text, "p%d %d", &sender, &seq) != 2 || sender < 0 || sender >= opt_peers)
    {
      soak->foreign++;
      return;
    }

  if (seq != soak->next_seq[sender])
    soak->out_of_order++;
  soak->next_seq[sender] = seq + 1;
  soak->received++;

  if (soak->received >= soak->next_sample && soak->n_samples < 11)
    {
      soak->samples[soak->n_samples++] = bench_rss_kib ();
      soak->next_sample += soak->total_expected / 10;
    }
}

/* The node's own messages go out as the run goes, one for each
 * hundredth of a peer's worth received. */
static gboolean
on_send_tick (gpointer user_data)
{
  Soak *soak = user_data;

  while (soak->sent < opt_messages &&
         (long) soak->sent * opt_peers <= soak->received + opt_peers)
    {
      g_autofree char *text = g_strdup_printf ("n%d", soak->sent++);

      charla_node_send (soak->node, text);
    }

  return soak->sent < opt_messages ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
on_peers_report (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  char **report = user_data;

  *report = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, NULL);
  if (*report == NULL)
    *report = g_strdup ("peers: no report");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- soak: peers × messages both ways through one node");
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaNode) node = NULL;
  g_autoptr(GSubprocess) peers = NULL;
  g_autoptr(GDataInputStream) peers_out = NULL;
  g_autofree char *port = NULL;
  g_autofree char *peers_count = NULL;
  g_autofree char *messages = NULL;
  g_autofree char *peers_report = NULL;
  Soak soak = { 0 };
  gint64 deadline;
  long rss_start;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  charla_raise_fd_limit ();

  if (opt_port != 0)
    return run_peers (opt_port);

  node = bench_start_node ("Soak");

  soak.node = node;
  soak.next_seq = g_new0 (int, opt_peers);
  soak.total_expected = (long) opt_peers * opt_messages;
  soak.next_sample = 0;
  g_signal_connect (node, "message", G_CALLBACK (on_message), &soak);

  rss_start = bench_rss_kib ();
  port = g_strdup_printf ("%u", charla_node_get_port (node));
  peers_count = g_strdup_printf ("%d", opt_peers);
  messages = g_strdup_printf ("%d", opt_messages);
  peers = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            argv[0], "--peers", port, "--peers-count", peers_count,
                            "--messages", messages, NULL);
  if (peers == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  while (g_list_model_get_n_items (charla_node_get_peers (node)) < (guint) opt_peers)
    g_main_context_iteration (NULL, TRUE);

  soak.start = now_us ();
  g_timeout_add (1, on_send_tick, &soak);

  deadline = now_us () + 900 * G_USEC_PER_SEC;
  while ((soak.received < soak.total_expected || soak.sent < opt_messages) && now_us () < deadline)
    g_main_context_iteration (NULL, TRUE);

  printf ("node: received %ld of %ld peer messages, %ld out of order, %ld unexpected, in %.1f s"
          " (%.0f messages/s in, %.0f deliveries/s out)\n",
          soak.received, soak.total_expected, soak.out_of_order, soak.foreign,
          (now_us () - soak.start) / 1e6,
          soak.received / ((now_us () - soak.start) / 1e6),
          (double) soak.sent * opt_peers / ((now_us () - soak.start) / 1e6));

  /* The peers tell what they got once their last message is in. */
  /* The node keeps running while the peers read the rest. */
  peers_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peers));
  g_data_input_stream_read_line_async (peers_out, G_PRIORITY_DEFAULT, NULL, on_peers_report, &peers_report);
  while (peers_report == NULL && now_us () < deadline)
    g_main_context_iteration (NULL, TRUE);
  printf ("%s\n", peers_report != NULL ? peers_report : "peers: no report (timed out)");

  printf ("node RSS (MiB) at start %.1f, then at each tenth of the messages received:",
          rss_start / 1024.0);
  for (int i = 0; i < soak.n_samples; i++)
    printf (" %.1f", soak.samples[i] / 1024.0);
  printf ("\nhistory: %u messages\n", g_list_model_get_n_items (charla_node_get_messages (node)));

  g_output_stream_close (g_subprocess_get_stdin_pipe (peers), NULL, NULL);
  g_subprocess_wait (peers, NULL, NULL);

  return soak.received == soak.total_expected && soak.out_of_order == 0 &&
         g_subprocess_get_exit_status (peers) == 0 ? 0 : 1;
}
