/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-window.h"
#include "charla-application.h"
#include "charla-chat-view.h"
#include "charla-connect-dialog.h"
#include "charla-peer-row.h"
#include "charla-scan-report.h"
#include "charla-server-list.h"
#include "charla-settings.h"
#include "charla-ui-util.h"

/* The window is a thin face over the node: three pages (servers, chat,
 * people) and the window actions that every button, shortcut and typed
 * command goes through. Each action calls the core once. */

struct _CharlaWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *stack;
  GtkBox               *servers_box;
  AdwActionRow         *node_row;
  AdwViewStackPage     *chat_page;
  AdwBin               *chat_bin;
  AdwViewStackPage     *peers_page;
  GtkStack             *peers_stack;
  GtkListBox           *peers_list;

  /* Owned */
  CharlaNode           *node;
  GSettings            *settings;
  GListModel           *recent;
  GCancellable         *cancellable;
  char                 *reachable;

  /* Borrowed: children of the stack */
  CharlaServerList     *server_list;
  CharlaChatView       *chat_view;
};

enum {
  PROP_0,
  PROP_NODE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CharlaWindow, charla_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_toast (CharlaWindow *self,
            const char   *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast;

  /* Text from the core may quote the network, and libadwaita 1.2 always
   * reads a toast's title as markup (AdwToast:use-markup is 1.4). */
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
show_page (CharlaWindow *self,
           const char   *name)
{
  adw_view_stack_set_visible_child_name (self->stack, name);
}

static void
on_forget_recent (CharlaWindow *self,
                  const char   *target)
{
  charla_settings_remove_recent_connection (self->settings, target);
}

static void
update_node_row (CharlaWindow *self)
{
  g_autofree char *subtitle = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->node_row), charla_node_get_name (self->node));
  g_clear_pointer (&self->reachable, g_free);

  if (!charla_node_get_running (self->node))
    {
      subtitle = g_strdup (_("Not listening: others cannot connect to you. The chat says why."));
    }
  else
    {
      g_auto(GStrv) endpoints = charla_network_dup_own_addresses (charla_node_get_bind_address (self->node));
      guint16 port = charla_node_get_port (self->node);
      g_autofree char *joined = NULL;

      for (guint i = 0; endpoints[i] != NULL; i++)
        {
          char *address = endpoints[i];

          endpoints[i] = charla_endpoint_format (address, port);
          g_free (address);
        }
      self->reachable = g_strdup (endpoints[0]);

      /* TRANSLATORS: the separator of a list, as in "192.0.2.7:9990, 198.51.100.2:9990" */
      joined = g_strjoinv (_(", "), endpoints);
      /* TRANSLATORS: %s is one or more address:port such as 192.0.2.7:9990 */
      subtitle = g_strdup_printf (_("Others reach you at %s"), joined);
    }

  adw_action_row_set_subtitle (self->node_row, subtitle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-address", self->reachable != NULL);
}

static void
update_scan_actions (CharlaWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.scan",
                                 charla_server_list_get_can_scan (self->server_list));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.scan-cancel",
                                 charla_server_list_get_scanning (self->server_list));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.scan-report",
                                 charla_server_list_get_summary (self->server_list) != NULL &&
                                 !charla_server_list_get_scanning (self->server_list));
}

static void
on_peers_changed (CharlaWindow *self)
{
  guint n_peers = g_list_model_get_n_items (charla_node_get_peers (self->node));

  gtk_stack_set_visible_child_name (self->peers_stack, n_peers > 0 ? "list" : "empty");
  adw_view_stack_page_set_badge_number (self->peers_page, n_peers);
}

/* A scan's own lines are shown where it runs, on the Servers page: they
 * are no reason to call the user to the chat. */
static gboolean
message_calls_to_chat (CharlaMessage *message)
{
  switch (charla_message_get_event (message))
    {
    case CHARLA_MESSAGE_EVENT_SCAN_STARTED:
    case CHARLA_MESSAGE_EVENT_SCAN_FINISHED:
    case CHARLA_MESSAGE_EVENT_SCAN_FAILED:
      return FALSE;
    default:
      return TRUE;
    }
}

