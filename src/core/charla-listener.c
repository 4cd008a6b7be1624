/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <glib/gi18n.h>

#include "charla-listener-private.h"
#include "charla-source-private.h"

/* Connections accepted at once, at most; fewer when the open-file limit
 * leaves less room (FD_RESERVE descriptors stay for everything else). */
#define DEFAULT_MAX_CONNECTIONS 1024
#define FD_RESERVE 64
#define MIN_MAX_CONNECTIONS 8
/* From one remote address (loopback excepted, see docs/PROTOCOL.md). */
#define DEFAULT_MAX_PER_ADDRESS 64
/* Waits after a failed accept (out of descriptors): doubling, bounded. */
#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 2000
/* A refused connection is closed the clean way (FIN, then its bytes are
 * drained) for at most this long, this many at a time. */
#define REFUSAL_LINGER_MS 2000
#define MAX_LINGERING_REFUSALS 64

/**
 * CharlaListener:
 *
 * A #GSocketListener with an accept loop that survives exhaustion.
 *
 * #GSocketService, in GLib 2.74, queues the next accept as soon as one
 * fails and logs a warning each time: out of file descriptors, the
 * listening socket stays readable, so it spins at 100 % CPU writing
 * megabytes of "Too many open files". This loop waits instead (50 ms,
 * doubling up to 2 s) and resumes at once when one of its connections
 * closes. It also caps the connections it keeps, in total and per
 * remote address, counting each from its accept to its release by the
 * owner. At a cap it first asks the owner to make room
 * (#CharlaListener::make-room: the owner closes a connection that never
 * said anything); only if none can go is the newcomer refused, cleanly:
 * our side is shut down (the remote reads an end of stream, not a reset
 * that would crash a seed scanner's recv()) and its bytes are drained
 * before the close.
 */
struct _CharlaListener
{
  GSocketListener  parent_instance;

  /* Owned */
  GCancellable    *cancellable;
  GSource         *backoff_source;
  GHashTable      *per_address;      /* address → count, as GUINT_TO_POINTER */
  GHashTable      *crowded_from;     /* address → CrowdedNotices told for it */

  guint            n_accepted;
  guint            max_connections;
  guint            max_per_address;
  guint            backoff_ms;
  guint            n_lingering;
  guint            n_refused;
  guint            n_made_room;      /* connections closed to admit others */
  guint            n_accept_errors;
  gboolean         active;
  gboolean         accepting;
  guint            crowded;          /* CrowdedNotices: the total cap was told */
  gboolean         making_room;      /* inside ::make-room: releases are evictions */
  gboolean         starving;         /* out of descriptors was told */
};

enum {
  INCOMING,
  MAKE_ROOM,
  NOTICE,
  N_SIGNALS
};

/* What was told in one episode at a cap, once each. */
typedef enum {
  CROWDED_NONE = 0,
  CROWDED_MAKING_ROOM = 1 << 0,
  CROWDED_REFUSING = 1 << 1,
} CrowdedNotices;

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CharlaListener, charla_listener, G_TYPE_SOCKET_LISTENER)

static void accept_next (CharlaListener *self);

static void
notice (CharlaListener *self,
        gboolean        is_error,
        const char     *text)
{
  g_debug ("listener: %s", text);
  g_signal_emit (self, signals[NOTICE], 0, is_error, text);
}

static char *
remote_address_key (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  GInetAddress *address;

  if (!G_IS_INET_SOCKET_ADDRESS (remote))
    return g_strdup ("?");

  address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));

  /* A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d. */
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    {
      const guint8 *bytes = g_inet_address_to_bytes (address);
      static const guint8 v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

      if (memcmp (bytes, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0)
        {
          g_autoptr(GInetAddress) v4 = g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);
          return g_inet_address_to_string (v4);
        }
    }

  /* Every loopback address is this machine: one key for all of them. */
  if (g_inet_address_get_is_loopback (address))
    return NULL;

  return g_inet_address_to_string (address);
}

