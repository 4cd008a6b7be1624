/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int charla_cli_scan_run (const char * const *targets,
                         const char         *ports,
                         guint               timeout_ms,
                         gboolean            json,
                         gboolean            report);

G_END_DECLS
