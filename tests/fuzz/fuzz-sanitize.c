/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The text and name sanitisers and the other checks made on bytes from
 * the network: whatever comes in, what reaches a display is valid UTF-8
 * without control characters, and names are short, trimmed, composed,
 * free of invisible characters and escape sequences, so two different
 * names never look the same.
 *
 * Input: any bytes. */

#include <stdint.h>
#include <string.h>

#include "charla.h"

static gboolean
is_display_safe (gunichar c)
{
  if (c == '\t')
    return TRUE;
  if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
    return FALSE;
  /* Bidirectional overrides and isolates can disguise text. */
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
    return FALSE;
  return TRUE;
}

static void
check_text (const char *data,
            gsize       len)
{
  g_autofree char *text = charla_text_sanitize (data, len);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  /* Each byte becomes at most one 3-byte symbol. */
  g_assert_cmpuint (strlen (text), <=, 3 * len);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_true (is_display_safe (g_utf8_get_char (p)));
}

static void
check_name (const char *data,
            gsize       len)
{
  g_autofree char *name = charla_name_sanitize (data, len);
  g_autofree char *again = NULL;
  gunichar first, last;

  if (name == NULL)
    return;

  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_cmpuint (g_utf8_strlen (name, -1), >, 0);
  g_assert_cmpuint (g_utf8_strlen (name, -1), <=, CHARLA_MAX_NAME_CHARS);

  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_true (is_display_safe (c));
      g_assert_cmpuint (c, !=, '\t');
      /* Nothing that draws nothing, no escape sequence left behind. */
      g_assert_false (charla_unichar_is_invisible (c));
      g_assert_cmpuint (c, !=, 0x1b);
    }

  /* One plain space between words, never a run of them. */
  g_assert_null (strstr (name, "  "));

  first = g_utf8_get_char (name);
  last = g_utf8_get_char (g_utf8_find_prev_char (name, name + strlen (name)));
  g_assert_false (g_unichar_isspace (first));
  g_assert_false (g_unichar_isspace (last));

  /* A clean name stays as it is. */
  again = charla_name_sanitize (name, -1);
  g_assert_cmpstr (again, ==, name);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *bytes = (const char *) data;
  g_autofree char *line = g_strndup (bytes, size);
  g_autoptr(CharlaCommand) command = NULL;
  g_autoptr(GError) error = NULL;

  check_text (bytes, size);
  check_name (bytes, size);

  {
    g_autofree char *text = charla_text_sanitize (bytes, size);

    /* Blank text has nothing but spaces and invisible characters. */
    if (charla_text_is_blank (text))
      g_assert_null (charla_name_sanitize (text, -1));
  }

  (void) charla_reply_is_plausible_name (bytes, size);

  /* What an unnamed peer's first bytes are: text, or a short name. */
  {
    const char *protocol = charla_detect_other_protocol (bytes, size);

    if (protocol != NULL)
      g_assert_true (g_utf8_validate (protocol, -1, NULL) && strlen (protocol) < 16);
  }
  if (charla_is_name_query (bytes, size))
    g_assert_cmpuint (size, ==, CHARLA_NAME_QUERY_LEN);
  if (charla_is_name_query_prefix (bytes, size))
    g_assert_cmpuint (size, <, CHARLA_NAME_QUERY_LEN);

  /* Chat commands typed by the user (a line, up to its first NUL):
   * parsed, or refused with a message. */
  command = charla_command_parse (line, &error);
  g_assert_true ((command != NULL) != (error != NULL));
  if (error != NULL)
    g_assert_true (g_utf8_validate (error->message, -1, NULL));

  return 0;
}