static void
on_message (GListModel   *messages,
            guint         position,
            guint         removed,
            guint         added,
            CharlaWindow *self)
{
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->stack), "chat") == 0 ||
      adw_view_stack_page_get_needs_attention (self->chat_page))
    return;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CharlaMessage) message = g_list_model_get_item (messages, i);

      if (message_calls_to_chat (message))
        {
          adw_view_stack_page_set_needs_attention (self->chat_page, TRUE);
          return;
        }
    }
}

static CharlaNotifier *
get_notifier (CharlaWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  return CHARLA_IS_APPLICATION (application)
         ? charla_application_get_notifier (CHARLA_APPLICATION (application))
         : NULL;
}

static void
on_visible_page_changed (CharlaWindow *self)
{
  gboolean at_chat = g_strcmp0 (adw_view_stack_get_visible_child_name (self->stack), "chat") == 0;
  CharlaNotifier *notifier = get_notifier (self);

  if (at_chat)
    adw_view_stack_page_set_needs_attention (self->chat_page, FALSE);
  /* What is unread stays counted until the chat is seen. */
  if (notifier != NULL)
    charla_notifier_set_conversation_visible (notifier, at_chat);
}

/* The application's notifier tells about this window's conversation:
 * its focus and page decide what is seen; the unread count shows on the
 * Chat page's tab until the chat is seen. */
static void
on_application_changed (CharlaWindow *self)
{
  CharlaNotifier *notifier = get_notifier (self);

  if (notifier == NULL)
    return;

  charla_notifier_set_window (notifier, GTK_WINDOW (self));
  g_object_bind_property (notifier, "unread-count", self->chat_page, "badge-number", G_BINDING_SYNC_CREATE);
  on_visible_page_changed (self);
}

/* What a search probes unless told otherwise: the preferences' hosts
 * and ports; no hosts there (or no settings), this machine's networks;
 * no settings, the default ports. */
static void
dup_default_targets (CharlaWindow  *self,
                     char         **out_targets,
                     char         **out_ports)
{
  g_autofree char *targets = NULL;
  g_autofree char *ports = NULL;

  if (self->settings != NULL)
    {
      targets = charla_settings_dup_scan_targets (self->settings);
      ports = charla_settings_dup_scan_ports (self->settings);
    }
  if (targets == NULL)
    {
      g_auto(GStrv) local = charla_network_dup_local_targets ();

      targets = g_strjoinv (", ", local);
    }
  if (ports == NULL)
    ports = g_strdup_printf ("%u-%u", CHARLA_DEFAULT_PORT_MIN, CHARLA_DEFAULT_PORT_MAX);

  *out_targets = g_steal_pointer (&targets);
  *out_ports = g_steal_pointer (&ports);
}

static void
apply_scan_settings (CharlaWindow *self)
{
  g_autofree char *targets = NULL;
  g_autofree char *ports = NULL;

  dup_default_targets (self, &targets, &ports);
  charla_server_list_set_targets (self->server_list, targets, ports);
}

static GtkWidget *
create_peer_row (gpointer item,
                 gpointer user_data)
{
  return charla_peer_row_new (CHARLA_PEER (item));
}

/* Actions */

static void
scan_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CharlaWindow *self = CHARLA_WINDOW (widget);

  show_page (self, "servers");
  charla_server_list_scan (self->server_list);
}

static void
scan_targets_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CharlaWindow *self = CHARLA_WINDOW (widget);
  g_autofree char *default_targets = NULL;
  g_autofree char *default_ports = NULL;
  const char *targets, *ports;

  /* `--scan [TARGETS] [PORTS]`: what is left out is the default, as the
   * help says and charla-cli does, not what the fields last held. */
  g_variant_get (parameter, "(&s&s)", &targets, &ports);
  dup_default_targets (self, &default_targets, &default_ports);
  charla_server_list_set_targets (self->server_list,
                                  *targets != '\0' ? targets : default_targets,
                                  *ports != '\0' ? ports : default_ports);
  show_page (self, "servers");
  charla_server_list_scan (self->server_list);
}

static void
scan_cancel_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  charla_server_list_cancel_scan (CHARLA_WINDOW (widget)->server_list);
}

