/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

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
