/* test-parser.c: the incremental chunk parser (msrp-chunk-parser-private.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every vector is fed whole, at every split point in two pieces, byte by
 * byte and in pieces of pseudo-random sizes; each piece lives in its own
 * heap buffer, freed right after the feed, so a parser that keeps a pointer
 * into a caller's buffer is caught (with ASan, or MALLOC_PERTURB_). The
 * events the callbacks see (heads, body bytes, end flags, malformed chunks)
 * must be the same whatever the split.
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include "msrp-chunk-parser-private.h"
#include "test-utils.h"

/* Recorder */

typedef struct {
  GPtrArray *events;     /* of GString: "H...", "B<bytes>", "E<flag>", "M..." */

  /* Pausing: each callback kind can return FALSE. */
  gboolean pause_head;
  gboolean pause_body;
  gboolean pause_end;
  gboolean pause_malformed;
  gboolean paused;       /* the last callback paused */
  char paused_in;        /* 'H', 'B', 'E' or 'M' */

  /* Where the bytes of the current feed are, for the zero-copy check. */
  const guint8 *feed_data;
  gsize feed_len;
  guint body_slices;
  guint body_slices_in_feed;
  gsize last_body_end;   /* offset in the feed just after the last slice */
  gboolean last_in_feed; /* the last slice pointed into the feed */

  /* Ordering: B only inside a chunk with a body, E only after H. */
  gboolean in_chunk;
  gboolean has_body;
} Recorder;

static void
string_free (gpointer s)
{
  g_string_free (s, TRUE);
}

static void
recorder_init (Recorder *r)
{
  memset (r, 0, sizeof *r);
  r->events = g_ptr_array_new_with_free_func (string_free);
}

static void
recorder_clear (Recorder *r)
{
  g_clear_pointer (&r->events, g_ptr_array_unref);
}

static gboolean
pause_or_go_on (Recorder *r,
                gboolean  pause,
                char      kind)
{
  r->paused = pause;
  if (pause)
    r->paused_in = kind;
  return !pause;
}

static gboolean
on_head (const MsrpChunkHead *head,
         gpointer             user_data)
{
  Recorder *r = user_data;
  GString *e = g_string_new ("H");

  g_assert_false (r->in_chunk);
  g_assert_nonnull (head->base);
  g_assert_cmpuint (head->tid_len, >, 0);
  g_assert_true (head->tid >= head->base && head->tid + head->tid_len <= head->base + head->len);
  g_string_append_len (e, head->tid, head->tid_len);
  g_string_append_c (e, '|');
  if (head->method != NULL)
    {
      g_assert_cmpuint (head->code, ==, 0);
      g_assert_true (head->method >= head->base && head->method + head->method_len <= head->base + head->len);
      g_string_append_len (e, head->method, head->method_len);
    }
  else
    {
      g_assert_cmpuint (head->code, >=, 100);
      g_string_append_printf (e, "%03u", head->code);
      if (head->comment != NULL)
        {
          g_string_append_c (e, ' ');
          g_string_append_len (e, head->comment, head->comment_len);
        }
    }
  g_string_append_printf (e, "|%d", head->has_body);
  for (guint i = 0; i < head->n_headers; i++)
    {
      const MsrpParserHeader *h = &head->headers[i];

      g_assert_cmpuint (h->name_off + h->name_len, <=, head->len);
      g_assert_cmpuint (h->value_off + h->value_len, <=, head->len);
      g_string_append_c (e, '|');
      g_string_append_len (e, head->base + h->name_off, h->name_len);
      g_string_append_c (e, '=');
      g_string_append_len (e, head->base + h->value_off, h->value_len);
    }
  g_ptr_array_add (r->events, e);

  r->in_chunk = TRUE;
  r->has_body = head->has_body;
  return pause_or_go_on (r, r->pause_head, 'H');
}

static gboolean
on_body (const guint8 *data,
         gsize         len,
         gpointer      user_data)
{
  Recorder *r = user_data;
  GString *last = r->events->len ? g_ptr_array_index (r->events, r->events->len - 1) : NULL;

  g_assert_true (r->in_chunk);
  g_assert_true (r->has_body);
  /* Empty slices are pointless. */
  g_assert_cmpuint (len, >, 0);

  r->body_slices++;
  r->last_in_feed = r->feed_data != NULL && data >= r->feed_data && data + len <= r->feed_data + r->feed_len;
  if (r->last_in_feed)
    {
      r->body_slices_in_feed++;
      r->last_body_end = (data + len) - r->feed_data;
    }

  /* Slices of one body are joined: how they were cut does not matter. */
  if (last != NULL && last->str[0] == 'B')
    g_string_append_len (last, (const char *) data, len);
  else
    {
      GString *e = g_string_new ("B");

      g_string_append_len (e, (const char *) data, len);
      g_ptr_array_add (r->events, e);
    }
  return pause_or_go_on (r, r->pause_body, 'B');
}

static gboolean
on_end (MsrpContinuation continuation,
        gpointer         user_data)
{
  Recorder *r = user_data;
  GString *e = g_string_new ("E");

  g_assert_true (r->in_chunk);
  g_string_append_c (e, "$+#"[continuation]);
  g_ptr_array_add (r->events, e);
  r->in_chunk = FALSE;
  return pause_or_go_on (r, r->pause_end, 'E');
}

static const char *
error_code_name (const GError *error)
{
  if (error->domain != MSRP_ERROR)
    return "other-domain";
  switch (error->code)
    {
    case MSRP_ERROR_MALFORMED_CHUNK:
      return "MALFORMED";
    case MSRP_ERROR_LINE_TOO_LONG:
      return "LINE_TOO_LONG";
    case MSRP_ERROR_HEADERS_TOO_LARGE:
      return "HEADERS_TOO_LARGE";
    case MSRP_ERROR_TOO_MANY_HEADERS:
      return "TOO_MANY_HEADERS";
    default:
      return "other-code";
    }
}

static gboolean
on_malformed (const char   *tid,
              const char   *method,
              const GError *error,
              gpointer      user_data)
{
  Recorder *r = user_data;
  GString *e = g_string_new ("M");

  g_assert_false (r->in_chunk);
  g_assert_nonnull (tid);
  g_assert_nonnull (error);
  g_assert_nonnull (error->message);
  g_string_append_printf (e, "%s|%s|%s", tid, method ? method : "(response)", error_code_name (error));
  g_ptr_array_add (r->events, e);
  return pause_or_go_on (r, r->pause_malformed, 'M');
}

static const MsrpChunkParserCallbacks recorder_callbacks = {
  .head = on_head,
  .body = on_body,
  .end = on_end,
  .malformed = on_malformed,
};

/* A short, readable account of the events: "tid[bodylen]flag" per chunk,
 * "!tid(method,ERROR)" per malformed chunk. */
