/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-server-list.h"
#include "charla-server-row.h"
#include "charla-ui-util.h"

/* The main view: where to search (validated inline with the core's
 * parsers), the search with its progress, the servers as they are found,
 * and the one-line summary that opens the scan report. The scan itself
 * is the scanner's; this widget only shows it. */

struct _CharlaServerList
{
  AdwBin         parent_instance;

  /* Template widgets */
  AdwEntryRow   *targets_row;
  AdwEntryRow   *ports_row;
  GtkLabel      *error_label;
  GtkWidget     *progress_box;
  GtkProgressBar *progress_bar;
  GtkLabel      *progress_label;
  GtkWidget     *empty_page;
  GtkWidget     *list_box;
  GtkListBox    *servers_list;
  GtkWidget     *summary_button;
  GtkLabel      *summary_label;

  /* Owned */
  CharlaNode    *node;

  /* Borrowed: the node's */
  CharlaScanner *scanner;
  GCancellable  *cancellable;
  char          *summary;

  gboolean       valid;
  gboolean       scanning;
};

enum {
  PROP_0,
  PROP_NODE,
  PROP_CAN_SCAN,
  PROP_SCANNING,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CharlaServerList, charla_server_list, ADW_TYPE_BIN)

static char **
split_targets (const char *text)
{
  g_auto(GStrv) pieces = g_strsplit_set (text, ", \t", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; pieces[i] != NULL; i++)
    if (*pieces[i] != '\0')
      g_strv_builder_add (builder, pieces[i]);

  return g_strv_builder_end (builder);
}

static void
show_error (CharlaServerList *self,
            GtkWidget        *row,
            const char       *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);

  charla_ui_set_entry_error (GTK_WIDGET (self->targets_row), row == GTK_WIDGET (self->targets_row));
  charla_ui_set_entry_error (GTK_WIDGET (self->ports_row), row == GTK_WIDGET (self->ports_row));
}

static GtkWidget *
error_row (CharlaServerList *self,
           const GError     *error)
{
  if (error->domain == CHARLA_ERROR && error->code == CHARLA_ERROR_INVALID_PORT)
    return GTK_WIDGET (self->ports_row);
  if (error->domain == CHARLA_ERROR)
    return GTK_WIDGET (self->targets_row);
  return NULL;
}

static void
set_scanning (CharlaServerList *self,
              gboolean          scanning)
{
  if (self->scanning == scanning)
    return;

  self->scanning = scanning;
  gtk_widget_set_visible (self->progress_box, scanning);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCANNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SCAN]);
}

static void
set_summary (CharlaServerList *self,
             const char       *summary)
{
  if (g_strcmp0 (self->summary, summary) == 0)
    return;

  g_free (self->summary);
  self->summary = g_strdup (summary);
  gtk_label_set_text (self->summary_label, summary != NULL ? summary : "");
  gtk_widget_set_visible (self->summary_button, summary != NULL);
  /* A button with a custom child has no name of its own. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->summary_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, summary != NULL ? summary : "",
                                  -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

/* Every target piece and the ports, read by the core's parsers: the
 * message under the fields is the parser's own. The scan button is
 * disabled while something is wrong. */
static void
validate (CharlaServerList *self)
{
  g_auto(GStrv) targets = split_targets (gtk_editable_get_text (GTK_EDITABLE (self->targets_row)));
  const char *ports = gtk_editable_get_text (GTK_EDITABLE (self->ports_row));
  g_autoptr(CharlaTargetSet) set = charla_target_set_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *bad_row = NULL;
  guint16 port_min, port_max;
  gboolean valid;

  for (guint i = 0; targets[i] != NULL && error == NULL; i++)
    charla_target_set_add (set, targets[i], &error);

  if (error == NULL && targets[0] == NULL)
    g_set_error_literal (&error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                         _("Enter the addresses to search, such as 127.0.0.1 or 127.0.0.10-20"));
  if (error != NULL)
    bad_row = GTK_WIDGET (self->targets_row);
  else if (!charla_port_range_parse (ports, &port_min, &port_max, &error))
    bad_row = GTK_WIDGET (self->ports_row);

  show_error (self, bad_row, error != NULL ? error->message : NULL);

  valid = error == NULL;
  if (valid != self->valid)
    {
      self->valid = valid;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SCAN]);
    }
}

static void
on_entry_changed (CharlaServerList *self)
{
  validate (self);
}

static void
on_entry_activated (CharlaServerList *self)
{
  if (charla_server_list_get_can_scan (self))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.scan", NULL);
}

