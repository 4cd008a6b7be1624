/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  charla_port_parse           (const char  *text,
                                       guint16     *out_port,
                                       GError     **error);
gboolean  charla_port_range_parse     (const char  *spec,
                                       guint16     *out_min,
                                       guint16     *out_max,
                                       GError     **error);
gboolean  charla_host_port_parse      (const char  *text,
                                       char       **out_host,
                                       guint16     *out_port,
                                       GError     **error);
char     *charla_endpoint_format      (const char  *host,
                                       guint16      port);

G_END_DECLS
