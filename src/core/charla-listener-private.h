/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CHARLA_TYPE_LISTENER (charla_listener_get_type ())

G_DECLARE_FINAL_TYPE (CharlaListener, charla_listener, CHARLA, LISTENER, GSocketListener)

CharlaListener *charla_listener_new              (void);
void            charla_listener_start            (CharlaListener    *self);
void            charla_listener_stop             (CharlaListener    *self);
void            charla_listener_release          (CharlaListener    *self,
                                                  GSocketConnection *connection);
guint           charla_listener_get_n_accepted   (CharlaListener    *self);
guint           charla_listener_get_max_connections (CharlaListener *self);
void            charla_listener_set_max_connections (CharlaListener *self,
                                                     guint           max_connections);
void            charla_listener_set_max_per_address (CharlaListener *self,
                                                     guint           max_per_address);
guint           charla_listener_get_n_accept_errors  (CharlaListener *self);
const char     *charla_listener_get_address_key      (GSocketConnection *connection);
guint           charla_listener_count_from           (CharlaListener    *self,
                                                      GSocketConnection *connection);

G_END_DECLS
