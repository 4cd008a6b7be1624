/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-batch-model.h"
#include "charla-chat-view.h"
#include "charla-message-row.h"

/* The conversation and the entry. The history is a GtkListView over the
 * node's message model: rows are recycled, so 100,000 messages cost
 * model memory only (see docs/BENCHMARKS.md). The view stays pinned to
 * the newest message unless the user scrolled up; a button brings it
 * back.
 *
 * A line typed in the entry is parsed by the core's command parser and
 * becomes exactly one window action (win.send, win.connect,
 * win.disconnect-all, win.show-names, win.rename, win.scan-targets,
 * win.help): the same actions the buttons and shortcuts use. */

struct _CharlaChatView
{
  AdwBin             parent_instance;

  /* Template widgets */
  GtkStack          *stack;
  GtkScrolledWindow *scrolled_window;
  GtkListView       *list_view;
  GtkNoSelection    *selection;
  GtkWidget         *bottom_button;
  GtkEntry          *entry;

  /* Owned */
  GListModel        *messages;
  CharlaBatchModel  *batch;     /* what the list shows: messages, batched */

  guint              pin_tick;
  guint              pin_frames;
  gboolean           sticky;
  gboolean           relayout;
};

enum {
  PROP_0,
  PROP_MESSAGES,
  PROP_STICKY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CharlaChatView, charla_chat_view, ADW_TYPE_BIN)

static void
set_sticky (CharlaChatView *self,
            gboolean        sticky)
{
  if (self->sticky == sticky)
    return;

  self->sticky = sticky;
  gtk_widget_set_visible (self->bottom_button, !sticky);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STICKY]);
}

/* GtkListView places rows from an anchor item, not from the adjustment
 * alone: setting the adjustment's value from its "changed" handler (as
 * one would for a GtkListBox) is overridden by the anchor. The 4.8 way to
 * show an item is the list's "list.scroll-to-item" action; for the last
 * item it anchors the view at its end, so the view stays at the bottom
 * while rows above are measured and the window is resized. */
static void
pin_to_bottom (CharlaChatView *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->batch));

  if (n_items > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", n_items - 1);
}

/* Pins once the list has been laid out with the new items (it places
 * items it has not laid out yet by estimate only, and then does not move
 * to them): one frame after the change, so a burst of 10,000 messages
 * costs one pin. */
static gboolean
on_pin_tick (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  CharlaChatView *self = user_data;

  if (gtk_widget_get_height (widget) <= 0 || self->pin_frames++ < 1)
    return G_SOURCE_CONTINUE;

  self->pin_tick = 0;
  if (self->sticky)
    pin_to_bottom (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_pin (CharlaChatView *self)
{
  self->pin_frames = 0;
  if (self->pin_tick == 0)
    self->pin_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view), on_pin_tick, self, NULL);
}

static void
on_list_mapped (CharlaChatView *self)
{
  schedule_pin (self);
}

/* The list re-laid itself out (rows measured, items added, window
 * resized): the value that follows is the list's, not the user's. */
static void
on_adjustment_changed (GtkAdjustment  *adjustment,
                       CharlaChatView *self)
{
  self->relayout = TRUE;
}

/* The user moved the view: it sticks when they left it at the bottom. */
static void
on_value_changed (GtkAdjustment  *adjustment,
                  CharlaChatView *self)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  if (self->relayout)
    {
      self->relayout = FALSE;
      return;
    }

  set_sticky (self, gtk_adjustment_get_value (adjustment) >= bottom - 2.0);
}

static void
on_messages_changed (GListModel     *messages,
                     guint           position,
                     guint           removed,
                     guint           added,
                     CharlaChatView *self)
{
  gtk_stack_set_visible_child_name (self->stack,
                                    g_list_model_get_n_items (messages) > 0 ? "list" : "empty");
  if (self->sticky && added > 0)
    schedule_pin (self);
}

static void
show_problem (CharlaChatView *self,
              const char     *message)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", message);
}

