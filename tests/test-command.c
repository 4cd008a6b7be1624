/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "charla-test-support.h"

/* The chat line grammar, parsed with no node and no face involved. */

typedef struct {
  const char        *line;
  CharlaCommandKind  kind;
  const char        *text;      /* SEND */
  const char        *host;      /* CONNECT */
  guint16            port;      /* CONNECT */
  const char        *name;      /* RENAME */
  const char        *targets;   /* SCAN */
  const char        *ports;     /* SCAN */
  gboolean           needs_input;
} CommandCase;

static void
assert_command (const CommandCase *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CharlaCommand) command = NULL;

  g_test_message ("line “%s”", expected->line);
  command = charla_command_parse (expected->line, &error);
  g_assert_no_error (error);
  g_assert_nonnull (command);

  g_assert_cmpint (charla_command_get_kind (command), ==, expected->kind);
  g_assert_cmpstr (charla_command_get_text (command), ==, expected->text);
  g_assert_cmpstr (charla_command_get_host (command), ==, expected->host);
  g_assert_cmpuint (charla_command_get_port (command), ==, expected->port);
  g_assert_cmpstr (charla_command_get_name (command), ==, expected->name);
  g_assert_cmpstr (charla_command_get_targets (command), ==, expected->targets);
  g_assert_cmpstr (charla_command_get_ports (command), ==, expected->ports);
  g_assert_cmpint (charla_command_needs_input (command), ==, expected->needs_input);
}

