/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include <stdio.h>

#include "charla-cli-output.h"

/* The one JSON writer of charla-cli: JSON Lines, one object per event,
 * always with a "type" member. Peers and scan results are written by
 * the functions below wherever they appear, so they look the same. */

static void
add_time (JsonBuilder *builder,
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

/* Starts an object of TYPE, with a "time" (@time, or now) if asked. */
JsonBuilder *
charla_cli_json_begin (const char *type,
                       gboolean    with_time,
                       GDateTime  *time)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  charla_cli_json_add_string (builder, "type", type);
  if (with_time)
    add_time (builder, time);

  return builder;
}

static gboolean
on_flush_idle (gpointer user_data)
{
  guint *source_id = user_data;

  *source_id = 0;
  fflush (stdout);

  return G_SOURCE_REMOVE;
}

/* Output is fully buffered (main() says so) and flushed once per main
 * loop round, after whatever this round printed: a burst of a thousand
 * messages costs a few writes, not a thousand, and a reader on a pipe
 * still sees each line within the round that printed it. The idle has
 * the sockets' priority, so it is not starved while peers are busy. */
void
charla_cli_flush_soon (void)
{
  static guint flush_id;

  if (flush_id == 0)
    flush_id = g_idle_add_full (G_PRIORITY_DEFAULT, on_flush_idle, &flush_id, NULL);
}

static void
print_and_flush_soon (const char *text)
{
  fputs (text, stdout);
  charla_cli_flush_soon ();
}

/* Makes stdout fully buffered, flushed once per main loop round (see
 * charla_cli_flush_soon()), for g_print() as for the JSON writer. A
 * prompt that waits for input flushes at once itself. */
void
charla_cli_output_init (void)
{
  static char buffer[64 * 1024];

  setvbuf (stdout, buffer, _IOFBF, sizeof buffer);
  g_set_print_handler (print_and_flush_soon);
}

/* Says why charla-cli could not start: on stderr, and with --json also
 * as an "error" object on stdout, where a program reading it looks.
 * EVENT names the kind ("not-listening", "invalid-option"). */
void
charla_cli_print_startup_error (gboolean    json,
                                const char *event,
                                const char *message)
{
  g_printerr ("charla-cli: %s\n", message);

  if (json)
    {
      JsonBuilder *builder = charla_cli_json_begin ("error", TRUE, NULL);

      charla_cli_json_add_string (builder, "event", event);
      charla_cli_json_add_string (builder, "text", message);
      charla_cli_json_end_and_print (builder);
      fflush (stdout);
    }
}

/* Ends the object and writes it as one line, raw UTF-8 whatever the
 * locale (flushed by the end of this main loop round). Consumes
 * @builder. */
void
charla_cli_json_end_and_print (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *data = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, NULL);
  fputs (data, stdout);
  fputc ('\n', stdout);
  charla_cli_flush_soon ();
  g_object_unref (builder);
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

/* name, address, port, direction, dialect */
void
charla_cli_json_add_peer (JsonBuilder *builder,
                          CharlaPeer  *peer)
{
  charla_cli_json_add_string (builder, "name", charla_peer_get_name (peer));
  charla_cli_json_add_string (builder, "address", charla_peer_get_address (peer));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, charla_peer_get_port (peer));
  charla_cli_json_add_string (builder, "direction",
                              charla_peer_direction_to_string (charla_peer_get_direction (peer)));
  charla_cli_json_add_string (builder, "dialect",
                              charla_peer_dialect_to_string (charla_peer_get_dialect (peer)));
}

/* address, port, name, result, self, and detail if asked */
void
charla_cli_json_add_scan_result (JsonBuilder      *builder,
                                 CharlaScanResult *result,
                                 gboolean          with_detail)
{
  charla_cli_json_add_string (builder, "address", charla_scan_result_get_address (result));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, charla_scan_result_get_port (result));
  charla_cli_json_add_string (builder, "name", charla_scan_result_get_name (result));
  charla_cli_json_add_string (builder, "result",
                              charla_probe_result_to_string (charla_scan_result_get_result (result)));
  json_builder_set_member_name (builder, "self");
  json_builder_add_boolean_value (builder, charla_scan_result_get_is_self (result));
  if (with_detail)
    charla_cli_json_add_string (builder, "detail", charla_scan_result_get_detail (result));
}

/* {"type": TYPE, "time": now, "text": TEXT} */
void
charla_cli_print_json_text (const char *type,
                            const char *text)
{
  JsonBuilder *builder = charla_cli_json_begin (type, TRUE, NULL);

  charla_cli_json_add_string (builder, "text", text);
  charla_cli_json_end_and_print (builder);
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
