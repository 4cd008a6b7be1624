/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

char *charla_ui_format_endpoint  (const char *address,
                                  guint       port);
void  charla_ui_set_entry_error  (GtkWidget  *entry,
                                  gboolean    invalid);

G_END_DECLS
