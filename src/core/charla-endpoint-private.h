/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Shared by the port and the address-range parsers. */
gboolean  charla_parse_decimal  (const char *text,
                                 guint64    *out_value);

G_END_DECLS
