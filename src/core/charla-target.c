/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Charla"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "charla-error.h"
#include "charla-target.h"

/* Addresses are handled as 128-bit unsigned numbers (IPv4 in the low 32
 * bits) so ranges, CIDR blocks and de-duplication share one code path. */
typedef struct
{
  guint64 hi;
  guint64 lo;
} U128;

/* A run of consecutive addresses of one family.  @first_index is the
 * set-wide index of @start, so lookups are a binary search. */
typedef struct
{
  GSocketFamily family;
  U128 start;
  guint64 count;
  guint64 first_index;
} TargetBlock;

struct _CharlaTargetSet
{
  gatomicrefcount ref_count;
  GArray *blocks;               /* of TargetBlock, in insertion order */
  guint64 n_hosts;
};

G_DEFINE_BOXED_TYPE (CharlaTargetSet, charla_target_set,
                     charla_target_set_ref, charla_target_set_unref)

static int
u128_compare (U128 a,
              U128 b)
{
  if (a.hi != b.hi)
    return a.hi < b.hi ? -1 : 1;
  if (a.lo != b.lo)
    return a.lo < b.lo ? -1 : 1;
  return 0;
}

static U128
u128_add (U128    a,
          guint64 n)
{
  U128 r = { a.hi, a.lo + n };

  if (r.lo < a.lo)
    r.hi++;
  return r;
}

/* b - a for a <= b; callers only use it for spans they know are small. */
static guint64
u128_distance (U128 a,
               U128 b)
{
  return b.lo - a.lo;
}

static U128
u128_from_address (GInetAddress *address)
{
  const guint8 *bytes = g_inet_address_to_bytes (address);
  U128 r = { 0, 0 };

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    {
      r.lo = ((guint64) bytes[0] << 24) | ((guint64) bytes[1] << 16) |
             ((guint64) bytes[2] << 8) | bytes[3];
      return r;
    }

  for (guint i = 0; i < 8; i++)
    r.hi = (r.hi << 8) | bytes[i];
  for (guint i = 8; i < 16; i++)
    r.lo = (r.lo << 8) | bytes[i];
  return r;
}

static GInetAddress *
u128_to_address (U128          value,
                 GSocketFamily family)
{
  guint8 bytes[16];

  if (family == G_SOCKET_FAMILY_IPV4)
    {
      bytes[0] = (value.lo >> 24) & 0xff;
      bytes[1] = (value.lo >> 16) & 0xff;
      bytes[2] = (value.lo >> 8) & 0xff;
      bytes[3] = value.lo & 0xff;
      return g_inet_address_new_from_bytes (bytes, family);
    }

  for (guint i = 0; i < 8; i++)
    bytes[i] = (value.hi >> (56 - 8 * i)) & 0xff;
  for (guint i = 0; i < 8; i++)
    bytes[8 + i] = (value.lo >> (56 - 8 * i)) & 0xff;
  return g_inet_address_new_from_bytes (bytes, family);
}

static gboolean
looks_like_host_name (const char *text)
{
  gboolean has_letter = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isalpha (*p))
        has_letter = TRUE;
      else if (!g_ascii_isdigit (*p) && *p != '-' && *p != '.')
        return FALSE;
    }

  return has_letter;
}

static GInetAddress *
parse_address (const char  *text,
               GError     **error)
{
  GInetAddress *address = g_inet_address_new_from_string (text);

  if (address != NULL)
    return address;

  if (*text == '\0')
    g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                 _("An address is missing"));
  else if (looks_like_host_name (text))
    g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                 _("“%s” is not an IP address: scan targets must be addresses such as 127.0.0.1, not host names"),
                 text);
  else
    g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                 _("“%s” is not an IP address"), text);

  return NULL;
}

/* Parses a decimal number made only of digits; FALSE on anything else.
 * Saturates instead of overflowing so "99999999999" reads as too big. */
static gboolean
parse_decimal (const char *text,
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

static char *
format_address_count (guint bits)
{
  if (bits < 64)
    return g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) 1 << bits);
  return g_strdup_printf ("2^%u", bits);
}

