/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "charla-network-private.h"
#include "charla-test-support.h"

/* This machine's networks, as a scan's default targets, and its own
 * addresses, as the window offers them. Addresses here are from the
 * documentation ranges (RFC 5737, RFC 3849), never private ones. */

static void
assert_target (const char *address_text,
               guint       prefix_length,
               const char *expected)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (address_text);
  g_autofree char *target = charla_network_target_for_interface (address, prefix_length);

  g_assert_cmpstr (target, ==, expected);
}

static void
test_target_for_interface (void)
{
  assert_target ("192.0.2.77", 24, "192.0.2.0/24");
  /* Wider networks are cut to the interface's /24. */
  assert_target ("198.51.100.77", 16, "198.51.100.0/24");
  assert_target ("198.51.100.77", 8, "198.51.100.0/24");
  assert_target ("198.51.100.77", 0, "198.51.100.0/24");
  /* Smaller ones stay as they are. */
  assert_target ("203.0.113.77", 28, "203.0.113.64/28");
  assert_target ("203.0.113.77", 32, "203.0.113.77/32");
}

static void
test_local_targets_loopback_only (void)
{
  g_auto(GStrv) targets = NULL;

  /* meson sets it for every test; say so here too. */
  g_setenv ("CHARLA_LOOPBACK_ONLY", "1", TRUE);
  targets = charla_network_dup_local_targets ();

  g_assert_cmpuint (g_strv_length (targets), ==, 1);
  g_assert_cmpstr (targets[0], ==, "127.0.0.1");
}

/* Looking a name up asks a name server beyond loopback: under
 * CHARLA_LOOPBACK_ONLY only "localhost" is looked up. No lookup here. */