static char *
summarize (GPtrArray *events)
{
  GString *s = g_string_new (NULL);
  gsize body_len = 0;
  gboolean has_body = FALSE;
  g_autofree char *tid = NULL;

  for (guint i = 0; i < events->len; i++)
    {
      GString *e = g_ptr_array_index (events, i);

      switch (e->str[0])
        {
        case 'H':
          {
            const char *bar = strchr (e->str, '|');
            const char *bar2 = strchr (bar + 1, '|');

            g_free (tid);
            tid = g_strndup (e->str + 1, bar - (e->str + 1));
            has_body = bar2[1] == '1';
            body_len = 0;
          }
          break;
        case 'B':
          body_len += e->len - 1;
          break;
        case 'E':
          if (s->len)
            g_string_append_c (s, ' ');
          g_string_append (s, tid);
          if (has_body)
            g_string_append_printf (s, "[%" G_GSIZE_FORMAT "]", body_len);
          g_string_append_c (s, e->str[1]);
          break;
        case 'M':
          {
            g_auto(GStrv) parts = g_strsplit (e->str + 1, "|", 3);

            if (s->len)
              g_string_append_c (s, ' ');
            g_string_append_printf (s, "!%s(%s,%s)", parts[0], parts[1], parts[2]);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
  return g_string_free (s, FALSE);
}

static void
assert_same_events (GPtrArray  *expected,
                    GPtrArray  *got,
                    const char *what)
{
  gboolean same = expected->len == got->len;

  for (guint i = 0; same && i < expected->len; i++)
    {
      GString *a = g_ptr_array_index (expected, i);
      GString *b = g_ptr_array_index (got, i);

      same = a->len == b->len && memcmp (a->str, b->str, a->len) == 0;
    }
  if (!same)
    {
      g_autofree char *sa = summarize (expected);
      g_autofree char *sb = summarize (got);

      g_error ("%s: events differ\nexpected: %s\n     got: %s", what, sa, sb);
    }
}

/* Feeds one piece, from a heap copy freed right after, resuming after
 * pauses; returns FALSE on a fatal error. */
static gboolean
feed_piece (MsrpChunkParser *parser,
            Recorder        *r,
            const guint8    *data,
            gsize            len,
            GError         **error)
{
  guint8 *copy = g_malloc (MAX (len, 1));
  gsize off = 0;
  guint rounds = 0;
  gboolean ok = TRUE;

  memcpy (copy, data, len);
  for (;;)
    {
      gsize consumed = G_MAXSIZE;

      r->paused = FALSE;
      r->feed_data = copy + off;
      r->feed_len = len - off;
      if (!_msrp_chunk_parser_feed (parser, copy + off, len - off, &consumed, error))
        {
          ok = FALSE;
          break;
        }
      g_assert_cmpuint (consumed, <=, len - off);
      off += consumed;
      if (!r->paused)
        {
          /* Without a pause, everything is consumed. */
          g_assert_cmpuint (off, ==, len);
          break;
        }
      g_assert_cmpuint (++rounds, <, 4 * len + 64);
    }
  r->feed_data = NULL;
  r->feed_len = 0;
  g_free (copy);
  return ok;
}

/* Feeds data in pieces whose ends are given by cuts (ascending, each < len). */
static gboolean
feed_cut (MsrpChunkParser *parser,
          Recorder        *r,
          const guint8    *data,
          gsize            len,
          const gsize     *cuts,
          guint            n_cuts,
          GError         **error)
{
  gsize start = 0;

  for (guint i = 0; i <= n_cuts; i++)
    {
      gsize end = i < n_cuts ? cuts[i] : len;

      if (!feed_piece (parser, r, data + start, end - start, error))
        return FALSE;
      start = end;
    }
  return TRUE;
}

/* Vectors */

typedef struct {
  const char *name;
  GBytes *data;
  const char *summary;     /* expected summarize() of the events */
  char *owned_summary;
  gsize max_line;          /* 0: default limits */
  gsize max_block;
  guint max_headers;
  const char *first_body;  /* when set, the first chunk's exact body */
  gsize first_body_len;
} Vector;

static MsrpChunkParser *
new_parser (const Vector *v,
            Recorder     *r)
{
  MsrpChunkParser *parser = _msrp_chunk_parser_new (&recorder_callbacks, r);

  if (v->max_line != 0)
    _msrp_chunk_parser_set_limits (parser, v->max_line, v->max_block, v->max_headers);
  return parser;
}

#define PATHS "To-Path: msrp://a.example.com:7654/s1;tcp\r\nFrom-Path: msrp://b.example.com:12763/s2;tcp\r\n"

static const char v_send[] = TEST_RFC4975_SEND;
static const char v_response[] = TEST_RFC4975_RESPONSE;

static const char v_report[] =
  "MSRP dkei38sd REPORT\r\n"
  PATHS
  "Message-ID: 12339sdqwer\r\n"
  "Byte-Range: 1-106/106\r\n"
  "Status: 000 200 OK\r\n"
  "-------dkei38sd$\r\n";

static const char v_back_to_back[] =
  "MSRP d93kswow SEND\r\n" PATHS "Message-ID: m1\r\nByte-Range: 1-*/*\r\nContent-Type: text/plain\r\n\r\n"
  "abcdefghij\r\n-------d93kswow+\r\n"
  "MSRP d93kswow 200 OK\r\n" PATHS "-------d93kswow$\r\n"
  "MSRP op2nc9a SEND\r\n" PATHS "Message-ID: m1\r\nByte-Range: 11-*/*\r\nContent-Type: text/plain\r\n\r\n"
  "klmnopqrst\r\n-------op2nc9a+\r\n"
  "MSRP qwe3v8z SEND\r\n" PATHS "Message-ID: m1\r\nByte-Range: 21-26/26\r\nContent-Type: text/plain\r\n\r\n"
  "uvwxyz\r\n-------qwe3v8z$\r\n"
  "MSRP 9sdj3kd SEND\r\n" PATHS "Message-ID: m2\r\nByte-Range: 1-*/4096\r\nContent-Type: image/png\r\n\r\n"
  "PNG\r\n-------9sdj3kd#\r\n";

static const char v_no_body[] =
  "MSRP nb12 SEND\r\n" PATHS "Message-ID: m1\r\nByte-Range: 1-0/0\r\n-------nb12$\r\n";

static const char v_empty_body[] =
  "MSRP eb12 SEND\r\n" PATHS "Message-ID: m1\r\nByte-Range: 1-0/0\r\nContent-Type: text/plain\r\n\r\n"
  "\r\n-------eb12$\r\n";

/* Everything that comes close to the end-line without being one. */
static const char v_fake_end_lines[] =
  "MSRP a786hjs2 SEND\r\n" PATHS "Message-ID: m1\r\nContent-Type: application/octet-stream\r\n\r\n"
  "-------a786hjs2$\r\n"
  "\r\n-------a786hjs2x"
  "\r\n-------a786hjs2$x"
  "\r\n-------a786hjs2$\rx"
  "\r\n-------a786hjs2+\n"
  "\r\n-------a786hjs2a$\r\n"
  "\r\n-------a786hjs$\r\n"
  "\r\n--------a786hjs2$\r\n"
  "\r\n------a786hjs2$\r\n"
  "\n-------a786hjs2$\r\n"
  "\r\r\n-------a786hjs2!\r\n"
  "\r\n-------a786hjs2\r\n-------a786hjs2#\r"
  "\r\n-------A786HJS2$\r\n"
  "\r\n-------a786hjs2"
  "\r\n-------a786hjs2$\r\n";

static const char v_fake_end_lines_body[] =
  "-------a786hjs2$\r\n"
  "\r\n-------a786hjs2x"
  "\r\n-------a786hjs2$x"
  "\r\n-------a786hjs2$\rx"
  "\r\n-------a786hjs2+\n"
  "\r\n-------a786hjs2a$\r\n"
  "\r\n-------a786hjs$\r\n"
  "\r\n--------a786hjs2$\r\n"
  "\r\n------a786hjs2$\r\n"
  "\n-------a786hjs2$\r\n"
  "\r\r\n-------a786hjs2!\r\n"
  "\r\n-------a786hjs2\r\n-------a786hjs2#\r"
  "\r\n-------A786HJS2$\r\n"
  "\r\n-------a786hjs2";

#define LONG_TID "a123456789b123456789c123456789d123456789e123456789f123456789g123"

#define V_LONG_TID_BODY "\r\n-------" LONG_TID "x and \r\n-------" LONG_TID "$ x\r\n"

static const char v_long_tid[] =
  "MSRP " LONG_TID " SEND\r\n" PATHS "Message-ID: m1\r\nContent-Type: text/plain\r\n\r\n"
  V_LONG_TID_BODY
  "\r\n-------" LONG_TID "+\r\n"
  "MSRP " LONG_TID " 200\r\n" PATHS "-------" LONG_TID "$\r\n";

static const char v_blank_lines_between[] =
  "\r\n"
  "MSRP bl12 SEND\r\n" PATHS "-------bl12$\r\n"
  "\r\n\r\n"
  "MSRP bl13 SEND\r\n" PATHS "-------bl13$\r\n";

static const char v_auth[] =
  "MSRP au12 AUTH\r\nTo-Path: msrps://relay.example.com;tcp\r\nFrom-Path: msrps://a.example.com/s1;tcp\r\n"
  "Expires: 900\r\n-------au12$\r\n"
  "MSRP au12 401 Unauthorized\r\nTo-Path: msrps://a.example.com/s1;tcp\r\n"
  "From-Path: msrps://relay.example.com;tcp\r\n"
  "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\", algorithm=MD5\r\n"
  "-------au12$\r\n";

static const char v_odd_headers[] =
  "MSRP oh12 NICKNAME  \r\n"
  "to-path:msrp://a.example.com/s1;tcp\r\n"
  "FROM-PATH: \t msrp://b.example.com/s2;tcp \t\r\n"
  "Use-Nickname: \"caf\xc3\xa9\"\r\n"
  "X-Empty:\r\n"
  "-------oh12$\r\n";

/* Recovery after malformed chunks: the next chunk is parsed. */
static const char v_no_colon[] =
  "MSRP mf12 SEND\r\n" PATHS "NoColonHere\r\n-------mf12$\r\n"
  "MSRP ok12 SEND\r\n" PATHS "-------ok12$\r\n";

static const char v_malformed_with_body[] =
  "MSRP mf13 SEND\r\n" PATHS "Bad Header: x\r\nContent-Type: text/plain\r\n\r\n"
  "-------ok12$\r\n\r\n-------mf13x\r\nMSRP ok12 SEND\r\n"
  "\r\n-------mf13$\r\n"
  "MSRP ok13 SEND\r\n" PATHS "Content-Type: text/plain\r\n\r\nhi\r\n-------ok13$\r\n";

static const char v_malformed_response[] =
  "MSRP mr12 200 OK\r\n" PATHS "X-Bad: \x01\r\n-------mr12$\r\n"
  "MSRP mr13 200 OK\r\n" PATHS "-------mr13$\r\n";

static const char v_bad_method[] =
  "MSRP bm12 send\r\n" PATHS "-------bm12$\r\n"
  "MSRP bm13 999 Odd\r\n" PATHS "-------bm13$\r\n";

static const char v_bad_code[] =
  "MSRP bc12 20x OK\r\n" PATHS "-------bc12$\r\n"
  "MSRP bc13 SEND\r\n" PATHS "-------bc13$\r\n";

static const char v_wrong_end_line_in_headers[] =
  "MSRP we12 SEND\r\n" PATHS "-------we13$\r\n"
  "MSRP we13 SEND\r\n" PATHS "-------we12$\r\n"
  "MSRP we14 SEND\r\n" PATHS "-------we14$\r\n";

static const char v_bare_lf[] =
  "MSRP lf12 SEND\r\n" PATHS "Message-ID: m1\n-------lf12$\r\n"
  "MSRP lf13 SEND\r\n" PATHS "-------lf13$\r\n";

static GPtrArray *vectors;

static Vector *
add_vector (const char *name,
            const void *data,
            gsize       len,
            const char *summary)
{
  Vector *v = g_new0 (Vector, 1);

  v->name = name;
  v->data = g_bytes_new (data, len);
  v->summary = summary;
  g_ptr_array_add (vectors, v);
  return v;
}

#define ADD(name, s, summary) add_vector (name, s, sizeof s - 1, summary)

static void
vector_free (gpointer data)
{
  Vector *v = data;

  g_bytes_unref (v->data);
  g_free ((char *) v->first_body);
  g_free (v->owned_summary);
  g_free (v);
}

static void
build_vectors (void)
{
  Vector *v;
  GString *s;

  vectors = g_ptr_array_new_with_free_func (vector_free);

  v = ADD ("rfc-send", v_send, "a786hjs2[23]$");
  v->first_body = g_strdup ("Hey Bob, are you there?");
  v->first_body_len = 23;
  ADD ("rfc-response", v_response, "a786hjs2$");
  ADD ("report", v_report, "dkei38sd$");
  ADD ("back-to-back", v_back_to_back, "d93kswow[10]+ d93kswow$ op2nc9a[10]+ qwe3v8z[6]$ 9sdj3kd[3]#");
  ADD ("no-body", v_no_body, "nb12$");
  ADD ("empty-body", v_empty_body, "eb12[0]$");
  v = ADD ("fake-end-lines", v_fake_end_lines, NULL);
  v->first_body = g_memdup2 (v_fake_end_lines_body, sizeof v_fake_end_lines_body - 1);
  v->first_body_len = sizeof v_fake_end_lines_body - 1;
  v->summary = v->owned_summary = g_strdup_printf ("a786hjs2[%" G_GSIZE_FORMAT "]$", v->first_body_len);
  v = ADD ("long-tid", v_long_tid, NULL);
  v->first_body = g_memdup2 (V_LONG_TID_BODY, sizeof V_LONG_TID_BODY - 1);
  v->first_body_len = sizeof V_LONG_TID_BODY - 1;
  v->summary = v->owned_summary = g_strdup_printf (LONG_TID "[%" G_GSIZE_FORMAT "]+ " LONG_TID "$",
                                                   v->first_body_len);
  ADD ("blank-lines-between", v_blank_lines_between, "bl12$ bl13$");
  ADD ("auth", v_auth, "au12$ au12$");
  ADD ("odd-headers", v_odd_headers, "oh12$");
  ADD ("no-colon", v_no_colon, "!mf12(SEND,MALFORMED) ok12$");
  ADD ("malformed-with-body", v_malformed_with_body, "!mf13(SEND,MALFORMED) ok13[2]$");
  ADD ("malformed-response", v_malformed_response, "!mr12((response),MALFORMED) mr13$");
  ADD ("bad-method", v_bad_method, "!bm12(send,MALFORMED) bm13$");
  ADD ("bad-code", v_bad_code, "!bc12((response),MALFORMED) bc13$");
  ADD ("wrong-end-line-in-headers", v_wrong_end_line_in_headers, "!we12(SEND,MALFORMED) we14$");
  ADD ("bare-lf", v_bare_lf, "!lf12(SEND,MALFORMED) lf13$");

  /* A binary body with every byte value, twice. */
  s = g_string_new ("MSRP bin12 SEND\r\n" PATHS "Content-Type: application/octet-stream\r\n\r\n");
  for (guint i = 0; i < 512; i++)
    g_string_append_c (s, (char) (i & 0xff));
  g_string_append (s, "\r\n-------bin12$\r\n");
  v = add_vector ("binary", s->str, s->len, "bin12[512]$");
  v->first_body = g_memdup2 (s->str + s->len - 512 - strlen ("\r\n-------bin12$\r\n"), 512);
  v->first_body_len = 512;
  g_string_free (s, TRUE);

  /* Hard limits, with small values so that every split point is cheap. */
  s = g_string_new ("MSRP ll12 SEND\r\n" PATHS "X-Long: ");
  g_string_append_printf (s, "%0100d\r\n-------ll12$\r\n", 0);
  g_string_append (s, "MSRP ll13 SEND\r\n" PATHS "Content-Type: a/b\r\n\r\nok\r\n-------ll13$\r\n");
  v = add_vector ("limit-line", s->str, s->len, "!ll12(SEND,LINE_TOO_LONG) ll13[2]$");
  v->max_line = 64, v->max_block = 4096, v->max_headers = 16;
  g_string_free (s, TRUE);

  /* The line is one byte too long only with its LF. */
  s = g_string_new ("MSRP lx12 SEND\r\n" PATHS "X-Long: ");
  g_string_append_printf (s, "%055d\r\n-------lx12$\r\n", 0);
  g_string_append (s, "MSRP lx13 SEND\r\n" PATHS "-------lx13$\r\n");
  v = add_vector ("limit-line-exact", s->str, s->len, "!lx12(SEND,LINE_TOO_LONG) lx13$");
  v->max_line = 64, v->max_block = 4096, v->max_headers = 16;
  g_string_free (s, TRUE);

  /* Responses have no method. */
  s = g_string_new ("MSRP lr12 200 OK\r\n" PATHS "X-Long: ");
  g_string_append_printf (s, "%0100d\r\n-------lr12$\r\n", 0);
  g_string_append (s, "MSRP lr13 200 OK\r\n" PATHS "-------lr13$\r\n");
  v = add_vector ("limit-line-response", s->str, s->len, "!lr12((response),LINE_TOO_LONG) lr13$");
  v->max_line = 64, v->max_block = 4096, v->max_headers = 16;
  g_string_free (s, TRUE);

  /* The header block grows past its limit over several short lines; the
   * chunk has a body, which is skipped. */
  s = g_string_new ("MSRP hb12 SEND\r\n" PATHS);
  for (guint i = 0; i < 8; i++)
    g_string_append_printf (s, "X-H%u: %040u\r\n", i, i);
  g_string_append (s, "Content-Type: text/plain\r\n\r\nskipped\r\n-------hb12+\r\n");
  g_string_append (s, "MSRP hb13 SEND\r\n" PATHS "-------hb13$\r\n");
  v = add_vector ("limit-block", s->str, s->len, "!hb12(SEND,HEADERS_TOO_LARGE) hb13$");
  v->max_line = 128, v->max_block = 300, v->max_headers = 64;
  g_string_free (s, TRUE);

  /* The block is one byte too large only with the LF of a line. */
  s = g_string_new ("MSRP hx12 SEND\r\n" PATHS);
  g_string_append_printf (s, "X-A: %0*d\r\n-------hx12$\r\n",
                          (int) (200 - strlen ("MSRP hx12 SEND\r\n" PATHS) - strlen ("X-A: \r\n")), 0);
  g_string_append (s, "MSRP hx13 SEND\r\n" PATHS "-------hx13$\r\n");
  v = add_vector ("limit-block-exact", s->str, s->len, "!hx12(SEND,HEADERS_TOO_LARGE) hx13$");
  v->max_line = 190, v->max_block = 199, v->max_headers = 64;
  g_string_free (s, TRUE);

  /* The block crosses its limit inside the end-line, at each of its bytes:
   * fed whole the line is dropped at its start, byte by byte in its
   * middle, and either way the end-line must still end the chunk, or the
   * next request is swallowed (issue 12, item 7). */
  for (guint at = 1; at <= strlen ("-------hy12$\r\n"); at++)
    {
      g_autofree char *name = g_strdup_printf ("limit-block-in-end-line-%u", at);
      gsize block;

      s = g_string_new ("MSRP hy12 SEND\r\n" PATHS "X-A: 0000000000000000000000000000000000000000\r\n");
      block = s->len;
      g_string_append (s, "-------hy12$\r\n");
      g_string_append (s, "MSRP hy13 SEND\r\n" PATHS "-------hy13$\r\n");
      v = add_vector (g_intern_string (name), s->str, s->len, "!hy12(SEND,HEADERS_TOO_LARGE) hy13$");
      v->max_line = 128, v->max_block = block + at - 1, v->max_headers = 64;
      g_string_free (s, TRUE);
    }

  /* After a bad line, the rest of the block is read to its end within
   * the limit; its body, even one that looks like header lines, is then
   * dropped up to the end-line. */
  s = g_string_new ("MSRP sk12 SEND\r\n" PATHS "Not a header\r\n");
  for (guint i = 0; i < 3; i++)
    g_string_append_printf (s, "X-H%u: %040u\r\n", i, i);
  g_string_append (s, "Content-Type: text/plain\r\n\r\n");
  for (guint i = 0; i < 20; i++)
    g_string_append_printf (s, "X-Body%u: %040u\r\n", i, i);
  g_string_append (s, "\r\n-------sk12+\r\n");
  g_string_append (s, "MSRP sk13 SEND\r\n" PATHS "-------sk13$\r\n");
  v = add_vector ("skip-block-then-body", s->str, s->len, "!sk12(SEND,MALFORMED) sk13$");
  v->max_line = 128, v->max_block = 400, v->max_headers = 64;
  g_string_free (s, TRUE);

  s = g_string_new ("MSRP hc12 SEND\r\n" PATHS);
  for (guint i = 0; i < 6; i++)
    g_string_append_printf (s, "X-H%u: %u\r\n", i, i);
  g_string_append (s, "-------hc12$\r\n");
  g_string_append (s, "MSRP hc13 SEND\r\n" PATHS "X-A: 1\r\nX-B: 2\r\n-------hc13$\r\n");
  v = add_vector ("limit-headers", s->str, s->len, "!hc12(SEND,TOO_MANY_HEADERS) hc13$");
  v->max_line = 128, v->max_block = 4096, v->max_headers = 4;
  g_string_free (s, TRUE);
}

static void
run_whole (const Vector *v,
           Recorder     *r)
{
  g_autoptr(MsrpChunkParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (v->data, &len);

  recorder_init (r);
  parser = new_parser (v, r);
  g_assert_true (_msrp_chunk_parser_is_idle (parser));
  g_assert_true (feed_piece (parser, r, data, len, &error));
  g_assert_no_error (error);
  g_assert_true (_msrp_chunk_parser_is_idle (parser));
  g_assert_false (_msrp_chunk_parser_in_body (parser));
}

static void
test_vector (gconstpointer data)
{
  const Vector *v = data;
  Recorder whole;
  gsize len;
  const guint8 *bytes = g_bytes_get_data (v->data, &len);
  g_autofree char *summary = NULL;
  GRand *rand;

  run_whole (v, &whole);
  summary = summarize (whole.events);
  g_assert_cmpstr (summary, ==, v->summary);
  if (v->first_body != NULL)
    {
      GString *b = NULL;

      for (guint i = 0; i < whole.events->len && b == NULL; i++)
        if (((GString *) g_ptr_array_index (whole.events, i))->str[0] == 'B')
          b = g_ptr_array_index (whole.events, i);
      g_assert_nonnull (b);
      g_assert_cmpmem (b->str + 1, b->len - 1, v->first_body, v->first_body_len);
    }

  /* Two pieces, at every split point. */
  for (gsize k = 0; k <= len; k++)
    {
      g_autoptr(MsrpChunkParser) parser = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *what = g_strdup_printf ("%s split at %" G_GSIZE_FORMAT, v->name, k);
      Recorder r;

      recorder_init (&r);
      parser = new_parser (v, &r);
      if (!feed_cut (parser, &r, bytes, len, &k, 1, &error))
        g_error ("%s: %s", what, error->message);
      assert_same_events (whole.events, r.events, what);
      g_assert_true (_msrp_chunk_parser_is_idle (parser));
      recorder_clear (&r);
    }

  /* Byte by byte. */
  {
    g_autoptr(MsrpChunkParser) parser = NULL;
    g_autoptr(GError) error = NULL;
    Recorder r;

    recorder_init (&r);
    parser = new_parser (v, &r);
    for (gsize i = 0; i < len; i++)
      g_assert_true (feed_piece (parser, &r, bytes + i, 1, &error));
    g_assert_no_error (error);
    assert_same_events (whole.events, r.events, "byte by byte");
    g_assert_true (_msrp_chunk_parser_is_idle (parser));
    recorder_clear (&r);
  }

  /* Three pieces of every pair of sizes would be slow: pseudo-random cuts. */
  rand = g_rand_new_with_seed (4975);
  for (guint round = 0; round < 50; round++)
    {
      g_autoptr(MsrpChunkParser) parser = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gsize));
      gsize at = 0;
      Recorder r;

      for (;;)
        {
          at += g_rand_int_range (rand, 1, 2 + round);
          if (at >= len)
            break;
          g_array_append_val (cuts, at);
        }
      recorder_init (&r);
      parser = new_parser (v, &r);
      g_assert_true (feed_cut (parser, &r, bytes, len, (gsize *) (gpointer) cuts->data, cuts->len, &error));
      g_assert_no_error (error);
      assert_same_events (whole.events, r.events, "random cuts");
      recorder_clear (&r);
    }
  g_rand_free (rand);

  /* Pausing in every callback changes nothing either, whole or split. */
  for (gsize k = 0; k <= len; k += (k < 64 ? 1 : 7))
    {
      g_autoptr(MsrpChunkParser) parser = NULL;
      g_autoptr(GError) error = NULL;
      Recorder r;

      recorder_init (&r);
      r.pause_head = r.pause_body = r.pause_end = r.pause_malformed = TRUE;
      parser = new_parser (v, &r);
      g_assert_true (feed_cut (parser, &r, bytes, len, &k, 1, &error));
      g_assert_no_error (error);
      assert_same_events (whole.events, r.events, "pausing everywhere");
      g_assert_true (_msrp_chunk_parser_is_idle (parser));
      recorder_clear (&r);
    }

  recorder_clear (&whole);
}

/* Zero copy */

static void
test_zero_copy (void)
{
  const char *inputs[] = { v_send, v_back_to_back, v_fake_end_lines, v_long_tid };

  for (guint n = 0; n < G_N_ELEMENTS (inputs); n++)
    {
      g_autoptr(MsrpChunkParser) parser = NULL;
      g_autoptr(GError) error = NULL;
      gsize len = strlen (inputs[n]);
      guint8 *buf = g_memdup2 (inputs[n], len);
      guint n_bodies = 0;
      Recorder r;
      gsize consumed;

      recorder_init (&r);
      parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);
      r.feed_data = buf;
      r.feed_len = len;
      g_assert_true (_msrp_chunk_parser_feed (parser, buf, len, &consumed, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (consumed, ==, len);

      /* One slice per non-empty body, inside the caller's buffer. */
      for (guint i = 0; i < r.events->len; i++)
        if (((GString *) g_ptr_array_index (r.events, i))->str[0] == 'B')
          n_bodies++;
      g_assert_cmpuint (n_bodies, >, 0);
      g_assert_cmpuint (r.body_slices, ==, n_bodies);
      g_assert_cmpuint (r.body_slices_in_feed, ==, n_bodies);
      recorder_clear (&r);
      g_free (buf);
    }
}

/* Pausing */

static gsize
offset_after (const char *haystack,
              const char *needle,
              guint       nth)
{
  const char *p = haystack;

  for (guint i = 0; i <= nth; i++)
    {
      p = strstr (i == 0 ? p : p + 1, needle);
      g_assert_nonnull (p);
    }
  return (p - haystack) + strlen (needle);
}

static void
test_pause_head_with_body (void)
{
  g_autoptr(MsrpChunkParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data = (const guint8 *) v_send;
  gsize len = strlen (v_send);
  gsize consumed = 0;
  Recorder r;

  recorder_init (&r);
  r.pause_head = TRUE;
  parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);

  g_assert_true (_msrp_chunk_parser_feed (parser, data, len, &consumed, &error));
  g_assert_true (r.paused);
  g_assert_cmpint (r.paused_in, ==, 'H');
  /* Stopped right after the blank line that ends the header block. */
  g_assert_cmpuint (consumed, ==, offset_after (v_send, "\r\n\r\n", 0));
  g_assert_cmpuint (r.events->len, ==, 1);
  g_assert_false (_msrp_chunk_parser_is_idle (parser));
  g_assert_true (_msrp_chunk_parser_in_body (parser));

  r.pause_head = FALSE;
  r.paused = FALSE;
  {
    gsize more = 0;

    g_assert_true (_msrp_chunk_parser_feed (parser, data + consumed, len - consumed, &more, &error));
    g_assert_false (r.paused);
    g_assert_cmpuint (consumed + more, ==, len);
  }
  g_assert_no_error (error);
  {
    g_autofree char *summary = summarize (r.events);
    g_assert_cmpstr (summary, ==, "a786hjs2[23]$");
  }
  g_assert_true (_msrp_chunk_parser_is_idle (parser));
  recorder_clear (&r);
}

static void
test_pause_head_without_body (void)
{
  g_autoptr(MsrpChunkParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *two = g_strconcat (v_no_body, v_response, NULL);
  const guint8 *data = (const guint8 *) two;
  gsize len = strlen (two);
  gsize consumed = 0;
  Recorder r;

  recorder_init (&r);
  r.pause_head = TRUE;
  parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);

  g_assert_true (_msrp_chunk_parser_feed (parser, data, len, &consumed, &error));
  g_assert_true (r.paused);
  g_assert_cmpint (r.paused_in, ==, 'H');
  /* The head of a chunk without body comes with its end-line: consumed
   * covers it, but the end is not delivered before the next feed. */
  g_assert_cmpuint (consumed, ==, strlen (v_no_body));
  g_assert_cmpuint (r.events->len, ==, 1);
  g_assert_true (r.in_chunk);
  g_assert_false (_msrp_chunk_parser_is_idle (parser));
  g_assert_false (_msrp_chunk_parser_in_body (parser));

  /* A feed of nothing delivers the pending end, and the parser is idle. */
  r.pause_head = FALSE;
  r.paused = FALSE;
  {
    gsize zero = 123;

    g_assert_true (_msrp_chunk_parser_feed (parser, data + consumed, 0, &zero, &error));
    g_assert_cmpuint (zero, ==, 0);
  }
  g_assert_false (r.in_chunk);
  g_assert_cmpuint (r.events->len, ==, 2);
  g_assert_true (_msrp_chunk_parser_is_idle (parser));

  /* Pausing again in the next head, then the end is given with the rest. */
  r.pause_head = TRUE;
  {
    gsize more = 0;

    g_assert_true (_msrp_chunk_parser_feed (parser, data + consumed, len - consumed, &more, &error));
    g_assert_true (r.paused);
    g_assert_cmpuint (consumed + more, ==, len);
    g_assert_false (_msrp_chunk_parser_is_idle (parser));
    r.pause_head = FALSE;
    r.paused = FALSE;
    g_assert_true (_msrp_chunk_parser_feed (parser, data + len, 0, &more, &error));
    g_assert_cmpuint (more, ==, 0);
  }
  g_assert_no_error (error);
  {
    g_autofree char *summary = summarize (r.events);
    g_assert_cmpstr (summary, ==, "nb12$ a786hjs2$");
  }
  g_assert_true (_msrp_chunk_parser_is_idle (parser));
  recorder_clear (&r);
}

static void
test_pause_head_without_body_then_pause_end (void)
{
  g_autoptr(MsrpChunkParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *two = g_strconcat (v_no_body, v_no_body, NULL);
  const guint8 *data = (const guint8 *) two;
  gsize len = strlen (two);
  gsize consumed = 0, more = 0;
  Recorder r;

  recorder_init (&r);
  r.pause_head = TRUE;
  r.pause_end = TRUE;
  parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);

  g_assert_true (_msrp_chunk_parser_feed (parser, data, len, &consumed, &error));
  g_assert_cmpint (r.paused_in, ==, 'H');
  g_assert_cmpuint (consumed, ==, strlen (v_no_body));

  /* The pending end pauses too: nothing of the new data is consumed. */
  g_assert_true (_msrp_chunk_parser_feed (parser, data + consumed, len - consumed, &more, &error));
  g_assert_cmpint (r.paused_in, ==, 'E');
  g_assert_cmpuint (more, ==, 0);
  g_assert_true (_msrp_chunk_parser_is_idle (parser));

  g_assert_true (_msrp_chunk_parser_feed (parser, data + consumed, len - consumed, &more, &error));
  g_assert_cmpint (r.paused_in, ==, 'H');
  g_assert_cmpuint (consumed + more, ==, len);
  g_assert_true (_msrp_chunk_parser_feed (parser, data + len, 0, &more, &error));
  g_assert_cmpint (r.paused_in, ==, 'E');
  g_assert_cmpuint (more, ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (r.events->len, ==, 4);
  g_assert_true (_msrp_chunk_parser_is_idle (parser));
  recorder_clear (&r);
}

static void
test_pause_body (void)
{
  /* The body has a fake end-line, so that a pause can happen in a body
   * delivered in several slices when fed in pieces. */
  const char *input = v_fake_end_lines;
  gsize len = strlen (input);
  gsize body_start = offset_after (input, "\r\n\r\n", 0);
  gsize body_end = body_start + strlen (v_fake_end_lines_body);

  for (gsize k = 0; k <= len; k++)
    {
      g_autoptr(MsrpChunkParser) parser = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GByteArray) body = g_byte_array_new ();
      gsize off = 0;
      guint pauses = 0;
      Recorder r;

      recorder_init (&r);
      r.pause_body = TRUE;
      parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);

      /* First piece [0, k), then [k, len), resuming after each pause. */
      for (guint piece = 0; piece < 2; piece++)
        {
          gsize piece_end = piece == 0 ? k : len;

          for (;;)
            {
              gsize consumed = 0;
              gsize slices_before = r.body_slices;

              r.paused = FALSE;
              r.feed_data = (const guint8 *) input + off;
              r.feed_len = piece_end - off;
              g_assert_true (_msrp_chunk_parser_feed (parser, (const guint8 *) input + off,
                                                     piece_end - off, &consumed, &error));
              if (r.paused)
                {
                  g_assert_cmpint (r.paused_in, ==, 'B');
                  g_assert_cmpuint (r.body_slices, ==, slices_before + 1);
                  /* A slice of the fed buffer: consumed stops right after
                   * it. A slice of bytes held back from the previous feed
                   * comes first, before anything of this one is used. */
                  if (r.last_in_feed)
                    g_assert_cmpuint (consumed, ==, r.last_body_end);
                  else
                    g_assert_cmpuint (consumed, ==, 0);
                  g_assert_true (_msrp_chunk_parser_in_body (parser));
                  g_assert_cmpuint (off + consumed, <=, body_end);
                  pauses++;
                }
              off += consumed;
              r.body_slices_in_feed = 0;
              if (!r.paused)
                {
                  g_assert_cmpuint (off, ==, piece_end);
                  break;
                }
            }
        }
      g_assert_no_error (error);
      g_assert_cmpuint (pauses, >=, 1);
      g_assert_cmpuint (r.events->len, ==, 3);
      {
        GString *b = g_ptr_array_index (r.events, 1);

        g_assert_cmpmem (b->str + 1, b->len - 1, v_fake_end_lines_body, strlen (v_fake_end_lines_body));
      }
      g_assert_true (_msrp_chunk_parser_is_idle (parser));
      recorder_clear (&r);
    }
}

static void
test_pause_end (void)
{
  g_autoptr(MsrpChunkParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  const char *input = v_back_to_back;
  const guint8 *data = (const guint8 *) input;
  gsize len = strlen (input);
  gsize off = 0;
  guint n = 0;
  Recorder r;

  recorder_init (&r);
  r.pause_end = TRUE;
  parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);

  /* Each pause comes right after an end-line. */
  while (off < len)
    {
      gsize consumed = 0;
      const char *flags[] = { "-------d93kswow+\r\n", "-------d93kswow$\r\n", "-------op2nc9a+\r\n",
                              "-------qwe3v8z$\r\n", "-------9sdj3kd#\r\n" };

      r.paused = FALSE;
      g_assert_true (_msrp_chunk_parser_feed (parser, data + off, len - off, &consumed, &error));
      g_assert_true (r.paused);
      g_assert_cmpint (r.paused_in, ==, 'E');
      g_assert_cmpuint (n, <, G_N_ELEMENTS (flags));
      g_assert_cmpuint (off + consumed, ==, offset_after (input, flags[n], 0));
      g_assert_true (_msrp_chunk_parser_is_idle (parser));
      off += consumed;
      n++;
    }
  g_assert_cmpuint (n, ==, 5);
  g_assert_no_error (error);
  recorder_clear (&r);
}

static void
test_pause_malformed (void)
{
  g_autoptr(MsrpChunkParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  const char *input = v_no_colon;
  const guint8 *data = (const guint8 *) input;
  gsize len = strlen (input);
  gsize consumed = 0, more = 0;
  Recorder r;

  recorder_init (&r);
  r.pause_malformed = TRUE;
  parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);

  g_assert_true (_msrp_chunk_parser_feed (parser, data, len, &consumed, &error));
  g_assert_cmpint (r.paused_in, ==, 'M');
  /* Stopped after the bad line; the rest of the chunk is still to skip. */
  g_assert_cmpuint (consumed, ==, offset_after (input, "NoColonHere\r\n", 0));
  g_assert_false (_msrp_chunk_parser_is_idle (parser));

  r.paused = FALSE;
  g_assert_true (_msrp_chunk_parser_feed (parser, data + consumed, len - consumed, &more, &error));
  g_assert_false (r.paused);
  g_assert_cmpuint (consumed + more, ==, len);
  {
    g_autofree char *summary = summarize (r.events);
    g_assert_cmpstr (summary, ==, "!mf12(SEND,MALFORMED) ok12$");
  }
  g_assert_true (_msrp_chunk_parser_is_idle (parser));
  recorder_clear (&r);
}

/* Idle and in-body states */

static void
test_idle (void)
{
  g_autoptr(MsrpChunkParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  const char *input = v_send;
  gsize len = strlen (input);
  gsize head_end = offset_after (input, "\r\n\r\n", 0);
  Recorder r;

  recorder_init (&r);
  parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);
  g_assert_true (_msrp_chunk_parser_is_idle (parser));

  /* Byte by byte: idle only before the first byte and after the last. */
  for (gsize i = 0; i < len; i++)
    {
      gsize consumed;

      g_assert_true (_msrp_chunk_parser_feed (parser, (const guint8 *) input + i, 1, &consumed, &error));
      g_assert_cmpuint (consumed, ==, 1);
      if (i + 1 < len)
        g_assert_false (_msrp_chunk_parser_is_idle (parser));
      else
        g_assert_true (_msrp_chunk_parser_is_idle (parser));
      /* In the body from the blank line to the end-line. */
      g_assert_cmpint (_msrp_chunk_parser_in_body (parser), ==, i + 1 >= head_end && i + 1 < len);
    }
  g_assert_no_error (error);

  /* Stray blank lines between chunks leave it idle. */
  g_assert_true (_msrp_chunk_parser_feed (parser, (const guint8 *) "\r\n", 2, NULL, &error));
  g_assert_true (_msrp_chunk_parser_is_idle (parser));
  /* A lone CR is the beginning of a line. */
  g_assert_true (_msrp_chunk_parser_feed (parser, (const guint8 *) "\r", 1, NULL, &error));
  g_assert_false (_msrp_chunk_parser_is_idle (parser));
  g_assert_true (_msrp_chunk_parser_feed (parser, (const guint8 *) "\n", 1, NULL, &error));
  g_assert_true (_msrp_chunk_parser_is_idle (parser));
  /* Skipping a malformed chunk is not idle. */
  g_assert_true (_msrp_chunk_parser_feed (parser, (const guint8 *) "MSRP x123 SEND\r\nBad\r\n", 21, NULL, &error));
  g_assert_false (_msrp_chunk_parser_is_idle (parser));
  g_assert_false (_msrp_chunk_parser_in_body (parser));
  g_assert_true (_msrp_chunk_parser_feed (parser, (const guint8 *) "-------x123$\r\n", 14, NULL, &error));
  g_assert_true (_msrp_chunk_parser_is_idle (parser));
  g_assert_no_error (error);

  /* reset() drops a partial chunk. */
  g_assert_true (_msrp_chunk_parser_feed (parser, (const guint8 *) input, 40, NULL, &error));
  g_assert_false (_msrp_chunk_parser_is_idle (parser));
  _msrp_chunk_parser_reset (parser);
  g_assert_true (_msrp_chunk_parser_is_idle (parser));
  recorder_clear (&r);
}

/* Fatal errors */

static const TestRefusal fatal_cases[] = {
  { "http", "HTTP/1.1 200 OK\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "http-get", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "lower-case-msrp", "msrp abcd SEND\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "no-tid", "MSRP SEND\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "bad-tid", "MSRP a_b SEND\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "tid-too-long", "MSRP " LONG_TID "x SEND\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "binary", "\x16\x03\x01\x02\xfc\x01\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "after-a-chunk", "MSRP ok12 SEND\r\n" PATHS "-------ok12$\r\nSIP/2.0 200 OK\r\n", MSRP_ERROR_MALFORMED_CHUNK },
};

static void
test_fatal (gconstpointer data)
{
  const TestRefusal *t = data;
  gsize len = strlen (t->input);

  /* Whole, and at every split point: the same error. */
  for (gsize k = 0; k <= len; k++)
    {
      g_autoptr(MsrpChunkParser) parser = NULL;
      g_autoptr(GError) error = NULL;
      Recorder r;

      recorder_init (&r);
      parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);
      g_assert_false (feed_cut (parser, &r, (const guint8 *) t->input, len, &k, 1, &error));
      g_assert_error (error, MSRP_ERROR, (gint) t->code);
      g_clear_error (&error);

      /* The parser stays failed... */
      g_assert_false (_msrp_chunk_parser_feed (parser, (const guint8 *) v_send, strlen (v_send), NULL, &error));
      g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CHUNK);
      g_clear_error (&error);
      for (guint i = 0; i < r.events->len; i++)
        g_assert_cmpint (((GString *) g_ptr_array_index (r.events, i))->str[0], !=, 'M');

      /* ...until reset. */
      _msrp_chunk_parser_reset (parser);
      g_ptr_array_set_size (r.events, 0);
      g_assert_true (feed_piece (parser, &r, (const guint8 *) v_send, strlen (v_send), &error));
      g_assert_no_error (error);
      {
        g_autofree char *summary = summarize (r.events);
        g_assert_cmpstr (summary, ==, "a786hjs2[23]$");
      }
      recorder_clear (&r);
    }
}

