/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CharlaCommandKind:
 * @CHARLA_COMMAND_NONE: an empty line: nothing to do
 * @CHARLA_COMMAND_SEND: chat text for every peer
 * @CHARLA_COMMAND_CONNECT: `--ch [HOST[:PORT] | HOST PORT]`: one more connection
 * @CHARLA_COMMAND_DISCONNECT_ALL: `--ex`: close every connection
 * @CHARLA_COMMAND_SHOW_NAMES: `--name`: list the connected peers' names
 * @CHARLA_COMMAND_RENAME: `--name NEW`: rename this node
 * @CHARLA_COMMAND_SCAN: `--scan [TARGETS [PORTS]]`: discovery scan
 * @CHARLA_COMMAND_HELP: `--help`
 *
 * The chat commands, matched case-insensitively as the seed does.
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

CharlaCommandKind charla_command_parse (const char  *line,
                                        char       **out_argument);

G_END_DECLS
