/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-error.h"
#include "charla-endpoint.h"
#include "charla-network.h"
#include "charla-listener-private.h"
#include "charla-memory-private.h"
#include "charla-node-private.h"
#include "charla-peer-private.h"
#include "charla-scanner.h"
#include "charla-source-private.h"
#include "charla-text.h"
#include "charla-wire.h"

/* GSocketListener's default backlog of 10 loses simultaneous connects
 * (a scan of this node, many peers joining at once). */
#define LISTEN_BACKLOG 512
/* A chat connect to a filtered host fails after this, not after the
 * kernel's two minutes of SYN retries. */
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
/* Quitting lets queued text leave for at most this long. */
#define DEFAULT_SHUTDOWN_TIMEOUT_MS 5000
/* Chat history kept for the front ends, capped in bytes: text, sender
 * and endpoint plus what a message costs besides (its object, time and
 * list node, 294 bytes measured for a short one). 100,000 ordinary
 * messages take about 30 MB; 64 KiB messages of control characters
 * (192 KiB once each is shown as a symbol) no more than the cap. When
 * it is passed, the oldest messages go until a tenth is free. */
#define MAX_HISTORY_BYTES (64 * 1024 * 1024)
#define MESSAGE_OVERHEAD 256

/**
 * CharlaNode:
 *
 * A chat node: it listens for peers, connects to peers, and sends what
 * the user types to all of them, like the seed's send-to-all loop. Every
 * front end drives the same node; every user command is one method here.
 */
struct _CharlaNode
{
  GObject         parent_instance;

  /* Owned */
  CharlaListener *listener;     /* GSocketListener with a back-off and caps */
  GListStore     *peers;        /* established peers, shown to the user */
  GListStore     *messages;
  GPtrArray      *connections;  /* every live peer, probes included */
  GPtrArray      *connecting;   /* connect GTasks in flight (borrowed) */
  CharlaScanner  *scanner;
  GCancellable   *scan_cancellable;
  GTask          *shutdown_task;
  char           *name;
  char           *node_id;      /* random, tells our own connections apart */
  CharlaSeenMessages *seen_messages; /* shows a message from two connections once */
  char           *bind_address;

  guint           connect_timeout_ms;
  guint           settle_timeout_ms; /* 0: the peer's own (500 ms) */
  gsize           history_bytes;
  guint           shutdown_timeout_ms;
  guint16         port;
  guint16         port_min;
  guint16         port_max;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_PORT,
  PROP_PORT_MIN,
  PROP_PORT_MAX,
  PROP_BIND_ADDRESS,
  PROP_CONNECT_TIMEOUT,
  PROP_SHUTDOWN_TIMEOUT,
  PROP_RUNNING,
  PROP_PEERS,
  PROP_MESSAGES,
  PROP_SCANNER,
  N_PROPS
};

enum {
  MESSAGE,
  PEER_JOINED,
  PEER_LEFT,
  PEER_RENAMED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CharlaNode, charla_node, G_TYPE_OBJECT)

static gsize
message_cost (CharlaMessage *message)
{
  const char *sender = charla_message_get_sender (message);
  const char *endpoint = charla_message_get_endpoint (message);

  return MESSAGE_OVERHEAD + strlen (charla_message_get_text (message)) +
         (sender != NULL ? strlen (sender) : 0) + (endpoint != NULL ? strlen (endpoint) : 0);
}

static void
post_message (CharlaNode    *self,
              CharlaMessage *message)
{
  g_list_store_append (self->messages, message);
  self->history_bytes += message_cost (message);

  if (self->history_bytes > MAX_HISTORY_BYTES)
    {
      GListModel *model = G_LIST_MODEL (self->messages);
      guint n_messages = g_list_model_get_n_items (model);
      gsize freed = 0;
      guint n_old = 0;

      /* The newest message always stays, whatever its size. */
      while (n_old + 1 < n_messages && self->history_bytes - freed > MAX_HISTORY_BYTES / 10 * 9)
        {
          g_autoptr(CharlaMessage) old = g_list_model_get_item (model, n_old);

          freed += message_cost (old);
          n_old++;
        }

      g_list_store_splice (self->messages, 0, n_old, NULL, 0);
      self->history_bytes -= freed;
      charla_memory_released (freed);
    }

  g_signal_emit (self, signals[MESSAGE], 0, message);
}

/* Every outcome the user should read goes through here, once. */
static void
post_event (CharlaNode         *self,
            CharlaMessageKind   kind,
            CharlaMessageEvent  event,
            CharlaPeer         *peer,
            const char         *text)
{
  g_autoptr(CharlaMessage) message = charla_message_new_event (kind, event, peer, text);

  g_debug ("%s: %s", charla_message_event_to_string (event), text);
  post_message (self, message);
}

static gboolean
find_peer (CharlaNode *self,
           CharlaPeer *peer,
           guint      *out_position)
{
  return g_list_store_find (self->peers, peer, out_position);
}

static void
on_peer_message_received (CharlaPeer *peer,
                          const char *text,
                          CharlaNode *self)
{
  g_autoptr(CharlaMessage) message = NULL;

  /* No one talks without being listed. */
  if (!find_peer (self, peer, NULL))
    return;

  message = charla_message_new_event (CHARLA_MESSAGE_INCOMING, CHARLA_MESSAGE_EVENT_NONE, peer, text);
  post_message (self, message);
}

static void
on_peer_established (CharlaPeer *peer,
                     CharlaNode *self)
{
  g_autofree char *label = charla_peer_dup_label (peer);
  g_autofree char *text = NULL;

  g_debug ("handshake with %s over: %s %s peer", label,
           charla_peer_direction_to_string (charla_peer_get_direction (peer)),
           charla_peer_dialect_to_string (charla_peer_get_dialect (peer)));

  if (find_peer (self, peer, NULL))
    return;

  /* Connected to our own listener: both ends would be this node. An
   * incoming connection that says so is someone else claiming our id
   * (our own end never sends its HELLO): refused, never unlisted. */
  if (g_strcmp0 (charla_peer_get_node_id (peer), self->node_id) == 0)
    {
      g_autoptr(GError) error = NULL;

      if (charla_peer_get_direction (peer) == CHARLA_PEER_OUTGOING)
        error = g_error_new (CHARLA_ERROR, CHARLA_ERROR_SELF_CONNECT,
                             _("%s is this node itself"), label);
      else
        error = g_error_new (CHARLA_ERROR, CHARLA_ERROR_SELF_CONNECT,
                             _("%s claimed to be this node; closed"), label);
      charla_peer_abort (peer, error);
      return;
    }

  g_list_store_append (self->peers, peer);
  g_signal_emit (self, signals[PEER_JOINED], 0, peer);

  if (charla_peer_get_direction (peer) == CHARLA_PEER_OUTGOING)
    text = g_strdup_printf (_("Connected to %s"), label);
  else
    text = g_strdup_printf (_("%s connected to you"), label);

  post_event (self, CHARLA_MESSAGE_NOTICE, CHARLA_MESSAGE_EVENT_PEER_JOINED, peer, text);
}

static void
on_peer_renamed (CharlaPeer *peer,
                 const char *old_name,
                 CharlaNode *self)
{
  g_autofree char *label = NULL;
  g_autofree char *text = NULL;

  if (!find_peer (self, peer, NULL))
    return;

  g_signal_emit (self, signals[PEER_RENAMED], 0, peer, old_name);

  label = charla_peer_dup_label (peer);
  text = g_strdup_printf (_("%s is now known as %s"), old_name, label);
  post_event (self, CHARLA_MESSAGE_NOTICE, CHARLA_MESSAGE_EVENT_PEER_RENAMED, peer, text);
}

/* The task data of charla_node_shutdown_async(). */
typedef struct
{
  GSource      *deadline;
  GCancellable *cancellable;
  gulong        cancelled_id;
  guint         undelivered;
  gboolean      closing;
} ShutdownData;

static void shutdown_check (CharlaNode *self);