static void
test_plain (void)
{
  const CommandCase cases[] = {
    { "", CHARLA_COMMAND_NONE },
    { "   ", CHARLA_COMMAND_NONE },
    { "hola", CHARLA_COMMAND_SEND, .text = "hola" },
    /* Chat text goes as typed, blanks and all. */
    { "  hola  ", CHARLA_COMMAND_SEND, .text = "  hola  " },
    { "--names", CHARLA_COMMAND_SEND, .text = "--names" },
    { "--change", CHARLA_COMMAND_SEND, .text = "--change" },
    { "-- ch", CHARLA_COMMAND_SEND, .text = "-- ch" },
    { "--ex", CHARLA_COMMAND_DISCONNECT_ALL },
    { "--EX", CHARLA_COMMAND_DISCONNECT_ALL },
    { "  --ex  ", CHARLA_COMMAND_DISCONNECT_ALL },
    { "--name", CHARLA_COMMAND_SHOW_NAMES },
    { "--Name", CHARLA_COMMAND_SHOW_NAMES },
    { "--name Nuevo Nombre", CHARLA_COMMAND_RENAME, .name = "Nuevo Nombre" },
    { "--NAME   Ñandú  ", CHARLA_COMMAND_RENAME, .name = "Ñandú" },
    { "--help", CHARLA_COMMAND_HELP },
    { "--HeLp", CHARLA_COMMAND_HELP },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_command (&cases[i]);
}

static void
test_connect (void)
{
  const CommandCase cases[] = {
    { "--ch", CHARLA_COMMAND_CONNECT, .needs_input = TRUE },
    { "--CH 127.0.0.1:9990", CHARLA_COMMAND_CONNECT, .host = "127.0.0.1", .port = 9990 },
    { "--ch 127.0.0.1 9990", CHARLA_COMMAND_CONNECT, .host = "127.0.0.1", .port = 9990 },
    { "--ch\t127.0.0.1 \t 9990 ", CHARLA_COMMAND_CONNECT, .host = "127.0.0.1", .port = 9990 },
    { "--ch 127.0.0.1", CHARLA_COMMAND_CONNECT, .host = "127.0.0.1", .needs_input = TRUE },
    { "--ch localhost:10000", CHARLA_COMMAND_CONNECT, .host = "localhost", .port = 10000 },
    { "--ch [::1]:9991", CHARLA_COMMAND_CONNECT, .host = "::1", .port = 9991 },
    { "--ch ::1 9991", CHARLA_COMMAND_CONNECT, .host = "::1", .port = 9991 },
    { "--ch ::1", CHARLA_COMMAND_CONNECT, .host = "::1", .needs_input = TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_command (&cases[i]);
}

static void
test_connect_errors (void)
{
  const struct {
    const char *line;
    int         code;
  } cases[] = {
    { "--ch 127.0.0.1:99999", CHARLA_ERROR_INVALID_PORT },
    { "--ch 127.0.0.1 cero", CHARLA_ERROR_INVALID_PORT },
    { "--ch 127.0.0.1 0", CHARLA_ERROR_INVALID_PORT },
    { "--ch 127.0.0.1:9990 9991", CHARLA_ERROR_INVALID_PORT },
    { "--ch 127.0.0.1 9990 9991", CHARLA_ERROR_INVALID_ADDRESS },
    { "--ch :9990", CHARLA_ERROR_INVALID_ADDRESS },
    { "--ch 127.0.0.300:9990", CHARLA_ERROR_INVALID_ADDRESS },
    { "--ch ho$t 9990", CHARLA_ERROR_INVALID_ADDRESS },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CharlaCommand) command = NULL;

      g_test_message ("line “%s”", cases[i].line);
      command = charla_command_parse (cases[i].line, &error);
      g_assert_null (command);
      g_assert_error (error, CHARLA_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, !=, "");
    }
}

static void
test_scan (void)
{
  const CommandCase cases[] = {
    { "--scan", CHARLA_COMMAND_SCAN },
    { "--scan   ", CHARLA_COMMAND_SCAN },
    { "--scan 127.0.0.1", CHARLA_COMMAND_SCAN, .targets = "127.0.0.1" },
    { "--SCAN 127.0.0.1 9990-9999", CHARLA_COMMAND_SCAN, .targets = "127.0.0.1", .ports = "9990-9999" },
    { "--scan 127.0.0.1 127.0.0.2,127.0.0.3 10000", CHARLA_COMMAND_SCAN,
      .targets = "127.0.0.1 127.0.0.2,127.0.0.3", .ports = "10000" },
    { "--scan 127.0.0.10-20", CHARLA_COMMAND_SCAN, .targets = "127.0.0.10-20" },
    { "--scan 9990-10005", CHARLA_COMMAND_SCAN, .ports = "9990-10005" },
    { "--scan 127.0.0.0/24\t9990", CHARLA_COMMAND_SCAN, .targets = "127.0.0.0/24", .ports = "9990" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_command (&cases[i]);
}

static void
test_constructors (void)
{
  g_autoptr(CharlaCommand) send = charla_command_new_send ("hola");
  g_autoptr(CharlaCommand) connect = charla_command_new_connect ("127.0.0.1", 0);
  g_autoptr(CharlaCommand) rename = charla_command_new_rename ("Ana");
  g_autoptr(CharlaCommand) scan = charla_command_new_scan ("", "");
  g_autoptr(CharlaCommand) copy = NULL;

  g_assert_cmpstr (charla_command_get_text (send), ==, "hola");
  g_assert_true (charla_command_needs_input (connect));
  g_assert_cmpstr (charla_command_get_name (rename), ==, "Ana");
  /* Empty means the defaults, as NULL does. */
  g_assert_null (charla_command_get_targets (scan));
  g_assert_null (charla_command_get_ports (scan));

  copy = g_boxed_copy (CHARLA_TYPE_COMMAND, send);
  g_assert_true (copy == send);
  g_boxed_free (CHARLA_TYPE_COMMAND, g_steal_pointer (&copy));
}

static void
test_help_text (void)
{
  const char *help = charla_command_help_text ();

  for (const char * const *command = (const char * const[]) { "--ch", "--ex", "--name", "--scan", "--help", NULL };
       *command != NULL; command++)
    g_assert_nonnull (strstr (help, *command));

  /* The text is the table in columns: the heading, then each usage
   * with its description beside it, continuations under it. */
  g_assert_true (g_str_has_prefix (help, charla_command_help_heading ()));
  for (guint i = 0; i < charla_command_help_get_n_entries (); i++)
    {
      const char *usage, *description;
      g_auto(GStrv) lines = NULL;
      g_autofree char *first = NULL;

      charla_command_help_get_entry (i, &usage, &description);
      lines = g_strsplit (description, "\n", -1);
      /* 24: the longest usage, "--scan [TARGETS] [PORTS]" */
      first = g_strdup_printf ("\n  %-24s  %s", usage, lines[0]);
      g_assert_nonnull (strstr (help, first));
    }
  g_assert_nonnull (strstr (help, "\n                            (without HOST or PORT you are asked for them)\n"));
}

static void
test_enums (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (CHARLA_TYPE_COMMAND_KIND);

  g_assert_cmpstr (g_enum_get_value (klass, CHARLA_COMMAND_DISCONNECT_ALL)->value_nick, ==, "disconnect-all");
  g_assert_cmpstr (charla_message_event_to_string (CHARLA_MESSAGE_EVENT_PEER_JOINED), ==, "peer-joined");
  g_assert_cmpstr (charla_probe_result_to_string (CHARLA_PROBE_OTHER_SERVICE), ==, "other");
  g_assert_cmpstr (charla_peer_dialect_to_string (CHARLA_PEER_DIALECT_SEED), ==, "seed");
  g_assert_true (G_TYPE_IS_ENUM (CHARLA_TYPE_ERROR));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charla/command/plain", test_plain);
  g_test_add_func ("/charla/command/connect", test_connect);
  g_test_add_func ("/charla/command/connect-errors", test_connect_errors);
  g_test_add_func ("/charla/command/scan", test_scan);
  g_test_add_func ("/charla/command/constructors", test_constructors);
  g_test_add_func ("/charla/command/help", test_help_text);
  g_test_add_func ("/charla/command/enums", test_enums);

  return g_test_run ();
}
