/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include "charla-batch-model.h"

/* A GListModel that mirrors a history model (the node's messages) but
 * tells its consumers about appends and trims at most once per main loop
 * idle, before GTK lays out the next frame.
 *
 * GtkListView (4.8) does its whole bookkeeping, and creates a row, for
 * each items-changed it hears; the node posts one message at a time, so
 * a burst of 10,000 messages cost 10,000 of those (docs/BENCHMARKS.md).
 * Batched, the burst is one append.
 *
 * The history only grows at its end and is trimmed at its front, so the
 * pending changes are two counts. Anything else is passed on at once. */

struct _CharlaBatchModel
{
  GObject     parent_instance;

  /* Owned */
  GListModel *source;
  GPtrArray  *items;           /* what the consumers were told about */

  guint       pending_front;   /* trimmed at the front, not told yet */
  guint       pending_append;  /* appended at the end, not told yet */
  guint       flush_id;
};

enum {
  PROP_0,
  PROP_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
charla_batch_model_get_item_type (GListModel *model)
{
  CharlaBatchModel *self = CHARLA_BATCH_MODEL (model);

  return g_list_model_get_item_type (self->source);
}

static guint
charla_batch_model_get_n_items (GListModel *model)
{
  CharlaBatchModel *self = CHARLA_BATCH_MODEL (model);

  return self->items->len;
}

static gpointer
charla_batch_model_get_item (GListModel *model,
                             guint       position)
{
  CharlaBatchModel *self = CHARLA_BATCH_MODEL (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
charla_batch_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = charla_batch_model_get_item_type;
  iface->get_n_items = charla_batch_model_get_n_items;
  iface->get_item = charla_batch_model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (CharlaBatchModel, charla_batch_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, charla_batch_model_list_model_init))

/* Copies the source's items [position, position + n) to the end of the
 * told items. */
static void
take_items (CharlaBatchModel *self,
            guint             position,
            guint             n)
{
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (self->items, g_list_model_get_item (self->source, position + i));
}

/* Tells everything, as at most two changes: the trim, then the append. */
static void
flush (CharlaBatchModel *self)
{
  guint front = self->pending_front;
  guint append = self->pending_append;
  guint n_source = g_list_model_get_n_items (self->source);
  guint before;

  g_clear_handle_id (&self->flush_id, g_source_remove);
  self->pending_front = 0;
  self->pending_append = 0;

  if (front > 0)
    {
      g_ptr_array_remove_range (self->items, 0, front);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, front, 0);
    }

  if (append > 0)
    {
      before = self->items->len;
      g_assert (before + append == n_source);
      take_items (self, before, append);
      g_list_model_items_changed (G_LIST_MODEL (self), before, 0, append);
    }
}

static gboolean
on_flush_idle (gpointer user_data)
{
  CharlaBatchModel *self = user_data;

  self->flush_id = 0;
  flush (self);
  return G_SOURCE_REMOVE;
}

/* Before GTK's layout (G_PRIORITY_HIGH_IDLE + 10) and redraw (+ 20):
 * every frame shows what arrived before it. */
static void
schedule_flush (CharlaBatchModel *self)
{
  if (self->flush_id == 0)
    self->flush_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, on_flush_idle, self, NULL);
}

/* Anything but a trim or an append: catch up, then tell it as it is. */
static void
resync (CharlaBatchModel *self)
{
  guint n_told = self->items->len;

  g_clear_handle_id (&self->flush_id, g_source_remove);
  self->pending_front = 0;
  self->pending_append = 0;
  g_ptr_array_set_size (self->items, 0);
  take_items (self, 0, g_list_model_get_n_items (self->source));
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n_told, self->items->len);
}

static void
on_source_items_changed (GListModel       *source,
                         guint             position,
                         guint             removed,
                         guint             added,
                         CharlaBatchModel *self)
{
  guint n_source = g_list_model_get_n_items (source);
  guint told_left = self->items->len - self->pending_front;

  if (removed == 0 && added > 0 && position + added == n_source)
    {
      self->pending_append += added;
      schedule_flush (self);
    }
  else if (position == 0 && added == 0 && removed > 0 && removed <= told_left)
    {
      /* The oldest told items: the appended ones are still at the end. */
      self->pending_front += removed;
      schedule_flush (self);
    }
  else if (removed > 0 || added > 0)
    {
      resync (self);
    }
}

static void
charla_batch_model_constructed (GObject *object)
{
  CharlaBatchModel *self = CHARLA_BATCH_MODEL (object);

  G_OBJECT_CLASS (charla_batch_model_parent_class)->constructed (object);

  take_items (self, 0, g_list_model_get_n_items (self->source));
  g_signal_connect_object (self->source, "items-changed", G_CALLBACK (on_source_items_changed), self, 0);
}

static void
charla_batch_model_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CharlaBatchModel *self = CHARLA_BATCH_MODEL (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_batch_model_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CharlaBatchModel *self = CHARLA_BATCH_MODEL (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      self->source = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_batch_model_dispose (GObject *object)
{
  CharlaBatchModel *self = CHARLA_BATCH_MODEL (object);

  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->source != NULL)
    g_signal_handlers_disconnect_by_data (self->source, self);
  g_clear_object (&self->source);
  if (self->items != NULL)
    g_ptr_array_set_size (self->items, 0);

  G_OBJECT_CLASS (charla_batch_model_parent_class)->dispose (object);
}

static void
charla_batch_model_finalize (GObject *object)
{
  CharlaBatchModel *self = CHARLA_BATCH_MODEL (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (charla_batch_model_parent_class)->finalize (object);
}

static void
charla_batch_model_class_init (CharlaBatchModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = charla_batch_model_constructed;
  object_class->get_property = charla_batch_model_get_property;
  object_class->set_property = charla_batch_model_set_property;
  object_class->dispose = charla_batch_model_dispose;
  object_class->finalize = charla_batch_model_finalize;

  /**
   * CharlaBatchModel:source:
   *
   * The model mirrored: it grows at its end and is trimmed at its front.
   */
  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
charla_batch_model_init (CharlaBatchModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

CharlaBatchModel *
charla_batch_model_new (GListModel *source)
{
  g_return_val_if_fail (G_IS_LIST_MODEL (source), NULL);

  return g_object_new (CHARLA_TYPE_BATCH_MODEL, "source", source, NULL);
}

/**
 * charla_batch_model_get_source:
 *
 * Returns: (transfer none): the model mirrored
 */
GListModel *
charla_batch_model_get_source (CharlaBatchModel *self)
{
  g_return_val_if_fail (CHARLA_IS_BATCH_MODEL (self), NULL);

  return self->source;
}

/**
 * charla_batch_model_flush:
 *
 * Tells the pending changes now rather than at the next idle.
 */
void
charla_batch_model_flush (CharlaBatchModel *self)
{
  g_return_if_fail (CHARLA_IS_BATCH_MODEL (self));

  flush (self);
}
