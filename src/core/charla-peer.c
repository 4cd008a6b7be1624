/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <glib/gi18n.h>

#include "charla-endpoint.h"
#include "charla-enum-private.h"
#include "charla-enums.h"
#include "charla-error.h"
#include "charla-peer-private.h"
#include "charla-platform-private.h"
#include "charla-line-splitter.h"
#include "charla-memory-private.h"
#include "charla-source-private.h"
#include "charla-text.h"
#include "charla-wire.h"

/* How long a reply to a bare name query may take to start arriving. */
#define NAME_REPLY_TIMEOUT_MS 3000
/* A reply is complete once this long passes without more bytes. */
#define REPLY_SETTLE_MS 30
/* Raw (seed) text without LF becomes a message after this pause. */
#define RAW_PAUSE_MS 50
/* An accepted connection that stays this long is a peer, not a probe
 * (docs/PROTOCOL.md §3.2): the whole of its handshake. */
#define INCOMING_SETTLE_MS 500
/* Over this many queued bytes the peer is too slow and is dropped.
 * Each queued write also costs its bookkeeping, charged as this many
 * bytes, so a million one-byte messages count for what they take. */
#define MAX_QUEUED_BYTES (16 * 1024 * 1024)
#define QUEUED_WRITE_OVERHEAD 64
/* A queue that grew past this gives its memory back once empty. */
#define QUEUE_SHRINK_THRESHOLD (1024 * 1024)
/* Bytes read per receive call. */
#define READ_CHUNK_SIZE (64 * 1024)
/* What one peer may do per main loop wake-up: handle this many lines
 * and read this many bytes. A peer with more waits for its next turn
 * (an idle of the same priority as every socket), so a flooding peer
 * takes turns with the others instead of holding the loop. */
#define WAKEUP_MESSAGE_BUDGET 64
#define WAKEUP_BYTE_BUDGET (64 * 1024)
/* Time a seed server gets to read one write before the next one goes, so
 * the two are not merged into one recv(): in general, and when a merge
 * could also cut a multi-byte character. */
#define SEED_MESSAGE_GAP_MS 5
#define SEED_CUT_GRACE_MS 15
/* A dropped Charla peer gets this long to read its BYE line. */
#define FAREWELL_TIMEOUT_S 30
/* Buffers coalesced into one sendmsg() to a Charla peer. */
#define MAX_WRITE_VECTORS 1024

/* A chat message typed before the dialect is known, in both
 * encodings, so it keeps its message id (the copy a node sends another
 * connection to the same node carries the same one). */
typedef struct
{
  GPtrArray *charla_writes;
  GPtrArray *seed_writes;
  gsize      size;
} HeldMessage;

static void
held_message_free (HeldMessage *held)
{
  g_ptr_array_unref (held->charla_writes);
  g_ptr_array_unref (held->seed_writes);
  g_free (held);
}

/* One buffer to write; the last one of a chat message says so, so
 * what was not delivered is counted in messages, not in writes. */
typedef struct
{
  GBytes   *bytes;
  gboolean  ends_message;
} QueuedWrite;

typedef enum {
  PHASE_NONE,         /* chatting, or an accepted connection */
  PHASE_FIRST_REPLY,  /* sent the first bare query */
  PHASE_SECOND_REPLY, /* sent the second bare query */
} HandshakePhase;

/**
 * CharlaPeer:
 *
 * One TCP connection to another node, accepted or made. It learns the
 * remote name and dialect (docs/PROTOCOL.md), turns the byte stream into
 * messages, and queues outgoing text without ever blocking.
 */
struct _CharlaPeer
{
  GObject              parent_instance;

  /* Owned */
  GSocketConnection   *connection;
  GSource             *read_source;
  GSource             *backlog_source; /* lines wait for the next turn */
  GSource             *write_source;
  GSource             *flush_source;
  GSource             *timer_source;
  GSourceFunc          timer_callback;
  CharlaLineSplitter  *splitter;
  GByteArray          *prelude;       /* handshake replies, or an undecided raw chunk */
  GArray              *out_writes;    /* QueuedWrite from out_head on, one per write for seed peers */
  guint                out_head;
  GPtrArray           *held_texts;    /* HeldMessage: typed during the handshake */
  gsize                held_bytes;
  CharlaSeenMessages  *seen_messages; /* shared by the node's peers */
  char                *message_id;    /* of the MSG lines now arriving */
  guint                message_line;
  guint                settle_timeout_ms; /* an accepted one's handshake */
  guint                also_undelivered; /* a message refused for want of room */
  char                *farewell;      /* BYE line for a dropped Charla peer */
  char                *bye_reason;    /* what the remote said in its BYE */
  guint                bye_missed;
  char                *address;
  char                *name;
  char                *first_reply;
  char                *local_name;
  char                *told_name;     /* the local name our HELLO carried */
  char                *local_id;
  char                *node_id;       /* the remote node's, from HELLO */

  /* Borrowed */
  GSocket             *socket;

  gsize                out_offset;    /* bytes of the queue head already written */
  gsize                seed_last_write_size; /* 0 once the seed has read it */
  gint64               seed_last_write;
  gboolean             seed_last_write_ascii;
  gsize                queued_bytes;
  gsize                notified_queued_bytes; /* what "queued-bytes" last said */
  gsize                queued_peak;   /* since the queue was last empty */
  gint64               reply_deadline;
  gint64               settle_deadline; /* an accepted one is decided by then */
  guint16              port;
  CharlaPeerDirection  direction;
  CharlaPeerState      state;
  CharlaPeerDialect    dialect;
  HandshakePhase       phase;
  guint                name_queries_answered;
  GError              *end_error;     /* why reading ended, once it has */
  guint                name_known : 1;
  guint                read_ended : 1;
  guint                continuing_message : 1; /* an over-long framed line is a MSG */
  guint                first_line_checked : 1;
  guint                heard_text : 1;
};

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_ENDPOINT,
  PROP_NAME,
  PROP_NODE_ID,
  PROP_DIRECTION,
  PROP_STATE,
  PROP_DIALECT,
  PROP_QUEUED_BYTES,
  N_PROPS
};

enum {
  MESSAGE_RECEIVED,
  ESTABLISHED,
  RENAMED,
  CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CharlaPeer, charla_peer, G_TYPE_OBJECT)

static void process_framed_bytes (CharlaPeer *self, const char *data, gsize len);
static void process_framed_line (CharlaPeer *self, const char *line, gsize len, gboolean continued);
static void deliver (CharlaPeer *self, const char *data, gsize len);

static char *
address_to_display_string (GInetAddress *address)
{
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

  return g_inet_address_to_string (address);
}

/* Seen messages */

/* Enough for the copy over a second connection, which follows the
 * first within moments; a flood in between could only cause a
 * duplicate, never a loss. */
#define MAX_SEEN_MESSAGES 8192

struct _CharlaSeenMessages
{
  GHashTable *keys;   /* owned strings */
  GQueue      order;  /* the same strings, oldest first */
};

static void
seen_messages_clear (CharlaSeenMessages *self)
{
  g_hash_table_unref (self->keys);
  g_queue_clear (&self->order);
}

CharlaSeenMessages *
charla_seen_messages_new (void)
{
  CharlaSeenMessages *self = g_atomic_rc_box_new0 (CharlaSeenMessages);

  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->order);

  return self;
}

CharlaSeenMessages *
charla_seen_messages_ref (CharlaSeenMessages *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
charla_seen_messages_unref (CharlaSeenMessages *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) seen_messages_clear);
}

/* Returns FALSE if @key was seen before; takes it either way. */
static gboolean
seen_messages_add (CharlaSeenMessages *self,
                   char               *key)
{
  if (g_hash_table_contains (self->keys, key))
    {
      g_free (key);
      return FALSE;
    }

  g_hash_table_add (self->keys, key);
  g_queue_push_tail (&self->order, key);
  if (self->order.length > MAX_SEEN_MESSAGES)
    g_hash_table_remove (self->keys, g_queue_pop_head (&self->order));

  return TRUE;
}

static void
set_state (CharlaPeer      *self,
           CharlaPeerState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_dialect (CharlaPeer        *self,
             CharlaPeerDialect  dialect)
{
  if (self->dialect == dialect)
    return;

  self->dialect = dialect;

  /* A framed line carries a verb before the text; the switch happens
   * before any framed byte is buffered. */
  if (dialect == CHARLA_PEER_DIALECT_CHARLA)
    {
      g_assert (charla_line_splitter_get_pending (self->splitter) == 0);
      charla_line_splitter_free (self->splitter);
      /* A MSG line of 64 KiB of text is one piece, verb included. */
      self->splitter = charla_line_splitter_new (CHARLA_MAX_MESSAGE_SIZE + strlen (CHARLA_VERB_MESSAGE));
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIALECT]);
}

