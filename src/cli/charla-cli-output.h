/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Exit status for bad arguments (1 is for failures at run time). */
#define CHARLA_CLI_EXIT_USAGE 2

void  charla_cli_print_json        (JsonBuilder *builder);
void  charla_cli_json_add_time     (JsonBuilder *builder,
                                    GDateTime   *time);
void  charla_cli_json_add_string   (JsonBuilder *builder,
                                    const char  *member,
                                    const char  *value);
char *charla_cli_format_clock      (GDateTime   *time);

G_END_DECLS
