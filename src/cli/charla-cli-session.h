/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CharlaCliSessionOptions:
 * @name: (nullable): the node's display name, or %NULL for the default
 * @port_min: lowest listening port (0 with @port_max 0: any free port)
 * @port_max: highest listening port
 * @bind_address: (nullable): the address to listen on, or %NULL for all
 * @connect: (nullable): `HOST:PORT` targets to connect to at start
 * @scan_timeout_ms: how long a scan probe waits to connect and for a reply
 * @json: one JSON object per output line instead of text for people
 * @menu: start in the seed's menu (scan / connect) instead of chat mode
 */
typedef struct {
  const char         *name;
  guint16             port_min;
  guint16             port_max;
  const char         *bind_address;
  const char * const *connect;
  guint               scan_timeout_ms;
  gboolean            json;
  gboolean            menu;
} CharlaCliSessionOptions;

int charla_cli_session_run (const CharlaCliSessionOptions *options);

G_END_DECLS