static void
set_remote_name (CharlaPeer *self,
                 const char *data,
                 gssize      len)
{
  g_autofree char *name = charla_name_sanitize (data, len);
  g_autofree char *old_name = NULL;

  if (name == NULL)
    return;

  self->name_known = TRUE;

  if (g_strcmp0 (self->name, name) == 0)
    return;

  old_name = g_steal_pointer (&self->name);
  self->name = g_steal_pointer (&name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);

  /* Names learned during the handshake are not news. */
  if (self->state == CHARLA_PEER_STATE_CONNECTED)
    g_signal_emit (self, signals[RENAMED], 0, old_name);
}

static void
arm_timer (CharlaPeer  *self,
           gint64       ready_time,
           GSourceFunc  callback)
{
  charla_clear_source (&self->timer_source);

  self->timer_source = g_timeout_source_new (0);
  self->timer_callback = callback;
  g_source_set_ready_time (self->timer_source, ready_time);
  g_source_set_callback (self->timer_source, callback, self, NULL);
  g_source_set_static_name (self->timer_source, "[charla] peer timer");
  g_source_attach (self->timer_source, g_main_context_get_thread_default ());
}

static gint64
ms_from_now (guint ms)
{
  return g_get_monotonic_time () + (gint64) ms * G_TIME_SPAN_MILLISECOND;
}

/* Writing */

static QueuedWrite *
queued_write (CharlaPeer *self,
              guint       index)
{
  return &g_array_index (self->out_writes, QueuedWrite, index);
}

/* What the queue costs, bookkeeping included: the measure of the cap. */
static gsize
queued_charge (CharlaPeer *self)
{
  return self->queued_bytes + self->held_bytes +
         (gsize) (self->out_writes->len - self->out_head + self->held_texts->len) * QUEUED_WRITE_OVERHEAD;
}

/* Chat messages not yet (wholly) written, or still held. */
static guint
count_undelivered (CharlaPeer *self)
{
  guint undelivered = self->held_texts->len;

  for (guint i = self->out_head; i < self->out_writes->len; i++)
    if (queued_write (self, i)->ends_message)
      undelivered++;

  return undelivered;
}

static void
clear_writes (CharlaPeer *self)
{
  for (guint i = self->out_head; i < self->out_writes->len; i++)
    g_bytes_unref (queued_write (self, i)->bytes);
  g_array_set_size (self->out_writes, 0);
  self->out_head = 0;
}

static gboolean flush_queue (CharlaPeer *self);

static gboolean
on_socket_writable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  CharlaPeer *self = user_data;

  g_clear_pointer (&self->write_source, g_source_unref);
  flush_queue (self);

  return G_SOURCE_REMOVE;
}

static gboolean
on_flush_idle (gpointer user_data)
{
  CharlaPeer *self = user_data;

  g_clear_pointer (&self->flush_source, g_source_unref);
  flush_queue (self);

  return G_SOURCE_REMOVE;
}

static void
close_with_error (CharlaPeer   *self,
                  const GError *error);

/* The queue is empty (sent or dropped): a large one leaves its memory
 * to the allocator, and the array of writes keeps its size. */
static void
release_queue_memory (CharlaPeer *self)
{
  if (self->queued_peak < QUEUE_SHRINK_THRESHOLD)
    return;

  if (self->out_writes->len == 0)
    {
      g_array_unref (self->out_writes);
      self->out_writes = g_array_new (FALSE, FALSE, sizeof (QueuedWrite));
      self->out_head = 0;
    }
  charla_memory_released (self->queued_peak);
  self->queued_peak = 0;
}

static void
drop_written (CharlaPeer *self,
              gsize       written)
{
  self->queued_bytes -= written;

  while (written > 0)
    {
      GBytes *head = queued_write (self, self->out_head)->bytes;
      gsize left = g_bytes_get_size (head) - self->out_offset;

      if (written < left)
        {
          self->out_offset += written;
          return;
        }

      written -= left;
      self->out_offset = 0;
      g_bytes_unref (head);
      self->out_head++;
      if (self->out_head == self->out_writes->len)
        {
          g_array_set_size (self->out_writes, 0);
          self->out_head = 0;
          release_queue_memory (self);
        }
      else if (self->out_head >= 1024 && self->out_head * 2 >= self->out_writes->len)
        {
          g_array_remove_range (self->out_writes, 0, self->out_head);
          self->out_head = 0;
        }
    }
}

static gboolean
is_ascii (GBytes *bytes)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  for (gsize i = 0; i < size; i++)
    if (data[i] & 0x80)
      return FALSE;

  return TRUE;
}

/* A seed server prints each recv() as one message, and decodes each
 * recv(1024) on its own. So every write to a seed peer goes out alone:
 * the next one waits until the previous was acknowledged and the seed had
 * time to read it, longer when the two together could fill a recv(1024)
 * and cut a multi-byte character in half (ASCII can be cut anywhere).
 *
 * Returns: when the next write may go, or 0 for now */
static gint64
seed_write_ready_time (CharlaPeer *self)
{
  GBytes *next = queued_write (self, self->out_head)->bytes;
  gint64 now = g_get_monotonic_time ();
  gboolean could_cut;
  gint64 ready;

  if (self->out_offset > 0 || self->seed_last_write_size == 0)
    return 0;

  could_cut = self->seed_last_write_size + g_bytes_get_size (next) > CHARLA_SEED_CHUNK_SIZE &&
              (!self->seed_last_write_ascii || !is_ascii (next));
  ready = self->seed_last_write +
          (could_cut ? SEED_CUT_GRACE_MS : SEED_MESSAGE_GAP_MS) * G_TIME_SPAN_MILLISECOND;

  if (now >= ready && charla_socket_get_unsent_bytes (self->socket) == 0)
    {
      self->seed_last_write_size = 0;
      return 0;
    }

  return MAX (ready, now + G_TIME_SPAN_MILLISECOND);
}

static gboolean
on_pacing_timer (gpointer user_data)
{
  CharlaPeer *self = user_data;

  g_clear_pointer (&self->write_source, g_source_unref);
  flush_queue (self);

  return G_SOURCE_REMOVE;
}

static void
arm_pacing_timer (CharlaPeer *self,
                  gint64      ready_time)
{
  /* Reuses the write source slot: either way we wait to write. */
  self->write_source = g_timeout_source_new (0);
  g_source_set_ready_time (self->write_source, ready_time);
  g_source_set_callback (self->write_source, on_pacing_timer, self, NULL);
  g_source_set_static_name (self->write_source, "[charla] seed pacing");
  g_source_attach (self->write_source, g_main_context_get_thread_default ());
}

/* "queued-bytes" changes with every write and every enqueue; it is
 * notified once per flush, so a bound progress bar costs nothing. */
static void
notify_queued_bytes (CharlaPeer *self)
{
  if (self->notified_queued_bytes == self->queued_bytes)
    return;

  self->notified_queued_bytes = self->queued_bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUEUED_BYTES]);
}

/* Writes what the socket takes without blocking. A Charla peer gets the
 * whole queue in one sendmsg(); a seed peer gets one send() per message,
 * because a seed server prints each recv() as one message. */
static gboolean
write_queue (CharlaPeer *self)
{
  g_autoptr(GError) error = NULL;

  if (self->state == CHARLA_PEER_STATE_CLOSED || self->write_source != NULL)
    return FALSE;

  while (self->out_head < self->out_writes->len)
    {
      GOutputVector vectors[MAX_WRITE_VECTORS];
      guint n_vectors = 0;
      gssize written;

      if (self->dialect == CHARLA_PEER_DIALECT_SEED)
        {
          gint64 ready_time = seed_write_ready_time (self);

          if (ready_time != 0)
            {
              arm_pacing_timer (self, ready_time);
              return FALSE;
            }
        }

      for (guint i = self->out_head; i < self->out_writes->len && n_vectors < MAX_WRITE_VECTORS; i++)
        {
          gsize size;
          const guint8 *data = g_bytes_get_data (queued_write (self, i)->bytes, &size);
          gsize offset = n_vectors == 0 ? self->out_offset : 0;

          vectors[n_vectors].buffer = data + offset;
          vectors[n_vectors].size = size - offset;
          n_vectors++;

          if (self->dialect != CHARLA_PEER_DIALECT_CHARLA)
            break;
        }

      written = g_socket_send_message (self->socket, NULL, vectors, n_vectors,
                                       NULL, 0, 0, NULL, &error);
      if (written < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              self->write_source = g_socket_create_source (self->socket, G_IO_OUT, NULL);
              g_source_set_callback (self->write_source, G_SOURCE_FUNC (on_socket_writable), self, NULL);
              g_source_set_static_name (self->write_source, "[charla] peer write");
              g_source_attach (self->write_source, g_main_context_get_thread_default ());
              return FALSE;
            }

          close_with_error (self, error);
          return FALSE;
        }

      if (self->dialect == CHARLA_PEER_DIALECT_SEED)
        {
          /* One buffer per write for seed peers: the head is what went. */
          GBytes *head = queued_write (self, self->out_head)->bytes;

          self->seed_last_write_ascii = is_ascii (head);
          self->seed_last_write_size = g_bytes_get_size (head);
          self->seed_last_write = g_get_monotonic_time ();
        }

      drop_written (self, written);
    }

  return TRUE;
}

