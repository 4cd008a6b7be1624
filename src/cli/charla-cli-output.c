/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include <stdio.h>

#include "charla-cli-output.h"

/* Writes the object being built as one line of JSON (JSON Lines), raw
 * UTF-8 whatever the locale, and flushes so a reader on a pipe sees it
 * at once. */
void
charla_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *data = NULL;

  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, NULL);
  fputs (data, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

void
charla_cli_json_add_time (JsonBuilder *builder,
                          GDateTime   *time)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *iso = NULL;

  if (time == NULL)
    time = now = g_date_time_new_now_local ();
  local = g_date_time_to_local (time);
  iso = g_date_time_format_iso8601 (local);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, iso);
}

/* Adds MEMBER: VALUE, or MEMBER: null when there is no value. */
void
charla_cli_json_add_string (JsonBuilder *builder,
                            const char  *member,
                            const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* HH:MM:SS in local time, as chat lines show it. */
char *
charla_cli_format_clock (GDateTime *time)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    time = now = g_date_time_new_now_local ();
  local = g_date_time_to_local (time);
  return g_date_time_format (local, "%H:%M:%S");
}