/* The cap in force now: the main program may have raised the open-file
 * limit since the node started. */
static guint
effective_max_connections (CharlaListener *self)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    {
      rlim_t room = limit.rlim_cur > FD_RESERVE + MIN_MAX_CONNECTIONS
                    ? limit.rlim_cur - FD_RESERVE : MIN_MAX_CONNECTIONS;

      return (guint) MIN ((rlim_t) self->max_connections, room);
    }

  return self->max_connections;
}

/* A refused connection: FIN first, then drain until the remote closes. */
typedef struct
{
  CharlaListener    *self;    /* borrowed: lingering refusals hold a ref */
  GSocketConnection *connection;
  GSource           *io_source;
  GSource           *timeout_source;
} Refusal;

static void
refusal_finish (Refusal *refusal)
{
  charla_clear_source (&refusal->io_source);
  charla_clear_source (&refusal->timeout_source);
  g_io_stream_close (G_IO_STREAM (refusal->connection), NULL, NULL);
  g_clear_object (&refusal->connection);
  refusal->self->n_lingering--;
  g_object_unref (refusal->self);
  g_free (refusal);
}

static gboolean
on_refusal_readable (GSocket      *socket,
                     GIOCondition  condition,
                     gpointer      user_data)
{
  Refusal *refusal = user_data;
  char buffer[1024];
  gssize n_read = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);

  if (n_read > 0)
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&refusal->io_source, g_source_unref);
  refusal_finish (refusal);
  return G_SOURCE_REMOVE;
}

static gboolean
on_refusal_timeout (gpointer user_data)
{
  Refusal *refusal = user_data;

  g_clear_pointer (&refusal->timeout_source, g_source_unref);
  refusal_finish (refusal);
  return G_SOURCE_REMOVE;
}

static void
refuse (CharlaListener    *self,
        GSocketConnection *connection)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  Refusal *refusal;

  self->n_refused++;
  g_socket_set_blocking (socket, FALSE);
  g_socket_shutdown (socket, FALSE, TRUE, NULL);

  if (self->n_lingering >= MAX_LINGERING_REFUSALS)
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return;
    }

  refusal = g_new0 (Refusal, 1);
  refusal->self = g_object_ref (self);
  refusal->connection = g_object_ref (connection);
  self->n_lingering++;

  refusal->io_source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (refusal->io_source, G_SOURCE_FUNC (on_refusal_readable), refusal, NULL);
  g_source_set_static_name (refusal->io_source, "[charla] refused connection");
  g_source_attach (refusal->io_source, g_main_context_get_thread_default ());

  refusal->timeout_source = g_timeout_source_new (REFUSAL_LINGER_MS);
  g_source_set_callback (refusal->timeout_source, on_refusal_timeout, refusal, NULL);
  g_source_set_static_name (refusal->timeout_source, "[charla] refused connection deadline");
  g_source_attach (refusal->timeout_source, g_main_context_get_thread_default ());
}

/* Asks the owner to close a connection that never said anything, from
 * @address (or from anywhere for %NULL); whether one went. */
static gboolean
make_room (CharlaListener *self,
           const char     *address)
{
  guint before = self->n_accepted;
  gboolean handled = FALSE;

  self->making_room = TRUE;
  g_signal_emit (self, signals[MAKE_ROOM], 0, address, &handled);
  self->making_room = FALSE;

  return handled && self->n_accepted < before;
}

static void
notice_total_cap (CharlaListener *self,
                  CrowdedNotices  what,
                  guint           max_connections)
{
  g_autofree char *text = NULL;

  if (self->crowded & what)
    return;

  self->crowded |= what;

  if (what == CROWDED_MAKING_ROOM)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u connection is open, the most this node keeps: "
                                         "closing the oldest that never said anything to admit new ones",
                                         "%u connections are open, the most this node keeps: "
                                         "closing the oldest that never said anything to admit new ones",
                                         max_connections),
                            max_connections);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u connection is open, the most this node keeps: "
                                         "refusing new ones until some close",
                                         "%u connections are open, the most this node keeps: "
                                         "refusing new ones until some close",
                                         max_connections),
                            max_connections);
  notice (self, TRUE, text);
}

