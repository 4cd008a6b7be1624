/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-notifier.h"

/* Tells the user what happened while they were looking elsewhere.
 *
 * Messages that arrive while the conversation is not seen (the window is
 * not the active window, or shows another page) are counted in
 * CharlaNotifier:unread-count, which the window shows until the
 * conversation is seen. While the window is not focused, a message or a
 * new peer also raises a GNotification (unless CharlaNotifier:enabled is
 * off: the application binds it to the "notifications" setting);
 * activating it runs app.show-conversation, which presents the window at
 * the chat. Seeing the conversation withdraws the
 * notifications, so the shell keeps none that are stale.
 *
 * Only while a notification server is there: without one (a bare X
 * session, Xvfb), GLib 2.74 falls back to its org.freedesktop.Notifications
 * backend, whose failed call prints a warning on stderr (gio/
 * gfdonotificationbackend.c: notification_sent()). So the notifier
 * watches the two names a server takes on the session bus
 * (org.freedesktop.Notifications, and org.gtk.Notifications as GNOME Shell
 * has it) and asks once which ones the bus can start; in a sandbox the
 * notifications go to the portal, which is always there. */

#define MESSAGE_NOTIFICATION_ID "message"
#define PEER_NOTIFICATION_ID "peer-joined"

static const char * const notification_services[] = {
  "org.freedesktop.Notifications",
  "org.gtk.Notifications",
};
#define N_SERVICES G_N_ELEMENTS (notification_services)

enum {
  PROP_0,
  PROP_APPLICATION,
  PROP_NODE,
  PROP_ENABLED,
  PROP_WINDOW,
  PROP_CONVERSATION_VISIBLE,
  PROP_UNREAD_COUNT,
  PROP_CAN_NOTIFY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

struct _CharlaNotifier
{
  GObject          parent_instance;

  /* Owned */
  CharlaNode      *node;
  GListModel      *peers;
  GPtrArray       *joined_names;   /* peers that joined while unfocused */
  GCancellable    *cancellable;

  /* Borrowed */
  GtkApplication  *application;    /* owns this notifier */
  GtkWindow       *window;         /* weak pointer */

  guint            service_watches[N_SERVICES];
  gboolean         service_owned[N_SERVICES];
  gboolean         service_activatable;
  gboolean         sandboxed;

  guint            unread_count;
  gboolean         enabled;
  gboolean         conversation_visible;
  gboolean         can_notify;
};

G_DEFINE_FINAL_TYPE (CharlaNotifier, charla_notifier, G_TYPE_OBJECT)

static gboolean
window_is_focused (CharlaNotifier *self)
{
  return self->window != NULL && gtk_window_is_active (self->window);
}

static gboolean
conversation_is_seen (CharlaNotifier *self)
{
  return window_is_focused (self) && self->conversation_visible;
}

static void
update_can_notify (CharlaNotifier *self)
{
  gboolean can_notify = self->sandboxed || self->service_activatable;

  for (guint i = 0; i < N_SERVICES; i++)
    can_notify = can_notify || self->service_owned[i];

  if (self->can_notify == can_notify)
    return;

  g_debug ("notifications %s", can_notify ? "on: a notification server is there" : "off: no notification server");
  self->can_notify = can_notify;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_NOTIFY]);
}

static void
on_service_appeared (GDBusConnection *connection,
                     const char      *name,
                     const char      *owner,
                     gpointer         user_data)
{
  CharlaNotifier *self = user_data;

  for (guint i = 0; i < N_SERVICES; i++)
    if (g_str_equal (name, notification_services[i]))
      self->service_owned[i] = TRUE;
  update_can_notify (self);
}

static void
on_service_vanished (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  CharlaNotifier *self = user_data;

  for (guint i = 0; i < N_SERVICES; i++)
    if (g_str_equal (name, notification_services[i]))
      self->service_owned[i] = FALSE;
  update_can_notify (self);
}

/* A server the bus starts on the first call counts as there. */
static void
on_activatable_names (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  CharlaNotifier *self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree const char **names = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Cannot list the services the session bus can start: %s", error->message);
      return;
    }

  g_variant_get (reply, "(^a&s)", &names);
  for (guint i = 0; i < N_SERVICES; i++)
    if (g_strv_contains (names, notification_services[i]))
      self->service_activatable = TRUE;
  update_can_notify (self);
}

