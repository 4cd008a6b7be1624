/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The chat view over a model of the test's own: it follows new messages
 * while at the bottom, stays where the user scrolled otherwise, and
 * shows everything as plain, wrapped text. What --name and --help answer
 * shows as a listing under a heading, not as a peer's message. */
#include "config.h"

#include <string.h>

#include "charla-chat-view.h"
#include "charla-message-row.h"
#include "charla-wrapped-text.h"
#include "ui-test-util.h"

typedef struct {
  GListStore     *messages;
  GtkWindow      *window;
  CharlaChatView *view;
  GtkAdjustment  *adjustment;
} Fixture;

static void
append_messages (Fixture *fixture,
                 guint    n)
{
  guint start = g_list_model_get_n_items (G_LIST_MODEL (fixture->messages));

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u", start + i);
      g_autoptr(CharlaMessage) message =
        charla_message_new (CHARLA_MESSAGE_INCOMING, "Ana", "127.0.0.1:9990", text);

      g_list_store_append (fixture->messages, message);
    }
}

static gboolean
at_bottom (Fixture *fixture)
{
  return gtk_adjustment_get_value (fixture->adjustment) + gtk_adjustment_get_page_size (fixture->adjustment) >=
         gtk_adjustment_get_upper (fixture->adjustment) - 2;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->messages = g_list_store_new (CHARLA_TYPE_MESSAGE);
  append_messages (fixture, 500);

  fixture->view = CHARLA_CHAT_VIEW (charla_chat_view_new (G_LIST_MODEL (fixture->messages)));
  fixture->window = GTK_WINDOW (gtk_window_new ());
  g_object_ref_sink (fixture->window);
  gtk_window_set_default_size (fixture->window, 360, 400);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
  gtk_window_present (fixture->window);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));

  fixture->adjustment = gtk_scrolled_window_get_vadjustment (
    GTK_SCROLLED_WINDOW (gtk_widget_get_parent (charla_chat_view_get_list_view (fixture->view))));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  charla_test_spin_for (50);
  g_assert_finalize_object (fixture->window);
  g_assert_finalize_object (fixture->messages);
}

static void
test_follows_new_messages (Fixture       *fixture,
                           gconstpointer  data)
{
  g_assert_true (charla_chat_view_get_sticky (fixture->view));
  CHARLA_TEST_WAIT_UNTIL (at_bottom (fixture));
  CHARLA_TEST_WAIT_UNTIL (ui_test_find_text (GTK_WIDGET (fixture->view), "message 499") != NULL);

  append_messages (fixture, 50);
  CHARLA_TEST_WAIT_UNTIL (ui_test_find_text (GTK_WIDGET (fixture->view), "message 549") != NULL);
  CHARLA_TEST_WAIT_UNTIL (at_bottom (fixture));
  g_assert_true (charla_chat_view_get_sticky (fixture->view));
}

static void
test_stays_where_the_user_scrolled (Fixture       *fixture,
                                    gconstpointer  data)
{
  double value;

  CHARLA_TEST_WAIT_UNTIL (at_bottom (fixture));

  /* The user scrolls up. */
  gtk_adjustment_set_value (fixture->adjustment, 0);
  g_assert_false (charla_chat_view_get_sticky (fixture->view));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  value = gtk_adjustment_get_value (fixture->adjustment);

  append_messages (fixture, 50);
  charla_test_spin_for (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (fixture->adjustment), ==, value);
  g_assert_false (charla_chat_view_get_sticky (fixture->view));
  g_assert_nonnull (ui_test_find_text (GTK_WIDGET (fixture->view), "message 0"));

  /* "Newest messages" brings the view back and it follows again. */
  charla_chat_view_scroll_to_bottom (fixture->view);
  g_assert_true (charla_chat_view_get_sticky (fixture->view));
  CHARLA_TEST_WAIT_UNTIL (ui_test_find_text (GTK_WIDGET (fixture->view), "message 549") != NULL);
  CHARLA_TEST_WAIT_UNTIL (at_bottom (fixture));
}

