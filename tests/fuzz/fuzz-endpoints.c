/* SPDX-License-Identifier: GPL-3.0-or-later */

/* What the user types as scan targets, ports and "host:port": every
 * input is either accepted with sane values or refused with a message,
 * and a target set of any size is walked without allocating it.
 *
 * Input: one line (up to the first NUL); byte 0 also picks which parser
 * sees the rest. */

#include <stdint.h>
#include <string.h>

#include "charla.h"

static void
check_targets (const char *spec)
{
  g_autoptr(CharlaTargetSet) targets = charla_target_set_new ();
  g_autoptr(GError) error = NULL;
  guint64 n_hosts;

  if (!charla_target_set_add (targets, spec, &error))
    {
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return;
    }

  g_assert_no_error (error);
  n_hosts = charla_target_set_get_n_hosts (targets);

  /* The first and last few, without walking a /8. */
  for (guint64 i = 0; i < n_hosts && i < 4; i++)
    {
      g_autoptr(GInetAddress) first = charla_target_set_get_address (targets, i);
      g_autoptr(GInetAddress) last = charla_target_set_get_address (targets, n_hosts - 1 - i);

      g_assert_nonnull (first);
      g_assert_nonnull (last);
    }
}

static void
check_ports (const char *spec)
{
  g_autoptr(GError) error = NULL;
  guint16 port_min = 0, port_max = 0, port = 0;

  if (charla_port_range_parse (spec, &port_min, &port_max, &error))
    {
      g_assert_cmpuint (port_min, >=, 1);
      g_assert_cmpuint (port_min, <=, port_max);
    }
  else
    {
      g_assert_nonnull (error);
      g_clear_error (&error);
    }

  if (charla_port_parse (spec, &port, &error))
    g_assert_cmpuint (port, >=, 1);
  else
    g_assert_nonnull (error);
}

static void
check_host_port (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  guint16 port = 0;

  if (charla_host_port_parse (text, &host, &port, &error))
    {
      g_assert_nonnull (host);
      g_assert_true (g_utf8_validate (host, -1, NULL));
    }
  else
    {
      g_assert_nonnull (error);
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *line = NULL;

  if (size < 1)
    return 0;

  line = g_strndup ((const char *) data + 1, size - 1);

  switch (data[0] % 3)
    {
    case 0:
      check_targets (line);
      break;
    case 1:
      check_ports (line);
      break;
    default:
      check_host_port (line);
      break;
    }

  return 0;
}
