/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "charla.h"

G_BEGIN_DECLS

/* How many entries the recent-connections key keeps. */
#define CHARLA_MAX_RECENT_CONNECTIONS 8

gboolean    charla_settings_check_display_name       (const char  *text,
                                                      GError     **error);
gboolean    charla_settings_check_port_range         (const char  *text,
                                                      GError     **error);
gboolean    charla_settings_check_scan_targets       (const char  *text,
                                                      GError     **error);

char       *charla_settings_dup_display_name         (GSettings   *settings);
void        charla_settings_get_listen_ports         (GSettings   *settings,
                                                      guint16     *out_min,
                                                      guint16     *out_max);
char       *charla_settings_dup_scan_targets         (GSettings   *settings);
char       *charla_settings_dup_scan_ports           (GSettings   *settings);

void        charla_settings_bind_node                (GSettings   *settings,
                                                      CharlaNode  *node);
void        charla_settings_bind_node_connections    (GSettings   *settings,
                                                      CharlaNode  *node);
void        charla_settings_bind_scanner             (GSettings   *settings,
                                                      CharlaScanner *scanner);
void        charla_settings_bind_window_state        (GSettings   *settings,
                                                      GtkWindow   *window);

GListModel *charla_settings_recent_connections_new   (GSettings   *settings);
void        charla_settings_add_recent_connection    (GSettings   *settings,
                                                      const char  *endpoint);
void        charla_settings_remove_recent_connection (GSettings   *settings,
                                                      const char  *endpoint);

G_END_DECLS
