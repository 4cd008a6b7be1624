/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <string.h>

#include "charla-text.h"

/* Replaces one code point that must not reach a display or a log:
 * C0 controls and DEL become their visible Control Pictures, C1
 * controls and bidirectional overrides (which can disguise text)
 * become U+FFFD. */
static gunichar
neutralise_control (gunichar c)
{
  if (c == '\t')
    return c;
  if (c < 0x20)
    return 0x2400 + c;
  if (c == 0x7f)
    return 0x2421;
  if (c >= 0x80 && c < 0xa0)
    return 0xfffd;
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
    return 0xfffd;
  return c;
}

/**
 * charla_unichar_is_displayable:
 * @c: a code point
 *
 * Whether @c may reach a display or a log as it is: not a control
 * character (tab excepted) nor a bidirectional override.
 */
gboolean
charla_unichar_is_displayable (gunichar c)
{
  return neutralise_control (c) == c;
}

/**
 * charla_text_sanitize:
 * @data: bytes received from the network
 * @len: length of @data, or -1 if nul-terminated
 *
 * Repairs invalid UTF-8 and neutralises control characters, so the
 * result is safe to print on a terminal or to put in a label.
 *
 * Returns: (transfer full): valid UTF-8
 */
char *
charla_text_sanitize (const char *data,
                      gssize      len)
{
  GString *out;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len < 0)
    len = strlen (data);

  out = g_string_sized_new (len + 1);

  /* g_utf8_make_valid() would turn a NUL into U+FFFD; like any other
   * control character it should show as its picture, U+2400. */
  for (gsize start = 0; start <= (gsize) len; )
    {
      const char *nul = memchr (data + start, '\0', len - start);
      gsize end = nul != NULL ? (gsize) (nul - data) : (gsize) len;
      g_autofree char *valid = g_utf8_make_valid (data + start, end - start);

      for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
        g_string_append_unichar (out, neutralise_control (g_utf8_get_char (p)));

      if (nul == NULL)
        break;

      g_string_append_unichar (out, neutralise_control ('\0'));
      start = end + 1;
    }

  return g_string_free (out, FALSE);
}

/**
 * charla_name_sanitize:
 * @data: a name as received or typed
 * @len: length of @data, or -1 if nul-terminated
 *
 * Makes a display name: valid UTF-8, control characters removed,
 * surrounding white space trimmed, at most %CHARLA_MAX_NAME_CHARS
 * characters.
 *
 * Returns: (transfer full) (nullable): the name, or %NULL if nothing
 *   usable is left
 */
char *
charla_name_sanitize (const char *data,
                      gssize      len)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) out = NULL;
  guint n_chars = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len < 0)
    len = strlen (data);

  valid = g_utf8_make_valid (data, len);
  out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0' && n_chars < CHARLA_MAX_NAME_CHARS; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\t' || c == '\n' || c == '\r')
        c = ' ';
      if (!charla_unichar_is_displayable (c) || c == 0xfffd)
        continue;

      g_string_append_unichar (out, c);
      n_chars++;
    }

  g_strstrip (out->str);
  if (out->str[0] == '\0')
    return NULL;

  return g_strdup (out->str);
}

/**
 * charla_utf8_cut:
 * @data: UTF-8 text (possibly invalid)
 * @len: its length
 * @max: the most bytes wanted
 *
 * Returns: how many bytes of @data to take so that no more than @max
 *   are taken and no multi-byte character is cut, when that is possible
 */
gsize
charla_utf8_cut (const char *data,
                 gsize       len,
                 gsize       max)
{
  gsize cut;

  if (len <= max)
    return len;

  cut = max;
  /* Back off over continuation bytes (10xxxxxx), at most 3 of them. */
  while (cut > 0 && max - cut < 4 && ((guchar) data[cut] & 0xc0) == 0x80)
    cut--;

  /* Not UTF-8 after all: cut where asked rather than not at all. */
  if (cut == 0 || max - cut >= 4)
    cut = max;

  return cut;
}

/**
 * charla_default_name:
 *
 * The name a node uses when none is given: the user's real name, else
 * the login name.
 */
const char *
charla_default_name (void)
{
  const char *real_name = g_get_real_name ();

  if (real_name != NULL && *real_name != '\0' && g_strcmp0 (real_name, "Unknown") != 0)
    return real_name;

  return g_get_user_name ();
}

