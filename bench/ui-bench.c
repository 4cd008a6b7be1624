/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Frame and memory figures of the Charla window (docs/BENCHMARKS.md).
 *
 *   ui-bench chat [--messages N] [--burst N] [--scroll pages:P|px:N|drag:F[:STEPS]]… [--max-steps N]
 *   ui-bench listbox [--messages N]
 *   ui-bench scan --targets T [--ports P] [--scans N]
 *
 * Every mode first records the idle baseline: frame gaps while nothing
 * changes (a tick callback keeps the frame clock running). Then:
 *   chat     N messages in the chat view: memory per message (model and
 *            view), the time to append a burst while pinned to the
 *            bottom, and frame gaps while scrolling top to bottom;
 *   listbox  the same messages as one GtkListBox row each (what the
 *            chat view does not do), for comparison;
 *   scan     frame gaps while the window scans (bench/ui-scan-lab.sh
 *            runs it inside the scan lab's namespace).
 * Run under Xvfb (GSK_RENDERER=cairo for comparable figures). Prints
 * figures; asserts nothing about time. */
#include "config.h"

#include <malloc.h>
#include <time.h>
#include <stdio.h>
#include <unistd.h>

#include "charla-chat-view.h"
#include "charla-message-row.h"
#include "charla-server-list.h"
#include "charla-window.h"

#define FRAME_MS 16.7

typedef struct {
  GArray  *times;      /* gint64 µs, one per frame */
  gint64   started;
  gboolean recording;
} Frames;

static Frames frames;

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  if (frames.recording)
    {
      gint64 now = g_get_monotonic_time ();

      g_array_append_val (frames.times, now);
    }
  return G_SOURCE_CONTINUE;
}

