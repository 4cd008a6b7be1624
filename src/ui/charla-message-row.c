/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "charla-message-row.h"
#include "charla-wrapped-text.h"

/* One line of the conversation: a header (sender, address, time) and
 * the text, or a system line (joins, leaves, renames, errors) in the
 * style of its kind. What answers `--name` and `--help` is a listing: a
 * heading of its own (never a sender's name) over the lines, so it does
 * not read like a peer's message.
 *
 * Built in code with two CharlaWrappedTexts and no template:
 * GtkListView (4.8) keeps about 200 rows alive and creates a new row
 * for every message that scrolls into that window, so a row's creation
 * and first size request are paid on every scroll (docs/BENCHMARKS.md);
 * a wrapping GtkLabel lays its text out three times for that request,
 * CharlaWrappedText once. The header's parts are Pango attributes over
 * plain text, never markup: names come from the network. */

struct _CharlaMessageRow
{
  GtkWidget      parent_instance;

  /* Children */
  CharlaWrappedText *header;
  CharlaWrappedText *text;

  /* Owned */
  CharlaMessage *message;

  const char    *kind_class;
  gboolean       text_styled;   /* the text has attributes (the help's) */
};

enum {
  PROP_0,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CharlaMessageRow, charla_message_row, GTK_TYPE_WIDGET)

static const char *kind_classes[] = { "incoming", "outgoing", "notice", "error" };
static const char listing_class[] = "listing";

static void
set_kind_class (CharlaMessageRow *self,
                const char       *kind_class)
{
  if (self->kind_class == kind_class)
    return;

  if (self->kind_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self), self->kind_class);
  if (kind_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self), kind_class);
  self->kind_class = kind_class;
}

/* "Sender  address · 10:42:07": the sender bold, the rest smaller and
 * dimmer. Byte offsets into plain text; the text is never parsed. */
static void
update_header (CharlaMessageRow *self,
               const char       *sender,
               const char       *endpoint,
               const char       *time)
{
  g_autoptr(GString) text = g_string_new (sender);
  PangoAttrList *attributes = pango_attr_list_new ();
  PangoAttribute *attribute;
  guint sender_end = text->len;

  g_string_append (text, "  ");
  if (endpoint != NULL)
    {
      g_string_append (text, endpoint);
      g_string_append (text, " · ");
    }
  g_string_append (text, time);

  attribute = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
  attribute->start_index = 0;
  attribute->end_index = sender_end;
  pango_attr_list_insert (attributes, attribute);

  attribute = pango_attr_scale_new (0.83);
  attribute->start_index = sender_end;
  attribute->end_index = text->len;
  pango_attr_list_insert (attributes, attribute);

  attribute = pango_attr_foreground_alpha_new (G_MAXUINT16 * 55 / 100);
  attribute->start_index = sender_end;
  attribute->end_index = text->len;
  pango_attr_list_insert (attributes, attribute);

  /* Text first: attributes apply to the layout's current text. */
  charla_wrapped_text_set_text (self->header, text->str);
  charla_wrapped_text_set_attributes (self->header, attributes);
  pango_attr_list_unref (attributes);
}

/* "Who is connected  10:42:07": a heading (styled by the listing
 * class), the time dimmer. */
static void
update_heading (CharlaMessageRow *self,
                const char       *heading,
                const char       *time)
{
  g_autofree char *text = g_strconcat (heading, "  ", time, NULL);
  PangoAttrList *attributes = pango_attr_list_new ();
  PangoAttribute *attribute;

  attribute = pango_attr_foreground_alpha_new (G_MAXUINT16 * 55 / 100);
  attribute->start_index = strlen (heading);
  attribute->end_index = strlen (text);
  pango_attr_list_insert (attributes, attribute);

  charla_wrapped_text_set_text (self->header, text);
  charla_wrapped_text_set_attributes (self->header, attributes);
  pango_attr_list_unref (attributes);
}

static void
add_command_attributes (PangoAttrList *attributes,
                        guint          start,
                        guint          end)
{
  PangoAttribute *attribute;

  attribute = pango_attr_family_new ("monospace");
  attribute->start_index = start;
  attribute->end_index = end;
  pango_attr_list_insert (attributes, attribute);

  attribute = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
  attribute->start_index = start;
  attribute->end_index = end;
  pango_attr_list_insert (attributes, attribute);
}

/* The help from the core's table, not from the message's text: that is
 * laid out in columns for a terminal, which do not line up in a
 * proportional font and break apart when a narrow window wraps them. One
 * line per command instead: the command in monospace, then what it does,
 * wrapping as any text. */
