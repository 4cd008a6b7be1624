/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-server-row.h"
#include "charla-ui-util.h"

/* One server a scan found: its name, address:port, how long it took to
 * answer, and whether it is this node. Activating the row (double-click, Enter) connects; the
 * list that holds it decides how. */

struct _CharlaServerRow
{
  AdwActionRow      parent_instance;

  /* Template widgets */
  GtkLabel         *self_label;
  GtkLabel         *time_label;

  /* Owned */
  CharlaScanResult *result;
};

enum {
  PROP_0,
  PROP_RESULT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CharlaServerRow, charla_server_row, ADW_TYPE_ACTION_ROW)

static void
charla_server_row_constructed (GObject *object)
{
  CharlaServerRow *self = CHARLA_SERVER_ROW (object);
  gboolean is_self = charla_scan_result_get_is_self (self->result);

  G_OBJECT_CLASS (charla_server_row_parent_class)->constructed (object);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), charla_scan_result_get_name (self->result));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), charla_scan_result_get_endpoint (self->result));
  gtk_widget_set_visible (GTK_WIDGET (self->self_label), is_self);

  /* A silent listener's time is only the probe giving up waiting. */
  if (!is_self && charla_scan_result_get_result (self->result) == CHARLA_PROBE_NODE)
    {
      g_autofree char *time = charla_ui_format_answer_time (charla_scan_result_get_answer_time (self->result));

      gtk_label_set_text (self->time_label, time);
      gtk_widget_set_visible (GTK_WIDGET (self->time_label), TRUE);
    }
}

static void
charla_server_row_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CharlaServerRow *self = CHARLA_SERVER_ROW (object);

  switch (prop_id)
    {
    case PROP_RESULT:
      g_value_set_object (value, self->result);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_server_row_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CharlaServerRow *self = CHARLA_SERVER_ROW (object);

  switch (prop_id)
    {
    case PROP_RESULT:
      self->result = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_server_row_dispose (GObject *object)
{
  CharlaServerRow *self = CHARLA_SERVER_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHARLA_TYPE_SERVER_ROW);
  g_clear_object (&self->result);

  G_OBJECT_CLASS (charla_server_row_parent_class)->dispose (object);
}

static void
charla_server_row_class_init (CharlaServerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = charla_server_row_constructed;
  object_class->get_property = charla_server_row_get_property;
  object_class->set_property = charla_server_row_set_property;
  object_class->dispose = charla_server_row_dispose;

  /**
   * CharlaServerRow:result:
   *
   * The scan result this row shows.
   */
  properties[PROP_RESULT] =
    g_param_spec_object ("result", NULL, NULL, CHARLA_TYPE_SCAN_RESULT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/charla/Charla/charla-server-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CharlaServerRow, self_label);
  gtk_widget_class_bind_template_child (widget_class, CharlaServerRow, time_label);
}

static void
charla_server_row_init (CharlaServerRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
charla_server_row_new (CharlaScanResult *result)
{
  g_return_val_if_fail (CHARLA_IS_SCAN_RESULT (result), NULL);

  return g_object_new (CHARLA_TYPE_SERVER_ROW, "result", result, NULL);
}

/**
 * charla_server_row_get_result:
 *
 * Returns: (transfer none): the scan result
 */
CharlaScanResult *
charla_server_row_get_result (CharlaServerRow *self)
{
  g_return_val_if_fail (CHARLA_IS_SERVER_ROW (self), NULL);

  return self->result;
}
