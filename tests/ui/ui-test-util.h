/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "charla.h"

G_BEGIN_DECLS

/* Every wait in the UI tests is bounded by this many seconds. */
#define UI_TEST_WAIT_SECONDS 20

/* Runs the main loop until COND holds; fails the test after
 * UI_TEST_WAIT_SECONDS. */
#define UI_TEST_WAIT_FOR(cond) \
  G_STMT_START { \
    gint64 ui_test_end_ = g_get_monotonic_time () + UI_TEST_WAIT_SECONDS * G_USEC_PER_SEC; \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > ui_test_end_) \
          g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__, #cond); \
        g_main_context_iteration (NULL, TRUE); \
      } \
  } G_STMT_END

void           ui_test_init         (int          *argc,
                                     char       ***argv);
void           ui_test_spin         (guint         msec);
const char    *ui_test_address      (void);
CharlaNode    *ui_test_start_node   (const char   *name,
                                     const char   *address,
                                     guint16       port_min,
                                     guint16       port_max);
GtkWidget     *ui_test_find_widget  (GtkWidget    *root,
                                     GType         type,
                                     guint         nth);
GtkLabel      *ui_test_find_label   (GtkWidget    *root,
                                     const char   *text);
GtkLabel      *ui_test_find_label_containing (GtkWidget  *root,
                                              const char *text);
CharlaMessage *ui_test_last_message (CharlaNode   *node);
gboolean       ui_test_has_message  (CharlaNode   *node,
                                     CharlaMessageKind kind,
                                     const char   *text);

G_END_DECLS
