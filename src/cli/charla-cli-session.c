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
 * mode (`charla-cli chat`). Everything the user asks for is done by the
 * core; this file only reads stdin line by line, asks for what a command
 * needs and prints what the node reports. */

/* How long, at most, queued text may take to leave before we exit. */
#define FLUSH_TIMEOUT_USEC (5 * G_USEC_PER_SEC)
#define FLUSH_POLL_MSEC 20

typedef enum {
  STATE_MENU,
  STATE_SCAN_TARGETS,
  STATE_SCAN_PORTS,
  STATE_CONNECT_HOST,
  STATE_CONNECT_PORT,
  STATE_CHAT,
} SessionState;

typedef struct _Session Session;

typedef struct {
  /* Owned */
  CharlaPeer *peer;

  /* Borrowed */
  Session    *session;

  /* Whether "peer-joined" was reported and "peer-left" is still due. */
  gboolean    announced;
} PeerWatch;

struct _Session {
  /* Owned */
  CharlaNode       *node;
  CharlaScanner    *scanner;
  GCancellable     *cancellable;
  GDataInputStream *input;
  GMainLoop        *loop;
  GPtrArray        *peers;          /* of PeerWatch, mirrors the node's peer list */
  char             *scan_targets;
  char             *connect_host;
  guint             flush_source_id;
  gint64            flush_deadline;

  /* Borrowed */
  GListModel       *messages;
  GListModel       *peer_list;

  SessionState      state;
  guint             n_pending;      /* operations that hold stdin back */
  gboolean          prompt_due;
  char             *open_prompt;    /* a prompt waiting on the current line */
  gboolean          reading;
  gboolean          input_done;
  gboolean          connect_from_chat;
  gboolean          scanning;
  gboolean          quitting;
  gboolean          json;
  gboolean          menu;
};

static void session_resume (Session *self);

static void
peer_watch_free (gpointer data)
{
  PeerWatch *watch = data;

  g_signal_handlers_disconnect_by_data (watch->peer, watch);
  g_clear_object (&watch->peer);
  g_free (watch);
}

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

/* A line of feedback to a command the user typed: TYPE is "notice" or
 * "error" in JSON mode; people just read the text. */
static void
session_say (Session    *self,
             const char *type,
             const char *text)
{
  if (self->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      charla_cli_json_add_string (builder, "type", type);
      charla_cli_json_add_time (builder, NULL);
      charla_cli_json_add_string (builder, "text", text);
      json_builder_end_object (builder);
      charla_cli_print_json (builder);
    }
  else
    {
      print_human ("%s", text);
    }
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
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      charla_cli_json_add_string (builder, "type", "prompt");
      charla_cli_json_add_string (builder, "text", prompt);
      json_builder_end_object (builder);
      charla_cli_print_json (builder);
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

/* Splits "ADDRESS:PORT" as the core writes peer addresses; an address
 * without a port stays whole. */
static void
json_add_endpoint (JsonBuilder *builder,
                   const char  *endpoint)
{
  g_autofree char *host = NULL;
  guint16 port = 0;

  if (endpoint != NULL && charla_host_port_parse (endpoint, &host, &port, NULL) && port != 0)
    {
      charla_cli_json_add_string (builder, "address", host);
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, port);
    }
  else
    {
      charla_cli_json_add_string (builder, "address", endpoint);
      json_builder_set_member_name (builder, "port");
      json_builder_add_null_value (builder);
    }
}

static void
print_peer_event (Session    *self,
                  const char *type,
                  CharlaPeer *peer)
{
  g_autoptr(JsonBuilder) builder = NULL;

  /* People read the node's own notices about joins and departures. */
  if (!self->json)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  charla_cli_json_add_string (builder, "type", type);
  charla_cli_json_add_time (builder, NULL);
  charla_cli_json_add_string (builder, "name", charla_peer_get_name (peer));
  charla_cli_json_add_string (builder, "address", charla_peer_get_address (peer));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, charla_peer_get_port (peer));
  charla_cli_json_add_string (builder, "direction",
                              charla_peer_direction_to_string (charla_peer_get_direction (peer)));
  charla_cli_json_add_string (builder, "dialect",
                              charla_peer_dialect_to_string (charla_peer_get_dialect (peer)));
  json_builder_end_object (builder);
  charla_cli_print_json (builder);
}

