/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "charla.h"

G_BEGIN_DECLS

#define CHARLA_TYPE_PREFERENCES_WINDOW (charla_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (CharlaPreferencesWindow, charla_preferences_window, CHARLA, PREFERENCES_WINDOW, AdwPreferencesWindow)

CharlaPreferencesWindow *charla_preferences_window_new (GtkWindow  *parent,
                                                        GSettings  *settings,
                                                        CharlaNode *node);
void                     charla_preferences_window_set_own_name (CharlaPreferencesWindow *self,
                                                                 const char              *name);

G_END_DECLS
