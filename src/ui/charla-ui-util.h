/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void  charla_ui_set_entry_error  (GtkWidget  *entry,
                                  gboolean    invalid);

G_END_DECLS
