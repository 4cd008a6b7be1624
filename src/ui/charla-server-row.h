/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "charla.h"

G_BEGIN_DECLS

#define CHARLA_TYPE_SERVER_ROW (charla_server_row_get_type ())

G_DECLARE_FINAL_TYPE (CharlaServerRow, charla_server_row, CHARLA, SERVER_ROW, AdwActionRow)

GtkWidget        *charla_server_row_new        (CharlaScanResult *result);
CharlaScanResult *charla_server_row_get_result (CharlaServerRow  *self);

G_END_DECLS
