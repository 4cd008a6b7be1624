/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "charla-memory-private.h"

/* Below this much freed memory a trim is not worth its walk of the heap. */
#define TRIM_THRESHOLD (1024 * 1024)

static gsize released_bytes;
static GSource *trim_source;

static gboolean
on_trim_idle (gpointer user_data)
{
  g_clear_pointer (&trim_source, g_source_unref);
  released_bytes = 0;

#ifdef __GLIBC__
  malloc_trim (0);
#endif

  return G_SOURCE_REMOVE;
}

/**
 * charla_memory_released: (skip)
 * @n_bytes: how much was just freed (a drained send queue, dropped history)
 *
 * glibc keeps freed heap memory for reuse: after a 50 MB send to a peer
 * that never read, ~60 MB stayed resident. Once a megabyte or more has
 * been freed, one low-priority idle gives the free pages back; a burst
 * of frees costs one trim. Main thread only.
 */
void
charla_memory_released (gsize n_bytes)
{
  released_bytes += n_bytes;

  if (released_bytes < TRIM_THRESHOLD || trim_source != NULL)
    return;

  trim_source = g_idle_source_new ();
  g_source_set_priority (trim_source, G_PRIORITY_LOW);
  g_source_set_callback (trim_source, on_trim_idle, NULL, NULL);
  g_source_set_static_name (trim_source, "[charla] give memory back");
  g_source_attach (trim_source, g_main_context_default ());
}
