/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <unistd.h>

#include "charla.h"
#include "charla-cli-output.h"
#include "charla-cli-session.h"

/* An interactive node: the seed's menu (`charla-cli`) or straight chat
 * mode (`charla-cli chat`). Prompts and output only: every line typed
 * becomes a CharlaCommand that the node carries out, and everything the
 * node reports arrives as a message in its history, printed here. */

typedef enum {
  STATE_MENU,
  STATE_SCAN_TARGETS,
  STATE_SCAN_PORTS,
  STATE_CONNECT_HOST,
  STATE_CONNECT_PORT,
  STATE_CHAT,
} SessionState;

typedef struct _Session Session;

struct _Session {
  /* Owned */
  CharlaNode       *node;
  GCancellable     *cancellable;
  GCancellable     *shutdown_cancellable;
  GDataInputStream *input;
  GMainLoop        *loop;
  char             *scan_targets;
  char             *connect_host;
  char             *open_prompt;    /* a prompt waiting on the current line */

  /* Borrowed */
  GListModel       *messages;
  GListModel       *peer_list;
  GListModel       *servers;

  SessionState      state;
  guint             n_pending;      /* operations that hold stdin back */
  gboolean          prompt_due;
  gboolean          reading;
  gboolean          input_done;
  gboolean          connect_from_chat;
  gboolean          quitting;
  gboolean          json;
  gboolean          menu;
};

static void session_resume (Session *self);

