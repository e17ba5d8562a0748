/* test-outgoing-file.c: MsrpOutgoingFile
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "msrp-glib.h"
#include "msrp-outgoing-file-private.h"
#include "test-utils.h"

static GInputStream *
memory_stream (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return g_memory_input_stream_new_from_bytes (bytes);
}

static char *
read_all (GInputStream *stream)
{
  char buf[256];
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_input_stream_read_all (stream, buf, sizeof buf - 1, &len, NULL, &error));
  g_assert_no_error (error);
  buf[len] = '\0';
  return g_strdup (buf);
}

static void
assert_random_id (const char *id)
{
  g_assert_nonnull (id);
  g_assert_cmpuint (strlen (id), ==, 16);
  for (const char *p = id; *p; p++)
    g_assert_true (g_ascii_isdigit (*p) || g_ascii_islower (*p));
}

static void
test_new_defaults (void)
{
  g_autoptr(GInputStream) stream = memory_stream ("hello");
  g_autoptr(MsrpOutgoingFile) file = NULL;
  g_autoptr(MsrpOutgoingFile) other = NULL;
  g_autoptr(GInputStream) prop_stream = NULL;
  g_autofree char *prop_id = NULL;
  g_autofree char *prop_type = NULL;
  g_autofree char *prop_name = NULL;
  gint64 size, position, bytes_sent;

  file = msrp_outgoing_file_new (stream, 5, NULL, 0, NULL);
  g_assert_true (MSRP_IS_OUTGOING_FILE (file));
  g_assert_true (msrp_outgoing_file_get_stream (file) == stream);
  g_assert_cmpint (msrp_outgoing_file_get_size (file), ==, 5);
  g_assert_cmpint (msrp_outgoing_file_get_position (file), ==, 0);
  g_assert_cmpint (msrp_outgoing_file_get_bytes_sent (file), ==, 0);
  g_assert_cmpstr (msrp_outgoing_file_get_content_type (file), ==, "application/octet-stream");
  g_assert_null (msrp_outgoing_file_get_file_name (file));
  assert_random_id (msrp_outgoing_file_get_message_id (file));

  /* Every message gets its own Message-ID. */
  other = msrp_outgoing_file_new (stream, 5, NULL, 0, NULL);
  assert_random_id (msrp_outgoing_file_get_message_id (other));
  g_assert_cmpstr (msrp_outgoing_file_get_message_id (file), !=,
                   msrp_outgoing_file_get_message_id (other));

  g_object_get (file,
                "stream", &prop_stream,
                "size", &size,
                "position", &position,
                "bytes-sent", &bytes_sent,
                "message-id", &prop_id,
                "content-type", &prop_type,
                "file-name", &prop_name,
                NULL);
  g_assert_true (prop_stream == stream);
  g_assert_cmpint (size, ==, 5);
  g_assert_cmpint (position, ==, 0);
  g_assert_cmpint (bytes_sent, ==, 0);
  g_assert_cmpstr (prop_id, ==, msrp_outgoing_file_get_message_id (file));
  g_assert_cmpstr (prop_type, ==, "application/octet-stream");
  g_assert_null (prop_name);
}

static void
test_new_resume (void)
{
  g_autoptr(GInputStream) stream = memory_stream ("the rest");
  g_autoptr(MsrpOutgoingFile) file = NULL;

  /* A message of unknown size of which 100 bytes went out before. */
  file = msrp_outgoing_file_new (stream, -1, "text/plain; charset=UTF-8", 100, "a1b2c3d4");
  g_assert_cmpint (msrp_outgoing_file_get_size (file), ==, -1);
  g_assert_cmpint (msrp_outgoing_file_get_position (file), ==, 100);
  g_assert_cmpint (msrp_outgoing_file_get_bytes_sent (file), ==, 100);
  g_assert_cmpstr (msrp_outgoing_file_get_message_id (file), ==, "a1b2c3d4");
  g_assert_cmpstr (msrp_outgoing_file_get_content_type (file), ==, "text/plain; charset=UTF-8");
}

static void
test_new_with_g_object_new (void)
{
  g_autoptr(GInputStream) stream = memory_stream ("x");
  g_autoptr(MsrpOutgoingFile) file = NULL;

  /* As bindings make it: the defaults come from constructed(). */
  file = g_object_new (MSRP_TYPE_OUTGOING_FILE, "stream", stream, NULL);
  g_assert_cmpint (msrp_outgoing_file_get_size (file), ==, -1);
  g_assert_cmpint (msrp_outgoing_file_get_position (file), ==, 0);
  g_assert_cmpstr (msrp_outgoing_file_get_content_type (file), ==, "application/octet-stream");
  assert_random_id (msrp_outgoing_file_get_message_id (file));
}

