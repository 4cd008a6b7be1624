/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include "charla-endpoint.h"
#include "charla-enum-private.h"
#include "charla-enums.h"
#include "charla-scan-result-private.h"

/**
 * CharlaScanResult:
 *
 * The outcome of one scan probe: an address, a port and what was found
 * there.  Immutable once created.
 */

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_RESULT,
  PROP_NAME,
  PROP_IS_SELF,
  PROP_DETAIL,
  PROP_ENDPOINT,
  PROP_ANSWER_TIME,
  N_PROPS
};

struct _CharlaScanResult
{
  GObject parent_instance;

  /* Owned */
  char *address;
  char *name;
  char *detail;
  char *endpoint;

  gint64 answer_usec;
  guint16 port;
  CharlaProbeResult result;
  gboolean is_self;
};

G_DEFINE_FINAL_TYPE (CharlaScanResult, charla_scan_result, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
charla_scan_result_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CharlaScanResult *self = CHARLA_SCAN_RESULT (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_RESULT:
      g_value_set_enum (value, self->result);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_IS_SELF:
      g_value_set_boolean (value, self->is_self);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, self->detail);
      break;
    case PROP_ENDPOINT:
      g_value_set_string (value, self->endpoint);
      break;
    case PROP_ANSWER_TIME:
      g_value_set_double (value, charla_scan_result_get_answer_time (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_scan_result_finalize (GObject *object)
{
  CharlaScanResult *self = CHARLA_SCAN_RESULT (object);

  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->detail, g_free);
  g_clear_pointer (&self->endpoint, g_free);

  G_OBJECT_CLASS (charla_scan_result_parent_class)->finalize (object);
}

static void
charla_scan_result_class_init (CharlaScanResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = charla_scan_result_get_property;
  object_class->finalize = charla_scan_result_finalize;

  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaScanResult:result:
   *
   * What the probe found, a #CharlaProbeResult.
   */
  properties[PROP_RESULT] =
    g_param_spec_enum ("result", NULL, NULL,
                       CHARLA_TYPE_PROBE_RESULT, CHARLA_PROBE_ERROR,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_IS_SELF] =
    g_param_spec_boolean ("is-self", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DETAIL] =
    g_param_spec_string ("detail", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaScanResult:endpoint:
   *
   * The address and port as one text, "a.b.c.d:port" or "[v6]:port".
   */
  properties[PROP_ENDPOINT] =
    g_param_spec_string ("endpoint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * CharlaScanResult:answer-time:
   *
   * Milliseconds from the start of the probe to its outcome: the name
   * for a node, the refusal, the timeout…  0 for the scanning node's own
   * listener, which is not probed.
   */
  properties[PROP_ANSWER_TIME] =
    g_param_spec_double ("answer-time", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
charla_scan_result_init (CharlaScanResult *self)
{
}

/**
 * charla_scan_result_new:
 * @address: the probed address, as text
 * @port: the probed port
 * @result: what the probe found
 * @name: (nullable): the name a server answered with (or "Anonimo")
 * @is_self: whether this is the scanning node's own listener
 * @detail: (nullable): what a non-server said, or why the probe failed
 *
 * Returns: (transfer full): a new result
 */
CharlaScanResult *
charla_scan_result_new (const char        *address,
                        guint16            port,
                        CharlaProbeResult  result,
                        const char        *name,
                        gboolean           is_self,
                        const char        *detail)
{
  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (result >= CHARLA_PROBE_NODE && result <= CHARLA_PROBE_ERROR, NULL);

  return charla_scan_result_new_full (address, port, result, name, is_self, detail, 0);
}

/*
 * charla_scan_result_new_full:
 * @answer_usec: microseconds from the probe's start to its outcome
 *
 * Like charla_scan_result_new(), with the answer time the probe engines
 * measure.
 */
CharlaScanResult *
charla_scan_result_new_full (const char        *address,
                             guint16            port,
                             CharlaProbeResult  result,
                             const char        *name,
                             gboolean           is_self,
                             const char        *detail,
                             gint64             answer_usec)
{
  CharlaScanResult *self;

  g_assert (address != NULL);
  g_assert (result >= CHARLA_PROBE_NODE && result <= CHARLA_PROBE_ERROR);

  self = g_object_new (CHARLA_TYPE_SCAN_RESULT, NULL);
  self->address = g_strdup (address);
  self->port = port;
  self->result = result;
  self->name = g_strdup (name);
  self->is_self = !!is_self;
  self->detail = g_strdup (detail);
  self->answer_usec = MAX (answer_usec, 0);
  self->endpoint = charla_endpoint_format (address, port);

  return self;
}

const char *
charla_scan_result_get_address (CharlaScanResult *self)
{
  g_return_val_if_fail (CHARLA_IS_SCAN_RESULT (self), NULL);

  return self->address;
}

guint16
charla_scan_result_get_port (CharlaScanResult *self)
{
  g_return_val_if_fail (CHARLA_IS_SCAN_RESULT (self), 0);

  return self->port;
}

CharlaProbeResult
charla_scan_result_get_result (CharlaScanResult *self)
{
  g_return_val_if_fail (CHARLA_IS_SCAN_RESULT (self), CHARLA_PROBE_ERROR);

  return self->result;
}

/**
 * charla_scan_result_get_name:
 *
 * Returns: (nullable): the server's name for node and silent probes
 */
const char *
charla_scan_result_get_name (CharlaScanResult *self)
{
  g_return_val_if_fail (CHARLA_IS_SCAN_RESULT (self), NULL);

  return self->name;
}

gboolean
charla_scan_result_get_is_self (CharlaScanResult *self)
{
  g_return_val_if_fail (CHARLA_IS_SCAN_RESULT (self), FALSE);

  return self->is_self;
}

/**
 * charla_scan_result_get_detail:
 *
 * Returns: (nullable): the first bytes another service answered with,
 *   or the reason a probe failed
 */
const char *
charla_scan_result_get_detail (CharlaScanResult *self)
{
  g_return_val_if_fail (CHARLA_IS_SCAN_RESULT (self), NULL);

  return self->detail;
}

/**
 * charla_scan_result_get_endpoint:
 *
 * Returns: the address and port as one text ("a.b.c.d:port", "[v6]:port")
 */
const char *
charla_scan_result_get_endpoint (CharlaScanResult *self)
{
  g_return_val_if_fail (CHARLA_IS_SCAN_RESULT (self), NULL);

  return self->endpoint;
}

/**
 * charla_scan_result_get_answer_time:
 *
 * Returns: milliseconds from the probe's start to its outcome
 */
double
charla_scan_result_get_answer_time (CharlaScanResult *self)
{
  g_return_val_if_fail (CHARLA_IS_SCAN_RESULT (self), 0.0);

  return self->answer_usec / 1000.0;
}

/**
 * charla_scan_result_is_server:
 *
 * Returns: %TRUE for results that belong in the server list: nodes that
 *   told their name and silent listeners (the seed lists those too)
 */
gboolean
charla_scan_result_is_server (CharlaScanResult *self)
{
  g_return_val_if_fail (CHARLA_IS_SCAN_RESULT (self), FALSE);

  return self->result == CHARLA_PROBE_NODE || self->result == CHARLA_PROBE_SILENT;
}

/**
 * charla_probe_result_to_string:
 *
 * Returns: a stable, untranslated keyword for @result ("node", "silent",
 *   "other", "refused", "filtered", "error"), as in docs/PROTOCOL.md
 */
const char *
charla_probe_result_to_string (CharlaProbeResult result)
{
  return charla_enum_nick (CHARLA_TYPE_PROBE_RESULT, result);
}
