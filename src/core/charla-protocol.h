/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The seed's hidden name query: sent bare, without a newline. */
#define CHARLA_NAME_QUERY "--name"
#define CHARLA_NAME_QUERY_LEN 6

/* A Charla node answers a repeated bare query with this line; it marks
 * the connection as Charla-to-Charla and framed from then on. */
#define CHARLA_HELLO_PREFIX "CHARLA/1 HELLO "
#define CHARLA_HELLO_PREFIX_LEN 15

/* Framed (Charla-to-Charla) line verbs, see docs/PROTOCOL.md. */
#define CHARLA_VERB_MESSAGE "MSG "
#define CHARLA_VERB_RENAME  "NAME "

/* Largest message delivered in one piece; longer text arrives as
 * several consecutive messages, never dropped. */
#define CHARLA_MAX_MESSAGE_SIZE (64 * 1024)

/* The seed reads with recv(1024) and decodes each chunk as UTF-8, so
 * text sent to a seed peer goes in writes of at most this many bytes,
 * cut on character boundaries. */
#define CHARLA_SEED_CHUNK_SIZE 1024

/* Own display names are capped (in characters); remote ones too. */
#define CHARLA_MAX_NAME_CHARS 64

char       *charla_text_sanitize             (const char  *data,
                                              gssize       len);
char       *charla_name_sanitize             (const char  *data,
                                              gssize       len);
gboolean    charla_is_name_query             (const char  *data,
                                              gsize        len);
gboolean    charla_is_name_query_prefix      (const char  *data,
                                              gsize        len);
gboolean    charla_reply_is_plausible_name   (const char  *data,
                                              gsize        len);
gsize       charla_utf8_cut                  (const char  *data,
                                              gsize        len,
                                              gsize        max);
const char *charla_default_name              (void);

/**
 * CharlaLineSplitter:
 *
 * Splits a byte stream into messages at LF (a CR before it is dropped),
 * bounded by a maximum size: a longer run is handed out in pieces cut on
 * UTF-8 boundaries, so memory stays bounded and nothing is lost.
 */
typedef struct _CharlaLineSplitter CharlaLineSplitter;

CharlaLineSplitter *charla_line_splitter_new          (gsize               max_size);
void                charla_line_splitter_free         (CharlaLineSplitter *self);
void                charla_line_splitter_push         (CharlaLineSplitter *self,
                                                       const char         *data,
                                                       gsize               len);
gboolean            charla_line_splitter_pop          (CharlaLineSplitter *self,
                                                       GString            *out_line,
                                                       gboolean           *out_continued);
gboolean            charla_line_splitter_flush        (CharlaLineSplitter *self,
                                                       GString            *out_line);
gsize               charla_line_splitter_get_pending  (CharlaLineSplitter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CharlaLineSplitter, charla_line_splitter_free)

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
