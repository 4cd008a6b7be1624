/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "charla.h"
#include "charla-application.h"

G_BEGIN_DECLS

#define CHARLA_TYPE_WINDOW (charla_window_get_type ())

G_DECLARE_FINAL_TYPE (CharlaWindow, charla_window, CHARLA, WINDOW, AdwApplicationWindow)

CharlaWindow *charla_window_new          (CharlaApplication *application,
                                          CharlaNode        *node,
                                          GSettings         *settings);
CharlaNode   *charla_window_get_node     (CharlaWindow      *self);
GSettings    *charla_window_get_settings (CharlaWindow      *self);

G_END_DECLS