static void
on_row_activated (CharlaServerList *self,
                  GtkListBoxRow    *row)
{
  CharlaScanResult *result = charla_server_row_get_result (CHARLA_SERVER_ROW (row));

  gtk_widget_activate_action (GTK_WIDGET (self), "win.connect", "(sq)",
                              charla_scan_result_get_address (result),
                              charla_scan_result_get_port (result));
}

static GtkWidget *
create_server_row (gpointer item,
                   gpointer user_data)
{
  return charla_server_row_new (CHARLA_SCAN_RESULT (item));
}

static void
on_servers_changed (GListModel       *servers,
                    guint             position,
                    guint             removed,
                    guint             added,
                    CharlaServerList *self)
{
  gboolean any = g_list_model_get_n_items (servers) > 0;

  /* Two children shown in turn rather than a GtkStack, whose minimum
   * width (4.8) would hold the window wider than 360 px. */
  gtk_widget_set_visible (self->empty_page, !any);
  gtk_widget_set_visible (self->list_box, any);
}

static void
on_progress_changed (CharlaServerList *self)
{
  guint64 done = charla_scanner_get_done (self->scanner);
  guint64 total = charla_scanner_get_total (self->scanner);
  /* Formatted apart: a G_GUINT64_FORMAT inside _() breaks xgettext. */
  g_autofree char *done_text = g_strdup_printf ("%'" G_GUINT64_FORMAT, done);
  g_autofree char *total_text = g_strdup_printf ("%'" G_GUINT64_FORMAT, total);
  g_autofree char *text = NULL;

  /* TRANSLATORS: probes done of probes in total, e.g. "120 of 4,096" */
  text = g_strdup_printf (_("%s of %s"), done_text, total_text);
  gtk_label_set_text (self->progress_label, text);
}

static void
on_scan_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CharlaServerList) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!charla_node_scan_finish (CHARLA_NODE (object), result, &error))
    {
      /* Cancelled by dispose: the widgets are gone, nobody waits. */
      if (self->cancellable == NULL)
        return;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_summary (self, _("Search cancelled"));
      else
        show_error (self, error_row (self, error), error->message);
    }
  else
    {
      g_autofree char *summary = charla_scanner_dup_summary (self->scanner);

      set_summary (self, summary);
    }

  g_clear_object (&self->cancellable);
  set_scanning (self, FALSE);
}

