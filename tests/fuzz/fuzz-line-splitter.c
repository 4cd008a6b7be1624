/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The framed line splitter and the raw (seed) flush at a pause: every
 * byte comes out once, in order, in pieces of at most the maximum size,
 * and only line ends are dropped (LF, and a CR right before it).
 *
 * Input: byte 0 picks the maximum size (4–259), byte 1 the largest
 * push (1–64 bytes); the rest is the stream. A push whose first byte is
 * 0xff is followed by a flush, as the raw pause timer does. */

#include <stdint.h>
#include <string.h>

#include "charla.h"

typedef struct
{
  const guint8 *input;
  gsize         input_len;
  gsize         pos;        /* input consumed by the pieces so far */
  gboolean      have_piece;
  gboolean      ended_by_flush;
  gsize         max_size;
  gboolean      input_valid;
} Check;

/* The bytes between the last piece and this one are its line end,
 * unless this piece continues it (a cut) or a flush ended it. */
static void
skip_line_end (Check *check)
{
  if (check->pos < check->input_len && check->input[check->pos] == '\n')
    check->pos += 1;
  else if (check->pos + 1 < check->input_len &&
           check->input[check->pos] == '\r' && check->input[check->pos + 1] == '\n')
    check->pos += 2;
  else
    g_error ("a piece ended neither at a line end nor at a cut");
}

static void
take_piece (Check   *check,
            GString *piece,
            gboolean continued,
            gboolean flushed)
{
  if (check->have_piece && !continued && !check->ended_by_flush)
    skip_line_end (check);

  g_assert_cmpuint (piece->len, <=, check->max_size);
  g_assert_null (memchr (piece->str, '\n', piece->len));
  g_assert_cmpuint (check->pos + piece->len, <=, check->input_len);
  g_assert_true (memcmp (check->input + check->pos, piece->str, piece->len) == 0);

  /* A cut never splits a character of valid UTF-8 text. */
  if (continued && check->input_valid && piece->len > 0)
    g_assert_cmpint ((guchar) piece->str[0] & 0xc0, !=, 0x80);

  check->pos += piece->len;
  check->have_piece = TRUE;
  check->ended_by_flush = flushed;
}

/* Returns whether the pending bytes continue the last piece (a cut). */
static gboolean
pop_all (CharlaLineSplitter *splitter,
         Check              *check,
         GString            *piece)
{
  gboolean continued = FALSE;

  while (charla_line_splitter_pop (splitter, piece, &continued))
    take_piece (check, piece, continued, FALSE);

  return continued;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(CharlaLineSplitter) splitter = NULL;
  g_autoptr(GString) piece = g_string_new (NULL);
  Check check = { 0 };
  gboolean continued;
  gsize largest_push;
  gsize offset = 2;

  if (size < 2)
    return 0;

  check.max_size = 4 + data[0];
  check.input = data + 2;
  check.input_len = size - 2;
  check.input_valid = g_utf8_validate_len ((const char *) check.input, check.input_len, NULL);
  largest_push = 1 + data[1] % 64;
  splitter = charla_line_splitter_new (check.max_size);

  while (offset < size)
    {
      gsize push = MIN (largest_push - (offset % largest_push), size - offset);
      gboolean pause = data[offset] == 0xff;

      charla_line_splitter_push (splitter, (const char *) data + offset, push);
      offset += push;
      continued = pop_all (splitter, &check, piece);

      if (pause && charla_line_splitter_flush (splitter, piece))
        take_piece (&check, piece, continued, TRUE);

      /* What stays pending is never more than one piece. */
      g_assert_cmpuint (charla_line_splitter_get_pending (splitter), <=, check.max_size);
    }

  continued = pop_all (splitter, &check, piece);
  if (charla_line_splitter_flush (splitter, piece))
    take_piece (&check, piece, continued, TRUE);
  g_assert_cmpuint (charla_line_splitter_get_pending (splitter), ==, 0);

  /* Everything came out but, at most, the last line's end. */
  g_assert_cmpuint (check.input_len - check.pos, <=, 2);

  return 0;
}