static void
test_fatal_start_line_too_long (void)
{
  g_autofree char *garbage = g_strnfill (MSRP_PARSER_MAX_LINE + 10, 'A');
  g_autofree char *long_method = g_strdup_printf ("MSRP abcd %s\r\n", garbage);
  const char *inputs[] = { garbage, long_method };

  for (guint n = 0; n < G_N_ELEMENTS (inputs); n++)
    {
      gsize len = strlen (inputs[n]);
      const gsize splits[] = { len, 1, 5, 10, MSRP_PARSER_MAX_LINE - 1, MSRP_PARSER_MAX_LINE,
                               MSRP_PARSER_MAX_LINE + 1 };

      for (guint s = 0; s < G_N_ELEMENTS (splits); s++)
        {
          g_autoptr(MsrpChunkParser) parser = NULL;
          g_autoptr(GError) error = NULL;
          gsize k = splits[s];
          Recorder r;

          recorder_init (&r);
          parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);
          g_assert_false (feed_cut (parser, &r, (const guint8 *) inputs[n], len, &k, k < len ? 1 : 0, &error));
          g_assert_error (error, MSRP_ERROR, MSRP_ERROR_LINE_TOO_LONG);
          g_assert_cmpuint (r.events->len, ==, 0);
          recorder_clear (&r);
        }
    }

  /* With a small limit, byte by byte. */
  {
    g_autoptr(MsrpChunkParser) parser = NULL;
    g_autoptr(GError) error = NULL;
    const char *input = "MSRP abcdefgh SEND\r\n";
    gboolean failed = FALSE;
    Recorder r;

    recorder_init (&r);
    parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);
    _msrp_chunk_parser_set_limits (parser, 16, 1024, 8);
    for (gsize i = 0; i < strlen (input) && !failed; i++)
      failed = !_msrp_chunk_parser_feed (parser, (const guint8 *) input + i, 1, NULL, &error);
    g_assert_true (failed);
    g_assert_error (error, MSRP_ERROR, MSRP_ERROR_LINE_TOO_LONG);
    recorder_clear (&r);
  }
}

