/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include <json-glib/json-glib.h>
#include <gio/gio.h>
#include <locale.h>
#include <string.h>

#include "charla-test-support.h"

/* charla-cli run as a user or a script would: a subprocess ($CHARLA_CLI)
 * fed through stdin, read through stdout. Every wait is capped
 * generously and never timed: the machine may be loaded. */

typedef struct {
  GSubprocess      *process;
  GOutputStream    *input;
  GDataInputStream *output;
  char             *label;
} CliProcess;

typedef struct {
  gboolean  done;
  char     *line;
  GError   *error;
} LineRead;

static const char *
cli_path (void)
{
  return g_getenv ("CHARLA_CLI");
}

static gboolean
require_cli (void)
{
  if (cli_path () == NULL)
    {
      g_test_skip ("CHARLA_CLI is not set");
      return FALSE;
    }
  return TRUE;
}

static GSubprocessLauncher *
cli_launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* Never anything but loopback, whatever the caller's environment. */
  g_subprocess_launcher_setenv (launcher, "CHARLA_LOOPBACK_ONLY", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  return launcher;
}

static GPtrArray *
cli_argv_new (const char *first,
              ...)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  va_list args;

  g_ptr_array_add (argv, g_strdup (cli_path ()));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return argv;
}

static CliProcess *
cli_process_spawn (const char *label,
                   GPtrArray  *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  CliProcess *self = g_new0 (CliProcess, 1);

  /* stderr goes to the test log, where a failure is read. */
  launcher = cli_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  self->input = g_object_ref (g_subprocess_get_stdin_pipe (self->process));
  self->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  self->label = g_strdup (label);
  return self;
}

static void
cli_process_write (CliProcess *self,
                   const char *text)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (self->input, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (self->input, NULL, &error);
  g_assert_no_error (error);
}

static void
cli_process_close_input (CliProcess *self)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_close (self->input, NULL, &error);
  g_assert_no_error (error);
}

static void
on_line_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                          NULL, &read->error);
  read->done = TRUE;
}

/* The next line of output; NULL at the end of the output. */
static char *
cli_process_read_line (CliProcess *self,
                       const char *waiting_for)
{
  LineRead read = { FALSE, NULL, NULL };
  gint64 deadline = charla_test_deadline_in (CHARLA_TEST_WAIT_SECONDS);

  g_data_input_stream_read_line_async (self->output, G_PRIORITY_DEFAULT, NULL, on_line_read, &read);
  while (!read.done && charla_test_iterate_before (deadline))
    ;

  if (!read.done)
    g_error ("%s: no “%s” within %d s (its output so far is above)",
             self->label, waiting_for, CHARLA_TEST_WAIT_SECONDS);
  g_assert_no_error (read.error);

  /* The log shows every line, for whoever reads a failure. */
  if (read.line != NULL)
    g_test_message ("%s: %s", self->label, read.line);
  return read.line;
}

/* Reads until a line contains NEEDLE; returns that line. */
static char *
cli_process_wait_text (CliProcess *self,
                       const char *needle)
{
  for (;;)
    {
      g_autofree char *line = cli_process_read_line (self, needle);

      if (line == NULL)
        g_error ("%s: output ended without “%s” (its output is above)", self->label, needle);
      if (strstr (line, needle) != NULL)
        return g_steal_pointer (&line);
    }
}

/* Reads JSON lines until an object of TYPE whose MEMBER (if not NULL)
 * equals VALUE; returns it. */
static JsonObject *
cli_process_wait_json (CliProcess *self,
                       const char *type,
                       const char *member,
                       const char *value)
{
  g_autofree char *waiting_for = g_strdup_printf ("%s %s=%s", type, member, value);

  for (;;)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *line = cli_process_read_line (self, waiting_for);
      g_autoptr(GError) error = NULL;
      JsonObject *object;

      if (line == NULL)
        g_error ("%s: output ended without %s (its output is above)", self->label, waiting_for);

      json_parser_load_from_data (parser, line, -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_true (json_object_has_member (object, "type"));

      if (!g_str_equal (json_object_get_string_member (object, "type"), type))
        continue;
      if (member != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (object, member, NULL), value) != 0)
        continue;
      return json_object_ref (object);
    }
}