static gboolean
flush_queue (CharlaPeer *self)
{
  g_autoptr(CharlaPeer) hold = g_object_ref (self);
  gboolean flushed = write_queue (self);

  notify_queued_bytes (self);
  return flushed;
}

/* Drops a peer whose queue is full. A Charla peer is told, after what
 * it already has, how many messages it missed (docs/PROTOCOL.md, BYE);
 * the seed dialect has no way to say it. */
static void
drop_too_slow (CharlaPeer *self,
               guint       also_undelivered)
{
  g_autoptr(GError) error =
    g_error_new (CHARLA_ERROR, CHARLA_ERROR_PEER_TOO_SLOW,
                 _("%s stopped reading; the connection was closed"), self->name);

  self->also_undelivered = also_undelivered;
  if (self->state == CHARLA_PEER_STATE_CONNECTED && self->dialect == CHARLA_PEER_DIALECT_CHARLA)
    self->farewell = g_strdup_printf ("%s%s %u\n", CHARLA_VERB_BYE, CHARLA_BYE_TOO_SLOW,
                                      count_undelivered (self) + also_undelivered);

  close_with_error (self, error);
}

/* Whether @size more bytes in @n_writes writes fit the queue; if not,
 * the peer is dropped (@is_message: they were one more chat message). */
static gboolean
make_room (CharlaPeer *self,
           gsize       size,
           guint       n_writes,
           gboolean    is_message)
{
  if (queued_charge (self) + size + (gsize) n_writes * QUEUED_WRITE_OVERHEAD <= MAX_QUEUED_BYTES)
    return TRUE;

  drop_too_slow (self, is_message ? 1 : 0);
  return FALSE;
}

static void
enqueue (CharlaPeer *self,
         GBytes     *bytes,
         gboolean    ends_message)
{
  QueuedWrite write = { bytes, ends_message };

  self->queued_bytes += g_bytes_get_size (bytes);
  self->queued_peak = MAX (self->queued_peak, queued_charge (self));
  g_array_append_val (self->out_writes, write);

  /* Coalesce everything queued during this main loop iteration. */
  if (self->flush_source == NULL && self->write_source == NULL)
    {
      self->flush_source = g_idle_source_new ();
      g_source_set_priority (self->flush_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->flush_source, on_flush_idle, self, NULL);
      g_source_set_static_name (self->flush_source, "[charla] peer flush");
      g_source_attach (self->flush_source, g_main_context_get_thread_default ());
    }
}

static void
enqueue_string (CharlaPeer *self,
                const char *data,
                gsize       len)
{
  if (make_room (self, len, 1, FALSE))
    enqueue (self, g_bytes_new (data, len), FALSE);
}

static void
append_framed_line (GPtrArray  *out,
                    const char *verb,
                    const char *text,
                    gsize       len)
{
  GString *line = g_string_sized_new (strlen (verb) + len + 1);

  g_string_append (line, verb);
  g_string_append_len (line, text, len);
  g_string_append_c (line, '\n');
  g_ptr_array_add (out, g_string_free_to_bytes (line));
}

/**
 * charla_peer_encode: (skip)
 * @dialect: %CHARLA_PEER_DIALECT_CHARLA or %CHARLA_PEER_DIALECT_SEED
 * @text: chat text
 *
 * Encodes @text once for every peer of a dialect (see docs/PROTOCOL.md):
 * MSG lines for Charla peers; for seed peers, the bare text in writes of
 * at most 1024 bytes cut on character boundaries.
 *
 * Returns: (transfer full) (element-type GBytes): the writes, maybe none
 */
GPtrArray *
charla_peer_encode (CharlaPeerDialect  dialect,
                    const char        *text)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize len = strlen (text);

  if (dialect == CHARLA_PEER_DIALECT_CHARLA)
    {
      g_autofree char *message_id = g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
      const char *line = text;

      append_framed_line (out, CHARLA_VERB_ID, message_id, strlen (message_id));

      while (line != NULL && *line != '\0')
        {
          const char *newline = strchr (line, '\n');
          gsize line_len = newline != NULL ? (gsize) (newline - line) : strlen (line);

          if (line_len > 0 && line[line_len - 1] == '\r')
            line_len--;

          while (line_len > 0)
            {
              gsize take = charla_utf8_cut (line, line_len, CHARLA_MAX_MESSAGE_SIZE);

              append_framed_line (out, CHARLA_VERB_MESSAGE, line, take);
              line += take;
              line_len -= take;
            }

          line = newline != NULL ? newline + 1 : NULL;
        }

      /* Nothing to say: not even the id. */
      if (out->len == 1)
        g_ptr_array_set_size (out, 0);

      return out;
    }

  /* A seed server would answer a bare query instead of printing it. */
  if (charla_is_name_query (text, len))
    return out;

  while (len > 0)
    {
      gsize take = charla_utf8_cut (text, len, CHARLA_SEED_CHUNK_SIZE);

      /* Each chunk is decoded on its own by one recv(1024) at the seed;
       * flush_queue() paces the writes so they do not merge. */
      g_ptr_array_add (out, g_bytes_new (text, take));
      text += take;
      len -= take;
    }

  return out;
}

static gsize
writes_size (GPtrArray *writes)
{
  gsize size = 0;

  for (guint i = 0; i < writes->len; i++)
    size += g_bytes_get_size (g_ptr_array_index (writes, i));

  return size;
}

/* Queues the writes of one chat message (@is_message) or of one
 * protocol line. */
static void
enqueue_all (CharlaPeer *self,
             GPtrArray  *writes,
             gboolean    is_message)
{
  if (self->state == CHARLA_PEER_STATE_CLOSED)
    return;

  if (!make_room (self, writes_size (writes), writes->len, is_message))
    return;

  for (guint i = 0; i < writes->len; i++)
    enqueue (self, g_bytes_ref (g_ptr_array_index (writes, i)), is_message && i + 1 == writes->len);
}

static void
encode_text (CharlaPeer *self,
             const char *text)
{
  g_autoptr(GPtrArray) writes = charla_peer_encode (self->dialect, text);

  enqueue_all (self, writes, TRUE);
}

static void
send_framed_line (CharlaPeer *self,
                  const char *verb,
                  const char *text,
                  gsize       len)
{
  g_autoptr(GPtrArray) writes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  append_framed_line (writes, verb, text, len);
  enqueue_all (self, writes, FALSE);
}

/* Closing */

/* A lingering close: the last words of a dropped peer (the rest of the
 * line it was reading, then BYE) go out once it reads again, then our
 * side is shut down and its bytes drained until it closes, so the
 * close never resets data it has not read yet. Bounded in time. */
typedef struct
{
  GSocketConnection *connection;
  GSocket           *socket;
  GBytes            *words;
  gsize              offset;
  GSource           *io_source;
  GSource           *timeout_source;
} Farewell;

static void
farewell_finish (Farewell *farewell)
{
  charla_clear_source (&farewell->io_source);
  charla_clear_source (&farewell->timeout_source);
  g_socket_close (farewell->socket, NULL);
  g_clear_object (&farewell->connection);
  g_clear_pointer (&farewell->words, g_bytes_unref);
  g_free (farewell);
}

static gboolean
on_farewell_timeout (gpointer user_data)
{
  Farewell *farewell = user_data;

  g_clear_pointer (&farewell->timeout_source, g_source_unref);
  farewell_finish (farewell);

  return G_SOURCE_REMOVE;
}

static void farewell_watch (Farewell *farewell, GIOCondition condition);

static gboolean
on_farewell_io (GSocket      *socket,
                GIOCondition  condition,
                gpointer      user_data)
{
  Farewell *farewell = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&farewell->io_source, g_source_unref);

  if (farewell->words != NULL)
    {
      gsize size;
      const char *data = g_bytes_get_data (farewell->words, &size);
      gssize written = g_socket_send (socket, data + farewell->offset, size - farewell->offset,
                                      NULL, &error);

      if (written < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          farewell_finish (farewell);
          return G_SOURCE_REMOVE;
        }

      farewell->offset += MAX (written, 0);
      if (farewell->offset < size)
        {
          farewell_watch (farewell, G_IO_OUT);
          return G_SOURCE_REMOVE;
        }

      g_clear_pointer (&farewell->words, g_bytes_unref);
      g_socket_shutdown (socket, FALSE, TRUE, NULL);
    }
  else
    {
      char buffer[4096];
      gssize n_read = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);

      if (n_read == 0 || (n_read < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
        {
          farewell_finish (farewell);
          return G_SOURCE_REMOVE;
        }
    }

  farewell_watch (farewell, G_IO_IN);
  return G_SOURCE_REMOVE;
}

static void
farewell_watch (Farewell     *farewell,
                GIOCondition  condition)
{
  farewell->io_source = g_socket_create_source (farewell->socket, condition, NULL);
  g_source_set_callback (farewell->io_source, G_SOURCE_FUNC (on_farewell_io), farewell, NULL);
  g_source_set_static_name (farewell->io_source, "[charla] farewell");
  g_source_attach (farewell->io_source, g_main_context_get_thread_default ());
}

