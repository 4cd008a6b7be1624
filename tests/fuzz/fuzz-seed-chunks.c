/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Outgoing text, encoded once per dialect (charla_peer_encode): for seed
 * peers, writes of 1–1024 bytes cut on character boundaries that add up
 * to the text (a bare name query is never sent as text); for Charla
 * peers, an "ID " line, then one "MSG " line per non-empty line, each
 * at most 64 KiB.
 *
 * Input: byte 0 repeats the rest (1–64 times, so 4 KiB inputs reach the
 * 64 KiB cut); the text ends at the first NUL, as a C string does. */

#include <stdint.h>
#include <string.h>

#include "charla.h"
#include "charla-peer-private.h"

static void
check_seed (const char *text)
{
  g_autoptr(GPtrArray) writes = charla_peer_encode (CHARLA_PEER_DIALECT_SEED, text);
  g_autoptr(GString) joined = g_string_new (NULL);
  gboolean valid = g_utf8_validate (text, -1, NULL);

  if (charla_is_name_query (text, strlen (text)))
    {
      g_assert_cmpuint (writes->len, ==, 0);
      return;
    }

  for (guint i = 0; i < writes->len; i++)
    {
      gsize size;
      const char *chunk = g_bytes_get_data (g_ptr_array_index (writes, i), &size);

      g_assert_cmpuint (size, >, 0);
      g_assert_cmpuint (size, <=, CHARLA_SEED_CHUNK_SIZE);
      /* The seed decodes each recv(1024) on its own. */
      if (valid)
        g_assert_true (g_utf8_validate_len (chunk, size, NULL));
      g_string_append_len (joined, chunk, size);
    }

  g_assert_cmpuint (joined->len, ==, strlen (text));
  g_assert_true (memcmp (joined->str, text, joined->len) == 0);
}

static void
check_charla (const char *text)
{
  g_autoptr(GPtrArray) writes = charla_peer_encode (CHARLA_PEER_DIALECT_CHARLA, text);
  g_autoptr(GString) joined = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  gsize verb_len = strlen (CHARLA_VERB_MESSAGE);

  /* A message starts with its id line. */
  if (writes->len > 0)
    {
      gsize size;
      const char *line = g_bytes_get_data (g_ptr_array_index (writes, 0), &size);

      g_assert_cmpuint (size, ==, strlen (CHARLA_VERB_ID) + 16 + 1);
      g_assert_true (memcmp (line, CHARLA_VERB_ID, strlen (CHARLA_VERB_ID)) == 0);
      g_assert_cmpuint (writes->len, >=, 2);
    }

  for (guint i = 1; i < writes->len; i++)
    {
      gsize size;
      const char *line = g_bytes_get_data (g_ptr_array_index (writes, i), &size);

      g_assert_cmpuint (size, >, verb_len + 1);
      g_assert_cmpuint (size - verb_len - 1, <=, CHARLA_MAX_MESSAGE_SIZE);
      g_assert_true (memcmp (line, CHARLA_VERB_MESSAGE, verb_len) == 0);
      g_assert_cmpint (line[size - 1], ==, '\n');
      g_assert_null (memchr (line, '\n', size - 1));
      g_string_append_len (joined, line + verb_len, size - verb_len - 1);
    }

  for (guint i = 0; lines[i] != NULL; i++)
    {
      gsize len = strlen (lines[i]);

      if (len > 0 && lines[i][len - 1] == '\r')
        len--;
      g_string_append_len (expected, lines[i], len);
    }

  g_assert_cmpstr (joined->str, ==, expected->str);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GString) text = NULL;
  const char *body;
  gsize body_len;
  guint repeat;

  if (size < 1)
    return 0;

  repeat = 1 + data[0] % 64;
  body = (const char *) data + 1;
  body_len = strnlen (body, size - 1);

  text = g_string_sized_new (body_len * repeat + 1);
  for (guint i = 0; i < repeat; i++)
    g_string_append_len (text, body, body_len);

  check_seed (text->str);
  check_charla (text->str);

  /* The cut itself, at every size a caller uses. */
  for (gsize max = 4; max <= 1024; max *= 2)
    {
      gsize cut = charla_utf8_cut (text->str, text->len, max);

      g_assert_cmpuint (cut, <=, MIN (text->len, max));
      g_assert_true (cut > 0 || text->len == 0);
    }

  return 0;
}
