/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "charla-endpoint.h"
#include "charla-error.h"
#include "charla-network.h"
#include "charla-node-private.h"
#include "charla-platform-private.h"
#include "charla-probe-engine.h"
#include "charla-scan-result-private.h"
#include "charla-scanner-private.h"
#include "charla-wire.h"

/**
 * CharlaScanner:
 *
 * Probes host × port pairs for chat nodes the way the seed's scanner
 * does (connect, send the bare `--name`, read the reply), but many at a
 * time and without ever blocking the main loop or starving a window.
 *
 * A scan is one #GSource at %CHARLA_SCAN_PRIORITY, below GTK's redraw
 * priority, that works in slices of at most %CHARLA_SCAN_SLICE_USEC:
 * each dispatch hands the probe engine (charla-probe-engine.h) its
 * socket events and deadlines, starts more probes while the fd budget
 * and the in-flight cap allow, and at most every 16 ms moves the results
 * into the public lists and tells about progress.  A dispatch that ran
 * out of time leaves the source ready, so every source of higher
 * priority, and the redraw above all, runs in between.
 */

/* Progress and the report list are updated at most this often, so a
 * 65536-probe scan does not emit 65536 notifications. */
#define FLUSH_INTERVAL_USEC (16 * G_TIME_SPAN_MILLISECOND)

/* File descriptors left for everything else while a scan runs. */
#define FD_RESERVE 64

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
  PROP_FRACTION,
  PROP_RUNNING,
  N_PROPS
};

#define N_PROBE_RESULTS (CHARLA_PROBE_ERROR + 1)

typedef struct
{
  GSource source;

  /* Borrowed: the task holds a reference on the scanner */
  CharlaScanner *scanner;

  /* Owned */
  GTask *task;
  CharlaProbeEngine *engine;
  CharlaTargetSet *targets;
  CharlaNode *node;
  GPtrArray *pending_report;    /* results not yet in the report list */
  GPtrArray *pending_servers;   /* results not yet in the server list */

  guint16 port_min;
  guint n_ports;
  guint64 total;
  guint64 next_index;
  guint64 done;
  guint64 counts[N_PROBE_RESULTS];
  guint max_in_flight;
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
  GInetSocketAddress *probe_local_address;
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
  guint64 counts[N_PROBE_RESULTS];
};

G_DEFINE_FINAL_TYPE (CharlaScanner, charla_scanner, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
set_done (CharlaScanner *self,
          guint64        done)
{
  if (self->done == done)
    return;

  self->done = done;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
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
  memcpy (scanner->counts, run->counts, sizeof scanner->counts);
  store_append_all (scanner->servers, run->pending_servers);
  store_append_all (scanner->report, run->pending_report);
  set_done (scanner, run->done);
}

/* The engine's CharlaProbeDoneFunc, and the scanner's own results. */
static void
scan_run_record (CharlaScanResult *result,
                 gpointer          user_data)
{
  ScanRun *run = user_data;

  if (charla_scan_result_is_server (result))
    g_ptr_array_add (run->pending_servers, g_object_ref (result));
  g_ptr_array_add (run->pending_report, result);
  run->counts[charla_scan_result_get_result (result)]++;
  run->done++;
}

/* Starts the next probe, or answers it from here.  Returns FALSE when
 * the engine cannot start one now. */
static gboolean
scan_run_start_next (ScanRun *run)
{
  g_autoptr(GInetAddress) address = NULL;
  guint16 port;

  address = charla_target_set_get_address (run->targets, run->next_index / run->n_ports);
  port = run->port_min + (guint16) (run->next_index % run->n_ports);

  if (run->node != NULL && charla_node_is_own_endpoint (run->node, address, port))
    {
      g_autofree char *address_text = g_inet_address_to_string (address);

      /* Our own listener is answered from here: probing it would make
       * our reply wait for this very main loop. */
      run->next_index++;
      scan_run_record (charla_scan_result_new_full (address_text, port, CHARLA_PROBE_NODE,
                                                    charla_node_get_name (run->node), TRUE,
                                                    NULL, 0),
                       run);
      return TRUE;
    }

  switch (charla_probe_engine_start (run->engine, address, port))
    {
    case CHARLA_PROBE_STARTED:
      run->next_index++;
      return TRUE;

    case CHARLA_PROBE_START_NO_FDS:
      /* Out of descriptors although the budget allowed more: wait for
       * probes to end, and never try for more than are open now. */
      run->max_in_flight = MAX (charla_probe_engine_get_in_flight (run->engine), 1);
      return FALSE;

    case CHARLA_PROBE_START_LATER:
    default:
      return FALSE;
    }
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

  g_clear_pointer (&run->engine, charla_probe_engine_free);
  g_source_destroy ((GSource *) run);
  task = g_steal_pointer (&run->task);

  /* Detach before emitting anything, so a handler may start a new scan. */
  if (scanner->run == run)
    scanner->run = NULL;

  g_debug ("Scan %s after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " probes (%s engine)",
           error != NULL ? "stopped" : "finished", run->done, run->total,
           charla_probe_engine_get_name ());

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
  gint64 wakeup = charla_probe_engine_get_ready_time (run->engine);

  if (run->pending_report->len > 0)
    {
      gint64 flush_time = run->last_flush + FLUSH_INTERVAL_USEC;

      if (wakeup < 0 || flush_time < wakeup)
        wakeup = flush_time;
    }

  return wakeup;
}

static gboolean
scan_run_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     user_data)
{
  ScanRun *run = (ScanRun *) source;
  GCancellable *cancellable = g_task_get_cancellable (run->task);
  GError *error = NULL;
  gboolean more_work;
  gint64 slice_end;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      scan_run_finish (run, error);
      return G_SOURCE_REMOVE;
    }

  slice_end = g_get_monotonic_time () + CHARLA_SCAN_SLICE_USEC;
  more_work = charla_probe_engine_process (run->engine, slice_end);

  while (!more_work &&
         charla_probe_engine_get_in_flight (run->engine) < run->max_in_flight &&
         run->next_index < run->total)
    {
      if (!scan_run_start_next (run))
        break;
      if (g_get_monotonic_time () >= slice_end)
        more_work = TRUE;
    }

  if (charla_probe_engine_get_in_flight (run->engine) == 0 && run->next_index >= run->total)
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

  /* Ready at once when the time slice left work: every source of higher
   * priority still gets its turn in between. */
  g_source_set_ready_time (source, more_work ? 0 : scan_run_next_wakeup (run));

  return G_SOURCE_CONTINUE;
}

