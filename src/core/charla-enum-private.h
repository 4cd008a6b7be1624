/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The nick glib-mkenums gave @value ("peer-joined" for
 * CHARLA_MESSAGE_EVENT_PEER_JOINED): stable, untranslated keywords for
 * JSON output and logs. Enum classes of static types live for good. */
static inline const char *
charla_enum_nick (GType type,
                  int   value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *enum_value = g_enum_get_value (klass, value);

  g_type_class_unref (klass);
  g_return_val_if_fail (enum_value != NULL, "unknown");

  return enum_value->value_nick;
}

G_END_DECLS
