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

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type,
             guint     *nth)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    {
      if (*nth == 0)
        return root;
      (*nth)--;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, nth);

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
  return find_widget (root, type, &nth);
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
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return GTK_LABEL (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = ui_test_find_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* A mapped label whose text contains @text. */
GtkLabel *
ui_test_find_label_containing (GtkWidget  *root,
                               const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return GTK_LABEL (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = ui_test_find_label_containing (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* A mapped CharlaWrappedText (a message's text or header in the chat
 * view) whose text is @text, or contains it when @containing. */
static CharlaWrappedText *
find_text (GtkWidget  *root,
           const char *text,
           gboolean    containing)
{
  if (CHARLA_IS_WRAPPED_TEXT (root) && gtk_widget_get_mapped (root))
    {
      const char *shown = charla_wrapped_text_get_text (CHARLA_WRAPPED_TEXT (root));

      if (containing ? strstr (shown, text) != NULL : g_str_equal (shown, text))
        return CHARLA_WRAPPED_TEXT (root);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      CharlaWrappedText *found = find_text (child, text, containing);

      if (found != NULL)
        return found;
    }

  return NULL;
}

CharlaWrappedText *
ui_test_find_text (GtkWidget  *root,
                   const char *text)
{
  return find_text (root, text, FALSE);
}

CharlaWrappedText *
ui_test_find_text_containing (GtkWidget  *root,
                              const char *text)
{
  return find_text (root, text, TRUE);
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
