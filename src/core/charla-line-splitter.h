/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CharlaLineSplitter:
 *
 * Splits a byte stream into messages at LF (a CR before it is dropped),
 * bounded by a maximum size: a longer run is handed out in pieces cut on
 * UTF-8 boundaries, so memory stays bounded and nothing is lost.
 */
typedef struct _CharlaLineSplitter CharlaLineSplitter;

CharlaLineSplitter *charla_line_splitter_new          (gsize               max_size);
void                charla_line_splitter_free         (CharlaLineSplitter *self);
void                charla_line_splitter_push         (CharlaLineSplitter *self,
                                                       const char         *data,
                                                       gsize               len);
gboolean            charla_line_splitter_pop          (CharlaLineSplitter *self,
                                                       GString            *out_line,
                                                       gboolean           *out_continued);
gboolean            charla_line_splitter_flush        (CharlaLineSplitter *self,
                                                       GString            *out_line);
gsize               charla_line_splitter_get_pending  (CharlaLineSplitter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CharlaLineSplitter, charla_line_splitter_free)

G_END_DECLS
