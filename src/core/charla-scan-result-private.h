/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "charla-scan-result.h"

G_BEGIN_DECLS

CharlaScanResult *charla_scan_result_new_full (const char        *address,
                                               guint16            port,
                                               CharlaProbeResult  result,
                                               const char        *name,
                                               gboolean           is_self,
                                               const char        *detail,
                                               gint64             answer_usec);

G_END_DECLS