static void
print_human (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static void
print_human (const char *format,
             ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_print ("%s\n", text);
}

/* Once someone is connected, a line at the menu can also be chat. */
static const char *
menu_prompt (Session *self)
{
  if (g_list_model_get_n_items (self->peer_list) > 0)
    return _("Option, or a message: ");

  return _("Option: ");
}

/* A line the node reported on its own: it goes above a waiting prompt,
 * which is shown again below it (the menu's may have changed meanwhile). */
static void
session_print_event (Session    *self,
                     const char *text)
{
  if (self->open_prompt != NULL && self->state == STATE_MENU)
    {
      g_free (self->open_prompt);
      self->open_prompt = g_strdup (menu_prompt (self));
    }

  if (self->open_prompt != NULL)
    g_print ("\n%s\n%s", text, self->open_prompt);
  else
    g_print ("%s\n", text);
}

/* Feedback on what was typed before the node saw it (a bad port at
 * "Puerto:", a menu choice): TYPE is "error" or "notice" in JSON. */
static void
session_say (Session    *self,
             const char *type,
             const char *text)
{
  if (self->json)
    charla_cli_print_json_text (type, text);
  else
    print_human ("%s", text);
}

static void
session_prompt (Session *self)
{
  g_autofree char *ports_prompt = NULL;
  const char *prompt = NULL;

  switch (self->state)
    {
    case STATE_MENU:
      if (!self->json)
        g_print ("\n%s\n%s\n", _("0) Scan for servers"), _("1) Connect to a server"));
      if (!self->json && g_list_model_get_n_items (self->peer_list) > 0)
        g_print ("%s\n", _("   or type a message for who is connected"));
      prompt = menu_prompt (self);
      break;
    case STATE_SCAN_TARGETS:
      prompt = _("Targets (e.g. 127.0.0.1 or 127.0.0.0/24): ");
      break;
    case STATE_SCAN_PORTS:
      prompt = ports_prompt = g_strdup_printf (_("Ports (empty for %u-%u): "),
                                               CHARLA_DEFAULT_PORT_MIN, CHARLA_DEFAULT_PORT_MAX);
      break;
    case STATE_CONNECT_HOST:
      /* The seed's own prompts, kept word for word. */
      prompt = "Ip:";
      break;
    case STATE_CONNECT_PORT:
      prompt = "Puerto:";
      break;
    case STATE_CHAT:
    default:
      return;
    }

  if (self->json)
    {
      JsonBuilder *builder = charla_cli_json_begin ("prompt", FALSE, NULL);

      charla_cli_json_add_string (builder, "text", prompt);
      charla_cli_json_end_and_print (builder);
    }
  else
    {
      g_print ("%s", prompt);
      fflush (stdout);
      g_free (self->open_prompt);
      self->open_prompt = g_strdup (prompt);
    }
}

static void
session_set_state (Session      *self,
                   SessionState  state)
{
  self->state = state;
  self->prompt_due = TRUE;
}

/* Output */

static const char *
json_type_of (CharlaMessage *message)
{
  switch (charla_message_get_kind (message))
    {
    case CHARLA_MESSAGE_INCOMING:
      return "message";
    case CHARLA_MESSAGE_OUTGOING:
      return "sent";
    case CHARLA_MESSAGE_ERROR:
      return "error";
    case CHARLA_MESSAGE_NOTICE:
    default:
      return charla_message_get_event (message) == CHARLA_MESSAGE_EVENT_PEER_LIST ? "peers" : "notice";
    }
}

static void
print_message_json (Session       *self,
                    CharlaMessage *message)
{
  CharlaMessageKind kind = charla_message_get_kind (message);
  CharlaMessageEvent event = charla_message_get_event (message);
  CharlaPeer *peer = charla_message_get_peer (message);
  JsonBuilder *builder = charla_cli_json_begin (json_type_of (message), TRUE,
                                                charla_message_get_time (message));

  if (event != CHARLA_MESSAGE_EVENT_NONE)
    charla_cli_json_add_string (builder, "event", charla_message_event_to_string (event));

  /* Who said it, or whom a notice is about; notices about no peer in
   * particular have no one to name. */
  if (kind == CHARLA_MESSAGE_OUTGOING || peer != NULL)
    charla_cli_json_add_string (builder, "name", charla_message_get_sender (message));
  if (peer != NULL)
    {
      charla_cli_json_add_string (builder, "address", charla_peer_get_address (peer));
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, charla_peer_get_port (peer));
    }
  charla_cli_json_add_string (builder, "text", charla_message_get_text (message));

  if (kind == CHARLA_MESSAGE_OUTGOING)
    {
      json_builder_set_member_name (builder, "peers");
      json_builder_add_int_value (builder, charla_message_get_recipients (message));
    }
  else if (event == CHARLA_MESSAGE_EVENT_PEER_LIST)
    {
      guint n_peers = g_list_model_get_n_items (self->peer_list);

      json_builder_set_member_name (builder, "peers");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n_peers; i++)
        {
          g_autoptr(CharlaPeer) listed = g_list_model_get_item (self->peer_list, i);

          json_builder_begin_object (builder);
          charla_cli_json_add_peer (builder, listed);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  charla_cli_json_end_and_print (builder);

  /* Scripts wait for this one after --connect or --ch. */
  if (event == CHARLA_MESSAGE_EVENT_PEER_JOINED &&
      charla_peer_get_direction (peer) == CHARLA_PEER_OUTGOING)
    {
      builder = charla_cli_json_begin ("connected", TRUE, charla_message_get_time (message));
      charla_cli_json_add_peer (builder, peer);
      charla_cli_json_add_string (builder, "text", charla_message_get_text (message));
      charla_cli_json_end_and_print (builder);
    }
}

/* Answers to what was just typed print as they are; what happens on its
 * own gets the time and a mark. */
static gboolean
answers_a_command (CharlaMessageEvent event)
{
  switch (event)
    {
    case CHARLA_MESSAGE_EVENT_PEER_LIST:
    case CHARLA_MESSAGE_EVENT_HELP:
    case CHARLA_MESSAGE_EVENT_RENAMED:
    case CHARLA_MESSAGE_EVENT_RENAME_FAILED:
    case CHARLA_MESSAGE_EVENT_SCAN_STARTED:
    case CHARLA_MESSAGE_EVENT_SCAN_FINISHED:
    case CHARLA_MESSAGE_EVENT_SCAN_FAILED:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
print_message_human (Session       *self,
                     CharlaMessage *message)
{
  CharlaMessageKind kind = charla_message_get_kind (message);
  const char *text = charla_message_get_text (message);
  const char *sender = charla_message_get_sender (message);
  const char *endpoint = charla_message_get_endpoint (message);
  g_autofree char *clock = charla_cli_format_clock (charla_message_get_time (message));
  g_autofree char *line = NULL;

  /* What this node sent was typed right here. */
  if (kind == CHARLA_MESSAGE_OUTGOING)
    return;

  if (answers_a_command (charla_message_get_event (message)))
    line = g_strdup (text);
  else if (kind == CHARLA_MESSAGE_INCOMING && endpoint != NULL)
    line = g_strdup_printf ("[%s] %s (%s): %s", clock, sender, endpoint, text);
  else if (kind == CHARLA_MESSAGE_INCOMING)
    line = g_strdup_printf ("[%s] %s: %s", clock, sender, text);
  else if (kind == CHARLA_MESSAGE_ERROR)
    line = g_strdup_printf ("[%s] ! %s", clock, text);
  else
    line = g_strdup_printf ("[%s] * %s", clock, text);

  session_print_event (self, line);
}

static void
on_messages_changed (GListModel *messages,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    user_data)
{
  Session *self = user_data;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CharlaMessage) message = g_list_model_get_item (messages, i);

      if (self->json)
        print_message_json (self, message);
      else
        print_message_human (self, message);
    }
}

/* JSON readers also get joins, departures and renames as events of
 * their own; people read the node's notices about them. */
static void
print_peer_event (Session    *self,
                  const char *type,
                  CharlaPeer *peer)
{
  JsonBuilder *builder;

  if (!self->json)
    return;

  builder = charla_cli_json_begin (type, TRUE, NULL);
  charla_cli_json_add_peer (builder, peer);
  charla_cli_json_end_and_print (builder);
}

static void
on_peer_joined (CharlaNode *node,
                CharlaPeer *peer,
                Session    *self)
{
  print_peer_event (self, "peer-joined", peer);
}

static void
on_peer_left (CharlaNode *node,
              CharlaPeer *peer,
              Session    *self)
{
  print_peer_event (self, "peer-left", peer);
}

static void
on_peer_renamed (CharlaNode *node,
                 CharlaPeer *peer,
                 const char *old_name,
                 Session    *self)
{
  print_peer_event (self, "peer-renamed", peer);
}

static void
on_servers_changed (GListModel *servers,
                    guint       position,
                    guint       removed,
                    guint       added,
                    gpointer    user_data)
{
  Session *self = user_data;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CharlaScanResult) result = g_list_model_get_item (servers, i);
      const char *address = charla_scan_result_get_address (result);
      guint16 port = charla_scan_result_get_port (result);
      const char *name = charla_scan_result_get_name (result);

      if (self->json)
        {
          JsonBuilder *builder = charla_cli_json_begin ("server", FALSE, NULL);

          charla_cli_json_add_scan_result (builder, result, FALSE);
          charla_cli_json_end_and_print (builder);
        }
      else if (charla_scan_result_get_is_self (result))
        print_human ("  %-15s %5u  %s %s", address, port, name, _("(this node)"));
      else
        print_human ("  %-15s %5u  %s", address, port, name);
    }
}