static void
farewell_start (GSocketConnection *connection,
                GBytes            *words)
{
  Farewell *farewell = g_new0 (Farewell, 1);

  farewell->connection = g_object_ref (connection);
  farewell->socket = g_socket_connection_get_socket (connection);
  farewell->words = words;

  farewell->timeout_source = g_timeout_source_new_seconds (FAREWELL_TIMEOUT_S);
  g_source_set_callback (farewell->timeout_source, on_farewell_timeout, farewell, NULL);
  g_source_set_static_name (farewell->timeout_source, "[charla] farewell timeout");
  g_source_attach (farewell->timeout_source, g_main_context_get_thread_default ());

  farewell_watch (farewell, G_IO_OUT);
}

static void
close_with_error (CharlaPeer   *self,
                  const GError *error)
{
  g_autoptr(CharlaPeer) hold = NULL;
  guint undelivered;

  if (self->state == CHARLA_PEER_STATE_CLOSED)
    return;

  hold = g_object_ref (self);

  /* A peer that hung up mid-message still said what it said. */
  if (self->state == CHARLA_PEER_STATE_CONNECTED)
    {
      g_autoptr(GString) line = g_string_new (NULL);
      gboolean continued = FALSE;

      while (self->state != CHARLA_PEER_STATE_CLOSED &&
             (charla_line_splitter_pop (self->splitter, line, &continued) ||
              charla_line_splitter_flush (self->splitter, line)))
        {
          if (self->dialect == CHARLA_PEER_DIALECT_CHARLA)
            process_framed_line (self, line->str, line->len, continued);
          else
            deliver (self, line->str, line->len);
          continued = FALSE;
        }
    }

  /* Whatever the socket will still take goes out before the close. */
  if (error == NULL)
    flush_queue (self);

  if (self->state == CHARLA_PEER_STATE_CLOSED)
    return;

  undelivered = count_undelivered (self) + self->also_undelivered;

  charla_clear_source (&self->read_source);
  charla_clear_source (&self->backlog_source);
  charla_clear_source (&self->write_source);
  charla_clear_source (&self->flush_source);
  charla_clear_source (&self->timer_source);

  if (self->farewell != NULL)
    {
      /* The rest of a line already begun, so the farewell stays framed. */
      g_autoptr(GString) last_words = g_string_new (NULL);

      if (self->out_offset > 0)
        {
          gsize size;
          const char *head = g_bytes_get_data (queued_write (self, self->out_head)->bytes, &size);

          g_string_append_len (last_words, head + self->out_offset, size - self->out_offset);
        }
      g_string_append (last_words, self->farewell);
      farewell_start (self->connection, g_string_free_to_bytes (g_steal_pointer (&last_words)));
      g_clear_pointer (&self->farewell, g_free);
    }
  else
    {
      g_socket_close (self->socket, NULL);
    }

  clear_writes (self);
  g_ptr_array_set_size (self->held_texts, 0);
  self->held_bytes = 0;
  self->queued_bytes = 0;
  self->out_offset = 0;
  notify_queued_bytes (self);
  release_queue_memory (self);

  set_state (self, CHARLA_PEER_STATE_CLOSED);
  g_signal_emit (self, signals[CLOSED], 0, error, undelivered);
}

/* Handshake and dialects */

static void
become_connected (CharlaPeer        *self,
                  CharlaPeerDialect  dialect)
{
  g_autoptr(GPtrArray) held = NULL;

  self->phase = PHASE_NONE;
  charla_clear_source (&self->timer_source);
  set_dialect (self, dialect);

  if (self->state != CHARLA_PEER_STATE_HANDSHAKING)
    return;

  set_state (self, CHARLA_PEER_STATE_CONNECTED);

  /* Renamed while the handshake was under way: the HELLO said the old name. */
  if (dialect == CHARLA_PEER_DIALECT_CHARLA && self->told_name != NULL &&
      g_strcmp0 (self->told_name, self->local_name) != 0)
    send_framed_line (self, CHARLA_VERB_RENAME, self->local_name, strlen (self->local_name));

  g_signal_emit (self, signals[ESTABLISHED], 0);

  /* Text typed while we were still learning how to frame it. */
  held = g_steal_pointer (&self->held_texts);
  self->held_texts = g_ptr_array_new_with_free_func ((GDestroyNotify) held_message_free);
  self->held_bytes = 0;
  for (guint i = 0; i < held->len && self->state == CHARLA_PEER_STATE_CONNECTED; i++)
    {
      HeldMessage *message = g_ptr_array_index (held, i);

      enqueue_all (self, dialect == CHARLA_PEER_DIALECT_CHARLA ? message->charla_writes : message->seed_writes, TRUE);
    }
}

static void
send_hello (CharlaPeer *self)
{
  g_autofree char *payload = g_strdup_printf ("%s %s", self->local_id, self->local_name);

  g_free (self->told_name);
  self->told_name = g_strdup (self->local_name);
  send_framed_line (self, CHARLA_HELLO_PREFIX, payload, strlen (payload));
}

/* "<node id> <name>": the id tells two connections to one node apart
 * from connections to two nodes that happen to share a name. */
static void
take_hello_payload (CharlaPeer *self,
                    const char *payload,
                    gsize       len)
{
  const char *space = memchr (payload, ' ', len);

  if (space != NULL && space > payload && (gsize) (space - payload) <= 64)
    {
      g_free (self->node_id);
      self->node_id = charla_text_sanitize (payload, space - payload);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NODE_ID]);
      len -= space + 1 - payload;
      payload = space + 1;
    }

  set_remote_name (self, payload, len);
}

static void
answer_name_query (CharlaPeer *self)
{
  /* The first answer is what a seed scanner reads: the name alone.
   * Only a Charla client asks again before saying anything else. */
  if (self->name_queries_answered++ == 0)
    enqueue_string (self, self->local_name, strlen (self->local_name));
  else
    send_hello (self);
}

/* Looks for a complete HELLO line in @data; returns the offset of the
 * byte after its LF, or 0, and sets the remote name. */
static gsize
take_hello (CharlaPeer *self,
            const char *data,
            gsize       len)
{
  const char *marker = g_strstr_len (data, len, CHARLA_HELLO_PREFIX);
  const char *name;
  const char *newline;
  gsize name_len;

  if (marker == NULL)
    return 0;

  name = marker + CHARLA_HELLO_PREFIX_LEN;
  newline = memchr (name, '\n', data + len - name);
  if (newline == NULL)
    return 0;

  name_len = newline - name;
  if (name_len > 0 && name[name_len - 1] == '\r')
    name_len--;

  take_hello_payload (self, name, name_len);

  return newline + 1 - data;
}

static gboolean
ends_with_hello_prefix_part (const char *data,
                             gsize       len)
{
  for (gsize n = MIN (len, CHARLA_HELLO_PREFIX_LEN); n > 0; n--)
    if (memcmp (data + len - n, CHARLA_HELLO_PREFIX, n) == 0)
      return TRUE;

  return g_strstr_len (data, len, CHARLA_HELLO_PREFIX) != NULL;
}

static gboolean
on_reply_timer (gpointer user_data);

/* Closes the connection with one notice if @data is clearly another
 * protocol or binary data (charla_detect_other_protocol()); nothing it
 * sent is shown. Returns whether it did. */
static gboolean
refuse_other_protocol (CharlaPeer *self,
                       const char *data,
                       gsize       len)
{
  const char *protocol = charla_detect_other_protocol (data, len);
  g_autoptr(GError) error = NULL;

  if (protocol == NULL)
    return FALSE;

  if (g_str_equal (protocol, "binary data"))
    error = g_error_new (CHARLA_ERROR, CHARLA_ERROR_OTHER_PROTOCOL,
                         _("%s sent binary data, not chat text; closed"), self->address);
  else
    error = g_error_new (CHARLA_ERROR, CHARLA_ERROR_OTHER_PROTOCOL,
                         _("%s spoke another protocol (%s); closed"), self->address, protocol);

  g_debug ("%s: %s", self->address, error->message);

  /* Nothing of it is chat: drop what is buffered before closing. */
  g_byte_array_set_size (self->prelude, 0);
  charla_line_splitter_free (self->splitter);
  self->splitter = charla_line_splitter_new (CHARLA_MAX_MESSAGE_SIZE);
  close_with_error (self, error);

  return TRUE;
}

static void
finish_first_reply (CharlaPeer *self)
{
  if (self->prelude->len == 0)
    {
      /* No answer at all: nothing more we send could stay silent. */
      become_connected (self, CHARLA_PEER_DIALECT_SEED);
      return;
    }

  /* We reached another kind of server (a web server answers our query
   * with an error page): not a chat node. */
  if (refuse_other_protocol (self, (const char *) self->prelude->data, self->prelude->len))
    return;

  self->first_reply = g_strndup ((const char *) self->prelude->data, self->prelude->len);
  set_remote_name (self, (const char *) self->prelude->data, self->prelude->len);
  g_byte_array_set_size (self->prelude, 0);

  self->phase = PHASE_SECOND_REPLY;
  enqueue_string (self, CHARLA_NAME_QUERY, CHARLA_NAME_QUERY_LEN);
  self->reply_deadline = ms_from_now (NAME_REPLY_TIMEOUT_MS);
  arm_timer (self, self->reply_deadline, on_reply_timer);
}

