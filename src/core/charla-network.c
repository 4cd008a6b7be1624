/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gi18n.h>

#include "charla-error.h"
#include "charla-network.h"

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

/* The widest network a default scan covers: a /24 is 4,096 probes on
 * the seed's 16 ports and takes a fraction of a second. */
#define WIDEST_DEFAULT_PREFIX 24

/**
 * charla_network_target_for_interface:
 * @address: an IPv4 address of an interface
 * @prefix_length: the interface's network prefix length, 0–32
 *
 * The network a default scan covers for one interface: its /24, or its
 * own network when that is smaller (a /28 stays a /28).
 *
 * Returns: (transfer full): a target such as "192.0.2.0/24"
 */
char *
charla_network_target_for_interface (GInetAddress *address,
                                     guint         prefix_length)
{
  const guint8 *bytes;
  guint32 value, mask;
  guint prefix;

  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);
  g_return_val_if_fail (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4, NULL);
  g_return_val_if_fail (prefix_length <= 32, NULL);

  prefix = MAX (prefix_length, WIDEST_DEFAULT_PREFIX);
  bytes = g_inet_address_to_bytes (address);
  value = ((guint32) bytes[0] << 24) | ((guint32) bytes[1] << 16) | ((guint32) bytes[2] << 8) | bytes[3];
  mask = prefix == 32 ? G_MAXUINT32 : ~(G_MAXUINT32 >> prefix);
  value &= mask;

  return g_strdup_printf ("%u.%u.%u.%u/%u", value >> 24, (value >> 16) & 0xff,
                          (value >> 8) & 0xff, value & 0xff, prefix);
}

static guint
prefix_length_of_mask (const struct sockaddr *netmask)
{
  guint32 mask;
  guint length = 0;

  if (netmask == NULL || netmask->sa_family != AF_INET)
    return 32;

  mask = g_ntohl (((const struct sockaddr_in *) netmask)->sin_addr.s_addr);
  while (length < 32 && (mask & (0x80000000u >> length)) != 0)
    length++;

  return length;
}

/**
 * charla_network_dup_local_targets:
 *
 * What a scan covers when the user names no target: this machine
 * (127.0.0.1) and the IPv4 network of every interface that is up and
 * not loopback (see charla_network_target_for_interface()). With
 * `CHARLA_LOOPBACK_ONLY` set, this machine only.
 *
 * Returns: (transfer full) (array zero-terminated=1): scan targets
 */
char **
charla_network_dup_local_targets (void)
{
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_free);
  struct ifaddrs *interfaces = NULL;

  g_ptr_array_add (targets, g_strdup ("127.0.0.1"));

  if (!charla_loopback_only () && getifaddrs (&interfaces) == 0)
    {
      for (struct ifaddrs *i = interfaces; i != NULL; i = i->ifa_next)
        {
          g_autoptr(GInetAddress) address = NULL;
          char *target;

          if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
              (i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0)
            continue;

          address = g_inet_address_new_from_bytes ((const guint8 *) &((const struct sockaddr_in *) i->ifa_addr)->sin_addr,
                                                   G_SOCKET_FAMILY_IPV4);
          target = charla_network_target_for_interface (address, prefix_length_of_mask (i->ifa_netmask));

          if (g_ptr_array_find_with_equal_func (targets, target, g_str_equal, NULL))
            g_free (target);
          else
            g_ptr_array_add (targets, target);
        }

      freeifaddrs (interfaces);
    }

  g_debug ("this machine's networks: %u scan targets", targets->len);
  g_ptr_array_add (targets, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&targets), FALSE);
}

/**
 * charla_raise_fd_limit:
 *
 * Raises this process's soft limit on open files to its hard limit.
 * Debian's default soft limit (1024) is below what a node's connection
 * cap and a scan need; the hard limit is what the administrator allows.
 * Called from each program's main(), never by the library behind its
 * caller's back.
 */
void
charla_raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      rlim_t before = limit.rlim_cur;

      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) == 0)
        g_debug ("open-file limit raised from %lu to %lu",
                 (unsigned long) before, (unsigned long) limit.rlim_cur);
    }
}