static void
print_message (Session       *self,
               CharlaMessage *message)
{
  CharlaMessageKind kind = charla_message_get_kind (message);
  const char *text = charla_message_get_text (message);
  const char *sender = charla_message_get_sender (message);
  const char *address = charla_message_get_address (message);
  GDateTime *time = charla_message_get_time (message);

  /* What this node sent was typed right here (JSON says "sent"). */
  if (kind == CHARLA_MESSAGE_OUTGOING)
    return;

  if (self->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      charla_cli_json_add_string (builder, "type",
                                  kind == CHARLA_MESSAGE_INCOMING ? "message" :
                                  kind == CHARLA_MESSAGE_ERROR ? "error" : "notice");
      charla_cli_json_add_time (builder, time);
      /* Notices about no peer in particular have no sender to name. */
      if (kind == CHARLA_MESSAGE_INCOMING || sender != NULL)
        charla_cli_json_add_string (builder, "name", sender);
      if (kind == CHARLA_MESSAGE_INCOMING || address != NULL)
        json_add_endpoint (builder, address);
      charla_cli_json_add_string (builder, "text", text);
      json_builder_end_object (builder);
      charla_cli_print_json (builder);
    }
  else
    {
      g_autofree char *clock = charla_cli_format_clock (time);

      g_autofree char *line = NULL;

      if (kind == CHARLA_MESSAGE_INCOMING && address != NULL)
        line = g_strdup_printf ("[%s] %s (%s): %s", clock, sender, address, text);
      else if (kind == CHARLA_MESSAGE_INCOMING)
        line = g_strdup_printf ("[%s] %s: %s", clock, sender, text);
      else if (kind == CHARLA_MESSAGE_ERROR)
        line = g_strdup_printf ("[%s] ! %s", clock, text);
      else
        line = g_strdup_printf ("[%s] * %s", clock, text);
      session_print_event (self, line);
    }
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

      print_message (self, message);
    }
}

static void
peer_watch_update (Session   *self,
                   PeerWatch *watch)
{
  CharlaPeerState state = charla_peer_get_state (watch->peer);

  if (state == CHARLA_PEER_STATE_CONNECTED && !watch->announced)
    {
      watch->announced = TRUE;
      print_peer_event (self, "peer-joined", watch->peer);
    }
  else if (state == CHARLA_PEER_STATE_CLOSED && watch->announced)
    {
      watch->announced = FALSE;
      print_peer_event (self, "peer-left", watch->peer);
    }
}

static void
on_peer_notify_state (CharlaPeer *peer,
                      GParamSpec *pspec,
                      gpointer    user_data)
{
  PeerWatch *watch = user_data;

  peer_watch_update (watch->session, watch);
}

static void
on_peer_notify_name (CharlaPeer *peer,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  PeerWatch *watch = user_data;

  if (watch->announced)
    print_peer_event (watch->session, "peer-renamed", peer);
}

static void
on_peers_changed (GListModel *peers,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  Session *self = user_data;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (peer_watch_free);

  for (guint i = 0; i < removed; i++)
    g_ptr_array_add (gone, g_ptr_array_steal_index (self->peers, position));

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CharlaPeer) peer = g_list_model_get_item (peers, i);
      PeerWatch *watch = NULL;

      /* A peer removed and added back in one change (the node does that
       * when a name changes) has neither left nor joined. */
      for (guint j = 0; j < gone->len && watch == NULL; j++)
        if (((PeerWatch *) g_ptr_array_index (gone, j))->peer == peer)
          watch = g_ptr_array_steal_index (gone, j);

      if (watch == NULL)
        {
          watch = g_new0 (PeerWatch, 1);
          watch->peer = g_object_ref (peer);
          watch->session = self;
          g_signal_connect (peer, "notify::state", G_CALLBACK (on_peer_notify_state), watch);
          g_signal_connect (peer, "notify::name", G_CALLBACK (on_peer_notify_name), watch);
        }
      g_ptr_array_insert (self->peers, i, watch);
      peer_watch_update (self, watch);
    }

  for (guint i = 0; i < gone->len; i++)
    {
      PeerWatch *watch = g_ptr_array_index (gone, i);

      if (watch->announced)
        print_peer_event (self, "peer-left", watch->peer);
      watch->announced = FALSE;
    }
}

/* Quitting: wait until what the user typed has left (no peer still
 * handshaking with text held back, no bytes queued), then stop. */