/* Commands */

static void
session_begin_operation (Session *self)
{
  self->n_pending++;
}

static void
session_end_operation (Session *self)
{
  g_assert (self->n_pending > 0);
  self->n_pending--;
  session_resume (self);
}

static void
on_connect_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Session *self = user_data;
  g_autoptr(GError) error = NULL;

  /* The node reported the outcome either way; only the flow is ours. */
  if (charla_node_run_command_finish (CHARLA_NODE (object), result, &error))
    {
      gboolean entering_chat = self->state != STATE_CHAT && !self->connect_from_chat;

      if (entering_chat && !self->json)
        print_human ("%s", _("Type a message for everyone, or a command: --ch connects to one more\n"
                             "server, --ex closes every connection, --name lists who is connected,\n"
                             "--name NEW renames you, --help shows all."));
      if (self->state != STATE_CHAT)
        session_set_state (self, STATE_CHAT);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
           self->state == STATE_CONNECT_PORT)
    {
      /* Like the seed: option 1 asks again; a failed --ch goes back to chat. */
      session_set_state (self, self->connect_from_chat ? STATE_CHAT : STATE_CONNECT_HOST);
    }

  session_end_operation (self);
}

static void
on_scan_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Session *self = user_data;

  /* The node posted the summary or the failure. */
  charla_node_run_command_finish (CHARLA_NODE (object), result, NULL);

  if (self->state != STATE_CHAT)
    session_set_state (self, STATE_MENU);
  session_end_operation (self);
}

