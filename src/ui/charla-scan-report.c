/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-scan-report.h"
#include "charla-ui-util.h"

/* Every probe of the last scan that did not find a node, grouped by
 * class, so a user who expected a server learns why it is not listed.
 * A /24 × 16 ports is 4,096 probes: a recycling GtkListView, with a
 * group heading on the first row of each class. */

struct _CharlaScanReport
{
  AdwWindow       parent_instance;

  /* Template widgets */
  AdwWindowTitle *window_title;
  GtkStack       *stack;
  GtkListView    *list_view;

  /* Owned */
  GListModel     *report;
  GListModel     *sorted;
};

enum {
  PROP_0,
  PROP_REPORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CharlaScanReport, charla_scan_report, ADW_TYPE_WINDOW)

/* The order groups appear in: the most telling first. */
static int
class_rank (CharlaProbeResult result)
{
  switch (result)
    {
    case CHARLA_PROBE_OTHER_SERVICE: return 0;
    case CHARLA_PROBE_SILENT: return 1;
    case CHARLA_PROBE_ERROR: return 2;
    case CHARLA_PROBE_REFUSED: return 3;
    case CHARLA_PROBE_FILTERED: return 4;
    case CHARLA_PROBE_NODE:
    default: return 5;
    }
}

static const char *
class_heading (CharlaProbeResult result)
{
  switch (result)
    {
    case CHARLA_PROBE_OTHER_SERVICE:
      return _("Other services: answered, but not with a name");
    case CHARLA_PROBE_SILENT:
      return _("Silent: accepted but never answered (listed as Anonimo)");
    case CHARLA_PROBE_ERROR:
      return _("Failed: the probe could not be made");
    case CHARLA_PROBE_REFUSED:
      return _("Refused: nothing listens on that port");
    case CHARLA_PROBE_FILTERED:
      return _("Filtered: no answer in time (a firewall, or no such host)");
    case CHARLA_PROBE_NODE:
    default:
      return "";
    }
}

static int
compare_results (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  CharlaScanResult *left = (CharlaScanResult *) a;
  CharlaScanResult *right = (CharlaScanResult *) b;
  int order = class_rank (charla_scan_result_get_result (left)) -
              class_rank (charla_scan_result_get_result (right));

  if (order != 0)
    return order < 0 ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;

  /* Within a class, the scan's own order (address, then port) is kept:
   * the sort is stable. */
  return GTK_ORDERING_EQUAL;
}

static gboolean
is_not_node (gpointer item,
             gpointer user_data)
{
  return charla_scan_result_get_result (CHARLA_SCAN_RESULT (item)) != CHARLA_PROBE_NODE;
}

static void
on_setup (CharlaScanReport *self,
          GtkListItem      *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *heading = gtk_label_new (NULL);
  GtkWidget *endpoint = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);

  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_set_margin_top (heading, 12);
  gtk_widget_set_margin_bottom (heading, 6);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_label_set_wrap (GTK_LABEL (heading), TRUE);

  gtk_label_set_xalign (GTK_LABEL (endpoint), 0);
  gtk_widget_add_css_class (endpoint, "numeric");

  /* What another service answered: plain text, wrapped. */
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_wrap (GTK_LABEL (detail), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (detail), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_add_css_class (detail, "caption");

  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), endpoint);
  gtk_box_append (GTK_BOX (box), detail);
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
on_bind (CharlaScanReport *self,
         GtkListItem      *item)
{
  CharlaScanResult *result = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *heading = gtk_widget_get_first_child (box);
  GtkWidget *endpoint = gtk_widget_get_next_sibling (heading);
  GtkWidget *detail = gtk_widget_get_next_sibling (endpoint);
  CharlaProbeResult class = charla_scan_result_get_result (result);
  guint position = gtk_list_item_get_position (item);
  g_autofree char *endpoint_text = NULL;
  const char *detail_text = charla_scan_result_get_detail (result);
  gboolean first = TRUE;

  if (position > 0)
    {
      g_autoptr(CharlaScanResult) previous = g_list_model_get_item (self->sorted, position - 1);

      first = charla_scan_result_get_result (previous) != class;
    }

  gtk_label_set_text (GTK_LABEL (heading), class_heading (class));
  gtk_widget_set_visible (heading, first);
  /* The time means something where an answer came: a refusal or
   * another service's words; a filtered or silent probe's is only its
   * timeout. */
  if (class == CHARLA_PROBE_REFUSED || class == CHARLA_PROBE_OTHER_SERVICE)
    {
      g_autofree char *time = charla_ui_format_answer_time (charla_scan_result_get_answer_time (result));

      /* TRANSLATORS: an address:port, then how long it took to answer ("0.4 ms") */
      endpoint_text = g_strdup_printf (_("%s · %s"), charla_scan_result_get_endpoint (result), time);
    }
  gtk_label_set_text (GTK_LABEL (endpoint),
                      endpoint_text != NULL ? endpoint_text : charla_scan_result_get_endpoint (result));
  gtk_label_set_text (GTK_LABEL (detail), detail_text != NULL ? detail_text : "");
  gtk_widget_set_visible (detail, detail_text != NULL && *detail_text != '\0');
}