static gboolean
session_flushed (Session *self)
{
  guint n_peers = g_list_model_get_n_items (self->peer_list);

  for (guint i = 0; i < n_peers; i++)
    {
      g_autoptr(CharlaPeer) peer = g_list_model_get_item (self->peer_list, i);

      if (charla_peer_get_state (peer) == CHARLA_PEER_STATE_HANDSHAKING ||
          charla_peer_get_queued_bytes (peer) > 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
on_flush_poll (gpointer user_data)
{
  Session *self = user_data;

  if (!session_flushed (self) && g_get_monotonic_time () < self->flush_deadline)
    return G_SOURCE_CONTINUE;

  self->flush_source_id = 0;
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

static void
session_quit (Session *self)
{
  if (self->quitting)
    {
      /* Asked twice (a second Ctrl+C): stop waiting. */
      g_clear_handle_id (&self->flush_source_id, g_source_remove);
      g_main_loop_quit (self->loop);
      return;
    }

  /* End the prompt's line so the shell's prompt starts afresh. */
  if (self->open_prompt != NULL)
    g_print ("\n");
  g_clear_pointer (&self->open_prompt, g_free);

  self->quitting = TRUE;
  g_cancellable_cancel (self->cancellable);
  self->flush_deadline = g_get_monotonic_time () + FLUSH_TIMEOUT_USEC;
  self->flush_source_id = g_timeout_add (FLUSH_POLL_MSEC, on_flush_poll, self);
}

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

static gboolean
last_message_is_error (Session    *self,
                       const char *text)
{
  guint n_messages = g_list_model_get_n_items (self->messages);
  g_autoptr(CharlaMessage) last = NULL;

  if (n_messages == 0)
    return FALSE;

  last = g_list_model_get_item (self->messages, n_messages - 1);
  return charla_message_get_kind (last) == CHARLA_MESSAGE_ERROR &&
         g_strcmp0 (charla_message_get_text (last), text) == 0;
}

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Session *self = user_data;
  g_autoptr(CharlaPeer) peer = NULL;
  g_autoptr(GError) error = NULL;

  peer = charla_node_connect_finish (CHARLA_NODE (object), result, &error);
  if (peer == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          session_end_operation (self);
          return;
        }

      /* The node tells every front end what failed; say it only if it
       * did not (the seed's words, then the reason). */
      if (!last_message_is_error (self, error->message))
        {
          text = g_strdup_printf (_("Could not connect to the server: %s"), error->message);
          session_say (self, "error", text);
        }

      /* Like the seed: option 1 asks again; a failed --ch goes back to chat. */
      if (self->state == STATE_CONNECT_PORT)
        session_set_state (self, self->connect_from_chat ? STATE_CHAT : STATE_CONNECT_HOST);
    }
  else
    {
      gboolean entering_chat = self->state != STATE_CHAT && !self->connect_from_chat;

      if (self->json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          charla_cli_json_add_string (builder, "type", "connected");
          charla_cli_json_add_time (builder, NULL);
          charla_cli_json_add_string (builder, "name", charla_peer_get_name (peer));
          charla_cli_json_add_string (builder, "address", charla_peer_get_address (peer));
          json_builder_set_member_name (builder, "port");
          json_builder_add_int_value (builder, charla_peer_get_port (peer));
          json_builder_end_object (builder);
          charla_cli_print_json (builder);
        }
      else if (entering_chat)
        {
          /* The node says whom we connected to; people also need to know
           * what they can type now. */
          print_human ("%s", _("Type a message for everyone, or a command: --ch connects to one more\n"
                               "server, --ex closes every connection, --name lists who is connected,\n"
                               "--name NEW renames you, --help shows all."));
        }

      if (self->state != STATE_CHAT)
        session_set_state (self, STATE_CHAT);
    }

  session_end_operation (self);
}

static void
session_connect (Session    *self,
                 const char *host,
                 guint16     port)
{
  session_begin_operation (self);
  charla_node_connect_async (self->node, host, port, self->cancellable, on_connected, self);
}

static void
on_servers_changed (GListModel *servers,
                    guint       position,
                    guint       removed,
                    guint       added,
                    gpointer    user_data)
{
  Session *self = user_data;

  if (!self->scanning)
    return;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CharlaScanResult) result = g_list_model_get_item (servers, i);
      const char *address = charla_scan_result_get_address (result);
      guint16 port = charla_scan_result_get_port (result);
      const char *name = charla_scan_result_get_name (result);
      gboolean is_self = charla_scan_result_get_is_self (result);

      if (self->json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          charla_cli_json_add_string (builder, "type", "server");
          charla_cli_json_add_string (builder, "address", address);
          json_builder_set_member_name (builder, "port");
          json_builder_add_int_value (builder, port);
          charla_cli_json_add_string (builder, "name", name);
          json_builder_set_member_name (builder, "self");
          json_builder_add_boolean_value (builder, is_self);
          json_builder_end_object (builder);
          charla_cli_print_json (builder);
        }
      else if (is_self)
        {
          print_human ("  %-15s %5u  %s %s", address, port, name, _("(this node)"));
        }
      else
        {
          print_human ("  %-15s %5u  %s", address, port, name);
        }
    }
}