static void
finish_second_reply_as_seed (CharlaPeer *self)
{
  g_autoptr(GString) both = g_string_new (self->first_reply);

  /* A first reply cut by TCP merges its tail with the second one:
   * "Cr" + "issCriss" is "Criss" twice. */
  g_string_append_len (both, (const char *) self->prelude->data, self->prelude->len);
  if (self->prelude->len > 0 && both->len % 2 == 0 &&
      memcmp (both->str, both->str + both->len / 2, both->len / 2) == 0)
    set_remote_name (self, both->str, both->len / 2);

  g_byte_array_set_size (self->prelude, 0);
  become_connected (self, CHARLA_PEER_DIALECT_SEED);
}

static void
check_second_reply (CharlaPeer *self)
{
  gsize consumed = take_hello (self, (const char *) self->prelude->data, self->prelude->len);
  g_autoptr(GByteArray) rest = NULL;

  if (consumed == 0)
    return;

  /* Anything after the HELLO line is already framed. */
  rest = g_byte_array_new ();
  g_byte_array_append (rest, self->prelude->data + consumed, self->prelude->len - consumed);
  g_byte_array_set_size (self->prelude, 0);

  send_hello (self);
  become_connected (self, CHARLA_PEER_DIALECT_CHARLA);

  if (rest->len > 0 && self->state == CHARLA_PEER_STATE_CONNECTED)
    process_framed_bytes (self, (const char *) rest->data, rest->len);
}

static gboolean
on_reply_timer (gpointer user_data)
{
  CharlaPeer *self = user_data;
  g_autoptr(CharlaPeer) hold = g_object_ref (self);
  gboolean hard_deadline = g_get_monotonic_time () >= self->reply_deadline;

  g_clear_pointer (&self->timer_source, g_source_unref);

  switch (self->phase)
    {
    case PHASE_FIRST_REPLY:
      finish_first_reply (self);
      break;

    case PHASE_SECOND_REPLY:
      /* A HELLO still arriving gets until the hard deadline. */
      if (!hard_deadline &&
          ends_with_hello_prefix_part ((const char *) self->prelude->data, self->prelude->len))
        arm_timer (self, self->reply_deadline, on_reply_timer);
      else
        finish_second_reply_as_seed (self);
      break;

    case PHASE_NONE:
    default:
      break;
    }

  return G_SOURCE_REMOVE;
}

static void
process_handshake_bytes (CharlaPeer *self,
                         const char *data,
                         gsize       len)
{
  g_byte_array_append (self->prelude, (const guint8 *) data, len);

  if (self->phase == PHASE_SECOND_REPLY)
    {
      check_second_reply (self);
      if (self->phase == PHASE_NONE)
        return;
    }

  /* A name longer than this is no name: stop waiting for its end. */
  if (self->prelude->len > CHARLA_SEED_CHUNK_SIZE * 4)
    {
      if (self->phase == PHASE_FIRST_REPLY)
        finish_first_reply (self);
      else
        finish_second_reply_as_seed (self);
      return;
    }

  arm_timer (self, MIN (ms_from_now (REPLY_SETTLE_MS), self->reply_deadline), on_reply_timer);
}

static void
deliver (CharlaPeer *self,
         const char *data,
         gsize       len)
{
  /* At most 64 KiB per message, whatever the piece (the rest of an
   * over-long framed line is a little longer). */
  while (len > 0 && self->state != CHARLA_PEER_STATE_CLOSED)
    {
      gsize take = charla_utf8_cut (data, len, CHARLA_MAX_MESSAGE_SIZE);
      g_autofree char *text = charla_text_sanitize (data, take);

      /* An empty line (or one of only spaces or invisible characters)
       * is never shown. */
      if (!charla_text_is_blank (text))
        g_signal_emit (self, signals[MESSAGE_RECEIVED], 0, text);
      data += take;
      len -= take;
    }
}

static gboolean
on_incoming_settled (gpointer user_data)
{
  CharlaPeer *self = user_data;
  g_autoptr(CharlaPeer) hold = g_object_ref (self);

  g_clear_pointer (&self->timer_source, g_source_unref);

  /* Stayed connected without saying who it is: a seed client. */
  if (self->state == CHARLA_PEER_STATE_HANDSHAKING)
    become_connected (self, CHARLA_PEER_DIALECT_SEED);

  return G_SOURCE_REMOVE;
}

/* When a pause ends an undecided raw chunk: for an accepted connection
 * still handshaking, never after it is to be decided. */
static gint64
raw_pause_time (CharlaPeer *self)
{
  gint64 pause_end = ms_from_now (RAW_PAUSE_MS);

  if (self->state == CHARLA_PEER_STATE_HANDSHAKING && self->direction == CHARLA_PEER_INCOMING)
    return MIN (pause_end, MAX (self->settle_deadline, g_get_monotonic_time ()));

  return pause_end;
}

static gboolean
on_raw_pause (gpointer user_data)
{
  CharlaPeer *self = user_data;
  g_autoptr(CharlaPeer) hold = g_object_ref (self);
  g_autoptr(GString) line = g_string_new (NULL);

  g_clear_pointer (&self->timer_source, g_source_unref);

  /* Lines still waiting for their turn come first. */
  if (self->backlog_source != NULL)
    {
      arm_timer (self, ms_from_now (RAW_PAUSE_MS), on_raw_pause);
      return G_SOURCE_REMOVE;
    }

  /* An undecided prefix of a query or HELLO that never grew is text. */
  if (self->prelude->len > 0)
    {
      if (self->state == CHARLA_PEER_STATE_HANDSHAKING)
        become_connected (self, CHARLA_PEER_DIALECT_SEED);
      self->heard_text = TRUE;
      charla_line_splitter_push (self->splitter, (const char *) self->prelude->data, self->prelude->len);
      g_byte_array_set_size (self->prelude, 0);
    }

  while (self->state != CHARLA_PEER_STATE_CLOSED &&
         charla_line_splitter_flush (self->splitter, line))
    deliver (self, line->str, line->len);

  /* A query that came in pieces was answered: the pause took the
   * timer's place, and the connection is still to be decided. */
  if (self->state == CHARLA_PEER_STATE_HANDSHAKING && self->direction == CHARLA_PEER_INCOMING)
    arm_timer (self, MAX (self->settle_deadline, g_get_monotonic_time ()), on_incoming_settled);

  return G_SOURCE_REMOVE;
}

static gboolean
could_become_control (const char *data,
                      gsize       len)
{
  if (charla_is_name_query_prefix (data, len))
    return TRUE;

  /* A HELLO line still missing its LF. */
  if (len < CHARLA_SEED_CHUNK_SIZE && memchr (data, '\n', len) == NULL)
    {
      gsize n = MIN (len, CHARLA_HELLO_PREFIX_LEN);
      return memcmp (data, CHARLA_HELLO_PREFIX, n) == 0;
    }

  return FALSE;
}

/* Raw text, as a seed peer or netcat sends it. Each chunk is checked for
 * the bare query first, as the seed server does with each recv(). */
static void
process_raw_bytes (CharlaPeer *self,
                   const char *data,
                   gsize       len)
{
  const char *chunk = data;
  gsize chunk_len = len;

  if (charla_line_splitter_get_pending (self->splitter) == 0)
    {
      if (self->prelude->len > 0)
        {
          g_byte_array_append (self->prelude, (const guint8 *) data, len);
          chunk = (const char *) self->prelude->data;
          chunk_len = self->prelude->len;
        }

      if (charla_is_name_query (chunk, chunk_len))
        {
          g_byte_array_set_size (self->prelude, 0);
          answer_name_query (self);
          return;
        }

      if (!self->heard_text && chunk_len > CHARLA_HELLO_PREFIX_LEN &&
          memcmp (chunk, CHARLA_HELLO_PREFIX, CHARLA_HELLO_PREFIX_LEN) == 0)
        {
          g_autoptr(GByteArray) copy = g_byte_array_new ();
          gsize consumed;

          g_byte_array_append (copy, (const guint8 *) chunk, chunk_len);
          consumed = take_hello (self, (const char *) copy->data, copy->len);
          if (consumed > 0)
            {
              g_byte_array_set_size (self->prelude, 0);
              become_connected (self, CHARLA_PEER_DIALECT_CHARLA);
              if (consumed < copy->len && self->state == CHARLA_PEER_STATE_CONNECTED)
                process_framed_bytes (self, (const char *) copy->data + consumed, copy->len - consumed);
              return;
            }
        }

      if (could_become_control (chunk, chunk_len))
        {
          if (chunk == data)
            g_byte_array_append (self->prelude, (const guint8 *) data, len);
          arm_timer (self, raw_pause_time (self), on_raw_pause);
          return;
        }
    }

  /* The first bytes of an unnamed client may be another program's
   * probe (a service scan): one notice, and the connection goes. */
  if (!self->heard_text && self->direction == CHARLA_PEER_INCOMING &&
      refuse_other_protocol (self, chunk, chunk_len))
    return;

  self->heard_text = TRUE;
  if (self->state == CHARLA_PEER_STATE_HANDSHAKING)
    become_connected (self, CHARLA_PEER_DIALECT_SEED);

  /* Lines are handed out by drain_lines(), within the budget; what
   * stays without LF becomes a message at a pause. */
  charla_line_splitter_push (self->splitter, chunk, chunk_len);
  g_byte_array_set_size (self->prelude, 0);

  if (self->state != CHARLA_PEER_STATE_CLOSED)
    arm_timer (self, ms_from_now (RAW_PAUSE_MS), on_raw_pause);
}