static gboolean
dispatch_line (CharlaChatView *self,
               const char     *line)
{
  g_autoptr(CharlaCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *widget = GTK_WIDGET (self);
  const char *host;

  /* The core's grammar; each command becomes the window action that the
   * matching button or shortcut runs. */
  command = charla_command_parse (line, &error);
  if (command == NULL)
    {
      show_problem (self, error->message);
      return FALSE;
    }

  switch (charla_command_get_kind (command))
    {
    case CHARLA_COMMAND_NONE:
      return TRUE;

    case CHARLA_COMMAND_SEND:
      return gtk_widget_activate_action (widget, "win.send", "s", charla_command_get_text (command));

    case CHARLA_COMMAND_CONNECT:
      /* `--ch` or `--ch HOST`: the dialog asks, like the seed's "Ip:"
       * and "Puerto:". */
      host = charla_command_get_host (command);
      if (!charla_command_needs_input (command))
        return gtk_widget_activate_action (widget, "win.connect", "(sq)",
                                           host, charla_command_get_port (command));
      if (host != NULL)
        return gtk_widget_activate_action (widget, "win.connect-dialog-host", "s", host);
      return gtk_widget_activate_action (widget, "win.connect-dialog", NULL);

    case CHARLA_COMMAND_DISCONNECT_ALL:
      return gtk_widget_activate_action (widget, "win.disconnect-all", NULL);

    case CHARLA_COMMAND_SHOW_NAMES:
      return gtk_widget_activate_action (widget, "win.show-names", NULL);

    case CHARLA_COMMAND_RENAME:
      return gtk_widget_activate_action (widget, "win.rename", "s", charla_command_get_name (command));

    case CHARLA_COMMAND_SCAN:
      {
        const char *targets = charla_command_get_targets (command);
        const char *ports = charla_command_get_ports (command);

        return gtk_widget_activate_action (widget, "win.scan-targets", "(ss)",
                                           targets != NULL ? targets : "",
                                           ports != NULL ? ports : "");
      }

    case CHARLA_COMMAND_HELP:
      return gtk_widget_activate_action (widget, "win.help", NULL);

    default:
      g_assert_not_reached ();
    }
}

/* A signal factory, not a GtkBuilderListItemFactory: GtkListView (4.8)
 * creates a row for each message scrolling into its window of ~200 rows,
 * and parsing a template per row was most of a fast scroll's cost. */
static void
on_setup_row (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_child (item, g_object_new (CHARLA_TYPE_MESSAGE_ROW, NULL));
}

static void
on_bind_row (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  charla_message_row_set_message (CHARLA_MESSAGE_ROW (gtk_list_item_get_child (item)),
                                  gtk_list_item_get_item (item));
}

static void
on_unbind_row (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  charla_message_row_set_message (CHARLA_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
on_entry_activate (CharlaChatView *self)
{
  g_autofree char *line = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry)));

  charla_chat_view_run_line (self, line);
}

static void
charla_chat_view_constructed (GObject *object)
{
  CharlaChatView *self = CHARLA_CHAT_VIEW (object);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);

  G_OBJECT_CLASS (charla_chat_view_parent_class)->constructed (object);

  /* One change per frame however many messages arrive (see
   * charla-batch-model.c). */
  self->batch = charla_batch_model_new (self->messages);
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (self->batch));
  g_signal_connect_object (self->batch, "items-changed", G_CALLBACK (on_messages_changed), self, 0);
  on_messages_changed (G_LIST_MODEL (self->batch), 0, 0, 0, self);

  g_signal_connect_object (adjustment, "changed", G_CALLBACK (on_adjustment_changed), self, 0);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (on_value_changed), self, 0);
  g_signal_connect_object (self->list_view, "map", G_CALLBACK (on_list_mapped), self, G_CONNECT_SWAPPED);
}

static void
charla_chat_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CharlaChatView *self = CHARLA_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_MESSAGES:
      g_value_set_object (value, self->messages);
      break;

    case PROP_STICKY:
      g_value_set_boolean (value, self->sticky);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_chat_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CharlaChatView *self = CHARLA_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_MESSAGES:
      self->messages = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_chat_view_dispose (GObject *object)
{
  CharlaChatView *self = CHARLA_CHAT_VIEW (object);

  if (self->pin_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->pin_tick);
  self->pin_tick = 0;
  gtk_widget_dispose_template (GTK_WIDGET (self), CHARLA_TYPE_CHAT_VIEW);
  g_clear_object (&self->batch);
  g_clear_object (&self->messages);

  G_OBJECT_CLASS (charla_chat_view_parent_class)->dispose (object);
}

