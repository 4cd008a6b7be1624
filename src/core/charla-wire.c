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

