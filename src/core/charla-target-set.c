/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "charla-endpoint-private.h"
#include "charla-error.h"
#include "charla-target-set.h"

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
  if (!charla_parse_decimal (slash + 1, &prefix) || prefix > max_prefix)
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

  if (charla_parse_decimal (last_text, &octet))
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
  g_autofree char *valid = NULL;
  guint64 n_added = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Items are echoed in error messages, which must be valid UTF-8. */
  valid = g_utf8_make_valid (spec, -1);
  spec = valid;
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
