/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "charla.h"
#include "charla-wrapped-text.h"
#include "charla-test-support.h"

G_BEGIN_DECLS

/* Waits, spins and nodes: tests/charla-test-support.h, shared with the
 * core tests. These are the widget helpers. */

void           ui_test_init         (int          *argc,
                                     char       ***argv);
const char    *ui_test_address      (void);
GtkWidget     *ui_test_find_widget  (GtkWidget    *root,
                                     GType         type,
                                     guint         nth);
GtkWindow     *ui_test_find_toplevel (GType        type);
GtkLabel      *ui_test_find_label   (GtkWidget    *root,
                                     const char   *text);
GtkLabel      *ui_test_find_label_containing (GtkWidget  *root,
                                              const char *text);
CharlaWrappedText *ui_test_find_text (GtkWidget  *root,
                                      const char *text);
CharlaWrappedText *ui_test_find_text_containing (GtkWidget  *root,
                                                 const char *text);
CharlaMessage *ui_test_last_message (CharlaNode   *node);
gboolean       ui_test_has_message  (CharlaNode   *node,
                                     CharlaMessageKind kind,
                                     const char   *text);

G_END_DECLS