/* Whether this piece of a MSG line was already shown, having come from
 * the same claimed node over another connection. Only a copy with the
 * same random id and the same text is dropped: a node claiming another's
 * id cannot make the other's messages vanish, at most show them once. */
static gboolean
seen_before (CharlaPeer *self,
             const char *text,
             gsize       len)
{
  g_autoptr(GBytes) bytes = NULL;

  if (self->seen_messages == NULL || self->node_id == NULL || self->message_id == NULL)
    return FALSE;

  bytes = g_bytes_new_static (text, len);
  return !seen_messages_add (self->seen_messages,
                             g_strdup_printf ("%s %s %u %u %" G_GSIZE_FORMAT, self->node_id,
                                              self->message_id, self->message_line++,
                                              g_bytes_hash (bytes), len));
}

static void
process_framed_line (CharlaPeer *self,
                     const char *line,
                     gsize       len,
                     gboolean    continued)
{
  if (continued)
    {
      /* The rest of an over-long line: text if the line was a MSG,
       * never text if it was anything else. */
      if (self->continuing_message && !seen_before (self, line, len))
        deliver (self, line, len);
      return;
    }

  self->continuing_message = FALSE;

  if (len >= strlen (CHARLA_VERB_MESSAGE) && memcmp (line, CHARLA_VERB_MESSAGE, strlen (CHARLA_VERB_MESSAGE)) == 0)
    {
      gsize verb_len = strlen (CHARLA_VERB_MESSAGE);

      self->continuing_message = TRUE;
      if (len > verb_len && !seen_before (self, line + verb_len, len - verb_len))
        deliver (self, line + verb_len, len - verb_len);
    }
  else if (len > strlen (CHARLA_VERB_ID) && memcmp (line, CHARLA_VERB_ID, strlen (CHARLA_VERB_ID)) == 0)
    {
      gsize verb_len = strlen (CHARLA_VERB_ID);

      g_free (self->message_id);
      self->message_id = charla_text_sanitize (line + verb_len, MIN (len - verb_len, 64));
      self->message_line = 0;
    }
  else if (len >= strlen (CHARLA_VERB_RENAME) && memcmp (line, CHARLA_VERB_RENAME, strlen (CHARLA_VERB_RENAME)) == 0)
    {
      gsize verb_len = strlen (CHARLA_VERB_RENAME);
      set_remote_name (self, line + verb_len, len - verb_len);
    }
  else if (len >= CHARLA_HELLO_PREFIX_LEN && memcmp (line, CHARLA_HELLO_PREFIX, CHARLA_HELLO_PREFIX_LEN) == 0)
    {
      take_hello_payload (self, line + CHARLA_HELLO_PREFIX_LEN, len - CHARLA_HELLO_PREFIX_LEN);
    }
  else if (len >= strlen (CHARLA_VERB_BYE) && memcmp (line, CHARLA_VERB_BYE, strlen (CHARLA_VERB_BYE)) == 0)
    {
      /* Said just before the remote closes; reported when it does. */
      g_autofree char *words = g_strndup (line + strlen (CHARLA_VERB_BYE), len - strlen (CHARLA_VERB_BYE));
      g_auto(GStrv) fields = g_strsplit (words, " ", 3);
      guint64 missed = 0;

      g_free (self->bye_reason);
      self->bye_reason = charla_name_sanitize (fields[0] != NULL ? fields[0] : "", -1);
      if (fields[0] != NULL && fields[1] != NULL)
        g_ascii_string_to_unsigned (fields[1], 10, 0, G_MAXUINT, &missed, NULL);
      self->bye_missed = missed;
    }
  /* Unknown verbs are ignored: newer nodes may speak more. */
}

/* Framed bytes wait in the splitter; drain_lines() handles the lines. */
static void
process_framed_bytes (CharlaPeer *self,
                      const char *data,
                      gsize       len)
{
  charla_line_splitter_push (self->splitter, data, len);
}

static void
process_bytes (CharlaPeer *self,
               const char *data,
               gsize       len)
{
  if (self->phase != PHASE_NONE)
    process_handshake_bytes (self, data, len);
  else if (self->dialect == CHARLA_PEER_DIALECT_CHARLA)
    process_framed_bytes (self, data, len);
  else
    process_raw_bytes (self, data, len);
}

/* The remote said BYE before closing. */
static GError *
farewell_error (CharlaPeer *self)
{
  if (g_strcmp0 (self->bye_reason, CHARLA_BYE_TOO_SLOW) == 0)
    return g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                        g_dngettext (GETTEXT_PACKAGE,
                                     "%s closed the connection because this node did not read fast enough; "
                                     "%u message did not arrive",
                                     "%s closed the connection because this node did not read fast enough; "
                                     "%u messages did not arrive",
                                     self->bye_missed),
                        self->name, self->bye_missed);

  return g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                      _("%s closed the connection (%s)"), self->name, self->bye_reason);
}

/* Handles complete lines waiting in the splitter, at most *@budget. */
static void
drain_lines (CharlaPeer *self,
             guint      *budget)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean continued = FALSE;

  while (*budget > 0 && self->state == CHARLA_PEER_STATE_CONNECTED &&
         charla_line_splitter_pop (self->splitter, line, &continued))
    {
      (*budget)--;
      if (self->dialect == CHARLA_PEER_DIALECT_CHARLA)
        {
          process_framed_line (self, line->str, line->len, continued);
          continue;
        }

      /* A probe whose first line came in pieces: checked whole too. */
      if (!self->first_line_checked && self->direction == CHARLA_PEER_INCOMING)
        {
          self->first_line_checked = TRUE;
          if (refuse_other_protocol (self, line->str, line->len))
            return;
        }
      deliver (self, line->str, line->len);
    }
}

static gboolean on_socket_readable (GSocket *socket, GIOCondition condition, gpointer user_data);
static gboolean on_backlog_idle (gpointer user_data);

/* Waits for the socket: the turn is over and every line was handled. */
static void
watch_socket (CharlaPeer *self)
{
  charla_clear_source (&self->backlog_source);

  if (self->read_source != NULL || self->read_ended)
    return;

  self->read_source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_socket_readable), self, NULL);
  g_source_set_static_name (self->read_source, "[charla] peer read");
  g_source_attach (self->read_source, g_main_context_get_thread_default ());
}

/* Lines wait beyond this turn: the next turn handles them before it
 * reads more, so what is buffered stays bounded. */
static void
wait_for_next_turn (CharlaPeer *self)
{
  charla_clear_source (&self->read_source);

  if (self->backlog_source != NULL)
    return;

  self->backlog_source = g_idle_source_new ();
  g_source_set_priority (self->backlog_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->backlog_source, on_backlog_idle, self, NULL);
  g_source_set_static_name (self->backlog_source, "[charla] peer backlog");
  g_source_attach (self->backlog_source, g_main_context_get_thread_default ());
}

/* The remote closed (or the connection failed): what is still pending
 * is handled in turns like the rest, then the peer closes. */
static void
end_reading (CharlaPeer *self,
             GError     *error)
{
  self->read_ended = TRUE;
  self->end_error = error;
  charla_clear_source (&self->read_source);

  if (self->phase != PHASE_NONE)
    {
      /* Gone mid-handshake: what we heard is all the name there is. */
      if (self->phase == PHASE_FIRST_REPLY && self->prelude->len > 0)
        set_remote_name (self, (const char *) self->prelude->data, self->prelude->len);
      g_byte_array_set_size (self->prelude, 0);
    }
  else if (self->prelude->len > 0)
    {
      /* An undecided chunk at hang-up is text after all. */
      if (self->state == CHARLA_PEER_STATE_HANDSHAKING)
        become_connected (self, CHARLA_PEER_DIALECT_SEED);
      self->heard_text = TRUE;
      charla_line_splitter_push (self->splitter, (const char *) self->prelude->data, self->prelude->len);
      g_byte_array_set_size (self->prelude, 0);
    }
}