static void
session_run (Session       *self,
             CharlaCommand *command)
{
  switch (charla_command_get_kind (command))
    {
    case CHARLA_COMMAND_CONNECT:
      /* What is typed next may answer the outcome ("Ip:" again). */
      session_begin_operation (self);
      charla_node_run_command_async (self->node, command, self->cancellable, on_connect_done, self);
      break;

    case CHARLA_COMMAND_SCAN:
      session_begin_operation (self);
      charla_node_run_command_async (self->node, command, self->cancellable, on_scan_done, self);
      break;

    case CHARLA_COMMAND_DISCONNECT_ALL:
      charla_node_run_command_async (self->node, command, NULL, NULL, NULL);
      if (self->menu)
        session_set_state (self, STATE_MENU);
      break;

    case CHARLA_COMMAND_NONE:
    case CHARLA_COMMAND_SEND:
    case CHARLA_COMMAND_SHOW_NAMES:
    case CHARLA_COMMAND_RENAME:
    case CHARLA_COMMAND_HELP:
    default:
      charla_node_run_command_async (self->node, command, NULL, NULL, NULL);
      break;
    }
}

static void
session_handle_chat_line (Session    *self,
                          const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaCommand) command = charla_command_parse (line, &error);

  if (command == NULL)
    {
      session_say (self, "error", error->message);
      return;
    }

  /* `--ch` or `--ch HOST`: the seed's "Ip:" and "Puerto:" ask the rest. */
  if (charla_command_needs_input (command))
    {
      g_free (self->connect_host);
      self->connect_host = g_strdup (charla_command_get_host (command));
      self->connect_from_chat = TRUE;
      session_set_state (self, self->connect_host == NULL ? STATE_CONNECT_HOST : STATE_CONNECT_PORT);
      return;
    }

  session_run (self, command);
}

