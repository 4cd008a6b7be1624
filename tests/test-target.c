/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include <gio/gio.h>

#include "charla-error.h"
#include "charla.h"

static char *
address_at (CharlaTargetSet *set,
            guint64          index)
{
  g_autoptr(GInetAddress) address = charla_target_set_get_address (set, index);

  return g_inet_address_to_string (address);
}

static void
assert_address_at (CharlaTargetSet *set,
                   guint64          index,
                   const char      *expected)
{
  g_autofree char *text = address_at (set, index);

  g_assert_cmpstr (text, ==, expected);
}

static CharlaTargetSet *
parse_ok (const char *spec)
{
  g_autoptr(CharlaTargetSet) set = charla_target_set_new ();
  g_autoptr(GError) error = NULL;

  charla_target_set_add (set, spec, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&set);
}

static void
assert_spec_error (const char *spec,
                   int         code,
                   const char *message_part)
{
  g_autoptr(CharlaTargetSet) set = charla_target_set_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (charla_target_set_add (set, spec, &error));
  g_assert_error (error, CHARLA_ERROR, code);
  if (message_part != NULL && strstr (error->message, message_part) == NULL)
    g_error ("“%s”: message “%s” lacks “%s”", spec, error->message, message_part);
  /* A failed add leaves the set untouched. */
  g_assert_cmpuint (charla_target_set_get_n_hosts (set), ==, 0);
}

static void
test_single (void)
{
  g_autoptr(CharlaTargetSet) set = parse_ok ("127.0.0.1");
  g_autoptr(CharlaTargetSet) v6 = parse_ok ("::1");
  g_autoptr(CharlaTargetSet) spaced = parse_ok ("  127.0.0.7 ");

  g_assert_cmpuint (charla_target_set_get_n_hosts (set), ==, 1);
  assert_address_at (set, 0, "127.0.0.1");
  g_assert_cmpuint (charla_target_set_get_n_hosts (v6), ==, 1);
  assert_address_at (v6, 0, "::1");
  assert_address_at (spaced, 0, "127.0.0.7");
}

static void
test_range (void)
{
  g_autoptr(CharlaTargetSet) set = parse_ok ("127.0.0.121-159");
  g_autoptr(CharlaTargetSet) full = parse_ok ("127.0.0.250-127.0.1.4");
  g_autoptr(CharlaTargetSet) v6 = parse_ok ("::1-::3");
  g_autoptr(CharlaTargetSet) one = parse_ok ("127.0.0.5-5");

  g_assert_cmpuint (charla_target_set_get_n_hosts (set), ==, 39);
  assert_address_at (set, 0, "127.0.0.121");
  assert_address_at (set, 38, "127.0.0.159");

  g_assert_cmpuint (charla_target_set_get_n_hosts (full), ==, 11);
  assert_address_at (full, 5, "127.0.0.255");
  assert_address_at (full, 6, "127.0.1.0");
  assert_address_at (full, 10, "127.0.1.4");

  g_assert_cmpuint (charla_target_set_get_n_hosts (v6), ==, 3);
  assert_address_at (v6, 2, "::3");
  g_assert_cmpuint (charla_target_set_get_n_hosts (one), ==, 1);
}

static void
test_cidr (void)
{
  g_autoptr(CharlaTargetSet) set = parse_ok ("127.0.0.0/24");
  g_autoptr(CharlaTargetSet) slash32 = parse_ok ("127.0.0.9/32");
  g_autoptr(CharlaTargetSet) v6 = parse_ok ("::1/128");
  g_autoptr(CharlaTargetSet) v6_block = parse_ok ("fd00::/120");

  g_assert_cmpuint (charla_target_set_get_n_hosts (set), ==, 256);
  assert_address_at (set, 0, "127.0.0.0");
  assert_address_at (set, 255, "127.0.0.255");
  g_assert_cmpuint (charla_target_set_get_n_hosts (slash32), ==, 1);
  assert_address_at (slash32, 0, "127.0.0.9");
  g_assert_cmpuint (charla_target_set_get_n_hosts (v6), ==, 1);
  assert_address_at (v6, 0, "::1");
  g_assert_cmpuint (charla_target_set_get_n_hosts (v6_block), ==, 256);
  assert_address_at (v6_block, 255, "fd00::ff");
}