/* The header block of a chunk reported malformed (a bad line, too many
 * headers) is still read line by line up to its end: when it goes past
 * the limit, the stream fails there, at the byte that crosses it, instead
 * of being dropped for ever while an end-line is looked for (issue 12,
 * item 12). */
static void
test_malformed_block_never_ends (void)
{
  const struct {
    const char *first;     /* what makes the chunk malformed */
    const char *filler;    /* then lines of this, for ever */
    const char *expected;
    MsrpError code;
  } cases[] = {
    { "Not a header\r\n", "X-Filler: 0123456789012345678901234567890123456789\r\n",
      "!nb12(SEND,MALFORMED)", MSRP_ERROR_HEADERS_TOO_LARGE },
    { "", "X-Filler: 0123456789012345678901234567890123456789\r\n",
      "!nb12(SEND,TOO_MANY_HEADERS)", MSRP_ERROR_HEADERS_TOO_LARGE },
    { "Not a header\r\n", "X-Long: 0123456789012345678901234567890123456789",
      "!nb12(SEND,MALFORMED)", MSRP_ERROR_LINE_TOO_LONG },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      GString *s = g_string_new ("MSRP nb12 SEND\r\n" PATHS);
      gsize fail_at;

      g_string_append (s, cases[c].first);
      while (s->len < MSRP_PARSER_MAX_HEADER_BLOCK + 4096)
        g_string_append (s, cases[c].filler);
      if (cases[c].code == MSRP_ERROR_HEADERS_TOO_LARGE)
        fail_at = MSRP_PARSER_MAX_HEADER_BLOCK;
      else
        fail_at = strlen ("MSRP nb12 SEND\r\n" PATHS) + strlen (cases[c].first) + MSRP_PARSER_MAX_LINE;

      /* Byte by byte: it fails at the byte past the limit. */
      {
        g_autoptr(MsrpChunkParser) parser = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *summary = NULL;
        gsize i;
        Recorder r;

        recorder_init (&r);
        parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);
        for (i = 0; i < s->len; i++)
          if (!_msrp_chunk_parser_feed (parser, (const guint8 *) s->str + i, 1, NULL, &error))
            break;
        g_assert_error (error, MSRP_ERROR, (gint) cases[c].code);
        g_assert_cmpuint (i, ==, fail_at);
        summary = summarize (r.events);
        g_assert_cmpstr (summary, ==, cases[c].expected);
        recorder_clear (&r);
      }

      /* Whole, and in pieces: the same. */
      for (gsize piece = 1000; piece <= s->len; piece = piece == s->len ? s->len + 1 : s->len)
        {
          g_autoptr(MsrpChunkParser) parser = NULL;
          g_autoptr(GError) error = NULL;
          g_autofree char *summary = NULL;
          Recorder r;

          recorder_init (&r);
          parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);
          for (gsize at = 0; at < s->len && error == NULL; at += piece)
            _msrp_chunk_parser_feed (parser, (const guint8 *) s->str + at, MIN (piece, s->len - at), NULL, &error);
          g_assert_error (error, MSRP_ERROR, (gint) cases[c].code);
          summary = summarize (r.events);
          g_assert_cmpstr (summary, ==, cases[c].expected);
          recorder_clear (&r);
        }
      g_string_free (s, TRUE);
    }
}

