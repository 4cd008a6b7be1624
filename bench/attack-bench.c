/* SPDX-License-Identifier: GPL-3.0-or-later */

/* attack-bench: the figures of docs/ROBUSTNESS.md, one attack at a time,
 * each against a fresh CharlaNode in this process on 127.0.0.1; the
 * attackers run in a second process (this program with --attacker).
 *
 *   flood    a million tiny messages from one peer, while another node
 *            and this one exchange a ping and its answer every 10 ms:
 *            round trips without and with the flood
 *   history  5,000 messages of 64 KiB of control characters: resident
 *            memory after them, and after the peer left
 *   send     fifty 1 MB messages to a peer that never reads: resident
 *            memory before, at the drop, and once the queue is gone
 *   fds      1,100 idle connections against an open-file limit of 1,024:
 *            CPU the node uses in the next 3 s, whether a seed scanner's
 *            probe is answered meanwhile, and whether it accepts again
 *            once they close
 *
 *   flock /tmp/charla-bench.lock _build/bench/attack-bench [ATTACK…]
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-support.h"
#include "charla-node-private.h"

static char *opt_attacker = NULL;
static int opt_port = 0;

static const GOptionEntry entries[] = {
  { "attacker", 0, 0, G_OPTION_ARG_STRING, &opt_attacker, "Be the attacker (internal)", "ATTACK" },
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "The node's port (internal)", "PORT" },
  { NULL }
};

static gboolean
on_spin_done (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop (blocking in poll, as a real node does) for @ms. */
static void
spin_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_spin_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* The attacker's side: plain blocking sockets. */

static void
send_all (int         fd,
          const char *data,
          gsize       len)
{
  if (!bench_send_all (fd, data, len))
    exit (3);
}

/* docs/PROTOCOL.md §3.1 by hand. */
static int
charla_connect (int         port,
                const char *name)
{
  int fd = bench_connect_loopback (port);
  g_autofree char *hello = g_strdup_printf ("CHARLA/1 HELLO 00000000000000a1 %s\n", name);
  char buffer[512];
  gsize got = 0;

  send_all (fd, "--name", 6);
  if (recv (fd, buffer, sizeof buffer, 0) <= 0)
    exit (3);
  send_all (fd, "--name", 6);
  while (memchr (buffer, '\n', got) == NULL)
    {
      ssize_t n = recv (fd, buffer + got, sizeof buffer - got, 0);

      if (n <= 0)
        exit (3);
      got += n;
    }
  send_all (fd, hello, strlen (hello));
  return fd;
}

static int
run_attacker (const char *attack,
              int         port)
{
  char byte;

  if (g_str_equal (attack, "flood"))
    {
      int fd = charla_connect (port, "Inundación");
      g_autoptr(GString) batch = g_string_new (NULL);

      for (guint i = 0; i < 10000; i++)
        g_string_append (batch, "MSG a\n");
      for (guint i = 0; i < 100; i++)
        send_all (fd, batch->str, batch->len);
    }
  else if (g_str_equal (attack, "history"))
    {
      int fd = charla_connect (port, "Pesada");
      g_autoptr(GString) line = g_string_new ("MSG ");

      for (guint i = 0; i < 64 * 1024; i++)
        g_string_append_c (line, '\x01');
      g_string_append_c (line, '\n');
      for (guint i = 0; i < 5000; i++)
        send_all (fd, line->str, line->len);
      send_all (fd, "MSG fin\n", 8);
    }
  else if (g_str_equal (attack, "fds"))
    {
      for (guint i = 0; i < 1100; i++)
        if (bench_connect_loopback (port) < 0)
          exit (3);
    }
  else
    {
      return 2;
    }

  /* Done (the connections stay) until the bench says go. */
  printf ("done\n");
  fflush (stdout);
  if (read (STDIN_FILENO, &byte, 1) < 0)
    return 3;
  return 0;
}

/* The node's side. */

static GSubprocess *
start_attacker (const char *self_path,
                const char *attack,
                CharlaNode *node)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port = g_strdup_printf ("%u", charla_node_get_port (node));
  GSubprocess *process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                           &error, self_path, "--attacker", attack, "--port", port, NULL);

  g_assert_no_error (error);
  return process;
}

static void
on_attacker_done (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  gboolean *done = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object),
                                                                     result, NULL, NULL);

  *done = TRUE;
}

/* Runs the node until the attacker has sent everything. */
static void
wait_attacker_done (GSubprocess *attacker)
{
  g_autoptr(GDataInputStream) out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (attacker));
  gboolean done = FALSE;

  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, on_attacker_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
stop_attacker (GSubprocess *attacker)
{
  g_output_stream_close (g_subprocess_get_stdin_pipe (attacker), NULL, NULL);
  g_subprocess_wait (attacker, NULL, NULL);
  g_object_unref (attacker);
}

/* Flood: round trips between two well-behaved nodes. */

typedef struct
{
  CharlaNode *node;
  CharlaNode *friend;
  gint64      sent_at;
  GArray     *round_trips;  /* ms, double */
  guint       n_flood;
  gboolean    waiting;
} Pings;