static gboolean
on_process_exited (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
on_wait_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  on_process_exited (user_data);
}

/* Waits for the process to end on its own; returns its exit status. */
static int
cli_process_wait_exit (CliProcess *self)
{
  gboolean exited = FALSE;
  gint64 deadline = charla_test_deadline_in (CHARLA_TEST_WAIT_SECONDS);

  g_subprocess_wait_async (self->process, NULL, on_wait_done, &exited);
  while (!exited && charla_test_iterate_before (deadline))
    ;
  if (!exited)
    {
      g_subprocess_force_exit (self->process);
      g_error ("%s did not exit", self->label);
    }

  g_assert_true (g_subprocess_get_if_exited (self->process));
  return g_subprocess_get_exit_status (self->process);
}

static void
cli_process_free (CliProcess *self)
{
  if (g_subprocess_get_identifier (self->process) != NULL)
    {
      g_subprocess_force_exit (self->process);
      g_subprocess_wait (self->process, NULL, NULL);
    }
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->process);
  g_free (self->label);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliProcess, cli_process_free)

typedef struct {
  gboolean  done;
  char     *out;
  char     *err;
  GError   *error;
} Communicated;

static void
on_communicated (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Communicated *communicated = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result,
                                        &communicated->out, &communicated->err,
                                        &communicated->error);
  communicated->done = TRUE;
}

/* Runs charla-cli with INPUT on stdin to the end; returns the exit
 * status and what it printed. */
static int
cli_run (GPtrArray   *argv,
         const char  *input,
         char       **out_stdout,
         char       **out_stderr)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Communicated communicated = { FALSE, NULL, NULL, NULL };
  gint64 deadline = charla_test_deadline_in (CHARLA_TEST_WAIT_SECONDS);

  launcher = cli_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8_async (process, input != NULL ? input : "", NULL,
                                       on_communicated, &communicated);
  while (!communicated.done && charla_test_iterate_before (deadline))
    ;
  if (!communicated.done)
    {
      g_subprocess_force_exit (process);
      g_error ("%s did not finish", (const char *) argv->pdata[1]);
    }
  g_assert_no_error (communicated.error);

  /* stdout and stderr are closed; the exit follows. */
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));

  g_test_message ("stdout: %s", communicated.out);
  g_test_message ("stderr: %s", communicated.err);
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&communicated.out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&communicated.err);
  g_free (communicated.out);
  g_free (communicated.err);

  return g_subprocess_get_exit_status (process);
}

/* A `chat --json` node on a free port; returns it and its port. */
static CliProcess *
spawn_json_node (const char *name,
                 guint16    *out_port)
{
  g_autoptr(GPtrArray) argv = cli_argv_new ("chat", "--json", "--port", "0", "--name", name, NULL);
  CliProcess *node = cli_process_spawn (name, argv);
  g_autoptr(JsonObject) listening = cli_process_wait_json (node, "listening", NULL, NULL);

  g_assert_cmpstr (json_object_get_string_member (listening, "name"), ==, name);
  *out_port = json_object_get_int_member (listening, "port");
  g_assert_cmpuint (*out_port, >, 0);
  return node;
}

static void
test_cli_help (void)
{
  const char *commands[] = { NULL, "chat", "scan" };

  if (!require_cli ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(GPtrArray) argv = commands[i] != NULL ? cli_argv_new (commands[i], "--help", NULL)
                                                      : cli_argv_new ("--help", NULL);
      g_autofree char *out = NULL;

      g_assert_cmpint (cli_run (argv, NULL, &out, NULL), ==, 0);
      g_assert_nonnull (strstr (out, "Usage:"));
      g_assert_nonnull (strstr (out, "charla-cli"));
    }
}