static void
on_peer_closed (CharlaPeer   *peer,
                const GError *error,
                guint         undelivered,
                CharlaNode   *self)
{
  g_autoptr(CharlaPeer) hold = g_object_ref (peer);
  g_autofree char *label = charla_peer_dup_label (peer);
  gboolean was_listed = FALSE;
  guint position;

  g_debug ("connection with %s closed%s%s", label,
           error != NULL ? ": " : "", error != NULL ? error->message : "");

  g_signal_handlers_disconnect_by_data (peer, self);
  g_ptr_array_remove (self->connections, peer);
  if (self->listener != NULL &&
      g_object_get_data (G_OBJECT (peer), "charla-accepted-connection") != NULL)
    charla_listener_release (self->listener, g_object_get_data (G_OBJECT (peer), "charla-accepted-connection"));

  /* A service scan's probe, refused at its first bytes, or a client
   * claiming our identity: one line says so, listed or not. */
  if ((g_error_matches (error, CHARLA_ERROR, CHARLA_ERROR_OTHER_PROTOCOL) ||
       g_error_matches (error, CHARLA_ERROR, CHARLA_ERROR_SELF_CONNECT)) &&
      charla_peer_get_direction (peer) == CHARLA_PEER_INCOMING)
    {
      if (find_peer (self, peer, &position))
        {
          g_list_store_remove (self->peers, position);
          g_signal_emit (self, signals[PEER_LEFT], 0, peer);
        }
      post_event (self, CHARLA_MESSAGE_NOTICE, CHARLA_MESSAGE_EVENT_REFUSED, NULL, error->message);
    }
  else if (g_object_get_data (G_OBJECT (peer), "charla-made-room") != NULL)
    {
      /* Closed to admit another: the listener's notice says so. */
      was_listed = find_peer (self, peer, &position);
      if (was_listed)
        {
          g_list_store_remove (self->peers, position);
          g_signal_emit (self, signals[PEER_LEFT], 0, peer);
        }
    }
  else if (find_peer (self, peer, &position))
    {
      was_listed = TRUE;
      g_list_store_remove (self->peers, position);
      g_signal_emit (self, signals[PEER_LEFT], 0, peer);

      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("Lost the connection to %s: %s"), label, error->message);
          post_event (self, CHARLA_MESSAGE_ERROR, CHARLA_MESSAGE_EVENT_PEER_LEFT, peer, text);
        }
      else
        {
          g_autofree char *text = g_strdup_printf (_("%s disconnected"), label);
          post_event (self, CHARLA_MESSAGE_NOTICE, CHARLA_MESSAGE_EVENT_PEER_LEFT, peer, text);
        }
    }

  if (was_listed && undelivered > 0)
    {
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%u message could not be delivered to %s",
                                      "%u messages could not be delivered to %s",
                                      undelivered),
                         undelivered, label);
      post_event (self, CHARLA_MESSAGE_ERROR, CHARLA_MESSAGE_EVENT_UNDELIVERED, peer, text);
    }

  if (self->shutdown_task != NULL)
    {
      ShutdownData *data = g_task_get_task_data (self->shutdown_task);

      data->undelivered += undelivered;
      shutdown_check (self);
    }
}

static void
on_peer_output_changed (CharlaPeer *peer,
                        GParamSpec *pspec,
                        CharlaNode *self)
{
  if (self->shutdown_task != NULL)
    shutdown_check (self);
}

static CharlaPeer *
add_connection (CharlaNode          *self,
                GSocketConnection   *connection,
                CharlaPeerDirection  direction)
{
  CharlaPeer *peer = charla_peer_new (connection, direction, self->name, self->node_id);

  charla_peer_set_seen_messages (peer, self->seen_messages);

  g_ptr_array_add (self->connections, peer);

  g_signal_connect (peer, "message-received", G_CALLBACK (on_peer_message_received), self);
  g_signal_connect (peer, "established", G_CALLBACK (on_peer_established), self);
  g_signal_connect (peer, "renamed", G_CALLBACK (on_peer_renamed), self);
  g_signal_connect (peer, "closed", G_CALLBACK (on_peer_closed), self);
  g_signal_connect (peer, "notify::queued-bytes", G_CALLBACK (on_peer_output_changed), self);
  g_signal_connect (peer, "notify::state", G_CALLBACK (on_peer_output_changed), self);

  return peer;
}

static void
on_incoming (CharlaListener    *listener,
             GSocketConnection *connection,
             CharlaNode        *self)
{
  CharlaPeer *peer = add_connection (self, connection, CHARLA_PEER_INCOMING);
  g_autofree char *endpoint = charla_peer_dup_endpoint (peer);

  g_debug ("accepted a connection from %s", endpoint);

  /* Its place in the listener's caps is given back when it closes. */
  g_object_set_data_full (G_OBJECT (peer), "charla-accepted-connection",
                          g_object_ref (connection), g_object_unref);
  if (self->settle_timeout_ms > 0)
    charla_peer_set_settle_timeout (peer, self->settle_timeout_ms);
  charla_peer_start (peer);
}

/* A cap is reached (of @address, or the total for %NULL): the connection
 * to close is one that never said anything — no text, no HELLO — and is
 * listed already (one still handshaking is decided within moments, and
 * a scanner's probe among them still wants its answer). Of those, one
 * from the address holding the most connections (an attacker's, rather
 * than a lone seed client's), the oldest first. A listed peer is never
 * closed by a timer: a seed client that only reads is silent for as long
 * as its user reads, and its next message must arrive. */
static gboolean
on_listener_make_room (CharlaListener *listener,
                       const char     *address,
                       CharlaNode     *self)
{
  g_autoptr(GError) error = NULL;
  CharlaPeer *victim = NULL;
  guint victim_count = 0;

  for (guint i = 0; i < self->connections->len; i++)
    {
      CharlaPeer *peer = g_ptr_array_index (self->connections, i);
      GSocketConnection *connection = g_object_get_data (G_OBJECT (peer), "charla-accepted-connection");
      guint count;

      if (connection == NULL || charla_peer_has_spoken (peer) ||
          charla_peer_get_state (peer) != CHARLA_PEER_STATE_CONNECTED)
        continue;
      if (address != NULL && g_strcmp0 (charla_listener_get_address_key (connection), address) != 0)
        continue;

      count = charla_listener_count_from (listener, connection);
      if (victim == NULL || count > victim_count)
        {
          victim = peer;
          victim_count = count;
        }
    }

  if (victim == NULL)
    return FALSE;

  /* The listener tells the user once per episode, not once per peer. */
  g_object_set_data (G_OBJECT (victim), "charla-made-room", GINT_TO_POINTER (TRUE));
  error = g_error_new_literal (CHARLA_ERROR, CHARLA_ERROR_TIMED_OUT,
                               _("closed to make room: it never said anything"));
  charla_peer_abort (victim, error);
  return TRUE;
}

/* Refusing connections (a cap, out of descriptors) or accepting again:
 * said once per episode. */
static void
on_listener_notice (CharlaListener *listener,
                    gboolean        is_error,
                    const char     *text,
                    CharlaNode     *self)
{
  post_event (self, is_error ? CHARLA_MESSAGE_ERROR : CHARLA_MESSAGE_NOTICE,
              CHARLA_MESSAGE_EVENT_REFUSED, NULL, text);
}

/* Connecting
 *
 * The task's own reference is the operation's: sources and peer signal
 * handlers borrow it, and whichever path completes the task first drops
 * it (connect_task_complete). The resolver and the cancellation idle take
 * references of their own, since they cannot be called off. */

typedef struct
{
  char         *label;
  guint         timeout_ms;
  GSocket      *socket;
  GSource      *socket_source;
  GSource      *timeout_source;
  CharlaPeer   *peer;
  GCancellable *cancellable;
  gulong        cancelled_id;
  guint16       port;
  gboolean      completed;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  charla_clear_source (&data->socket_source);
  charla_clear_source (&data->timeout_source);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->peer);
  g_clear_object (&data->socket);
  g_free (data->label);
  g_free (data);
}

