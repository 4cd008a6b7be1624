/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * CharlaProbeResult:
 * @CHARLA_PROBE_NODE: answered the name query with a plausible name
 * @CHARLA_PROBE_SILENT: accepted but never answered ("Anonimo", as the seed)
 * @CHARLA_PROBE_OTHER_SERVICE: answered with something that is not a name
 * @CHARLA_PROBE_REFUSED: the connection was refused (nothing listens)
 * @CHARLA_PROBE_FILTERED: the connection attempt timed out
 * @CHARLA_PROBE_ERROR: any other failure (unreachable network…)
 */
typedef enum {
  CHARLA_PROBE_NODE,
  CHARLA_PROBE_SILENT,
  CHARLA_PROBE_OTHER_SERVICE, /*< nick=other >*/
  CHARLA_PROBE_REFUSED,
  CHARLA_PROBE_FILTERED,
  CHARLA_PROBE_ERROR,
} CharlaProbeResult;

#define CHARLA_TYPE_SCAN_RESULT (charla_scan_result_get_type ())

G_DECLARE_FINAL_TYPE (CharlaScanResult, charla_scan_result, CHARLA, SCAN_RESULT, GObject)

CharlaScanResult  *charla_scan_result_new          (const char        *address,
                                                    guint16            port,
                                                    CharlaProbeResult  result,
                                                    const char        *name,
                                                    gboolean           is_self,
                                                    const char        *detail);
const char        *charla_scan_result_get_address  (CharlaScanResult  *self);
guint16            charla_scan_result_get_port     (CharlaScanResult  *self);
CharlaProbeResult  charla_scan_result_get_result   (CharlaScanResult  *self);
const char        *charla_scan_result_get_name     (CharlaScanResult  *self);
gboolean           charla_scan_result_get_is_self  (CharlaScanResult  *self);
const char        *charla_scan_result_get_detail   (CharlaScanResult  *self);
const char        *charla_scan_result_get_endpoint (CharlaScanResult  *self);
double             charla_scan_result_get_answer_time (CharlaScanResult *self);
gboolean           charla_scan_result_is_server    (CharlaScanResult  *self);
const char        *charla_probe_result_to_string   (CharlaProbeResult  result);

G_END_DECLS
