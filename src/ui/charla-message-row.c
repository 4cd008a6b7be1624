/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-message-row.h"

/* One line of the conversation, recycled by the chat view's list: chat
 * text with sender, address and time, or a system line (joins, leaves,
 * renames, errors) in the style of its kind. */

struct _CharlaMessageRow
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkWidget     *header_box;
  GtkLabel      *sender_label;
  GtkLabel      *address_label;
  GtkLabel      *time_label;
  GtkLabel      *text_label;

  /* Owned */
  CharlaMessage *message;
};

enum {
  PROP_0,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CharlaMessageRow, charla_message_row, GTK_TYPE_WIDGET)

static const char *kind_classes[] = { "incoming", "outgoing", "notice", "error" };

static void
charla_message_row_update (CharlaMessageRow *self)
{
  CharlaMessageKind kind = CHARLA_MESSAGE_NOTICE;
  g_autofree char *time = NULL;
  const char *address = NULL;
  gboolean chat;

  for (guint i = 0; i < G_N_ELEMENTS (kind_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self), kind_classes[i]);

  if (self->message == NULL)
    {
      gtk_label_set_text (self->text_label, "");
      return;
    }

  kind = charla_message_get_kind (self->message);
  chat = kind == CHARLA_MESSAGE_INCOMING || kind == CHARLA_MESSAGE_OUTGOING;
  if ((guint) kind < G_N_ELEMENTS (kind_classes))
    gtk_widget_add_css_class (GTK_WIDGET (self), kind_classes[kind]);

  time = g_date_time_format (charla_message_get_time (self->message), "%H:%M:%S");
  address = charla_message_get_endpoint (self->message);

  /* System lines are one short line; their time is in the tooltip. */
  gtk_widget_set_visible (self->header_box, chat);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), chat ? NULL : time);
  gtk_label_set_text (self->time_label, time);
  gtk_widget_set_visible (GTK_WIDGET (self->sender_label), chat);
  gtk_widget_set_visible (GTK_WIDGET (self->address_label), chat && address != NULL);
  if (chat)
    {
      const char *sender = charla_message_get_sender (self->message);

      gtk_label_set_text (self->sender_label, sender != NULL ? sender : "");
      gtk_label_set_text (self->address_label, address != NULL ? address : "");
    }
  else
    {
      gtk_label_set_text (self->address_label, "");
    }
  gtk_label_set_text (self->text_label, charla_message_get_text (self->message));
}

static void
charla_message_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CharlaMessageRow *self = CHARLA_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_message_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CharlaMessageRow *self = CHARLA_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      charla_message_row_set_message (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_message_row_dispose (GObject *object)
{
  CharlaMessageRow *self = CHARLA_MESSAGE_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHARLA_TYPE_MESSAGE_ROW);
  g_clear_object (&self->message);

  G_OBJECT_CLASS (charla_message_row_parent_class)->dispose (object);
}

static void
charla_message_row_class_init (CharlaMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = charla_message_row_get_property;
  object_class->set_property = charla_message_row_set_property;
  object_class->dispose = charla_message_row_dispose;

  /**
   * CharlaMessageRow:message: (nullable)
   *
   * The message shown.
   */
  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL, CHARLA_TYPE_MESSAGE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "charla-message");
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/charla/Charla/charla-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CharlaMessageRow, header_box);
  gtk_widget_class_bind_template_child (widget_class, CharlaMessageRow, sender_label);
  gtk_widget_class_bind_template_child (widget_class, CharlaMessageRow, address_label);
  gtk_widget_class_bind_template_child (widget_class, CharlaMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, CharlaMessageRow, text_label);
}

static void
charla_message_row_init (CharlaMessageRow *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));

  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 2);
}

/**
 * charla_message_row_get_message:
 *
 * Returns: (transfer none) (nullable): the message shown
 */
CharlaMessage *
charla_message_row_get_message (CharlaMessageRow *self)
{
  g_return_val_if_fail (CHARLA_IS_MESSAGE_ROW (self), NULL);

  return self->message;
}

void
charla_message_row_set_message (CharlaMessageRow *self,
                                CharlaMessage    *message)
{
  g_return_if_fail (CHARLA_IS_MESSAGE_ROW (self));
  g_return_if_fail (message == NULL || CHARLA_IS_MESSAGE (message));

  if (!g_set_object (&self->message, message))
    return;

  charla_message_row_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}
