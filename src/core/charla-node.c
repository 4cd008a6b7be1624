/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-error.h"
#include "charla-endpoint.h"
#include "charla-network.h"
#include "charla-node-private.h"
#include "charla-peer-private.h"
#include "charla-source-private.h"
#include "charla-text.h"
#include "charla-wire.h"

/* GSocketListener's default backlog of 10 loses simultaneous connects
 * (a scan of this node, many peers joining at once). */
#define LISTEN_BACKLOG 512
/* A chat connect to a filtered host fails after this, not after the
 * kernel's two minutes of SYN retries. */
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
/* Chat history kept for the front ends. */
#define MAX_HISTORY 5000

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
  GSocketService *service;
  GListStore     *peers;        /* established peers, shown to the user */
  GListStore     *messages;
  GPtrArray      *connections;  /* every live peer, probes included */
  char           *name;
  char           *node_id;      /* random, tells our own connections apart */
  char           *bind_address;

  guint           connect_timeout_ms;
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
  PROP_RUNNING,
  PROP_PEERS,
  PROP_MESSAGES,
  N_PROPS
};

enum {
  MESSAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CharlaNode, charla_node, G_TYPE_OBJECT)

static void
post_message (CharlaNode    *self,
              CharlaMessage *message)
{
  guint n_messages;

  g_list_store_append (self->messages, message);

  n_messages = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  if (n_messages > MAX_HISTORY)
    g_list_store_splice (self->messages, 0, n_messages - MAX_HISTORY + MAX_HISTORY / 10, NULL, 0);

  g_signal_emit (self, signals[MESSAGE], 0, message);
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
  g_autofree char *address = charla_peer_dup_endpoint (peer);
  g_autoptr(CharlaMessage) message =
    charla_message_new (CHARLA_MESSAGE_INCOMING, charla_peer_get_name (peer), address, text);

  post_message (self, message);
}

static void
on_peer_established (CharlaPeer *peer,
                     CharlaNode *self)
{
  g_autofree char *label = charla_peer_dup_label (peer);
  g_autofree char *text = NULL;

  if (find_peer (self, peer, NULL))
    return;

  /* Connected to our own listener: both ends would be this node. */
  if (g_strcmp0 (charla_peer_get_node_id (peer), self->node_id) == 0)
    {
      if (charla_peer_get_direction (peer) == CHARLA_PEER_OUTGOING)
        {
          g_autoptr(GError) error = g_error_new (CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                                                 _("%s is this node itself"), label);
          charla_peer_abort (peer, error);
        }
      return;
    }

  g_object_set_data_full (G_OBJECT (peer), "charla-shown-name",
                          g_strdup (charla_peer_get_name (peer)), g_free);

  g_list_store_append (self->peers, peer);

  if (charla_peer_get_direction (peer) == CHARLA_PEER_OUTGOING)
    text = g_strdup_printf (_("Connected to %s"), label);
  else
    text = g_strdup_printf (_("%s connected to you"), label);

  charla_node_post_notice (self, CHARLA_MESSAGE_NOTICE, text);
}

static void
on_peer_name_changed (CharlaPeer *peer,
                      GParamSpec *pspec,
                      CharlaNode *self)
{
  g_autofree char *label = NULL;
  g_autofree char *text = NULL;
  guint position;

  /* Names learned during the handshake are not news. */
  if (charla_peer_get_state (peer) != CHARLA_PEER_STATE_CONNECTED || !find_peer (self, peer, &position))
    return;

  label = charla_peer_dup_label (peer);
  text = g_strdup_printf (_("%s is now known as %s"),
                          (const char *) g_object_get_data (G_OBJECT (peer), "charla-shown-name"),
                          label);
  charla_node_post_notice (self, CHARLA_MESSAGE_NOTICE, text);
  g_object_set_data_full (G_OBJECT (peer), "charla-shown-name",
                          g_strdup (charla_peer_get_name (peer)), g_free);

  /* Lists showing the name re-read the item. */
  g_list_model_items_changed (G_LIST_MODEL (self->peers), position, 1, 1);
}

static void
on_peer_closed (CharlaPeer   *peer,
                const GError *error,
                guint         undelivered,
                CharlaNode   *self)
{
  g_autoptr(CharlaPeer) hold = g_object_ref (peer);
  g_autofree char *label = charla_peer_dup_label (peer);
  guint position;

  g_signal_handlers_disconnect_by_data (peer, self);
  g_ptr_array_remove (self->connections, peer);

  if (!find_peer (self, peer, &position))
    return;

  g_list_store_remove (self->peers, position);

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Lost the connection to %s: %s"), label, error->message);
      charla_node_post_notice (self, CHARLA_MESSAGE_ERROR, text);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("%s disconnected"), label);
      charla_node_post_notice (self, CHARLA_MESSAGE_NOTICE, text);
    }

  if (undelivered > 0)
    {
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%u message could not be delivered to %s",
                                      "%u messages could not be delivered to %s",
                                      undelivered),
                         undelivered, label);
      charla_node_post_notice (self, CHARLA_MESSAGE_ERROR, text);
    }
}

