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
 * charla_text_is_blank:
 * @text: valid UTF-8
 *
 * Whether @text would show nothing: it is empty or only white space
 * and invisible characters. Such a message is never shown.
 */
gboolean
charla_text_is_blank (const char *text)
{
  g_return_val_if_fail (text != NULL, TRUE);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isspace (c) && g_unichar_type (c) != G_UNICODE_SPACE_SEPARATOR &&
          !charla_unichar_is_invisible (c))
        return FALSE;
    }

  return TRUE;
}

/* Skips a terminal escape sequence starting at @p (ESC, or a C1
 * introducer such as CSI U+009B) and returns the character after it: a
 * whole sequence goes, not only its ESC, so "\e[31mAna" is "Ana". An
 * unterminated string sequence (OSC, DCS…) swallows the rest. */
static const char *
skip_escape_sequence (const char *p)
{
  gunichar c = g_utf8_get_char (p);
  gboolean is_string;

  p = g_utf8_next_char (p);

  if (c == 0x1b)
    {
      gunichar next = g_utf8_get_char (p);

      if (next == '\0')
        return p;
      p = g_utf8_next_char (p);

      switch (next)
        {
        case '[':
          c = 0x9b;     /* CSI */
          break;
        case ']':
        case 'P':
        case 'X':
        case '^':
        case '_':
          c = 0x9d;     /* OSC, DCS, SOS, PM, APC: strings up to ST */
          break;
        default:
          /* ESC, intermediates (0x20–0x2f), one final character. */
          while (next >= 0x20 && next <= 0x2f && *p != '\0')
            {
              next = g_utf8_get_char (p);
              p = g_utf8_next_char (p);
            }
          return p;
        }
    }

  is_string = (c == 0x90 || c == 0x98 || c == 0x9d || c == 0x9e || c == 0x9f);

  if (c == 0x9b)
    {
      /* Parameters and intermediates, then a final byte 0x40–0x7e. */
      while (*p != '\0')
        {
          gunichar b = g_utf8_get_char (p);

          p = g_utf8_next_char (p);
          if (b < 0x20 || b > 0x3f)
            break;
        }
      return p;
    }

  if (is_string)
    {
      /* Up to BEL, ESC \ or ST (U+009C). */
      while (*p != '\0')
        {
          gunichar b = g_utf8_get_char (p);

          p = g_utf8_next_char (p);
          if (b == 0x07 || b == 0x9c)
            break;
          if (b == 0x1b && *p == '\\')
            return p + 1;
        }
      return p;
    }

  return p;
}

static gboolean
is_escape_introducer (gunichar c)
{
  return c == 0x1b || c == 0x90 || c == 0x98 || c == 0x9b ||
         c == 0x9d || c == 0x9e || c == 0x9f;
}

/**
 * charla_unichar_is_invisible:
 * @c: a code point
 *
 * Whether @c draws nothing although it is not white space: format
 * characters (zero-width spaces and joiners, direction marks, the BOM,
 * the soft hyphen, tags) and the other default-ignorable code points
 * (variation selectors, the combining grapheme joiner, Hangul fillers).
 * Two names that differ only in these would look the same.
 */
gboolean
charla_unichar_is_invisible (gunichar c)
{
  if (g_unichar_type (c) == G_UNICODE_FORMAT)
    return TRUE;

  return c == 0x034f ||                     /* combining grapheme joiner */
         c == 0x115f || c == 0x1160 ||      /* Hangul choseong/jungseong fillers */
         c == 0x17b4 || c == 0x17b5 ||      /* Khmer inherent vowels */
         (c >= 0x180b && c <= 0x180f) ||    /* Mongolian variation selectors */
         c == 0x3164 || c == 0xffa0 ||      /* Hangul fillers */
         (c >= 0xfe00 && c <= 0xfe0f) ||    /* variation selectors */
         (c >= 0xe0100 && c <= 0xe01ef);    /* variation selectors supplement */
}

/**
 * charla_name_sanitize:
 * @data: a name as received or typed
 * @len: length of @data, or -1 if nul-terminated
 *
 * Makes a display name that cannot pass for another one: valid UTF-8
 * in composed form (NFC), terminal escape sequences removed whole,
 * control and invisible characters removed, every kind of white space
 * a single plain space, trimmed, at most %CHARLA_MAX_NAME_CHARS
 * characters. (Letters of different scripts that look alike, such as a
 * Latin and a Cyrillic "a", are beyond what a sanitiser can judge.)
 *
 * Returns: (transfer full) (nullable): the name, or %NULL if nothing
 *   usable is left
 */
char *
charla_name_sanitize (const char *data,
                      gssize      len)
{
  g_autofree char *valid = NULL;
  g_autofree char *composed = NULL;
  g_autoptr(GString) visible = NULL;
  gboolean pending_space = FALSE;
  const char *end;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len < 0)
    len = strlen (data);

  valid = g_utf8_make_valid (data, len);
  visible = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; )
    {
      gunichar c = g_utf8_get_char (p);

      if (is_escape_introducer (c))
        {
          p = skip_escape_sequence (p);
          continue;
        }

      p = g_utf8_next_char (p);

      if (g_unichar_isspace (c) || g_unichar_type (c) == G_UNICODE_SPACE_SEPARATOR)
        {
          /* Leading spaces vanish; inner runs become one. */
          pending_space = visible->len > 0;
          continue;
        }

      if (!charla_unichar_is_displayable (c) || c == 0xfffd || charla_unichar_is_invisible (c))
        continue;

      if (pending_space)
        g_string_append_c (visible, ' ');
      pending_space = FALSE;
      g_string_append_unichar (visible, c);
    }

  if (visible->len == 0)
    return NULL;

  /* Composed only now: what was removed may have kept a letter and its
   * accent apart. */
  composed = g_utf8_normalize (visible->str, visible->len, G_NORMALIZE_NFC);
  end = g_utf8_offset_to_pointer (composed, MIN (g_utf8_strlen (composed, -1), CHARLA_MAX_NAME_CHARS));
  while (end > composed && end[-1] == ' ')
    end--;

  return g_strndup (composed, end - composed);
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

