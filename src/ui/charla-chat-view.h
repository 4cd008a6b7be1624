/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "charla.h"

G_BEGIN_DECLS

#define CHARLA_TYPE_CHAT_VIEW (charla_chat_view_get_type ())

G_DECLARE_FINAL_TYPE (CharlaChatView, charla_chat_view, CHARLA, CHAT_VIEW, AdwBin)

GtkWidget  *charla_chat_view_new              (GListModel     *messages);
GListModel *charla_chat_view_get_messages     (CharlaChatView *self);
GtkWidget  *charla_chat_view_get_entry        (CharlaChatView *self);
GtkWidget  *charla_chat_view_get_list_view    (CharlaChatView *self);
gboolean    charla_chat_view_get_sticky       (CharlaChatView *self);
void        charla_chat_view_scroll_to_bottom (CharlaChatView *self);
void        charla_chat_view_focus_entry      (CharlaChatView *self);
void        charla_chat_view_run_line         (CharlaChatView *self,
                                               const char     *line);

G_END_DECLS
