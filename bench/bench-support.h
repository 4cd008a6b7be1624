/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "charla.h"

G_BEGIN_DECLS

/* What the C benchmarks share: the process's own figures, a node on a
 * free loopback port, raw loopback clients, one scan run to the end. */

long        bench_rss_kib                  (void);
double      bench_cpu_seconds              (void);

CharlaNode *bench_start_node               (const char          *name);

int         bench_connect_loopback         (guint16              port);
gboolean    bench_send_all                 (int                  fd,
                                            const char          *data,
                                            gsize                len);

/* The options every scan benchmark takes: --ports, --in-flight. */
typedef struct
{
  char *ports;
  int   in_flight;
} BenchScanOptions;

#define BENCH_SCAN_OPTIONS_INIT { NULL, CHARLA_SCAN_DEFAULT_MAX_IN_FLIGHT }

void        bench_scan_options_add         (GOptionContext      *context,
                                            BenchScanOptions    *options);
void        bench_scan_options_clear       (BenchScanOptions    *options);
CharlaScanner *bench_scanner_new           (BenchScanOptions    *options,
                                            const char * const  *targets,
                                            GError             **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BenchScanOptions, bench_scan_options_clear)

gint64      bench_run_scan                 (CharlaScanner       *scanner,
                                            GError             **error);
void        bench_print_probe_counts       (CharlaScanner       *scanner);

G_END_DECLS
