/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void  charla_ui_set_entry_error  (GtkWidget  *entry,
                                  gboolean    invalid);

char *charla_ui_format_answer_time (double      msec);

G_END_DECLS
