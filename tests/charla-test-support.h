/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "charla.h"

G_BEGIN_DECLS

/* What every test program needs: waiting on the main context with a
 * bound, nodes on free loopback ports, raw clients. Everything here
 * asserts, so a test reads as the steps it takes. */

/* Generous: the machine may be loaded, and sanitizers slow us down. */
#define CHARLA_TEST_WAIT_SECONDS 20

typedef gboolean (*CharlaTestCondition) (gpointer data);

gint64      charla_test_deadline_in        (guint                seconds);
gboolean    charla_test_iterate_before     (gint64               deadline);
void        charla_test_iterate            (gint64               deadline,
                                            const char          *waiting_for);

/**
 * CHARLA_TEST_WAIT_UNTIL_FOR:
 * @seconds: how long the wait may take before the test fails
 * @condition: an expression, evaluated between main context iterations
 *
 * Spins the default main context until @condition holds.
 */
#define CHARLA_TEST_WAIT_UNTIL_FOR(seconds, condition)                        \
  G_STMT_START {                                                              \
    gint64 charla_test_deadline_ = charla_test_deadline_in (seconds);         \
    while (!(condition))                                                      \
      charla_test_iterate (charla_test_deadline_, #condition);                \
  } G_STMT_END

#define CHARLA_TEST_WAIT_UNTIL(condition) \
  CHARLA_TEST_WAIT_UNTIL_FOR (CHARLA_TEST_WAIT_SECONDS, condition)

void        charla_test_wait_until         (CharlaTestCondition  condition,
                                            gpointer             data);
void        charla_test_spin_for           (guint                ms);
void        charla_test_store_result       (GObject             *object,
                                            GAsyncResult        *result,
                                            gpointer             data);

CharlaNode *charla_test_start_node         (const char          *name);
CharlaNode *charla_test_start_node_bound   (const char          *name,
                                            const char          *bind_address);
CharlaNode *charla_test_start_node_full    (const char          *name,
                                            const char          *bind_address,
                                            guint16              port_min,
                                            guint16              port_max);
CharlaPeer *charla_test_connect_node       (CharlaNode          *node,
                                            const char          *host,
                                            guint16              port,
                                            GError             **error);
void        charla_test_finalize_node      (CharlaNode         **node_pointer);

guint       charla_test_count_open_fds     (void);

guint       charla_test_n_peers            (CharlaNode          *node);
CharlaPeer *charla_test_find_peer_named    (CharlaNode          *node,
                                            const char          *name);

/**
 * CharlaTestInbox:
 * @texts: the text of each incoming chat message, in order
 * @senders: the sender of each, in the same order
 * @notices: the text of every notice and error
 * @total_bytes: the length of all of @texts together
 *
 * What a node shows, collected from its #CharlaNode::message signal
 * (its own outgoing messages are left out; notices are also logged).
 */
typedef struct
{
  CharlaNode *node;     /* weak */
  GPtrArray  *texts;
  GPtrArray  *senders;
  GPtrArray  *notices;
  gsize       total_bytes;
} CharlaTestInbox;

CharlaTestInbox *charla_test_inbox_new     (CharlaNode          *node);
void        charla_test_inbox_free         (CharlaTestInbox     *inbox);
gboolean    charla_test_inbox_has_text     (CharlaTestInbox     *inbox,
                                            const char          *text);
const char *charla_test_inbox_find_notice  (CharlaTestInbox     *inbox,
                                            const char          *needle);
guint       charla_test_inbox_count_notices (CharlaTestInbox    *inbox,
                                            const char          *needle);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CharlaTestInbox, charla_test_inbox_free)

GSocket    *charla_test_listen_raw         (GInetAddress        *address,
                                            guint16              port,
                                            int                  backlog,
                                            GError             **error);
guint16     charla_test_socket_get_port    (GSocket             *socket);
guint16     charla_test_closed_port        (GInetAddress        *address);
gboolean    charla_test_port_is_free       (GInetAddress        *address,
                                            guint16              port);

GSocket    *charla_test_raw_connect        (guint16              port);
void        charla_test_raw_send           (GSocket             *socket,
                                            const char          *data,
                                            gsize                len);
gssize      charla_test_raw_receive        (GSocket             *socket,
                                            char                *buffer,
                                            gsize                size);

/**
 * CharlaTestProcess:
 * @process: the program
 * @eof: whether its output has ended
 *
 * A program a test runs beside it: stdin is a pipe for the test to
 * write, stdout is read line by line as it comes (from the default main
 * context), each line handed to the test's #CharlaTestLineFunc; stderr
 * goes to the test log.
 */
typedef void (*CharlaTestLineFunc) (const char *line,
                                    gpointer    data);

typedef struct
{
  GSubprocess        *process;
  gboolean            eof;

  /*< private >*/
  GDataInputStream   *output;
  GCancellable       *cancellable;
  gboolean            reading;
  CharlaTestLineFunc  line_func;
  gpointer            data;
} CharlaTestProcess;

CharlaTestProcess *charla_test_process_spawnv (const char * const *argv,
                                              CharlaTestLineFunc  line_func,
                                              gpointer            data);
void        charla_test_process_free       (CharlaTestProcess   *process);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CharlaTestProcess, charla_test_process_free)

/**
 * CharlaTestServers:
 *
 * Servers a test talks to, run in a thread with a main context of its
 * own, so their answers never wait for the main loop under test.
 */
typedef struct _CharlaTestServers CharlaTestServers;

/* Called in the servers' thread, with its context as the thread
 * default: listen on @port (TRUE), or leave nothing listening (FALSE). */
typedef gboolean (*CharlaTestListenFunc) (gpointer data,
                                          guint16  port);

CharlaTestServers *charla_test_servers_start (CharlaTestListenFunc  listen,
                                              GDestroyNotify        release,
                                              gpointer              data);
void        charla_test_servers_stop       (CharlaTestServers   *servers);

G_END_DECLS
