/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "charla.h"
#include "charla-cli-output.h"
#include "charla-cli-scan.h"
#include "charla-cli-session.h"

/* A probe waiting longer than ten minutes is a typing mistake. */
#define MAX_SCAN_TIMEOUT_MS 600000

/* charla-cli: the command line front end. Three ways in:
 *   charla-cli [OPTION…]            the seed's menu (scan / connect, then chat)
 *   charla-cli chat [OPTION…]       chat mode at once, text or JSON lines
 *   charla-cli scan [OPTION…] TARGET…
 * This file only reads the command line; the work is in the core. */

typedef struct {
  /* Owned */
  char   *name;
  char   *port;
  char   *ports;
  char   *bind_address;
  char  **connect;
  char  **targets;

  int     timeout_ms;
  gboolean json;
  gboolean report;
  gboolean version;
} CliOptions;

static void
cli_options_clear (CliOptions *options)
{
  g_clear_pointer (&options->name, g_free);
  g_clear_pointer (&options->port, g_free);
  g_clear_pointer (&options->ports, g_free);
  g_clear_pointer (&options->bind_address, g_free);
  g_clear_pointer (&options->connect, g_strfreev);
  g_clear_pointer (&options->targets, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliOptions, cli_options_clear)

/* A bad argument found once the options are read: with --json, also
 * an "error" object on stdout. */
static int
usage_error_json (gboolean    json,
                  const char *message)
{
  charla_cli_print_startup_error (json, "invalid-option", message);
  g_printerr (_("Try “%s --help” for more information."), g_get_prgname ());
  g_printerr ("\n");
  return CHARLA_CLI_EXIT_USAGE;
}

static int
usage_error (const char *message)
{
  g_printerr ("charla-cli: %s\n", message);
  /* The program name says which command, e.g. "charla-cli scan". */
  g_printerr (_("Try “%s --help” for more information."), g_get_prgname ());
  g_printerr ("\n");
  return CHARLA_CLI_EXIT_USAGE;
}

/* --port P (exactly P; 0 = any free port) or --ports LO-HI, read by
 * the core's parsers so every front end accepts the same text. */
static gboolean
resolve_listen_ports (const CliOptions  *options,
                      guint16           *out_min,
                      guint16           *out_max,
                      GError           **error)
{
  if (options->port != NULL && options->ports != NULL)
    {
      g_set_error_literal (error, CHARLA_ERROR, CHARLA_ERROR_INVALID_PORT,
                           _("Use either --port or --ports, not both."));
      return FALSE;
    }

  if (options->port != NULL)
    {
      guint16 port = 0;

      /* 0 asks the system for any free port; the core's parser only
       * takes ports one can connect to. */
      if (g_strcmp0 (g_strstrip (options->port), "0") != 0 &&
          !charla_port_parse (options->port, &port, error))
        return FALSE;
      *out_min = *out_max = port;
      return TRUE;
    }

  if (options->ports != NULL)
    return charla_port_range_parse (options->ports, out_min, out_max, error);

  *out_min = CHARLA_DEFAULT_PORT_MIN;
  *out_max = CHARLA_DEFAULT_PORT_MAX;
  return TRUE;
}

static gboolean
check_timeout (int      timeout_ms,
               GError **error)
{
  if (timeout_ms > 0 && timeout_ms <= MAX_SCAN_TIMEOUT_MS)
    return TRUE;

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("The timeout must be from 1 to %d milliseconds."), MAX_SCAN_TIMEOUT_MS);
  return FALSE;
}

static GOptionContext *
cli_option_context_new (const char *parameter_string,
                        const char *summary,
                        const char *description)
{
  GOptionContext *context = g_option_context_new (parameter_string);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, description);
  return context;
}

/* The core's chat help, and how to quit, for the --help of both modes. */
static char *
dup_chat_commands_help (void)
{
  return g_strdup_printf ("%s\n%s\n", charla_command_help_text (),
                          _("End of input (Ctrl+D) quits once what was typed has been delivered."));
}

