/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CHARLA_TYPE_BATCH_MODEL (charla_batch_model_get_type ())

G_DECLARE_FINAL_TYPE (CharlaBatchModel, charla_batch_model, CHARLA, BATCH_MODEL, GObject)

CharlaBatchModel *charla_batch_model_new        (GListModel       *source);
GListModel       *charla_batch_model_get_source (CharlaBatchModel *self);
void              charla_batch_model_flush      (CharlaBatchModel *self);

G_END_DECLS