/* Completes the task exactly once, with @peer or @error (consumed). */
static void
connect_task_complete (GTask      *task,
                       CharlaPeer *peer,
                       GError     *error)
{
  ConnectData *data = g_task_get_task_data (task);
  CharlaNode *self = g_task_get_source_object (task);

  if (data->completed)
    {
      g_clear_error (&error);
      return;
    }

  data->completed = TRUE;
  charla_clear_source (&data->socket_source);
  charla_clear_source (&data->timeout_source);
  if (data->cancelled_id != 0)
    {
      /* Not g_cancellable_disconnect(): this may run inside the
       * cancelled handler's idle, and the handler owns no state. */
      g_signal_handler_disconnect (data->cancellable, data->cancelled_id);
      data->cancelled_id = 0;
    }
  if (data->socket != NULL)
    g_socket_close (data->socket, NULL);
  if (data->peer != NULL)
    {
      g_signal_handlers_disconnect_matched (data->peer, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, task);
      if (error != NULL)
        charla_peer_close (data->peer);
    }

  g_ptr_array_remove_fast (self->connecting, task);

  if (error != NULL)
    {
      g_debug ("connect to %s failed: %s", data->label, error->message);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        post_event (self, CHARLA_MESSAGE_ERROR, CHARLA_MESSAGE_EVENT_CONNECT_FAILED, NULL, error->message);
      g_task_return_error (task, error);
    }
  else
    {
      g_debug ("connected to %s", data->label);
      g_task_return_pointer (task, g_object_ref (peer), g_object_unref);
    }

  g_object_unref (task);
}

static void
on_connect_peer_established (CharlaPeer *peer,
                             GTask      *task)
{
  connect_task_complete (task, peer, NULL);
}

static void
on_connect_peer_closed (CharlaPeer   *peer,
                        const GError *error,
                        guint         undelivered,
                        GTask        *task)
{
  ConnectData *data = g_task_get_task_data (task);

  if (error != NULL)
    connect_task_complete (task, NULL, g_error_copy (error));
  else
    connect_task_complete (task, NULL,
                           g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                        _("%s closed the connection before saying who it is"),
                                        data->label));
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);

  g_clear_pointer (&data->timeout_source, g_source_unref);
  connect_task_complete (task, NULL,
                         g_error_new (CHARLA_ERROR, CHARLA_ERROR_TIMED_OUT,
                                      _("Connecting to %s timed out after %.1f seconds: "
                                        "the host does not answer or a firewall drops the connection"),
                                      data->label, data->timeout_ms / 1000.0));

  return G_SOURCE_REMOVE;
}

static gboolean
on_connect_cancelled_idle (gpointer user_data)
{
  GTask *task = user_data;

  connect_task_complete (task, NULL,
                         g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                              _("Operation was cancelled")));

  return G_SOURCE_REMOVE;
}

static void
on_connect_cancelled (GCancellable *cancellable,
                      GTask        *task)
{
  /* May run in any thread, and inside g_cancellable_connect(). */
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, on_connect_cancelled_idle, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

static gboolean
on_socket_connected (GSocket      *socket,
                     GIOCondition  condition,
                     gpointer      user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  CharlaNode *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  g_clear_pointer (&data->socket_source, g_source_unref);
  g_debug ("TCP connect to %s %s", data->label, condition & (G_IO_ERR | G_IO_HUP) ? "failed" : "done");

  if (!g_socket_check_connect_result (socket, &error))
    {
      g_prefix_error (&error, _("Could not connect to %s: "), data->label);
      connect_task_complete (task, NULL, g_steal_pointer (&error));
      return G_SOURCE_REMOVE;
    }

  connection = g_socket_connection_factory_create_connection (socket);
  g_clear_object (&data->socket);
  data->peer = g_object_ref (add_connection (self, connection, CHARLA_PEER_OUTGOING));

  g_signal_connect (data->peer, "established", G_CALLBACK (on_connect_peer_established), task);
  g_signal_connect (data->peer, "closed", G_CALLBACK (on_connect_peer_closed), task);
  charla_peer_start (data->peer);

  return G_SOURCE_REMOVE;
}

static void
start_connect (GTask        *task,
               GInetAddress *address)
{
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (address, data->port);
  g_autoptr(GError) error = NULL;

  if (!charla_check_target_allowed (address, &error))
    {
      connect_task_complete (task, NULL, g_steal_pointer (&error));
      return;
    }

  /* A plain non-blocking connect: no proxy lookup, no resolver, and
   * none of GSocketClient's cancellation races in GLib 2.74. */
  data->socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                               G_SOCKET_PROTOCOL_TCP, &error);
  if (data->socket == NULL)
    {
      g_prefix_error (&error, _("Could not connect to %s: "), data->label);
      connect_task_complete (task, NULL, g_steal_pointer (&error));
      return;
    }

  g_socket_set_blocking (data->socket, FALSE);

  if (!g_socket_connect (data->socket, socket_address, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      g_prefix_error (&error, _("Could not connect to %s: "), data->label);
      connect_task_complete (task, NULL, g_steal_pointer (&error));
      return;
    }

  data->timeout_source = g_timeout_source_new (data->timeout_ms);
  g_source_set_callback (data->timeout_source, on_connect_timeout, task, NULL);
  g_source_set_static_name (data->timeout_source, "[charla] connect timeout");
  g_source_attach (data->timeout_source, g_task_get_context (task));

  data->socket_source = g_socket_create_source (data->socket, G_IO_OUT, NULL);
  g_source_set_callback (data->socket_source, G_SOURCE_FUNC (on_socket_connected), task, NULL);
  g_source_set_static_name (data->socket_source, "[charla] connect");
  g_source_attach (data->socket_source, g_task_get_context (task));
}

static void
on_host_resolved (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) resolver_ref = user_data;
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autolist(GInetAddress) addresses = NULL;
  GInetAddress *chosen = NULL;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (object), result, &error);

  if (data->completed)
    return;

  if (addresses == NULL)
    {
      g_prefix_error (&error, _("Could not connect to %s: "), data->label);
      connect_task_complete (task, NULL, g_steal_pointer (&error));
      return;
    }

  /* Under CHARLA_LOOPBACK_ONLY a name may still resolve to loopback. */
  for (GList *l = addresses; l != NULL && chosen == NULL; l = l->next)
    if (charla_check_target_allowed (l->data, NULL))
      chosen = l->data;

  start_connect (task, chosen != NULL ? chosen : addresses->data);
}

/* Properties and lifecycle */

static void
charla_node_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CharlaNode *self = CHARLA_NODE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_PORT_MIN:
      g_value_set_uint (value, self->port_min);
      break;
    case PROP_PORT_MAX:
      g_value_set_uint (value, self->port_max);
      break;
    case PROP_BIND_ADDRESS:
      g_value_set_string (value, self->bind_address);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout_ms);
      break;
    case PROP_SHUTDOWN_TIMEOUT:
      g_value_set_uint (value, self->shutdown_timeout_ms);
      break;
    case PROP_SCANNER:
      g_value_set_object (value, charla_node_get_scanner (self));
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, charla_node_get_running (self));
      break;
    case PROP_PEERS:
      g_value_set_object (value, self->peers);
      break;
    case PROP_MESSAGES:
      g_value_set_object (value, self->messages);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_node_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CharlaNode *self = CHARLA_NODE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      charla_node_set_name (self, g_value_get_string (value), NULL);
      break;
    case PROP_PORT_MIN:
      charla_node_set_port_range (self, g_value_get_uint (value), MAX (self->port_max, g_value_get_uint (value)));
      break;
    case PROP_PORT_MAX:
      charla_node_set_port_range (self, MIN (self->port_min, g_value_get_uint (value)), g_value_get_uint (value));
      break;
    case PROP_BIND_ADDRESS:
      charla_node_set_bind_address (self, g_value_get_string (value));
      break;
    case PROP_CONNECT_TIMEOUT:
      charla_node_set_connect_timeout (self, g_value_get_uint (value));
      break;
    case PROP_SHUTDOWN_TIMEOUT:
      charla_node_set_shutdown_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_node_dispose (GObject *object)
{
  CharlaNode *self = CHARLA_NODE (object);

  g_cancellable_cancel (self->scan_cancellable);

  /* Going away quietly: nobody is left to tell about closed peers. */
  while (self->connections->len > 0)
    {
      g_autoptr(CharlaPeer) peer = g_ptr_array_steal_index (self->connections, self->connections->len - 1);

      g_signal_handlers_disconnect_by_data (peer, self);
      charla_peer_close (peer);
    }

  charla_node_stop (self);
  g_list_store_remove_all (self->peers);

  G_OBJECT_CLASS (charla_node_parent_class)->dispose (object);
}