static CharlaPeer *
add_connection (CharlaNode          *self,
                GSocketConnection   *connection,
                CharlaPeerDirection  direction)
{
  CharlaPeer *peer = charla_peer_new (connection, direction, self->name, self->node_id);

  g_ptr_array_add (self->connections, peer);

  g_signal_connect (peer, "message-received", G_CALLBACK (on_peer_message_received), self);
  g_signal_connect (peer, "established", G_CALLBACK (on_peer_established), self);
  g_signal_connect (peer, "notify::name", G_CALLBACK (on_peer_name_changed), self);
  g_signal_connect (peer, "closed", G_CALLBACK (on_peer_closed), self);

  return peer;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             CharlaNode        *self)
{
  CharlaPeer *peer = add_connection (self, connection, CHARLA_PEER_INCOMING);

  charla_peer_start (peer);

  return TRUE;
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

  if (error != NULL)
    {
      CharlaNode *self = g_task_get_source_object (task);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        charla_node_post_notice (self, CHARLA_MESSAGE_ERROR, error->message);
      g_task_return_error (task, error);
    }
  else
    {
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_node_dispose (GObject *object)
{
  CharlaNode *self = CHARLA_NODE (object);

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
  g_clear_pointer (&self->connections, g_ptr_array_unref);
  g_free (self->name);
  g_free (self->node_id);
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
}

static void
charla_node_init (CharlaNode *self)
{
  self->peers = g_list_store_new (CHARLA_TYPE_PEER);
  self->messages = g_list_store_new (CHARLA_TYPE_MESSAGE);
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
  self->node_id = g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
  self->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
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
  GSocketListener *listener = G_SOCKET_LISTENER (self->service);

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

  self->service = g_socket_service_new ();
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self->service), LISTEN_BACKLOG);

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
          g_clear_object (&self->service);
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
      g_clear_object (&self->service);
      return FALSE;
    }

  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (self->service);

  self->port = port;
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

  if (self->service != NULL)
    return TRUE;

  if (!start_listening (self, &local_error))
    {
      g_autofree char *text = g_strdup_printf (_("Not listening for connections: %s"),
                                               local_error->message);

      charla_node_post_notice (self, CHARLA_MESSAGE_ERROR, text);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
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

  if (self->service == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->service, self);
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_clear_object (&self->service);

  while (self->connections->len > 0)
    charla_peer_close (g_ptr_array_index (self->connections, 0));

  self->port = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

gboolean
charla_node_get_running (CharlaNode *self)
{
  g_return_val_if_fail (CHARLA_IS_NODE (self), FALSE);

  return self->service != NULL;
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
 * told, seed peers have no way to hear it.
 *
 * Returns: %TRUE if @name was usable
 */
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
 *   history (the oldest are dropped past a few thousand)
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

  if (bare_host[0] == '\0')
    {
      g_task_return_new_error (task, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                               _("No address given to connect to"));
      return;
    }

  if (port == 0)
    {
      g_task_return_new_error (task, CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT,
                               _("Port 0 is out of range (1–65535)"));
      return;
    }

  data->port = port;
  data->timeout_ms = self->connect_timeout_ms;
  address = g_inet_address_new_from_string (bare_host);

  if (address == NULL && !g_hostname_is_ascii_encoded (bare_host) &&
      !g_utf8_validate (bare_host, -1, NULL))
    {
      g_task_return_new_error (task, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                               _("“%s” is not a valid address"), data->label);
      return;
    }

  /* From here on the operation owns the task's reference. */
  task_ref = g_steal_pointer (&task);

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
 * Returns: how many peers it was queued for; with none, an error
 *   message is posted instead
 */
guint
charla_node_send (CharlaNode *self,
                  const char *text)
{
  g_autofree char *valid = NULL;
  g_autoptr(GPtrArray) charla_writes = NULL;
  g_autoptr(GPtrArray) seed_writes = NULL;
  g_autoptr(GPtrArray) partners = NULL;
  g_autoptr(GHashTable) reached = NULL;
  g_autoptr(CharlaMessage) message = NULL;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (CHARLA_IS_NODE (self), 0);
  g_return_val_if_fail (text != NULL, 0);

  valid = g_utf8_make_valid (text, -1);
  if (valid[0] == '\0')
    return 0;

  partners = g_ptr_array_new_with_free_func (g_object_unref);
  reached = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_add (reached, self->node_id);
  for (guint i = 0; i < self->connections->len; i++)
    {
      CharlaPeer *peer = g_ptr_array_index (self->connections, i);
      const char *node_id = charla_peer_get_node_id (peer);

      if (!is_chat_partner (peer))
        continue;

      /* Two nodes that connected to each other share two connections:
       * one copy of each message is enough. */
      if (node_id != NULL && !g_hash_table_add (reached, (gpointer) node_id))
        continue;

      g_ptr_array_add (partners, g_object_ref (peer));
    }

  if (partners->len == 0)
    {
      charla_node_post_notice (self, CHARLA_MESSAGE_ERROR,
                               _("Nobody is connected: the message was not sent"));
      return 0;
    }

  charla_writes = charla_peer_encode (CHARLA_PEER_DIALECT_CHARLA, valid);
  seed_writes = charla_peer_encode (CHARLA_PEER_DIALECT_SEED, valid);

  for (guint i = 0; i < partners->len; i++)
    charla_peer_send_encoded (g_ptr_array_index (partners, i), valid, charla_writes, seed_writes);

  shown = charla_text_sanitize (valid, -1);
  message = charla_message_new (CHARLA_MESSAGE_OUTGOING, self->name, NULL, shown);
  post_message (self, message);

  return partners->len;
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
  charla_node_post_notice (self, CHARLA_MESSAGE_NOTICE, text);

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

  message = charla_message_new (kind, NULL, NULL, text);
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

  if (self->service == NULL || port != self->port)
    return FALSE;

  if (self->bind_address != NULL)
    {
      bound = g_inet_address_new_from_string (self->bind_address);
      if (bound != NULL && !g_inet_address_get_is_any (bound))
        return g_inet_address_equal (bound, address);
    }

  return address_is_local (address);
}
