/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CHARLA_TYPE_WRAPPED_TEXT (charla_wrapped_text_get_type ())

G_DECLARE_FINAL_TYPE (CharlaWrappedText, charla_wrapped_text, CHARLA, WRAPPED_TEXT, GtkWidget)

GtkWidget  *charla_wrapped_text_new      (void);
const char *charla_wrapped_text_get_text (CharlaWrappedText *self);
void        charla_wrapped_text_set_text (CharlaWrappedText *self,
                                          const char        *text);
void        charla_wrapped_text_set_attributes (CharlaWrappedText *self,
                                                PangoAttrList     *attributes);
PangoAttrList *charla_wrapped_text_get_attributes (CharlaWrappedText *self);

G_END_DECLS
