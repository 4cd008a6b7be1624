/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "charla-ui-util.h"

/* The inline validation look of an entry row, for eyes and for screen
 * readers alike. */
void
charla_ui_set_entry_error (GtkWidget *entry,
                           gboolean   invalid)
{
  if (invalid)
    gtk_widget_add_css_class (entry, "error");
  else
    gtk_widget_remove_css_class (entry, "error");

  gtk_accessible_update_state (GTK_ACCESSIBLE (entry),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               invalid ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

/* A probe's answer time for people: "0.4 ms", "12 ms", "1,250 ms". */
char *
charla_ui_format_answer_time (double msec)
{
  if (msec < 9.95)
    /* TRANSLATORS: how long a server took to answer, in milliseconds */
    return g_strdup_printf (_("%.1f ms"), msec);

  /* TRANSLATORS: how long a server took to answer, in milliseconds */
  return g_strdup_printf (_("%'.0f ms"), msec);
}
