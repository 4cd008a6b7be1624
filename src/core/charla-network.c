/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-error.h"
#include "charla-network.h"

/**
 * charla_loopback_only:
 *
 * Whether the environment variable `CHARLA_LOOPBACK_ONLY` is set (to
 * anything but empty or `0`): then no traffic may leave loopback.  Read
 * on every call so tests may change it.
 *
 * Returns: %TRUE when only loopback targets are allowed
 */
gboolean
charla_loopback_only (void)
{
  const char *value = g_getenv ("CHARLA_LOOPBACK_ONLY");

  return value != NULL && *value != '\0' && g_strcmp0 (value, "0") != 0;
}

/**
 * charla_check_target_allowed:
 * @address: an address about to be probed or connected to
 * @error: return location for a #CHARLA_ERROR_NOT_LOOPBACK error
 *
 * Returns: %FALSE if charla_loopback_only() forbids @address
 */
gboolean
charla_check_target_allowed (GInetAddress  *address,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (charla_loopback_only () && !g_inet_address_get_is_loopback (address))
    {
      g_autofree char *text = g_inet_address_to_string (address);

      g_set_error (error, CHARLA_ERROR, CHARLA_ERROR_NOT_LOOPBACK,
                   _("CHARLA_LOOPBACK_ONLY is set: %s is not a loopback address"),
                   text);
      return FALSE;
    }

  return TRUE;
}