static void
frames_start (void)
{
  g_array_set_size (frames.times, 0);
  frames.started = g_get_monotonic_time ();
  frames.recording = TRUE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static guint
count_over (GArray *values,
            double  limit)
{
  guint n = 0;

  for (guint i = 0; i < values->len; i++)
    n += g_array_index (values, double, i) > limit;
  return n;
}

/* Prints "label frames=… worst_ms=… p99_ms=… median_ms=… late=…", late
 * being gaps longer than one frame beyond the idle baseline's worst. */
static double
frames_stop (const char *label,
             double      baseline_worst)
{
  g_autoptr(GArray) gaps = g_array_new (FALSE, FALSE, sizeof (double));
  double worst = 0, late_limit = baseline_worst + FRAME_MS, worst_at = 0;
  guint late = 0;

  frames.recording = FALSE;
  for (guint i = 1; i < frames.times->len; i++)
    {
      double gap = (g_array_index (frames.times, gint64, i) - g_array_index (frames.times, gint64, i - 1)) / 1000.0;

      g_array_append_val (gaps, gap);
      if (gap > worst)
        worst_at = (g_array_index (frames.times, gint64, i - 1) - frames.started) / 1000.0;
      worst = MAX (worst, gap);
      if (baseline_worst > 0 && gap > late_limit)
        late++;
    }
  g_array_sort (gaps, compare_double);
  if (gaps->len == 0)
    {
      printf ("%s frames=0\n", label);
      return 0;
    }
  printf ("%s frames=%u worst_ms=%.1f p99_ms=%.1f median_ms=%.1f", label, frames.times->len, worst,
          g_array_index (gaps, double, (guint) (gaps->len * 0.99)),
          g_array_index (gaps, double, gaps->len / 2));
  if (baseline_worst > 0)
    printf (" late=%u (gaps over %.1f ms) worst_starts_at_ms=%.0f", late, late_limit, worst_at);
  printf ("\n");
  fflush (stdout);
  return worst;
}

/* Where the main thread was busy: every stretch between two polls of the
 * main context (so the dispatch of one or more sources) longer than 4 ms,
 * from a poll function that wraps the real one. */
typedef struct {
  gint64 start;
  gint64 end;
  gint64 layout;                /* frames only: µs in layout, and in paint */
  gint64 paint;
  gint64 cpu;                   /* frames only: µs of this thread's CPU time */
} Busy;

/* This thread's CPU time, which other processes on a loaded machine do
 * not inflate as they do wall time. */
static gint64
thread_cpu_usec (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

static GArray *busy;            /* Busy, while recording */
static GPollFunc real_poll;
static gint64 poll_left;        /* when the last poll returned */

static int
tracing_poll (GPollFD *fds,
              guint    n_fds,
              int      timeout)
{
  gint64 entered = g_get_monotonic_time ();
  int result;

  if (busy != NULL && poll_left > 0 && entered - poll_left > 4000)
    {
      Busy stretch = { poll_left, entered, 0, 0, 0 };

      g_array_append_val (busy, stretch);
    }
  result = real_poll (fds, n_fds, timeout);
  poll_left = g_get_monotonic_time ();
  return result;
}

/* GTK's own part: each frame from before-paint to after-paint of the
 * frame clock, with its layout and paint phases, recorded as busy
 * stretches too. Each phase is timed at its end, by a handler connected
 * after (run after GTK's own handlers of that phase, whenever GTK
 * connected them): layout = end of update to end of layout, paint = end
 * of layout to end of paint. */
static GArray *frame_work;      /* Busy */
static gint64 frame_began;
static gint64 frame_cpu_began;
static gint64 update_ended;
static gint64 layout_ended;
static gint64 paint_ended;

static void
on_before_paint (GdkFrameClock *clock)
{
  frame_began = update_ended = layout_ended = paint_ended = g_get_monotonic_time ();
  frame_cpu_began = thread_cpu_usec ();
}

static void
on_update_ended (GdkFrameClock *clock)
{
  update_ended = layout_ended = paint_ended = g_get_monotonic_time ();
}

static void
on_layout_ended (GdkFrameClock *clock)
{
  layout_ended = paint_ended = g_get_monotonic_time ();
}

static void
on_paint_ended (GdkFrameClock *clock)
{
  paint_ended = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock)
{
  gint64 now = g_get_monotonic_time ();
  Busy stretch = { frame_began, now, layout_ended - update_ended, paint_ended - layout_ended,
                   thread_cpu_usec () - frame_cpu_began };

  if (frame_work != NULL && frame_began > 0)
    g_array_append_val (frame_work, stretch);
}

static void
trace_frame_clock (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  frame_work = g_array_new (FALSE, FALSE, sizeof (Busy));
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), NULL);
  g_signal_connect_after (clock, "update", G_CALLBACK (on_update_ended), NULL);
  g_signal_connect_after (clock, "layout", G_CALLBACK (on_layout_ended), NULL);
  g_signal_connect_after (clock, "paint", G_CALLBACK (on_paint_ended), NULL);
  g_signal_connect_after (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
}

static int
compare_busy (gconstpointer a,
              gconstpointer b)
{
  const Busy *x = a, *y = b;
  gint64 dx = x->end - x->start, dy = y->end - y->start;

  return dx < dy ? 1 : dx > dy ? -1 : 0;
}

/* Prints the longest busy stretches, from @since. */
static void
busy_print (const char *label,
            gint64      since)
{
  g_array_sort (busy, compare_busy);
  printf ("%s busy_stretches_over_4ms=%u", label, busy->len);
  for (guint i = 0; i < MIN (busy->len, 5); i++)
    {
      Busy *stretch = &g_array_index (busy, Busy, i);

      printf (" %.1fms@%.0f", (stretch->end - stretch->start) / 1000.0, (stretch->start - since) / 1000.0);
    }
  printf ("\n");
  g_array_set_size (busy, 0);

  if (frame_work != NULL)
    {
      g_array_sort (frame_work, compare_busy);
      printf ("%s frame_work_longest", label);
      for (guint i = 0; i < MIN (frame_work->len, 5); i++)
        {
          Busy *stretch = &g_array_index (frame_work, Busy, i);

          printf (" %.1fms@%.0f(layout=%.1f,paint=%.1f,cpu=%.1f)", (stretch->end - stretch->start) / 1000.0,
                  (stretch->start - since) / 1000.0, stretch->layout / 1000.0, stretch->paint / 1000.0,
                  stretch->cpu / 1000.0);
        }
      printf ("\n");
      g_array_set_size (frame_work, 0);
    }
}

static void
spin (guint msec)
{
  gint64 end = g_get_monotonic_time () + msec * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (500), TRUE);
}

