/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * CharlaCommandKind:
 * @CHARLA_COMMAND_NONE: an empty line: nothing to do
 * @CHARLA_COMMAND_SEND: chat text for every peer
 * @CHARLA_COMMAND_CONNECT: `--ch [HOST[:PORT] | HOST PORT]`: one more connection
 * @CHARLA_COMMAND_DISCONNECT_ALL: `--ex`: close every connection
 * @CHARLA_COMMAND_SHOW_NAMES: `--name`: list the connected peers' names
 * @CHARLA_COMMAND_RENAME: `--name NEW`: rename this node
 * @CHARLA_COMMAND_SCAN: `--scan [TARGETS] [PORTS]`: discovery scan
 * @CHARLA_COMMAND_HELP: `--help`
 *
 * What a chat line asks for. The commands are matched
 * case-insensitively, as the seed does.
 */
typedef enum {
  CHARLA_COMMAND_NONE,
  CHARLA_COMMAND_SEND,
  CHARLA_COMMAND_CONNECT,
  CHARLA_COMMAND_DISCONNECT_ALL,
  CHARLA_COMMAND_SHOW_NAMES,
  CHARLA_COMMAND_RENAME,
  CHARLA_COMMAND_SCAN,
  CHARLA_COMMAND_HELP,
} CharlaCommandKind;

/**
 * CharlaCommand:
 *
 * One user command with its typed arguments, parsed from a chat line
 * (charla_command_parse()) or made by a face's action, and carried out
 * by charla_node_run_command_async(). Immutable once made.
 */
typedef struct _CharlaCommand CharlaCommand;

#define CHARLA_TYPE_COMMAND (charla_command_get_type ())

GType              charla_command_get_type      (void) G_GNUC_CONST;

CharlaCommand     *charla_command_parse         (const char     *line,
                                                 GError        **error);
CharlaCommand     *charla_command_new           (CharlaCommandKind kind);
CharlaCommand     *charla_command_new_send      (const char     *text);
CharlaCommand     *charla_command_new_connect   (const char     *host,
                                                 guint16         port);
CharlaCommand     *charla_command_new_rename    (const char     *name);
CharlaCommand     *charla_command_new_scan      (const char     *targets,
                                                 const char     *ports);
CharlaCommand     *charla_command_ref           (CharlaCommand  *self);
void               charla_command_unref         (CharlaCommand  *self);

CharlaCommandKind  charla_command_get_kind      (CharlaCommand  *self);
const char        *charla_command_get_text      (CharlaCommand  *self);
const char        *charla_command_get_host      (CharlaCommand  *self);
guint16            charla_command_get_port      (CharlaCommand  *self);
const char        *charla_command_get_name      (CharlaCommand  *self);
const char        *charla_command_get_targets   (CharlaCommand  *self);
const char        *charla_command_get_ports     (CharlaCommand  *self);
gboolean           charla_command_needs_input   (CharlaCommand  *self);

const char        *charla_command_help_text     (void);
const char        *charla_command_help_heading  (void);
guint              charla_command_help_get_n_entries (void);
void               charla_command_help_get_entry (guint          index,
                                                  const char   **usage,
                                                  const char   **description);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CharlaCommand, charla_command_unref)

G_END_DECLS
