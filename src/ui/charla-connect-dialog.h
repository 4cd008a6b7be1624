/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "charla.h"

G_BEGIN_DECLS

#define CHARLA_TYPE_CONNECT_DIALOG (charla_connect_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CharlaConnectDialog, charla_connect_dialog, CHARLA, CONNECT_DIALOG, AdwWindow)

CharlaConnectDialog *charla_connect_dialog_new          (GtkWindow           *parent,
                                                         CharlaNode          *node,
                                                         GListModel          *recent);
void                 charla_connect_dialog_set_target   (CharlaConnectDialog *self,
                                                         const char          *host,
                                                         const char          *port);
void                 charla_connect_dialog_connect      (CharlaConnectDialog *self);
const char          *charla_connect_dialog_get_error    (CharlaConnectDialog *self);
gboolean             charla_connect_dialog_get_busy     (CharlaConnectDialog *self);

G_END_DECLS