static void
on_node_message (CharlaNode    *node,
                 CharlaMessage *message,
                 Pings         *pings)
{
  const char *text = charla_message_get_text (message);

  if (charla_message_get_kind (message) != CHARLA_MESSAGE_INCOMING)
    return;
  if (g_str_has_prefix (text, "ping"))
    charla_node_send (node, "pong");
  else
    pings->n_flood++;
}

static void
on_friend_message (CharlaNode    *friend,
                   CharlaMessage *message,
                   Pings         *pings)
{
  double ms;

  if (charla_message_get_kind (message) != CHARLA_MESSAGE_INCOMING ||
      !g_str_equal (charla_message_get_text (message), "pong") || !pings->waiting)
    return;

  ms = (g_get_monotonic_time () - pings->sent_at) / 1000.0;
  g_array_append_val (pings->round_trips, ms);
  pings->waiting = FALSE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
measure_pings (Pings      *pings,
               guint       n,
               const char *label)
{
  g_array_set_size (pings->round_trips, 0);

  for (guint i = 0; i < n; i++)
    {
      gint64 next = g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND;

      pings->sent_at = g_get_monotonic_time ();
      pings->waiting = TRUE;
      charla_node_send (pings->friend, "ping");
      while (pings->waiting)
        g_main_context_iteration (NULL, TRUE);
      while (g_get_monotonic_time () < next)
        spin_for (1);
    }

  g_array_sort (pings->round_trips, compare_doubles);
  printf ("  %s: round trip median %.2f ms, 90th %.2f ms, max %.2f ms (%u pings)\n", label,
          g_array_index (pings->round_trips, double, n / 2),
          g_array_index (pings->round_trips, double, n * 9 / 10),
          g_array_index (pings->round_trips, double, n - 1), n);
}

static void
bench_flood (const char *self_path)
{
  g_autoptr(CharlaNode) node = bench_start_node ("Nodo");
  g_autoptr(CharlaNode) friend = bench_start_node ("Amiga");
  Pings pings = { node, friend, 0, g_array_new (FALSE, FALSE, sizeof (double)), 0, FALSE };
  GSubprocess *attacker;
  gint64 start;

  printf ("flood: 1,000,000 messages \"MSG a\" from one peer\n");
  g_signal_connect (node, "message", G_CALLBACK (on_node_message), &pings);
  g_signal_connect (friend, "message", G_CALLBACK (on_friend_message), &pings);
  charla_node_connect_async (friend, "127.0.0.1", charla_node_get_port (node), NULL, NULL, NULL);
  while (g_list_model_get_n_items (charla_node_get_peers (node)) < 1)
    g_main_context_iteration (NULL, TRUE);
  spin_for (100);

  measure_pings (&pings, 100, "no flood  ");

  attacker = start_attacker (self_path, "flood", node);
  while (pings.n_flood < 10000)
    g_main_context_iteration (NULL, TRUE);
  start = g_get_monotonic_time ();
  measure_pings (&pings, 100, "flooded   ");
  while (pings.n_flood < 1000000)
    g_main_context_iteration (NULL, TRUE);
  printf ("  the flood took %.1f s to be handled (%.0f messages/s), %u pinged meanwhile\n",
          (g_get_monotonic_time () - start) / 1e6, 990000 / ((g_get_monotonic_time () - start) / 1e6), 100);
  stop_attacker (attacker);
  g_array_unref (pings.round_trips);
  g_signal_handlers_disconnect_by_data (node, &pings);
  g_signal_handlers_disconnect_by_data (friend, &pings);
}

static void
bench_history (const char *self_path)
{
  g_autoptr(CharlaNode) node = bench_start_node ("Nodo");
  long before = bench_rss_kib ();
  GSubprocess *attacker;

  printf ("history: 5,000 messages of 64 KiB of control characters\n");
  attacker = start_attacker (self_path, "history", node);
  wait_attacker_done (attacker);
  spin_for (500);
  printf ("  RSS before %.1f MiB, after them %.1f MiB (%u messages kept)\n",
          before / 1024.0, bench_rss_kib () / 1024.0,
          g_list_model_get_n_items (charla_node_get_messages (node)));
  stop_attacker (attacker);
  spin_for (500);
  printf ("  after the peer left %.1f MiB\n", bench_rss_kib () / 1024.0);
}

static void
bench_send (void)
{
  g_autoptr(CharlaNode) node = bench_start_node ("Nodo");
  g_autofree char *text = g_strnfill (1024 * 1024, 'b');
  g_autoptr(CharlaPeer) sleeper = NULL;
  long before, peak = 0;
  int fd;

  printf ("send: 1 MB messages to a peer that never reads, until it is dropped\n");
  fd = bench_connect_loopback (charla_node_get_port (node));
  send_all (fd, "estoy", 5);
  while (g_list_model_get_n_items (charla_node_get_peers (node)) < 1)
    g_main_context_iteration (NULL, TRUE);
  sleeper = g_list_model_get_item (charla_node_get_peers (node), 0);
  before = bench_rss_kib ();

  for (guint i = 0; i < 50 && charla_peer_get_state (sleeper) != CHARLA_PEER_STATE_CLOSED; i++)
    {
      charla_peer_send (sleeper, text);
      spin_for (5);
      peak = MAX (peak, bench_rss_kib ());
    }
  printf ("  RSS before %.1f MiB, highest %.1f MiB, dropped: %s\n", before / 1024.0, peak / 1024.0,
          charla_peer_get_state (sleeper) == CHARLA_PEER_STATE_CLOSED ? "yes" : "no");
  spin_for (500);
  printf ("  once the queue is gone %.1f MiB\n", bench_rss_kib () / 1024.0);
  close (fd);
}

static void
fds_scenario (const char *self_path,
              guint       n_taken)
{
  g_autoptr(CharlaNode) node = NULL;
  g_autoptr(CharlaNode) friend = NULL;
  g_autoptr(GArray) taken = g_array_new (FALSE, FALSE, sizeof (int));
  GSubprocess *attacker;
  double cpu;

  /* Descriptors held by the rest of the process (a scan, files…). */
  for (guint i = 0; i < n_taken; i++)
    {
      int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

      g_array_append_val (taken, fd);
    }

  node = bench_start_node ("Nodo");
  attacker = start_attacker (self_path, "fds", node);
  wait_attacker_done (attacker);
  spin_for (1000);

  cpu = bench_cpu_seconds ();
  spin_for (3000);
  printf ("  %u descriptors taken elsewhere: node CPU in the next 3 s %.2f s; %u connections held; "
          "%u failed accepts\n", n_taken, bench_cpu_seconds () - cpu,
          g_list_model_get_n_items (charla_node_get_peers (node)),
          charla_node_get_n_accept_errors (node));

  /* A seed scanner's probe while the node is full of silent ones:
   * one of them makes room for it. */
  {
    int probe = bench_connect_loopback (charla_node_get_port (node));
    char reply[64] = { 0 };
    ssize_t n_read = -1;
    gint64 start = g_get_monotonic_time ();

    if (probe >= 0)
      {
        send_all (probe, "--name", 6);
        while (n_read < 0 && g_get_monotonic_time () - start < 5 * G_USEC_PER_SEC)
          {
            n_read = recv (probe, reply, sizeof reply - 1, MSG_DONTWAIT);
            g_main_context_iteration (NULL, FALSE);
          }
        close (probe);
      }
    if (probe < 0)
      printf ("  a seed scanner's probe while full: not tried (this process is out of descriptors)\n");
    else
      printf ("  a seed scanner's probe while full: %s%s%s (in %.1f ms)\n",
              n_read > 0 ? "answered \"" : "no answer", n_read > 0 ? reply : "",
              n_read > 0 ? "\"" : "", (g_get_monotonic_time () - start) / 1000.0);
  }

  stop_attacker (attacker);
  while (g_list_model_get_n_items (charla_node_get_peers (node)) > 0)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < taken->len; i++)
    close (g_array_index (taken, int, i));

  friend = bench_start_node ("Amiga");
  charla_node_connect_async (friend, "127.0.0.1", charla_node_get_port (node), NULL, NULL, NULL);
  while (g_list_model_get_n_items (charla_node_get_peers (node)) < 1)
    g_main_context_iteration (NULL, TRUE);
  printf ("  accepting again once they closed: yes\n");
}