static void
notice_address_cap (CharlaListener *self,
                    const char     *address,
                    CrowdedNotices  what)
{
  CrowdedNotices told = GPOINTER_TO_UINT (g_hash_table_lookup (self->crowded_from, address));
  g_autofree char *text = NULL;

  if (told & what)
    return;

  g_hash_table_insert (self->crowded_from, g_strdup (address), GUINT_TO_POINTER (told | what));
  if (what == CROWDED_MAKING_ROOM)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u connection from %s is open, the most from one address: "
                                         "closing the oldest of them that never said anything to admit new ones",
                                         "%u connections from %s are open, the most from one address: "
                                         "closing the oldest of them that never said anything to admit new ones",
                                         self->max_per_address),
                            self->max_per_address, address);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u connection from %s is open, the most from one address: "
                                         "refusing more from it until some close",
                                         "%u connections from %s are open, the most from one address: "
                                         "refusing more from it until some close",
                                         self->max_per_address),
                            self->max_per_address, address);
  notice (self, TRUE, text);
}

/* Whether @connection fits the caps, once room is made if need be;
 * counts it if so. */
static gboolean
admit (CharlaListener    *self,
       GSocketConnection *connection)
{
  g_autofree char *address = remote_address_key (connection);
  guint max_connections = effective_max_connections (self);
  guint from_address = 0;

  if (address != NULL &&
      GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address)) >= self->max_per_address)
    {
      if (!make_room (self, address))
        {
          notice_address_cap (self, address, CROWDED_REFUSING);
          return FALSE;
        }
      notice_address_cap (self, address, CROWDED_MAKING_ROOM);
    }

  if (self->n_accepted >= max_connections)
    {
      if (self->crowded == CROWDED_NONE)
        {
          self->n_refused = 0;
          self->n_made_room = 0;
        }
      if (!make_room (self, NULL) || self->n_accepted >= max_connections)
        {
          notice_total_cap (self, CROWDED_REFUSING, max_connections);
          return FALSE;
        }
      self->n_made_room++;
      notice_total_cap (self, CROWDED_MAKING_ROOM, max_connections);
    }

  if (address != NULL)
    {
      from_address = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));
      g_hash_table_insert (self->per_address, g_strdup (address), GUINT_TO_POINTER (from_address + 1));
      g_object_set_data_full (G_OBJECT (connection), "charla-listener-address",
                              g_steal_pointer (&address), g_free);
    }

  g_object_set_data (G_OBJECT (connection), "charla-listener-counted", GINT_TO_POINTER (TRUE));
  self->n_accepted++;
  return TRUE;
}

static gboolean
on_backoff_done (gpointer user_data)
{
  CharlaListener *self = user_data;

  g_clear_pointer (&self->backoff_source, g_source_unref);
  accept_next (self);

  return G_SOURCE_REMOVE;
}

static void
on_accepted (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  CharlaListener *self;

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (object), result, NULL, &error);

  /* Stopped (or going away): nothing of ours is touched. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = CHARLA_LISTENER (object);
  self->accepting = FALSE;

  if (connection == NULL)
    {
      /* Out of descriptors (EMFILE, ENFILE) or another failure: wait,
       * rather than retry at once on a socket that stays readable. */
      self->n_accept_errors++;
      self->backoff_ms = CLAMP (self->backoff_ms * 2, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
      g_debug ("accept failed (%s); next try in %u ms", error->message, self->backoff_ms);

      if (!self->starving && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES))
        {
          self->starving = TRUE;
          notice (self, TRUE, _("Out of file descriptors: not accepting connections until some close"));
        }

      if (self->active)
        {
          self->backoff_source = g_timeout_source_new (self->backoff_ms);
          g_source_set_callback (self->backoff_source, on_backoff_done, self, NULL);
          g_source_set_static_name (self->backoff_source, "[charla] accept back-off");
          g_source_attach (self->backoff_source, g_main_context_get_thread_default ());
        }
      return;
    }

  self->backoff_ms = 0;
  if (self->starving)
    {
      self->starving = FALSE;
      notice (self, FALSE, _("Accepting connections again"));
    }

  if (admit (self, connection))
    g_signal_emit (self, signals[INCOMING], 0, connection);
  else
    refuse (self, connection);

  accept_next (self);
}

