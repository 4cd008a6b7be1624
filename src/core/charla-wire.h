/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What travels on the wire, see docs/PROTOCOL.md. */

/* The seed's listening range: several nodes fit on one host. */
#define CHARLA_DEFAULT_PORT_MIN 9990
#define CHARLA_DEFAULT_PORT_MAX 10005

/* The seed's hidden name query: sent bare, without a newline. */
#define CHARLA_NAME_QUERY "--name"
#define CHARLA_NAME_QUERY_LEN 6

/* The seed's name for a node that has not said its own. It goes on the
 * wire as it is (a node with no usable name answers with it), so it is
 * never translated. */
#define CHARLA_ANONYMOUS_NAME "Anonimo"

/* A Charla node answers a repeated bare query with this line; it marks
 * the connection as Charla-to-Charla and framed from then on. */
#define CHARLA_HELLO_PREFIX "CHARLA/1 HELLO "
#define CHARLA_HELLO_PREFIX_LEN 15

/* Framed (Charla-to-Charla) line verbs, see docs/PROTOCOL.md. */
#define CHARLA_VERB_MESSAGE "MSG "
#define CHARLA_VERB_RENAME  "NAME "
/* "BYE <reason> [<count>]": the sender is closing, and why; TOO-SLOW
 * means the receiver did not read and <count> messages were not sent. */
#define CHARLA_VERB_BYE     "BYE "
/* "ID <id>": the MSG lines that follow, up to the next ID, are one chat
 * message with this random id; a node that reaches another over two
 * connections sends both copies with the same id. */
#define CHARLA_VERB_ID      "ID "
#define CHARLA_BYE_TOO_SLOW "TOO-SLOW"

/* Largest message delivered in one piece; longer text arrives as
 * several consecutive messages, never dropped. */
#define CHARLA_MAX_MESSAGE_SIZE (64 * 1024)

/* The seed reads with recv(1024) and decodes each chunk as UTF-8, so
 * text sent to a seed peer goes in writes of at most this many bytes,
 * cut on character boundaries. */
#define CHARLA_SEED_CHUNK_SIZE 1024

gboolean    charla_is_name_query             (const char  *data,
                                              gsize        len);
gboolean    charla_is_name_query_prefix      (const char  *data,
                                              gsize        len);
gboolean    charla_reply_is_plausible_name   (const char  *data,
                                              gsize        len);
const char *charla_detect_other_protocol     (const char  *data,
                                              gsize        len);

G_END_DECLS