/* The options of every mode that runs a node: the menu and chat. */
static void
add_node_entries (GOptionContext *context,
                  CliOptions     *options)
{
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &options->name,
      N_("Show yourself as NAME (default: your real name, else your login)"), N_("NAME") },
    { "port", 'p', 0, G_OPTION_ARG_STRING, &options->port,
      N_("Listen on exactly port PORT (0: any free port)"), N_("PORT") },
    { "ports", 0, 0, G_OPTION_ARG_STRING, &options->ports,
      N_("Listen on the first free port of LO-HI (default: 9990-10005)"), N_("LO-HI") },
    { "bind", 'b', 0, G_OPTION_ARG_STRING, &options->bind_address,
      N_("Listen on ADDRESS only (default: every address)"), N_("ADDRESS") },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &options->timeout_ms,
      N_("Let scan probes wait MS milliseconds to connect and for a reply (default: 100)"), N_("MS") },
    { NULL }
  };

  options->timeout_ms = CHARLA_SCAN_DEFAULT_TIMEOUT_MS;
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

/* Checks what add_node_entries() parsed and hands it to the session. */
static gboolean
session_options_from_node_entries (CliOptions               *options,
                                   CharlaCliSessionOptions  *session,
                                   GError                  **error)
{
  if (!resolve_listen_ports (options, &session->port_min, &session->port_max, error) ||
      !check_timeout (options->timeout_ms, error))
    return FALSE;

  session->name = options->name;
  session->bind_address = options->bind_address;
  session->scan_timeout_ms = options->timeout_ms;

  return TRUE;
}

static int
run_menu (int    argc,
          char **argv)
{
  g_auto(CliOptions) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *chat_help = dup_chat_commands_help ();
  CharlaCliSessionOptions session = { 0 };
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &options.version,
      N_("Print the version and exit"), NULL },
    { NULL }
  };

  description = g_strdup_printf ("%s\n%s",
                                 _("Commands:\n"
                                   "  charla-cli [OPTION…]             the menu: 0 scans for servers, 1 connects to one\n"
                                   "  charla-cli chat [OPTION…]        chat at once, without the menu (also as JSON lines)\n"
                                   "  charla-cli scan [OPTION…] TARGET…  list the servers found at TARGET\n"
                                   "Run “charla-cli chat --help” or “charla-cli scan --help” for their options.\n"),
                                 chat_help);
  context = cli_option_context_new (NULL,
                                    _("Chat with the people on your network, peer to peer."),
                                    description);
  add_node_entries (context, &options);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);

  if (options.version)
    {
      g_print ("charla-cli %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("Unknown command “%s”."), argv[1]);

      return usage_error (message);
    }

  if (!session_options_from_node_entries (&options, &session, &error))
    return usage_error (error->message);

  session.menu = TRUE;
  return charla_cli_session_run (&session);
}

static int
run_chat (int    argc,
          char **argv)
{
  g_auto(CliOptions) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *chat_help = dup_chat_commands_help ();
  CharlaCliSessionOptions session = { 0 };
  const GOptionEntry entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &options.connect,
      N_("Connect to HOST:PORT at start (may be repeated)"), N_("HOST:PORT") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options.json,
      N_("Print one JSON object per line"), NULL },
    { NULL }
  };

  description = g_strdup_printf ("%s\n%s",
                                 chat_help,
                                 _("Output: received messages as “[HH:MM:SS] Name (address:port): text”,\n"
                                   "notices as “[HH:MM:SS] * text”.\n"
                                   "With --json, one JSON object per line, always with a “type” member:\n"
                                   "  listening    name, address, port: the node is up (read the port here)\n"
                                   "  message      time, name, address, port, text: a peer said something\n"
                                   "  notice       time, event, text (and name, address, port when about a peer)\n"
                                   "  error        time, event, text (and name, address, port when about a peer)\n"
                                   "  peer-joined, peer-left, peer-renamed\n"
                                   "               time, name, address, port, direction, dialect\n"
                                   "  connected    time, name, address, port, text: a --connect/--ch succeeded\n"
                                   "  sent         time, name, text, peers: how many peers it went to\n"
                                   "  peers        time, text, peers: [{name, address, port}] (--name)\n"
                                   "  server       address, port, name, result, self: found by --scan\n"
                                   "  prompt       text: --ch without HOST:PORT waits for this answer\n"
                                   "Times are ISO 8601 with the local offset.\n"));
  context = cli_option_context_new (NULL,
                                    _("Chat without the menu: stdin lines are messages or commands."),
                                    description);
  add_node_entries (context, &options);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);

  if (argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("Unexpected argument “%s”."), argv[1]);

      return usage_error_json (options.json, message);
    }

  if (!session_options_from_node_entries (&options, &session, &error))
    return usage_error_json (options.json, error->message);

  session.connect = (const char * const *) options.connect;
  session.json = options.json;
  session.menu = FALSE;
  return charla_cli_session_run (&session);
}