static void
watch_notification_services (CharlaNotifier *self)
{
  GDBusConnection *connection = g_application_get_dbus_connection (G_APPLICATION (self->application));

  /* As GLib decides to use the portal (gio/gportalsupport.c). */
  self->sandboxed = g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) ||
                    g_strcmp0 (g_getenv ("GTK_USE_PORTAL"), "1") == 0;
  if (self->sandboxed || connection == NULL)
    {
      update_can_notify (self);
      return;
    }

  for (guint i = 0; i < N_SERVICES; i++)
    self->service_watches[i] = g_bus_watch_name_on_connection (connection, notification_services[i],
                                                               G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                               on_service_appeared, on_service_vanished,
                                                               self, NULL);
  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "ListActivatableNames", NULL, G_VARIANT_TYPE ("(as)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_activatable_names, self);
}

static void
set_unread_count (CharlaNotifier *self,
                  guint           unread_count)
{
  if (self->unread_count == unread_count)
    return;

  self->unread_count = unread_count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
}

static void
send_notification (CharlaNotifier *self,
                   const char     *id,
                   const char     *category,
                   const char     *title,
                   const char     *body)
{
  g_autoptr(GNotification) notification = NULL;

  if (!self->can_notify)
    return;

  notification = g_notification_new (title);
  /* Text from the network is plain text here: GNotification bodies are
   * never parsed as markup. */
  g_notification_set_body (notification, body);
  g_notification_set_category (notification, category);
  g_notification_set_default_action (notification, "app.show-conversation");
  g_application_send_notification (G_APPLICATION (self->application), id, notification);
}

/* The conversation was seen: nothing is unread, nothing needs telling. */
static void
update_seen (CharlaNotifier *self)
{
  if (window_is_focused (self))
    g_ptr_array_set_size (self->joined_names, 0);

  if (!conversation_is_seen (self))
    return;

  set_unread_count (self, 0);
  g_application_withdraw_notification (G_APPLICATION (self->application), MESSAGE_NOTIFICATION_ID);
  g_application_withdraw_notification (G_APPLICATION (self->application), PEER_NOTIFICATION_ID);
}

static void
on_message (CharlaNode     *node,
            CharlaMessage  *message,
            CharlaNotifier *self)
{
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;

  if (charla_message_get_kind (message) != CHARLA_MESSAGE_INCOMING)
    return;
  if (conversation_is_seen (self))
    return;

  set_unread_count (self, self->unread_count + 1);

  if (window_is_focused (self) || !self->enabled)
    return;

  if (self->unread_count == 1)
    {
      title = g_strdup (charla_message_get_sender (message));
      body = g_strdup (charla_message_get_text (message));
    }
  else
    {
      title = g_strdup_printf (ngettext ("%u new message", "%u new messages", self->unread_count),
                               self->unread_count);
      /* Translators: the newest message in a notification: sender name, then text */
      body = g_strdup_printf (_("%s: %s"),
                              charla_message_get_sender (message),
                              charla_message_get_text (message));
    }

  send_notification (self, MESSAGE_NOTIFICATION_ID, "im.received", title, body);
}

static void
on_peers_changed (GListModel     *peers,
                  guint           position,
                  guint           removed,
                  guint           added,
                  CharlaNotifier *self)
{
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *endpoint = NULL;
  guint n_joined;

  if (added == 0 || window_is_focused (self) || !self->enabled)
    return;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CharlaPeer) peer = g_list_model_get_item (peers, i);

      g_ptr_array_add (self->joined_names, g_strdup (charla_peer_get_name (peer)));
      if (i == position + added - 1)
        endpoint = charla_peer_dup_endpoint (peer);
    }

  n_joined = self->joined_names->len;
  if (n_joined == 1)
    {
      /* Translators: %s is a person's display name */
      title = g_strdup_printf (_("%s joined the chat"), (char *) g_ptr_array_index (self->joined_names, 0));
      body = g_steal_pointer (&endpoint);
    }
  else
    {
      g_ptr_array_add (self->joined_names, NULL);
      title = g_strdup_printf (ngettext ("%u person joined the chat", "%u people joined the chat", n_joined),
                               n_joined);
      /* A list of names; the separator is translatable with the rest. */
      body = g_strjoinv (_(", "), (char **) self->joined_names->pdata);
      g_ptr_array_set_size (self->joined_names, n_joined);
    }

  send_notification (self, PEER_NOTIFICATION_ID, "presence.online", title, body);
}

