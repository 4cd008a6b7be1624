/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "charla.h"

G_BEGIN_DECLS

#define CHARLA_TYPE_PEER_ROW (charla_peer_row_get_type ())

G_DECLARE_FINAL_TYPE (CharlaPeerRow, charla_peer_row, CHARLA, PEER_ROW, AdwActionRow)

GtkWidget  *charla_peer_row_new      (CharlaPeer    *peer);
CharlaPeer *charla_peer_row_get_peer (CharlaPeerRow *self);

G_END_DECLS