static void
accept_next (CharlaListener *self)
{
  if (!self->active || self->accepting || self->backoff_source != NULL)
    return;

  self->accepting = TRUE;
  g_socket_listener_accept_async (G_SOCKET_LISTENER (self), self->cancellable, on_accepted, NULL);
}

static void
charla_listener_dispose (GObject *object)
{
  CharlaListener *self = CHARLA_LISTENER (object);

  charla_listener_stop (self);

  G_OBJECT_CLASS (charla_listener_parent_class)->dispose (object);
}

static void
charla_listener_finalize (GObject *object)
{
  CharlaListener *self = CHARLA_LISTENER (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->per_address, g_hash_table_unref);
  g_clear_pointer (&self->crowded_from, g_hash_table_unref);

  G_OBJECT_CLASS (charla_listener_parent_class)->finalize (object);
}

static void
charla_listener_class_init (CharlaListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = charla_listener_dispose;
  object_class->finalize = charla_listener_finalize;

  /**
   * CharlaListener::incoming:
   * @connection: an accepted connection within the caps
   *
   * The owner takes @connection and calls charla_listener_release()
   * once it is closed.
   */
  signals[INCOMING] =
    g_signal_new ("incoming", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_SOCKET_CONNECTION);

  /**
   * CharlaListener::make-room:
   * @address: (nullable): the remote address whose cap is reached, or
   *   %NULL for the total cap
   *
   * A newcomer would pass a cap. The owner may close one connection that
   * never said anything (from @address if given) and release it at once.
   *
   * Returns: %TRUE if it closed one
   */
  signals[MAKE_ROOM] =
    g_signal_new ("make-room", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, G_TYPE_STRING);

  /**
   * CharlaListener::notice:
   * @is_error: whether a cap is reached or accepting stopped (or %FALSE: no longer)
   * @text: what to tell the user, once per episode
   */
  signals[NOTICE] =
    g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_STRING);
}

static void
charla_listener_init (CharlaListener *self)
{
  self->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->crowded_from = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->max_connections = DEFAULT_MAX_CONNECTIONS;
  self->max_per_address = DEFAULT_MAX_PER_ADDRESS;
}

CharlaListener *
charla_listener_new (void)
{
  return g_object_new (CHARLA_TYPE_LISTENER, NULL);
}

/**
 * charla_listener_start:
 *
 * Accepts connections from the sockets added, from the main loop.
 */
void
charla_listener_start (CharlaListener *self)
{
  g_return_if_fail (CHARLA_IS_LISTENER (self));

  if (self->active)
    return;

  self->active = TRUE;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  accept_next (self);
}

/**
 * charla_listener_stop:
 *
 * Stops accepting; the sockets stay open until g_socket_listener_close().
 */
