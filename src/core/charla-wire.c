/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <string.h>

#include "charla-text.h"
#include "charla-wire.h"

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

      if (!charla_unichar_is_displayable (c) || c == '\t')
        return FALSE;
    }

  return TRUE;
}


/* Request lines "METHOD SP TARGET SP PROTO/…" and status lines
 * "PROTO/…" of the text protocols a service scan tries first. */
static const char * const request_protocols[] = { "HTTP", "RTSP", "SIP" };

static const char *
request_line_protocol (const char *line,
                       gsize       len)
{
  const char *target;
  const char *version;
  gsize method_len = 0;

  for (guint i = 0; i < G_N_ELEMENTS (request_protocols); i++)
    {
      gsize n = strlen (request_protocols[i]);

      if (len > n && memcmp (line, request_protocols[i], n) == 0 && line[n] == '/')
        return request_protocols[i];
    }

  /* An upper-case method, one target without spaces, a version. */
  while (method_len < len && method_len < 24 &&
         (g_ascii_isupper (line[method_len]) || line[method_len] == '-' || line[method_len] == '_'))
    method_len++;
  if (method_len < 3 || method_len >= len || line[method_len] != ' ')
    return NULL;

  target = line + method_len + 1;
  version = memchr (target, ' ', line + len - target);
  if (version == NULL || version == target)
    return NULL;
  version++;

  for (guint i = 0; i < G_N_ELEMENTS (request_protocols); i++)
    {
      gsize n = strlen (request_protocols[i]);

      if ((gsize) (line + len - version) > n + 1 &&
          memcmp (version, request_protocols[i], n) == 0 && version[n] == '/' &&
          g_ascii_isdigit (version[n + 1]))
        return request_protocols[i];
    }

  return NULL;
}

/* Commands a service scan sends as a whole line ending in CR LF, which
 * no seed client sends (it sends what was typed, without a line end). */
static const struct {
  const char *command;
  const char *protocol;
} line_commands[] = {
  { "EHLO", "SMTP" }, { "HELO", "SMTP" }, { "STARTTLS", "SMTP" },
  { "CAPA", "POP3" }, { "STLS", "POP3" },
  { "HELP", "HELP" }, { "QUIT", "QUIT" }, { "NOOP", "NOOP" },
  { "USER", "USER" }, { "AUTH", "AUTH" },
};

static const char *
line_command_protocol (const char *data,
                       gsize       len)
{
  const char *crlf = g_strstr_len (data, len, "\r\n");
  gsize word_len = 0;

  if (crlf == NULL)
    return NULL;

  while (data + word_len < crlf && data[word_len] != ' ')
    word_len++;

  for (guint i = 0; i < G_N_ELEMENTS (line_commands); i++)
    if (strlen (line_commands[i].command) == word_len &&
        memcmp (data, line_commands[i].command, word_len) == 0)
      return line_commands[i].protocol;

  return NULL;
}

/**
 * charla_detect_other_protocol:
 * @data: the first bytes an unnamed peer sent
 * @len: their length
 *
 * Recognises what is clearly not chat text from a seed client: a TLS
 * handshake, an SSH banner, a request or status line of HTTP, RTSP or
 * SIP, a mail or service command line ending in CR LF (`EHLO`, `HELP`),
 * or binary data (NUL or another control character than tab, CR, LF
 * and ESC, which arrow keys produce). A seed client sends what its user
 * typed, without a line end, so none of these is chat.
 *
 * Returns: (nullable): a short name for what it is ("HTTP", "TLS",
 *   "binary data"), or %NULL for text
 */
const char *
charla_detect_other_protocol (const char *data,
                              gsize       len)
{
  const char *line_end;
  const char *protocol;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len >= 2 && data[0] == 0x16 && data[1] == 0x03)
    return "TLS";
  if (len >= 4 && memcmp (data, "SSH-", 4) == 0)
    return "SSH";

  line_end = memchr (data, '\n', len);
  protocol = request_line_protocol (data, line_end != NULL ? (gsize) (line_end - data) : len);
  if (protocol == NULL)
    protocol = line_command_protocol (data, len);
  if (protocol != NULL)
    return protocol;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = data[i];

      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x1b) || c == 0x7f)
        return "binary data";
    }

  /* Invalid UTF-8 alone is no proof: netcat on a Latin-1 terminal sends
   * "a\xf1o" for "año". It is repaired for display instead. */
  return NULL;
}
