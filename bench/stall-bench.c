/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include <stdio.h>

#include "bench-support.h"

/* How long a scan keeps the rest of the main loop waiting, seen from
 * where a window would feel it:
 *
 *   stall-bench --ports 9990-10005 127.0.1.0/24
 *   stall-bench --idle 2          # the machine's noise floor, no scan
 *
 * Three heartbeat sources run beside the scan on the default main
 * context, at G_PRIORITY_DEFAULT, at GTK's redraw priority
 * (GDK_PRIORITY_REDRAW, 120, where the frame clock runs) and at
 * G_PRIORITY_DEFAULT_IDLE.  Each asks to run every few milliseconds (a
 * ready time, as the frame clock does) and records how late it ran:
 * the wait.  A wait over 16 ms is a dropped frame at 60 Hz.
 *
 * Prints one line per run: the scan's wall time and classes, then the
 * worst wait, the 99th percentile and the number of waits over 16 ms
 * per priority. */

#define REDRAW_PRIORITY (G_PRIORITY_HIGH_IDLE + 20)     /* GDK_PRIORITY_REDRAW */
#define FRAME_USEC (16 * G_TIME_SPAN_MILLISECOND)

typedef struct
{
  GSource source;
  const char *label;
  gint64 interval;
  gint64 expected;
  gboolean recording;
  GArray *waits;                /* gint64 µs */
} Heartbeat;

typedef struct
{
  GMainLoop *loop;
} Bench;

static gboolean
heartbeat_dispatch (GSource     *source,
                    GSourceFunc  callback,
                    gpointer     user_data)
{
  Heartbeat *beat = (Heartbeat *) source;
  gint64 now = g_get_monotonic_time ();

  if (beat->recording)
    {
      gint64 wait = MAX (now - beat->expected, 0);

      g_array_append_val (beat->waits, wait);
    }

  beat->expected = now + beat->interval;
  g_source_set_ready_time (source, beat->expected);
  return G_SOURCE_CONTINUE;
}

static void
heartbeat_finalize (GSource *source)
{
  Heartbeat *beat = (Heartbeat *) source;

  g_array_unref (beat->waits);
}

static GSourceFuncs heartbeat_funcs = {
  .dispatch = heartbeat_dispatch,
  .finalize = heartbeat_finalize,
};

static Heartbeat *
heartbeat_new (const char *label,
               int         priority,
               gint64      interval)
{
  Heartbeat *beat = (Heartbeat *) g_source_new (&heartbeat_funcs, sizeof (Heartbeat));

  beat->label = label;
  beat->interval = interval;
  beat->waits = g_array_new (FALSE, FALSE, sizeof (gint64));
  beat->expected = g_get_monotonic_time () + interval;
  g_source_set_priority ((GSource *) beat, priority);
  g_source_set_ready_time ((GSource *) beat, beat->expected);
  g_source_attach ((GSource *) beat, NULL);
  return beat;
}

static int
compare_waits (gconstpointer a,
               gconstpointer b)
{
  gint64 wa = *(const gint64 *) a, wb = *(const gint64 *) b;

  return wa < wb ? -1 : wa > wb;
}

static void
heartbeat_print (Heartbeat *beat)
{
  GArray *waits = beat->waits;
  guint over = 0;
  gint64 p99 = 0, worst = 0;

  g_array_sort (waits, compare_waits);
  for (guint i = 0; i < waits->len; i++)
    if (g_array_index (waits, gint64, i) > FRAME_USEC)
      over++;
  if (waits->len > 0)
    {
      guint p99_index = (guint) ((waits->len - 1) * 0.99);

      worst = g_array_index (waits, gint64, waits->len - 1);
      p99 = g_array_index (waits, gint64, p99_index);
    }

  printf (" %s_worst_ms=%.1f %s_p99_ms=%.1f %s_over16=%u %s_n=%u",
          beat->label, worst / 1e3, beat->label, p99 / 1e3,
          beat->label, over, beat->label, waits->len);
}

static gboolean
on_idle_timeout (gpointer data)
{
  Bench *bench = data;

  g_main_loop_quit (bench->loop);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CharlaScanner) scanner = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(BenchScanOptions) scan = BENCH_SCAN_OPTIONS_INIT;
  int interval_ms = 4;
  double idle_seconds = 0;
  GOptionEntry entries[] = {
    { "interval", 'i', 0, G_OPTION_ARG_INT, &interval_ms, "Heartbeat interval (default 4)", "MS" },
    { "idle", 0, 0, G_OPTION_ARG_DOUBLE, &idle_seconds, "No scan: measure an idle loop", "SECONDS" },
    { NULL }
  };
  Bench bench = { 0 };
  Heartbeat *beats[3];
  gint64 start, elapsed;

  context = g_option_context_new ("TARGET…");
  bench_scan_options_add (context, &scan);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      (argc < 2 && idle_seconds <= 0) || scan.in_flight < 1 || interval_ms < 1)
    {
      g_printerr ("usage: stall-bench [--ports P] [--in-flight N] [--interval MS] TARGET…\n"
                  "       stall-bench --idle SECONDS\n");
      return 2;
    }

  charla_raise_fd_limit ();

  bench.loop = g_main_loop_new (NULL, FALSE);
  beats[0] = heartbeat_new ("default", G_PRIORITY_DEFAULT, interval_ms * G_TIME_SPAN_MILLISECOND);
  beats[1] = heartbeat_new ("redraw", REDRAW_PRIORITY, interval_ms * G_TIME_SPAN_MILLISECOND);
  beats[2] = heartbeat_new ("idle", G_PRIORITY_DEFAULT_IDLE, interval_ms * G_TIME_SPAN_MILLISECOND);

  /* Let the heartbeats settle before recording. */
  g_timeout_add (50, on_idle_timeout, &bench);
  g_main_loop_run (bench.loop);

  for (guint i = 0; i < G_N_ELEMENTS (beats); i++)
    beats[i]->recording = TRUE;

  if (idle_seconds > 0)
    {
      start = g_get_monotonic_time ();
      g_timeout_add ((guint) (idle_seconds * 1000), on_idle_timeout, &bench);
      g_main_loop_run (bench.loop);
      elapsed = g_get_monotonic_time () - start;
      printf ("idle elapsed_s=%.3f", elapsed / 1e6);
    }
  else
    {
      scanner = bench_scanner_new (&scan, (const char * const *) argv + 1, &error);
      if (scanner == NULL)
        {
          g_printerr ("stall-bench: %s\n", error->message);
          return 1;
        }

      elapsed = bench_run_scan (scanner, &error);
      if (elapsed < 0)
        {
          g_printerr ("stall-bench: %s\n", error->message);
          return 1;
        }

      printf ("elapsed_s=%.3f probes=%" G_GUINT64_FORMAT, elapsed / 1e6,
              charla_scanner_get_total (scanner));
      bench_print_probe_counts (scanner);
    }

  for (guint i = 0; i < G_N_ELEMENTS (beats); i++)
    {
      beats[i]->recording = FALSE;
      heartbeat_print (beats[i]);
    }
  printf ("\n");

  for (guint i = 0; i < G_N_ELEMENTS (beats); i++)
    {
      g_source_destroy ((GSource *) beats[i]);
      g_source_unref ((GSource *) beats[i]);
    }
  g_main_loop_unref (bench.loop);
  return 0;
}
