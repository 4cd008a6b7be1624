/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "charla.h"

G_BEGIN_DECLS

#define CHARLA_TYPE_MESSAGE_ROW (charla_message_row_get_type ())

G_DECLARE_FINAL_TYPE (CharlaMessageRow, charla_message_row, CHARLA, MESSAGE_ROW, GtkWidget)

CharlaMessage *charla_message_row_get_message (CharlaMessageRow *self);
void           charla_message_row_set_message (CharlaMessageRow *self,
                                               CharlaMessage    *message);

G_END_DECLS
