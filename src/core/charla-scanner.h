/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "charla-node.h"
#include "charla-scan-result.h"
#include "charla-target-set.h"

G_BEGIN_DECLS

#define CHARLA_SCAN_DEFAULT_TIMEOUT_MS 100
/* One wave for a /24 × the seed's 16 ports; measured in docs/BENCHMARKS.md.
 * The fd limit may lower it. */
#define CHARLA_SCAN_DEFAULT_MAX_IN_FLIGHT 4096

#define CHARLA_TYPE_SCANNER (charla_scanner_get_type ())

G_DECLARE_FINAL_TYPE (CharlaScanner, charla_scanner, CHARLA, SCANNER, GObject)

CharlaScanner *charla_scanner_new                 (CharlaNode           *node);
void           charla_scanner_set_connect_timeout (CharlaScanner        *self,
                                                   guint                 msec);
void           charla_scanner_set_reply_timeout   (CharlaScanner        *self,
                                                   guint                 msec);
void           charla_scanner_set_max_in_flight   (CharlaScanner        *self,
                                                   guint                 max_in_flight);
GListModel    *charla_scanner_get_servers         (CharlaScanner        *self);
GListModel    *charla_scanner_get_report          (CharlaScanner        *self);
guint64        charla_scanner_get_done            (CharlaScanner        *self);
guint64        charla_scanner_get_total           (CharlaScanner        *self);
double         charla_scanner_get_fraction        (CharlaScanner        *self);
guint64        charla_scanner_get_count           (CharlaScanner        *self,
                                                   CharlaProbeResult     result);
char          *charla_scanner_dup_summary         (CharlaScanner        *self);
gboolean       charla_scanner_get_running         (CharlaScanner        *self);
gboolean       charla_scanner_prepare             (CharlaScanner        *self,
                                                   const char * const   *targets,
                                                   const char           *ports,
                                                   GError              **error);
void           charla_scanner_scan_async          (CharlaScanner        *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean       charla_scanner_scan_finish         (CharlaScanner        *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

G_END_DECLS
