/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "charla-test-support.h"

/* This machine's networks, as a scan's default targets. Addresses here
 * are from the documentation ranges (RFC 5737), never private ones. */

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charla/network/target-for-interface", test_target_for_interface);
  g_test_add_func ("/charla/network/local-targets/loopback-only", test_local_targets_loopback_only);
  g_test_add_func ("/charla/network/local-targets/scannable", test_local_targets_scannable);
  g_test_add_func ("/charla/network/local-targets/listed", test_local_targets_listed);

  return g_test_run ();
}
