/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "charla.h"

G_BEGIN_DECLS

#define CHARLA_TYPE_SERVER_LIST (charla_server_list_get_type ())

G_DECLARE_FINAL_TYPE (CharlaServerList, charla_server_list, CHARLA, SERVER_LIST, AdwBin)

void           charla_server_list_set_targets  (CharlaServerList *self,
                                                const char       *targets,
                                                const char       *ports);
void           charla_server_list_scan         (CharlaServerList *self);
void           charla_server_list_cancel_scan  (CharlaServerList *self);
gboolean       charla_server_list_get_can_scan (CharlaServerList *self);
gboolean       charla_server_list_get_scanning (CharlaServerList *self);
const char    *charla_server_list_get_summary  (CharlaServerList *self);
CharlaScanner *charla_server_list_get_scanner  (CharlaServerList *self);

G_END_DECLS