static void
test_plain_wrapped_text (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GString) long_text = g_string_new (NULL);
  g_autoptr(CharlaMessage) markup = NULL;
  g_autoptr(CharlaMessage) outgoing = NULL;
  g_autoptr(CharlaMessage) notice = NULL;
  CharlaWrappedText *text;
  int width;

  for (guint i = 0; i < 200; i++)
    g_string_append (long_text, "palabra ");
  markup = charla_message_new (CHARLA_MESSAGE_INCOMING, "<b>Eva</b>", "127.0.0.1:9991", "<i>x</i> &amp;");
  outgoing = charla_message_new (CHARLA_MESSAGE_OUTGOING, "Yo", NULL, long_text->str);
  notice = charla_message_new (CHARLA_MESSAGE_NOTICE, NULL, NULL, "Eva connected to you");
  g_list_store_append (fixture->messages, outgoing);
  g_list_store_append (fixture->messages, notice);
  g_list_store_append (fixture->messages, markup);

  /* Shown as it came: the widget has no markup to parse. */
  CHARLA_TEST_WAIT_UNTIL (ui_test_find_text (GTK_WIDGET (fixture->view), "<i>x</i> &amp;") != NULL);
  CHARLA_TEST_WAIT_UNTIL (ui_test_find_text_containing (GTK_WIDGET (fixture->view), "<b>Eva</b>  127.0.0.1:9991 · ") != NULL);

  /* A long line wraps inside the 360 px window instead of widening it. */
  CHARLA_TEST_WAIT_UNTIL ((text = ui_test_find_text (GTK_WIDGET (fixture->view), long_text->str)) != NULL);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  width = gtk_widget_get_width (GTK_WIDGET (fixture->window));
  g_assert_cmpint (width, <=, 360);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (text)), <=, width);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (text)), >, width / 2);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (text)), >, 100);

  /* Rows tell chat from system lines. */
  g_assert_true (gtk_widget_has_css_class (gtk_widget_get_parent (GTK_WIDGET (text)), "outgoing"));
  CHARLA_TEST_WAIT_UNTIL ((text = ui_test_find_text (GTK_WIDGET (fixture->view), "Eva connected to you")) != NULL);
  g_assert_true (gtk_widget_has_css_class (gtk_widget_get_parent (GTK_WIDGET (text)), "notice"));
}

/* The message text widget: plain text, no width of its own, taller as
 * it gets narrower. */
static void
test_wrapped_text (void)
{
  GtkWidget *text = g_object_ref_sink (charla_wrapped_text_new ());
  int minimum, natural, narrow, wide;

  charla_wrapped_text_set_text (CHARLA_WRAPPED_TEXT (text), "<b>not bold</b> &amp; una palabra muy larga "
                                "y otra más, sin ningún marcado, para que se parta en varias líneas");
  g_assert_cmpstr (charla_wrapped_text_get_text (CHARLA_WRAPPED_TEXT (text)), ==,
                   "<b>not bold</b> &amp; una palabra muy larga "
                   "y otra más, sin ningún marcado, para que se parta en varias líneas");
  g_assert_cmpint (gtk_widget_get_request_mode (text), ==, GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH);
  gtk_widget_measure (text, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (minimum, ==, 0);
  g_assert_cmpint (natural, ==, 0);
  gtk_widget_measure (text, GTK_ORIENTATION_VERTICAL, 80, &narrow, NULL, NULL, NULL);
  gtk_widget_measure (text, GTK_ORIENTATION_VERTICAL, 4000, &wide, NULL, NULL, NULL);
  g_assert_cmpint (wide, >, 0);
  g_assert_cmpint (narrow, >=, 4 * wide);

  charla_wrapped_text_set_text (CHARLA_WRAPPED_TEXT (text), NULL);
  g_assert_cmpstr (charla_wrapped_text_get_text (CHARLA_WRAPPED_TEXT (text)), ==, "");
  g_assert_finalize_object (text);
}

static CharlaWrappedText *
row_text (CharlaMessageRow *row,
           guint             nth)
{
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (row));

  for (guint i = 0; i < nth; i++)
    child = gtk_widget_get_next_sibling (child);
  return CHARLA_WRAPPED_TEXT (child);
}