static void
charla_node_finalize (GObject *object)
{
  CharlaNode *self = CHARLA_NODE (object);

  g_clear_object (&self->peers);
  g_clear_object (&self->messages);
  g_clear_object (&self->scanner);
  g_clear_object (&self->scan_cancellable);
  g_clear_pointer (&self->connections, g_ptr_array_unref);
  g_clear_pointer (&self->connecting, g_ptr_array_unref);
  g_free (self->name);
  g_free (self->node_id);
  g_clear_pointer (&self->seen_messages, charla_seen_messages_unref);
  g_free (self->bind_address);

  G_OBJECT_CLASS (charla_node_parent_class)->finalize (object);
}

static void
charla_node_class_init (CharlaNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = charla_node_get_property;
  object_class->set_property = charla_node_set_property;
  object_class->dispose = charla_node_dispose;
  object_class->finalize = charla_node_finalize;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PORT_MIN] =
    g_param_spec_uint ("port-min", NULL, NULL, 0, G_MAXUINT16, CHARLA_DEFAULT_PORT_MIN,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PORT_MAX] =
    g_param_spec_uint ("port-max", NULL, NULL, 0, G_MAXUINT16, CHARLA_DEFAULT_PORT_MAX,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BIND_ADDRESS] =
    g_param_spec_string ("bind-address", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL, 1, G_MAXUINT, DEFAULT_CONNECT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * CharlaNode:shutdown-timeout:
   *
   * How long charla_node_shutdown_async() lets queued text leave, in
   * milliseconds.
   */
  properties[PROP_SHUTDOWN_TIMEOUT] =
    g_param_spec_uint ("shutdown-timeout", NULL, NULL, 1, G_MAXUINT, DEFAULT_SHUTDOWN_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * CharlaNode:scanner:
   *
   * The node's own #CharlaScanner, which charla_node_scan_async() runs:
   * bind its models and progress to show a scan.
   */
  properties[PROP_SCANNER] =
    g_param_spec_object ("scanner", NULL, NULL, CHARLA_TYPE_SCANNER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PEERS] =
    g_param_spec_object ("peers", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGES] =
    g_param_spec_object ("messages", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CharlaNode::message:
   * @message: the #CharlaMessage just added to #CharlaNode:messages
   *
   * Chat text arrived or was sent, or something happened that the user
   * should be told (a peer joined or left, a connect failed).
   */
  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CHARLA_TYPE_MESSAGE);

  /**
   * CharlaNode::peer-joined:
   * @peer: the #CharlaPeer just added to #CharlaNode:peers
   *
   * A peer finished its handshake, in either direction.
   */
  signals[PEER_JOINED] =
    g_signal_new ("peer-joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CHARLA_TYPE_PEER);

  /**
   * CharlaNode::peer-left:
   * @peer: the #CharlaPeer just removed from #CharlaNode:peers
   *
   * An established peer is gone.
   */
  signals[PEER_LEFT] =
    g_signal_new ("peer-left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CHARLA_TYPE_PEER);

  /**
   * CharlaNode::peer-renamed:
   * @peer: the #CharlaPeer, already with its new #CharlaPeer:name
   * @old_name: the name it had
   *
   * An established peer took another name.
   */
  signals[PEER_RENAMED] =
    g_signal_new ("peer-renamed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, CHARLA_TYPE_PEER, G_TYPE_STRING);
}

static void
charla_node_init (CharlaNode *self)
{
  self->peers = g_list_store_new (CHARLA_TYPE_PEER);
  self->messages = g_list_store_new (CHARLA_TYPE_MESSAGE);
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
  self->connecting = g_ptr_array_new ();
  self->node_id = g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
  self->seen_messages = charla_seen_messages_new ();
  self->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  self->shutdown_timeout_ms = DEFAULT_SHUTDOWN_TIMEOUT_MS;
  self->port_min = CHARLA_DEFAULT_PORT_MIN;
  self->port_max = CHARLA_DEFAULT_PORT_MAX;
}

/**
 * charla_node_new:
 * @name: (nullable): the display name, or %NULL for charla_default_name()
 *
 * Returns: (transfer full): a node, not listening until charla_node_start()
 */
CharlaNode *
charla_node_new (const char *name)
{
  CharlaNode *self = g_object_new (CHARLA_TYPE_NODE, NULL);

  if (name == NULL || !charla_node_set_name (self, name, NULL))
    charla_node_set_name (self, charla_default_name (), NULL);

  /* Even a login name can be unusable (all control characters). */
  if (self->name == NULL)
    self->name = g_strdup (CHARLA_ANONYMOUS_NAME);

  return self;
}

static gboolean
listen_on (CharlaNode    *self,
           GInetAddress  *bind_address,
           guint16        port,
           guint16       *out_port,
           GError       **error)
{
  GSocketListener *listener = G_SOCKET_LISTENER (self->listener);

  if (bind_address != NULL)
    {
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (bind_address, port);
      g_autoptr(GSocketAddress) effective = NULL;

      if (!g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
        return FALSE;

      *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
      return TRUE;
    }

  if (port == 0)
    {
      *out_port = g_socket_listener_add_any_inet_port (listener, NULL, error);
      return *out_port != 0;
    }

  if (!g_socket_listener_add_inet_port (listener, port, NULL, error))
    return FALSE;

  *out_port = port;
  return TRUE;
}

static gboolean
start_listening (CharlaNode  *self,
                 GError     **error)
{
  g_autoptr(GInetAddress) bind_address = NULL;
  guint16 port = 0;

  if (self->bind_address != NULL)
    {
      bind_address = g_inet_address_new_from_string (self->bind_address);
      if (bind_address == NULL)
        {
          g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                       _("“%s” is not an IP address to listen on"), self->bind_address);
          return FALSE;
        }
    }

  self->listener = charla_listener_new ();
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self->listener), LISTEN_BACKLOG);

  for (guint candidate = self->port_min; candidate <= self->port_max; candidate++)
    {
      g_autoptr(GError) local_error = NULL;

      if (listen_on (self, bind_address, candidate, &port, &local_error))
        break;

      port = 0;
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_NO_FREE_PORT,
                       _("Cannot listen on port %u: %s"), candidate, local_error->message);
          g_clear_object (&self->listener);
          return FALSE;
        }
    }

  if (port == 0)
    {
      if (self->port_min == self->port_max)
        g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_PORT_IN_USE,
                     _("Port %u is already in use; choose another one or a range"), self->port_min);
      else
        g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_NO_FREE_PORT,
                     _("Every port from %u to %u is already in use"), self->port_min, self->port_max);
      g_clear_object (&self->listener);
      return FALSE;
    }

  g_signal_connect (self->listener, "incoming", G_CALLBACK (on_incoming), self);
  g_signal_connect (self->listener, "notice", G_CALLBACK (on_listener_notice), self);
  g_signal_connect (self->listener, "make-room", G_CALLBACK (on_listener_make_room), self);
  charla_listener_start (self->listener);

  self->port = port;
  g_debug ("listening on port %u", port);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  return TRUE;
}

/**
 * charla_node_start:
 * @self: a #CharlaNode
 * @error: return location for a #GError
 *
 * Listens on the first free port of the node's range (both IPv4 and
 * IPv6 unless a bind address is set). A range of one port that is taken
 * is an error, %CHARLA_ERROR_PORT_IN_USE; a range of 0–0 takes any free
 * port. A failure is also posted to #CharlaNode:messages: a node that
 * does not listen can still connect out and scan.
 *
 * Returns: %TRUE if the node listens
 */
gboolean
charla_node_start (CharlaNode  *self,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CHARLA_IS_NODE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->listener != NULL)
    return TRUE;

  if (!start_listening (self, &local_error))
    {
      g_autofree char *text = g_strdup_printf (_("Not listening for connections: %s"),
                                               local_error->message);

      post_event (self, CHARLA_MESSAGE_ERROR, CHARLA_MESSAGE_EVENT_NOT_LISTENING, NULL, text);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

static void
stop_listening (CharlaNode *self)
{
  if (self->listener == NULL)
    return;

  g_debug ("no longer listening on port %u", self->port);
  g_signal_handlers_disconnect_by_data (self->listener, self);
  charla_listener_stop (self->listener);
  g_socket_listener_close (G_SOCKET_LISTENER (self->listener));
  g_clear_object (&self->listener);

  self->port = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

/**
 * charla_node_stop:
 *
 * Stops listening and closes every connection.
 */
void
charla_node_stop (CharlaNode *self)
{
  g_return_if_fail (CHARLA_IS_NODE (self));

  if (self->listener == NULL)
    return;

  stop_listening (self);

  while (self->connections->len > 0)
    charla_peer_close (g_ptr_array_index (self->connections, 0));
}

gboolean
charla_node_get_running (CharlaNode *self)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), FALSE);

  return self->listener != NULL;
}