static void
test_list_and_dedup (void)
{
  g_autoptr(CharlaTargetSet) set = parse_ok ("127.0.0.1, 127.0.0.3-5 ,::1,127.0.0.4,127.0.0.0/30");
  g_autoptr(GError) error = NULL;

  /* 127.0.0.1, .3, .4, .5, ::1, then what /30 adds: .0 and .2 */
  g_assert_cmpuint (charla_target_set_get_n_hosts (set), ==, 7);
  assert_address_at (set, 0, "127.0.0.1");
  assert_address_at (set, 1, "127.0.0.3");
  assert_address_at (set, 3, "127.0.0.5");
  assert_address_at (set, 4, "::1");
  assert_address_at (set, 5, "127.0.0.0");
  assert_address_at (set, 6, "127.0.0.2");

  /* A second add only appends what is new. */
  g_assert_true (charla_target_set_add (set, "127.0.0.0-6", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (charla_target_set_get_n_hosts (set), ==, 8);
  assert_address_at (set, 7, "127.0.0.6");
}

static void
test_lazy_index (void)
{
  g_autoptr(CharlaTargetSet) set = parse_ok ("127.1.0.0/16");
  g_autoptr(CharlaTargetSet) v6 = parse_ok ("fd00:0:0:0:ffff:ffff:ffff:ff00-fd00::1:0:0:0:ff");
  g_autoptr(CharlaTargetSet) v6_cidr = parse_ok ("2001:db8::/112");

  g_assert_cmpuint (charla_target_set_get_n_hosts (set), ==, 65536);
  assert_address_at (set, 0, "127.1.0.0");
  assert_address_at (set, 256, "127.1.1.0");
  assert_address_at (set, 0x1234, "127.1.18.52");
  assert_address_at (set, 65535, "127.1.255.255");

  /* Crossing the middle 64-bit boundary of an IPv6 address carries. */
  g_assert_cmpuint (charla_target_set_get_n_hosts (v6), ==, 512);
  assert_address_at (v6, 255, "fd00::ffff:ffff:ffff:ffff");
  assert_address_at (v6, 256, "fd00:0:0:1::");
  assert_address_at (v6, 511, "fd00:0:0:1::ff");

  g_assert_cmpuint (charla_target_set_get_n_hosts (v6_cidr), ==, 65536);
  assert_address_at (v6_cidr, 65535, "2001:db8::ffff");
}

static void
test_bad_targets (void)
{
  assert_spec_error ("300.1.2.3", CHARLA_ERROR_INVALID_ADDRESS, "“300.1.2.3” is not an IP address");
  assert_spec_error ("127.0.0", CHARLA_ERROR_INVALID_ADDRESS, "not an IP address");
  assert_spec_error ("localhost", CHARLA_ERROR_INVALID_ADDRESS, "host names");
  assert_spec_error ("my-host.lan", CHARLA_ERROR_INVALID_ADDRESS, "host names");
  assert_spec_error ("127.0.0.9-3", CHARLA_ERROR_INVALID_ADDRESS, "Range 127.0.0.9-3 ends before it starts");
  assert_spec_error ("127.0.0.1-300", CHARLA_ERROR_INVALID_ADDRESS, "300 is not a valid last octet");
  assert_spec_error ("127.0.0.1-x", CHARLA_ERROR_INVALID_ADDRESS, "not an IP address");
  assert_spec_error ("127.0.0.1-::1", CHARLA_ERROR_INVALID_ADDRESS, "mixes");
  assert_spec_error ("::1-5", CHARLA_ERROR_INVALID_ADDRESS, "IPv6");
  assert_spec_error ("127.0.0.0/33", CHARLA_ERROR_INVALID_ADDRESS, "“/33” is not a valid prefix length");
  assert_spec_error ("127.0.0.0/", CHARLA_ERROR_INVALID_ADDRESS, "prefix length");
  assert_spec_error ("127.0.0.0/abc", CHARLA_ERROR_INVALID_ADDRESS, "prefix length");
  assert_spec_error ("::1/129", CHARLA_ERROR_INVALID_ADDRESS, "0–128");
  assert_spec_error ("127.0.0.5/24", CHARLA_ERROR_INVALID_ADDRESS, "did you mean 127.0.0.0/24?");
  assert_spec_error ("127.0.0.0/8", CHARLA_ERROR_RANGE_TOO_LARGE, "16777216 addresses");
  assert_spec_error ("::/64", CHARLA_ERROR_RANGE_TOO_LARGE, "2^64");
  assert_spec_error ("127.0.0.0-127.2.0.0", CHARLA_ERROR_RANGE_TOO_LARGE, NULL);
  assert_spec_error ("127.1.0.0/16,127.2.0.0/32", CHARLA_ERROR_RANGE_TOO_LARGE, NULL);
  assert_spec_error ("", CHARLA_ERROR_INVALID_ADDRESS, "No address");
  assert_spec_error ("   ", CHARLA_ERROR_INVALID_ADDRESS, "No address");
  assert_spec_error ("127.0.0.1,,127.0.0.2", CHARLA_ERROR_INVALID_ADDRESS, "empty item");
  assert_spec_error ("127.0.0.1,", CHARLA_ERROR_INVALID_ADDRESS, "empty item");
  assert_spec_error ("127.0.0. 1", CHARLA_ERROR_INVALID_ADDRESS, "not an IP address");
  /* A bad item anywhere rejects the whole list. */
  assert_spec_error ("127.0.0.1,300.0.0.1", CHARLA_ERROR_INVALID_ADDRESS, "300.0.0.1");
}

static void
test_ports (void)
{
  guint16 port_min = 0, port_max = 0, port = 0;

  g_assert_true (charla_port_range_parse ("9990-10005", &port_min, &port_max, NULL));
  g_assert_cmpuint (port_min, ==, 9990);
  g_assert_cmpuint (port_max, ==, 10005);
  g_assert_true (charla_port_range_parse (" 10000 ", &port_min, &port_max, NULL));
  g_assert_cmpuint (port_min, ==, 10000);
  g_assert_cmpuint (port_max, ==, 10000);
  g_assert_true (charla_port_range_parse ("1-65535", &port_min, &port_max, NULL));
  g_assert_cmpuint (port_max, ==, 65535);

  g_assert_true (charla_port_parse ("65535", &port, NULL));
  g_assert_cmpuint (port, ==, 65535);
}

static void
assert_port_error (const char *spec,
                   const char *message_part)
{
  g_autoptr(GError) error = NULL;
  guint16 port_min, port_max;

  g_assert_false (charla_port_range_parse (spec, &port_min, &port_max, &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT);
  if (strstr (error->message, message_part) == NULL)
    g_error ("“%s”: message “%s” lacks “%s”", spec, error->message, message_part);
}

static void
test_bad_ports (void)
{
  g_autoptr(GError) error = NULL;

  assert_port_error ("0", "Port 0 is out of range (1–65535)");
  assert_port_error ("70000", "Port 70000 is out of range (1–65535)");
  assert_port_error ("99999999999999999999", "out of range");
  assert_port_error ("abc", "The port must be a whole number");
  assert_port_error ("-5", "whole number");
  assert_port_error ("+5", "whole number");
  assert_port_error ("10.5", "whole number");
  assert_port_error ("10-5", "Port range 10-5 ends before it starts");
  assert_port_error ("10-", "whole number");
  assert_port_error ("", "whole number");
  assert_port_error ("  ", "whole number");
  assert_port_error ("1 0", "whole number");

  g_assert_false (charla_port_parse ("abc", NULL, &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT);
}

static void
test_host_port (void)
{
  struct {
    const char *text;
    const char *host;
    guint16 port;
  } cases[] = {
    { "127.0.0.1:9990", "127.0.0.1", 9990 },
    { "127.0.0.1", "127.0.0.1", 0 },
    { "localhost:10000", "localhost", 10000 },
    { "localhost", "localhost", 0 },
    { "[::1]:9991", "::1", 9991 },
    { "[::1]", "::1", 0 },
    { "::1", "::1", 0 },
    { "fe80::1:2", "fe80::1:2", 0 },
    { " my-host.lan:80 ", "my-host.lan", 80 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *host = NULL;
      g_autoptr(GError) error = NULL;
      guint16 port = 1;

      g_assert_true (charla_host_port_parse (cases[i].text, &host, &port, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (host, ==, cases[i].host);
      g_assert_cmpuint (port, ==, cases[i].port);
    }
}

static void
test_bad_host_port (void)
{
  struct {
    const char *text;
    int code;
    const char *message_part;
  } cases[] = {
    { "", CHARLA_ERROR_INVALID_ADDRESS, "No host" },
    { "127.0.0.1:abc", CHARLA_ERROR_INVALID_PORT, "whole number" },
    { "127.0.0.1:70000", CHARLA_ERROR_INVALID_PORT, "Port 70000 is out of range" },
    { "127.0.0.1:", CHARLA_ERROR_INVALID_PORT, "whole number" },
    { "300.1.2.3:80", CHARLA_ERROR_INVALID_ADDRESS, "“300.1.2.3” is not an IP address" },
    { "[::1", CHARLA_ERROR_INVALID_ADDRESS, "[address]:port" },
    { "[::1]x", CHARLA_ERROR_INVALID_ADDRESS, "[address]:port" },
    { "[127.0.0.1]:80", CHARLA_ERROR_INVALID_ADDRESS, "not an IPv6 address" },
    { "::zz:1", CHARLA_ERROR_INVALID_ADDRESS, "[address]:port" },
    { ":80", CHARLA_ERROR_INVALID_ADDRESS, "no host" },
    { "bad host:80", CHARLA_ERROR_INVALID_ADDRESS, "neither an IP address nor a host name" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *host = NULL;
      g_autoptr(GError) error = NULL;
      guint16 port = 0;

      g_assert_false (charla_host_port_parse (cases[i].text, &host, &port, &error));
      g_assert_error (error, CHARLA_ERROR, cases[i].code);
      g_assert_null (host);
      if (strstr (error->message, cases[i].message_part) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", cases[i].text, error->message,
                 cases[i].message_part);
    }
}

static void
test_loopback_guard (void)
{
  g_autoptr(GInetAddress) lan = g_inet_address_new_from_string ("192.0.2.1");
  g_autoptr(GInetAddress) loopback = g_inet_address_new_from_string ("127.0.0.42");
  g_autoptr(GInetAddress) loopback6 = g_inet_address_new_from_string ("::1");
  g_autofree char *saved = g_strdup (g_getenv ("CHARLA_LOOPBACK_ONLY"));
  g_autoptr(GError) error = NULL;

  g_setenv ("CHARLA_LOOPBACK_ONLY", "1", TRUE);
  g_assert_true (charla_loopback_only ());
  g_assert_true (charla_check_target_allowed (loopback, NULL));
  g_assert_true (charla_check_target_allowed (loopback6, NULL));
  g_assert_false (charla_check_target_allowed (lan, &error));
  g_assert_error (error, CHARLA_ERROR, CHARLA_ERROR_NOT_LOOPBACK);
  g_assert_cmpstr (error->message, ==,
                   "CHARLA_LOOPBACK_ONLY is set: 192.0.2.1 is not a loopback address");
  g_clear_error (&error);

  /* Only checked, never contacted: nothing is sent to 192.0.2.1. */
  g_setenv ("CHARLA_LOOPBACK_ONLY", "0", TRUE);
  g_assert_false (charla_loopback_only ());
  g_assert_true (charla_check_target_allowed (lan, NULL));
  g_unsetenv ("CHARLA_LOOPBACK_ONLY");
  g_assert_false (charla_loopback_only ());
  g_assert_true (charla_check_target_allowed (lan, NULL));

  if (saved != NULL)
    g_setenv ("CHARLA_LOOPBACK_ONLY", saved, TRUE);
}

static void
test_boxed (void)
{
  g_autoptr(CharlaTargetSet) set = parse_ok ("127.0.0.1");
  CharlaTargetSet *copy;

  g_assert_true (G_TYPE_IS_BOXED (CHARLA_TYPE_TARGET_SET));
  copy = g_boxed_copy (CHARLA_TYPE_TARGET_SET, set);
  g_assert_true (copy == set);
  g_boxed_free (CHARLA_TYPE_TARGET_SET, copy);
  g_assert_cmpuint (charla_target_set_get_n_hosts (set), ==, 1);
}

/* Whatever bytes are typed, the error that quotes them is valid UTF-8
 * (found by tests/fuzz/fuzz-endpoints). */
static void
test_errors_are_utf8 (void)
{
  g_autoptr(CharlaTargetSet) targets = charla_target_set_new ();
  g_autoptr(GError) target_error = NULL;
  g_autoptr(GError) port_error = NULL;
  g_autoptr(GError) range_error = NULL;
  g_autoptr(GError) host_error = NULL;
  g_autofree char *host = NULL;
  guint16 port, port_max;

  g_assert_false (charla_target_set_add (targets, "127.0.0.\xe4\xe4", &target_error));
  g_assert_false (charla_port_parse ("99\xff", &port, &port_error));
  g_assert_false (charla_port_range_parse ("9\xff-8", &port, &port_max, &range_error));
  g_assert_false (charla_host_port_parse ("[::1\xc3]:1", &host, &port, &host_error));

  g_assert_true (g_utf8_validate (target_error->message, -1, NULL));
  g_assert_true (g_utf8_validate (port_error->message, -1, NULL));
  g_assert_true (g_utf8_validate (range_error->message, -1, NULL));
  g_assert_true (g_utf8_validate (host_error->message, -1, NULL));
}

int
main (int   argc,
      char *argv[])
{
  /* No G_TEST_OPTION_ISOLATE_DIRS: nothing here touches user dirs, and
   * GLib 2.74 leaks its per-test paths, which LeakSanitizer reports. */
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charla/target/single", test_single);
  g_test_add_func ("/charla/target/errors-are-utf8", test_errors_are_utf8);
  g_test_add_func ("/charla/target/range", test_range);
  g_test_add_func ("/charla/target/cidr", test_cidr);
  g_test_add_func ("/charla/target/list-dedup", test_list_and_dedup);
  g_test_add_func ("/charla/target/lazy-index", test_lazy_index);
  g_test_add_func ("/charla/target/bad-targets", test_bad_targets);
  g_test_add_func ("/charla/target/ports", test_ports);
  g_test_add_func ("/charla/target/bad-ports", test_bad_ports);
  g_test_add_func ("/charla/target/host-port", test_host_port);
  g_test_add_func ("/charla/target/bad-host-port", test_bad_host_port);
  g_test_add_func ("/charla/target/loopback-guard", test_loopback_guard);
  g_test_add_func ("/charla/target/boxed", test_boxed);

  return g_test_run ();
}
