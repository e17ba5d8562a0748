/* fuzz-main.c: runs a libFuzzer target over its corpus, as an ordinary test
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: fuzz-main-TARGET DIR... ; prints TAP, one test per file.
 */

#include "config.h"

#include <glib.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GError) error = NULL;
      const char *name;

      dir = g_dir_open (argv[i], 0, &error);
      if (dir == NULL)
        {
          printf ("Bail out! %s\n", error->message);
          return 1;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (files, g_build_filename (argv[i], name, NULL));
    }

  g_ptr_array_sort (files, compare_paths);
  if (files->len == 0)
    {
      printf ("Bail out! the corpus is empty\n");
      return 1;
    }

  printf ("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize len;

      if (!g_file_get_contents (path, &contents, &len, &error))
        {
          printf ("not ok %u %s # %s\n", i + 1, path, error->message);
          continue;
        }
      /* A failed check aborts, and the test fails with it. */
      LLVMFuzzerTestOneInput ((const guint8 *) contents, len);
      printf ("ok %u %s\n", i + 1, path);
      fflush (stdout);
    }

  return 0;
}
