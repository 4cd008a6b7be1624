/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CharlaBatchModel: the chat view's model tells a burst of appends and
 * trims as one or two changes, and always matches its source after. */
#include "config.h"

#include "charla-batch-model.h"
#include "ui-test-util.h"

typedef struct {
  guint n_signals;
  guint last_position;
  guint last_removed;
  guint last_added;
} Changes;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->n_signals++;
  changes->last_position = position;
  changes->last_removed = removed;
  changes->last_added = added;
}

static void
append_strings (GListStore *store,
                guint       first,
                guint       n)
{
  for (guint i = first; i < first + n; i++)
    {
      g_autofree char *text = g_strdup_printf ("%u", i);
      g_autoptr(GtkStringObject) item = gtk_string_object_new (text);

      g_list_store_append (store, item);
    }
}

static void
assert_mirrors (GListModel *batch,
                GListModel *source)
{
  g_assert_cmpuint (g_list_model_get_n_items (batch), ==, g_list_model_get_n_items (source));
  for (guint i = 0; i < g_list_model_get_n_items (source); i++)
    {
      g_autoptr(GObject) a = g_list_model_get_item (batch, i);
      g_autoptr(GObject) b = g_list_model_get_item (source, i);

      g_assert_true (a == b);
    }
}

static void
test_burst_is_one_change (void)
{
  g_autoptr(GListStore) store = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  g_autoptr(CharlaBatchModel) batch = NULL;
  Changes changes = { 0 };

  append_strings (store, 0, 10);
  batch = charla_batch_model_new (G_LIST_MODEL (store));
  assert_mirrors (G_LIST_MODEL (batch), G_LIST_MODEL (store));
  g_signal_connect (batch, "items-changed", G_CALLBACK (on_items_changed), &changes);

  append_strings (store, 10, 10000);
  /* Not told yet: the consumers' view is unchanged until the idle. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (batch)), ==, 10);
  CHARLA_TEST_WAIT_UNTIL (changes.n_signals > 0);
  g_assert_cmpuint (changes.n_signals, ==, 1);
  g_assert_cmpuint (changes.last_position, ==, 10);
  g_assert_cmpuint (changes.last_added, ==, 10000);
  assert_mirrors (G_LIST_MODEL (batch), G_LIST_MODEL (store));

  g_signal_handlers_disconnect_by_data (batch, &changes);
  g_assert_finalize_object (g_steal_pointer (&batch));
}

static void
test_trim_and_append (void)
{
  g_autoptr(GListStore) store = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  g_autoptr(CharlaBatchModel) batch = NULL;
  Changes changes = { 0 };

  append_strings (store, 0, 100);
  batch = charla_batch_model_new (G_LIST_MODEL (store));
  g_signal_connect (batch, "items-changed", G_CALLBACK (on_items_changed), &changes);

  /* As the node keeps its history bounded: append, trim the oldest. */
  append_strings (store, 100, 50);
  g_list_store_splice (store, 0, 30, NULL, 0);
  append_strings (store, 150, 5);
  charla_batch_model_flush (batch);
  g_assert_cmpuint (changes.n_signals, ==, 2);
  assert_mirrors (G_LIST_MODEL (batch), G_LIST_MODEL (store));

  /* A trim reaching into what was not told yet is passed on at once. */
  append_strings (store, 155, 10);
  g_list_store_splice (store, 0, 130, NULL, 0);
  assert_mirrors (G_LIST_MODEL (batch), G_LIST_MODEL (store));

  /* So is an insertion in the middle. */
  {
    g_autoptr(GtkStringObject) item = gtk_string_object_new ("middle");

    g_list_store_insert (store, 3, item);
  }
  assert_mirrors (G_LIST_MODEL (batch), G_LIST_MODEL (store));

  g_signal_handlers_disconnect_by_data (batch, &changes);
  g_assert_finalize_object (g_steal_pointer (&batch));
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add_func ("/charla/ui/batch-model/burst-is-one-change", test_burst_is_one_change);
  g_test_add_func ("/charla/ui/batch-model/trim-and-append", test_trim_and_append);

  return g_test_run ();
}
