/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include "charla-enums.h"
#include "charla-message.h"

/**
 * CharlaMessage:
 *
 * One line of the chat history: text a peer sent, text this node sent,
 * or a notice about the session. Immutable once made.
 */
struct _CharlaMessage
{
  GObject            parent_instance;

  CharlaMessageKind  kind;
  char              *sender;
  char              *address;
  char              *text;
  GDateTime         *time;
};

enum {
  PROP_0,
  PROP_KIND,
  PROP_SENDER,
  PROP_ADDRESS,
  PROP_TEXT,
  PROP_TIME,
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
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
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

  g_free (self->sender);
  g_free (self->address);
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
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
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
 * @address: (nullable): the sender's "address:port"
 * @text: the text, already sanitised
 *
 * Returns: (transfer full): a new message stamped with the current time
 */
CharlaMessage *
charla_message_new (CharlaMessageKind  kind,
                    const char        *sender,
                    const char        *address,
                    const char        *text)
{
  CharlaMessage *self;

  g_return_val_if_fail (text != NULL, NULL);

  self = g_object_new (CHARLA_TYPE_MESSAGE, NULL);
  self->kind = kind;
  self->sender = g_strdup (sender);
  self->address = g_strdup (address);
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

const char *
charla_message_get_address (CharlaMessage *self)
{
  g_return_val_if_fail (CHARLA_IS_MESSAGE (self), NULL);

  return self->address;
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
 * Returns: a stable identifier for @kind, as used in JSON output
 */
const char *
charla_message_kind_to_string (CharlaMessageKind kind)
{
  switch (kind)
    {
    case CHARLA_MESSAGE_INCOMING:
      return "incoming";
    case CHARLA_MESSAGE_OUTGOING:
      return "outgoing";
    case CHARLA_MESSAGE_NOTICE:
      return "notice";
    case CHARLA_MESSAGE_ERROR:
      return "error";
    default:
      g_return_val_if_reached ("notice");
    }
}