const char *
charla_node_get_name (CharlaNode *self)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), NULL);

  return self->name;
}

/**
 * charla_node_set_name:
 * @self: a #CharlaNode
 * @name: the new display name
 * @error: return location for a #GError
 *
 * Renames the node (`--name NEW`). Control characters are removed and
 * the name is cut to %CHARLA_MAX_NAME_CHARS characters; Charla peers are
 * told, seed peers have no way to hear it. While the node runs, a change
 * is confirmed in #CharlaNode:messages (%CHARLA_MESSAGE_EVENT_RENAMED).
 * An unusable name is only an error here: a dialog shows it inline.
 *
 * Returns: %TRUE if @name was usable
 */
static void
post_renamed (CharlaNode *self)
{
  g_autofree char *text = g_strdup_printf (_("You are now “%s”."), self->name);

  post_event (self, CHARLA_MESSAGE_NOTICE, CHARLA_MESSAGE_EVENT_RENAMED, NULL, text);
}

gboolean
charla_node_set_name (CharlaNode  *self,
                      const char  *name,
                      GError     **error)
{
  g_autofree char *clean = NULL;

  g_return_val_if_fail (CHARLA_IS_NODE (self), FALSE);

  clean = name != NULL ? charla_name_sanitize (name, -1) : NULL;
  if (clean == NULL)
    {
      g_set_error_literal (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_NAME,
                           _("A name needs at least one visible character"));
      return FALSE;
    }

  if (g_strcmp0 (self->name, clean) == 0)
    return TRUE;

  g_free (self->name);
  self->name = g_steal_pointer (&clean);

  for (guint i = 0; i < self->connections->len; i++)
    charla_peer_set_local_name (g_ptr_array_index (self->connections, i), self->name);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);

  if (charla_node_get_running (self))
    post_renamed (self);

  return TRUE;
}

guint16
charla_node_get_port (CharlaNode *self)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), 0);

  return self->port;
}

/**
 * charla_node_set_port_range:
 * @port_min: first port to try, or 0 with @port_max 0 for any free port
 * @port_max: last port to try
 *
 * Takes effect at the next charla_node_start().
 */
void
charla_node_set_port_range (CharlaNode *self,
                            guint16     port_min,
                            guint16     port_max)
{
  g_return_if_fail (CHARLA_IS_NODE (self));
  g_return_if_fail (port_min <= port_max);

  if (self->port_min != port_min)
    {
      self->port_min = port_min;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT_MIN]);
    }
  if (self->port_max != port_max)
    {
      self->port_max = port_max;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT_MAX]);
    }
}

guint16
charla_node_get_port_min (CharlaNode *self)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), 0);

  return self->port_min;
}

guint16
charla_node_get_port_max (CharlaNode *self)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), 0);

  return self->port_max;
}

const char *
charla_node_get_bind_address (CharlaNode *self)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), NULL);

  return self->bind_address;
}

/**
 * charla_node_set_bind_address:
 * @address: (nullable): an IP address to listen on, or %NULL for all
 *
 * Takes effect at the next charla_node_start().
 */
void
charla_node_set_bind_address (CharlaNode *self,
                              const char *address)
{
  g_return_if_fail (CHARLA_IS_NODE (self));

  if (address != NULL && *address == '\0')
    address = NULL;

  if (g_strcmp0 (self->bind_address, address) == 0)
    return;

  g_free (self->bind_address);
  self->bind_address = g_strdup (address);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BIND_ADDRESS]);
}

/**
 * charla_node_get_connect_timeout:
 *
 * Returns: how long a chat connect may take, in milliseconds
 */
guint
charla_node_get_connect_timeout (CharlaNode *self)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), 0);

  return self->connect_timeout_ms;
}

/**
 * charla_node_set_connect_timeout:
 * @msec: how long later connects may take, in milliseconds
 */
void
charla_node_set_connect_timeout (CharlaNode *self,
                                 guint       msec)
{
  g_return_if_fail (CHARLA_IS_NODE (self));
  g_return_if_fail (msec > 0);

  if (self->connect_timeout_ms == msec)
    return;

  self->connect_timeout_ms = msec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECT_TIMEOUT]);
}

/**
 * charla_node_get_shutdown_timeout:
 *
 * Returns: how long charla_node_shutdown_async() lets queued text
 *   leave, in milliseconds
 */
guint
charla_node_get_shutdown_timeout (CharlaNode *self)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), 0);

  return self->shutdown_timeout_ms;
}

/**
 * charla_node_set_shutdown_timeout:
 * @msec: how long queued text may take to leave at shutdown, in milliseconds
 */
void
charla_node_set_shutdown_timeout (CharlaNode *self,
                                  guint       msec)
{
  g_return_if_fail (CHARLA_IS_NODE (self));
  g_return_if_fail (msec > 0);

  if (self->shutdown_timeout_ms == msec)
    return;

  self->shutdown_timeout_ms = msec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHUTDOWN_TIMEOUT]);
}

/**
 * charla_node_get_peers:
 *
 * Returns: (transfer none): a #GListModel of established #CharlaPeer
 */
GListModel *
charla_node_get_peers (CharlaNode *self)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), NULL);

  return G_LIST_MODEL (self->peers);
}

/**
 * charla_node_get_messages:
 *
 * Returns: (transfer none): a #GListModel of #CharlaMessage, the chat
 *   history (the oldest are dropped past 64 MiB: some 200,000 ordinary
 *   messages, a few hundred of the largest)
 */
GListModel *
charla_node_get_messages (CharlaNode *self)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), NULL);

  return G_LIST_MODEL (self->messages);
}

/**
 * charla_node_connect_async:
 * @self: a #CharlaNode
 * @host: an IP address or a host name
 * @port: the remote port
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the peer is connected and its name known
 * @user_data: data for @callback
 *
 * Opens one more connection (`--ch`), keeping the others. The result is
 * also posted to #CharlaNode:messages, so every front end shows it.
 */
void
charla_node_connect_async (CharlaNode          *self,
                           const char          *host,
                           guint16              port,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare_host = NULL;
  g_autoptr(GError) error = NULL;
  GTask *task_ref;
  ConnectData *data;

  g_return_if_fail (CHARLA_IS_NODE (self));
  g_return_if_fail (host != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, charla_node_connect_async);
  g_task_set_return_on_cancel (task, FALSE);

  bare_host = g_strstrip (g_strdup (host));
  if (bare_host[0] == '[' && g_str_has_suffix (bare_host, "]"))
    {
      memmove (bare_host, bare_host + 1, strlen (bare_host));
      bare_host[strlen (bare_host) - 1] = '\0';
    }

  data = g_new0 (ConnectData, 1);
  data->label = charla_endpoint_format (bare_host, port);
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  /* From here on the operation owns the task's reference; every outcome,
   * even a bad argument, completes it through connect_task_complete(),
   * which also tells the user. */
  task_ref = g_steal_pointer (&task);
  g_ptr_array_add (self->connecting, task_ref);
  g_debug ("connecting to %s", data->label);

  if (bare_host[0] == '\0')
    {
      connect_task_complete (task_ref, NULL,
                             g_error_new_literal (CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                                                  _("No address given to connect to")));
      return;
    }

  if (port == 0)
    {
      connect_task_complete (task_ref, NULL,
                             g_error_new_literal (CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT,
                                                  _("Port 0 is out of range (1–65535)")));
      return;
    }

  data->port = port;
  data->timeout_ms = self->connect_timeout_ms;
  address = g_inet_address_new_from_string (bare_host);

  if (address == NULL && !g_hostname_is_ascii_encoded (bare_host) &&
      !g_utf8_validate (bare_host, -1, NULL))
    {
      connect_task_complete (task_ref, NULL,
                             g_error_new (CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                                          _("“%s” is not a valid address"), data->label));
      return;
    }

  /* Under CHARLA_LOOPBACK_ONLY not even the name server's query leaves
   * loopback. */
  if (address == NULL && !charla_check_host_allowed (bare_host, &error))
    {
      connect_task_complete (task_ref, NULL, g_steal_pointer (&error));
      return;
    }

  if (cancellable != NULL)
    {
      data->cancellable = g_object_ref (cancellable);
      data->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_connect_cancelled),
                                                  task_ref, NULL);
    }

  if (address != NULL)
    start_connect (task_ref, address);
  else
    g_resolver_lookup_by_name_async (g_resolver_get_default (), bare_host, NULL,
                                     on_host_resolved, g_object_ref (task_ref));
}