static void
charla_scan_report_constructed (GObject *object)
{
  CharlaScanReport *self = CHARLA_SCAN_REPORT (object);
  GtkFilterListModel *filtered;
  GtkSortListModel *sorted;

  G_OBJECT_CLASS (charla_scan_report_parent_class)->constructed (object);

  filtered = gtk_filter_list_model_new (g_object_ref (self->report),
                                        GTK_FILTER (gtk_custom_filter_new (is_not_node, NULL, NULL)));
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (filtered),
                                    GTK_SORTER (gtk_custom_sorter_new (compare_results, NULL, NULL)));
  self->sorted = G_LIST_MODEL (sorted);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (self->sorted))));
  gtk_stack_set_visible_child_name (self->stack, g_list_model_get_n_items (self->sorted) > 0 ? "list" : "empty");
}

static void
charla_scan_report_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CharlaScanReport *self = CHARLA_SCAN_REPORT (object);

  switch (prop_id)
    {
    case PROP_REPORT:
      g_value_set_object (value, self->report);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_scan_report_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CharlaScanReport *self = CHARLA_SCAN_REPORT (object);

  switch (prop_id)
    {
    case PROP_REPORT:
      self->report = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_scan_report_dispose (GObject *object)
{
  CharlaScanReport *self = CHARLA_SCAN_REPORT (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHARLA_TYPE_SCAN_REPORT);
  g_clear_object (&self->sorted);
  g_clear_object (&self->report);

  G_OBJECT_CLASS (charla_scan_report_parent_class)->dispose (object);
}

static void
charla_scan_report_class_init (CharlaScanReportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = charla_scan_report_constructed;
  object_class->get_property = charla_scan_report_get_property;
  object_class->set_property = charla_scan_report_set_property;
  object_class->dispose = charla_scan_report_dispose;

  /**
   * CharlaScanReport:report:
   *
   * Every probe of the scan, a #GListModel of #CharlaScanResult.
   */
  properties[PROP_REPORT] =
    g_param_spec_object ("report", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/charla/Charla/charla-scan-report.ui");
  gtk_widget_class_bind_template_child (widget_class, CharlaScanReport, window_title);
  gtk_widget_class_bind_template_child (widget_class, CharlaScanReport, stack);
  gtk_widget_class_bind_template_child (widget_class, CharlaScanReport, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_setup);
  gtk_widget_class_bind_template_callback (widget_class, on_bind);
}

static void
charla_scan_report_init (CharlaScanReport *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CharlaScanReport *
charla_scan_report_new (GtkWindow  *parent,
                        GListModel *report,
                        const char *summary)
{
  CharlaScanReport *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (report), NULL);

  self = g_object_new (CHARLA_TYPE_SCAN_REPORT,
                       "transient-for", parent,
                       "report", report,
                       NULL);
  adw_window_title_set_subtitle (self->window_title, summary != NULL ? summary : "");

  return self;
}
