/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "charla-peer.h"

G_BEGIN_DECLS

/* Recent framed messages, by claimed sender id, message id, line and
 * text: a copy arriving over a second connection is shown once. */
typedef struct _CharlaSeenMessages CharlaSeenMessages;

CharlaSeenMessages *charla_seen_messages_new   (void);
CharlaSeenMessages *charla_seen_messages_ref   (CharlaSeenMessages *self);
void                charla_seen_messages_unref (CharlaSeenMessages *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CharlaSeenMessages, charla_seen_messages_unref)

/* Only CharlaNode creates peers: it owns the connection they wrap. */
CharlaPeer *charla_peer_new   (GSocketConnection   *connection,
                               CharlaPeerDirection  direction,
                               const char          *local_name,
                               const char          *local_id);
void        charla_peer_start (CharlaPeer          *self);
void        charla_peer_set_local_name (CharlaPeer *self,
                                        const char *local_name);

gboolean    charla_peer_has_pending_output (CharlaPeer *self);

void        charla_peer_abort  (CharlaPeer          *self,
                                const GError        *error);
GPtrArray  *charla_peer_encode       (CharlaPeerDialect  dialect,
                                      const char        *text);
void        charla_peer_send_encoded (CharlaPeer        *self,
                                      const char        *text,
                                      GPtrArray         *charla_writes,
                                      GPtrArray         *seed_writes);

gboolean    charla_peer_fire_timer_for_testing (CharlaPeer *self);
void        charla_peer_set_seen_messages (CharlaPeer         *self,
                                           CharlaSeenMessages *seen);
void        charla_peer_set_settle_timeout (CharlaPeer       *self,
                                            guint             msec);
gboolean    charla_peer_has_spoken         (CharlaPeer       *self);

G_END_DECLS
