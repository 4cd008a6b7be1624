/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Private to the core: how CharlaScanner runs its probes.
 *
 * A probe engine connects to one address and port, sends the bare name
 * query, reads the reply and reports what it found as a
 * #CharlaScanResult.  The scanner decides what to probe, when, and how
 * many at once; the engine does the platform's socket work.  Exactly one
 * engine is built, chosen by the `probe_engine` meson option:
 *
 * - `epoll` (charla-probe-engine-epoll.c, Linux): raw non-blocking
 *   sockets in one epoll set, the only fd the main loop polls.  O(1) per
 *   probe start and end, however many are in flight.
 * - `gio` (charla-probe-engine-gio.c, anywhere GIO runs): GSocketClient
 *   async connects (proxy off) and GInputStream reads, each cancelled at
 *   its own deadline.
 *
 * Both run on the scanner's main context, from the scanner's dispatch
 * (charla_probe_engine_process()) and, for the gio engine, from GIO's
 * own callbacks.  Each phase's deadlines sit in a FIFO queue
 * (#CharlaProbeDeadlines): every probe of a phase has the same timeout,
 * so start order is deadline order and no probe needs a timer source of
 * its own.
 */

#include <gio/gio.h>

#include "charla-scan-result.h"

G_BEGIN_DECLS

/* The scan's bulk work runs below GTK's redraw priority (120), so a
 * window keeps drawing during a scan.  Idle priority rather than just
 * under redraw, so idle handlers also get their turn between slices;
 * sockets' answers are read before deadlines are checked, so a late
 * dispatch never turns an answer into a timeout. */
#define CHARLA_SCAN_PRIORITY G_PRIORITY_DEFAULT_IDLE

/* How long one dispatch of the scan may work (starting probes, reading
 * events, ending timed-out probes) before it lets the rest of the main
 * loop run. */
#define CHARLA_SCAN_SLICE_USEC (2 * G_TIME_SPAN_MILLISECOND)

/* How long a reply may keep arriving after its first bytes: a name can
 * come in more than one segment. */
#define CHARLA_PROBE_GRACE_USEC (10 * G_TIME_SPAN_MILLISECOND)

/* The seed reads the name with one recv(1024). */
#define CHARLA_PROBE_REPLY_MAX_BYTES 1024

typedef enum {
  CHARLA_PROBE_PHASE_CONNECT,
  CHARLA_PROBE_PHASE_REPLY,
  CHARLA_PROBE_PHASE_GRACE,
  CHARLA_PROBE_N_PHASES
} CharlaProbePhase;

/* What every engine keeps of a probe; engines embed it first in their own. */
typedef struct
{
  GList link;                   /* in the deadline queue of @phase; data = self */
  CharlaProbePhase phase;
  gint64 deadline;
  gint64 started;
  GInetAddress *address;
  guint16 port;
  char *reply;                  /* CHARLA_PROBE_REPLY_MAX_BYTES once connected */
  gsize reply_len;
} CharlaProbe;

typedef struct
{
  GQueue queues[CHARLA_PROBE_N_PHASES];
  gint64 timeouts[CHARLA_PROBE_N_PHASES];
} CharlaProbeDeadlines;

typedef struct
{
  guint max_in_flight;          /* the most the scanner will start at once */
  gint64 connect_timeout_usec;
  gint64 reply_timeout_usec;
  /* Tests only: bind every probe to this local address and port first
   * (which provokes a TCP self-connect when it is also the target). */
  GInetSocketAddress *local_address;
} CharlaProbeSettings;

/* Called once for every probe the engine finishes, with the result
 * (transfer full).  Must not emit signals or end the scan: it may run
 * inside charla_probe_engine_start() or _process(). */
typedef void (*CharlaProbeDoneFunc) (CharlaScanResult *result,
                                     gpointer          user_data);

typedef enum {
  CHARLA_PROBE_STARTED,         /* started, or already finished and reported */
  CHARLA_PROBE_START_LATER,     /* not now: ask again at the engine's ready time */
  CHARLA_PROBE_START_NO_FDS,    /* out of file descriptors: ask again once one ends */
} CharlaProbeStart;

typedef struct _CharlaProbeEngine CharlaProbeEngine;

/* Implemented by the engine that is built. */
const char        *charla_probe_engine_get_name       (void);
CharlaProbeEngine *charla_probe_engine_new            (const CharlaProbeSettings *settings,
                                                       GSource                   *scan_source,
                                                       CharlaProbeDoneFunc        done,
                                                       gpointer                   user_data,
                                                       GError                   **error);
CharlaProbeStart   charla_probe_engine_start          (CharlaProbeEngine         *self,
                                                       GInetAddress              *address,
                                                       guint16                    port);
gboolean           charla_probe_engine_process        (CharlaProbeEngine         *self,
                                                       gint64                     slice_end);
gint64             charla_probe_engine_get_ready_time (CharlaProbeEngine         *self);
guint              charla_probe_engine_get_in_flight  (CharlaProbeEngine         *self);
void               charla_probe_engine_free           (CharlaProbeEngine         *self);

/* Shared by the engines (charla-probe-engine.c). */
void               charla_probe_init                  (CharlaProbe               *probe,
                                                       GInetAddress              *address,
                                                       guint16                    port);
void               charla_probe_clear                 (CharlaProbe               *probe);
CharlaScanResult  *charla_probe_result_new            (CharlaProbe               *probe,
                                                       CharlaProbeResult          result,
                                                       const char                *name,
                                                       const char                *detail);
CharlaScanResult  *charla_probe_result_for_reply      (CharlaProbe               *probe,
                                                       gboolean                   closed,
                                                       const GError              *error);
CharlaScanResult  *charla_probe_result_for_connect_error (CharlaProbe            *probe,
                                                       const GError              *error);
CharlaScanResult  *charla_probe_result_for_self_connect (CharlaProbe             *probe);
gboolean           charla_probe_reply_is_complete     (CharlaProbe               *probe);

void               charla_probe_deadlines_init        (CharlaProbeDeadlines      *deadlines,
                                                       const CharlaProbeSettings *settings);
void               charla_probe_deadlines_add         (CharlaProbeDeadlines      *deadlines,
                                                       CharlaProbe               *probe,
                                                       CharlaProbePhase           phase,
                                                       gint64                     now);
void               charla_probe_deadlines_remove      (CharlaProbeDeadlines      *deadlines,
                                                       CharlaProbe               *probe);
CharlaProbe       *charla_probe_deadlines_pop_expired (CharlaProbeDeadlines      *deadlines,
                                                       gint64                     now);
gint64             charla_probe_deadlines_next        (CharlaProbeDeadlines      *deadlines);

G_END_DECLS
