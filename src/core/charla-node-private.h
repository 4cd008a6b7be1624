/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "charla-node.h"

G_BEGIN_DECLS

/* For the core only: the front ends read what the node posts. */
void      charla_node_post_notice      (CharlaNode         *self,
                                        CharlaMessageKind   kind,
                                        const char         *text);
gboolean  charla_node_is_own_endpoint  (CharlaNode         *self,
                                        GInetAddress       *address,
                                        guint16             port);

/* Hardening knobs and counters, for tests (docs/ROBUSTNESS.md). */
void      charla_node_set_handshake_timeout (CharlaNode      *self,
                                             guint            msec);
void      charla_node_set_connection_caps (CharlaNode        *self,
                                           guint              max_connections,
                                           guint              max_per_address);
guint     charla_node_get_n_accept_errors (CharlaNode        *self);

G_END_DECLS
