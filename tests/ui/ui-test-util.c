/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <unistd.h>

#include "ui-test-util.h"

void
ui_test_init (int    *argc,
              char ***argv)
{
  gtk_test_init (argc, argv, NULL);
  adw_init ();

  /* Animations would make every check wait for them. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  /* Without a window manager the focus moves between the test's windows
   * without focus-out events, and a blinking cursor then warns. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);
}

/* A loopback address of this test process's own (127.66.x.y), so scans
 * and listeners never meet another test's, whoever runs it. */
const char *
ui_test_address (void)
{
  static char address[32];

  if (address[0] == '\0')
    {
      guint pid = getpid ();

      g_snprintf (address, sizeof address, "127.66.%u.%u", pid % 250, 1 + (pid / 250) % 250);
    }

  return address;
}

/* What a search under a root wants: the @nth widget of @type, and when
 * @text is set, a mapped one whose shown text is @text (or contains it). */
typedef struct {
  GType       type;
  const char *text;
  gboolean    containing;
  guint       nth;
} Wanted;

static const char *
shown_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  if (CHARLA_IS_WRAPPED_TEXT (widget))
    return charla_wrapped_text_get_text (CHARLA_WRAPPED_TEXT (widget));
  return NULL;
}

static gboolean
is_wanted (GtkWidget *widget,
           Wanted    *wanted)
{
  if (!G_TYPE_CHECK_INSTANCE_TYPE (widget, wanted->type))
    return FALSE;

  if (wanted->text != NULL)
    {
      const char *shown = shown_text (widget);

      if (!gtk_widget_get_mapped (widget) || shown == NULL ||
          !(wanted->containing ? strstr (shown, wanted->text) != NULL : g_str_equal (shown, wanted->text)))
        return FALSE;
    }

  if (wanted->nth > 0)
    {
      wanted->nth--;
      return FALSE;
    }

  return TRUE;
}

/* Depth first, @root included. */
static gpointer
find (GtkWidget *root,
      Wanted    *wanted)
{
  if (is_wanted (root, wanted))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find (child, wanted);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The @nth (from 0) widget of @type under @root, depth first. */
GtkWidget *
ui_test_find_widget (GtkWidget *root,
                     GType      type,
                     guint      nth)
{
  return find (root, &(Wanted) { .type = type, .nth = nth });
}

/* The first shown toplevel of @type (a dialog the code under test
 * opened), or NULL. */
GtkWindow *
ui_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (toplevel, type) && gtk_widget_get_visible (toplevel))
        return GTK_WINDOW (toplevel);
    }

  return NULL;
}

/* A mapped label showing exactly @text. */
GtkLabel *
ui_test_find_label (GtkWidget  *root,
                    const char *text)
{
  return find (root, &(Wanted) { .type = GTK_TYPE_LABEL, .text = text });
}

/* A mapped label whose text contains @text. */
GtkLabel *
ui_test_find_label_containing (GtkWidget  *root,
                               const char *text)
{
  return find (root, &(Wanted) { .type = GTK_TYPE_LABEL, .text = text, .containing = TRUE });
}

/* A mapped CharlaWrappedText (a message's text or header in the chat
 * view) whose text is @text. */
CharlaWrappedText *
ui_test_find_text (GtkWidget  *root,
                   const char *text)
{
  return find (root, &(Wanted) { .type = CHARLA_TYPE_WRAPPED_TEXT, .text = text });
}

/* The same, whose text contains @text. */
CharlaWrappedText *
ui_test_find_text_containing (GtkWidget  *root,
                              const char *text)
{
  return find (root, &(Wanted) { .type = CHARLA_TYPE_WRAPPED_TEXT, .text = text, .containing = TRUE });
}

CharlaMessage *
ui_test_last_message (CharlaNode *node)
{
  GListModel *messages = charla_node_get_messages (node);
  guint n_items = g_list_model_get_n_items (messages);
  g_autoptr(CharlaMessage) message = NULL;

  if (n_items == 0)
    return NULL;

  message = g_list_model_get_item (messages, n_items - 1);
  /* The model keeps it alive. */
  return message;
}

gboolean
ui_test_has_message (CharlaNode        *node,
                     CharlaMessageKind  kind,
                     const char        *text)
{
  GListModel *messages = charla_node_get_messages (node);
  guint n_items = g_list_model_get_n_items (messages);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CharlaMessage) message = g_list_model_get_item (messages, i);

      if (charla_message_get_kind (message) == kind &&
          strstr (charla_message_get_text (message), text) != NULL)
        return TRUE;
    }

  return FALSE;
}