static void
scan_report_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CharlaWindow *self = CHARLA_WINDOW (widget);
  CharlaScanner *scanner = charla_node_get_scanner (self->node);
  CharlaScanReport *report = charla_scan_report_new (GTK_WINDOW (self),
                                                     charla_scanner_get_report (scanner),
                                                     charla_server_list_get_summary (self->server_list));

  gtk_window_present (GTK_WINDOW (report));
}

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CharlaWindow) self = user_data;
  g_autoptr(CharlaPeer) peer = NULL;
  g_autoptr(GError) error = NULL;

  peer = charla_node_connect_finish (CHARLA_NODE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (peer == NULL)
    {
      /* The node put the same text in the history; a toast shows it
       * where the user is, which may be the server list. */
      show_toast (self, error->message);
      return;
    }

  show_page (self, "chat");
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CharlaWindow *self = CHARLA_WINDOW (widget);
  const char *host;
  guint16 port;

  g_variant_get (parameter, "(&sq)", &host, &port);
  charla_node_connect_async (self->node, host, port, self->cancellable, on_connected, g_object_ref (self));
}

static void
on_dialog_connected (CharlaWindow        *self,
                     CharlaPeer          *peer,
                     CharlaConnectDialog *dialog)
{
  show_page (self, "chat");
}

static CharlaConnectDialog *
open_connect_dialog (CharlaWindow *self)
{
  CharlaConnectDialog *dialog = charla_connect_dialog_new (GTK_WINDOW (self), self->node,
                                                           self->recent);

  g_signal_connect_object (dialog, "connected", G_CALLBACK (on_dialog_connected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "forget-recent", G_CALLBACK (on_forget_recent), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));

  return dialog;
}

static void
connect_dialog_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CharlaConnectDialog *dialog = open_connect_dialog (CHARLA_WINDOW (widget));

  if (parameter != NULL)
    charla_connect_dialog_set_target (dialog, g_variant_get_string (parameter, NULL), NULL);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CharlaWindow *self = CHARLA_WINDOW (widget);

  /* With nobody connected the node says so in the history. */
  charla_node_send (self->node, g_variant_get_string (parameter, NULL));
  show_page (self, "chat");
}

static void
disconnect_all_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CharlaWindow *self = CHARLA_WINDOW (widget);

  charla_node_disconnect_all (self->node);
}

static void
disconnect_peer_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CharlaWindow *self = CHARLA_WINDOW (widget);
  GListModel *peers = charla_node_get_peers (self->node);
  const char *address;
  guint16 port;

  g_variant_get (parameter, "(&sq)", &address, &port);
  for (guint i = 0; i < g_list_model_get_n_items (peers); i++)
    {
      g_autoptr(CharlaPeer) peer = g_list_model_get_item (peers, i);

      if (charla_peer_get_port (peer) == port && g_strcmp0 (charla_peer_get_address (peer), address) == 0)
        {
          charla_peer_close (peer);
          return;
        }
    }
}

static void
show_names_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CharlaWindow *self = CHARLA_WINDOW (widget);
  charla_node_show_peers (self->node);
  show_page (self, "chat");
}

static void
rename_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CharlaWindow *self = CHARLA_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  /* The node says "You are now …" itself. */
  if (!charla_node_set_name (self->node, g_variant_get_string (parameter, NULL), &error))
    show_toast (self, error->message);
}

static void
on_rename_response (AdwMessageDialog *dialog,
                    const char       *response,
                    CharlaWindow     *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "charla-entry");

  if (g_strcmp0 (response, "rename") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.rename", "s", gtk_editable_get_text (entry));
}

static void
on_rename_entry_changed (GtkEditable      *entry,
                         AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "rename", *name != '\0');
}