static void
charla_server_list_constructed (GObject *object)
{
  CharlaServerList *self = CHARLA_SERVER_LIST (object);
  GListModel *servers = charla_scanner_get_servers (self->scanner);

  G_OBJECT_CLASS (charla_server_list_parent_class)->constructed (object);

  gtk_list_box_bind_model (self->servers_list, servers, create_server_row, NULL, NULL);
  g_signal_connect_object (servers, "items-changed", G_CALLBACK (on_servers_changed), self, 0);
  g_object_bind_property (self->scanner, "fraction", self->progress_bar, "fraction", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->scanner, "notify::done", G_CALLBACK (on_progress_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scanner, "notify::total", G_CALLBACK (on_progress_changed), self,
                           G_CONNECT_SWAPPED);
  on_servers_changed (servers, 0, 0, 0, self);
}

static void
charla_server_list_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CharlaServerList *self = CHARLA_SERVER_LIST (object);

  switch (prop_id)
    {
    case PROP_NODE:
      g_value_set_object (value, self->node);
      break;

    case PROP_CAN_SCAN:
      g_value_set_boolean (value, charla_server_list_get_can_scan (self));
      break;

    case PROP_SCANNING:
      g_value_set_boolean (value, self->scanning);
      break;

    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_server_list_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CharlaServerList *self = CHARLA_SERVER_LIST (object);

  switch (prop_id)
    {
    case PROP_NODE:
      self->node = g_value_dup_object (value);
      self->scanner = charla_node_get_scanner (self->node);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_server_list_dispose (GObject *object)
{
  CharlaServerList *self = CHARLA_SERVER_LIST (object);

  /* Cleared first: the cancelled callback then knows nobody waits. */
  if (self->cancellable != NULL)
    {
      g_autoptr(GCancellable) cancellable = g_steal_pointer (&self->cancellable);

      g_cancellable_cancel (cancellable);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), CHARLA_TYPE_SERVER_LIST);
  self->scanner = NULL;
  g_clear_object (&self->node);

  G_OBJECT_CLASS (charla_server_list_parent_class)->dispose (object);
}

static void
charla_server_list_finalize (GObject *object)
{
  CharlaServerList *self = CHARLA_SERVER_LIST (object);

  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (charla_server_list_parent_class)->finalize (object);
}

static void
charla_server_list_class_init (CharlaServerListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = charla_server_list_constructed;
  object_class->get_property = charla_server_list_get_property;
  object_class->set_property = charla_server_list_set_property;
  object_class->dispose = charla_server_list_dispose;
  object_class->finalize = charla_server_list_finalize;

  /**
   * CharlaServerList:node:
   *
   * The node that scans; the list shows its scanner's results.
   */
  properties[PROP_NODE] =
    g_param_spec_object ("node", NULL, NULL, CHARLA_TYPE_NODE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * CharlaServerList:can-scan:
   *
   * Whether the targets and ports are valid and no search is running.
   */
  properties[PROP_CAN_SCAN] =
    g_param_spec_boolean ("can-scan", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CharlaServerList:scanning:
   *
   * Whether a search started here is running.
   */
  properties[PROP_SCANNING] =
    g_param_spec_boolean ("scanning", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CharlaServerList:summary: (nullable)
   *
   * The one-line summary of the last search.
   */
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/charla/Charla/charla-server-list.ui");
  gtk_widget_class_bind_template_child (widget_class, CharlaServerList, targets_row);
  gtk_widget_class_bind_template_child (widget_class, CharlaServerList, ports_row);
  gtk_widget_class_bind_template_child (widget_class, CharlaServerList, error_label);
  gtk_widget_class_bind_template_child (widget_class, CharlaServerList, progress_box);
  gtk_widget_class_bind_template_child (widget_class, CharlaServerList, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CharlaServerList, progress_label);
  gtk_widget_class_bind_template_child (widget_class, CharlaServerList, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CharlaServerList, list_box);
  gtk_widget_class_bind_template_child (widget_class, CharlaServerList, servers_list);
  gtk_widget_class_bind_template_child (widget_class, CharlaServerList, summary_button);
  gtk_widget_class_bind_template_child (widget_class, CharlaServerList, summary_label);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
charla_server_list_init (CharlaServerList *self)
{
  /* The fields are filled by the window, which knows the preferences. */
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * charla_server_list_set_targets:
 * @targets: (nullable): addresses, ranges or networks; %NULL keeps them
 * @ports: (nullable): a port or a range; %NULL keeps them
 *
 * Fills the fields the next search reads.
 */
void
charla_server_list_set_targets (CharlaServerList *self,
                                const char       *targets,
                                const char       *ports)
{
  g_return_if_fail (CHARLA_IS_SERVER_LIST (self));

  if (targets != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->targets_row), targets);
  if (ports != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->ports_row), ports);
  validate (self);
}

/**
 * charla_server_list_scan:
 *
 * Searches the addresses and ports in the fields (`win.scan`). A target
 * the core refuses (the loopback-only guard, too many probes) is shown
 * under the fields.
 */
void
charla_server_list_scan (CharlaServerList *self)
{
  g_return_if_fail (CHARLA_IS_SERVER_LIST (self));

  if (!charla_server_list_get_can_scan (self))
    return;

  show_error (self, NULL, NULL);
  set_summary (self, NULL);
  self->cancellable = g_cancellable_new ();
  set_scanning (self, TRUE);
  on_progress_changed (self);
  /* A target the core refuses (the loopback-only guard, too many probes)
   * fails the task at once; it is shown under the fields. */
  charla_node_scan_async (self->node,
                          gtk_editable_get_text (GTK_EDITABLE (self->targets_row)),
                          gtk_editable_get_text (GTK_EDITABLE (self->ports_row)),
                          self->cancellable, on_scan_done, g_object_ref (self));
}

/**
 * charla_server_list_cancel_scan:
 *
 * Stops the running search (`win.scan-cancel`); what was found stays.
 */
void
charla_server_list_cancel_scan (CharlaServerList *self)
{
  g_return_if_fail (CHARLA_IS_SERVER_LIST (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

gboolean
charla_server_list_get_can_scan (CharlaServerList *self)
{
  g_return_val_if_fail (CHARLA_IS_SERVER_LIST (self), FALSE);

  return self->valid && !self->scanning;
}

gboolean
charla_server_list_get_scanning (CharlaServerList *self)
{
  g_return_val_if_fail (CHARLA_IS_SERVER_LIST (self), FALSE);

  return self->scanning;
}

/**
 * charla_server_list_get_summary:
 *
 * Returns: (nullable): the summary of the last search
 */
const char *
charla_server_list_get_summary (CharlaServerList *self)
{
  g_return_val_if_fail (CHARLA_IS_SERVER_LIST (self), NULL);

  return self->summary;
}

/**
 * charla_server_list_get_scanner:
 *
 * Returns: (transfer none): the scanner
 */
CharlaScanner *
charla_server_list_get_scanner (CharlaServerList *self)
{
  g_return_val_if_fail (CHARLA_IS_SERVER_LIST (self), NULL);

  return self->scanner;
}