/* Hard limits at their default values */

static void
run_default_limit (const char *input,
                   gsize       len,
                   const char *expected)
{
  g_autofree char *summary = NULL;
  g_autoptr(GError) error = NULL;
  const gsize splits[] = { 0, 1, 17, len / 3, len / 2, len - 20, len - 1 };
  Recorder whole;

  {
    g_autoptr(MsrpChunkParser) parser = NULL;

    recorder_init (&whole);
    parser = _msrp_chunk_parser_new (&recorder_callbacks, &whole);
    g_assert_true (feed_piece (parser, &whole, (const guint8 *) input, len, &error));
    g_assert_no_error (error);
    summary = summarize (whole.events);
    g_assert_cmpstr (summary, ==, expected);
  }

  for (guint s = 0; s < G_N_ELEMENTS (splits); s++)
    {
      g_autoptr(MsrpChunkParser) parser = NULL;
      gsize k = splits[s];
      Recorder r;

      recorder_init (&r);
      parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);
      g_assert_true (feed_cut (parser, &r, (const guint8 *) input, len, &k, 1, &error));
      g_assert_no_error (error);
      assert_same_events (whole.events, r.events, "default limits, split");
      recorder_clear (&r);
    }

  /* In pieces of 1000 bytes. */
  {
    g_autoptr(MsrpChunkParser) parser = NULL;
    g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gsize));
    Recorder r;

    for (gsize at = 1000; at < len; at += 1000)
      g_array_append_val (cuts, at);
    recorder_init (&r);
    parser = _msrp_chunk_parser_new (&recorder_callbacks, &r);
    g_assert_true (feed_cut (parser, &r, (const guint8 *) input, len, (gsize *) (gpointer) cuts->data,
                             cuts->len, &error));
    g_assert_no_error (error);
    assert_same_events (whole.events, r.events, "default limits, pieces of 1000");
    recorder_clear (&r);
  }
  recorder_clear (&whole);
}

