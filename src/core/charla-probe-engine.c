/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-probe-engine.h"
#include "charla-text.h"
#include "charla-wire.h"
#include "charla-scan-result-private.h"

/* What every probe engine shares: the deadline queues and how a probe's
 * outcome becomes a #CharlaScanResult. */

/* A detail longer than this is cut: it is a hint, not a transcript. */
#define DETAIL_MAX_BYTES 64

void
charla_probe_init (CharlaProbe  *probe,
                   GInetAddress *address,
                   guint16       port)
{
  probe->link.data = probe;
  probe->address = g_object_ref (address);
  probe->port = port;
  probe->started = g_get_monotonic_time ();
}

void
charla_probe_clear (CharlaProbe *probe)
{
  g_clear_object (&probe->address);
  g_clear_pointer (&probe->reply, g_free);
  probe->reply_len = 0;
}

CharlaScanResult *
charla_probe_result_new (CharlaProbe       *probe,
                         CharlaProbeResult  result,
                         const char        *name,
                         const char        *detail)
{
  g_autofree char *address = g_inet_address_to_string (probe->address);

  return charla_scan_result_new_full (address, probe->port, result, name, FALSE, detail,
                                      g_get_monotonic_time () - probe->started);
}

static char *
summarize_reply (const char *data,
                 gsize       len)
{
  gsize line_len = 0;

  while (line_len < len && data[line_len] != '\r' && data[line_len] != '\n')
    line_len++;
  if (line_len == 0)
    line_len = len;

  return charla_text_sanitize (data, charla_utf8_cut (data, line_len, DETAIL_MAX_BYTES));
}

static gboolean
reply_is_echo (const char *data,
               gsize       len)
{
  while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
    len--;

  return charla_is_name_query (data, len);
}

/* Ends a connected probe: what it said, if anything, decides its class. */
CharlaScanResult *
charla_probe_result_for_reply (CharlaProbe  *probe,
                               gboolean      closed,
                               const GError *error)
{
  if (probe->reply_len > 0 && reply_is_echo (probe->reply, probe->reply_len))
    {
      /* Our own query came back (an echo service): never a name. */
      return charla_probe_result_new (probe, CHARLA_PROBE_OTHER_SERVICE, NULL,
                                      _("Sent the name query back (an echo service)"));
    }
  else if (probe->reply_len > 0 && charla_reply_is_plausible_name (probe->reply, probe->reply_len))
    {
      g_autofree char *name = charla_name_sanitize (probe->reply, probe->reply_len);

      return charla_probe_result_new (probe, CHARLA_PROBE_NODE,
                                      name != NULL ? name : CHARLA_ANONYMOUS_NAME, NULL);
    }
  else if (probe->reply_len > 0)
    {
      g_autofree char *detail = summarize_reply (probe->reply, probe->reply_len);

      return charla_probe_result_new (probe, CHARLA_PROBE_OTHER_SERVICE, NULL, detail);
    }
  else if (error != NULL)
    return charla_probe_result_new (probe, CHARLA_PROBE_ERROR, NULL, error->message);
  else
    return charla_probe_result_new (probe, CHARLA_PROBE_SILENT, CHARLA_ANONYMOUS_NAME,
                                    closed ? _("Closed the connection without answering") : NULL);
}

CharlaScanResult *
charla_probe_result_for_connect_error (CharlaProbe  *probe,
                                       const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return charla_probe_result_new (probe, CHARLA_PROBE_REFUSED, NULL, NULL);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return charla_probe_result_new (probe, CHARLA_PROBE_FILTERED, NULL, NULL);
  else
    return charla_probe_result_new (probe, CHARLA_PROBE_ERROR, NULL, error->message);
}

/* A probe of a local port that nobody listens on can connect to its own
 * source port (a TCP "simultaneous open" with itself) when the kernel
 * happens to pick that port: whatever it reads back is its own query.
 * Nothing listens there, which is what "refused" tells. */
CharlaScanResult *
charla_probe_result_for_self_connect (CharlaProbe *probe)
{
  return charla_probe_result_new (probe, CHARLA_PROBE_REFUSED, NULL,
                                  _("Connected to itself: nothing listens on this port"));
}

/* Whether the reply buffer is full: the seed reads no more either. */
gboolean
charla_probe_reply_is_complete (CharlaProbe *probe)
{
  return probe->reply_len >= CHARLA_PROBE_REPLY_MAX_BYTES;
}

void
charla_probe_deadlines_init (CharlaProbeDeadlines      *deadlines,
                             const CharlaProbeSettings *settings)
{
  for (guint phase = 0; phase < CHARLA_PROBE_N_PHASES; phase++)
    g_queue_init (&deadlines->queues[phase]);

  deadlines->timeouts[CHARLA_PROBE_PHASE_CONNECT] = settings->connect_timeout_usec;
  deadlines->timeouts[CHARLA_PROBE_PHASE_REPLY] = settings->reply_timeout_usec;
  deadlines->timeouts[CHARLA_PROBE_PHASE_GRACE] = CHARLA_PROBE_GRACE_USEC;
}

/* Puts @probe in @phase, due its timeout after @now.  Every probe of a
 * phase has the same timeout, so appending keeps each queue sorted. */
void
charla_probe_deadlines_add (CharlaProbeDeadlines *deadlines,
                            CharlaProbe          *probe,
                            CharlaProbePhase      phase,
                            gint64                now)
{
  g_assert (phase < CHARLA_PROBE_N_PHASES);

  charla_probe_deadlines_remove (deadlines, probe);
  probe->phase = phase;
  probe->deadline = now + deadlines->timeouts[phase];
  g_queue_push_tail_link (&deadlines->queues[phase], &probe->link);
}

/* Takes @probe out of its queue, if it is in one. */
void
charla_probe_deadlines_remove (CharlaProbeDeadlines *deadlines,
                               CharlaProbe          *probe)
{
  if (probe->deadline == 0)
    return;

  g_queue_unlink (&deadlines->queues[probe->phase], &probe->link);
  probe->deadline = 0;
}

/* Takes out and returns a probe whose deadline has passed, or %NULL. */
CharlaProbe *
charla_probe_deadlines_pop_expired (CharlaProbeDeadlines *deadlines,
                                    gint64                now)
{
  for (guint phase = 0; phase < CHARLA_PROBE_N_PHASES; phase++)
    {
      GList *head = deadlines->queues[phase].head;

      if (head != NULL && ((CharlaProbe *) head->data)->deadline <= now)
        {
          CharlaProbe *probe = head->data;

          charla_probe_deadlines_remove (deadlines, probe);
          return probe;
        }
    }

  return NULL;
}

/* The earliest deadline, or -1 when no probe waits for one. */
gint64
charla_probe_deadlines_next (CharlaProbeDeadlines *deadlines)
{
  gint64 next = -1;

  for (guint phase = 0; phase < CHARLA_PROBE_N_PHASES; phase++)
    {
      GList *head = deadlines->queues[phase].head;

      if (head != NULL && (next < 0 || ((CharlaProbe *) head->data)->deadline < next))
        next = ((CharlaProbe *) head->data)->deadline;
    }

  return next;
}
