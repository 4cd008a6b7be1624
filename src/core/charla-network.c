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
#include "charla-network-private.h"

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

/**
 * charla_check_host_allowed:
 * @host: a host name about to be looked up
 * @error: return location for a #CHARLA_ERROR_NOT_LOOPBACK error
 *
 * Looking a name up asks the name servers, which are not on loopback:
 * under charla_loopback_only() not even that query may leave, so only
 * "localhost" (answered from /etc/hosts) is looked up.
 *
 * Returns: %FALSE if charla_loopback_only() forbids looking @host up
 */
gboolean
charla_check_host_allowed (const char  *host,
                           GError     **error)
{
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (charla_loopback_only () && g_ascii_strcasecmp (host, "localhost") != 0)
    {
      g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_NOT_LOOPBACK,
                   _("CHARLA_LOOPBACK_ONLY is set: %s is not a loopback address"),
                   host);
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

/* An IPv6 address others on the Internet or the LAN can use: global
 * unicast (2000::/3), so not link-local, unique-local, loopback or
 * multicast. */
static gboolean
is_ipv6_global (GInetAddress *address)
{
  const guint8 *bytes = g_inet_address_to_bytes (address);

  return (bytes[0] & 0xe0) == 0x20;
}

static void
add_unique (GPtrArray *addresses,
            char      *address)
{
  if (g_ptr_array_find_with_equal_func (addresses, address, g_str_equal, NULL))
    g_free (address);
  else
    g_ptr_array_add (addresses, address);
}

/*
 * charla_network_choose_own_addresses:
 * @interface_addresses: (element-type GInetAddress): the addresses of the
 *   interfaces that are up, in the kernel's order
 * @bind_address: (nullable): see charla_network_dup_own_addresses()
 *
 * The choice charla_network_dup_own_addresses() makes, apart from the
 * kernel, so tests can give it any interfaces.
 */
char **
charla_network_choose_own_addresses (GPtrArray  *interface_addresses,
                                     const char *bind_address)
{
  g_autoptr(GPtrArray) ipv4 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ipv6 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GInetAddress) bound = NULL;
  gboolean want_ipv6 = TRUE;

  if (bind_address != NULL)
    {
      bound = g_inet_address_new_from_string (bind_address);
      if (bound != NULL && !g_inet_address_get_is_any (bound))
        {
          char *only[] = { g_inet_address_to_string (bound), NULL };

          return g_memdup2 (only, sizeof only);
        }
      /* 0.0.0.0 is IPv4 only; "::" takes both, as GSocket makes it. */
      want_ipv6 = bound == NULL || g_inet_address_get_family (bound) == G_SOCKET_FAMILY_IPV6;
    }

  for (guint i = 0; i < interface_addresses->len; i++)
    {
      GInetAddress *address = g_ptr_array_index (interface_addresses, i);

      if (g_inet_address_get_is_loopback (address))
        continue;
      if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
        add_unique (ipv4, g_inet_address_to_string (address));
      else if (want_ipv6 && is_ipv6_global (address))
        add_unique (ipv6, g_inet_address_to_string (address));
    }

  g_ptr_array_extend_and_steal (ipv4, g_steal_pointer (&ipv6));
  if (ipv4->len == 0)
    g_ptr_array_add (ipv4, g_strdup ("127.0.0.1"));
  g_ptr_array_add (ipv4, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&ipv4), FALSE);
}

/**
 * charla_network_dup_own_addresses:
 * @bind_address: (nullable): the address the node listens on, as given
 *   to charla_node_set_bind_address(); %NULL for every address
 *
 * The addresses at which others can reach a node of this machine that
 * listens on @bind_address: the address itself when it is a particular
 * one; otherwise the IPv4 addresses of the interfaces that are up and not
 * loopback, then (unless @bind_address is an IPv4 one) their global IPv6
 * addresses. Loopback (127.0.0.1) only when nothing else exists.
 *
 * This only asks the kernel for its interface list (getifaddrs()):
 * nothing is sent on any network, so it is allowed under
 * `CHARLA_LOOPBACK_ONLY` too, where it still names the real addresses.
 *
 * Returns: (transfer full) (array zero-terminated=1): addresses without
 *   port, the one to offer first at the start; never empty
 */
char **
charla_network_dup_own_addresses (const char *bind_address)
{
  g_autoptr(GPtrArray) interface_addresses = g_ptr_array_new_with_free_func (g_object_unref);
  struct ifaddrs *interfaces = NULL;
  char **addresses;

  if (getifaddrs (&interfaces) == 0)
    {
      for (struct ifaddrs *i = interfaces; i != NULL; i = i->ifa_next)
        {
          GSocketAddress *address = NULL;

          if (i->ifa_addr == NULL || (i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0)
            continue;
          if (i->ifa_addr->sa_family == AF_INET)
            address = g_socket_address_new_from_native (i->ifa_addr, sizeof (struct sockaddr_in));
          else if (i->ifa_addr->sa_family == AF_INET6)
            address = g_socket_address_new_from_native (i->ifa_addr, sizeof (struct sockaddr_in6));
          if (G_IS_INET_SOCKET_ADDRESS (address))
            g_ptr_array_add (interface_addresses,
                             g_object_ref (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address))));
          g_clear_object (&address);
        }
      freeifaddrs (interfaces);
    }

  addresses = charla_network_choose_own_addresses (interface_addresses, bind_address);
  g_debug ("this machine's addresses: %u, the first %s", g_strv_length (addresses), addresses[0]);

  return addresses;
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
