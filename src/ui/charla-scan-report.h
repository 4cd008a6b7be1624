/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "charla.h"

G_BEGIN_DECLS

#define CHARLA_TYPE_SCAN_REPORT (charla_scan_report_get_type ())

G_DECLARE_FINAL_TYPE (CharlaScanReport, charla_scan_report, CHARLA, SCAN_REPORT, AdwWindow)

CharlaScanReport *charla_scan_report_new (GtkWindow  *parent,
                                          GListModel *report,
                                          const char *summary);

G_END_DECLS
