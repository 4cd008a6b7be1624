/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "charla.h"
#include "charla-notifier.h"

G_BEGIN_DECLS

#define CHARLA_TYPE_APPLICATION (charla_application_get_type ())

G_DECLARE_FINAL_TYPE (CharlaApplication, charla_application, CHARLA, APPLICATION, AdwApplication)

CharlaApplication *charla_application_new          (void);
CharlaNode        *charla_application_get_node     (CharlaApplication *self);
GSettings         *charla_application_get_settings (CharlaApplication *self);
CharlaNotifier    *charla_application_get_notifier (CharlaApplication *self);

G_END_DECLS