static gboolean
parse_cidr (const char     *item,
            const char     *slash,
            GSocketFamily  *out_family,
            U128           *out_start,
            guint64        *out_count,
            GError        **error)
{
  g_autofree char *address_text = g_strndup (item, slash - item);
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GInetAddressMask) mask = NULL;
  g_autoptr(GError) mask_error = NULL;
  guint max_prefix;
  guint64 prefix;
  guint host_bits;

  address = parse_address (address_text, error);
  if (address == NULL)
    return FALSE;

  max_prefix = g_inet_address_get_native_size (address) * 8;
  if (!parse_decimal (slash + 1, &prefix) || prefix > max_prefix)
    {
      g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                   _("“/%s” is not a valid prefix length for %s (0–%u)"),
                   slash + 1, address_text, max_prefix);
      return FALSE;
    }

  host_bits = max_prefix - (guint) prefix;
  if (host_bits > 16 || ((guint64) 1 << host_bits) > CHARLA_MAX_SCAN_PROBES)
    {
      g_autofree char *count = format_address_count (host_bits);

      g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_RANGE_TOO_LARGE,
                   _("“%s” covers %s addresses; a scan is limited to %u probes"),
                   item, count, (guint) CHARLA_MAX_SCAN_PROBES);
      return FALSE;
    }

  mask = g_inet_address_mask_new (address, (guint) prefix, &mask_error);
  if (mask == NULL)
    {
      /* GLib refuses host bits beyond the prefix; say what was meant. */
      U128 value = u128_from_address (address);
      U128 network;
      g_autoptr(GInetAddress) network_address = NULL;
      g_autofree char *network_text = NULL;
      guint bits = host_bits;

      if (bits >= 64)
        network = (U128) { bits >= 128 ? 0 : value.hi & ~((G_GUINT64_CONSTANT (1) << (bits - 64)) - 1), 0 };
      else
        network = (U128) { value.hi, value.lo & ~((G_GUINT64_CONSTANT (1) << bits) - 1) };

      network_address = u128_to_address (network, g_inet_address_get_family (address));
      network_text = g_inet_address_to_string (network_address);
      g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                   _("“%s” has bits set after the /%u prefix; did you mean %s/%u?"),
                   item, (guint) prefix, network_text, (guint) prefix);
      return FALSE;
    }

  *out_family = g_inet_address_get_family (address);
  *out_start = u128_from_address (g_inet_address_mask_get_address (mask));
  *out_count = (guint64) 1 << host_bits;
  return TRUE;
}

static gboolean
parse_range (const char     *item,
             const char     *dash,
             GSocketFamily  *out_family,
             U128           *out_start,
             guint64        *out_count,
             GError        **error)
{
  g_autofree char *first_text = g_strstrip (g_strndup (item, dash - item));
  g_autofree char *last_text = g_strstrip (g_strdup (dash + 1));
  g_autoptr(GInetAddress) first = NULL;
  GSocketFamily family;
  U128 start, end;
  guint64 octet;

  first = parse_address (first_text, error);
  if (first == NULL)
    return FALSE;

  family = g_inet_address_get_family (first);
  start = u128_from_address (first);

  if (parse_decimal (last_text, &octet))
    {
      if (family != G_SOCKET_FAMILY_IPV4)
        {
          g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                       _("In the IPv6 range “%s”, give the whole last address (for example ::1-::5)"),
                       item);
          return FALSE;
        }
      if (octet > 255)
        {
          g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                       _("In the range “%s”, %s is not a valid last octet (0–255)"),
                       item, last_text);
          return FALSE;
        }
      end = (U128) { 0, (start.lo & ~G_GUINT64_CONSTANT (0xff)) | octet };
    }
  else
    {
      g_autoptr(GInetAddress) last = parse_address (last_text, error);

      if (last == NULL)
        return FALSE;
      if (g_inet_address_get_family (last) != family)
        {
          g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                       _("The range “%s” mixes IPv4 and IPv6 addresses"), item);
          return FALSE;
        }
      end = u128_from_address (last);
    }

  if (u128_compare (end, start) < 0)
    {
      g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                   _("Range %s ends before it starts"), item);
      return FALSE;
    }

  /* Spans are small, so end.lo - start.lo is exact modulo 2^64 even when
   * the range crosses into the next high word. */
  if (end.hi - start.hi > 1 || (end.hi != start.hi && end.lo >= start.lo) ||
      end.lo - start.lo >= CHARLA_MAX_SCAN_PROBES)
    {
      g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_RANGE_TOO_LARGE,
                   _("The range “%s” has more than %u addresses, the most a scan may probe"),
                   item, (guint) CHARLA_MAX_SCAN_PROBES);
      return FALSE;
    }

  *out_family = family;
  *out_start = start;
  *out_count = end.lo - start.lo + 1;
  return TRUE;
}