static void
test_default_limits (void)
{
  GString *s;

  /* A header line over 16 KiB. */
  s = g_string_new ("MSRP dl12 SEND\r\n" PATHS "X-Long: ");
  for (guint i = 0; i < MSRP_PARSER_MAX_LINE; i++)
    g_string_append_c (s, 'a' + i % 26);
  g_string_append (s, "\r\nContent-Type: text/plain\r\n\r\nbody\r\n-------dl12$\r\n");
  g_string_append (s, "MSRP dl13 SEND\r\n" PATHS "-------dl13$\r\n");
  run_default_limit (s->str, s->len, "!dl12(SEND,LINE_TOO_LONG) dl13$");
  g_string_free (s, TRUE);

  /* A header block over 64 KiB of lines each under 16 KiB. */
  s = g_string_new ("MSRP dl14 SEND\r\n" PATHS);
  for (guint h = 0; h < 5; h++)
    {
      g_string_append_printf (s, "X-Big-%u: ", h);
      for (guint i = 0; i < 15000; i++)
        g_string_append_c (s, 'a' + (i + h) % 26);
      g_string_append (s, "\r\n");
    }
  g_assert_cmpuint (s->len, >, MSRP_PARSER_MAX_HEADER_BLOCK);
  g_string_append (s, "-------dl14$\r\n");
  g_string_append (s, "MSRP dl15 200 OK\r\n" PATHS "-------dl15$\r\n");
  run_default_limit (s->str, s->len, "!dl14(SEND,HEADERS_TOO_LARGE) dl15$");
  g_string_free (s, TRUE);

  /* More than 64 headers. */
  s = g_string_new ("MSRP dl16 SEND\r\n" PATHS);
  for (guint h = 0; h < MSRP_PARSER_MAX_HEADERS; h++)
    g_string_append_printf (s, "X-H%u: %u\r\n", h, h);
  g_string_append (s, "-------dl16$\r\n");
  g_string_append (s, "MSRP dl17 SEND\r\n" PATHS);
  for (guint h = 0; h < MSRP_PARSER_MAX_HEADERS - 2; h++)
    g_string_append_printf (s, "X-H%u: %u\r\n", h, h);
  g_string_append (s, "-------dl17$\r\n");
  run_default_limit (s->str, s->len, "!dl16(SEND,TOO_MANY_HEADERS) dl17$");
  g_string_free (s, TRUE);

  /* Just under every limit: fine. */
  s = g_string_new ("MSRP dl18 SEND\r\n" PATHS);
  g_string_append (s, "X-Long: ");
  while (s->len < strlen ("MSRP dl18 SEND\r\n" PATHS) + MSRP_PARSER_MAX_LINE - 2)
    g_string_append_c (s, 'z');
  g_string_append (s, "\r\n-------dl18$\r\n");
  run_default_limit (s->str, s->len, "dl18$");
  g_string_free (s, TRUE);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  build_vectors ();

  for (guint i = 0; i < vectors->len; i++)
    {
      Vector *v = g_ptr_array_index (vectors, i);

      test_add_case ("/parser/vector", v->name, v, test_vector);
    }
  g_test_add_func ("/parser/zero-copy", test_zero_copy);
  g_test_add_func ("/parser/pause/head-with-body", test_pause_head_with_body);
  g_test_add_func ("/parser/pause/head-without-body", test_pause_head_without_body);
  g_test_add_func ("/parser/pause/head-without-body-then-end", test_pause_head_without_body_then_pause_end);
  g_test_add_func ("/parser/pause/body", test_pause_body);
  g_test_add_func ("/parser/pause/end", test_pause_end);
  g_test_add_func ("/parser/pause/malformed", test_pause_malformed);
  g_test_add_func ("/parser/idle", test_idle);
  TEST_ADD_TABLE ("/parser/fatal", fatal_cases, test_fatal);
  g_test_add_func ("/parser/fatal/start-line-too-long", test_fatal_start_line_too_long);
  g_test_add_func ("/parser/fatal/malformed-block-never-ends", test_malformed_block_never_ends);
  g_test_add_func ("/parser/limits/default", test_default_limits);

  ret = g_test_run ();
  g_ptr_array_unref (vectors);
  return ret;
}