static void
rename_dialog_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CharlaWindow *self = CHARLA_WINDOW (widget);
  AdwMessageDialog *dialog;
  GtkWidget *entry = gtk_entry_new ();

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Change Your Name"),
                                                       _("Charla peers see the new name at once.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "rename", _("_Rename"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "rename");
  adw_message_dialog_set_close_response (dialog, "cancel");

  gtk_editable_set_text (GTK_EDITABLE (entry), charla_node_get_name (self->node));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  g_object_set_data (G_OBJECT (dialog), "charla-entry", entry);

  g_signal_connect (entry, "changed", G_CALLBACK (on_rename_entry_changed), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_rename_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
help_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CharlaWindow *self = CHARLA_WINDOW (widget);

  charla_node_show_help (self->node);
  show_page (self, "chat");
}

static void
focus_entry_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CharlaWindow *self = CHARLA_WINDOW (widget);

  show_page (self, "chat");
  charla_chat_view_focus_entry (self->chat_view);
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  show_page (CHARLA_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
show_toast_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  show_toast (CHARLA_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
copy_address_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CharlaWindow *self = CHARLA_WINDOW (widget);

  if (self->reachable == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->reachable);
  show_toast (self, _("Address copied"));
}

static void
charla_window_constructed (GObject *object)
{
  CharlaWindow *self = CHARLA_WINDOW (object);
  GListModel *peers = charla_node_get_peers (self->node);
  GListModel *messages = charla_node_get_messages (self->node);

  G_OBJECT_CLASS (charla_window_parent_class)->constructed (object);

  self->server_list = g_object_new (CHARLA_TYPE_SERVER_LIST, "node", self->node, NULL);
  gtk_box_append (self->servers_box, GTK_WIDGET (self->server_list));
  /* What to search by default, now and whenever the preferences change. */
  apply_scan_settings (self);
  if (self->settings != NULL)
    {
      g_signal_connect_object (self->settings, "changed::scan-targets", G_CALLBACK (apply_scan_settings), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::scan-ports", G_CALLBACK (apply_scan_settings), self,
                               G_CONNECT_SWAPPED);

      /* Connections are recorded there by charla_settings_bind_node(). */
      self->recent = charla_settings_recent_connections_new (self->settings);
    }
  else
    {
      /* Nowhere to keep them: none to offer. */
      self->recent = G_LIST_MODEL (gtk_string_list_new (NULL));
    }
  g_signal_connect_object (self->server_list, "notify::can-scan", G_CALLBACK (update_scan_actions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->server_list, "notify::scanning", G_CALLBACK (update_scan_actions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->server_list, "notify::summary", G_CALLBACK (update_scan_actions), self,
                           G_CONNECT_SWAPPED);
  update_scan_actions (self);

  self->chat_view = CHARLA_CHAT_VIEW (charla_chat_view_new (messages));
  adw_bin_set_child (self->chat_bin, GTK_WIDGET (self->chat_view));
  g_signal_connect_object (messages, "items-changed", G_CALLBACK (on_message), self, 0);

  gtk_list_box_bind_model (self->peers_list, peers, create_peer_row, NULL, NULL);
  g_signal_connect_object (peers, "items-changed", G_CALLBACK (on_peers_changed), self, G_CONNECT_SWAPPED);
  on_peers_changed (self);

  g_signal_connect_object (self->node, "notify::name", G_CALLBACK (update_node_row), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->node, "notify::port", G_CALLBACK (update_node_row), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->node, "notify::running", G_CALLBACK (update_node_row), self, G_CONNECT_SWAPPED);
  update_node_row (self);

  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (on_visible_page_changed), self,
                           G_CONNECT_SWAPPED);

  /* The application is set after construction (a plain property). */
  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_changed), NULL);
  on_application_changed (self);
}

static void
charla_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CharlaWindow *self = CHARLA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_NODE:
      g_value_set_object (value, self->node);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CharlaWindow *self = CHARLA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_NODE:
      self->node = g_value_dup_object (value);
      break;

    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_window_dispose (GObject *object)
{
  CharlaWindow *self = CHARLA_WINDOW (object);

  /* Whatever this window started ends with it. */
  g_cancellable_cancel (self->cancellable);
  if (self->server_list != NULL)
    charla_server_list_cancel_scan (self->server_list);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHARLA_TYPE_WINDOW);
  self->server_list = NULL;
  self->chat_view = NULL;

  G_OBJECT_CLASS (charla_window_parent_class)->dispose (object);
}

