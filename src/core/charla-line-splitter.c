/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <string.h>

#include "charla-line-splitter.h"
#include "charla-text.h"

struct _CharlaLineSplitter
{
  GByteArray *buffer;
  gsize       max_size;
  gsize       scanned;    /* bytes of buffer known to hold no LF */
  gboolean    continuing; /* the last piece handed out was cut short */
};

CharlaLineSplitter *
charla_line_splitter_new (gsize max_size)
{
  CharlaLineSplitter *self;

  g_return_val_if_fail (max_size >= 4, NULL);

  self = g_new0 (CharlaLineSplitter, 1);
  self->buffer = g_byte_array_new ();
  self->max_size = max_size;

  return self;
}

void
charla_line_splitter_free (CharlaLineSplitter *self)
{
  if (self == NULL)
    return;

  g_byte_array_unref (self->buffer);
  g_free (self);
}

void
charla_line_splitter_push (CharlaLineSplitter *self,
                           const char         *data,
                           gsize               len)
{
  g_return_if_fail (self != NULL);

  g_byte_array_append (self->buffer, (const guint8 *) data, len);
}

static void
take_bytes (CharlaLineSplitter *self,
            gsize               take,
            gsize               skip,
            GString            *out_line)
{
  /* The next piece continues this line unless a line end was consumed. */
  self->continuing = (skip == 0);

  g_string_truncate (out_line, 0);
  g_string_append_len (out_line, (const char *) self->buffer->data, take);
  g_byte_array_remove_range (self->buffer, 0, take + skip);
  self->scanned = 0;
}

/**
 * charla_line_splitter_pop:
 * @self: a #CharlaLineSplitter
 * @out_line: where the next complete line goes (without its LF or CRLF)
 * @out_continued: (out) (optional): set to %TRUE when @out_line continues
 *   an over-long line whose first piece was already handed out
 *
 * Takes the next complete line, or the next @max_size piece of an
 * over-long one.
 *
 * Returns: %TRUE if @out_line was filled
 */
gboolean
charla_line_splitter_pop (CharlaLineSplitter *self,
                          GString            *out_line,
                          gboolean           *out_continued)
{
  const char *start;
  const char *newline;
  gsize len;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_line != NULL, FALSE);

  if (out_continued != NULL)
    *out_continued = self->continuing;

  start = (const char *) self->buffer->data;
  len = self->buffer->len;
  newline = len > self->scanned ? memchr (start + self->scanned, '\n', len - self->scanned) : NULL;

  if (newline != NULL && (gsize) (newline - start) <= self->max_size)
    {
      gsize line_len = newline - start;
      gsize take = line_len;

      if (take > 0 && start[take - 1] == '\r')
        take--;

      take_bytes (self, take, line_len - take + 1, out_line);
      return TRUE;
    }

  if (len > self->max_size)
    {
      take_bytes (self, charla_utf8_cut (start, len, self->max_size), 0, out_line);
      return TRUE;
    }

  self->scanned = len;
  return FALSE;
}

/**
 * charla_line_splitter_flush:
 * @self: a #CharlaLineSplitter
 * @out_line: where the pending bytes go
 *
 * Takes whatever is pending without a line end (at a pause in a raw
 * stream, or when the connection closes).
 *
 * Returns: %TRUE if there was anything pending
 */
gboolean
charla_line_splitter_flush (CharlaLineSplitter *self,
                            GString            *out_line)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (charla_line_splitter_pop (self, out_line, NULL))
    return TRUE;

  if (self->buffer->len == 0)
    return FALSE;

  take_bytes (self, self->buffer->len, 0, out_line);
  /* A flush ends the message: what comes next starts a new one. */
  self->continuing = FALSE;
  return TRUE;
}

gsize
charla_line_splitter_get_pending (CharlaLineSplitter *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->buffer->len;
}