static void
show_conversation_action (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  CharlaNotifier *self = user_data;

  if (self->window == NULL)
    {
      /* No window (closed meanwhile): activating the app makes one. */
      g_application_activate (G_APPLICATION (self->application));
      if (self->window == NULL)
        return;
    }

  gtk_widget_activate_action (GTK_WIDGET (self->window), "win.show-page", "s", "chat");
  gtk_window_present (self->window);
}

static void
charla_notifier_constructed (GObject *object)
{
  CharlaNotifier *self = CHARLA_NOTIFIER (object);
  g_autoptr(GSimpleAction) action = g_simple_action_new ("show-conversation", NULL);

  G_OBJECT_CLASS (charla_notifier_parent_class)->constructed (object);

  g_assert (GTK_IS_APPLICATION (self->application));
  g_assert (CHARLA_IS_NODE (self->node));

  g_signal_connect_object (self->node, "message", G_CALLBACK (on_message), self, 0);
  self->peers = g_object_ref (charla_node_get_peers (self->node));
  g_signal_connect_object (self->peers, "items-changed", G_CALLBACK (on_peers_changed), self, 0);

  g_signal_connect_object (action, "activate", G_CALLBACK (show_conversation_action), self, 0);
  g_action_map_add_action (G_ACTION_MAP (self->application), G_ACTION (action));

  watch_notification_services (self);
}

static void
charla_notifier_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CharlaNotifier *self = CHARLA_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_value_set_object (value, self->application);
      break;

    case PROP_NODE:
      g_value_set_object (value, self->node);
      break;

    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;

    case PROP_WINDOW:
      g_value_set_object (value, self->window);
      break;

    case PROP_CONVERSATION_VISIBLE:
      g_value_set_boolean (value, self->conversation_visible);
      break;

    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;

    case PROP_CAN_NOTIFY:
      g_value_set_boolean (value, self->can_notify);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_notifier_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CharlaNotifier *self = CHARLA_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      self->application = g_value_get_object (value);
      break;

    case PROP_NODE:
      self->node = g_value_dup_object (value);
      break;

    case PROP_ENABLED:
      charla_notifier_set_enabled (self, g_value_get_boolean (value));
      break;

    case PROP_WINDOW:
      charla_notifier_set_window (self, g_value_get_object (value));
      break;

    case PROP_CONVERSATION_VISIBLE:
      charla_notifier_set_conversation_visible (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_notifier_dispose (GObject *object)
{
  CharlaNotifier *self = CHARLA_NOTIFIER (object);

  charla_notifier_set_window (self, NULL);
  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < N_SERVICES; i++)
    if (self->service_watches[i] != 0)
      {
        g_bus_unwatch_name (self->service_watches[i]);
        self->service_watches[i] = 0;
      }
  if (self->application != NULL)
    {
      g_action_map_remove_action (G_ACTION_MAP (self->application), "show-conversation");
      self->application = NULL;
    }
  g_clear_object (&self->peers);

  G_OBJECT_CLASS (charla_notifier_parent_class)->dispose (object);
}

