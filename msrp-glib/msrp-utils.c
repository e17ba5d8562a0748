/* msrp-utils.c: small helpers shared inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <libintl.h>
#include <gnutls/crypto.h>

#include "msrp-utils-private.h"
#include "msrp-version.h"

#ifdef G_OS_UNIX
#include <pthread.h>
#endif

const char *
_msrp_gettext (const char *msgid)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }

  return g_dgettext (GETTEXT_PACKAGE, msgid);
}

/* Ids and nonces come from GnuTLS's CSPRNG: GLib's g_random is a Mersenne
 * Twister, whose future output a few hundred observed values predict.
 * Nonce-level bytes are drawn in batches into a per-thread buffer, since
 * the message path makes two ids a message and one gnutls_rnd() call costs
 * more than the ident. */
#define RANDOM_BUFFER_SIZE 512

typedef struct {
  gsize  used;
  guint8 bytes[RANDOM_BUFFER_SIZE];
} RandomBuffer;

static GPrivate random_buffer_key = G_PRIVATE_INIT (g_free);

static void
random_fill (gnutls_rnd_level_t level,
             gpointer           data,
             gsize              length)
{
  /* Fails only when the system has no entropy source or a FIPS self-test
   * failed: nothing safe is left to give. */
  if (gnutls_rnd (level, data, length) < 0)
    g_error ("gnutls_rnd() failed: msrp-glib has no secure random numbers");
}

#ifdef G_OS_UNIX
/* A forked child must not hand out the parent's remaining bytes. The
 * handler runs in the child's only thread, the one that forked. */
static void
random_after_fork (void)
{
  RandomBuffer *buffer = g_private_get (&random_buffer_key);

  if (buffer != NULL)
    buffer->used = RANDOM_BUFFER_SIZE;
}
#endif

/* Fills @data with @length bytes from a cryptographically secure generator. */
void
_msrp_random_bytes (MsrpRandomLevel level,
                    gpointer        data,
                    gsize           length)
{
  RandomBuffer *buffer;

  if (level == MSRP_RANDOM_SECRET || length > RANDOM_BUFFER_SIZE / 4)
    {
      random_fill (level == MSRP_RANDOM_SECRET ? GNUTLS_RND_RANDOM : GNUTLS_RND_NONCE, data, length);
      return;
    }

  buffer = g_private_get (&random_buffer_key);
  if (G_UNLIKELY (buffer == NULL))
    {
#ifdef G_OS_UNIX
      static gsize registered = 0;

      if (g_once_init_enter (&registered))
        {
          pthread_atfork (NULL, NULL, random_after_fork);
          g_once_init_leave (&registered, 1);
        }
#endif
      buffer = g_new (RandomBuffer, 1);
      buffer->used = RANDOM_BUFFER_SIZE;
      g_private_set (&random_buffer_key, buffer);
    }

  if (buffer->used + length > RANDOM_BUFFER_SIZE)
    {
      random_fill (GNUTLS_RND_NONCE, buffer->bytes, RANDOM_BUFFER_SIZE);
      buffer->used = 0;
    }
  memcpy (data, buffer->bytes + buffer->used, length);
  buffer->used += length;
}

/* A random ident (RFC 4975) of lower-case letters and digits, 5.17 bits a
 * character (16 characters carry 82 bits). One byte a character; bytes from
 * 252 up are skipped so that every character is equally likely. */
char *
_msrp_random_ident (MsrpRandomLevel level,
                    gsize           length)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  char *ident = g_malloc (length + 1);
  guint8 bytes[64];
  gsize i = 0;

  while (i < length)
    {
      gsize n = MIN (length - i, sizeof bytes);

      _msrp_random_bytes (level, bytes, n);
      for (gsize j = 0; j < n; j++)
        if (bytes[j] < 252)
          ident[i++] = alphabet[bytes[j] % 36];
    }
  ident[length] = '\0';

  return ident;
}

gboolean
_msrp_is_ident (const char *str,
               gssize      len)
{
  if (len < 0)
    len = strlen (str);
  if (len < 1 || len > MSRP_IDENT_MAX_LEN || !g_ascii_isalnum (str[0]))
    return FALSE;
  for (gssize i = 1; i < len; i++)
    if (!_msrp_is_ident_char (str[i]))
      return FALSE;
  return TRUE;
}

gboolean
_msrp_is_token (const char *str,
               gssize      len)
{
  if (len < 0)
    len = strlen (str);
  if (len < 1)
    return FALSE;
  for (gssize i = 0; i < len; i++)
    if (!_msrp_is_token_char (str[i]))
      return FALSE;
  return TRUE;
}

/* What may go into a header value without breaking the framing:
 * valid UTF-8 without control characters other than tab. */
gboolean
_msrp_is_header_value (const char *str)
{
  for (const guchar *p = (const guchar *) str; *p; p++)
    if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
      return FALSE;
  return g_utf8_validate (str, -1, NULL);
}

/**
 * msrp_get_major_version:
 *
 * Gets the major version of the library loaded at run time.
 *
 * Returns: the major version of the msrp-glib library in use at run time
 *
 * Since: 1.0
 */
guint
msrp_get_major_version (void)
{
  return MSRP_MAJOR_VERSION;
}

/**
 * msrp_get_minor_version:
 *
 * Gets the minor version of the library loaded at run time.
 *
 * Returns: the minor version of the msrp-glib library in use at run time
 *
 * Since: 1.0
 */
guint
msrp_get_minor_version (void)
{
  return MSRP_MINOR_VERSION;
}

/**
 * msrp_get_micro_version:
 *
 * Gets the micro version of the library loaded at run time.
 *
 * Returns: the micro version of the msrp-glib library in use at run time
 *
 * Since: 1.0
 */
guint
msrp_get_micro_version (void)
{
  return MSRP_MICRO_VERSION;
}

/* @datetime as RFC 3339 writes it (CPIM DateTime, IMDN and is-composing
 * dates): Z for UTC, else the offset in minutes. */
char *
_msrp_format_rfc3339 (GDateTime *datetime)
{
  g_autoptr(GDateTime) utc = NULL;
  GString *out = g_string_sized_new (32);
  GTimeSpan offset = g_date_time_get_utc_offset (datetime);
  int usec = g_date_time_get_microsecond (datetime);

  /* RFC 3339 offsets are in minutes; local mean times of old dates are not */
  if (offset % G_TIME_SPAN_MINUTE != 0)
    {
      datetime = utc = g_date_time_to_utc (datetime);
      offset = 0;
    }
  offset /= G_TIME_SPAN_MINUTE;
  g_string_append_printf (out, "%04d-%02d-%02dT%02d:%02d:%02d",
                          g_date_time_get_year (datetime),
                          g_date_time_get_month (datetime),
                          g_date_time_get_day_of_month (datetime),
                          g_date_time_get_hour (datetime),
                          g_date_time_get_minute (datetime),
                          g_date_time_get_second (datetime));
  if (usec != 0)
    {
      g_string_append_printf (out, ".%06d", usec);
      while (out->str[out->len - 1] == '0')
        g_string_truncate (out, out->len - 1);
    }
  if (offset == 0)
    g_string_append_c (out, 'Z');
  else
    g_string_append_printf (out, "%c%02d:%02d", offset < 0 ? '-' : '+',
                            (int) (ABS (offset) / 60), (int) (ABS (offset) % 60));
  return g_string_free (out, FALSE);
}