static void
wait_frames (guint n)
{
  guint target;

  frames_start ();
  target = n;
  while (frames.times->len < target)
    g_main_context_iteration (NULL, TRUE);
  frames.recording = FALSE;
}

static double
idle_baseline (void)
{
  frames_start ();
  spin (2000);
  return frames_stop ("idle", 0);
}

static gsize
heap_in_use (void)
{
  struct mallinfo2 info;

  malloc_trim (0);
  info = mallinfo2 ();
  return info.uordblks + info.hblkhd;
}

static gsize
rss_bytes (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    sscanf (statm, "%lu %lu", &size, &resident);
  return resident * sysconf (_SC_PAGESIZE);
}

static const char *senders[] = { "Ana", "Beto", "Carla", "Dario", "Eva" };
static const char *words[] = {
  "hola", "¿qué", "tal?", "mañana", "reunión", "a", "las", "diez", "en", "la", "sala", "grande",
  "the", "build", "is", "green", "again", "café", "☕", "ok", "network", "scan", "found", "three",
};

static CharlaMessage *
make_message (guint i)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n_words = 3 + g_random_int_range (0, i % 50 == 0 ? 120 : 20);
  const char *sender = senders[i % G_N_ELEMENTS (senders)];
  g_autofree char *endpoint = g_strdup_printf ("127.0.1.%u:%u", 10 + i % 5, 9990 + i % 5);

  for (guint w = 0; w < n_words; w++)
    {
      if (w > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, words[g_random_int_range (0, G_N_ELEMENTS (words))]);
    }

  if (i % 7 == 0)
    return charla_message_new (CHARLA_MESSAGE_OUTGOING, "Yo", NULL, text->str);
  return charla_message_new (CHARLA_MESSAGE_INCOMING, sender, endpoint, text->str);
}

static GtkWidget *
show_in_window (GtkWidget *child)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 720, 640);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_widget_add_tick_callback (window, on_tick, NULL, NULL);
  gtk_window_present (GTK_WINDOW (window));
  wait_frames (10);
  return window;
}

/* How the bench scrolls, one step per frame from the top:
 *   pages:P  P pages per frame (PageDown held: key repeat at 30 per
 *            second is about ½ page per frame at 60 frames per second);
 *   px:N     N pixels per frame (a mouse wheel: GTK scrolls page^⅔
 *            pixels per notch, 71 px in the bench's 594 px view; one
 *            notch per frame is a fast spin);
 *   drag:F   the scrollbar dragged from top to bottom in F frames (every
 *            frame shows rows never seen before);
 * each optionally followed by ":STEPS" to stop after that many steps
 * (else --max-steps, else at the bottom).
 * Prints the frame gaps and this thread's CPU time per step (set the
 * value, then lay out and draw one frame), which other processes on a
 * loaded machine do not inflate. */
