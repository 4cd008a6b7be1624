/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "charla-endpoint.h"
#include "charla-endpoint-private.h"
#include "charla-error.h"

/* Parses a decimal number made only of digits; FALSE on anything else.
 * Saturates instead of overflowing so "99999999999" reads as too big. */
gboolean
charla_parse_decimal (const char *text,
                      guint64    *out_value)
{
  guint64 value = 0;

  if (*text == '\0')
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      if (value < G_MAXUINT32)
        value = value * 10 + (guint64) (*p - '0');
    }

  *out_value = value;
  return TRUE;
}

/**
 * charla_port_parse:
 * @text: a port number, 1–65535
 * @out_port: (out): the port
 * @error: return location for a #CHARLA_ERROR_INVALID_PORT error
 *
 * Returns: %TRUE if @text is a valid port
 */
gboolean
charla_port_parse (const char  *text,
                   guint16     *out_port,
                   GError     **error)
{
  g_autofree char *trimmed = NULL;
  guint64 value;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Echoed in error messages, which must be valid UTF-8. */
  trimmed = g_strstrip (g_utf8_make_valid (text, -1));

  if (!charla_parse_decimal (trimmed, &value))
    {
      if (*trimmed == '\0')
        g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT,
                     _("The port must be a whole number, but none was given"));
      else
        g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT,
                     _("The port must be a whole number, not “%s”"), trimmed);
      return FALSE;
    }

  if (value < 1 || value > G_MAXUINT16)
    {
      g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT,
                   _("Port %s is out of range (1–65535)"), trimmed);
      return FALSE;
    }

  if (out_port != NULL)
    *out_port = (guint16) value;
  return TRUE;
}

/**
 * charla_port_range_parse:
 * @spec: a port (`10000`) or an inclusive range (`9990-10005`)
 * @out_min: (out): the first port
 * @out_max: (out): the last port
 * @error: return location for a #CHARLA_ERROR_INVALID_PORT error
 *
 * Returns: %TRUE if @spec is a valid port or range
 */
gboolean
charla_port_range_parse (const char  *spec,
                         guint16     *out_min,
                         guint16     *out_max,
                         GError     **error)
{
  g_autofree char *first = NULL;
  const char *dash;
  guint16 port_min, port_max;

  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dash = strchr (spec, '-');
  if (dash == NULL)
    {
      if (!charla_port_parse (spec, &port_min, error))
        return FALSE;
      port_max = port_min;
    }
  else
    {
      first = g_strndup (spec, dash - spec);
      if (!charla_port_parse (first, &port_min, error) ||
          !charla_port_parse (dash + 1, &port_max, error))
        return FALSE;

      if (port_max < port_min)
        {
          g_autofree char *trimmed = g_strstrip (g_utf8_make_valid (spec, -1));

          g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT,
                       _("Port range %s ends before it starts"), trimmed);
          return FALSE;
        }
    }

  if (out_min != NULL)
    *out_min = port_min;
  if (out_max != NULL)
    *out_max = port_max;
  return TRUE;
}

static gboolean
is_valid_host_name (const char *host)
{
  if (*host == '\0' || strlen (host) > 253)
    return FALSE;

  /* Letters, digits, dots and dashes, or any non-ASCII (an IDN that the
   * resolver will encode); never white space or other punctuation. */
  for (const char *p = host; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x80 || g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_')
        continue;
      return FALSE;
    }

  return g_utf8_validate (host, -1, NULL);
}

static gboolean
only_digits_and_dots (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && *p != '.')
      return FALSE;
  return TRUE;
}

/**
 * charla_host_port_parse:
 * @text: `HOST`, `HOST:PORT`, `[IPV6]`, `[IPV6]:PORT` or a bare IPv6 address
 * @out_host: (out) (transfer full): the host name or address, without brackets
 * @out_port: (out): the port, or 0 when @text gives none
 * @error: return location for a #CHARLA_ERROR
 *
 * Parses a connection target.  Unlike scan targets, host names are
 * accepted: they are resolved when connecting.
 *
 * Returns: %TRUE on success
 */
gboolean
charla_host_port_parse (const char  *text,
                        char       **out_host,
                        guint16     *out_port,
                        GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *host = NULL;
  const char *port_text = NULL;
  guint16 port = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Echoed in error messages, which must be valid UTF-8. */
  trimmed = g_strstrip (g_utf8_make_valid (text, -1));

  if (*trimmed == '\0')
    {
      g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                   _("No host was given"));
      return FALSE;
    }

  if (trimmed[0] == '[')
    {
      const char *close = strchr (trimmed, ']');
      g_autoptr(GInetAddress) address = NULL;

      if (close == NULL || (close[1] != '\0' && close[1] != ':'))
        {
          g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                       _("“%s” is not a valid [address]:port"), trimmed);
          return FALSE;
        }

      host = g_strndup (trimmed + 1, close - trimmed - 1);
      address = g_inet_address_new_from_string (host);
      if (address == NULL || g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
        {
          g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                       _("“%s” is not an IPv6 address"), host);
          return FALSE;
        }

      if (close[1] == ':')
        port_text = close + 2;
    }
  else
    {
      const char *colon = strchr (trimmed, ':');

      if (colon != NULL && strchr (colon + 1, ':') != NULL)
        {
          /* Several colons: a bare IPv6 address, which has no port. */
          g_autoptr(GInetAddress) address = g_inet_address_new_from_string (trimmed);

          if (address == NULL)
            {
              g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                           _("“%s” is not an IPv6 address; write an IPv6 address with a port as [address]:port"),
                           trimmed);
              return FALSE;
            }
          host = g_strdup (trimmed);
        }
      else if (colon != NULL)
        {
          host = g_strndup (trimmed, colon - trimmed);
          port_text = colon + 1;
        }
      else
        host = g_strdup (trimmed);

      if (*host == '\0')
        {
          g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                       _("“%s” has a port but no host"), trimmed);
          return FALSE;
        }
      else if (only_digits_and_dots (host))
        {
          g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

          if (address == NULL)
            {
              g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                           _("“%s” is not an IP address"), host);
              return FALSE;
            }
        }
      else if (strchr (host, ':') == NULL && !is_valid_host_name (host))
        {
          g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                       _("“%s” is neither an IP address nor a host name"), host);
          return FALSE;
        }
    }

  if (port_text != NULL && !charla_port_parse (port_text, &port, error))
    return FALSE;

  if (out_host != NULL)
    *out_host = g_steal_pointer (&host);
  if (out_port != NULL)
    *out_port = port;
  return TRUE;
}


/**
 * charla_endpoint_format:
 * @host: an IP address or a host name; an IPv6 address may come with
 *   or without brackets
 * @port: a port
 *
 * The one way Charla writes an endpoint, for people and for
 * charla_host_port_parse() alike.
 *
 * Returns: (transfer full): "host:port", or "[address]:port" for IPv6
 */
char *
charla_endpoint_format (const char *host,
                        guint16     port)
{
  g_return_val_if_fail (host != NULL, NULL);

  if (host[0] != '[' && strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, port);

  return g_strdup_printf ("%s:%u", host, port);
}
