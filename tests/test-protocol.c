/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "charla.h"

static void
test_sanitize_controls (void)
{
  g_autofree char *text = charla_text_sanitize ("a\x1b[31mb\x07\tc\x7f", -1);

  /* ESC, BEL and DEL become visible pictures; tab stays. */
  g_assert_cmpstr (text, ==, "a\xe2\x90\x9b[31mb\xe2\x90\x87\tc\xe2\x90\xa1");
}

static void
test_sanitize_invalid_utf8 (void)
{
  g_autofree char *text = charla_text_sanitize ("ok\xff\xfe end", -1);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_prefix (text, "ok"));
  g_assert_true (g_str_has_suffix (text, " end"));
  g_assert_nonnull (strstr (text, "\xef\xbf\xbd"));
}

static void
test_sanitize_bidi_and_c1 (void)
{
  g_autofree char *text = charla_text_sanitize ("x\xe2\x80\xae" "y\xc2\x9b" "z", -1);

  g_assert_cmpstr (text, ==, "x\xef\xbf\xbdy\xef\xbf\xbdz");
}

static void
test_sanitize_embedded_nul (void)
{
  g_autofree char *text = charla_text_sanitize ("a\0b\0", 4);

  g_assert_cmpstr (text, ==, "a\xe2\x90\x80" "b\xe2\x90\x80");
}

static void
test_name_sanitize (void)
{
  g_autofree char *plain = charla_name_sanitize ("  Criss \n", -1);
  g_autofree char *markup = charla_name_sanitize ("<b>Ana</b>\x1b[2J", -1);
  g_autofree char *empty = charla_name_sanitize (" \x01\x02 ", -1);
  g_autofree char *long_name = NULL;
  g_autofree char *cut = NULL;

  g_assert_cmpstr (plain, ==, "Criss");
  /* Markup is kept as text: escaping is the display's job; a terminal
   * escape sequence goes as a whole. */
  g_assert_cmpstr (markup, ==, "<b>Ana</b>");
  g_assert_null (empty);

  long_name = g_strnfill (500, 'x');
  cut = charla_name_sanitize (long_name, -1);
  g_assert_cmpuint (g_utf8_strlen (cut, -1), ==, CHARLA_MAX_NAME_CHARS);
}

/* Two different names never look the same: escape sequences go whole,
 * invisible characters go, spaces are plain and single, and letters
 * are composed the one way. */
static void
test_name_lookalikes (void)
{
  static const char * const disguises[] = {
    "\x1b[31mAna\x1b[0m",              /* colour, as a terminal shows it */
    "\x1b]0;title\x07" "Ana",             /* OSC: a window title */
    "\xc2\x9b" "31mAna",                 /* C1 CSI */
    "A\xe2\x80\x8bna",                  /* zero-width space */
    "An\xe2\x80\x8d" "a\xe2\x80\x8c",        /* zero-width joiner, non-joiner */
    "\xe2\x80\x8e" "Ana\xe2\x80\x8f",        /* LRM, RLM */
    "\xe2\x81\xa6" "Ana\xe2\x81\xa9",        /* bidi isolate */
    "\xef\xbb\xbf" "Ana",                 /* BOM */
    "A\xc2\xad" "na",                    /* soft hyphen */
    "Ana\xe3\x80\x80",                  /* ideographic space */
    "Ana\xe2\x80\x83\xe2\x80\x83",          /* em spaces */
    "\xc2\xa0" "Ana",                    /* no-break space */
    "Ana\xef\xb8\x8f",                  /* variation selector */
    "A\xcd\x8f" "na",                    /* combining grapheme joiner */
    "Ana\xf3\xa0\x80\x81",               /* language tag */
  };
  g_autofree char *spaced = charla_name_sanitize ("Ana\xc2\xa0\xc2\xa0 Li", -1);
  g_autofree char *composed = charla_name_sanitize ("Jos\xc3\xa9", -1);
  g_autofree char *decomposed = charla_name_sanitize ("Jose\xcc\x81", -1);
  g_autofree char *only_invisible = charla_name_sanitize ("\xe2\x80\x8b\xe2\x80\x8e\x1b[0m", -1);

  for (guint i = 0; i < G_N_ELEMENTS (disguises); i++)
    {
      g_autofree char *name = charla_name_sanitize (disguises[i], -1);

      g_test_message ("disguise %u", i);
      g_assert_cmpstr (name, ==, "Ana");
    }

  g_assert_cmpstr (spaced, ==, "Ana Li");
  g_assert_cmpstr (composed, ==, decomposed);
  g_assert_null (only_invisible);
}

static void
test_name_query (void)
{
  g_assert_true (charla_is_name_query ("--name", 6));
  g_assert_true (charla_is_name_query ("--NaMe", 6));
  g_assert_false (charla_is_name_query ("--name\n", 7));
  g_assert_false (charla_is_name_query ("--nam", 5));
  g_assert_true (charla_is_name_query_prefix ("--na", 4));
  g_assert_false (charla_is_name_query_prefix ("--name", 6));
  g_assert_false (charla_is_name_query_prefix ("hola", 4));
}

static void
test_plausible_name (void)
{
  g_assert_true (charla_reply_is_plausible_name ("Criss", 5));
  g_assert_true (charla_reply_is_plausible_name ("Señora Ñandú\n", strlen ("Señora Ñandú\n")));
  g_assert_false (charla_reply_is_plausible_name ("", 0));
  g_assert_false (charla_reply_is_plausible_name ("HTTP/1.1 400 Bad Request\r\n", 26));
  g_assert_false (charla_reply_is_plausible_name ("SSH-2.0-OpenSSH_9.2", 19));
  g_assert_false (charla_reply_is_plausible_name ("a\x01" "b", 3));
  g_assert_false (charla_reply_is_plausible_name ("a\nb", 3));
  g_assert_false (charla_reply_is_plausible_name ("\xff\xfe", 2));
}