static void
scroll_down (GtkAdjustment *adjustment,
             const char    *scroll,
             guint          max_steps,
             double         baseline)
{
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *label = NULL;
  g_auto(GStrv) parts = g_strsplit (scroll, ":", 3);
  double amount = parts[1] != NULL ? g_ascii_strtod (parts[1], NULL) : 0;
  double step, bottom;
  guint n_steps = 0, late_steps = 0, late_own = 0;

  gtk_adjustment_set_value (adjustment, 0);
  wait_frames (30);
  bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);
  if (g_str_equal (parts[0], "pages"))
    step = amount * gtk_adjustment_get_page_size (adjustment);
  else if (g_str_equal (parts[0], "px"))
    step = amount;
  else if (g_str_equal (parts[0], "drag"))
    step = bottom / MAX (amount, 1);
  else
    g_error ("unknown scroll %s (pages:P, px:N, drag:F)", scroll);
  g_assert (step > 0);
  if (parts[1] != NULL && parts[2] != NULL)
    max_steps = g_ascii_strtoull (parts[2], NULL, 10);

  frames_start ();
  while (gtk_adjustment_get_value (adjustment) < gtk_adjustment_get_upper (adjustment) -
         gtk_adjustment_get_page_size (adjustment) - 1 && (max_steps == 0 || n_steps < max_steps))
    {
      guint seen = frames.times->len;
      gint64 cpu_began = thread_cpu_usec ();
      gint64 began = g_get_monotonic_time ();
      double step_cpu, step_wall;

      /* For a drag, the position the pointer asks for; the list's upper
       * bound moves as rows are measured. */
      if (g_str_equal (parts[0], "drag"))
        gtk_adjustment_set_value (adjustment, MIN ((n_steps + 1) * step, gtk_adjustment_get_upper (adjustment)));
      else
        gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + step);
      n_steps++;
      while (frames.times->len == seen)
        g_main_context_iteration (NULL, TRUE);
      step_cpu = (thread_cpu_usec () - cpu_began) / 1000.0;
      step_wall = (g_get_monotonic_time () - began) / 1000.0;
      g_array_append_val (cpu, step_cpu);
      /* A late step that did not use a frame's worth of CPU here was
       * late because something else had the CPU. */
      if (step_wall > baseline + FRAME_MS)
        {
          late_steps++;
          late_own += step_cpu > FRAME_MS;
        }
    }
  label = g_strdup_printf ("scroll %s step_px=%.0f steps=%u", scroll, step, n_steps);
  frames_stop (label, baseline);
  g_array_sort (cpu, compare_double);
  if (cpu->len > 0)
    printf ("scroll %s cpu_per_step_ms median=%.1f p90=%.1f p99=%.1f worst=%.1f over_16.7ms=%u"
            " late_steps=%u of_which_cpu_over_16.7ms=%u\n", scroll,
            g_array_index (cpu, double, cpu->len / 2), g_array_index (cpu, double, (guint) (cpu->len * 0.9)),
            g_array_index (cpu, double, (guint) (cpu->len * 0.99)), g_array_index (cpu, double, cpu->len - 1),
            count_over (cpu, FRAME_MS), late_steps, late_own);
}

static int
run_chat (guint        n_messages,
          guint        burst,
          char       **scrolls,
          guint        max_steps)
{
  g_autoptr(GListStore) store = g_list_store_new (CHARLA_TYPE_MESSAGE);
  GtkWidget *view, *window;
  GtkAdjustment *adjustment;
  gsize heap0, rss0, heap1, rss1, heap2, rss2;
  gint64 start, appended, drawn;
  double baseline;

  /* The model alone, then the view over it. */
  heap0 = heap_in_use ();
  rss0 = rss_bytes ();
  for (guint i = 0; i < n_messages; i++)
    {
      g_autoptr(CharlaMessage) message = make_message (i);

      g_list_store_append (store, message);
    }
  heap1 = heap_in_use ();
  rss1 = rss_bytes ();

  start = g_get_monotonic_time ();
  view = charla_chat_view_new (G_LIST_MODEL (store));
  window = show_in_window (view);
  drawn = g_get_monotonic_time ();
  wait_frames (30);
  heap2 = heap_in_use ();
  rss2 = rss_bytes ();
  printf ("memory messages=%u model_heap_per_message_B=%.0f model_rss_per_message_B=%.0f "
          "view_heap_total_KiB=%.0f total_heap_per_message_B=%.0f total_rss_per_message_B=%.0f "
          "open_ms=%.0f\n",
          n_messages, (double) (heap1 - heap0) / n_messages, (double) (rss1 - rss0) / n_messages,
          (double) (heap2 - heap1) / 1024, (double) (heap2 - heap0) / n_messages,
          (double) (rss2 - rss0) / n_messages, (drawn - start) / 1000.0);
  {
    guint n_rows = 0;

    for (GtkWidget *w = gtk_widget_get_first_child (charla_chat_view_get_list_view (CHARLA_CHAT_VIEW (view)));
         w != NULL; w = gtk_widget_get_next_sibling (w))
      n_rows++;
    printf ("rows instantiated=%u\n", n_rows);
  }
  baseline = idle_baseline ();

  adjustment = gtk_scrolled_window_get_vadjustment (
    GTK_SCROLLED_WINDOW (gtk_widget_get_parent (charla_chat_view_get_list_view (CHARLA_CHAT_VIEW (view)))));
  printf ("pinned sticky=%d at_bottom=%d\n", charla_chat_view_get_sticky (CHARLA_CHAT_VIEW (view)),
          gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) >=
          gtk_adjustment_get_upper (adjustment) - 2);

  /* A burst, one items-changed per message as the node posts them. */
  frames_start ();
  start = g_get_monotonic_time ();
  for (guint i = 0; i < burst; i++)
    {
      g_autoptr(CharlaMessage) message = make_message (n_messages + i);

      g_list_store_append (store, message);
    }
  appended = g_get_monotonic_time ();
  while (frames.times->len < 2)
    g_main_context_iteration (NULL, TRUE);
  drawn = g_get_monotonic_time ();
  frames.recording = FALSE;
  printf ("burst messages=%u append_ms=%.1f until_drawn_ms=%.1f sticky=%d at_bottom=%d\n", burst,
          (appended - start) / 1000.0, (drawn - start) / 1000.0,
          charla_chat_view_get_sticky (CHARLA_CHAT_VIEW (view)),
          gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) >=
          gtk_adjustment_get_upper (adjustment) - 2);

  for (guint i = 0; scrolls[i] != NULL; i++)
    scroll_down (adjustment, scrolls[i], max_steps, baseline);

  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}