static void
bench_fds (const char *self_path)
{
  struct rlimit limit = { 1024, 1024 };
  struct rlimit saved;

  printf ("fds: 1,100 idle connections against an open-file limit of 1,024\n");
  getrlimit (RLIMIT_NOFILE, &saved);
  limit.rlim_max = saved.rlim_max;
  setrlimit (RLIMIT_NOFILE, &limit);

  /* The cap (limit - 64) refuses the excess; then the limit itself. */
  fds_scenario (self_path, 0);
  fds_scenario (self_path, 300);

  setrlimit (RLIMIT_NOFILE, &saved);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("[flood|history|send|fds…] - attack figures");
  g_autoptr(GError) error = NULL;
  gboolean all;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (opt_attacker != NULL)
    {
      charla_raise_fd_limit ();
      return run_attacker (opt_attacker, opt_port);
    }

  /* The bench raises nothing: the fds attack sets its own limit. */
  all = argc < 2;
  for (int i = 0; i < (all ? 4 : argc - 1); i++)
    {
      const char *attack = all ? (const char *[]) { "flood", "history", "send", "fds" }[i] : argv[i + 1];

      if (g_str_equal (attack, "flood"))
        bench_flood (argv[0]);
      else if (g_str_equal (attack, "history"))
        bench_history (argv[0]);
      else if (g_str_equal (attack, "send"))
        bench_send ();
      else if (g_str_equal (attack, "fds"))
        bench_fds (argv[0]);
      else
        g_printerr ("unknown attack %s\n", attack);
      fflush (stdout);
    }

  return 0;
}
