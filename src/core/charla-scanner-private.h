/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "charla-scanner.h"

G_BEGIN_DECLS

void charla_scanner_set_probe_local_address (CharlaScanner      *self,
                                             GInetSocketAddress *address);

G_END_DECLS
