/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Own display names are capped (in characters); remote ones too. */
#define CHARLA_MAX_NAME_CHARS 64

char       *charla_text_sanitize             (const char  *data,
                                              gssize       len);
char       *charla_name_sanitize             (const char  *data,
                                              gssize       len);
gboolean    charla_unichar_is_displayable    (gunichar     c);
gboolean    charla_unichar_is_invisible      (gunichar     c);
gboolean    charla_text_is_blank             (const char  *text);
gsize       charla_utf8_cut                  (const char  *data,
                                              gsize        len,
                                              gsize        max);
const char *charla_default_name              (void);

G_END_DECLS