static void
on_scan_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Session *self = user_data;
  g_autoptr(GError) error = NULL;

  self->scanning = FALSE;
  if (!charla_scanner_scan_finish (CHARLA_SCANNER (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        session_say (self, "error", error->message);
    }
  else
    {
      guint n_servers = g_list_model_get_n_items (charla_scanner_get_servers (self->scanner));
      g_autofree char *text = NULL;

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Scan finished: %u server found.",
                                           "Scan finished: %u servers found.",
                                           n_servers),
                              n_servers);
      session_say (self, "notice", text);
    }

  if (self->state != STATE_CHAT)
    session_set_state (self, STATE_MENU);
  session_end_operation (self);
}

/* TARGETS is what the user typed: addresses, ranges or networks,
 * separated by spaces or commas; the scanner reads each one. */
static void
session_scan (Session    *self,
              const char *targets,
              const char *ports)
{
  g_auto(GStrv) target_list = g_strsplit_set (targets, " \t", -1);
  g_autoptr(GError) error = NULL;
  g_autofree char *default_ports = NULL;

  if (ports == NULL || *ports == '\0')
    ports = default_ports = g_strdup_printf ("%u-%u", CHARLA_DEFAULT_PORT_MIN, CHARLA_DEFAULT_PORT_MAX);

  /* Runs of blanks leave empty pieces behind; they are not targets. */
  for (guint i = 0, j = 0; ; i++)
    {
      if (target_list[i] != NULL && *target_list[i] == '\0')
        {
          g_free (target_list[i]);
          continue;
        }
      target_list[j++] = target_list[i];
      if (target_list[i] == NULL)
        break;
    }

  if (!charla_scanner_prepare (self->scanner, (const char * const *) target_list, ports, &error))
    {
      session_say (self, "error", error->message);
      if (self->state != STATE_CHAT)
        session_set_state (self, STATE_MENU);
      return;
    }

  if (!self->json)
    print_human ("%s", _("Scanning…"));
  self->scanning = TRUE;
  session_begin_operation (self);
  charla_scanner_scan_async (self->scanner, self->cancellable, on_scan_done, self);
}

static void
session_show_peers (Session *self)
{
  g_autofree char *names = charla_node_dup_peer_names (self->node);

  if (self->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      guint n_peers = g_list_model_get_n_items (self->peer_list);

      json_builder_begin_object (builder);
      charla_cli_json_add_string (builder, "type", "peers");
      charla_cli_json_add_time (builder, NULL);
      charla_cli_json_add_string (builder, "text", names);
      json_builder_set_member_name (builder, "peers");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n_peers; i++)
        {
          g_autoptr(CharlaPeer) peer = g_list_model_get_item (self->peer_list, i);

          json_builder_begin_object (builder);
          charla_cli_json_add_string (builder, "name", charla_peer_get_name (peer));
          charla_cli_json_add_string (builder, "address", charla_peer_get_address (peer));
          json_builder_set_member_name (builder, "port");
          json_builder_add_int_value (builder, charla_peer_get_port (peer));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      charla_cli_print_json (builder);
    }
  else
    print_human ("%s", names);
}

static void
session_print_chat_help (Session *self)
{
  static const char *lines[] = {
    N_("Chat commands:"),
    N_("  TEXT                 send TEXT to every connected peer"),
    N_("  --ch [HOST:PORT]     connect to one more server (asks Ip: and Puerto: without one)"),
    N_("  --ex                 close every connection"),
    N_("  --name               list the connected peers' names"),
    N_("  --name NEW           rename this node"),
    N_("  --scan [TARGETS [PORTS]]  look for servers (default ports 9990-10005)"),
    N_("  --help               this list"),
  };

  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, _(lines[i]));
    }
  session_say (self, "notice", text->str);
}