static void
test_host_names_loopback_only (void)
{
  g_autoptr(GError) error = NULL;

  g_setenv ("CHARLA_LOOPBACK_ONLY", "1", TRUE);
  g_assert_true (charla_check_host_allowed ("localhost", NULL));
  g_assert_true (charla_check_host_allowed ("LocalHost", NULL));
  g_assert_false (charla_check_host_allowed ("host.invalid", &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_NOT_LOOPBACK);
  g_assert_nonnull (strstr (error->message, "host.invalid"));
  g_clear_error (&error);
  g_assert_false (charla_check_host_allowed ("localhost.example", NULL));

  /* Without the guard any name may be looked up. */
  g_setenv ("CHARLA_LOOPBACK_ONLY", "0", TRUE);
  g_assert_true (charla_check_host_allowed ("host.invalid", NULL));
  g_setenv ("CHARLA_LOOPBACK_ONLY", "1", TRUE);
}

static void
test_local_targets_scannable (void)
{
  g_auto(GStrv) targets = NULL;
  g_autoptr(CharlaTargetSet) set = charla_target_set_new ();
  g_autoptr(GError) error = NULL;

  g_setenv ("CHARLA_LOOPBACK_ONLY", "1", TRUE);
  targets = charla_network_dup_local_targets ();

  for (guint i = 0; targets[i] != NULL; i++)
    {
      g_assert_true (charla_target_set_add (set, targets[i], &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (charla_target_set_get_n_hosts (set), >, 0);
}

/* Only lists this machine's interfaces: nothing is sent anywhere. */
static void
test_local_targets_listed (void)
{
  g_auto(GStrv) targets = NULL;

  g_setenv ("CHARLA_LOOPBACK_ONLY", "0", TRUE);
  targets = charla_network_dup_local_targets ();
  g_setenv ("CHARLA_LOOPBACK_ONLY", "1", TRUE);

  g_assert_cmpstr (targets[0], ==, "127.0.0.1");
  for (guint i = 1; targets[i] != NULL; i++)
    {
      const char *slash = strchr (targets[i], '/');
      g_autofree char *address_text = NULL;
      g_autoptr(GInetAddress) address = NULL;

      g_assert_nonnull (slash);
      g_assert_cmpint (atoi (slash + 1), >=, 24);
      address_text = g_strndup (targets[i], slash - targets[i]);
      address = g_inet_address_new_from_string (address_text);
      g_assert_nonnull (address);
      g_assert_false (g_inet_address_get_is_loopback (address));
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (targets[j], !=, targets[i]);
    }
}

static GPtrArray *
interfaces_new (const char *first,
                ...)
{
  GPtrArray *addresses = g_ptr_array_new_with_free_func (g_object_unref);
  va_list args;

  va_start (args, first);
  for (const char *text = first; text != NULL; text = va_arg (args, const char *))
    g_ptr_array_add (addresses, g_inet_address_new_from_string (text));
  va_end (args);

  return addresses;
}

static void
assert_strv (char       **actual,
             const char  *expected)
{
  g_autofree char *joined = g_strjoinv (" ", actual);

  g_assert_cmpstr (joined, ==, expected);
}

/* The choice, with interfaces of the test's own: IPv4 first, then
 * global IPv6, loopback only when nothing else is there or bound. */
static void
test_own_addresses_chosen (void)
{
  g_autoptr(GPtrArray) lan = interfaces_new ("127.0.0.1", "::1", "2001:db8::5", "fe80::1", "fd00::7",
                                             "192.0.2.10", "198.51.100.4", "192.0.2.10", NULL);
  g_autoptr(GPtrArray) loopback = interfaces_new ("127.0.0.1", "::1", "fe80::1", NULL);
  g_autoptr(GPtrArray) none = interfaces_new (NULL);
  char **addresses;

  /* Every address: IPv4 in the kernel's order, once each, then the
   * global IPv6 one; no loopback, link-local or unique-local. */
  addresses = charla_network_choose_own_addresses (lan, NULL);
  assert_strv (addresses, "192.0.2.10 198.51.100.4 2001:db8::5");
  g_strfreev (addresses);
  addresses = charla_network_choose_own_addresses (lan, "::");
  assert_strv (addresses, "192.0.2.10 198.51.100.4 2001:db8::5");
  g_strfreev (addresses);

  /* Bound to IPv4's any address: IPv4 only. */
  addresses = charla_network_choose_own_addresses (lan, "0.0.0.0");
  assert_strv (addresses, "192.0.2.10 198.51.100.4");
  g_strfreev (addresses);

  /* Bound to one address: that one, loopback included. */
  addresses = charla_network_choose_own_addresses (lan, "198.51.100.4");
  assert_strv (addresses, "198.51.100.4");
  g_strfreev (addresses);
  addresses = charla_network_choose_own_addresses (lan, "127.0.0.1");
  assert_strv (addresses, "127.0.0.1");
  g_strfreev (addresses);
  addresses = charla_network_choose_own_addresses (lan, "::1");
  assert_strv (addresses, "::1");
  g_strfreev (addresses);

  /* Nothing but loopback (or nothing at all): loopback. */
  addresses = charla_network_choose_own_addresses (loopback, NULL);
  assert_strv (addresses, "127.0.0.1");
  g_strfreev (addresses);
  addresses = charla_network_choose_own_addresses (none, NULL);
  assert_strv (addresses, "127.0.0.1");
  g_strfreev (addresses);
}

/* This machine's real interfaces, under CHARLA_LOOPBACK_ONLY: listing
 * them asks the kernel and sends nothing, and leaves nothing open. */
static void
test_own_addresses_listed (void)
{
  guint fds_before = charla_test_count_open_fds ();
  g_auto(GStrv) addresses = NULL;
  g_auto(GStrv) bound = NULL;
  gboolean seen_ipv6 = FALSE;

  g_setenv ("CHARLA_LOOPBACK_ONLY", "1", TRUE);
  addresses = charla_network_dup_own_addresses (NULL);
  g_assert_cmpuint (charla_test_count_open_fds (), ==, fds_before);

  g_assert_nonnull (addresses[0]);
  for (guint i = 0; addresses[i] != NULL; i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (addresses[i]);

      g_assert_nonnull (address);
      /* Loopback only alone. */
      if (g_inet_address_get_is_loopback (address))
        g_assert_cmpuint (g_strv_length (addresses), ==, 1);
      g_assert_false (g_inet_address_get_is_link_local (address));
      if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
        seen_ipv6 = TRUE;
      else
        g_assert_false (seen_ipv6);
    }

  /* A node bound to an address of the test's own is reached there. */
  bound = charla_network_dup_own_addresses ("127.0.57.2");
  assert_strv (bound, "127.0.57.2");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charla/network/target-for-interface", test_target_for_interface);
  g_test_add_func ("/charla/network/local-targets/loopback-only", test_local_targets_loopback_only);
  g_test_add_func ("/charla/network/host-names/loopback-only", test_host_names_loopback_only);
  g_test_add_func ("/charla/network/local-targets/scannable", test_local_targets_scannable);
  g_test_add_func ("/charla/network/local-targets/listed", test_local_targets_listed);
  g_test_add_func ("/charla/network/own-addresses/chosen", test_own_addresses_chosen);
  g_test_add_func ("/charla/network/own-addresses/listed", test_own_addresses_listed);

  return g_test_run ();
}
