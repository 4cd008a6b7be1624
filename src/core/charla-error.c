/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "charla-error.h"

G_DEFINE_QUARK (charla-error-quark, charla_error)
