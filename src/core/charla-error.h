/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CHARLA_ERROR (charla_error_quark ())

/**
 * CharlaError:
 * @CHARLA_ERROR_INVALID_ADDRESS: an address, range or host could not be parsed
 * @CHARLA_ERROR_INVALID_PORT: a port is not a number or is out of range
 * @CHARLA_ERROR_RANGE_TOO_LARGE: a scan would need too many probes
 * @CHARLA_ERROR_NOT_LOOPBACK: CHARLA_LOOPBACK_ONLY forbids the target
 * @CHARLA_ERROR_PORT_IN_USE: the requested listening port is taken
 * @CHARLA_ERROR_NO_FREE_PORT: every port of the listening range is taken
 * @CHARLA_ERROR_TIMED_OUT: a connection attempt took too long
 * @CHARLA_ERROR_INVALID_NAME: a display name is empty or unusable
 * @CHARLA_ERROR_PEER_TOO_SLOW: a peer stopped reading and its queue overflowed
 * @CHARLA_ERROR_BUSY: an operation of the same kind is already running
 * @CHARLA_ERROR_SELF_CONNECT: a connect reached this node's own listener
 * @CHARLA_ERROR_NOT_CONNECTED: text was sent with nobody connected
 * @CHARLA_ERROR_UNDELIVERED: queued text could not be delivered
 * @CHARLA_ERROR_OTHER_PROTOCOL: a peer spoke another protocol, or sent binary data
 */
typedef enum {
  CHARLA_ERROR_INVALID_ADDRESS,
  CHARLA_ERROR_INVALID_PORT,
  CHARLA_ERROR_RANGE_TOO_LARGE,
  CHARLA_ERROR_NOT_LOOPBACK,
  CHARLA_ERROR_PORT_IN_USE,
  CHARLA_ERROR_NO_FREE_PORT,
  CHARLA_ERROR_TIMED_OUT,
  CHARLA_ERROR_INVALID_NAME,
  CHARLA_ERROR_PEER_TOO_SLOW,
  CHARLA_ERROR_BUSY,
  CHARLA_ERROR_SELF_CONNECT,
  CHARLA_ERROR_NOT_CONNECTED,
  CHARLA_ERROR_UNDELIVERED,
  CHARLA_ERROR_OTHER_PROTOCOL,
} CharlaError;

GQuark charla_error_quark (void);

G_END_DECLS