static void
session_send (Session    *self,
              const char *text)
{
  guint n_peers = charla_node_send (self->node, text);

  /* With nobody to send to, the node posts an error itself. */
  if (self->json && n_peers > 0)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      charla_cli_json_add_string (builder, "type", "sent");
      charla_cli_json_add_time (builder, NULL);
      charla_cli_json_add_string (builder, "name", charla_node_get_name (self->node));
      charla_cli_json_add_string (builder, "text", text);
      json_builder_set_member_name (builder, "peers");
      json_builder_add_int_value (builder, n_peers);
      json_builder_end_object (builder);
      charla_cli_print_json (builder);
    }
}

static void
session_handle_chat_line (Session    *self,
                          const char *line)
{
  g_autofree char *argument = NULL;
  g_autoptr(GError) error = NULL;

  switch (charla_command_parse (line, &argument))
    {
    case CHARLA_COMMAND_NONE:
      break;

    case CHARLA_COMMAND_SEND:
      session_send (self, argument != NULL ? argument : line);
      break;

    case CHARLA_COMMAND_CONNECT:
      if (argument == NULL)
        {
          self->connect_from_chat = TRUE;
          session_set_state (self, STATE_CONNECT_HOST);
        }
      else
        {
          /* `--ch HOST:PORT`, `--ch HOST PORT` or `--ch HOST` (then "Puerto:"). */
          g_auto(GStrv) words = g_strsplit_set (g_strstrip (argument), " \t", 2);
          g_autofree char *host = NULL;
          guint16 port = 0;

          if (!charla_host_port_parse (words[0], &host, &port, &error) ||
              (words[1] != NULL && !charla_port_parse (words[1], &port, &error)))
            {
              session_say (self, "error", error->message);
            }
          else if (port == 0)
            {
              g_free (self->connect_host);
              self->connect_host = g_steal_pointer (&host);
              self->connect_from_chat = TRUE;
              session_set_state (self, STATE_CONNECT_PORT);
            }
          else
            {
              session_connect (self, host, port);
            }
        }
      break;

    case CHARLA_COMMAND_DISCONNECT_ALL:
      /* The node says how many connections it closed. */
      charla_node_disconnect_all (self->node);
      if (self->menu)
        session_set_state (self, STATE_MENU);
      break;

    case CHARLA_COMMAND_SHOW_NAMES:
      session_show_peers (self);
      break;

    case CHARLA_COMMAND_RENAME:
      if (charla_node_set_name (self->node, argument, &error))
        {
          g_autofree char *text = g_strdup_printf (_("You are now “%s”."),
                                                   charla_node_get_name (self->node));
          session_say (self, "notice", text);
        }
      else
        {
          session_say (self, "error", error->message);
        }
      break;

    case CHARLA_COMMAND_SCAN:
      {
        /* `--scan [TARGETS [PORTS]]`: this host when no target is given. */
        g_auto(GStrv) words = g_strsplit_set (argument != NULL ? argument : "", " \t", 2);
        const char *targets = words[0] != NULL && *words[0] != '\0' ? words[0] : "127.0.0.1";
        char *ports = words[0] != NULL ? words[1] : NULL;

        session_scan (self, targets, ports != NULL ? g_strstrip (ports) : NULL);
      }
      break;

    case CHARLA_COMMAND_HELP:
      session_print_chat_help (self);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
session_handle_line (Session    *self,
                     const char *line)
{
  g_autoptr(GError) error = NULL;
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
      session_scan (self, self->scan_targets, stripped);
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
      session_connect (self, self->connect_host, port);
      break;

    case STATE_CHAT:
      session_handle_chat_line (self, line);
      break;

    default:
      g_assert_not_reached ();
    }
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
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      charla_cli_json_add_string (builder, "type", "listening");
      charla_cli_json_add_time (builder, NULL);
      charla_cli_json_add_string (builder, "name", name);
      charla_cli_json_add_string (builder, "address", charla_node_get_bind_address (self->node));
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, port);
      json_builder_end_object (builder);
      charla_cli_print_json (builder);
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
  if (self->peer_list != NULL)
    g_signal_handlers_disconnect_by_data (self->peer_list, self);
  if (self->scanner != NULL)
    g_signal_handlers_disconnect_by_data (charla_scanner_get_servers (self->scanner), self);
  g_clear_handle_id (&self->flush_source_id, g_source_remove);
  g_clear_pointer (&self->peers, g_ptr_array_unref);
  g_clear_object (&self->scanner);
  g_clear_object (&self->node);
  g_clear_object (&self->input);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->scan_targets, g_free);
  g_clear_pointer (&self->connect_host, g_free);
  g_clear_pointer (&self->open_prompt, g_free);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Session, session_free)