static void
test_listings (void)
{
  CharlaMessageRow *row = g_object_ref_sink (g_object_new (CHARLA_TYPE_MESSAGE_ROW, NULL));
  g_autoptr(CharlaMessage) names = NULL;
  g_autoptr(CharlaMessage) help = NULL;
  g_autoptr(CharlaMessage) chat = NULL;
  CharlaWrappedText *header = row_text (row, 0);
  CharlaWrappedText *text = row_text (row, 1);

  /* --name: a heading of its own over the names, no sender. */
  names = charla_message_new_event (CHARLA_MESSAGE_NOTICE, CHARLA_MESSAGE_EVENT_PEER_LIST, NULL,
                                    "Ana (127.0.0.1:9990)\nCriss (127.0.0.3:9995)");
  charla_message_row_set_message (row, names);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (header)));
  g_assert_true (g_str_has_prefix (charla_wrapped_text_get_text (header), "Who is connected  "));
  g_assert_cmpstr (charla_wrapped_text_get_text (text), ==, "Ana (127.0.0.1:9990)\nCriss (127.0.0.3:9995)");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "listing"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "notice"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "incoming"));

  /* --help: the core's terminal columns become one line per command,
   * with no column of spaces left to misalign or wrap apart. */
  help = charla_message_new_event (CHARLA_MESSAGE_NOTICE, CHARLA_MESSAGE_EVENT_HELP, NULL,
                                   charla_command_help_text ());
  charla_message_row_set_message (row, help);
  g_assert_true (g_str_has_prefix (charla_wrapped_text_get_text (header), "Chat commands (type them as a line)  "));
  g_assert_true (strstr (charla_wrapped_text_get_text (text),
                         "--ch HOST PORT  the same, with the port apart "
                         "(without HOST or PORT you are asked for them)\n") != NULL);
  g_assert_true (strstr (charla_wrapped_text_get_text (text), "\n--help  list these commands") != NULL);
  g_assert_true (g_str_has_prefix (charla_wrapped_text_get_text (text), "TEXT  send TEXT"));
  g_assert_null (strstr (charla_wrapped_text_get_text (text), "   "));
  g_assert_null (strstr (charla_wrapped_text_get_text (text), "\n "));
  g_assert_nonnull (charla_wrapped_text_get_attributes (text));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "listing"));

  /* A recycled row shows chat text plainly again. */
  chat = charla_message_new (CHARLA_MESSAGE_INCOMING, "Ana", "127.0.0.1:9990", "--help  me");
  charla_message_row_set_message (row, chat);
  g_assert_cmpstr (charla_wrapped_text_get_text (text), ==, "--help  me");
  g_assert_null (charla_wrapped_text_get_attributes (text));
  g_assert_true (g_str_has_prefix (charla_wrapped_text_get_text (header), "Ana  127.0.0.1:9990 · "));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "incoming"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "listing"));

  g_assert_finalize_object (row);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add ("/charla/ui/chat-view/follows-new-messages", Fixture, NULL,
              fixture_set_up, test_follows_new_messages, fixture_tear_down);
  g_test_add ("/charla/ui/chat-view/stays-where-the-user-scrolled", Fixture, NULL,
              fixture_set_up, test_stays_where_the_user_scrolled, fixture_tear_down);
  g_test_add_func ("/charla/ui/chat-view/wrapped-text", test_wrapped_text);
  g_test_add ("/charla/ui/chat-view/plain-wrapped-text", Fixture, NULL,
              fixture_set_up, test_plain_wrapped_text, fixture_tear_down);
  g_test_add_func ("/charla/ui/message-row/listings", test_listings);

  return g_test_run ();
}
