/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Charla"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "charla-protocol.h"

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
      if (neutralise_control (c) != c || c == 0xfffd)
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
 * charla_is_name_query:
 * @data: a raw chunk
 * @len: its length
 *
 * Whether @data is the seed's bare name query, compared as the seed
 * does (`message.lower() == "--name"`).
 */
gboolean
charla_is_name_query (const char *data,
                      gsize       len)
{
  return len == CHARLA_NAME_QUERY_LEN &&
         g_ascii_strncasecmp (data, CHARLA_NAME_QUERY, len) == 0;
}

/**
 * charla_is_name_query_prefix:
 *
 * Whether @data could still grow into a bare name query: a query split
 * by TCP must not be taken for chat text.
 */
gboolean
charla_is_name_query_prefix (const char *data,
                             gsize       len)
{
  return len > 0 && len < CHARLA_NAME_QUERY_LEN &&
         g_ascii_strncasecmp (data, CHARLA_NAME_QUERY, len) == 0;
}

/* Greetings of services that commonly sit on 9990–10005 or answer
 * anything (HTTP on 10000, Webmin, SSH, mail…). */
static const char * const service_banners[] = {
  "HTTP/", "SSH-", "220 ", "220-", "+OK", "-ERR", "* OK", "<", "{", "[",
  "RFB ", "AMQP", "@RSYNCD", "\x16\x03",
};

/**
 * charla_reply_is_plausible_name:
 * @data: the reply to a bare name query
 * @len: its length
 *
 * Tells a chat node's name from another service's reply: a name is
 * non-empty valid UTF-8 of at most 256 bytes without control characters
 * (a trailing newline is tolerated) that does not start like a known
 * protocol banner.
 */
gboolean
charla_reply_is_plausible_name (const char *data,
                                gsize       len)
{
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
    len--;

  if (len == 0 || len > 256)
    return FALSE;

  if (!g_utf8_validate_len (data, len, NULL))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (service_banners); i++)
    {
      gsize banner_len = strlen (service_banners[i]);

      if (len >= banner_len && memcmp (data, service_banners[i], banner_len) == 0)
        return FALSE;
    }

  for (const char *p = data; p < data + len; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (neutralise_control (c) != c || c == '\t')
        return FALSE;
    }

  return TRUE;
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

/* Line splitting */

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

/* Commands */

static gboolean
command_matches (const char  *line,
                 const char  *command,
                 const char **out_rest)
{
  gsize len = strlen (command);

  if (g_ascii_strncasecmp (line, command, len) != 0)
    return FALSE;
  if (line[len] != '\0' && !g_ascii_isspace (line[len]))
    return FALSE;

  *out_rest = line + len;
  while (g_ascii_isspace (**out_rest))
    (*out_rest)++;

  return TRUE;
}

/**
 * charla_command_parse:
 * @line: a line the user typed in the chat
 * @out_argument: (out) (optional) (transfer full) (nullable): the
 *   command's argument, or the text to send
 *
 * Tells chat text from the seed's chat commands (`--ch`, `--ex`,
 * `--name`), matched case-insensitively like the seed's `.lower()`.
 *
 * Returns: what the line asks for
 */
CharlaCommandKind
charla_command_parse (const char  *line,
                      char       **out_argument)
{
  g_autofree char *trimmed = NULL;
  const char *rest = NULL;
  CharlaCommandKind kind;

  g_return_val_if_fail (line != NULL, CHARLA_COMMAND_NONE);

  if (out_argument != NULL)
    *out_argument = NULL;

  trimmed = g_strstrip (g_strdup (line));

  if (trimmed[0] == '\0')
    return CHARLA_COMMAND_NONE;

  if (command_matches (trimmed, "--ch", &rest))
    kind = CHARLA_COMMAND_CONNECT;
  else if (command_matches (trimmed, "--ex", &rest))
    kind = CHARLA_COMMAND_DISCONNECT_ALL;
  else if (command_matches (trimmed, CHARLA_NAME_QUERY, &rest))
    kind = *rest != '\0' ? CHARLA_COMMAND_RENAME : CHARLA_COMMAND_SHOW_NAMES;
  else if (command_matches (trimmed, "--scan", &rest))
    kind = CHARLA_COMMAND_SCAN;
  else if (command_matches (trimmed, "--help", &rest))
    kind = CHARLA_COMMAND_HELP;
  else
    {
      /* Chat text is sent as typed, only without the line end. */
      if (out_argument != NULL)
        *out_argument = g_strdup (line);
      return CHARLA_COMMAND_SEND;
    }

  if (out_argument != NULL && *rest != '\0')
    *out_argument = g_strdup (rest);

  return kind;
}
