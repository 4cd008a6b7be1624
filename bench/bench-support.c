/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-support.h"

/* This process's resident memory (VmRSS), in KiB; -1 if unknown. */
long
bench_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

/* CPU time of the whole process so far, user and system. */
double
bench_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* A running node on a free port of 127.0.0.1; exits the program if
 * it cannot listen. */
CharlaNode *
bench_start_node (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaNode) node = charla_node_new (name);

  charla_node_set_bind_address (node, "127.0.0.1");
  charla_node_set_port_range (node, 0, 0);
  if (!charla_node_start (node, &error))
    {
      g_printerr ("%s\n", error->message);
      exit (2);
    }
  return g_steal_pointer (&node);
}

/* A blocking socket connected to 127.0.0.1:@port, or -1. */
int
bench_connect_loopback (guint16 port)
{
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  inet_pton (AF_INET, "127.0.0.1", &to.sin_addr);
  if (fd >= 0 && connect (fd, (struct sockaddr *) &to, sizeof to) < 0)
    {
      close (fd);
      fd = -1;
    }
  return fd;
}

/* Writes all of @data to a blocking socket; FALSE once the peer is gone. */
gboolean
bench_send_all (int         fd,
                const char *data,
                gsize       len)
{
  while (len > 0)
    {
      ssize_t sent = send (fd, data, len, MSG_NOSIGNAL);

      if (sent < 0 && errno == EINTR)
        continue;
      if (sent <= 0)
        return FALSE;
      data += sent;
      len -= sent;
    }

  return TRUE;
}

/* Adds --ports and --in-flight to the main group of @context. */
void
bench_scan_options_add (GOptionContext   *context,
                        BenchScanOptions *options)
{
  const GOptionEntry entries[] = {
    { "ports", 'p', 0, G_OPTION_ARG_STRING, &options->ports, "Port or range (default 9990-10005)", "PORTS" },
    { "in-flight", 'n', 0, G_OPTION_ARG_INT, &options->in_flight, "Probes in flight", "N" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
}

void
bench_scan_options_clear (BenchScanOptions *options)
{
  g_clear_pointer (&options->ports, g_free);
}

/* A scanner with @options, ready to scan @targets.
 * Returns: (transfer full) (nullable): the scanner, or %NULL with @error set */
CharlaScanner *
bench_scanner_new (BenchScanOptions   *options,
                   const char * const *targets,
                   GError            **error)
{
  g_autoptr(CharlaScanner) scanner = charla_scanner_new (NULL);

  charla_scanner_set_max_in_flight (scanner, options->in_flight);
  if (!charla_scanner_prepare (scanner, targets, options->ports, error))
    return NULL;
  return g_steal_pointer (&scanner);
}

typedef struct
{
  GMainLoop *loop;
  GError    *error;
} ScanRun;

static void
on_scan_done (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  ScanRun *run = data;

  charla_scanner_scan_finish (CHARLA_SCANNER (object), result, &run->error);
  g_main_loop_quit (run->loop);
}

/* Runs a prepared scan on the default main context, other sources
 * included, until it ends.
 * Returns: its wall time in µs, or -1 with @error set */
gint64
bench_run_scan (CharlaScanner  *scanner,
                GError        **error)
{
  ScanRun run = { g_main_loop_new (NULL, FALSE), NULL };
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  charla_scanner_scan_async (scanner, NULL, on_scan_done, &run);
  g_main_loop_run (run.loop);
  elapsed = g_get_monotonic_time () - start;
  g_main_loop_unref (run.loop);

  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return -1;
    }
  return elapsed;
}

/* " refused=N silent=N …": the scan's count of each class. */
void
bench_print_probe_counts (CharlaScanner *scanner)
{
  for (guint i = 0; i <= CHARLA_PROBE_ERROR; i++)
    printf (" %s=%" G_GUINT64_FORMAT, charla_probe_result_to_string (i),
            charla_scanner_get_count (scanner, i));
}