/**
 * charla_node_connect_finish:
 *
 * Returns: (transfer full): the connected peer, or %NULL with @error set
 */
CharlaPeer *
charla_node_connect_finish (CharlaNode    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == charla_node_connect_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
is_chat_partner (CharlaPeer *peer)
{
  CharlaPeerState state = charla_peer_get_state (peer);

  /* An accepted connection still handshaking may be a scanner probe:
   * chat text would land in the name it reads. */
  return state == CHARLA_PEER_STATE_CONNECTED ||
         (state == CHARLA_PEER_STATE_HANDSHAKING &&
          charla_peer_get_direction (peer) == CHARLA_PEER_OUTGOING);
}

/**
 * charla_node_send:
 * @self: a #CharlaNode
 * @text: chat text
 *
 * Sends @text to every peer, like the seed's send-to-all loop, without
 * blocking. The text is encoded once per dialect and shared.
 *
 * Returns: how many nodes it was queued for (two connections to one
 *   node count once); with none, an error message is posted instead
 */
guint
charla_node_send (CharlaNode *self,
                  const char *text)
{
  g_autofree char *valid = NULL;
  g_autoptr(GPtrArray) charla_writes = NULL;
  g_autoptr(GPtrArray) seed_writes = NULL;
  g_autoptr(GPtrArray) partners = NULL;
  g_autoptr(GHashTable) nodes = NULL;
  g_autoptr(CharlaMessage) message = NULL;
  g_autofree char *shown = NULL;
  guint n_recipients = 0;

  g_return_val_if_fail (CHARLA_IS_NODE (self), 0);
  g_return_val_if_fail (text != NULL, 0);

  valid = g_utf8_make_valid (text, -1);
  if (valid[0] == '\0')
    return 0;

  /* Every connection gets its copy. A node id is a claim, not proof:
   * delivering once per id would let whoever claims a node's id take its
   * messages. Two nodes connected both ways get two copies with one
   * message id, and the receiver shows the second copy as a duplicate.
   * The count said to the user is of distinct nodes. */
  partners = g_ptr_array_new_with_free_func (g_object_unref);
  nodes = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < self->connections->len; i++)
    {
      CharlaPeer *peer = g_ptr_array_index (self->connections, i);
      const char *node_id = charla_peer_get_node_id (peer);

      if (!is_chat_partner (peer))
        continue;

      g_ptr_array_add (partners, g_object_ref (peer));
      if (node_id == NULL || g_hash_table_add (nodes, (gpointer) node_id))
        n_recipients++;
    }

  if (partners->len == 0)
    {
      post_event (self, CHARLA_MESSAGE_ERROR, CHARLA_MESSAGE_EVENT_NOT_SENT, NULL,
                  _("Nobody is connected: the message was not sent"));
      return 0;
    }

  charla_writes = charla_peer_encode (CHARLA_PEER_DIALECT_CHARLA, valid);
  seed_writes = charla_peer_encode (CHARLA_PEER_DIALECT_SEED, valid);

  for (guint i = 0; i < partners->len; i++)
    charla_peer_send_encoded (g_ptr_array_index (partners, i), valid, charla_writes, seed_writes);

  shown = charla_text_sanitize (valid, -1);
  message = charla_message_new_outgoing (self->name, shown, n_recipients);
  post_message (self, message);

  return n_recipients;
}

/**
 * charla_node_disconnect_all:
 *
 * Closes every connection (`--ex`) and says so in #CharlaNode:messages.
 * The node keeps listening.
 *
 * Returns: how many connections were closed
 */
guint
charla_node_disconnect_all (CharlaNode *self)
{
  g_autoptr(GPtrArray) closing = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (CHARLA_IS_NODE (self), 0);

  closing = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->connections->len; i++)
    g_ptr_array_add (closing, g_object_ref (g_ptr_array_index (self->connections, i)));

  for (guint i = 0; i < closing->len; i++)
    charla_peer_close (g_ptr_array_index (closing, i));

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Closed %u connection",
                                       "Closed %u connections",
                                       closing->len),
                          closing->len);
  post_event (self, CHARLA_MESSAGE_NOTICE, CHARLA_MESSAGE_EVENT_DISCONNECTED_ALL, NULL, text);

  return closing->len;
}

/**
 * charla_node_dup_peer_names:
 *
 * Returns: (transfer full): the connected peers as "Name (address:port)",
 *   one per line, or a sentence saying nobody is connected (`--name`)
 */
char *
charla_node_dup_peer_names (CharlaNode *self)
{
  g_autoptr(GString) names = g_string_new (NULL);
  guint n_peers;

  g_return_val_if_fail (CHARLA_IS_NODE (self), NULL);

  n_peers = g_list_model_get_n_items (G_LIST_MODEL (self->peers));
  if (n_peers == 0)
    return g_strdup (_("Nobody is connected"));

  for (guint i = 0; i < n_peers; i++)
    {
      g_autoptr(CharlaPeer) peer = g_list_model_get_item (G_LIST_MODEL (self->peers), i);
      g_autofree char *label = charla_peer_dup_label (peer);

      if (i > 0)
        g_string_append_c (names, '\n');
      g_string_append (names, label);
    }

  return g_string_free (g_steal_pointer (&names), FALSE);
}

/**
 * charla_node_post_notice:
 * @kind: %CHARLA_MESSAGE_NOTICE or %CHARLA_MESSAGE_ERROR
 * @text: what to tell the user
 *
 * Adds a notice to the history, for every front end to show.
 */
void
charla_node_post_notice (CharlaNode        *self,
                         CharlaMessageKind  kind,
                         const char        *text)
{
  g_autoptr(CharlaMessage) message = NULL;

  g_return_if_fail (CHARLA_IS_NODE (self));
  g_return_if_fail (text != NULL);

  message = charla_message_new_event (kind, CHARLA_MESSAGE_EVENT_NONE, NULL, text);
  post_message (self, message);
}

static gboolean
address_is_local (GInetAddress *address)
{
  g_autoptr(GSocket) probe = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;

  if (g_inet_address_get_is_loopback (address) || g_inet_address_get_is_any (address))
    return TRUE;

  /* Binding succeeds only for this host's own addresses; it sends nothing. */
  probe = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_DATAGRAM,
                        G_SOCKET_PROTOCOL_UDP, NULL);
  if (probe == NULL)
    return FALSE;

  socket_address = g_inet_socket_address_new (address, 0);
  return g_socket_bind (probe, socket_address, FALSE, NULL);
}

/**
 * charla_node_set_handshake_timeout: (skip)
 * @msec: how long an accepted connection may take to be decided
 *
 * For tests; applies to connections accepted from now on (500 ms unless
 * set). By then a connection has said HELLO, spoken, or is listed as a
 * silent seed client; it is never closed for its silence.
 */
void
charla_node_set_handshake_timeout (CharlaNode *self,
                                   guint       msec)
{
  g_return_if_fail (CHARLA_IS_NODE (self));
  g_return_if_fail (msec > 0);

  self->settle_timeout_ms = msec;
}

/**
 * charla_node_set_connection_caps: (skip)
 * @max_connections: accepted connections at once, at most
 * @max_per_address: of them from one non-loopback address, at most
 *
 * For tests; the defaults are 1,024 (fewer under a low open-file limit)
 * and 64. Call after charla_node_start().
 */
void
charla_node_set_connection_caps (CharlaNode *self,
                                 guint       max_connections,
                                 guint       max_per_address)
{
  g_return_if_fail (CHARLA_IS_NODE (self));
  g_return_if_fail (self->listener != NULL);

  charla_listener_set_max_connections (self->listener, max_connections);
  charla_listener_set_max_per_address (self->listener, max_per_address);
}