static GtkWidget *
create_listbox_row (gpointer item,
                    gpointer user_data)
{
  GtkWidget *row = g_object_new (CHARLA_TYPE_MESSAGE_ROW, "message", item, NULL);

  return row;
}

static int
run_listbox (guint n_messages)
{
  g_autoptr(GListStore) store = g_list_store_new (CHARLA_TYPE_MESSAGE);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *window;
  gsize heap0, heap1, heap2;
  gint64 start;

  for (guint i = 0; i < n_messages; i++)
    {
      g_autoptr(CharlaMessage) message = make_message (i);

      g_list_store_append (store, message);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  window = show_in_window (scrolled);
  heap0 = heap_in_use ();
  start = g_get_monotonic_time ();
  gtk_list_box_bind_model (GTK_LIST_BOX (list), G_LIST_MODEL (store), create_listbox_row, NULL, NULL);
  heap1 = heap_in_use ();
  wait_frames (2);
  heap2 = heap_in_use ();
  printf ("listbox messages=%u rows_heap_per_message_B=%.0f laid_out_heap_per_message_B=%.0f "
          "first_frame_ms=%.1f\n", n_messages, (double) (heap1 - heap0) / n_messages,
          (double) (heap2 - heap0) / n_messages, (g_get_monotonic_time () - start) / 1000.0);

  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}

/* When the scanner's lists changed, to tell which frame follows which. */
static GString *list_changes;
static gint64 list_changes_since;

static void
on_list_changed (GListModel *model,
                 guint       position,
                 guint       removed,
                 guint       added,
                 const char *name)
{
  g_string_append_printf (list_changes, " %s+%u@%.0f", name, added,
                          (g_get_monotonic_time () - list_changes_since) / 1000.0);
}

static int
run_scan (const char *targets,
          const char *ports,
          guint       n_scans)
{
  g_autoptr(CharlaNode) node = charla_node_new ("Bench");
  g_autoptr(GError) error = NULL;
  CharlaWindow *window;
  CharlaServerList *list = NULL;
  GListModel *servers;
  double baseline;
  gint64 start;

  charla_node_set_bind_address (node, "127.0.0.1");
  charla_node_set_port_range (node, 0, 0);
  if (!charla_node_start (node, &error))
    g_error ("%s", error->message);

  window = charla_window_new (NULL, node, NULL);
  gtk_widget_add_tick_callback (GTK_WIDGET (window), on_tick, NULL, NULL);
  gtk_window_present (GTK_WINDOW (window));
  wait_frames (10);
  trace_frame_clock (GTK_WIDGET (window));
  baseline = idle_baseline ();

  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (window)); w != NULL && list == NULL; )
    {
      /* Depth-first search for the server list. */
      if (CHARLA_IS_SERVER_LIST (w))
        list = CHARLA_SERVER_LIST (w);
      else if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          if (w != NULL)
            w = gtk_widget_get_next_sibling (w);
        }
    }
  g_assert (list != NULL);

  real_poll = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, tracing_poll);
  busy = g_array_new (FALSE, FALSE, sizeof (Busy));
  g_signal_connect (charla_scanner_get_servers (charla_node_get_scanner (node)), "items-changed",
                    G_CALLBACK (on_list_changed), (gpointer) "servers");
  g_signal_connect (charla_scanner_get_report (charla_node_get_scanner (node)), "items-changed",
                    G_CALLBACK (on_list_changed), (gpointer) "report");
  /* The first scan of a window also pays for what GTK loads once (fonts
   * and glyphs of text styles not drawn before, icons); the next ones
   * show the steady cost. */
  for (guint i = 0; i < n_scans; i++)
    {
      g_autofree char *label = NULL;

      if (i > 0)
        {
          wait_frames (30);
          printf ("## scan %u in the same window\n", i + 1);
        }
      list_changes = g_string_new (NULL);
      g_array_set_size (busy, 0);
      g_array_set_size (frame_work, 0);
      frames_start ();
      start = list_changes_since = g_get_monotonic_time ();
      gtk_widget_activate_action (GTK_WIDGET (window), "win.scan-targets", "(ss)", targets, ports);
      while (charla_server_list_get_scanning (list))
        g_main_context_iteration (NULL, TRUE);
      label = g_strdup_printf ("scan targets=%s ports=%s elapsed_ms=%.0f", targets, ports,
                               (g_get_monotonic_time () - start) / 1000.0);
      frames_stop (label, baseline);
      busy_print ("scan", start);
      printf ("scan list_changes%s started_at_us=%" G_GINT64_FORMAT "\n", list_changes->str, start);
      g_string_free (list_changes, TRUE);
      servers = charla_scanner_get_servers (charla_node_get_scanner (node));
      printf ("scan servers=%u summary=\"%s\"\n", g_list_model_get_n_items (servers),
              charla_server_list_get_summary (list));
    }

  gtk_window_destroy (GTK_WINDOW (window));
  charla_node_stop (node);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  int n_messages = 100000, burst = 10000;
  g_auto(GStrv) scrolls = NULL;
  int max_steps = 0, n_scans = 1;
  g_autofree char *targets = NULL;
  g_autofree char *ports = g_strdup ("9990-10005");
  const GOptionEntry entries[] = {
    { "messages", 0, 0, G_OPTION_ARG_INT, &n_messages, "Messages in the history", "N" },
    { "burst", 0, 0, G_OPTION_ARG_INT, &burst, "Messages appended in one burst", "N" },
    { "scroll", 0, 0, G_OPTION_ARG_STRING_ARRAY, &scrolls, "How to scroll (repeatable; default pages:1)", "pages:P|px:N|drag:F[:STEPS]" },
    { "max-steps", 0, 0, G_OPTION_ARG_INT, &max_steps, "Stop each scroll after N steps (0: at the bottom)", "N" },
    { "targets", 0, 0, G_OPTION_ARG_STRING, &targets, "Scan targets", "T" },
    { "ports", 0, 0, G_OPTION_ARG_STRING, &ports, "Scan ports", "P" },
    { "scans", 0, 0, G_OPTION_ARG_INT, &n_scans, "Scans in the same window", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("chat|listbox|scan");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("ui-bench: %s\n", error != NULL ? error->message : "say chat, listbox or scan");
      return 2;
    }

  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  frames.times = g_array_new (FALSE, FALSE, sizeof (gint64));
  /* Figures appear as they are measured, even into a file. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  printf ("# renderer=%s\n", g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "default");

  if (g_str_equal (argv[1], "chat"))
    {
      if (scrolls == NULL)
        scrolls = g_strsplit ("pages:1", ",", -1);
      return run_chat (n_messages, burst, scrolls, max_steps);
    }
  if (g_str_equal (argv[1], "listbox"))
    return run_listbox (n_messages);
  if (g_str_equal (argv[1], "scan") && targets != NULL)
    return run_scan (targets, ports, MAX (n_scans, 1));

  g_printerr ("ui-bench: say chat, listbox or scan --targets T\n");
  return 2;
}