static gboolean
parse_item (const char     *item,
            GSocketFamily  *out_family,
            U128           *out_start,
            guint64        *out_count,
            GError        **error)
{
  const char *slash = strchr (item, '/');
  const char *dash = strchr (item, '-');
  g_autoptr(GInetAddress) address = NULL;

  if (looks_like_host_name (item))
    {
      g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                   _("“%s” is not an IP address: scan targets must be addresses such as 127.0.0.1, not host names"),
                   item);
      return FALSE;
    }

  if (slash != NULL)
    return parse_cidr (item, slash, out_family, out_start, out_count, error);

  /* Host names may contain dashes, but they are refused anyway, and
   * parse_range reports the first half as "not an IP address". */
  if (dash != NULL)
    return parse_range (item, dash, out_family, out_start, out_count, error);

  address = parse_address (item, error);
  if (address == NULL)
    return FALSE;

  *out_family = g_inet_address_get_family (address);
  *out_start = u128_from_address (address);
  *out_count = 1;
  return TRUE;
}

static void
append_block (GArray        *pending,
              GSocketFamily  family,
              U128           start,
              guint64        count)
{
  TargetBlock block = { family, start, count, 0 };

  g_array_append_val (pending, block);
}

/* Removes from @pending (blocks of one new item) whatever @existing
 * holds, splitting blocks around overlaps: the set stays de-duplicated
 * without ever enumerating its addresses. */
static void
subtract_blocks (GArray *existing,
                 GArray *pending)
{
  for (guint b = 0; b < existing->len && pending->len > 0; b++)
    {
      const TargetBlock *old = &g_array_index (existing, TargetBlock, b);
      U128 old_last = u128_add (old->start, old->count - 1);
      g_autoptr(GArray) next = g_array_new (FALSE, FALSE, sizeof (TargetBlock));

      for (guint p = 0; p < pending->len; p++)
        {
          const TargetBlock *piece = &g_array_index (pending, TargetBlock, p);
          U128 last = u128_add (piece->start, piece->count - 1);

          if (piece->family != old->family ||
              u128_compare (last, old->start) < 0 ||
              u128_compare (piece->start, old_last) > 0)
            {
              g_array_append_val (next, *piece);
              continue;
            }

          if (u128_compare (piece->start, old->start) < 0)
            append_block (next, piece->family, piece->start,
                          u128_distance (piece->start, old->start));
          if (u128_compare (last, old_last) > 0)
            append_block (next, piece->family, u128_add (old_last, 1),
                          u128_distance (old_last, last));
        }

      g_array_set_size (pending, 0);
      g_array_append_vals (pending, next->data, next->len);
    }
}

/**
 * charla_target_set_new:
 *
 * Returns: (transfer full): an empty target set
 */
