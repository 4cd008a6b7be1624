/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include <sys/resource.h>

#include <gio/gio.h>

#include "charla-platform-private.h"
#include "charla-test-support.h"

/* What differs between platforms: charla-platform-private.h, and
 * charla_raise_fd_limit() (charla-network.h) for programs. */

/* charla_raise_fd_limit() raises the soft limit to the hard one; the
 * library itself only reads it (charla_fd_budget()). */
static void
test_raise_fd_limit (void)
{
  struct rlimit limit, low;
  guint open_fds = 0;
  guint budget;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < 256)
    {
      g_test_skip ("the hard fd limit is too low to lower the soft one");
      return;
    }

  low = limit;
  low.rlim_cur = 200;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);

  budget = charla_fd_budget (64, &open_fds);
  g_assert_cmpuint (open_fds, >, 0);
  g_assert_cmpuint (budget, ==, 200 - open_fds - 64);
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  g_assert_cmpuint (limit.rlim_cur, ==, 200);

  charla_raise_fd_limit ();
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  g_assert_cmpuint (limit.rlim_cur, ==, limit.rlim_max);

  /* Asked again, nothing changes. */
  charla_raise_fd_limit ();
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &low), ==, 0);
  g_assert_cmpuint (low.rlim_cur, ==, limit.rlim_cur);
}

/* What a peer has not acknowledged: nothing on an idle connection; on
 * Linux, what waits behind a reader that stopped reading. */
static void
test_unsent_bytes (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GSocket) client = NULL;
  g_autoptr(GSocket) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *block = g_malloc0 (64 * 1024);
  guint16 port;

  listener = charla_test_listen_raw (loopback, 0, 16, &error);
  g_assert_no_error (error);
  port = charla_test_socket_get_port (listener);

  client = charla_test_raw_connect (port);
  server = g_socket_accept (listener, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (charla_socket_get_unsent_bytes (client), ==, 0);

  /* The server never reads: fill its window, then our send queue. */
  g_socket_set_blocking (client, FALSE);
  for (;;)
    {
      gssize sent = g_socket_send (client, block, 64 * 1024, NULL, &error);

      if (sent < 0)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          break;
        }
    }

#ifdef __linux__
  g_assert_cmpuint (charla_socket_get_unsent_bytes (client), >, 0);
#else
  (void) charla_socket_get_unsent_bytes (client);
#endif
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charla/platform/raise-fd-limit", test_raise_fd_limit);
  g_test_add_func ("/charla/platform/unsent-bytes", test_unsent_bytes);

  return g_test_run ();
}
