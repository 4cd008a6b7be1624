/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "charla.h"

G_BEGIN_DECLS

#define CHARLA_TYPE_NOTIFIER (charla_notifier_get_type ())

G_DECLARE_FINAL_TYPE (CharlaNotifier, charla_notifier, CHARLA, NOTIFIER, GObject)

CharlaNotifier *charla_notifier_new                      (GtkApplication *application,
                                                          CharlaNode     *node);
GtkWindow      *charla_notifier_get_window               (CharlaNotifier *self);
void            charla_notifier_set_window               (CharlaNotifier *self,
                                                          GtkWindow      *window);
gboolean        charla_notifier_get_conversation_visible (CharlaNotifier *self);
void            charla_notifier_set_conversation_visible (CharlaNotifier *self,
                                                          gboolean        visible);
guint           charla_notifier_get_unread_count         (CharlaNotifier *self);
gboolean        charla_notifier_get_can_notify           (CharlaNotifier *self);
gboolean        charla_notifier_get_enabled              (CharlaNotifier *self);
void            charla_notifier_set_enabled              (CharlaNotifier *self,
                                                          gboolean        enabled);

G_END_DECLS
