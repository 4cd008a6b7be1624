/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include <stdio.h>

#include "bench-support.h"

/* Runs one scan with CharlaScanner on the default main context and
 * prints one line of figures:
 *
 *   scan-bench --ports 9990-10005 --in-flight 1024 127.0.1.0/24
 *
 * Besides the wall time it measures how long the main loop was kept
 * from running a 1 ms timer (the "stall"), which is what a GUI would
 * feel as jank during a scan. */

typedef struct
{
  gint64 last_tick;
  gint64 max_gap;
  guint done_notifies;
} Bench;

static void
on_done_notify (GObject    *object,
                GParamSpec *pspec,
                gpointer    data)
{
  Bench *bench = data;

  bench->done_notifies++;
}

static gboolean
on_tick (gpointer data)
{
  Bench *bench = data;
  gint64 now = g_get_monotonic_time ();

  if (bench->last_tick != 0 && now - bench->last_tick > bench->max_gap)
    bench->max_gap = now - bench->last_tick;
  bench->last_tick = now;
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CharlaScanner) scanner = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(BenchScanOptions) scan = BENCH_SCAN_OPTIONS_INIT;
  int connect_timeout = CHARLA_SCAN_DEFAULT_TIMEOUT_MS;
  int reply_timeout = CHARLA_SCAN_DEFAULT_TIMEOUT_MS;
  gboolean list = FALSE;
  GOptionEntry entries[] = {
    { "timeout", 't', 0, G_OPTION_ARG_INT, &connect_timeout, "Connect timeout", "MS" },
    { "reply-timeout", 'r', 0, G_OPTION_ARG_INT, &reply_timeout, "Reply timeout", "MS" },
    { "list", 'l', 0, G_OPTION_ARG_NONE, &list, "List the servers found", NULL },
    { NULL }
  };
  Bench bench = { 0 };
  GListModel *servers;
  gint64 elapsed;
  double cpu_start;

  context = g_option_context_new ("TARGET…");
  bench_scan_options_add (context, &scan);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2 ||
      scan.in_flight < 1 || connect_timeout < 1 || reply_timeout < 1)
    {
      g_printerr ("usage: scan-bench [--ports P] [--in-flight N] [--timeout MS] TARGET…\n");
      return 2;
    }

  charla_raise_fd_limit ();
  scanner = bench_scanner_new (&scan, (const char * const *) argv + 1, &error);
  if (scanner == NULL)
    {
      g_printerr ("scan-bench: %s\n", error->message);
      return 1;
    }
  charla_scanner_set_connect_timeout (scanner, connect_timeout);
  charla_scanner_set_reply_timeout (scanner, reply_timeout);

  g_timeout_add (1, on_tick, &bench);

  g_signal_connect (scanner, "notify::done", G_CALLBACK (on_done_notify), &bench);
  cpu_start = bench_cpu_seconds ();
  elapsed = bench_run_scan (scanner, &error);
  if (elapsed < 0)
    {
      g_printerr ("scan-bench: %s\n", error->message);
      return 1;
    }

  printf ("elapsed_s=%.3f probes=%" G_GUINT64_FORMAT " in_flight=%d",
          elapsed / 1e6, charla_scanner_get_total (scanner), scan.in_flight);
  bench_print_probe_counts (scanner);
  printf (" max_stall_ms=%.1f cpu_s=%.3f done_notifies=%u\n", bench.max_gap / 1e3,
          bench_cpu_seconds () - cpu_start, bench.done_notifies);

  servers = charla_scanner_get_servers (scanner);
  for (guint i = 0; list && i < g_list_model_get_n_items (servers); i++)
    {
      g_autoptr(CharlaScanResult) result = g_list_model_get_item (servers, i);

      printf ("  %s:%u %s %s\n", charla_scan_result_get_address (result),
              charla_scan_result_get_port (result),
              charla_probe_result_to_string (charla_scan_result_get_result (result)),
              charla_scan_result_get_name (result));
    }

  return 0;
}
