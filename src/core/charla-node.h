/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "charla-command.h"
#include "charla-message.h"
#include "charla-peer.h"

G_BEGIN_DECLS

#define CHARLA_TYPE_NODE (charla_node_get_type ())

G_DECLARE_FINAL_TYPE (CharlaNode, charla_node, CHARLA, NODE, GObject)

/* Declared here rather than included: charla-scanner.h includes this file. */
typedef struct _CharlaScanner CharlaScanner;

CharlaNode  *charla_node_new                (const char           *name);
gboolean     charla_node_start              (CharlaNode           *self,
                                             GError              **error);
void         charla_node_stop               (CharlaNode           *self);
gboolean     charla_node_get_running        (CharlaNode           *self);

const char  *charla_node_get_name           (CharlaNode           *self);
gboolean     charla_node_set_name           (CharlaNode           *self,
                                             const char           *name,
                                             GError              **error);
guint16      charla_node_get_port           (CharlaNode           *self);
void         charla_node_set_port_range     (CharlaNode           *self,
                                             guint16               port_min,
                                             guint16               port_max);
guint16      charla_node_get_port_min       (CharlaNode           *self);
guint16      charla_node_get_port_max       (CharlaNode           *self);
const char  *charla_node_get_bind_address   (CharlaNode           *self);
void         charla_node_set_bind_address   (CharlaNode           *self,
                                             const char           *address);

guint        charla_node_get_connect_timeout (CharlaNode         *self);
void         charla_node_set_connect_timeout (CharlaNode         *self,
                                              guint               msec);
guint        charla_node_get_shutdown_timeout (CharlaNode        *self);
void         charla_node_set_shutdown_timeout (CharlaNode        *self,
                                               guint              msec);

GListModel  *charla_node_get_peers          (CharlaNode           *self);
GListModel  *charla_node_get_messages       (CharlaNode           *self);
CharlaScanner *charla_node_get_scanner      (CharlaNode           *self);

void         charla_node_run_command_async  (CharlaNode           *self,
                                             CharlaCommand        *command,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean     charla_node_run_command_finish (CharlaNode           *self,
                                             GAsyncResult         *result,
                                             GError              **error);

void         charla_node_connect_async      (CharlaNode           *self,
                                             const char           *host,
                                             guint16               port,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
CharlaPeer  *charla_node_connect_finish     (CharlaNode           *self,
                                             GAsyncResult         *result,
                                             GError              **error);
guint        charla_node_send               (CharlaNode           *self,
                                             const char           *text);
guint        charla_node_disconnect_all     (CharlaNode           *self);
char        *charla_node_dup_peer_names     (CharlaNode           *self);
void         charla_node_show_peers         (CharlaNode           *self);
void         charla_node_show_help          (CharlaNode           *self);
void         charla_node_scan_async         (CharlaNode           *self,
                                             const char           *targets,
                                             const char           *ports,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean     charla_node_scan_finish        (CharlaNode           *self,
                                             GAsyncResult         *result,
                                             GError              **error);
void         charla_node_shutdown_async     (CharlaNode           *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean     charla_node_shutdown_finish    (CharlaNode           *self,
                                             GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