/**
 * charla_node_get_n_accept_errors: (skip)
 *
 * Returns: how many accepts have failed (out of descriptors), each
 *   followed by a wait rather than a retry
 */
guint
charla_node_get_n_accept_errors (CharlaNode *self)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), 0);

  return self->listener != NULL ? charla_listener_get_n_accept_errors (self->listener) : 0;
}

/**
 * charla_node_is_own_endpoint:
 *
 * Whether @address:@port reaches this node's own listener, so a scan
 * can show it as "this node" rather than as a stranger.
 */
gboolean
charla_node_is_own_endpoint (CharlaNode   *self,
                             GInetAddress *address,
                             guint16       port)
{
  g_autoptr(GInetAddress) bound = NULL;

  g_return_val_if_fail (CHARLA_IS_NODE (self), FALSE);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);

  if (self->listener == NULL || port != self->port)
    return FALSE;

  if (self->bind_address != NULL)
    {
      bound = g_inet_address_new_from_string (self->bind_address);
      if (bound != NULL && !g_inet_address_get_is_any (bound))
        return g_inet_address_equal (bound, address);
    }

  return address_is_local (address);
}

/**
 * charla_node_show_peers:
 *
 * Lists the connected peers (`--name`) in #CharlaNode:messages, as
 * "Name (address:port)" lines, event %CHARLA_MESSAGE_EVENT_PEER_LIST.
 */
void
charla_node_show_peers (CharlaNode *self)
{
  g_autofree char *names = NULL;

  g_return_if_fail (CHARLA_IS_NODE (self));

  names = charla_node_dup_peer_names (self);
  post_event (self, CHARLA_MESSAGE_NOTICE, CHARLA_MESSAGE_EVENT_PEER_LIST, NULL, names);
}

/**
 * charla_node_show_help:
 *
 * Posts charla_command_help_text() (`--help`), event
 * %CHARLA_MESSAGE_EVENT_HELP.
 */
void
charla_node_show_help (CharlaNode *self)
{
  g_return_if_fail (CHARLA_IS_NODE (self));

  post_event (self, CHARLA_MESSAGE_NOTICE, CHARLA_MESSAGE_EVENT_HELP, NULL, charla_command_help_text ());
}

/* Scanning */

/**
 * charla_node_get_scanner:
 *
 * The scanner that charla_node_scan_async() runs, for its models
 * (servers, report) and progress. Configure its timeouts here too.
 *
 * Returns: (transfer none): the node's #CharlaScanner
 */
CharlaScanner *
charla_node_get_scanner (CharlaNode *self)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), NULL);

  if (self->scanner == NULL)
    self->scanner = charla_scanner_new (self);

  return self->scanner;
}

typedef struct
{
  GCancellable *cancellable;    /* the caller's, linked to the node's */
  gulong        cancelled_id;
} ScanData;

static void
scan_data_free (ScanData *data)
{
  if (data->cancellable != NULL)
    g_cancellable_disconnect (data->cancellable, data->cancelled_id);
  g_clear_object (&data->cancellable);
  g_free (data);
}

static void
on_scan_caller_cancelled (GCancellable *cancellable,
                          GCancellable *scan_cancellable)
{
  g_cancellable_cancel (scan_cancellable);
}

/* "Scan finished: 3 servers found · 2 other services · 120 filtered." */
static char *
scan_summary (CharlaScanner *scanner)
{
  g_autofree char *counts = charla_scanner_dup_summary (scanner);

  /* TRANSLATORS: %s is the scan's counts, such as "3 servers found · 75 refused" */
  return g_strdup_printf (_("Scan finished: %s."), counts);
}

static void
on_scan_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CharlaNode *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  if (!charla_scanner_scan_finish (CHARLA_SCANNER (object), result, &error))
    {
      g_debug ("scan ended: %s", error->message);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        post_event (self, CHARLA_MESSAGE_ERROR, CHARLA_MESSAGE_EVENT_SCAN_FAILED, NULL, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  summary = scan_summary (CHARLA_SCANNER (object));
  post_event (self, CHARLA_MESSAGE_NOTICE, CHARLA_MESSAGE_EVENT_SCAN_FINISHED, NULL, summary);
  g_task_return_boolean (task, TRUE);
}

/**
 * charla_node_scan_async:
 * @self: a #CharlaNode
 * @targets: (nullable): addresses, ranges or networks separated by spaces
 *   or commas (`127.0.0.1, 127.0.0.0/24`), or %NULL (or empty) for this
 *   machine's networks, charla_network_dup_local_targets()
 * @ports: (nullable): a port or a range, or %NULL (or empty) for the
 *   seed's 9990–10005
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the scan is over
 * @user_data: data for @callback
 *
 * Runs the node's scanner (charla_node_get_scanner(): its models fill as
 * servers are found). The start, the summary and any failure are posted
 * to #CharlaNode:messages.
 */
void
charla_node_scan_async (CharlaNode          *self,
                        const char          *targets,
                        const char          *ports,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) target_list = NULL;
  g_autofree char *targets_text = NULL;
  g_autofree char *start_text = NULL;
  CharlaScanner *scanner;
  ScanData *data;

  g_return_if_fail (CHARLA_IS_NODE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, charla_node_scan_async);

  if (targets != NULL && strspn (targets, " \t,") < strlen (targets))
    {
      g_auto(GStrv) pieces = g_strsplit_set (targets, " \t,", -1);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      /* Runs of separators leave empty pieces behind; they are not targets. */
      for (guint i = 0; pieces[i] != NULL; i++)
        if (*pieces[i] != '\0')
          g_strv_builder_add (builder, pieces[i]);
      target_list = g_strv_builder_end (builder);
    }
  else
    {
      target_list = charla_network_dup_local_targets ();
    }

  if (ports != NULL && strspn (ports, " \t") == strlen (ports))
    ports = NULL;

  scanner = charla_node_get_scanner (self);
  if (!charla_scanner_prepare (scanner, (const char * const *) target_list, ports, &error))
    {
      post_event (self, CHARLA_MESSAGE_ERROR, CHARLA_MESSAGE_EVENT_SCAN_FAILED, NULL, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  targets_text = g_strjoinv (", ", target_list);
  g_debug ("scanning %s, ports %s", targets_text, ports != NULL ? ports : "(default)");
  if (ports != NULL)
    start_text = g_strdup_printf (_("Scanning %s, ports %s…"), targets_text, ports);
  else
    start_text = g_strdup_printf (_("Scanning %s, ports %u-%u…"), targets_text,
                                  CHARLA_DEFAULT_PORT_MIN, CHARLA_DEFAULT_PORT_MAX);
  post_event (self, CHARLA_MESSAGE_NOTICE, CHARLA_MESSAGE_EVENT_SCAN_STARTED, NULL, start_text);

  /* The node can stop its scan (at shutdown) whatever the caller does. */
  g_clear_object (&self->scan_cancellable);
  self->scan_cancellable = g_cancellable_new ();
  data = g_new0 (ScanData, 1);
  if (cancellable != NULL)
    {
      data->cancellable = g_object_ref (cancellable);
      data->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_scan_caller_cancelled),
                                                  g_object_ref (self->scan_cancellable), g_object_unref);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) scan_data_free);

  charla_scanner_scan_async (scanner, self->scan_cancellable, on_scan_done, g_steal_pointer (&task));
}

/**
 * charla_node_scan_finish:
 *
 * Returns: %TRUE if the scan ran to its end; the error was already
 *   posted to #CharlaNode:messages (unless it is %G_IO_ERROR_CANCELLED)
 */
gboolean
charla_node_scan_finish (CharlaNode    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == charla_node_scan_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Shutting down
 *
 * The listener closes at once and connects in flight are called off;
 * peers with text still queued (or held back by a handshake) get until
 * the deadline to take it, the others are closed at once. */

static void
shutdown_data_free (ShutdownData *data)
{
  charla_clear_source (&data->deadline);
  if (data->cancellable != NULL)
    g_signal_handler_disconnect (data->cancellable, data->cancelled_id);
  g_clear_object (&data->cancellable);
  g_free (data);
}

static void
close_connections (CharlaNode *self,
                   gboolean    only_idle)
{
  g_autoptr(GPtrArray) closing = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->connections->len; i++)
    {
      CharlaPeer *peer = g_ptr_array_index (self->connections, i);

      if (!only_idle || !charla_peer_has_pending_output (peer))
        g_ptr_array_add (closing, g_object_ref (peer));
    }

  for (guint i = 0; i < closing->len; i++)
    charla_peer_close (g_ptr_array_index (closing, i));
}