typedef struct {
  char    *host;
  guint16  port;
} ConnectTarget;

static void
connect_target_clear (gpointer data)
{
  ConnectTarget *target = data;

  g_free (target->host);
}

int
charla_cli_session_run (const CharlaCliSessionOptions *options)
{
  g_autoptr(Session) self = NULL;
  g_autoptr(GArray) targets = NULL;
  g_autoptr(GInputStream) stdin_stream = NULL;
  g_autoptr(GError) error = NULL;
  guint sigint_id, sigterm_id;

  g_return_val_if_fail (options != NULL, EXIT_FAILURE);

  self = g_new0 (Session, 1);
  self->json = options->json;
  self->menu = options->menu;
  self->node = charla_node_new (charla_default_name ());

  if (options->name != NULL && !charla_node_set_name (self->node, options->name, &error))
    {
      g_printerr ("charla-cli: %s\n", error->message);
      return CHARLA_CLI_EXIT_USAGE;
    }

  /* Every --connect target is checked before anything starts. */
  targets = g_array_new (FALSE, TRUE, sizeof (ConnectTarget));
  g_array_set_clear_func (targets, connect_target_clear);
  for (guint i = 0; options->connect != NULL && options->connect[i] != NULL; i++)
    {
      ConnectTarget target = { NULL, 0 };

      if (!charla_host_port_parse (options->connect[i], &target.host, &target.port, &error))
        {
          g_printerr ("charla-cli: %s\n", error->message);
          return CHARLA_CLI_EXIT_USAGE;
        }
      if (target.port == 0)
        {
          g_printerr ("charla-cli: ");
          g_printerr (_("“%s” has no port: use HOST:PORT"), options->connect[i]);
          g_printerr ("\n");
          g_free (target.host);
          return CHARLA_CLI_EXIT_USAGE;
        }
      g_array_append_val (targets, target);
    }

  charla_node_set_port_range (self->node, options->port_min, options->port_max);
  if (options->bind_address != NULL)
    charla_node_set_bind_address (self->node, options->bind_address);
  if (!charla_node_start (self->node, &error))
    {
      g_printerr ("charla-cli: %s\n", error->message);
      return EXIT_FAILURE;
    }

  self->loop = g_main_loop_new (NULL, FALSE);
  self->cancellable = g_cancellable_new ();
  self->peers = g_ptr_array_new_with_free_func (peer_watch_free);
  self->scanner = charla_scanner_new (self->node);
  charla_scanner_set_connect_timeout (self->scanner, options->scan_timeout_ms);
  charla_scanner_set_reply_timeout (self->scanner, options->scan_timeout_ms);
  self->messages = charla_node_get_messages (self->node);
  self->peer_list = charla_node_get_peers (self->node);
  stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  self->input = g_data_input_stream_new (stdin_stream);
  g_data_input_stream_set_newline_type (self->input, G_DATA_STREAM_NEWLINE_TYPE_LF);

  print_listening (self);
  if (!self->json && !self->menu)
    print_human ("%s", _("Type a message for everyone, or --help for the commands."));

  g_signal_connect (self->messages, "items-changed", G_CALLBACK (on_messages_changed), self);
  g_signal_connect (self->peer_list, "items-changed", G_CALLBACK (on_peers_changed), self);
  g_signal_connect (charla_scanner_get_servers (self->scanner), "items-changed",
                    G_CALLBACK (on_servers_changed), self);
  /* Whatever the node reported before we listened. */
  on_messages_changed (self->messages, 0, 0, g_list_model_get_n_items (self->messages), self);
  on_peers_changed (self->peer_list, 0, 0, g_list_model_get_n_items (self->peer_list), self);

  session_set_state (self, self->menu ? STATE_MENU : STATE_CHAT);
  for (guint i = 0; i < targets->len; i++)
    {
      ConnectTarget *target = &g_array_index (targets, ConnectTarget, i);

      session_connect (self, target->host, target->port);
    }

  sigint_id = g_unix_signal_add (SIGINT, on_interrupt, self);
  sigterm_id = g_unix_signal_add (SIGTERM, on_interrupt, self);

  session_resume (self);
  g_main_loop_run (self->loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  charla_node_stop (self->node);

  return EXIT_SUCCESS;
}
