/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "charla"

#include "config.h"

#include <glib/gi18n.h>

#include "charla-peer-row.h"
#include "charla-ui-util.h"

/* One connected peer: name (bound to the peer, so renames show at
 * once), address:port and dialect, and a button that closes this one
 * connection through win.disconnect-peer. */

struct _CharlaPeerRow
{
  AdwActionRow  parent_instance;

  /* Template widgets */
  GtkWidget    *disconnect_button;

  /* Owned */
  CharlaPeer   *peer;
};

enum {
  PROP_0,
  PROP_PEER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CharlaPeerRow, charla_peer_row, ADW_TYPE_ACTION_ROW)

static void
update_subtitle (CharlaPeerRow *self)
{
  g_autofree char *endpoint = charla_endpoint_format (charla_peer_get_address (self->peer),
                                                         charla_peer_get_port (self->peer));
  g_autofree char *subtitle = NULL;
  const char *dialect;

  switch (charla_peer_get_dialect (self->peer))
    {
    case CHARLA_PEER_DIALECT_SEED:
      /* TRANSLATORS: a peer that speaks the seed program's raw text */
      dialect = _("Seed");
      break;

    case CHARLA_PEER_DIALECT_CHARLA:
      dialect = _("Charla");
      break;

    case CHARLA_PEER_DIALECT_UNKNOWN:
    default:
      dialect = NULL;
      break;
    }

  subtitle = dialect != NULL ? g_strdup_printf ("%s · %s", endpoint, dialect) : g_strdup (endpoint);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
}

static void
update_name (CharlaPeerRow *self)
{
  g_autofree char *tooltip = g_strdup_printf (_("Disconnect %s"), charla_peer_get_name (self->peer));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), charla_peer_get_name (self->peer));
  gtk_widget_set_tooltip_text (self->disconnect_button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->disconnect_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
}

static void
charla_peer_row_constructed (GObject *object)
{
  CharlaPeerRow *self = CHARLA_PEER_ROW (object);

  G_OBJECT_CLASS (charla_peer_row_parent_class)->constructed (object);

  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->disconnect_button), "(sq)",
                                    charla_peer_get_address (self->peer),
                                    charla_peer_get_port (self->peer));
  g_signal_connect_object (self->peer, "notify::name", G_CALLBACK (update_name), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->peer, "notify::dialect", G_CALLBACK (update_subtitle), self, G_CONNECT_SWAPPED);
  update_name (self);
  update_subtitle (self);
}

static void
charla_peer_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CharlaPeerRow *self = CHARLA_PEER_ROW (object);

  switch (prop_id)
    {
    case PROP_PEER:
      g_value_set_object (value, self->peer);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_peer_row_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CharlaPeerRow *self = CHARLA_PEER_ROW (object);

  switch (prop_id)
    {
    case PROP_PEER:
      self->peer = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
charla_peer_row_dispose (GObject *object)
{
  CharlaPeerRow *self = CHARLA_PEER_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHARLA_TYPE_PEER_ROW);
  g_clear_object (&self->peer);

  G_OBJECT_CLASS (charla_peer_row_parent_class)->dispose (object);
}

static void
charla_peer_row_class_init (CharlaPeerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = charla_peer_row_constructed;
  object_class->get_property = charla_peer_row_get_property;
  object_class->set_property = charla_peer_row_set_property;
  object_class->dispose = charla_peer_row_dispose;

  /**
   * CharlaPeerRow:peer:
   *
   * The peer this row shows.
   */
  properties[PROP_PEER] =
    g_param_spec_object ("peer", NULL, NULL, CHARLA_TYPE_PEER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/charla/Charla/charla-peer-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CharlaPeerRow, disconnect_button);
}

static void
charla_peer_row_init (CharlaPeerRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
charla_peer_row_new (CharlaPeer *peer)
{
  g_return_val_if_fail (CHARLA_IS_PEER (peer), NULL);

  return g_object_new (CHARLA_TYPE_PEER_ROW, "peer", peer, NULL);
}

/**
 * charla_peer_row_get_peer:
 *
 * Returns: (transfer none): the peer
 */
CharlaPeer *
charla_peer_row_get_peer (CharlaPeerRow *self)
{
  g_return_val_if_fail (CHARLA_IS_PEER_ROW (self), NULL);

  return self->peer;
}