static void
session_handle_line (Session    *self,
                     const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaCommand) command = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (line));
  guint16 port = 0;

  switch (self->state)
    {
    case STATE_MENU:
      if (g_str_equal (stripped, "0"))
        session_set_state (self, STATE_SCAN_TARGETS);
      else if (g_str_equal (stripped, "1"))
        {
          self->connect_from_chat = FALSE;
          session_set_state (self, STATE_CONNECT_HOST);
        }
      else if (*stripped != '\0' && g_list_model_get_n_items (self->peer_list) > 0)
        {
          /* Peers who connected to us can be answered without option 1
           * (which would open a second connection to them). */
          session_set_state (self, STATE_CHAT);
          session_handle_chat_line (self, line);
        }
      else
        {
          if (*stripped != '\0')
            session_say (self, "error", _("Please choose 0 or 1."));
          session_set_state (self, STATE_MENU);
        }
      break;

    case STATE_SCAN_TARGETS:
      if (*stripped == '\0')
        {
          session_set_state (self, STATE_MENU);
          break;
        }
      g_free (self->scan_targets);
      self->scan_targets = g_steal_pointer (&stripped);
      session_set_state (self, STATE_SCAN_PORTS);
      break;

    case STATE_SCAN_PORTS:
      command = charla_command_new_scan (self->scan_targets, stripped);
      session_run (self, command);
      break;

    case STATE_CONNECT_HOST:
      /* An empty answer is a way back, which the seed never offered. */
      if (*stripped == '\0')
        {
          session_set_state (self, self->connect_from_chat ? STATE_CHAT : STATE_MENU);
          break;
        }
      g_free (self->connect_host);
      self->connect_host = g_steal_pointer (&stripped);
      session_set_state (self, STATE_CONNECT_PORT);
      break;

    case STATE_CONNECT_PORT:
      if (!charla_port_parse (stripped, &port, &error))
        {
          /* The seed says so; option 1 then starts over from "Ip:",
           * --ch goes back to the chat. */
          session_say (self, "error", error->message);
          session_set_state (self, self->connect_from_chat ? STATE_CHAT : STATE_CONNECT_HOST);
          break;
        }
      command = charla_command_new_connect (self->connect_host, port);
      session_run (self, command);
      break;

    case STATE_CHAT:
      session_handle_chat_line (self, line);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Quitting: the node lets what was typed leave, then closes. */
static void
on_shutdown_done (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Session *self = user_data;

  /* What could not be delivered was posted, and printed. */
  charla_node_shutdown_finish (CHARLA_NODE (object), result, NULL);
  g_main_loop_quit (self->loop);
}

static void
session_quit (Session *self)
{
  if (self->quitting)
    {
      /* Asked twice (a second Ctrl+C): stop waiting. */
      g_cancellable_cancel (self->shutdown_cancellable);
      return;
    }

  /* End the prompt's line so the shell's prompt starts afresh. */
  if (self->open_prompt != NULL)
    g_print ("\n");
  g_clear_pointer (&self->open_prompt, g_free);

  self->quitting = TRUE;
  g_cancellable_cancel (self->cancellable);
  charla_node_shutdown_async (self->node, self->shutdown_cancellable, on_shutdown_done, self);
}

static void
on_line_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Session *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;

  self->reading = FALSE;
  raw = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, &length, &error);
  if (raw == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (error != NULL)
        g_printerr ("charla-cli: %s\n", error->message);

      /* End of input: leave once what was typed has been delivered. */
      self->input_done = TRUE;
      session_quit (self);
      return;
    }

  g_clear_pointer (&self->open_prompt, g_free);
  if (length > 0 && raw[length - 1] == '\r')
    raw[--length] = '\0';
  line = g_utf8_make_valid (raw, length);

  session_handle_line (self, line);
  session_resume (self);
}

/* Reads the next line, unless an operation (connecting, scanning) must
 * finish first: what the user types next may answer its outcome. */
static void
session_resume (Session *self)
{
  if (self->quitting || self->input_done || self->reading || self->n_pending > 0)
    return;

  if (self->prompt_due)
    {
      self->prompt_due = FALSE;
      session_prompt (self);
    }

  self->reading = TRUE;
  g_data_input_stream_read_line_async (self->input, G_PRIORITY_DEFAULT,
                                       self->cancellable, on_line_read, self);
}

static gboolean
on_interrupt (gpointer user_data)
{
  Session *self = user_data;

  /* The terminal echoed ^C without a line end. */
  if (!self->json && !self->quitting && self->open_prompt == NULL)
    g_print ("\n");
  session_quit (self);
  return G_SOURCE_CONTINUE;
}

static void
print_listening (Session *self)
{
  const char *name = charla_node_get_name (self->node);
  guint16 port = charla_node_get_port (self->node);

  if (self->json)
    {
      JsonBuilder *builder = charla_cli_json_begin ("listening", TRUE, NULL);

      charla_cli_json_add_string (builder, "name", name);
      charla_cli_json_add_string (builder, "address", charla_node_get_bind_address (self->node));
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, port);
      charla_cli_json_end_and_print (builder);
    }
  else
    {
      print_human (_("Charla node “%s” listening on port %u"), name, port);
    }
}

static void
session_free (Session *self)
{
  if (self->messages != NULL)
    g_signal_handlers_disconnect_by_data (self->messages, self);
  if (self->servers != NULL)
    g_signal_handlers_disconnect_by_data (self->servers, self);
  if (self->node != NULL)
    g_signal_handlers_disconnect_by_data (self->node, self);
  g_clear_object (&self->node);
  g_clear_object (&self->input);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->shutdown_cancellable);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->scan_targets, g_free);
  g_clear_pointer (&self->connect_host, g_free);
  g_clear_pointer (&self->open_prompt, g_free);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Session, session_free)

