/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-window.h"

struct _CharlaWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *stack;

  /* Owned */
  CharlaNode           *node;
  GSettings            *settings;
};

enum {
  PROP_0,
  PROP_NODE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CharlaWindow, charla_window, ADW_TYPE_APPLICATION_WINDOW)

static void
charla_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CharlaWindow *self = CHARLA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_NODE:
      g_value_set_object (value, self->node);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CharlaWindow *self = CHARLA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_NODE:
      self->node = g_value_dup_object (value);
      break;

    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_window_dispose (GObject *object)
{
  CharlaWindow *self = CHARLA_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHARLA_TYPE_WINDOW);

  G_OBJECT_CLASS (charla_window_parent_class)->dispose (object);
}

static void
charla_window_finalize (GObject *object)
{
  CharlaWindow *self = CHARLA_WINDOW (object);

  g_clear_object (&self->node);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (charla_window_parent_class)->finalize (object);
}

static void
charla_window_class_init (CharlaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = charla_window_get_property;
  object_class->set_property = charla_window_set_property;
  object_class->dispose = charla_window_dispose;
  object_class->finalize = charla_window_finalize;

  /**
   * CharlaWindow:node:
   *
   * The node this window shows and drives.
   */
  properties[PROP_NODE] =
    g_param_spec_object ("node", NULL, NULL, CHARLA_TYPE_NODE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * CharlaWindow:settings: (nullable)
   *
   * The app's settings; %NULL when the schema is not installed.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/charla/Charla/charla-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CharlaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CharlaWindow, stack);
}

static void
charla_window_init (CharlaWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CharlaWindow *
charla_window_new (CharlaApplication *application,
                   CharlaNode        *node,
                   GSettings         *settings)
{
  g_return_val_if_fail (CHARLA_IS_NODE (node), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (CHARLA_TYPE_WINDOW,
                       "application", application,
                       "node", node,
                       "settings", settings,
                       NULL);
}

/**
 * charla_window_get_node:
 *
 * Returns: (transfer none): the node this window shows
 */
CharlaNode *
charla_window_get_node (CharlaWindow *self)
{
  g_return_val_if_fail (CHARLA_IS_WINDOW (self), NULL);

  return self->node;
}

/**
 * charla_window_get_settings:
 *
 * Returns: (transfer none) (nullable): the settings
 */
GSettings *
charla_window_get_settings (CharlaWindow *self)
{
  g_return_val_if_fail (CHARLA_IS_WINDOW (self), NULL);

  return self->settings;
}