static void
scan_run_source_finalize (GSource *source)
{
  ScanRun *run = (ScanRun *) source;

  /* The engine is freed by scan_run_finish(), which always runs. */
  g_assert (run->engine == NULL);
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
    case PROP_FRACTION:
      g_value_set_double (value, charla_scanner_get_fraction (self));
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
  g_clear_object (&self->probe_local_address);
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
  /**
   * CharlaScanner:total:
   *
   * Probes the prepared scan runs.
   */
  properties[PROP_TOTAL] =
    g_param_spec_uint64 ("total", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaScanner:fraction:
   *
   * #CharlaScanner:done divided by #CharlaScanner:total, from 0 to 1, for
   * a progress bar to bind to; notified together with done, at most
   * about every 16 ms.
   */
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
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

/**
 * charla_scanner_get_fraction:
 *
 * Returns: the part of the scan done, from 0 to 1 (0 before any scan)
 */
double
charla_scanner_get_fraction (CharlaScanner *self)
{
  g_return_val_if_fail (CHARLA_IS_SCANNER (self), 0.0);

  if (self->total == 0)
    return 0.0;

  return MIN ((double) self->done / (double) self->total, 1.0);
}

/**
 * charla_scanner_get_count:
 * @self: a scanner
 * @result: a class of probe results
 *
 * How many probes of the current or last scan ended in @result so far,
 * as the report list holds them (charla_scanner_dup_summary() puts them
 * in words).
 *
 * Returns: the count
 */
guint64
charla_scanner_get_count (CharlaScanner     *self,
                          CharlaProbeResult  result)
{
  g_return_val_if_fail (CHARLA_IS_SCANNER (self), 0);
  g_return_val_if_fail (result >= CHARLA_PROBE_NODE && result <= CHARLA_PROBE_ERROR, 0);

  return self->counts[result];
}

/* ngettext() takes an unsigned long; a larger count takes the plural. */
static gulong
plural_count (guint64 count)
{
  return (gulong) MIN (count, (guint64) G_MAXULONG);
}

/* "4,016": grouped as the locale groups numbers. */
static char *
format_count (guint64 count)
{
  return g_strdup_printf ("%'" G_GUINT64_FORMAT, count);
}

static void
append_part (GString *summary,
             char    *part)
{
  if (summary->len > 0)
    g_string_append (summary, " · ");
  g_string_append (summary, part);
  g_free (part);
}

/**
 * charla_scanner_dup_summary:
 * @self: a scanner
 *
 * The current or last scan in one line, from charla_scanner_get_count():
 * "3 servers found · 2 other services · 75 refused · 4,016 filtered".
 * Servers (nodes and silent listeners) are always named, the other
 * classes only when there are any. Both faces show this line: the node
 * posts it when a scan finishes, the window puts it on the button that
 * opens the scan report.
 *
 * Returns: (transfer full): the summary
 */
char *
charla_scanner_dup_summary (CharlaScanner *self)
{
  GString *summary;
  guint64 servers, other, refused, filtered, failed;
  g_autofree char *servers_text = NULL;
  g_autofree char *other_text = NULL;
  g_autofree char *refused_text = NULL;
  g_autofree char *filtered_text = NULL;
  g_autofree char *failed_text = NULL;

  g_return_val_if_fail (CHARLA_IS_SCANNER (self), NULL);

  servers = self->counts[CHARLA_PROBE_NODE] + self->counts[CHARLA_PROBE_SILENT];
  other = self->counts[CHARLA_PROBE_OTHER_SERVICE];
  refused = self->counts[CHARLA_PROBE_REFUSED];
  filtered = self->counts[CHARLA_PROBE_FILTERED];
  failed = self->counts[CHARLA_PROBE_ERROR];
  servers_text = format_count (servers);
  other_text = format_count (other);
  refused_text = format_count (refused);
  filtered_text = format_count (filtered);
  failed_text = format_count (failed);

  summary = g_string_new (NULL);
  /* TRANSLATORS: %s is a number of Charla or seed servers, such as "1,024" */
  append_part (summary, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s server found", "%s servers found",
                                                      plural_count (servers)), servers_text));
  if (other > 0)
    /* TRANSLATORS: %s is a number of ports where another program answered */
    append_part (summary, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s other service", "%s other services",
                                                        plural_count (other)), other_text));
  if (refused > 0)
    /* TRANSLATORS: %s is a number of ports that refused the connection */
    append_part (summary, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s refused", "%s refused",
                                                        plural_count (refused)), refused_text));
  if (filtered > 0)
    /* TRANSLATORS: %s is a number of probes that had no answer in time */
    append_part (summary, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s filtered", "%s filtered",
                                                        plural_count (filtered)), filtered_text));
  if (failed > 0)
    /* TRANSLATORS: %s is a number of probes that could not be made */
    append_part (summary, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s failed", "%s failed",
                                                        plural_count (failed)), failed_text));

  return g_string_free (summary, FALSE);
}