int
charla_cli_session_run (const CharlaCliSessionOptions *options)
{
  g_autoptr(Session) self = NULL;
  g_autoptr(GPtrArray) connects = NULL;
  g_autoptr(GInputStream) stdin_stream = NULL;
  g_autoptr(GError) error = NULL;
  CharlaScanner *scanner;
  guint sigint_id, sigterm_id;

  g_return_val_if_fail (options != NULL, EXIT_FAILURE);

  self = g_new0 (Session, 1);
  self->json = options->json;
  self->menu = options->menu;
  self->node = charla_node_new (charla_default_name ());

  if (options->name != NULL && !charla_node_set_name (self->node, options->name, &error))
    {
      charla_cli_print_startup_error (options->json, "invalid-option", error->message);
      return CHARLA_CLI_EXIT_USAGE;
    }

  /* Every --connect target is checked before anything starts. */
  connects = g_ptr_array_new_with_free_func ((GDestroyNotify) charla_command_unref);
  for (guint i = 0; options->connect != NULL && options->connect[i] != NULL; i++)
    {
      g_autofree char *host = NULL;
      guint16 port = 0;

      if (!charla_host_port_parse (options->connect[i], &host, &port, &error))
        {
          charla_cli_print_startup_error (options->json, "invalid-option", error->message);
          return CHARLA_CLI_EXIT_USAGE;
        }
      if (port == 0)
        {
          g_autofree char *message = g_strdup_printf (_("“%s” has no port: use HOST:PORT"),
                                                      options->connect[i]);

          charla_cli_print_startup_error (options->json, "invalid-option", message);
          return CHARLA_CLI_EXIT_USAGE;
        }
      g_ptr_array_add (connects, charla_command_new_connect (host, port));
    }

  charla_node_set_port_range (self->node, options->port_min, options->port_max);
  if (options->bind_address != NULL)
    charla_node_set_bind_address (self->node, options->bind_address);
  if (!charla_node_start (self->node, &error))
    {
      charla_cli_print_startup_error (options->json, "not-listening", error->message);
      return EXIT_FAILURE;
    }

  self->loop = g_main_loop_new (NULL, FALSE);
  self->cancellable = g_cancellable_new ();
  self->shutdown_cancellable = g_cancellable_new ();
  scanner = charla_node_get_scanner (self->node);
  charla_scanner_set_connect_timeout (scanner, options->scan_timeout_ms);
  charla_scanner_set_reply_timeout (scanner, options->scan_timeout_ms);
  self->messages = charla_node_get_messages (self->node);
  self->peer_list = charla_node_get_peers (self->node);
  self->servers = charla_scanner_get_servers (scanner);
  stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  self->input = g_data_input_stream_new (stdin_stream);
  g_data_input_stream_set_newline_type (self->input, G_DATA_STREAM_NEWLINE_TYPE_LF);

  print_listening (self);
  if (!self->json && !self->menu)
    print_human ("%s", _("Type a message for everyone, or --help for the commands."));

  g_signal_connect (self->messages, "items-changed", G_CALLBACK (on_messages_changed), self);
  g_signal_connect (self->servers, "items-changed", G_CALLBACK (on_servers_changed), self);
  g_signal_connect (self->node, "peer-joined", G_CALLBACK (on_peer_joined), self);
  g_signal_connect (self->node, "peer-left", G_CALLBACK (on_peer_left), self);
  g_signal_connect (self->node, "peer-renamed", G_CALLBACK (on_peer_renamed), self);
  /* Whatever the node reported before we listened. */
  on_messages_changed (self->messages, 0, 0, g_list_model_get_n_items (self->messages), self);

  session_set_state (self, self->menu ? STATE_MENU : STATE_CHAT);
  for (guint i = 0; i < connects->len; i++)
    session_run (self, g_ptr_array_index (connects, i));

  sigint_id = g_unix_signal_add (SIGINT, on_interrupt, self);
  sigterm_id = g_unix_signal_add (SIGTERM, on_interrupt, self);

  session_resume (self);
  g_main_loop_run (self->loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  charla_node_stop (self->node);

  return EXIT_SUCCESS;
}
