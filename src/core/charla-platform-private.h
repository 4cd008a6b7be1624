/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Private to the core: what differs between the platforms Charla builds
 * on, in one place.  Probe engines live in charla-probe-engine-*.c;
 * programs raise the fd limit with charla_raise_fd_limit()
 * (charla-network.h). */

#include <gio/gio.h>

G_BEGIN_DECLS

guint charla_fd_budget                (guint    reserve,
                                       guint   *out_open_fds);
gsize charla_socket_get_unsent_bytes  (GSocket *socket);

G_END_DECLS
