/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void charla_memory_released (gsize n_bytes);

G_END_DECLS