static void
charla_chat_view_class_init (CharlaChatViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = charla_chat_view_constructed;
  object_class->get_property = charla_chat_view_get_property;
  object_class->set_property = charla_chat_view_set_property;
  object_class->dispose = charla_chat_view_dispose;

  /**
   * CharlaChatView:messages:
   *
   * The #CharlaMessage history shown (the node's messages model).
   */
  properties[PROP_MESSAGES] =
    g_param_spec_object ("messages", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * CharlaChatView:sticky:
   *
   * Whether the view follows new messages (the user has not scrolled up).
   */
  properties[PROP_STICKY] =
    g_param_spec_boolean ("sticky", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CHARLA_TYPE_MESSAGE_ROW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/charla/Charla/charla-chat-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CharlaChatView, stack);
  gtk_widget_class_bind_template_child (widget_class, CharlaChatView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, CharlaChatView, list_view);
  gtk_widget_class_bind_template_child (widget_class, CharlaChatView, selection);
  gtk_widget_class_bind_template_child (widget_class, CharlaChatView, bottom_button);
  gtk_widget_class_bind_template_child (widget_class, CharlaChatView, entry);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_setup_row);
  gtk_widget_class_bind_template_callback (widget_class, on_bind_row);
  gtk_widget_class_bind_template_callback (widget_class, on_unbind_row);
  gtk_widget_class_bind_template_callback (widget_class, charla_chat_view_scroll_to_bottom);
}

static void
charla_chat_view_init (CharlaChatView *self)
{
  self->sticky = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
charla_chat_view_new (GListModel *messages)
{
  g_return_val_if_fail (G_IS_LIST_MODEL (messages), NULL);

  return g_object_new (CHARLA_TYPE_CHAT_VIEW, "messages", messages, NULL);
}

/**
 * charla_chat_view_get_messages:
 *
 * Returns: (transfer none): the message model
 */
GListModel *
charla_chat_view_get_messages (CharlaChatView *self)
{
  g_return_val_if_fail (CHARLA_IS_CHAT_VIEW (self), NULL);

  return self->messages;
}

/**
 * charla_chat_view_get_entry:
 *
 * Returns: (transfer none): the message entry
 */
GtkWidget *
charla_chat_view_get_entry (CharlaChatView *self)
{
  g_return_val_if_fail (CHARLA_IS_CHAT_VIEW (self), NULL);

  return GTK_WIDGET (self->entry);
}

/**
 * charla_chat_view_get_list_view:
 *
 * Returns: (transfer none): the history's list view
 */
GtkWidget *
charla_chat_view_get_list_view (CharlaChatView *self)
{
  g_return_val_if_fail (CHARLA_IS_CHAT_VIEW (self), NULL);

  return GTK_WIDGET (self->list_view);
}

gboolean
charla_chat_view_get_sticky (CharlaChatView *self)
{
  g_return_val_if_fail (CHARLA_IS_CHAT_VIEW (self), FALSE);

  return self->sticky;
}

/**
 * charla_chat_view_scroll_to_bottom:
 *
 * Shows the newest message and follows new ones again.
 */
void
charla_chat_view_scroll_to_bottom (CharlaChatView *self)
{
  g_return_if_fail (CHARLA_IS_CHAT_VIEW (self));

  set_sticky (self, TRUE);
  pin_to_bottom (self);
}

void
charla_chat_view_focus_entry (CharlaChatView *self)
{
  g_return_if_fail (CHARLA_IS_CHAT_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

/**
 * charla_chat_view_run_line:
 * @line: what the user typed
 *
 * Sends @line, or runs it when it is one of the seed's commands, through
 * the window's actions. The entry is cleared when the line was taken.
 */
void
charla_chat_view_run_line (CharlaChatView *self,
                           const char     *line)
{
  g_return_if_fail (CHARLA_IS_CHAT_VIEW (self));
  g_return_if_fail (line != NULL);

  if (dispatch_line (self, line))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
      /* What the user wrote is worth seeing. */
      charla_chat_view_scroll_to_bottom (self);
    }
}
