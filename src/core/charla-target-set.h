/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Above this many host × port probes a scan is refused. */
#define CHARLA_MAX_SCAN_PROBES 65536

/**
 * CharlaTargetSet:
 *
 * An ordered, de-duplicated set of host addresses parsed from a scan
 * specification such as `127.0.0.1`, `127.0.0.10-20`, `127.0.0.0/24`,
 * `::1` or a comma-separated list of those.  Addresses are produced
 * lazily by index, so a /16 costs no memory until it is probed.
 */
typedef struct _CharlaTargetSet CharlaTargetSet;

#define CHARLA_TYPE_TARGET_SET (charla_target_set_get_type ())

GType            charla_target_set_get_type     (void) G_GNUC_CONST;
CharlaTargetSet *charla_target_set_new          (void);
CharlaTargetSet *charla_target_set_ref          (CharlaTargetSet  *self);
void             charla_target_set_unref        (CharlaTargetSet  *self);
gboolean         charla_target_set_add          (CharlaTargetSet  *self,
                                                 const char       *spec,
                                                 GError          **error);
guint64          charla_target_set_get_n_hosts  (CharlaTargetSet  *self);
GInetAddress    *charla_target_set_get_address  (CharlaTargetSet  *self,
                                                 guint64           index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CharlaTargetSet, charla_target_set_unref)

G_END_DECLS
