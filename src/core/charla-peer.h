/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * CharlaPeerDirection:
 * @CHARLA_PEER_INCOMING: the remote end connected to our listener
 * @CHARLA_PEER_OUTGOING: we connected to the remote listener
 */
typedef enum {
  CHARLA_PEER_INCOMING,
  CHARLA_PEER_OUTGOING,
} CharlaPeerDirection;

/**
 * CharlaPeerState:
 * @CHARLA_PEER_STATE_HANDSHAKING: learning the name and the dialect
 * @CHARLA_PEER_STATE_CONNECTED: chatting
 * @CHARLA_PEER_STATE_CLOSED: gone
 */
typedef enum {
  CHARLA_PEER_STATE_HANDSHAKING,
  CHARLA_PEER_STATE_CONNECTED,
  CHARLA_PEER_STATE_CLOSED,
} CharlaPeerState;

/**
 * CharlaPeerDialect:
 * @CHARLA_PEER_DIALECT_UNKNOWN: not known yet
 * @CHARLA_PEER_DIALECT_SEED: raw, unframed text: a seed peer, netcat…
 * @CHARLA_PEER_DIALECT_CHARLA: LF-framed lines, see docs/PROTOCOL.md
 */
typedef enum {
  CHARLA_PEER_DIALECT_UNKNOWN,
  CHARLA_PEER_DIALECT_SEED,
  CHARLA_PEER_DIALECT_CHARLA,
} CharlaPeerDialect;

#define CHARLA_TYPE_PEER (charla_peer_get_type ())

G_DECLARE_FINAL_TYPE (CharlaPeer, charla_peer, CHARLA, PEER, GObject)

const char          *charla_peer_get_address       (CharlaPeer  *self);
guint16              charla_peer_get_port          (CharlaPeer  *self);
const char          *charla_peer_get_name          (CharlaPeer  *self);
gboolean             charla_peer_get_name_known    (CharlaPeer  *self);
const char          *charla_peer_get_node_id       (CharlaPeer  *self);
CharlaPeerDirection  charla_peer_get_direction     (CharlaPeer  *self);
CharlaPeerState      charla_peer_get_state         (CharlaPeer  *self);
CharlaPeerDialect    charla_peer_get_dialect       (CharlaPeer  *self);
gsize                charla_peer_get_queued_bytes  (CharlaPeer  *self);
char                *charla_peer_dup_endpoint      (CharlaPeer  *self);
char                *charla_peer_dup_label         (CharlaPeer  *self);
void                 charla_peer_send              (CharlaPeer  *self,
                                                    const char  *text);
void                 charla_peer_close             (CharlaPeer  *self);

const char          *charla_peer_direction_to_string (CharlaPeerDirection direction);
const char          *charla_peer_dialect_to_string   (CharlaPeerDialect   dialect);

G_END_DECLS
