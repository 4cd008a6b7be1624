/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The peer's protocol state machine (handshake, seed and framed
 * dialects), fed arbitrary bytes by the remote end while the local end
 * sends and renames: it never crashes, never shows unsafe text, never
 * grows without bound, and always ends closed once the remote hangs up.
 *
 * One CharlaPeer sits on one end of a socketpair; the fuzzer plays the
 * remote end. Byte 0 chooses the peer's role (bit 0: it accepted the
 * connection or made it). Then, repeatedly, one op byte and its operand:
 *   0–3  send the next N bytes (N = operand) to the peer
 *   4    run the peer's handshake or pause timer now
 *   5    the local user sends the next N bytes as text
 *   6    read and drop what the peer wrote
 *   7    the local user renames itself to the next N bytes
 * The main loop runs (without blocking) between ops. */

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "charla.h"
#include "charla-peer-private.h"

typedef struct
{
  guint    n_messages;
  gboolean closed;
} Events;

static void
on_message_received (CharlaPeer *peer,
                     const char *text,
                     Events     *events)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  /* At most one message's bytes, each shown as at most 3 bytes. */
  g_assert_cmpuint (strlen (text), <=, 3 * CHARLA_MAX_MESSAGE_SIZE);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_true (c == '\t' || (c >= 0x20 && c != 0x7f && (c < 0x80 || c >= 0xa0)));
    }

  events->n_messages++;
}

static void
on_closed (CharlaPeer   *peer,
           const GError *error,
           guint         undelivered,
           Events       *events)
{
  g_assert_false (events->closed);
  events->closed = TRUE;
}

static void
run_main_loop (GMainContext *context)
{
  for (guint i = 0; i < 64 && g_main_context_iteration (context, FALSE); i++)
    ;
}

static void
drain (int fd)
{
  char buffer[4096];

  while (recv (fd, buffer, sizeof buffer, MSG_DONTWAIT) > 0)
    ;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(CharlaPeer) peer = NULL;
  Events events = { 0 };
  int fds[2];
  gsize offset = 1;

  if (size < 1)
    return 0;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);

  socket = g_socket_new_from_fd (fds[0], NULL);
  g_assert_nonnull (socket);
  connection = g_socket_connection_factory_create_connection (socket);
  peer = charla_peer_new (connection,
                          (data[0] & 1) ? CHARLA_PEER_OUTGOING : CHARLA_PEER_INCOMING,
                          "Nodo", "0123456789abcdef");
  g_signal_connect (peer, "message-received", G_CALLBACK (on_message_received), &events);
  g_signal_connect (peer, "closed", G_CALLBACK (on_closed), &events);
  charla_peer_start (peer);

  while (offset + 1 < size && !events.closed)
    {
      guint op = data[offset] % 8;
      gsize n = MIN ((gsize) data[offset + 1] + 1, size - offset - 2);
      const char *operand = (const char *) data + offset + 2;

      switch (op)
        {
        case 0: case 1: case 2: case 3:
          (void) send (fds[1], operand, n, MSG_DONTWAIT | MSG_NOSIGNAL);
          offset += n;
          break;
        case 4:
          charla_peer_fire_timer_for_testing (peer);
          break;
        case 5:
          {
            g_autofree char *text = g_strndup (operand, n);

            charla_peer_send (peer, text);
            offset += n;
          }
          break;
        case 6:
          drain (fds[1]);
          break;
        case 7:
        default:
          {
            g_autofree char *name = charla_name_sanitize (operand, n);

            if (name != NULL)
              charla_peer_set_local_name (peer, name);
            offset += n;
          }
          break;
        }

      offset += 2;
      run_main_loop (context);

      /* What the peer holds for us never outgrows its limits. */
      g_assert_cmpuint (charla_peer_get_queued_bytes (peer), <=, 16 * 1024 * 1024);
    }

  /* The remote hangs up: whatever state it was in, the peer closes. */
  close (fds[1]);
  for (guint i = 0; i < 1000 && !events.closed; i++)
    {
      run_main_loop (context);
      if (!events.closed)
        charla_peer_fire_timer_for_testing (peer);
    }
  g_assert_true (events.closed);
  g_assert_cmpint (charla_peer_get_state (peer), ==, CHARLA_PEER_STATE_CLOSED);

  g_signal_handlers_disconnect_by_data (peer, &events);
  g_clear_object (&peer);
  g_clear_object (&connection);
  g_clear_object (&socket);
  run_main_loop (context);
  g_main_context_pop_thread_default (context);

  return 0;
}