static void
test_cli_bad_arguments (void)
{
  const char *cases[][6] = {
    { "--port", "abc", NULL },
    { "--port", "70000", NULL },
    { "--ports", "10005-9990", NULL },
    { "--ports", "many", NULL },
    { "--port", "9990", "--ports", "9990-9991", NULL },
    { "frobnicate", NULL },
    { "chat", "--port", "-1", NULL },
    { "chat", "--connect", "127.0.0.1", NULL },
    { "chat", "--connect", "127.0.0.1:99999", NULL },
    { "scan", NULL },
    { "scan", "--ports", "1-x", "127.0.0.1", NULL },
    { "scan", "127.0.0.300", NULL },
    { "scan", "--timeout", "0", "127.0.0.1", NULL },
    /* TEST-NET-1: never reached, CHARLA_LOOPBACK_ONLY refuses it first. */
    { "scan", "192.0.2.1", NULL },
  };

  if (!require_cli ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = cli_argv_new (NULL, NULL);
      g_autofree char *err = NULL;

      g_ptr_array_set_size (argv, 1);
      for (guint j = 0; cases[i][j] != NULL; j++)
        g_ptr_array_add (argv, g_strdup (cases[i][j]));
      g_ptr_array_add (argv, NULL);

      g_test_message ("case %u: %s", i, cases[i][0]);
      g_assert_cmpint (cli_run (argv, NULL, NULL, &err), !=, 0);
      g_assert_cmpstr (g_strstrip (err), !=, "");
    }
}

static void
test_cli_port_taken (void)
{
  g_autoptr(CliProcess) node = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *err = NULL;
  guint16 port = 0;

  if (!require_cli ())
    return;

  node = spawn_json_node ("Ana", &port);
  port_text = g_strdup_printf ("%u", port);
  argv = cli_argv_new ("chat", "--port", port_text, NULL);
  g_assert_cmpint (cli_run (argv, NULL, NULL, &err), !=, 0);
  g_assert_nonnull (strstr (err, port_text));

  cli_process_close_input (node);
  g_assert_cmpint (cli_process_wait_exit (node), ==, 0);
}

static void
test_cli_scan_json (void)
{
  const char *name = "Zoë Núñez";
  g_autoptr(CliProcess) node = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GPtrArray) text_argv = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *ports = NULL;
  g_autofree char *out = NULL;
  g_autofree char *text_out = NULL;
  g_autofree char *expected_row = NULL;
  guint n_found = 0;
  guint16 port = 0;

  if (!require_cli ())
    return;

  node = spawn_json_node (name, &port);
  ports = g_strdup_printf ("%u-%u", port, port);

  argv = cli_argv_new ("scan", "--json", "--ports", ports, "--timeout", "2000", "127.0.0.1", NULL);
  g_assert_cmpint (cli_run (argv, NULL, &out, NULL), ==, 0);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *object;

      if (*lines[i] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "server");
      g_assert_cmpstr (json_object_get_string_member (object, "address"), ==, "127.0.0.1");
      g_assert_cmpint (json_object_get_int_member (object, "port"), ==, port);
      g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, name);
      n_found++;
    }
  g_assert_cmpuint (n_found, ==, 1);

  /* The same scan for people: ADDRESS<TAB>PORT<TAB>NAME. */
  text_argv = cli_argv_new ("scan", "--ports", ports, "--timeout", "2000", "127.0.0.1", NULL);
  g_assert_cmpint (cli_run (text_argv, NULL, &text_out, NULL), ==, 0);
  expected_row = g_strdup_printf ("127.0.0.1\t%u\t%s\n", port, name);
  g_assert_cmpstr (text_out, ==, expected_row);

  cli_process_close_input (node);
  g_assert_cmpint (cli_process_wait_exit (node), ==, 0);
}

