/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include "charla-enum-private.h"
#include "charla-enums.h"
#include "charla-peer.h"
#include "charla-message.h"

/**
 * CharlaMessage:
 *
 * One line of the chat history: text a peer sent, text this node sent,
 * or a notice about the session, with the event it reports. Every face
 * shows the same messages. Immutable once made; the text is plain,
 * sanitised text (never markup).
 */
struct _CharlaMessage
{
  GObject            parent_instance;

  /* Owned */
  CharlaPeer         *peer;
  char               *sender;
  char               *endpoint;
  char               *text;
  GDateTime          *time;

  CharlaMessageKind   kind;
  CharlaMessageEvent  event;
  guint               recipients;
};

enum {
  PROP_0,
  PROP_KIND,
  PROP_EVENT,
  PROP_PEER,
  PROP_SENDER,
  PROP_ENDPOINT,
  PROP_TEXT,
  PROP_TIME,
  PROP_RECIPIENTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CharlaMessage, charla_message, G_TYPE_OBJECT)

static void
charla_message_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CharlaMessage *self = CHARLA_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_SENDER:
      g_value_set_string (value, self->sender);
      break;
    case PROP_EVENT:
      g_value_set_enum (value, self->event);
      break;
    case PROP_PEER:
      g_value_set_object (value, self->peer);
      break;
    case PROP_RECIPIENTS:
      g_value_set_uint (value, self->recipients);
      break;
    case PROP_ENDPOINT:
      g_value_set_string (value, self->endpoint);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_TIME:
      g_value_set_boxed (value, self->time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_message_finalize (GObject *object)
{
  CharlaMessage *self = CHARLA_MESSAGE (object);

  g_clear_object (&self->peer);
  g_free (self->sender);
  g_free (self->endpoint);
  g_free (self->text);
  g_date_time_unref (self->time);

  G_OBJECT_CLASS (charla_message_parent_class)->finalize (object);
}

static void
charla_message_class_init (CharlaMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = charla_message_get_property;
  object_class->finalize = charla_message_finalize;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       CHARLA_TYPE_MESSAGE_KIND, CHARLA_MESSAGE_NOTICE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SENDER] =
    g_param_spec_string ("sender", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_EVENT] =
    g_param_spec_enum ("event", NULL, NULL,
                       CHARLA_TYPE_MESSAGE_EVENT, CHARLA_MESSAGE_EVENT_NONE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PEER] =
    g_param_spec_object ("peer", NULL, NULL, CHARLA_TYPE_PEER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENDPOINT] =
    g_param_spec_string ("endpoint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaMessage:recipients:
   *
   * For an outgoing message: how many peers it was queued for.
   */
  properties[PROP_RECIPIENTS] =
    g_param_spec_uint ("recipients", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIME] =
    g_param_spec_boxed ("time", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
charla_message_init (CharlaMessage *self)
{
}

/* GLib 2.74 re-reads /etc/localtime for every g_date_time_new_now_local():
 * three system calls per chat message. Read it once per process. */
static GTimeZone *
local_time_zone (void)
{
  static GTimeZone *zone;

  if (g_once_init_enter (&zone))
    g_once_init_leave (&zone, g_time_zone_new_local ());
  return zone;
}

/**
 * charla_message_new:
 * @kind: what the message is
 * @sender: (nullable): the sender's display name
 * @endpoint: (nullable): the sender's "address:port"
 * @text: the text, already sanitised
 *
 * Returns: (transfer full): a new message stamped with the current time
 */
CharlaMessage *
charla_message_new (CharlaMessageKind  kind,
                    const char        *sender,
                    const char        *endpoint,
                    const char        *text)
{
  CharlaMessage *self;

  g_return_val_if_fail (text != NULL, NULL);

  self = g_object_new (CHARLA_TYPE_MESSAGE, NULL);
  self->kind = kind;
  self->sender = g_strdup (sender);
  self->endpoint = g_strdup (endpoint);
  self->text = g_strdup (text);
  self->time = g_date_time_new_now (local_time_zone ());

  return self;
}

CharlaMessageKind
charla_message_get_kind (CharlaMessage *self)
{
  g_return_val_if_fail (CHARLA_IS_MESSAGE (self), CHARLA_MESSAGE_NOTICE);

  return self->kind;
}

const char *
charla_message_get_sender (CharlaMessage *self)
{
  g_return_val_if_fail (CHARLA_IS_MESSAGE (self), NULL);

  return self->sender;
}

/**
 * charla_message_new_event:
 * @kind: what the message is
 * @event: what happened, %CHARLA_MESSAGE_EVENT_NONE for chat text
 * @peer: (nullable): the peer it is about; its name and endpoint, as
 *   they are now, become the message's sender and endpoint
 * @text: what to tell the user, already sanitised
 *
 * Returns: (transfer full): a new message stamped with the current time
 */
CharlaMessage *
charla_message_new_event (CharlaMessageKind   kind,
                          CharlaMessageEvent  event,
                          CharlaPeer         *peer,
                          const char         *text)
{
  g_autofree char *endpoint = NULL;
  CharlaMessage *self;

  g_return_val_if_fail (peer == NULL || CHARLA_IS_PEER (peer), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (peer != NULL)
    endpoint = charla_peer_dup_endpoint (peer);

  self = charla_message_new (kind, peer != NULL ? charla_peer_get_name (peer) : NULL, endpoint, text);
  self->event = event;
  self->peer = peer != NULL ? g_object_ref (peer) : NULL;

  return self;
}

/**
 * charla_message_new_outgoing:
 * @sender: this node's name
 * @text: the text sent, already sanitised
 * @recipients: how many peers it was queued for
 *
 * Returns: (transfer full): a new %CHARLA_MESSAGE_OUTGOING message
 */
CharlaMessage *
charla_message_new_outgoing (const char *sender,
                             const char *text,
                             guint       recipients)
{
  CharlaMessage *self = charla_message_new (CHARLA_MESSAGE_OUTGOING, sender, NULL, text);

  self->recipients = recipients;
  return self;
}

guint
charla_message_get_recipients (CharlaMessage *self)
{
  g_return_val_if_fail (CHARLA_IS_MESSAGE (self), 0);

  return self->recipients;
}

CharlaMessageEvent
charla_message_get_event (CharlaMessage *self)
{
  g_return_val_if_fail (CHARLA_IS_MESSAGE (self), CHARLA_MESSAGE_EVENT_NONE);

  return self->event;
}

/**
 * charla_message_get_peer:
 *
 * Returns: (transfer none) (nullable): the peer the message is from or
 *   about, if any
 */
CharlaPeer *
charla_message_get_peer (CharlaMessage *self)
{
  g_return_val_if_fail (CHARLA_IS_MESSAGE (self), NULL);

  return self->peer;
}

/**
 * charla_message_get_endpoint:
 *
 * Returns: (nullable): the "address:port" of the peer the message is
 *   from or about, as charla_endpoint_format() writes it
 */
const char *
charla_message_get_endpoint (CharlaMessage *self)
{
  g_return_val_if_fail (CHARLA_IS_MESSAGE (self), NULL);

  return self->endpoint;
}

const char *
charla_message_get_text (CharlaMessage *self)
{
  g_return_val_if_fail (CHARLA_IS_MESSAGE (self), NULL);

  return self->text;
}

/**
 * charla_message_get_time:
 *
 * Returns: (transfer none): when the message was sent or received
 */
GDateTime *
charla_message_get_time (CharlaMessage *self)
{
  g_return_val_if_fail (CHARLA_IS_MESSAGE (self), NULL);

  return self->time;
}

/**
 * charla_message_kind_to_string:
 *
 * Returns: a stable identifier for @kind ("incoming", "outgoing",
 *   "notice", "error"), its enum nick
 */
const char *
charla_message_kind_to_string (CharlaMessageKind kind)
{
  return charla_enum_nick (CHARLA_TYPE_MESSAGE_KIND, kind);
}

/**
 * charla_message_event_to_string:
 *
 * Returns: a stable identifier for @event ("peer-joined",
 *   "scan-finished"…), its enum nick, as used in JSON output
 */
const char *
charla_message_event_to_string (CharlaMessageEvent event)
{
  return charla_enum_nick (CHARLA_TYPE_MESSAGE_EVENT, event);
}
