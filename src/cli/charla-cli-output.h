/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "charla.h"

G_BEGIN_DECLS

/* Exit status for bad arguments (1 is for failures at run time). */
#define CHARLA_CLI_EXIT_USAGE 2

JsonBuilder *charla_cli_json_begin            (const char       *type,
                                               gboolean          with_time,
                                               GDateTime        *time);
void         charla_cli_json_end_and_print    (JsonBuilder      *builder);
void         charla_cli_json_add_string       (JsonBuilder      *builder,
                                               const char       *member,
                                               const char       *value);
void         charla_cli_json_add_peer         (JsonBuilder      *builder,
                                               CharlaPeer       *peer);
void         charla_cli_json_add_scan_result  (JsonBuilder      *builder,
                                               CharlaScanResult *result,
                                               gboolean          with_detail);
void         charla_cli_print_json_text       (const char       *type,
                                               const char       *text);
char        *charla_cli_format_clock          (GDateTime        *time);
void         charla_cli_output_init           (void);
void         charla_cli_flush_soon            (void);
void         charla_cli_print_startup_error   (gboolean          json,
                                               const char       *event,
                                               const char       *message);

G_END_DECLS