static void
charla_notifier_finalize (GObject *object)
{
  CharlaNotifier *self = CHARLA_NOTIFIER (object);

  g_clear_object (&self->node);
  g_clear_pointer (&self->joined_names, g_ptr_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (charla_notifier_parent_class)->finalize (object);
}

static void
charla_notifier_class_init (CharlaNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = charla_notifier_constructed;
  object_class->get_property = charla_notifier_get_property;
  object_class->set_property = charla_notifier_set_property;
  object_class->dispose = charla_notifier_dispose;
  object_class->finalize = charla_notifier_finalize;

  /**
   * CharlaNotifier:application:
   *
   * The application that sends the notifications; it owns the notifier.
   */
  properties[PROP_APPLICATION] =
    g_param_spec_object ("application", NULL, NULL, GTK_TYPE_APPLICATION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaNotifier:node:
   *
   * The node whose messages and peers are told about.
   */
  properties[PROP_NODE] =
    g_param_spec_object ("node", NULL, NULL, CHARLA_TYPE_NODE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaNotifier:enabled:
   *
   * Whether to raise notifications at all (the "notifications" setting);
   * unread messages are counted either way.
   */
  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaNotifier:window: (nullable)
   *
   * The window showing the conversation, whose focus decides whether to
   * notify. Not owned.
   */
  properties[PROP_WINDOW] =
    g_param_spec_object ("window", NULL, NULL, GTK_TYPE_WINDOW,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaNotifier:conversation-visible:
   *
   * Whether the window shows the conversation (its chat page).
   */
  properties[PROP_CONVERSATION_VISIBLE] =
    g_param_spec_boolean ("conversation-visible", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaNotifier:unread-count:
   *
   * Messages received since the conversation was last seen.
   */
  properties[PROP_UNREAD_COUNT] =
    g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaNotifier:can-notify:
   *
   * Whether a notification server is there to show notifications; none
   * are sent while it is not.
   */
  properties[PROP_CAN_NOTIFY] =
    g_param_spec_boolean ("can-notify", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
charla_notifier_init (CharlaNotifier *self)
{
  self->joined_names = g_ptr_array_new_with_free_func (g_free);
  self->cancellable = g_cancellable_new ();
  self->enabled = TRUE;
}

/**
 * charla_notifier_new:
 * @application: the application, which keeps the notifier
 * @node: the app's node
 *
 * Also adds the action app.show-conversation to @application.
 *
 * Returns: (transfer full): a new notifier
 */
CharlaNotifier *
charla_notifier_new (GtkApplication *application,
                     CharlaNode     *node)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CHARLA_IS_NODE (node), NULL);

  return g_object_new (CHARLA_TYPE_NOTIFIER,
                       "application", application,
                       "node", node,
                       NULL);
}

/**
 * charla_notifier_get_window:
 *
 * Returns: (transfer none) (nullable): the window showing the conversation
 */
GtkWindow *
charla_notifier_get_window (CharlaNotifier *self)
{
  g_return_val_if_fail (CHARLA_IS_NOTIFIER (self), NULL);

  return self->window;
}

/**
 * charla_notifier_set_window:
 * @window: (nullable): the window showing the conversation
 */
void
charla_notifier_set_window (CharlaNotifier *self,
                            GtkWindow      *window)
{
  g_return_if_fail (CHARLA_IS_NOTIFIER (self));
  g_return_if_fail (window == NULL || GTK_IS_WINDOW (window));

  if (self->window == window)
    return;

  if (self->window != NULL)
    g_signal_handlers_disconnect_by_data (self->window, self);
  g_set_weak_pointer (&self->window, window);
  if (window != NULL)
    g_signal_connect_object (window, "notify::is-active", G_CALLBACK (update_seen), self,
                             G_CONNECT_SWAPPED);

  update_seen (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW]);
}

gboolean
charla_notifier_get_conversation_visible (CharlaNotifier *self)
{
  g_return_val_if_fail (CHARLA_IS_NOTIFIER (self), FALSE);

  return self->conversation_visible;
}

/**
 * charla_notifier_set_conversation_visible:
 * @visible: whether the window shows the conversation
 *
 * The window calls this when it switches to or away from its chat page.
 */
void
charla_notifier_set_conversation_visible (CharlaNotifier *self,
                                          gboolean        visible)
{
  g_return_if_fail (CHARLA_IS_NOTIFIER (self));

  visible = !!visible;
  if (self->conversation_visible == visible)
    return;

  self->conversation_visible = visible;
  update_seen (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION_VISIBLE]);
}

guint
charla_notifier_get_unread_count (CharlaNotifier *self)
{
  g_return_val_if_fail (CHARLA_IS_NOTIFIER (self), 0);

  return self->unread_count;
}

/**
 * charla_notifier_get_can_notify:
 *
 * Returns: whether a notification server is there (see
 *   CharlaNotifier:can-notify)
 */
gboolean
charla_notifier_get_can_notify (CharlaNotifier *self)
{
  g_return_val_if_fail (CHARLA_IS_NOTIFIER (self), FALSE);

  return self->can_notify;
}

gboolean
charla_notifier_get_enabled (CharlaNotifier *self)
{
  g_return_val_if_fail (CHARLA_IS_NOTIFIER (self), FALSE);

  return self->enabled;
}

/**
 * charla_notifier_set_enabled:
 * @enabled: whether to raise notifications
 */
void
charla_notifier_set_enabled (CharlaNotifier *self,
                             gboolean        enabled)
{
  g_return_if_fail (CHARLA_IS_NOTIFIER (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;

  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}