void
charla_listener_stop (CharlaListener *self)
{
  g_return_if_fail (CHARLA_IS_LISTENER (self));

  self->active = FALSE;
  self->accepting = FALSE;
  charla_clear_source (&self->backoff_source);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/**
 * charla_listener_release:
 * @connection: a connection #CharlaListener::incoming handed out, now closed
 *
 * Gives its place back. A descriptor was freed: accepting resumes at once
 * if it had stopped for want of them.
 */
void
charla_listener_release (CharlaListener    *self,
                         GSocketConnection *connection)
{
  const char *address;

  g_return_if_fail (CHARLA_IS_LISTENER (self));
  g_return_if_fail (G_IS_SOCKET_CONNECTION (connection));

  if (g_object_get_data (G_OBJECT (connection), "charla-listener-counted") == NULL)
    return;
  g_object_set_data (G_OBJECT (connection), "charla-listener-counted", NULL);

  self->n_accepted--;
  address = g_object_get_data (G_OBJECT (connection), "charla-listener-address");
  if (address != NULL)
    {
      guint from_address = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));

      if (from_address <= 1)
        g_hash_table_remove (self->per_address, address);
      else
        g_hash_table_insert (self->per_address, g_strdup (address), GUINT_TO_POINTER (from_address - 1));
      /* A place freed by making room is taken at once: still crowded. */
      if (!self->making_room)
        g_hash_table_remove (self->crowded_from, address);
    }

  if (self->crowded != CROWDED_NONE && !self->making_room &&
      self->n_accepted < effective_max_connections (self))
    {
      if (self->crowded & CROWDED_REFUSING)
        {
          g_autofree char *text =
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Accepting connections again (%u was refused)",
                                          "Accepting connections again (%u were refused)",
                                          self->n_refused),
                             self->n_refused);
          notice (self, FALSE, text);
        }
      if (self->crowded & CROWDED_MAKING_ROOM)
        {
          g_autofree char *text =
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Room for new connections again (%u silent one was closed to make room)",
                                          "Room for new connections again (%u silent ones were closed to make room)",
                                          self->n_made_room),
                             self->n_made_room);
          notice (self, FALSE, text);
        }
      self->crowded = CROWDED_NONE;
    }

  if (self->backoff_source != NULL)
    {
      charla_clear_source (&self->backoff_source);
      accept_next (self);
    }
}

guint
charla_listener_get_n_accepted (CharlaListener *self)
{
  g_return_val_if_fail (CHARLA_IS_LISTENER (self), 0);

  return self->n_accepted;
}

guint
charla_listener_get_max_connections (CharlaListener *self)
{
  g_return_val_if_fail (CHARLA_IS_LISTENER (self), 0);

  return effective_max_connections (self);
}

void
charla_listener_set_max_connections (CharlaListener *self,
                                     guint           max_connections)
{
  g_return_if_fail (CHARLA_IS_LISTENER (self));
  g_return_if_fail (max_connections > 0);

  self->max_connections = max_connections;
}

void
charla_listener_set_max_per_address (CharlaListener *self,
                                     guint           max_per_address)
{
  g_return_if_fail (CHARLA_IS_LISTENER (self));
  g_return_if_fail (max_per_address > 0);

  self->max_per_address = max_per_address;
}

/**
 * charla_listener_get_n_accept_errors:
 *
 * Returns: how many accepts have failed (each is followed by a wait),
 *   for tests that check the loop does not spin
 */
guint
charla_listener_get_n_accept_errors (CharlaListener *self)
{
  g_return_val_if_fail (CHARLA_IS_LISTENER (self), 0);

  return self->n_accept_errors;
}

/**
 * charla_listener_get_address_key:
 * @connection: a connection #CharlaListener::incoming handed out
 *
 * Returns: (nullable): the remote address it counts against, as
 *   #CharlaListener::make-room names it; %NULL for loopback ones
 */
const char *
charla_listener_get_address_key (GSocketConnection *connection)
{
  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), NULL);

  return g_object_get_data (G_OBJECT (connection), "charla-listener-address");
}

/**
 * charla_listener_count_from:
 * @connection: a connection #CharlaListener::incoming handed out
 *
 * Returns: how many connections are open from its remote address (0 for
 *   loopback ones, which are not counted per address)
 */
guint
charla_listener_count_from (CharlaListener    *self,
                            GSocketConnection *connection)
{
  const char *address;

  g_return_val_if_fail (CHARLA_IS_LISTENER (self), 0);
  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), 0);

  address = charla_listener_get_address_key (connection);
  if (address == NULL)
    return 0;

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));
}
