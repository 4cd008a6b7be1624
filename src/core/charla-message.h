/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "charla-peer.h"

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

/**
 * CharlaMessageEvent:
 * @CHARLA_MESSAGE_EVENT_NONE: chat text, or a notice about nothing in particular
 * @CHARLA_MESSAGE_EVENT_PEER_JOINED: a peer finished its handshake (either direction)
 * @CHARLA_MESSAGE_EVENT_PEER_LEFT: an established peer is gone (an error when it was lost)
 * @CHARLA_MESSAGE_EVENT_PEER_RENAMED: an established peer changed its name
 * @CHARLA_MESSAGE_EVENT_RENAMED: this node changed its name
 * @CHARLA_MESSAGE_EVENT_RENAME_FAILED: a new name for this node was unusable
 * @CHARLA_MESSAGE_EVENT_CONNECT_FAILED: a connect did not end in a chat
 * @CHARLA_MESSAGE_EVENT_DISCONNECTED_ALL: `--ex` closed every connection
 * @CHARLA_MESSAGE_EVENT_PEER_LIST: the connected peers, one per line (`--name`)
 * @CHARLA_MESSAGE_EVENT_HELP: the chat commands (`--help`)
 * @CHARLA_MESSAGE_EVENT_SCAN_STARTED: a scan began
 * @CHARLA_MESSAGE_EVENT_SCAN_FINISHED: a scan ended, with its summary
 * @CHARLA_MESSAGE_EVENT_SCAN_FAILED: a scan could not run or stopped
 * @CHARLA_MESSAGE_EVENT_UNDELIVERED: text queued for a peer could not be delivered
 * @CHARLA_MESSAGE_EVENT_NOT_SENT: text was typed with nobody connected
 * @CHARLA_MESSAGE_EVENT_NOT_LISTENING: the node could not listen for peers
 * @CHARLA_MESSAGE_EVENT_REFUSED: a connection was refused or closed for what
 *   it did (another protocol, a claimed identity, a limit reached)
 *
 * What a notice or error is about, so a face can show each in its own
 * way (a toast, an icon, a row) without reading the text.
 */
typedef enum {
  CHARLA_MESSAGE_EVENT_NONE,
  CHARLA_MESSAGE_EVENT_PEER_JOINED,
  CHARLA_MESSAGE_EVENT_PEER_LEFT,
  CHARLA_MESSAGE_EVENT_PEER_RENAMED,
  CHARLA_MESSAGE_EVENT_RENAMED,
  CHARLA_MESSAGE_EVENT_RENAME_FAILED,
  CHARLA_MESSAGE_EVENT_CONNECT_FAILED,
  CHARLA_MESSAGE_EVENT_DISCONNECTED_ALL,
  CHARLA_MESSAGE_EVENT_PEER_LIST,
  CHARLA_MESSAGE_EVENT_HELP,
  CHARLA_MESSAGE_EVENT_SCAN_STARTED,
  CHARLA_MESSAGE_EVENT_SCAN_FINISHED,
  CHARLA_MESSAGE_EVENT_SCAN_FAILED,
  CHARLA_MESSAGE_EVENT_UNDELIVERED,
  CHARLA_MESSAGE_EVENT_NOT_SENT,
  CHARLA_MESSAGE_EVENT_NOT_LISTENING,
  CHARLA_MESSAGE_EVENT_REFUSED,
} CharlaMessageEvent;

#define CHARLA_TYPE_MESSAGE (charla_message_get_type ())

G_DECLARE_FINAL_TYPE (CharlaMessage, charla_message, CHARLA, MESSAGE, GObject)

CharlaMessage      *charla_message_new            (CharlaMessageKind   kind,
                                                   const char         *sender,
                                                   const char         *endpoint,
                                                   const char         *text);
CharlaMessage      *charla_message_new_event      (CharlaMessageKind   kind,
                                                   CharlaMessageEvent  event,
                                                   CharlaPeer         *peer,
                                                   const char         *text);
CharlaMessage      *charla_message_new_outgoing   (const char         *sender,
                                                   const char         *text,
                                                   guint               recipients);
CharlaMessageKind   charla_message_get_kind       (CharlaMessage      *self);
CharlaMessageEvent  charla_message_get_event      (CharlaMessage      *self);
CharlaPeer         *charla_message_get_peer       (CharlaMessage      *self);
const char         *charla_message_get_sender     (CharlaMessage      *self);
const char         *charla_message_get_endpoint   (CharlaMessage      *self);
const char         *charla_message_get_text       (CharlaMessage      *self);
guint               charla_message_get_recipients (CharlaMessage      *self);
GDateTime          *charla_message_get_time       (CharlaMessage      *self);
const char         *charla_message_kind_to_string (CharlaMessageKind   kind);
const char         *charla_message_event_to_string (CharlaMessageEvent event);

G_END_DECLS
