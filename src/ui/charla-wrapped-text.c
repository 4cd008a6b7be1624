/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include "charla-wrapped-text.h"

/* Plain text wrapped to the width it is given: a message's text in the
 * chat view.
 *
 * A wrapping GtkLabel (4.8) lays its text out three times to answer one
 * size request: at its minimum width (width-chars, one character per
 * line for a label that must never widen the window), unwrapped for its
 * natural width, and at the width it gets. Pango reshapes the rest of a
 * paragraph after each line break, so the minimum-width layout of a
 * long message costs far more than the other two, and GtkListView (4.8)
 * pays it for every row that scrolls into view (docs/BENCHMARKS.md).
 * This widget asks for no width of its own (its text never widens the
 * window) and lays its text out once per width.
 *
 * The text is never parsed as markup. Its color and font come from CSS
 * (css name "text", so style classes work as on a label), and it is a
 * label for accessibility, named by its text. */

struct _CharlaWrappedText
{
  GtkWidget    parent_instance;

  /* Owned */
  PangoLayout *layout;          /* holds the text */
};

enum {
  PROP_0,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CharlaWrappedText, charla_wrapped_text, GTK_TYPE_WIDGET)

static GtkSizeRequestMode
charla_wrapped_text_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
set_layout_width (CharlaWrappedText *self,
                  int                width)
{
  int pango_width = width >= 0 ? width * PANGO_SCALE : -1;

  /* Setting the same width again keeps the lines Pango has laid out. */
  if (pango_layout_get_width (self->layout) != pango_width)
    pango_layout_set_width (self->layout, pango_width);
}

static void
charla_wrapped_text_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  CharlaWrappedText *self = CHARLA_WRAPPED_TEXT (widget);
  int height;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* Whatever width the parent gives; the text wraps to it. */
      *minimum = *natural = 0;
      return;
    }

  set_layout_width (self, for_size);
  pango_layout_get_pixel_size (self->layout, NULL, &height);
  *minimum = *natural = height;
}

static void
charla_wrapped_text_size_allocate (GtkWidget *widget,
                                   int        width,
                                   int        height,
                                   int        baseline)
{
  CharlaWrappedText *self = CHARLA_WRAPPED_TEXT (widget);

  set_layout_width (self, width);
}

static void
charla_wrapped_text_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  CharlaWrappedText *self = CHARLA_WRAPPED_TEXT (widget);

  /* CSS color, and text-shadow if the theme has one, as for a label. */
  gtk_snapshot_render_layout (snapshot, gtk_widget_get_style_context (widget), 0, 0, self->layout);
}

static void
charla_wrapped_text_direction_changed (GtkWidget        *widget,
                                       GtkTextDirection  previous_direction)
{
  CharlaWrappedText *self = CHARLA_WRAPPED_TEXT (widget);

  pango_layout_set_alignment (self->layout, gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL
                              ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  pango_layout_context_changed (self->layout);
  gtk_widget_queue_resize (widget);

  GTK_WIDGET_CLASS (charla_wrapped_text_parent_class)->direction_changed (widget, previous_direction);
}

static void
charla_wrapped_text_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CharlaWrappedText *self = CHARLA_WRAPPED_TEXT (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, charla_wrapped_text_get_text (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_wrapped_text_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  CharlaWrappedText *self = CHARLA_WRAPPED_TEXT (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      charla_wrapped_text_set_text (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_wrapped_text_finalize (GObject *object)
{
  CharlaWrappedText *self = CHARLA_WRAPPED_TEXT (object);

  g_clear_object (&self->layout);

  G_OBJECT_CLASS (charla_wrapped_text_parent_class)->finalize (object);
}

static void
charla_wrapped_text_class_init (CharlaWrappedTextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = charla_wrapped_text_get_property;
  object_class->set_property = charla_wrapped_text_set_property;
  object_class->finalize = charla_wrapped_text_finalize;

  widget_class->get_request_mode = charla_wrapped_text_get_request_mode;
  widget_class->measure = charla_wrapped_text_measure;
  widget_class->size_allocate = charla_wrapped_text_size_allocate;
  widget_class->snapshot = charla_wrapped_text_snapshot;
  widget_class->direction_changed = charla_wrapped_text_direction_changed;

  /**
   * CharlaWrappedText:text:
   *
   * The text shown, as it is (never markup).
   */
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "text");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
charla_wrapped_text_init (CharlaWrappedText *self)
{
  /* The widget's own Pango context, which GTK updates in place when CSS
   * changes the font: the layout notices by itself. */
  self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  pango_layout_set_wrap (self->layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (self->layout, gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL
                              ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
}

GtkWidget *
charla_wrapped_text_new (void)
{
  return g_object_new (CHARLA_TYPE_WRAPPED_TEXT, NULL);
}

const char *
charla_wrapped_text_get_text (CharlaWrappedText *self)
{
  g_return_val_if_fail (CHARLA_IS_WRAPPED_TEXT (self), NULL);

  return pango_layout_get_text (self->layout);
}

/**
 * charla_wrapped_text_set_text:
 * @text: (nullable): plain text, shown as it is
 */
void
charla_wrapped_text_set_text (CharlaWrappedText *self,
                              const char        *text)
{
  g_return_if_fail (CHARLA_IS_WRAPPED_TEXT (self));

  if (text == NULL)
    text = "";
  if (g_str_equal (text, pango_layout_get_text (self->layout)))
    return;

  pango_layout_set_text (self->layout, text, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

/**
 * charla_wrapped_text_set_attributes:
 * @attributes: (nullable): Pango attributes over the text's bytes
 *
 * Styles parts of the text (a bold name) without parsing it as markup.
 */
void
charla_wrapped_text_set_attributes (CharlaWrappedText *self,
                                    PangoAttrList     *attributes)
{
  g_return_if_fail (CHARLA_IS_WRAPPED_TEXT (self));

  pango_layout_set_attributes (self->layout, attributes);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/**
 * charla_wrapped_text_get_attributes:
 *
 * Returns: (transfer none) (nullable): the attributes set, if any
 */
PangoAttrList *
charla_wrapped_text_get_attributes (CharlaWrappedText *self)
{
  g_return_val_if_fail (CHARLA_IS_WRAPPED_TEXT (self), NULL);

  return pango_layout_get_attributes (self->layout);
}