static void
test_new_invalid (void)
{
  g_autoptr(GInputStream) stream = memory_stream ("hello");

  TEST_EXPECT_CRITICAL ("*position <= size*",
                        g_assert_null (msrp_outgoing_file_new (stream, 5, NULL, 6, NULL)));
  TEST_EXPECT_CRITICAL ("*size >= -1*", g_assert_null (msrp_outgoing_file_new (stream, -2, NULL, 0, NULL)));
  TEST_EXPECT_CRITICAL ("*position >= 0*",
                        g_assert_null (msrp_outgoing_file_new (stream, -1, NULL, -1, NULL)));
  TEST_EXPECT_CRITICAL ("*_msrp_is_ident*",
                        g_assert_null (msrp_outgoing_file_new (stream, 5, NULL, 0, "bad id")));

  /* A Content-Type cannot break the framing. */
  TEST_EXPECT_CRITICAL ("*is_valid_content_type*",
                        g_assert_null (msrp_outgoing_file_new (stream, 5, "text/plain\r\nX-Evil: 1", 0, NULL)));
  TEST_EXPECT_CRITICAL ("*G_IS_INPUT_STREAM*",
                        g_assert_null (msrp_outgoing_file_new (NULL, 5, NULL, 0, NULL)));
}

/* Files */

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("msrp-outgoing-file-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fx->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fx->dir, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (fx->dir), ==, 0);
  g_free (fx->dir);
}

