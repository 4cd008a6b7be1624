/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <string.h>

#include "charla-line-splitter.h"
#include "charla-text.h"

/* A buffer that grew past this gives its memory back once empty: a
 * peer that sent one long line does not keep 128 KiB for good. */
#define SHRINK_ABOVE (16 * 1024)

struct _CharlaLineSplitter
{
  GByteArray *buffer;
  gsize       head;       /* pending bytes start here: lines handed out
                           * are not moved out one by one, which made a
                           * read of 30,000 tiny lines move 1 GB */
  gsize       peak;       /* largest the buffer was since it was new */
  gsize       max_size;
  gsize       scanned;    /* pending bytes known to hold no LF */
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

  /* What was handed out goes once it is the larger part. */
  if (self->head > 0 && self->head * 2 >= self->buffer->len)
    {
      g_byte_array_remove_range (self->buffer, 0, self->head);
      self->head = 0;
    }

  g_byte_array_append (self->buffer, (const guint8 *) data, len);
  self->peak = MAX (self->peak, self->buffer->len);
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
  g_string_append_len (out_line, (const char *) self->buffer->data + self->head, take);
  self->head += take + skip;
  self->scanned = 0;

  if (self->head == self->buffer->len)
    {
      self->head = 0;
      if (self->peak > SHRINK_ABOVE)
        {
          g_byte_array_unref (self->buffer);
          self->buffer = g_byte_array_new ();
          self->peak = 0;
        }
      else
        {
          g_byte_array_set_size (self->buffer, 0);
        }
    }
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

  len = self->buffer->len - self->head;
  if (len == 0)
    {
      self->scanned = 0;
      return FALSE;
    }
  start = (const char *) self->buffer->data + self->head;
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

  if (self->buffer->len == self->head)
    return FALSE;

  take_bytes (self, self->buffer->len - self->head, 0, out_line);
  /* A flush ends the message: what comes next starts a new one. */
  self->continuing = FALSE;
  return TRUE;
}

gsize
charla_line_splitter_get_pending (CharlaLineSplitter *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->buffer->len - self->head;
}