static int
run_scan (int    argc,
          char **argv)
{
  g_auto(CliOptions) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "ports", 0, 0, G_OPTION_ARG_STRING, &options.ports,
      N_("Probe the ports LO-HI, or one PORT (default: 9990-10005)"), N_("LO-HI") },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &options.timeout_ms,
      N_("Wait MS milliseconds for a connection and for a reply (default: 100)"), N_("MS") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options.json,
      N_("Print one JSON object per line"), NULL },
    { "report", 0, 0, G_OPTION_ARG_NONE, &options.report,
      N_("Also tell what every probe found"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.targets,
      NULL, N_("TARGET…") },
    { NULL }
  };

  options.timeout_ms = CHARLA_SCAN_DEFAULT_TIMEOUT_MS;
  context = cli_option_context_new (NULL,
                                    _("Look for Charla and seed servers, as the seed's option 0 does."),
                                    _("A TARGET is an address (127.0.0.1, ::1), a range (127.0.0.10-20),\n"
                                      "a network (127.0.0.0/24) or a comma-separated list of those.\n"
                                      "\n"
                                      "Output: one line per server as it is found, “ADDRESS<TAB>PORT<TAB>NAME”\n"
                                      "(NAME is “Anonimo” for a server that did not answer, as in the seed).\n"
                                      "With --report, one line per probe instead, once the scan is over:\n"
                                      "“ADDRESS<TAB>PORT<TAB>CLASS<TAB>NAME or DETAIL”, CLASS being one of\n"
                                      "node, silent, other, refused, filtered, error.\n"
                                      "With --json, one JSON object per line: {\"type\": \"server\", \"address\",\n"
                                      "\"port\", \"name\", \"result\", \"self\"} per server as found; with --report\n"
                                      "also {\"type\": \"probe\", the same members and \"detail\"} per probe at\n"
                                      "the end.\n"
                                      "\n"
                                      "Exit status: 0 when the scan ran (even if it found nothing),\n"
                                      "1 when it could not, 2 for bad arguments.\n"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);

  if (options.targets == NULL || options.targets[0] == NULL)
    return usage_error_json (options.json, _("Tell what to scan, e.g. “charla-cli scan 127.0.0.1”."));
  if (!check_timeout (options.timeout_ms, &error))
    return usage_error_json (options.json, error->message);

  return charla_cli_scan_run ((const char * const *) options.targets,
                              options.ports,
                              options.timeout_ms,
                              options.json,
                              options.report);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  /* CHARLA_LOCALEDIR: the catalogues of a build tree (meson devenv). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("CHARLA_LOCALEDIR") != NULL ? g_getenv ("CHARLA_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Output goes to people and to pipes alike: buffered, and flushed
   * once per main loop round rather than once per line. */
  charla_cli_output_init ();

  /* Room for a node's connections and a scan's probes. */
  charla_raise_fd_limit ();

  /* A subcommand is the first argument; anything else is the menu's. */
  if (argc > 1 && g_str_equal (argv[1], "scan"))
    {
      g_set_prgname ("charla-cli scan");
      return run_scan (argc - 1, argv + 1);
    }
  if (argc > 1 && g_str_equal (argv[1], "chat"))
    {
      g_set_prgname ("charla-cli chat");
      return run_chat (argc - 1, argv + 1);
    }

  g_set_prgname ("charla-cli");
  return run_menu (argc, argv);
}