static void
test_cli_chat_json (void)
{
  g_autoptr(CliProcess) ana = NULL;
  g_autoptr(CliProcess) beto = NULL;
  g_autoptr(CliProcess) carla = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(JsonObject) connected = NULL;
  g_autoptr(JsonObject) to_ana = NULL;
  g_autoptr(JsonObject) to_beto = NULL;
  g_autoptr(JsonObject) peers = NULL;
  g_autoptr(JsonObject) also_connected = NULL;
  g_autoptr(JsonObject) renamed = NULL;
  g_autoptr(JsonObject) renamed_to_ana = NULL;
  g_autoptr(JsonObject) renamed_to_carla = NULL;
  g_autoptr(JsonObject) closed = NULL;
  g_autoptr(JsonObject) left_ana = NULL;
  g_autoptr(JsonObject) left_carla = NULL;
  g_autofree char *target = NULL;
  g_autofree char *ch_carla = NULL;
  JsonArray *peer_list;
  guint16 port = 0;
  guint16 carla_port = 0;

  if (!require_cli ())
    return;

  ana = spawn_json_node ("Ana", &port);
  carla = spawn_json_node ("Carla", &carla_port);
  target = g_strdup_printf ("127.0.0.1:%u", port);
  argv = cli_argv_new ("chat", "--json", "--port", "0", "--name", "Beto", "--connect", target, NULL);
  beto = cli_process_spawn ("Beto", argv);

  connected = cli_process_wait_json (beto, "connected", NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member (connected, "name"), ==, "Ana");
  g_assert_cmpint (json_object_get_int_member (connected, "port"), ==, port);

  /* Both ways, each side naming the other. */
  cli_process_write (beto, "hola Ana\n");
  to_ana = cli_process_wait_json (ana, "message", "text", "hola Ana");
  g_assert_cmpstr (json_object_get_string_member (to_ana, "name"), ==, "Beto");
  g_assert_true (json_object_has_member (to_ana, "time"));
  g_assert_cmpstr (json_object_get_string_member (to_ana, "address"), ==, "127.0.0.1");

  cli_process_write (ana, "hola Beto, ¿qué tal?\n");
  to_beto = cli_process_wait_json (beto, "message", "text", "hola Beto, ¿qué tal?");
  g_assert_cmpstr (json_object_get_string_member (to_beto, "name"), ==, "Ana");
  g_assert_cmpint (json_object_get_int_member (to_beto, "port"), ==, port);

  /* --name lists who is connected. */
  cli_process_write (beto, "--name\n");
  peers = cli_process_wait_json (beto, "peers", NULL, NULL);
  peer_list = json_object_get_array_member (peers, "peers");
  g_assert_cmpuint (json_array_get_length (peer_list), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (peer_list, 0), "name"),
                   ==, "Ana");

  /* --ch HOST:PORT adds Carla and keeps Ana. */
  ch_carla = g_strdup_printf ("--ch 127.0.0.1:%u\n", carla_port);
  cli_process_write (beto, ch_carla);
  also_connected = cli_process_wait_json (beto, "connected", "name", "Carla");

  /* --name NEW renames Beto for everyone. */
  cli_process_write (beto, "--name Roberto\n");
  renamed = cli_process_wait_json (beto, "notice", "text", "You are now “Roberto”.");
  cli_process_write (beto, "a todos\n");
  renamed_to_ana = cli_process_wait_json (ana, "message", "text", "a todos");
  g_assert_cmpstr (json_object_get_string_member (renamed_to_ana, "name"), ==, "Roberto");
  renamed_to_carla = cli_process_wait_json (carla, "message", "text", "a todos");
  g_assert_cmpstr (json_object_get_string_member (renamed_to_carla, "name"), ==, "Roberto");

  /* --ex closes both and says so; chat mode has no menu to go back to. */
  cli_process_write (beto, "--ex\n");
  closed = cli_process_wait_json (beto, "notice", "text", "Closed 2 connections");
  left_ana = cli_process_wait_json (ana, "peer-left", "name", "Roberto");
  left_carla = cli_process_wait_json (carla, "peer-left", "name", "Roberto");

  cli_process_close_input (beto);
  g_assert_cmpint (cli_process_wait_exit (beto), ==, 0);
  cli_process_close_input (ana);
  g_assert_cmpint (cli_process_wait_exit (ana), ==, 0);
  cli_process_close_input (carla);
  g_assert_cmpint (cli_process_wait_exit (carla), ==, 0);
}

/* `echo text | charla-cli chat --connect …`: end of input must not
 * lose what was piped in. */
