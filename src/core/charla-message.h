/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * CharlaMessageKind:
 * @CHARLA_MESSAGE_INCOMING: chat text a peer sent
 * @CHARLA_MESSAGE_OUTGOING: chat text this node sent
 * @CHARLA_MESSAGE_NOTICE: an event worth telling the user (peer joined, left…)
 * @CHARLA_MESSAGE_ERROR: something failed (connect refused, data undelivered…)
 */
typedef enum {
  CHARLA_MESSAGE_INCOMING,
  CHARLA_MESSAGE_OUTGOING,
  CHARLA_MESSAGE_NOTICE,
  CHARLA_MESSAGE_ERROR,
} CharlaMessageKind;

#define CHARLA_TYPE_MESSAGE (charla_message_get_type ())

G_DECLARE_FINAL_TYPE (CharlaMessage, charla_message, CHARLA, MESSAGE, GObject)

CharlaMessage     *charla_message_new             (CharlaMessageKind  kind,
                                                   const char        *sender,
                                                   const char        *address,
                                                   const char        *text);
CharlaMessageKind  charla_message_get_kind        (CharlaMessage     *self);
const char        *charla_message_get_sender      (CharlaMessage     *self);
const char        *charla_message_get_address     (CharlaMessage     *self);
const char        *charla_message_get_text        (CharlaMessage     *self);
GDateTime         *charla_message_get_time        (CharlaMessage     *self);
const char        *charla_message_kind_to_string  (CharlaMessageKind  kind);

G_END_DECLS
