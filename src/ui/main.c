/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "charla-application.h"
#include "charla-network.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CharlaApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* CHARLA_LOCALEDIR: the catalogues of a build tree (meson devenv). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("CHARLA_LOCALEDIR") != NULL ? g_getenv ("CHARLA_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Room for a node's connections and a scan's probes. */
  charla_raise_fd_limit ();

  app = charla_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