static void
update_help (CharlaMessageRow *self,
             const char       *time)
{
  g_autoptr(GString) body = g_string_new (NULL);
  PangoAttrList *attributes = pango_attr_list_new ();

  update_heading (self, charla_command_help_heading (), time);

  for (guint i = 0; i < charla_command_help_get_n_entries (); i++)
    {
      const char *usage, *description;
      guint start;

      charla_command_help_get_entry (i, &usage, &description);
      if (i > 0)
        g_string_append_c (body, '\n');
      start = body->len;
      g_string_append (body, usage);
      add_command_attributes (attributes, start, body->len);
      g_string_append (body, "  ");
      start = body->len;
      g_string_append (body, description);
      /* Its terminal line breaks are only spaces here. */
      g_strdelimit (body->str + start, "\n", ' ');
    }

  /* Text first: attributes apply to the layout's current text. */
  charla_wrapped_text_set_text (self->text, body->str);
  charla_wrapped_text_set_attributes (self->text, attributes);
  self->text_styled = TRUE;
  pango_attr_list_unref (attributes);
}

static gboolean
is_listing (CharlaMessage *message)
{
  CharlaMessageEvent event = charla_message_get_event (message);

  return event == CHARLA_MESSAGE_EVENT_PEER_LIST || event == CHARLA_MESSAGE_EVENT_HELP;
}

static void
charla_message_row_update (CharlaMessageRow *self)
{
  CharlaMessageKind kind;
  g_autofree char *time = NULL;
  gboolean chat, listing;

  /* A recycled row may have shown the help's attributes. */
  if (self->text_styled)
    {
      charla_wrapped_text_set_attributes (self->text, NULL);
      self->text_styled = FALSE;
    }

  if (self->message == NULL)
    {
      charla_wrapped_text_set_text (self->text, "");
      return;
    }

  kind = charla_message_get_kind (self->message);
  chat = kind == CHARLA_MESSAGE_INCOMING || kind == CHARLA_MESSAGE_OUTGOING;
  listing = is_listing (self->message);
  if (listing)
    set_kind_class (self, listing_class);
  else
    set_kind_class (self, (guint) kind < G_N_ELEMENTS (kind_classes) ? kind_classes[kind] : NULL);
  /* System lines are one short line; their time is in the tooltip
   * (query_tooltip). Listings have a heading with the time. */
  gtk_widget_set_visible (GTK_WIDGET (self->header), chat || listing);
  if (chat || listing)
    time = g_date_time_format (charla_message_get_time (self->message), "%H:%M:%S");
  if (chat)
    {
      const char *sender = charla_message_get_sender (self->message);

      update_header (self, sender != NULL ? sender : "", charla_message_get_endpoint (self->message), time);
    }

  if (charla_message_get_event (self->message) == CHARLA_MESSAGE_EVENT_HELP)
    {
      update_help (self, time);
      return;
    }

  if (listing)
    {
      /* TRANSLATORS: the heading over the list of connected peers that
       * the chat command --name shows */
      update_heading (self, _("Who is connected"), time);
    }

  charla_wrapped_text_set_text (self->text, charla_message_get_text (self->message));
}

/* The time of a system line, asked for when the pointer rests on it.
 * Not gtk_widget_set_tooltip_text() when a row is bound: that queries
 * the pointer's position from the display server (an X round trip) for
 * every row GtkListView creates while scrolling. */
static gboolean
charla_message_row_query_tooltip (GtkWidget  *widget,
                                  int         x,
                                  int         y,
                                  gboolean    keyboard_tooltip,
                                  GtkTooltip *tooltip)
{
  CharlaMessageRow *self = CHARLA_MESSAGE_ROW (widget);
  g_autofree char *time = NULL;
  CharlaMessageKind kind;

  if (self->message == NULL)
    return FALSE;

  kind = charla_message_get_kind (self->message);
  if (kind == CHARLA_MESSAGE_INCOMING || kind == CHARLA_MESSAGE_OUTGOING || is_listing (self->message))
    return FALSE;

  time = g_date_time_format (charla_message_get_time (self->message), "%H:%M:%S");
  gtk_tooltip_set_text (tooltip, time);
  return TRUE;
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
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->header = NULL;
  self->text = NULL;
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

  widget_class->query_tooltip = charla_message_row_query_tooltip;

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
}

static CharlaWrappedText *
add_text (CharlaMessageRow *self,
          const char       *css_class)
{
  GtkWidget *text = charla_wrapped_text_new ();

  gtk_widget_add_css_class (text, css_class);
  gtk_widget_set_parent (text, GTK_WIDGET (self));

  return CHARLA_WRAPPED_TEXT (text);
}

static void
charla_message_row_init (CharlaMessageRow *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 2);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  self->header = add_text (self, "charla-header");
  self->text = add_text (self, "charla-text");
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
