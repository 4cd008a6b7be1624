/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <gio/gio.h>

#ifdef G_OS_UNIX
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#endif
#ifdef HAVE_LINUX_SOCKIOS_H
#include <linux/sockios.h>
#endif

#include "charla-platform-private.h"

/* How many file descriptors this process has open now, or 0 if unknown. */
static guint
count_open_fds (void)
{
  static const char * const fd_dirs[] = { "/proc/self/fd", "/dev/fd" };

  for (guint i = 0; i < G_N_ELEMENTS (fd_dirs); i++)
    {
      g_autoptr(GDir) dir = g_dir_open (fd_dirs[i], 0, NULL);
      guint open_fds = 0;

      if (dir == NULL)
        continue;
      while (g_dir_read_name (dir) != NULL)
        open_fds++;
      return open_fds;
    }

  return 0;
}

/*
 * charla_fd_budget:
 * @reserve: descriptors to leave for everything else
 * @out_open_fds: (out): how many are open now (0 if unknown)
 *
 * How many more descriptors (sockets) this process may open now under
 * its current soft limit, keeping @reserve free.  Never changes the
 * limit: that is charla_raise_fd_limit()'s job (charla-network.h),
 * called by each program's main().
 *
 * Returns: the budget, at least 1; %G_MAXUINT if there is no limit
 */
guint
charla_fd_budget (guint  reserve,
                  guint *out_open_fds)
{
  guint open_fds = count_open_fds ();

  *out_open_fds = open_fds;

#ifdef G_OS_UNIX
  {
    struct rlimit limit;

    if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
      return G_MAXUINT;

    if (limit.rlim_cur <= (rlim_t) open_fds + reserve)
      return 1;

    return (guint) MIN (limit.rlim_cur - open_fds - reserve, (rlim_t) G_MAXUINT);
  }
#else
  return G_MAXUINT;
#endif
}

/*
 * charla_socket_get_unsent_bytes:
 *
 * Bytes written to @socket that the peer has not acknowledged yet
 * (Linux `SIOCOUTQ`, BSD `FIONWRITE`, macOS `SO_NWRITE`).
 *
 * Returns: that count, or 0 where the platform cannot tell
 */
gsize
charla_socket_get_unsent_bytes (GSocket *socket)
{
  int queued = 0;

#if defined(SIOCOUTQ)
  if (ioctl (g_socket_get_fd (socket), SIOCOUTQ, &queued) < 0)
    return 0;
#elif defined(FIONWRITE)
  if (ioctl (g_socket_get_fd (socket), FIONWRITE, &queued) < 0)
    return 0;
#elif defined(SO_NWRITE)
  socklen_t len = sizeof queued;

  if (getsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_NWRITE, &queued, &len) < 0)
    return 0;
#endif

  return MAX (queued, 0);
}