static void
charla_window_finalize (GObject *object)
{
  CharlaWindow *self = CHARLA_WINDOW (object);

  g_clear_object (&self->node);
  g_clear_object (&self->settings);
  g_clear_object (&self->recent);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reachable, g_free);

  G_OBJECT_CLASS (charla_window_parent_class)->finalize (object);
}

static void
charla_window_class_init (CharlaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = charla_window_constructed;
  object_class->get_property = charla_window_get_property;
  object_class->set_property = charla_window_set_property;
  object_class->dispose = charla_window_dispose;
  object_class->finalize = charla_window_finalize;

  /**
   * CharlaWindow:node:
   *
   * The node this window shows and drives.
   */
  properties[PROP_NODE] =
    g_param_spec_object ("node", NULL, NULL, CHARLA_TYPE_NODE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * CharlaWindow:settings: (nullable)
   *
   * The app's settings; %NULL when the schema is not installed.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/charla/Charla/charla-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CharlaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CharlaWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CharlaWindow, servers_box);
  gtk_widget_class_bind_template_child (widget_class, CharlaWindow, node_row);
  gtk_widget_class_bind_template_child (widget_class, CharlaWindow, chat_page);
  gtk_widget_class_bind_template_child (widget_class, CharlaWindow, chat_bin);
  gtk_widget_class_bind_template_child (widget_class, CharlaWindow, peers_page);
  gtk_widget_class_bind_template_child (widget_class, CharlaWindow, peers_stack);
  gtk_widget_class_bind_template_child (widget_class, CharlaWindow, peers_list);

  /* Every user command, whichever way it is given. */
  gtk_widget_class_install_action (widget_class, "win.scan", NULL, scan_action);
  gtk_widget_class_install_action (widget_class, "win.scan-targets", "(ss)", scan_targets_action);
  gtk_widget_class_install_action (widget_class, "win.scan-cancel", NULL, scan_cancel_action);
  gtk_widget_class_install_action (widget_class, "win.scan-report", NULL, scan_report_action);
  gtk_widget_class_install_action (widget_class, "win.connect", "(sq)", connect_action);
  gtk_widget_class_install_action (widget_class, "win.connect-dialog", NULL, connect_dialog_action);
  gtk_widget_class_install_action (widget_class, "win.connect-dialog-host", "s", connect_dialog_action);
  gtk_widget_class_install_action (widget_class, "win.send", "s", send_action);
  gtk_widget_class_install_action (widget_class, "win.disconnect-all", NULL, disconnect_all_action);
  gtk_widget_class_install_action (widget_class, "win.disconnect-peer", "(sq)", disconnect_peer_action);
  gtk_widget_class_install_action (widget_class, "win.show-names", NULL, show_names_action);
  gtk_widget_class_install_action (widget_class, "win.rename", "s", rename_action);
  gtk_widget_class_install_action (widget_class, "win.rename-dialog", NULL, rename_dialog_action);
  gtk_widget_class_install_action (widget_class, "win.help", NULL, help_action);
  gtk_widget_class_install_action (widget_class, "win.focus-entry", NULL, focus_entry_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.show-toast", "s", show_toast_action);
  gtk_widget_class_install_action (widget_class, "win.copy-address", NULL, copy_address_action);
}

static void
charla_window_init (CharlaWindow *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}

CharlaWindow *
charla_window_new (CharlaApplication *application,
                   CharlaNode        *node,
                   GSettings         *settings)
{
  g_return_val_if_fail (CHARLA_IS_NODE (node), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (CHARLA_TYPE_WINDOW,
                       "application", application,
                       "node", node,
                       "settings", settings,
                       NULL);
}

/**
 * charla_window_get_node:
 *
 * Returns: (transfer none): the node this window shows
 */
CharlaNode *
charla_window_get_node (CharlaWindow *self)
{
  g_return_val_if_fail (CHARLA_IS_WINDOW (self), NULL);

  return self->node;
}

/**
 * charla_window_get_settings:
 *
 * Returns: (transfer none) (nullable): the settings
 */
GSettings *
charla_window_get_settings (CharlaWindow *self)
{
  g_return_val_if_fail (CHARLA_IS_WINDOW (self), NULL);

  return self->settings;
}