CharlaTargetSet *
charla_target_set_new (void)
{
  CharlaTargetSet *self = g_new0 (CharlaTargetSet, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->blocks = g_array_new (FALSE, FALSE, sizeof (TargetBlock));
  return self;
}

CharlaTargetSet *
charla_target_set_ref (CharlaTargetSet *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
charla_target_set_unref (CharlaTargetSet *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_array_unref (self->blocks);
      g_free (self);
    }
}

/**
 * charla_target_set_add:
 * @self: a target set
 * @spec: addresses: `127.0.0.1`, `127.0.0.10-20`, `127.0.0.10-127.0.1.5`,
 *   `127.0.0.0/24`, `::1`, `::1/128`, or a comma-separated list of those
 * @error: return location for a #CHARLA_ERROR
 *
 * Adds the addresses of @spec that the set does not hold yet.  On error
 * the set is left unchanged.
 *
 * Returns: %TRUE on success
 */
gboolean
charla_target_set_add (CharlaTargetSet  *self,
                       const char       *spec,
                       GError          **error)
{
  g_auto(GStrv) items = NULL;
  g_autoptr(GArray) added = NULL;
  guint64 n_added = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  items = g_strsplit (spec, ",", -1);
  added = g_array_new (FALSE, FALSE, sizeof (TargetBlock));

  if (items[0] == NULL || (items[1] == NULL && *g_strstrip (items[0]) == '\0'))
    {
      g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                   _("No address to scan was given"));
      return FALSE;
    }

  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);
      g_autoptr(GArray) pending = g_array_new (FALSE, FALSE, sizeof (TargetBlock));
      GSocketFamily family = G_SOCKET_FAMILY_INVALID;
      U128 start = { 0, 0 };
      guint64 count = 0;

      if (*item == '\0')
        {
          g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                       _("“%s” has an empty item between commas"), spec);
          return FALSE;
        }

      if (!parse_item (item, &family, &start, &count, error))
        return FALSE;

      append_block (pending, family, start, count);
      subtract_blocks (self->blocks, pending);
      /* Also against earlier items of this same spec ("a, a"). */
      subtract_blocks (added, pending);

      for (guint p = 0; p < pending->len; p++)
        n_added += g_array_index (pending, TargetBlock, p).count;
      g_array_append_vals (added, pending->data, pending->len);

      if (self->n_hosts + n_added > CHARLA_MAX_SCAN_PROBES)
        {
          g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_RANGE_TOO_LARGE,
                       _("These targets hold more than %u addresses, the most a scan may probe"),
                       (guint) CHARLA_MAX_SCAN_PROBES);
          return FALSE;
        }
    }

  for (guint p = 0; p < added->len; p++)
    {
      TargetBlock *block = &g_array_index (added, TargetBlock, p);

      block->first_index = self->n_hosts;
      self->n_hosts += block->count;
      g_array_append_val (self->blocks, *block);
    }

  return TRUE;
}

guint64
charla_target_set_get_n_hosts (CharlaTargetSet *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_hosts;
}

/**
 * charla_target_set_get_address:
 * @self: a target set
 * @index: an index below charla_target_set_get_n_hosts()
 *
 * Computes the @index-th address of the set; nothing is stored per address.
 *
 * Returns: (transfer full): the address
 */
GInetAddress *
charla_target_set_get_address (CharlaTargetSet *self,
                               guint64          index)
{
  guint low = 0, high;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_hosts, NULL);

  high = self->blocks->len;
  while (high - low > 1)
    {
      guint middle = low + (high - low) / 2;

      if (g_array_index (self->blocks, TargetBlock, middle).first_index <= index)
        low = middle;
      else
        high = middle;
    }

  {
    const TargetBlock *block = &g_array_index (self->blocks, TargetBlock, low);

    return u128_to_address (u128_add (block->start, index - block->first_index),
                            block->family);
  }
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

  trimmed = g_strstrip (g_strdup (text));

  if (!parse_decimal (trimmed, &value))
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
          g_autofree char *trimmed = g_strstrip (g_strdup (spec));

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

  trimmed = g_strstrip (g_strdup (text));

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
 * charla_loopback_only:
 *
 * Whether the environment variable `CHARLA_LOOPBACK_ONLY` is set (to
 * anything but empty or `0`): then no traffic may leave loopback.  Read
 * on every call so tests may change it.
 *
 * Returns: %TRUE when only loopback targets are allowed
 */
gboolean
charla_loopback_only (void)
{
  const char *value = g_getenv ("CHARLA_LOOPBACK_ONLY");

  return value != NULL && *value != '\0' && g_strcmp0 (value, "0") != 0;
}

/**
 * charla_check_target_allowed:
 * @address: an address about to be probed or connected to
 * @error: return location for a #CHARLA_ERROR_NOT_LOOPBACK error
 *
 * Returns: %FALSE if charla_loopback_only() forbids @address
 */
gboolean
charla_check_target_allowed (GInetAddress  *address,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (charla_loopback_only () && !g_inet_address_get_is_loopback (address))
    {
      g_autofree char *text = g_inet_address_to_string (address);

      g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_NOT_LOOPBACK,
                   _("CHARLA_LOOPBACK_ONLY is set: %s is not a loopback address"),
                   text);
      return FALSE;
    }

  return TRUE;
}