static void
test_utf8_cut (void)
{
  /* "ñ" is two bytes: a cut after its first byte backs off. */
  g_assert_cmpuint (charla_utf8_cut ("aññ", 5, 2), ==, 1);
  g_assert_cmpuint (charla_utf8_cut ("aññ", 5, 3), ==, 3);
  g_assert_cmpuint (charla_utf8_cut ("abc", 3, 10), ==, 3);
  /* Not UTF-8: cut where asked. */
  g_assert_cmpuint (charla_utf8_cut ("\x80\x80\x80\x80\x80\x80", 6, 5), ==, 5);
}

static void
test_splitter_lines (void)
{
  g_autoptr(CharlaLineSplitter) splitter = charla_line_splitter_new (64);
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean continued = TRUE;

  charla_line_splitter_push (splitter, "uno\r\ndos\ntr", 11);
  g_assert_true (charla_line_splitter_pop (splitter, line, &continued));
  g_assert_cmpstr (line->str, ==, "uno");
  g_assert_false (continued);
  g_assert_true (charla_line_splitter_pop (splitter, line, NULL));
  g_assert_cmpstr (line->str, ==, "dos");
  g_assert_false (charla_line_splitter_pop (splitter, line, NULL));

  charla_line_splitter_push (splitter, "es\n", 3);
  g_assert_true (charla_line_splitter_pop (splitter, line, NULL));
  g_assert_cmpstr (line->str, ==, "tres");

  charla_line_splitter_push (splitter, "\n", 1);
  g_assert_true (charla_line_splitter_pop (splitter, line, NULL));
  g_assert_cmpstr (line->str, ==, "");

  charla_line_splitter_push (splitter, "cola", 4);
  g_assert_false (charla_line_splitter_pop (splitter, line, NULL));
  g_assert_true (charla_line_splitter_flush (splitter, line));
  g_assert_cmpstr (line->str, ==, "cola");
  g_assert_false (charla_line_splitter_flush (splitter, line));
}

static void
test_splitter_long_line (void)
{
  g_autoptr(CharlaLineSplitter) splitter = charla_line_splitter_new (CHARLA_MAX_MESSAGE_SIZE);
  g_autoptr(GString) line = g_string_new (NULL);
  gsize total = 10 * 1024 * 1024;
  g_autofree char *chunk = g_strnfill (4096, 'x');
  gsize delivered = 0;
  guint pieces = 0;
  gboolean continued;

  /* 10 MB without a newline: bounded pieces, nothing lost. */
  for (gsize pushed = 0; pushed < total; pushed += 4096)
    {
      charla_line_splitter_push (splitter, chunk, 4096);
      while (charla_line_splitter_pop (splitter, line, &continued))
        {
          g_assert_cmpuint (line->len, <=, CHARLA_MAX_MESSAGE_SIZE);
          g_assert_true (pieces == 0 || continued);
          delivered += line->len;
          pieces++;
        }
      g_assert_cmpuint (charla_line_splitter_get_pending (splitter), <=, CHARLA_MAX_MESSAGE_SIZE);
    }

  charla_line_splitter_push (splitter, "\n", 1);
  while (charla_line_splitter_pop (splitter, line, &continued))
    {
      g_assert_true (continued);
      delivered += line->len;
      pieces++;
    }

  g_assert_cmpuint (delivered, ==, total);
  g_assert_cmpuint (pieces, ==, total / CHARLA_MAX_MESSAGE_SIZE);
}

static void
test_splitter_cuts_on_characters (void)
{
  g_autoptr(CharlaLineSplitter) splitter = charla_line_splitter_new (5);
  g_autoptr(GString) line = g_string_new (NULL);

  /* "ññññ" is 8 bytes: pieces of 4 bytes, never half a character. */
  charla_line_splitter_push (splitter, "ññññ", 8);
  g_assert_true (charla_line_splitter_pop (splitter, line, NULL));
  g_assert_cmpstr (line->str, ==, "ññ");
  g_assert_true (charla_line_splitter_flush (splitter, line));
  g_assert_cmpstr (line->str, ==, "ññ");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charla/protocol/sanitize/controls", test_sanitize_controls);
  g_test_add_func ("/charla/protocol/sanitize/invalid-utf8", test_sanitize_invalid_utf8);
  g_test_add_func ("/charla/protocol/sanitize/bidi-c1", test_sanitize_bidi_and_c1);
  g_test_add_func ("/charla/protocol/sanitize/embedded-nul", test_sanitize_embedded_nul);
  g_test_add_func ("/charla/protocol/name/sanitize", test_name_sanitize);
  g_test_add_func ("/charla/protocol/name/lookalikes", test_name_lookalikes);
  g_test_add_func ("/charla/protocol/name/query", test_name_query);
  g_test_add_func ("/charla/protocol/name/plausible", test_plausible_name);
  g_test_add_func ("/charla/protocol/utf8-cut", test_utf8_cut);
  g_test_add_func ("/charla/protocol/splitter/lines", test_splitter_lines);
  g_test_add_func ("/charla/protocol/splitter/long-line", test_splitter_long_line);
  g_test_add_func ("/charla/protocol/splitter/characters", test_splitter_cuts_on_characters);

  return g_test_run ();
}