/* One turn: pending lines first, then reads, within the budget. */
static void
take_turn (CharlaPeer *self)
{
  g_autoptr(CharlaPeer) hold = g_object_ref (self);
  g_autofree char *buffer = NULL;
  guint messages = WAKEUP_MESSAGE_BUDGET;
  gsize bytes = WAKEUP_BYTE_BUDGET;

  while (self->state != CHARLA_PEER_STATE_CLOSED)
    {
      g_autoptr(GError) error = NULL;
      gssize n_read;

      drain_lines (self, &messages);
      if (self->state == CHARLA_PEER_STATE_CLOSED)
        return;

      if (messages == 0)
        {
          wait_for_next_turn (self);
          return;
        }

      if (self->read_ended)
        {
          g_autoptr(GError) end_error = g_steal_pointer (&self->end_error);

          if (end_error == NULL && self->bye_reason != NULL)
            end_error = farewell_error (self);
          close_with_error (self, end_error);
          return;
        }

      if (bytes == 0)
        {
          watch_socket (self);
          return;
        }

      if (buffer == NULL)
        buffer = g_malloc (READ_CHUNK_SIZE);
      n_read = g_socket_receive (self->socket, buffer, MIN (READ_CHUNK_SIZE, bytes), NULL, &error);

      if (n_read < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          watch_socket (self);
          return;
        }

      if (n_read <= 0)
        {
          end_reading (self, g_steal_pointer (&error));
          continue;
        }

      bytes -= n_read;
      process_bytes (self, buffer, n_read);
    }
}

static gboolean
on_socket_readable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  take_turn (user_data);

  /* take_turn() destroys this source itself when it is no longer due. */
  return G_SOURCE_CONTINUE;
}

static gboolean
on_backlog_idle (gpointer user_data)
{
  CharlaPeer *self = user_data;

  g_clear_pointer (&self->backlog_source, g_source_unref);
  take_turn (self);

  return G_SOURCE_REMOVE;
}