static void
test_cli_piped_input (void)
{
  g_autoptr(CliProcess) ana = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autofree char *target = NULL;
  guint16 port = 0;

  if (!require_cli ())
    return;

  ana = spawn_json_node ("Ana", &port);
  target = g_strdup_printf ("127.0.0.1:%u", port);
  argv = cli_argv_new ("chat", "--name", "Carla", "--port", "0", "--connect", target, NULL);
  g_assert_cmpint (cli_run (argv, "hello from a pipe\n", NULL, NULL), ==, 0);

  message = cli_process_wait_json (ana, "message", "text", "hello from a pipe");
  g_assert_cmpstr (json_object_get_string_member (message, "name"), ==, "Carla");

  cli_process_close_input (ana);
  g_assert_cmpint (cli_process_wait_exit (ana), ==, 0);
}

/* The seed's menu, driven through a pipe: scan, then connect (a bad
 * port first), chat, --ex. Prompts end without a newline, so they show
 * up at the start of the next line of output. */
static void
test_cli_menu (void)
{
  g_autoptr(CliProcess) ana = NULL;
  g_autoptr(CliProcess) menu = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(JsonObject) left = NULL;
  g_autofree char *input = NULL;
  g_autofree char *row = NULL;
  g_autofree char *line = NULL;
  g_autofree char *expected_row = NULL;
  guint16 port = 0;

  if (!require_cli ())
    return;

  ana = spawn_json_node ("Ana", &port);
  /* A loaded machine may take longer than the seed's 0.1 s to answer. */
  argv = cli_argv_new ("--name", "Beto", "--port", "0", "--timeout", "2000", NULL);
  menu = cli_process_spawn ("menu", argv);
  g_free (cli_process_wait_text (menu, "listening on port"));

  input = g_strdup_printf ("0\n127.0.0.1\n%u-%u\n", port, port);
  cli_process_write (menu, input);
  expected_row = g_strdup_printf ("%u  Ana", port);
  row = cli_process_wait_text (menu, expected_row);
  g_free (cli_process_wait_text (menu, "1 server found"));

  cli_process_write (menu, "1\n127.0.0.1\nnueve mil\n");
  line = cli_process_wait_text (menu, "Puerto:");
  g_assert_nonnull (strstr (line, "Ip:Puerto:"));
  g_free (line);

  g_free (input);
  input = g_strdup_printf ("127.0.0.1\n%u\n", port);
  cli_process_write (menu, input);
  line = cli_process_wait_text (menu, "Connected to");
  /* Asked for both again after the bad port, like the seed. */
  g_assert_nonnull (strstr (line, "Ip:Puerto:"));
  g_assert_nonnull (strstr (line, "Ana"));

  cli_process_write (menu, "hola desde el menú\n");
  message = cli_process_wait_json (ana, "message", "text", "hola desde el menú");
  g_assert_cmpstr (json_object_get_string_member (message, "name"), ==, "Beto");

  cli_process_write (menu, "--ex\n");
  g_free (cli_process_wait_text (menu, "Closed 1 connection"));
  left = cli_process_wait_json (ana, "peer-left", "name", "Beto");

  cli_process_close_input (menu);
  g_assert_cmpint (cli_process_wait_exit (menu), ==, 0);
  cli_process_close_input (ana);
  g_assert_cmpint (cli_process_wait_exit (ana), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  /* No G_TEST_OPTION_ISOLATE_DIRS: GLib 2.74 leaks its strings, which
   * LeakSanitizer reports, and charla-cli touches no user directory. */
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charla/cli/help", test_cli_help);
  g_test_add_func ("/charla/cli/bad-arguments", test_cli_bad_arguments);
  g_test_add_func ("/charla/cli/port-taken", test_cli_port_taken);
  g_test_add_func ("/charla/cli/scan-json", test_cli_scan_json);
  g_test_add_func ("/charla/cli/chat-json", test_cli_chat_json);
  g_test_add_func ("/charla/cli/piped-input", test_cli_piped_input);
  g_test_add_func ("/charla/cli/menu", test_cli_menu);

  return g_test_run ();
}
