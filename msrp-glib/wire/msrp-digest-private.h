/* msrp-digest-private.h: HTTP Digest (RFC 2617) for MSRP AUTH (RFC 4976)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The Digest method of MSRP relays. */
#define MSRP_DIGEST_METHOD "AUTH"

/* The request-digest of RFC 2617 section 3.2.2.1 with MD5, in lower-case
 * hex: with @qop ("auth") it covers @nc and @cnonce, without it is the
 * RFC 2069 form. @uri is the digest-uri, the AUTH's To-Path URI (NULL
 * hashes an empty one). */
char *_msrp_digest_compute (const char *username,
                            const char *realm,
                            const char *password,
                            const char *method,
                            const char *uri,
                            const char *nonce,
                            const char *nc,
                            const char *cnonce,
                            const char *qop);

/* The value of an Authorization header answering the challenge @challenge
 * (WWW-Authenticate parameters as from msrp_chunk_get_auth_params()):
 * qop=auth with a new cnonce and the nonce count @nc when the challenge
 * offers it, the RFC 2069 form otherwise; opaque echoed. @uri, the AUTH's
 * To-Path URI, is the digest-uri hashed whether or not it is sent: relays
 * that want uri= left out compute it from the To-Path; uri= is written only
 * when @include_uri. Returns NULL with @error set when the challenge cannot
 * be answered (no realm or nonce, an algorithm other than MD5, a qop
 * without "auth"). */
char *_msrp_digest_make_authorization (GHashTable  *challenge,
                                       const char  *username,
                                       const char  *password,
                                       const char  *uri,
                                       gboolean     include_uri,
                                       guint        nc,
                                       GError     **error);

/* A fresh server nonce: random, hex. */
char *_msrp_digest_new_nonce (void);

/* The value of a WWW-Authenticate header: Digest with @realm, @nonce,
 * qop="auth", algorithm=MD5 (and stale=TRUE when @stale). */
char *_msrp_digest_make_challenge (const char *realm,
                                   const char *nonce,
                                   gboolean    stale);

/* Checks Authorization parameters (as from msrp_chunk_get_auth_params())
 * against @password, which the caller found for params["username"] in
 * params["realm"]. The digest-uri is the uri= parameter when present
 * (the caller checks that it names the request's To-Path URI), else
 * @request_uri, the To-Path URI as it was written (nullable: empty). TRUE
 * when the response matches; the caller checks the nonce itself (that it
 * issued it, and nc). */
gboolean _msrp_digest_verify (GHashTable *params,
                              const char *password,
                              const char *method,
                              const char *request_uri);

G_END_DECLS
