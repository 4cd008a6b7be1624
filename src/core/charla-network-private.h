/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* For the core and its tests only. */
char **charla_network_choose_own_addresses (GPtrArray  *interface_addresses,
                                            const char *bind_address);

G_END_DECLS
