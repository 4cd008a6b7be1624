/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <string.h>

#include "charla-command.h"
#include "charla-wire.h"

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

/**
 * charla_command_parse:
 * @line: a line the user typed in the chat
 * @out_argument: (out) (optional) (transfer full) (nullable): the
 *   command's argument, or the text to send
 *
 * Tells chat text from the seed's chat commands (`--ch`, `--ex`,
 * `--name`), matched case-insensitively like the seed's `.lower()`.
 *
 * Returns: what the line asks for
 */
CharlaCommandKind
charla_command_parse (const char  *line,
                      char       **out_argument)
{
  g_autofree char *trimmed = NULL;
  const char *rest = NULL;
  CharlaCommandKind kind;

  g_return_val_if_fail (line != NULL, CHARLA_COMMAND_NONE);

  if (out_argument != NULL)
    *out_argument = NULL;

  trimmed = g_strstrip (g_strdup (line));

  if (trimmed[0] == '\0')
    return CHARLA_COMMAND_NONE;

  if (command_matches (trimmed, "--ch", &rest))
    kind = CHARLA_COMMAND_CONNECT;
  else if (command_matches (trimmed, "--ex", &rest))
    kind = CHARLA_COMMAND_DISCONNECT_ALL;
  else if (command_matches (trimmed, CHARLA_NAME_QUERY, &rest))
    kind = *rest != '\0' ? CHARLA_COMMAND_RENAME : CHARLA_COMMAND_SHOW_NAMES;
  else if (command_matches (trimmed, "--scan", &rest))
    kind = CHARLA_COMMAND_SCAN;
  else if (command_matches (trimmed, "--help", &rest))
    kind = CHARLA_COMMAND_HELP;
  else
    {
      /* Chat text is sent as typed, only without the line end. */
      if (out_argument != NULL)
        *out_argument = g_strdup (line);
      return CHARLA_COMMAND_SEND;
    }

  if (out_argument != NULL && *rest != '\0')
    *out_argument = g_strdup (rest);

  return kind;
}
