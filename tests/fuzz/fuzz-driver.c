/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Runs a fuzz target over files without libFuzzer: each argument is a
 * file or a directory of files, each file one input. The normal (gcc)
 * build links every target with this, so `meson test` replays the
 * corpora in tests/fuzz/corpus/ as regression tests; a -Dfuzzing=true
 * build (clang) links libFuzzer instead. */

#include <glib.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);

  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  return 1;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static guint
run_path (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;
  guint n_inputs = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return run_file (path);

  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    g_error ("cannot read %s", path);

  /* Sorted, so a failure names the same input every time. */
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);

  for (guint i = 0; i < names->len; i++)
    n_inputs += run_path (g_ptr_array_index (names, i));

  return n_inputs;
}

int
main (int   argc,
      char *argv[])
{
  guint n_inputs = 0;

  for (int i = 1; i < argc; i++)
    n_inputs += run_path (argv[i]);

  /* TAP, like every other test program here. */
  g_print ("1..1\nok 1 - %u inputs\n", n_inputs);
  return 0;
}
