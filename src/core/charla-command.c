/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "charla-command.h"
#include "charla-endpoint.h"
#include "charla-error.h"
#include "charla-wire.h"

struct _CharlaCommand
{
  gatomicrefcount    ref_count;
  CharlaCommandKind  kind;
  char              *text;      /* SEND: the chat text; RENAME: the new name */
  char              *host;      /* CONNECT, or NULL when not given */
  char              *targets;   /* SCAN, or NULL for the defaults */
  char              *ports;     /* SCAN, or NULL for the defaults */
  guint16            port;      /* CONNECT, or 0 when not given */
};

G_DEFINE_BOXED_TYPE (CharlaCommand, charla_command, charla_command_ref, charla_command_unref)

/**
 * charla_command_new:
 * @kind: a command without arguments (or with all of them left out)
 *
 * Returns: (transfer full): a new command
 */
CharlaCommand *
charla_command_new (CharlaCommandKind kind)
{
  CharlaCommand *self = g_new0 (CharlaCommand, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;

  return self;
}

/**
 * charla_command_new_send:
 * @text: chat text for every peer
 *
 * Returns: (transfer full): a %CHARLA_COMMAND_SEND
 */
CharlaCommand *
charla_command_new_send (const char *text)
{
  CharlaCommand *self;

  g_return_val_if_fail (text != NULL, NULL);

  self = charla_command_new (CHARLA_COMMAND_SEND);
  self->text = g_strdup (text);
  return self;
}

/**
 * charla_command_new_connect:
 * @host: (nullable): an address or host name, or %NULL to ask for it
 * @port: the port, or 0 to ask for it
 *
 * Returns: (transfer full): a %CHARLA_COMMAND_CONNECT
 */
CharlaCommand *
charla_command_new_connect (const char *host,
                            guint16     port)
{
  CharlaCommand *self = charla_command_new (CHARLA_COMMAND_CONNECT);

  self->host = g_strdup (host);
  self->port = port;
  return self;
}

/**
 * charla_command_new_rename:
 * @name: the new display name
 *
 * Returns: (transfer full): a %CHARLA_COMMAND_RENAME
 */
CharlaCommand *
charla_command_new_rename (const char *name)
{
  CharlaCommand *self;

  g_return_val_if_fail (name != NULL, NULL);

  self = charla_command_new (CHARLA_COMMAND_RENAME);
  self->text = g_strdup (name);
  return self;
}

/**
 * charla_command_new_scan:
 * @targets: (nullable): addresses, ranges or networks separated by spaces
 *   or commas, or %NULL for this machine's networks
 * @ports: (nullable): a port or a range, or %NULL for 9990–10005
 *
 * Returns: (transfer full): a %CHARLA_COMMAND_SCAN
 */
CharlaCommand *
charla_command_new_scan (const char *targets,
                         const char *ports)
{
  CharlaCommand *self = charla_command_new (CHARLA_COMMAND_SCAN);

  self->targets = targets != NULL && *targets != '\0' ? g_strdup (targets) : NULL;
  self->ports = ports != NULL && *ports != '\0' ? g_strdup (ports) : NULL;
  return self;
}

CharlaCommand *
charla_command_ref (CharlaCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
charla_command_unref (CharlaCommand *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->text);
  g_free (self->host);
  g_free (self->targets);
  g_free (self->ports);
  g_free (self);
}

CharlaCommandKind
charla_command_get_kind (CharlaCommand *self)
{
  g_return_val_if_fail (self != NULL, CHARLA_COMMAND_NONE);

  return self->kind;
}

/**
 * charla_command_get_text:
 *
 * Returns: (nullable): the chat text of a %CHARLA_COMMAND_SEND
 */
const char *
charla_command_get_text (CharlaCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->kind == CHARLA_COMMAND_SEND ? self->text : NULL;
}

/**
 * charla_command_get_host:
 *
 * Returns: (nullable): the host of a %CHARLA_COMMAND_CONNECT, without
 *   brackets, or %NULL when it was not given
 */
const char *
charla_command_get_host (CharlaCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->host;
}

/**
 * charla_command_get_port:
 *
 * Returns: the port of a %CHARLA_COMMAND_CONNECT, or 0 when not given
 */
guint16
charla_command_get_port (CharlaCommand *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

/**
 * charla_command_get_name:
 *
 * Returns: (nullable): the new name of a %CHARLA_COMMAND_RENAME
 */
const char *
charla_command_get_name (CharlaCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->kind == CHARLA_COMMAND_RENAME ? self->text : NULL;
}

/**
 * charla_command_get_targets:
 *
 * Returns: (nullable): the targets of a %CHARLA_COMMAND_SCAN as typed,
 *   or %NULL for the defaults
 */
const char *
charla_command_get_targets (CharlaCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->targets;
}

/**
 * charla_command_get_ports:
 *
 * Returns: (nullable): the ports of a %CHARLA_COMMAND_SCAN as typed, or
 *   %NULL for the defaults
 */
const char *
charla_command_get_ports (CharlaCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->ports;
}

/**
 * charla_command_needs_input:
 *
 * Whether the face must ask for something before the command can run:
 * `--ch` without a host or a port. The CLI asks "Ip:" and "Puerto:" as
 * the seed does; a window opens its connection dialog, prefilled.
 */
gboolean
charla_command_needs_input (CharlaCommand *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->kind == CHARLA_COMMAND_CONNECT && (self->host == NULL || self->port == 0);
}

/* Parsing */

static gboolean
command_matches (const char  *line,
                 const char  *command,
                 const char **out_rest)
{
  gsize len = strlen (command);

  if (g_ascii_strncasecmp (line, command, len) != 0)
    return FALSE;
  if (line[len] != '\0' && !g_ascii_isspace (line[len]))
    return FALSE;

  *out_rest = line + len;
  while (g_ascii_isspace (**out_rest))
    (*out_rest)++;

  return TRUE;
}

/* `--ch`, `--ch HOST`, `--ch HOST:PORT`, `--ch HOST PORT`. */
static CharlaCommand *
parse_connect (const char  *rest,
               GError     **error)
{
  g_auto(GStrv) words = g_strsplit_set (rest, " \t", -1);
  g_autoptr(GPtrArray) given = g_ptr_array_new ();
  g_autofree char *host = NULL;
  guint16 port = 0;

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_ptr_array_add (given, words[i]);

  if (given->len == 0)
    return charla_command_new_connect (NULL, 0);

  if (given->len > 2)
    {
      g_set_error_literal (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_ADDRESS,
                           _("Write --ch HOST:PORT or --ch HOST PORT"));
      return NULL;
    }

  if (!charla_host_port_parse (g_ptr_array_index (given, 0), &host, &port, error))
    return NULL;

  if (given->len == 2)
    {
      if (port != 0)
        {
          g_set_error_literal (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT,
                               _("The port is given twice: write --ch HOST:PORT or --ch HOST PORT"));
          return NULL;
        }
      if (!charla_port_parse (g_ptr_array_index (given, 1), &port, error))
        return NULL;
    }

  return charla_command_new_connect (host, port);
}

static gboolean
looks_like_ports (const char *word)
{
  gboolean dash = FALSE;

  if (!g_ascii_isdigit (*word))
    return FALSE;

  for (const char *p = word; *p != '\0'; p++)
    {
      if (*p == '-' && !dash)
        dash = TRUE;
      else if (!g_ascii_isdigit (*p))
        return FALSE;
    }

  return TRUE;
}

/* `--scan [TARGETS] [PORTS]`: the last word is the ports when it is a
 * port or a range of ports (no address is only digits and a dash). */
static CharlaCommand *
parse_scan (const char *rest)
{
  g_autofree char *targets = g_strstrip (g_strdup (rest));
  char *last_space;
  const char *ports = NULL;

  last_space = strrchr (targets, ' ');
  if (strrchr (targets, '\t') > last_space)
    last_space = strrchr (targets, '\t');

  if (last_space != NULL && looks_like_ports (last_space + 1))
    {
      ports = last_space + 1;
      *last_space = '\0';
      g_strchomp (targets);
    }
  else if (last_space == NULL && looks_like_ports (targets))
    {
      return charla_command_new_scan (NULL, targets);
    }

  return charla_command_new_scan (targets, ports);
}

/**
 * charla_command_parse:
 * @line: a line the user typed in the chat
 * @error: return location for a #CHARLA_ERROR
 *
 * Tells chat text from the chat commands (`--ch`, `--ex`, `--name`,
 * `--scan`, `--help`), matched case-insensitively like the seed's
 * `.lower()`. Anything else is chat text, sent as typed.
 *
 * Returns: (transfer full) (nullable): the command, or %NULL if the line
 *   is a command with unusable arguments (`--ch host:99999`)
 */
CharlaCommand *
charla_command_parse (const char  *line,
                      GError     **error)
{
  g_autofree char *trimmed = NULL;
  const char *rest = NULL;

  g_return_val_if_fail (line != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  trimmed = g_strstrip (g_strdup (line));

  if (trimmed[0] == '\0')
    return charla_command_new (CHARLA_COMMAND_NONE);

  if (command_matches (trimmed, "--ch", &rest))
    return parse_connect (rest, error);
  if (command_matches (trimmed, "--ex", &rest))
    return charla_command_new (CHARLA_COMMAND_DISCONNECT_ALL);
  if (command_matches (trimmed, CHARLA_NAME_QUERY, &rest))
    return *rest != '\0' ? charla_command_new_rename (rest) : charla_command_new (CHARLA_COMMAND_SHOW_NAMES);
  if (command_matches (trimmed, "--scan", &rest))
    return parse_scan (rest);
  if (command_matches (trimmed, "--help", &rest))
    return charla_command_new (CHARLA_COMMAND_HELP);

  /* Chat text is sent as typed, only without the line end. */
  return charla_command_new_send (line);
}

/* The chat commands, as `--help` lists them. A description's "\n"
 * continues it on a line of its own in a terminal; elsewhere it is a
 * space. */
static const struct {
  const char *usage;
  const char *description;
} help_entries[] = {
  /* TRANSLATORS: the usages of the chat commands; translate the words
   * in capitals only, never the commands */
  { N_("TEXT"), N_("send TEXT to every connected peer") },
  { N_("--ch [HOST[:PORT]]"), N_("connect to one more server, keeping the others") },
  { N_("--ch HOST PORT"), N_("the same, with the port apart\n(without HOST or PORT you are asked for them)") },
  { "--ex", N_("close every connection") },
  { "--name", N_("list the connected peers' names") },
  { N_("--name NEW"), N_("rename this node") },
  { N_("--scan [TARGETS] [PORTS]"), N_("look for servers (default: this machine's\nnetworks, ports 9990-10005)") },
  { "--help", N_("list these commands") },
};

/**
 * charla_command_help_heading:
 *
 * Returns: (transfer none): what the help's list is, translated
 */
const char *
charla_command_help_heading (void)
{
  return _("Chat commands (type them as a line)");
}

/**
 * charla_command_help_get_n_entries:
 *
 * Returns: how many commands the help lists
 */
guint
charla_command_help_get_n_entries (void)
{
  return G_N_ELEMENTS (help_entries);
}

/**
 * charla_command_help_get_entry:
 * @index: below charla_command_help_get_n_entries()
 * @usage: (out) (transfer none): how the command is typed ("--ch HOST PORT")
 * @description: (out) (transfer none): what it does; a "\n" in it ends a
 *   line in a terminal, a space anywhere else
 *
 * One line of the help, translated, for a face that lays it out itself.
 */
void
charla_command_help_get_entry (guint        index,
                               const char **usage,
                               const char **description)
{
  g_return_if_fail (index < G_N_ELEMENTS (help_entries));

  *usage = _(help_entries[index].usage);
  *description = _(help_entries[index].description);
}

static char *
format_help_text (void)
{
  g_autoptr(GString) text = g_string_new (charla_command_help_heading ());
  glong width = 0;

  for (guint i = 0; i < G_N_ELEMENTS (help_entries); i++)
    width = MAX (width, g_utf8_strlen (_(help_entries[i].usage), -1));

  g_string_append_c (text, ':');
  for (guint i = 0; i < G_N_ELEMENTS (help_entries); i++)
    {
      const char *usage, *description;
      g_auto(GStrv) lines = NULL;

      charla_command_help_get_entry (i, &usage, &description);
      lines = g_strsplit (description, "\n", -1);
      /* Columns by characters, not bytes: usages may be translated. */
      g_string_append_printf (text, "\n  %s%*s  %s", usage, (int) (width - g_utf8_strlen (usage, -1)), "",
                              lines[0]);
      for (guint j = 1; lines[j] != NULL; j++)
        g_string_append_printf (text, "\n  %*s  %s", (int) width, "", lines[j]);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * charla_command_help_text:
 *
 * The chat commands, one per line in columns, for `--help` in a
 * terminal and in the node's history.
 *
 * Returns: (transfer none): translated text
 */
const char *
charla_command_help_text (void)
{
  static gsize help_text;

  /* Laid out once: the language does not change while running. */
  if (g_once_init_enter (&help_text))
    g_once_init_leave (&help_text, (gsize) format_help_text ());

  return (const char *) help_text;
}
