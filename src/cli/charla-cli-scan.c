/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>

#include "charla.h"
#include "charla-cli-output.h"
#include "charla-cli-scan.h"

/* `charla-cli scan`: one scan with the core's scanner, its results on
 * stdout as they are found, for people and scripts alike. */

typedef struct {
  /* Owned */
  CharlaScanner *scanner;
  GCancellable  *cancellable;
  GMainLoop     *loop;
  GError        *error;

  gboolean       json;
  gboolean       report;
} ScanRun;

static void
print_server (ScanRun          *run,
              CharlaScanResult *result)
{
  if (run->json)
    {
      JsonBuilder *builder = charla_cli_json_begin ("server", FALSE, NULL);

      charla_cli_json_add_scan_result (builder, result, FALSE);
      charla_cli_json_end_and_print (builder);
    }
  else
    {
      g_print ("%s\t%u\t%s\n",
               charla_scan_result_get_address (result),
               charla_scan_result_get_port (result),
               charla_scan_result_get_name (result));
    }
}

static void
print_probe (ScanRun          *run,
             CharlaScanResult *result)
{
  CharlaProbeResult probe = charla_scan_result_get_result (result);
  const char *name = charla_scan_result_get_name (result);
  const char *detail = charla_scan_result_get_detail (result);

  if (run->json)
    {
      JsonBuilder *builder = charla_cli_json_begin ("probe", FALSE, NULL);

      charla_cli_json_add_scan_result (builder, result, TRUE);
      charla_cli_json_end_and_print (builder);
    }
  else
    {
      const char *extra = name;

      if (probe != CHARLA_PROBE_NODE && probe != CHARLA_PROBE_SILENT)
        extra = detail;
      g_print ("%s\t%u\t%s\t%s\n",
               charla_scan_result_get_address (result),
               charla_scan_result_get_port (result),
               charla_probe_result_to_string (probe),
               extra != NULL ? extra : "");
    }
}

static void
on_servers_changed (GListModel *servers,
                    guint       position,
                    guint       removed,
                    guint       added,
                    gpointer    user_data)
{
  ScanRun *run = user_data;

  /* In text mode the report already lists the servers, with columns of
   * its own; two kinds of lines in one stream would confuse a script. */
  if (run->report && !run->json)
    return;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CharlaScanResult) result = g_list_model_get_item (servers, i);

      print_server (run, result);
    }
}

static void
on_scan_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ScanRun *run = user_data;

  charla_scanner_scan_finish (CHARLA_SCANNER (object), result, &run->error);
  g_main_loop_quit (run->loop);
}

static gboolean
on_interrupt (gpointer user_data)
{
  ScanRun *run = user_data;

  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

int
charla_cli_scan_run (const char * const *targets,
                     const char         *ports,
                     guint               timeout_ms,
                     gboolean            json,
                     gboolean            report)
{
  ScanRun run = { 0 };
  g_autoptr(GError) error = NULL;
  GListModel *servers;
  guint sigint_id, sigterm_id;
  int status = EXIT_SUCCESS;

  g_return_val_if_fail (targets != NULL, EXIT_FAILURE);

  run.json = json;
  run.report = report;
  run.scanner = charla_scanner_new (NULL);
  charla_scanner_set_connect_timeout (run.scanner, timeout_ms);
  charla_scanner_set_reply_timeout (run.scanner, timeout_ms);

  if (!charla_scanner_prepare (run.scanner, targets, ports, &error))
    {
      g_printerr ("charla-cli: %s\n", error->message);
      g_clear_object (&run.scanner);
      return CHARLA_CLI_EXIT_USAGE;
    }

  run.cancellable = g_cancellable_new ();
  run.loop = g_main_loop_new (NULL, FALSE);
  servers = charla_scanner_get_servers (run.scanner);
  g_signal_connect (servers, "items-changed", G_CALLBACK (on_servers_changed), &run);
  sigint_id = g_unix_signal_add (SIGINT, on_interrupt, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, on_interrupt, &run);

  charla_scanner_scan_async (run.scanner, run.cancellable, on_scan_done, &run);
  g_main_loop_run (run.loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_signal_handlers_disconnect_by_data (servers, &run);

  if (run.error != NULL)
    {
      if (!g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr ("charla-cli: %s\n", run.error->message);
      status = EXIT_FAILURE;
    }
  else if (report)
    {
      GListModel *probes = charla_scanner_get_report (run.scanner);
      guint n_probes = g_list_model_get_n_items (probes);

      for (guint i = 0; i < n_probes; i++)
        {
          g_autoptr(CharlaScanResult) result = g_list_model_get_item (probes, i);

          print_probe (&run, result);
        }
    }

  g_clear_error (&run.error);
  g_clear_pointer (&run.loop, g_main_loop_unref);
  g_clear_object (&run.cancellable);
  g_clear_object (&run.scanner);

  return status;
}