static void
charla_peer_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CharlaPeer *self = CHARLA_PEER (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_ENDPOINT:
      g_value_take_string (value, charla_peer_dup_endpoint (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_NODE_ID:
      g_value_set_string (value, self->node_id);
      break;
    case PROP_QUEUED_BYTES:
      g_value_set_uint64 (value, self->queued_bytes);
      break;
    case PROP_DIRECTION:
      g_value_set_enum (value, self->direction);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_DIALECT:
      g_value_set_enum (value, self->dialect);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_peer_dispose (GObject *object)
{
  CharlaPeer *self = CHARLA_PEER (object);

  charla_clear_source (&self->read_source);
  charla_clear_source (&self->backlog_source);
  charla_clear_source (&self->write_source);
  charla_clear_source (&self->flush_source);
  charla_clear_source (&self->timer_source);

  if (self->connection != NULL && self->state != CHARLA_PEER_STATE_CLOSED)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (charla_peer_parent_class)->dispose (object);
}

static void
charla_peer_finalize (GObject *object)
{
  CharlaPeer *self = CHARLA_PEER (object);

  clear_writes (self);
  g_clear_pointer (&self->out_writes, g_array_unref);
  g_clear_pointer (&self->splitter, charla_line_splitter_free);
  g_clear_pointer (&self->prelude, g_byte_array_unref);
  g_clear_pointer (&self->held_texts, g_ptr_array_unref);
  g_free (self->address);
  g_free (self->name);
  g_free (self->first_reply);
  g_free (self->local_name);
  g_free (self->told_name);
  g_free (self->local_id);
  g_free (self->node_id);
  g_free (self->farewell);
  g_free (self->bye_reason);
  g_free (self->message_id);
  g_clear_pointer (&self->seen_messages, charla_seen_messages_unref);
  g_clear_error (&self->end_error);

  G_OBJECT_CLASS (charla_peer_parent_class)->finalize (object);
}

static void
charla_peer_class_init (CharlaPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = charla_peer_get_property;
  object_class->dispose = charla_peer_dispose;
  object_class->finalize = charla_peer_finalize;

  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaPeer:endpoint:
   *
   * "address:port", or "[address]:port" for IPv6.
   */
  properties[PROP_ENDPOINT] =
    g_param_spec_string ("endpoint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * CharlaPeer:node-id: (nullable)
   *
   * The remote Charla node's random identity, from its HELLO; %NULL
   * for a seed peer.
   */
  properties[PROP_NODE_ID] =
    g_param_spec_string ("node-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL,
                       CHARLA_TYPE_PEER_DIRECTION, CHARLA_PEER_INCOMING,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       CHARLA_TYPE_PEER_STATE, CHARLA_PEER_STATE_HANDSHAKING,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DIALECT] =
    g_param_spec_enum ("dialect", NULL, NULL,
                       CHARLA_TYPE_PEER_DIALECT, CHARLA_PEER_DIALECT_UNKNOWN,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CharlaPeer:queued-bytes:
   *
   * Bytes queued for the peer that the socket has not taken yet.
   * Notified at most once per flush of the queue.
   */
  properties[PROP_QUEUED_BYTES] =
    g_param_spec_uint64 ("queued-bytes", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CharlaPeer::message-received:
   * @text: the message, sanitised for display
   *
   * The peer sent chat text.
   */
  signals[MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * CharlaPeer::established:
   *
   * The handshake is over: name and dialect are known and queued text
   * has been sent. Scanner probes never get this far.
   */
  signals[ESTABLISHED] =
    g_signal_new ("established", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * CharlaPeer::renamed:
   * @old_name: the name it had
   *
   * The established peer took another name (#CharlaPeer:name is the
   * new one).
   */
  signals[RENAMED] =
    g_signal_new ("renamed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * CharlaPeer::closed:
   * @error: (nullable): why, or %NULL for an orderly close
   * @undelivered: how many messages could not be sent
   *
   * The connection is gone.
   */
  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_ERROR, G_TYPE_UINT);
}

static void
charla_peer_init (CharlaPeer *self)
{
  self->out_writes = g_array_new (FALSE, FALSE, sizeof (QueuedWrite));
  self->prelude = g_byte_array_new ();
  self->held_texts = g_ptr_array_new_with_free_func ((GDestroyNotify) held_message_free);
  self->splitter = charla_line_splitter_new (CHARLA_MAX_MESSAGE_SIZE);
  self->name = g_strdup (CHARLA_ANONYMOUS_NAME);
  self->settle_timeout_ms = INCOMING_SETTLE_MS;
}

/**
 * charla_peer_new: (skip)
 *
 * Wraps @connection; call charla_peer_start() once signals are connected.
 */
CharlaPeer *
charla_peer_new (GSocketConnection   *connection,
                 CharlaPeerDirection  direction,
                 const char          *local_name,
                 const char          *local_id)
{
  g_autoptr(GSocketAddress) remote = NULL;
  CharlaPeer *self;

  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), NULL);
  g_return_val_if_fail (local_name != NULL, NULL);

  self = g_object_new (CHARLA_TYPE_PEER, NULL);
  self->connection = g_object_ref (connection);
  self->socket = g_socket_connection_get_socket (connection);
  self->direction = direction;
  self->local_name = g_strdup (local_name);
  self->local_id = g_strdup (local_id);

  g_socket_set_blocking (self->socket, FALSE);
  /* Chat lines are small and latency matters more than segments. */
  g_socket_set_option (self->socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  remote = g_socket_connection_get_remote_address (connection, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (remote);

      self->address = address_to_display_string (g_inet_socket_address_get_address (inet));
      self->port = g_inet_socket_address_get_port (inet);
    }
  else
    {
      self->address = g_strdup ("?");
    }

  return self;
}

/**
 * charla_peer_start: (skip)
 *
 * Starts reading and, for an outgoing connection, the handshake.
 */
void
charla_peer_start (CharlaPeer *self)
{
  g_return_if_fail (CHARLA_IS_PEER (self));
  g_return_if_fail (self->read_source == NULL);

  watch_socket (self);

  if (self->direction == CHARLA_PEER_OUTGOING)
    {
      self->phase = PHASE_FIRST_REPLY;
      enqueue_string (self, CHARLA_NAME_QUERY, CHARLA_NAME_QUERY_LEN);
      self->reply_deadline = ms_from_now (NAME_REPLY_TIMEOUT_MS);
      arm_timer (self, self->reply_deadline, on_reply_timer);
    }
  else
    {
      self->settle_deadline = ms_from_now (self->settle_timeout_ms);
      arm_timer (self, self->settle_deadline, on_incoming_settled);
    }
}

void
charla_peer_set_local_name (CharlaPeer *self,
                            const char *local_name)
{
  g_return_if_fail (CHARLA_IS_PEER (self));
  g_return_if_fail (local_name != NULL);

  if (g_strcmp0 (self->local_name, local_name) == 0)
    return;

  g_free (self->local_name);
  self->local_name = g_strdup (local_name);

  /* A seed peer has no way to hear about it. */
  if (self->state == CHARLA_PEER_STATE_CONNECTED && self->dialect == CHARLA_PEER_DIALECT_CHARLA)
    send_framed_line (self, CHARLA_VERB_RENAME, local_name, strlen (local_name));
}

const char *
charla_peer_get_address (CharlaPeer *self)
{
  g_return_val_if_fail (CHARLA_IS_PEER (self), NULL);

  return self->address;
}

guint16
charla_peer_get_port (CharlaPeer *self)
{
  g_return_val_if_fail (CHARLA_IS_PEER (self), 0);

  return self->port;
}

/**
 * charla_peer_get_name:
 *
 * Returns: the remote display name, "Anonimo" until it is known
 */
const char *
charla_peer_get_name (CharlaPeer *self)
{
  g_return_val_if_fail (CHARLA_IS_PEER (self), NULL);

  return self->name;
}

/**
 * charla_peer_get_node_id:
 *
 * Returns: (nullable): the remote Charla node's random identity, or
 *   %NULL for a seed peer
 */
const char *
charla_peer_get_node_id (CharlaPeer *self)
{
  g_return_val_if_fail (CHARLA_IS_PEER (self), NULL);

  return self->node_id;
}

gboolean
charla_peer_get_name_known (CharlaPeer *self)
{
  g_return_val_if_fail (CHARLA_IS_PEER (self), FALSE);

  return self->name_known;
}

CharlaPeerDirection
charla_peer_get_direction (CharlaPeer *self)
{
  g_return_val_if_fail (CHARLA_IS_PEER (self), CHARLA_PEER_INCOMING);

  return self->direction;
}

CharlaPeerState
charla_peer_get_state (CharlaPeer *self)
{
  g_return_val_if_fail (CHARLA_IS_PEER (self), CHARLA_PEER_STATE_CLOSED);

  return self->state;
}

CharlaPeerDialect
charla_peer_get_dialect (CharlaPeer *self)
{
  g_return_val_if_fail (CHARLA_IS_PEER (self), CHARLA_PEER_DIALECT_UNKNOWN);

  return self->dialect;
}

gsize
charla_peer_get_queued_bytes (CharlaPeer *self)
{
  g_return_val_if_fail (CHARLA_IS_PEER (self), 0);

  return self->queued_bytes;
}

/**
 * charla_peer_has_pending_output: (skip)
 *
 * Whether text for the peer waits: queued bytes the socket has not
 * taken, or text held back until the handshake is over.
 */
gboolean
charla_peer_has_pending_output (CharlaPeer *self)
{
  g_return_val_if_fail (CHARLA_IS_PEER (self), FALSE);

  return self->state != CHARLA_PEER_STATE_CLOSED &&
         (self->queued_bytes > 0 || self->held_texts->len > 0);
}

/**
 * charla_peer_dup_endpoint:
 *
 * Returns: (transfer full): "address:port", or "[address]:port" for IPv6
 */
char *
charla_peer_dup_endpoint (CharlaPeer *self)
{
  g_return_val_if_fail (CHARLA_IS_PEER (self), NULL);

  return charla_endpoint_format (self->address, self->port);
}

/**
 * charla_peer_dup_label:
 *
 * Returns: (transfer full): "Name (address:port)", for messages
 */
char *
charla_peer_dup_label (CharlaPeer *self)
{
  g_autofree char *endpoint = NULL;

  g_return_val_if_fail (CHARLA_IS_PEER (self), NULL);

  endpoint = charla_peer_dup_endpoint (self);
  return g_strdup_printf ("%s (%s)", self->name, endpoint);
}

/* Keeps a message until the dialect is known; counts towards the cap. */
static void
hold_message (CharlaPeer *self,
              GPtrArray  *charla_writes,
              GPtrArray  *seed_writes)
{
  HeldMessage *held = g_new0 (HeldMessage, 1);

  held->charla_writes = g_ptr_array_ref (charla_writes);
  held->seed_writes = g_ptr_array_ref (seed_writes);
  held->size = MAX (writes_size (charla_writes), writes_size (seed_writes));
  g_ptr_array_add (self->held_texts, held);
  self->held_bytes += held->size;

  if (queued_charge (self) > MAX_QUEUED_BYTES)
    {
      g_autoptr(GError) error =
        g_error_new (CHARLA_ERROR, CHARLA_ERROR_PEER_TOO_SLOW,
                     _("%s did not finish saying who it is; the connection was closed"), self->name);
      close_with_error (self, error);
    }
}

/**
 * charla_peer_send:
 * @self: a #CharlaPeer
 * @text: chat text
 *
 * Queues @text for the peer, framed as its dialect wants. Text sent
 * during the handshake waits for it. Never blocks.
 */
void
charla_peer_send (CharlaPeer *self,
                  const char *text)
{
  g_return_if_fail (CHARLA_IS_PEER (self));
  g_return_if_fail (text != NULL);

  if (self->state == CHARLA_PEER_STATE_CONNECTED)
    {
      encode_text (self, text);
    }
  else if (self->state == CHARLA_PEER_STATE_HANDSHAKING)
    {
      g_autoptr(GPtrArray) charla_writes = charla_peer_encode (CHARLA_PEER_DIALECT_CHARLA, text);
      g_autoptr(GPtrArray) seed_writes = charla_peer_encode (CHARLA_PEER_DIALECT_SEED, text);

      hold_message (self, charla_writes, seed_writes);
    }
}

/**
 * charla_peer_send_encoded: (skip)
 * @text: the chat text, held if the handshake is not over
 * @charla_writes: charla_peer_encode() of @text for Charla peers
 * @seed_writes: charla_peer_encode() of @text for seed peers
 *
 * Sends text encoded once for many peers (a broadcast shares buffers).
 */
void
charla_peer_send_encoded (CharlaPeer *self,
                          const char *text,
                          GPtrArray  *charla_writes,
                          GPtrArray  *seed_writes)
{
  g_return_if_fail (CHARLA_IS_PEER (self));

  if (self->state == CHARLA_PEER_STATE_CONNECTED)
    enqueue_all (self, self->dialect == CHARLA_PEER_DIALECT_CHARLA ? charla_writes : seed_writes, TRUE);
  else if (self->state == CHARLA_PEER_STATE_HANDSHAKING)
    hold_message (self, charla_writes, seed_writes);
}

/**
 * charla_peer_close:
 *
 * Closes the connection after handing the socket what it takes now;
 * #CharlaPeer::closed reports what could not be sent.
 */
void
charla_peer_close (CharlaPeer *self)
{
  g_return_if_fail (CHARLA_IS_PEER (self));

  close_with_error (self, NULL);
}

/**
 * charla_peer_abort: (skip)
 * @error: why the connection is dropped
 *
 * Drops the connection; #CharlaPeer::closed carries @error.
 */
void
charla_peer_abort (CharlaPeer   *self,
                   const GError *error)
{
  g_return_if_fail (CHARLA_IS_PEER (self));
  g_return_if_fail (error != NULL);

  close_with_error (self, error);
}

/**
 * charla_peer_set_settle_timeout: (skip)
 * @msec: how long an accepted connection may take to be decided
 *
 * Call before charla_peer_start(); 500 ms unless set (tests shorten it).
 * By then it said HELLO, spoke, or is listed as a silent seed client.
 */
void
charla_peer_set_settle_timeout (CharlaPeer *self,
                                guint       msec)
{
  g_return_if_fail (CHARLA_IS_PEER (self));
  g_return_if_fail (msec > 0);

  self->settle_timeout_ms = msec;
}

/**
 * charla_peer_has_spoken: (skip)
 *
 * Returns: whether the remote said anything but a name query: text, or
 *   a HELLO. A seed client that only listens never has; nor has a
 *   connection that holds a place for nothing.
 */
gboolean
charla_peer_has_spoken (CharlaPeer *self)
{
  g_return_val_if_fail (CHARLA_IS_PEER (self), FALSE);

  return self->heard_text || self->dialect == CHARLA_PEER_DIALECT_CHARLA;
}

/**
 * charla_peer_set_seen_messages: (skip)
 * @seen: the node's record of recent messages, shared by its peers
 */
void
charla_peer_set_seen_messages (CharlaPeer         *self,
                               CharlaSeenMessages *seen)
{
  g_return_if_fail (CHARLA_IS_PEER (self));

  g_clear_pointer (&self->seen_messages, charla_seen_messages_unref);
  if (seen != NULL)
    self->seen_messages = charla_seen_messages_ref (seen);
}

/**
 * charla_peer_fire_timer_for_testing: (skip)
 *
 * Runs the pending handshake or pause timer now, as if its time had
 * come, so tests and the fuzzer reach every state without waiting.
 *
 * Returns: %TRUE if a timer was pending
 */
gboolean
charla_peer_fire_timer_for_testing (CharlaPeer *self)
{
  g_autoptr(CharlaPeer) hold = NULL;

  g_return_val_if_fail (CHARLA_IS_PEER (self), FALSE);

  if (self->timer_source == NULL)
    return FALSE;

  /* The callback drops the slot's reference, as when it is dispatched. */
  hold = g_object_ref (self);
  g_source_destroy (self->timer_source);
  self->timer_callback (self);

  return TRUE;
}

/**
 * charla_peer_direction_to_string:
 *
 * Returns: "incoming" or "outgoing", the enum nick
 */
const char *
charla_peer_direction_to_string (CharlaPeerDirection direction)
{
  return charla_enum_nick (CHARLA_TYPE_PEER_DIRECTION, direction);
}

/**
 * charla_peer_dialect_to_string:
 *
 * Returns: "unknown", "seed" or "charla", the enum nick
 */
const char *
charla_peer_dialect_to_string (CharlaPeerDialect dialect)
{
  return charla_enum_nick (CHARLA_TYPE_PEER_DIALECT, dialect);
}