static GFile *
make_file (Fixture    *fx,
           const char *name,
           const char *contents,
           gssize      len)
{
  g_autofree char *path = g_build_filename (fx->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
test_for_file_text (Fixture       *fx,
                    gconstpointer  data)
{
  static const char text[] = "Hello, world.\nThis is a text file.\n";
  g_autoptr(GFile) gfile = make_file (fx, "notes.txt", text, -1);
  g_autoptr(MsrpOutgoingFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *read = NULL;

  file = msrp_outgoing_file_new_for_file (gfile, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (file);
  g_assert_cmpint (msrp_outgoing_file_get_size (file), ==, strlen (text));
  g_assert_cmpint (msrp_outgoing_file_get_position (file), ==, 0);
  g_assert_cmpint (msrp_outgoing_file_get_bytes_sent (file), ==, 0);
  g_assert_cmpstr (msrp_outgoing_file_get_content_type (file), ==, "text/plain");
  g_assert_cmpstr (msrp_outgoing_file_get_file_name (file), ==, "notes.txt");
  assert_random_id (msrp_outgoing_file_get_message_id (file));

  /* The stream reads the file from its first byte. */
  read = read_all (msrp_outgoing_file_get_stream (file));
  g_assert_cmpstr (read, ==, text);
}

static void
test_for_file_content_type (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(GFile) gfile = make_file (fx, "notes.txt", "abc", -1);
  g_autoptr(MsrpOutgoingFile) file = NULL;
  g_autoptr(GError) error = NULL;

  /* A given type wins over the guess. */
  file = msrp_outgoing_file_new_for_file (gfile, "message/cpim", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (msrp_outgoing_file_get_content_type (file), ==, "message/cpim");
  g_assert_cmpint (msrp_outgoing_file_get_size (file), ==, 3);
}

static void
test_for_file_binary (Fixture       *fx,
                      gconstpointer  data)
{
  static const char bytes[] = { 0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x7f, 0x80 };
  g_autoptr(GFile) gfile = make_file (fx, "blob", bytes, sizeof bytes);
  g_autoptr(MsrpOutgoingFile) file = NULL;
  g_autoptr(GError) error = NULL;

  file = msrp_outgoing_file_new_for_file (gfile, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (msrp_outgoing_file_get_size (file), ==, sizeof bytes);
  g_assert_cmpstr (msrp_outgoing_file_get_content_type (file), ==, "application/octet-stream");
  g_assert_cmpstr (msrp_outgoing_file_get_file_name (file), ==, "blob");
}

static void
test_for_file_empty (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GFile) gfile = make_file (fx, "empty.txt", "", 0);
  g_autoptr(MsrpOutgoingFile) file = NULL;
  g_autoptr(GError) error = NULL;

  /* stat() cannot tell an empty file from one of /proc: it is read to its
   * end, which comes at once. */
  file = msrp_outgoing_file_new_for_file (gfile, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (msrp_outgoing_file_get_size (file), ==, -1);
  g_assert_cmpstr (msrp_outgoing_file_get_content_type (file), ==, "text/plain");
}

static void
test_for_file_proc (void)
{
  g_autoptr(GFile) gfile = g_file_new_for_path ("/proc/self/status");
  g_autoptr(MsrpOutgoingFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *read = NULL;

  if (!g_file_test ("/proc/self/status", G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("No /proc");
      return;
    }

  /* A regular file that says 0 bytes but has contents: read to its end,
   * and not typed "application/x-zerosize". */
  file = msrp_outgoing_file_new_for_file (gfile, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (msrp_outgoing_file_get_size (file), ==, -1);
  g_assert_cmpstr (msrp_outgoing_file_get_content_type (file), !=, "application/x-zerosize");
  read = read_all (msrp_outgoing_file_get_stream (file));
  g_assert_true (g_str_has_prefix (read, "Name:"));
}

static void
test_for_file_fifo (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fx->dir, "fifo", NULL);
  g_autoptr(GFile) gfile = g_file_new_for_path (path);
  g_autoptr(MsrpOutgoingFile) file = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  /* Held open for writing, so that opening it to read does not block. */
  fd = g_open (path, O_RDWR, 0);
  g_assert_cmpint (fd, >=, 0);

  /* What a pipe carries is not "inode/fifo". */
  file = msrp_outgoing_file_new_for_file (gfile, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (msrp_outgoing_file_get_size (file), ==, -1);
  g_assert_cmpstr (msrp_outgoing_file_get_content_type (file), ==, "application/octet-stream");
  g_close (fd, NULL);
}

static void
test_for_file_missing (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fx->dir, "does-not-exist.txt", NULL);
  g_autoptr(GFile) gfile = g_file_new_for_path (path);
  g_autoptr(MsrpOutgoingFile) file = NULL;
  g_autoptr(GError) error = NULL;

  file = msrp_outgoing_file_new_for_file (gfile, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (file);
}

static void
test_for_file_directory (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GFile) gfile = g_file_new_for_path (fx->dir);
  g_autoptr(MsrpOutgoingFile) file = NULL;
  g_autoptr(GError) error = NULL;

  file = msrp_outgoing_file_new_for_file (gfile, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_assert_null (file);
}

static void
test_for_file_device (void)
{
  g_autoptr(GFile) gfile = g_file_new_for_path ("/dev/zero");
  g_autoptr(MsrpOutgoingFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test ("/dev/zero", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("No /dev/zero");
      return;
    }

  /* A device says size 0 but never ends: its size is unknown. */
  file = msrp_outgoing_file_new_for_file (gfile, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (msrp_outgoing_file_get_size (file), ==, -1);
  g_assert_cmpstr (msrp_outgoing_file_get_file_name (file), ==, "zero");
}

/* Headers */

static void
assert_header_names (MsrpChunk          *chunk,
                     const char * const *expected)
{
  g_auto(GStrv) names = msrp_chunk_get_header_names (chunk);

  g_assert_cmpstrv (names, expected);
}

static void
test_headers (void)
{
  g_autoptr(GInputStream) stream = memory_stream ("hello");
  g_autoptr(MsrpOutgoingFile) file = msrp_outgoing_file_new (stream, 5, "text/plain", 0, "m1234");
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", "t1234");
  g_autoptr(MsrpChunk) second = msrp_chunk_new_request ("SEND", "t5678");

  msrp_outgoing_file_set_header (file, "X-First", "1");
  msrp_outgoing_file_set_header (file, "X-Second", "2");
  msrp_outgoing_file_set_header (file, "X-Third", "3");
  msrp_outgoing_file_set_header (file, "Content-Disposition", "attachment; filename=\"notes.txt\"");
  msrp_outgoing_file_set_header (file, "Success-Report", "yes");

  /* Names are case-insensitive. */
  g_assert_cmpstr (msrp_outgoing_file_get_header (file, "x-second"), ==, "2");
  g_assert_cmpstr (msrp_outgoing_file_get_header (file, "SUCCESS-REPORT"), ==, "yes");
  g_assert_null (msrp_outgoing_file_get_header (file, "X-Fourth"));

  /* Replacing keeps the place; removing drops the header. */
  msrp_outgoing_file_set_header (file, "x-first", "one");
  g_assert_cmpstr (msrp_outgoing_file_get_header (file, "X-First"), ==, "one");
  msrp_outgoing_file_set_header (file, "X-Second", NULL);
  g_assert_null (msrp_outgoing_file_get_header (file, "X-Second"));
  msrp_outgoing_file_set_header (file, "X-Absent", NULL);

  msrp_chunk_set_message_id (chunk, msrp_outgoing_file_get_message_id (file));
  msrp_chunk_set_content_type (chunk, msrp_outgoing_file_get_content_type (file));
  msrp_chunk_set_header (chunk, "X-Third", "old");
  _msrp_outgoing_file_apply_headers (file, chunk);

  assert_header_names (chunk, (const char * const []) {
    "Message-ID", "X-Third", "X-First", "Success-Report", "Content-Disposition", "Content-Type", NULL
  });
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "X-First"), ==, "one");
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "X-Third"), ==, "3");
  g_assert_null (msrp_chunk_get_header (chunk, "X-Second"));
  g_assert_true (msrp_chunk_get_success_report (chunk));
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Content-Disposition"), ==,
                   "attachment; filename=\"notes.txt\"");
  g_assert_cmpstr (msrp_chunk_get_content_type (chunk), ==, "text/plain");

  /* On a fresh chunk, extension headers come in the order first set. */
  _msrp_outgoing_file_apply_headers (file, second);
  assert_header_names (second, (const char * const []) {
    "X-First", "X-Third", "Success-Report", "Content-Disposition", NULL
  });
}

static void
test_headers_invalid (void)
{
  g_autoptr(GInputStream) stream = memory_stream ("hello");
  g_autoptr(MsrpOutgoingFile) file = msrp_outgoing_file_new (stream, 5, NULL, 0, NULL);
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", "t1234");
  g_auto(GStrv) names = NULL;

  TEST_EXPECT_CRITICAL ("*_msrp_is_header_value*",
                        msrp_outgoing_file_set_header (file, "X-Evil", "a\r\n-------t1234$"));
  TEST_EXPECT_CRITICAL ("*_msrp_is_token*", msrp_outgoing_file_set_header (file, "Bad Name", "x"));
  TEST_EXPECT_CRITICAL ("*_msrp_is_token*", msrp_outgoing_file_set_header (file, "Colon:", "x"));

  /* The session and the properties own these. */
  TEST_EXPECT_CRITICAL ("*is_reserved_header*", msrp_outgoing_file_set_header (file, "message-id", "abc"));
  TEST_EXPECT_CRITICAL ("*is_reserved_header*", msrp_outgoing_file_set_header (file, "Byte-Range", "1-5/5"));
  TEST_EXPECT_CRITICAL ("*is_reserved_header*",
                        msrp_outgoing_file_set_header (file, "Content-Type", "text/html"));

  g_assert_null (msrp_outgoing_file_get_header (file, "X-Evil"));
  g_assert_null (msrp_outgoing_file_get_header (file, "Message-ID"));
  _msrp_outgoing_file_apply_headers (file, chunk);
  names = msrp_chunk_get_header_names (chunk);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
}

/* Progress */

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  GPtrArray *notified = user_data;

  g_ptr_array_add (notified, g_strdup (pspec->name));
}

static void
test_bytes_sent_notify (void)
{
  g_autoptr(GInputStream) stream = memory_stream ("0123456789");
  g_autoptr(MsrpOutgoingFile) file = msrp_outgoing_file_new (stream, 1000, NULL, 10, NULL);
  g_autoptr(GPtrArray) notified = g_ptr_array_new_with_free_func (g_free);
  gint64 value = 0;

  g_signal_connect (file, "notify", G_CALLBACK (on_notify), notified);

  /* No change, no notification. */
  _msrp_outgoing_file_set_bytes_sent (file, 10);
  g_assert_cmpuint (notified->len, ==, 0);

  _msrp_outgoing_file_set_bytes_sent (file, 500);
  g_assert_cmpuint (notified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (notified, 0), ==, "bytes-sent");
  g_assert_cmpint (msrp_outgoing_file_get_bytes_sent (file), ==, 500);

  _msrp_outgoing_file_set_bytes_sent (file, 500);
  g_assert_cmpuint (notified->len, ==, 1);

  _msrp_outgoing_file_set_bytes_sent (file, 1000);
  g_assert_cmpuint (notified->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (notified, 1), ==, "bytes-sent");
  g_object_get (file, "bytes-sent", &value, NULL);
  g_assert_cmpint (value, ==, 1000);

  /* Headers and getters notify nothing. */
  msrp_outgoing_file_set_header (file, "X-A", "b");
  g_assert_cmpuint (notified->len, ==, 2);
}

static void
on_async_opened (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
on_async_idle (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
on_async_timeout (gpointer user_data)
{
  g_error ("new_for_file_async did not finish");
  return G_SOURCE_REMOVE;
}

/* The async constructor gives what the sync one gives, and opening a FIFO
 * whose writer is not there yet does not stop the main context (the sync
 * one would block in open() until then). */
static void
test_for_file_async (void)
{
  g_autofree char *dir = g_dir_make_tmp ("msrp-outgoing-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *fifo = g_build_filename (dir, "pipe", NULL);
  g_autoptr(GFile) gfile = g_file_new_for_path (path);
  g_autoptr(GFile) gfifo = g_file_new_for_path (fifo);
  g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/msrp-test");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(MsrpOutgoingFile) file = NULL;
  g_autoptr(MsrpOutgoingFile) sync_file = NULL;
  g_autoptr(GBytes) got = NULL;
  GError *error = NULL;
  gboolean idle_ran = FALSE;
  guint timeout = g_timeout_add_seconds (10, on_async_timeout, NULL);
  int fd;

  g_assert_true (g_file_set_contents (path, "twelve bytes", 12, &error));
  g_assert_no_error (error);

  msrp_outgoing_file_new_for_file_async (gfile, NULL, NULL, on_async_opened, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  file = msrp_outgoing_file_new_for_file_finish (result, &error);
  g_assert_no_error (error);
  sync_file = msrp_outgoing_file_new_for_file (gfile, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (msrp_outgoing_file_get_size (file), ==, 12);
  g_assert_cmpstr (msrp_outgoing_file_get_content_type (file), ==,
                   msrp_outgoing_file_get_content_type (sync_file));
  g_assert_cmpstr (msrp_outgoing_file_get_file_name (file), ==, "notes.txt");
  g_clear_object (&result);
  g_clear_object (&file);

  msrp_outgoing_file_new_for_file_async (missing, NULL, NULL, on_async_opened, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (msrp_outgoing_file_new_for_file_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&result);

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  msrp_outgoing_file_new_for_file_async (gfifo, NULL, NULL, on_async_opened, &result);
  g_idle_add (on_async_idle, &idle_ran);
  while (!idle_ran)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (result);
  /* The reader is in GIO's worker thread: this open meets it there. */
  fd = g_open (fifo, O_WRONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "piped", 5), ==, 5);
  close (fd);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  file = msrp_outgoing_file_new_for_file_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (msrp_outgoing_file_get_size (file), ==, -1);
  g_assert_cmpstr (msrp_outgoing_file_get_content_type (file), ==, "application/octet-stream");
  got = g_input_stream_read_bytes (msrp_outgoing_file_get_stream (file), 64, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), "piped", 5);

  g_source_remove (timeout);
  g_remove (path);
  g_remove (fifo);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/outgoing-file/new/defaults", test_new_defaults);
  g_test_add_func ("/outgoing-file/new/resume", test_new_resume);
  g_test_add_func ("/outgoing-file/new/g-object-new", test_new_with_g_object_new);
  g_test_add_func ("/outgoing-file/new/invalid", test_new_invalid);

#define ADD_FILE_TEST(path, func) \
  g_test_add ("/outgoing-file/for-file/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD_FILE_TEST ("text", test_for_file_text);
  ADD_FILE_TEST ("content-type", test_for_file_content_type);
  ADD_FILE_TEST ("binary", test_for_file_binary);
  ADD_FILE_TEST ("empty", test_for_file_empty);
  ADD_FILE_TEST ("missing", test_for_file_missing);
  ADD_FILE_TEST ("directory", test_for_file_directory);
  ADD_FILE_TEST ("fifo", test_for_file_fifo);
#undef ADD_FILE_TEST
  g_test_add_func ("/outgoing-file/for-file/device", test_for_file_device);
  g_test_add_func ("/outgoing-file/for-file/proc", test_for_file_proc);
  g_test_add_func ("/outgoing-file/for-file/async", test_for_file_async);

  g_test_add_func ("/outgoing-file/headers/set", test_headers);
  g_test_add_func ("/outgoing-file/headers/invalid", test_headers_invalid);

  g_test_add_func ("/outgoing-file/bytes-sent/notify", test_bytes_sent_notify);

  return g_test_run ();
}
