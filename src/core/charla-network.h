/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean  charla_loopback_only         (void);
gboolean  charla_check_target_allowed  (GInetAddress  *address,
                                        GError       **error);
gboolean  charla_check_host_allowed    (const char    *host,
                                        GError       **error);
char     *charla_network_target_for_interface  (GInetAddress  *address,
                                                guint          prefix_length);
char    **charla_network_dup_local_targets     (void);
char    **charla_network_dup_own_addresses     (const char    *bind_address);

void      charla_raise_fd_limit        (void);

G_END_DECLS