/*
 * charla_scanner_set_probe_local_address:
 * @address: (nullable): where every probe binds before it connects
 *
 * For tests only: binding the probe to the address and port it probes
 * provokes a TCP self-connect.  Applies to the next scan.
 */
void
charla_scanner_set_probe_local_address (CharlaScanner      *self,
                                        GInetSocketAddress *address)
{
  g_return_if_fail (CHARLA_IS_SCANNER (self));
  g_return_if_fail (address == NULL || G_IS_INET_SOCKET_ADDRESS (address));

  g_set_object (&self->probe_local_address, address);
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
  g_autoptr(GError) error = NULL;
  CharlaProbeSettings settings = { 0 };
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

  settings.max_in_flight = MIN (self->max_in_flight, charla_fd_budget (FD_RESERVE, &open_fds));
  settings.max_in_flight = (guint) MIN ((guint64) settings.max_in_flight, self->total);
  settings.connect_timeout_usec = (gint64) self->connect_timeout_ms * G_TIME_SPAN_MILLISECOND;
  settings.reply_timeout_usec = (gint64) self->reply_timeout_ms * G_TIME_SPAN_MILLISECOND;
  settings.local_address = self->probe_local_address;

  run = (ScanRun *) g_source_new (&scan_run_source_funcs, sizeof (ScanRun));
  g_source_set_static_name ((GSource *) run, "[charla] scan");
  g_source_set_priority ((GSource *) run, CHARLA_SCAN_PRIORITY);
  run->engine = charla_probe_engine_new (&settings, (GSource *) run, scan_run_record, run, &error);
  if (run->engine == NULL)
    {
      g_source_unref ((GSource *) run);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  run->scanner = self;
  run->task = g_steal_pointer (&task);
  run->targets = charla_target_set_ref (self->targets);
  run->node = self->node != NULL ? g_object_ref (self->node) : NULL;
  run->pending_report = g_ptr_array_new_with_free_func (g_object_unref);
  run->pending_servers = g_ptr_array_new_with_free_func (g_object_unref);
  run->port_min = self->port_min;
  run->n_ports = (guint) (self->port_max - self->port_min) + 1;
  run->total = self->total;
  run->max_in_flight = MAX (settings.max_in_flight, 1);
  run->last_flush = g_get_monotonic_time ();

  g_debug ("Scanning %" G_GUINT64_FORMAT " probes, up to %u in flight (%s engine)",
           run->total, run->max_in_flight, charla_probe_engine_get_name ());

  if (cancellable != NULL)
    {
      cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (cancel_source, G_SOURCE_FUNC (on_cancelled), NULL, NULL);
      g_source_add_child_source ((GSource *) run, cancel_source);
    }

  self->run = run;
  memset (self->counts, 0, sizeof self->counts);
  g_list_store_remove_all (self->servers);
  g_list_store_remove_all (self->report);
  set_done (self, 0);

  g_source_set_ready_time ((GSource *) run, 0);
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