static void
shutdown_finish_now (CharlaNode *self)
{
  g_autoptr(GTask) task = NULL;
  ShutdownData *data = g_task_get_task_data (self->shutdown_task);

  if (data->closing)
    return;

  data->closing = TRUE;
  close_connections (self, FALSE);

  task = g_steal_pointer (&self->shutdown_task);
  charla_clear_source (&data->deadline);
  g_debug ("shut down, %u messages undelivered", data->undelivered);

  if (data->undelivered > 0)
    g_task_return_new_error (task, CHARLA_ERROR, CHARLA_ERROR_UNDELIVERED,
                             g_dngettext (GETTEXT_PACKAGE,
                                          "%u message could not be delivered",
                                          "%u messages could not be delivered",
                                          data->undelivered),
                             data->undelivered);
  else
    g_task_return_boolean (task, TRUE);
}

static void
shutdown_check (CharlaNode *self)
{
  ShutdownData *data = g_task_get_task_data (self->shutdown_task);

  if (data->closing)
    return;

  for (guint i = 0; i < self->connections->len; i++)
    if (charla_peer_has_pending_output (g_ptr_array_index (self->connections, i)))
      return;

  shutdown_finish_now (self);
}

static gboolean
on_shutdown_deadline (gpointer user_data)
{
  CharlaNode *self = user_data;
  ShutdownData *data = g_task_get_task_data (self->shutdown_task);

  g_clear_pointer (&data->deadline, g_source_unref);
  g_debug ("shutdown deadline reached");
  shutdown_finish_now (self);

  return G_SOURCE_REMOVE;
}

static gboolean
on_shutdown_cancelled_idle (gpointer user_data)
{
  CharlaNode *self = user_data;

  if (self->shutdown_task != NULL)
    shutdown_finish_now (self);

  return G_SOURCE_REMOVE;
}

static void
on_shutdown_cancelled (GCancellable *cancellable,
                       CharlaNode   *self)
{
  /* May run inside g_cancellable_connect(): finish from the main loop. */
  g_idle_add_full (G_PRIORITY_DEFAULT, on_shutdown_cancelled_idle, g_object_ref (self), g_object_unref);
}

/**
 * charla_node_shutdown_async:
 * @self: a #CharlaNode
 * @cancellable: (nullable): cancel to stop waiting: what is still queued
 *   is then dropped (and reported) at once
 * @callback: called once every connection is closed
 * @user_data: data for @callback
 *
 * Quits cleanly: stops listening, scanning and connecting, lets text
 * already queued leave for at most #CharlaNode:shutdown-timeout, then
 * closes every connection. What could not be delivered is posted to
 * #CharlaNode:messages per peer (%CHARLA_MESSAGE_EVENT_UNDELIVERED).
 */
void
charla_node_shutdown_async (CharlaNode          *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ShutdownData *data;

  g_return_if_fail (CHARLA_IS_NODE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, charla_node_shutdown_async);

  if (self->shutdown_task != NULL)
    {
      g_task_return_new_error (task, CHARLA_ERROR, CHARLA_ERROR_BUSY,
                               _("The node is already shutting down"));
      return;
    }

  g_debug ("shutting down");
  data = g_new0 (ShutdownData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) shutdown_data_free);
  self->shutdown_task = g_steal_pointer (&task);

  g_cancellable_cancel (self->scan_cancellable);
  while (self->connecting->len > 0)
    {
      GTask *connect_task = g_ptr_array_steal_index_fast (self->connecting, 0);

      on_connect_cancelled (NULL, connect_task);
    }
  stop_listening (self);
  close_connections (self, TRUE);

  if (self->shutdown_task == NULL)
    return;

  data->deadline = g_timeout_source_new (self->shutdown_timeout_ms);
  g_source_set_callback (data->deadline, on_shutdown_deadline, self, NULL);
  g_source_set_static_name (data->deadline, "[charla] shutdown deadline");
  g_source_attach (data->deadline, g_task_get_context (self->shutdown_task));

  if (cancellable != NULL)
    {
      data->cancellable = g_object_ref (cancellable);
      data->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_shutdown_cancelled),
                                                  self, NULL);
    }

  shutdown_check (self);
}

/**
 * charla_node_shutdown_finish:
 *
 * Returns: %TRUE if everything queued was delivered; otherwise
 *   %CHARLA_ERROR_UNDELIVERED (already posted per peer)
 */
gboolean
charla_node_shutdown_finish (CharlaNode    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == charla_node_shutdown_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Running commands */

static void
on_run_connect_done (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CharlaPeer) peer = NULL;
  GError *error = NULL;

  peer = charla_node_connect_finish (CHARLA_NODE (object), result, &error);
  if (peer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_run_scan_done (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (charla_node_scan_finish (CHARLA_NODE (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
run_rename (CharlaNode  *self,
            const char  *name,
            GError     **error)
{
  g_autofree char *old_name = g_strdup (self->name);

  if (!charla_node_set_name (self, name, error))
    {
      post_event (self, CHARLA_MESSAGE_ERROR, CHARLA_MESSAGE_EVENT_RENAME_FAILED, NULL, (*error)->message);
      return FALSE;
    }

  /* Typed, it gets an answer even when nothing changed. */
  if (g_strcmp0 (old_name, self->name) == 0 || !charla_node_get_running (self))
    post_renamed (self);

  return TRUE;
}

/**
 * charla_node_run_command_async:
 * @self: a #CharlaNode
 * @command: what the user asked for, e.g. from charla_command_parse()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the command is done (a connect connected, a
 *   scan finished)
 * @user_data: data for @callback
 *
 * Carries out one user command: the single entry for what a face's user
 * types. Every outcome, success or failure, is posted to
 * #CharlaNode:messages; the result only says whether it worked, for
 * the face's flow (the CLI's menu, a dialog that stays open).
 *
 * A %CHARLA_COMMAND_CONNECT for which charla_command_needs_input() is
 * %TRUE fails with %G_IO_ERROR_INVALID_ARGUMENT: the face asks first.
 */
void
charla_node_run_command_async (CharlaNode          *self,
                               CharlaCommand       *command,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CHARLA_IS_NODE (self));
  g_return_if_fail (command != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, charla_node_run_command_async);

  switch (charla_command_get_kind (command))
    {
    case CHARLA_COMMAND_NONE:
      break;

    case CHARLA_COMMAND_SEND:
      if (charla_node_send (self, charla_command_get_text (command)) == 0)
        g_set_error_literal (&error, CHARLA_ERROR, CHARLA_ERROR_NOT_CONNECTED,
                             _("Nobody is connected: the message was not sent"));
      break;

    case CHARLA_COMMAND_CONNECT:
      if (charla_command_needs_input (command))
        {
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "--ch needs a host and a port");
          break;
        }
      charla_node_connect_async (self, charla_command_get_host (command), charla_command_get_port (command),
                                 cancellable, on_run_connect_done, g_steal_pointer (&task));
      return;

    case CHARLA_COMMAND_DISCONNECT_ALL:
      charla_node_disconnect_all (self);
      break;

    case CHARLA_COMMAND_SHOW_NAMES:
      charla_node_show_peers (self);
      break;

    case CHARLA_COMMAND_RENAME:
      run_rename (self, charla_command_get_name (command), &error);
      break;

    case CHARLA_COMMAND_SCAN:
      charla_node_scan_async (self, charla_command_get_targets (command), charla_command_get_ports (command),
                              cancellable, on_run_scan_done, g_steal_pointer (&task));
      return;

    case CHARLA_COMMAND_HELP:
      charla_node_show_help (self);
      break;

    default:
      g_assert_not_reached ();
    }

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * charla_node_run_command_finish:
 *
 * Returns: %TRUE if the command did what it asked; the error, if any,
 *   was already posted to #CharlaNode:messages (a face shows it only
 *   where its flow needs it, never as a second report)
 */
gboolean
charla_node_run_command_finish (CharlaNode    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == charla_node_run_command_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
