/* msrp-error.h: error domains and MSRP status codes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <glib.h>
#include "msrp-version.h"

G_BEGIN_DECLS

/**
 * MSRP_ERROR:
 *
 * The error domain of msrp-glib's own failures; codes are [enum@Msrp.Error].
 */
#define MSRP_ERROR (msrp_error_quark ())

/**
 * MSRP_TRANSACTION_ERROR:
 *
 * The error domain of failed MSRP transactions; the code is the MSRP status
 * code (see [error@Msrp.TransactionError], whose values are those of
 * [enum@Msrp.Status]).
 *
 * Bindings see it as the error domain `Msrp.TransactionError`: in Python
 * `e.matches(Msrp.TransactionError.quark(), Msrp.TransactionError.FORBIDDEN)`,
 * in gjs `e.matches(Msrp.TransactionError, Msrp.TransactionError.FORBIDDEN)`,
 * in Vala `catch (Msrp.TransactionError.FORBIDDEN e)`.
 */
#define MSRP_TRANSACTION_ERROR (msrp_transaction_error_quark ())

/**
 * MsrpError:
 * @MSRP_ERROR_FAILED: a failure with no more specific code
 * @MSRP_ERROR_INVALID_URI: a URI or a path could not be parsed
 * @MSRP_ERROR_MALFORMED_CHUNK: bytes that are not a valid MSRP chunk
 * @MSRP_ERROR_INCOMPLETE_CHUNK: the data ended before the chunk's end-line
 * @MSRP_ERROR_LINE_TOO_LONG: a line of the header block is longer than the
 *   parser accepts
 * @MSRP_ERROR_HEADERS_TOO_LARGE: the header block is larger than the parser
 *   accepts (64 KiB)
 * @MSRP_ERROR_TOO_MANY_HEADERS: the header block has more headers than the
 *   parser accepts
 * @MSRP_ERROR_CONNECTION_CLOSED: the connection was closed, by the peer or
 *   by this side
 * @MSRP_ERROR_FINGERPRINT_MISMATCH: the peer's TLS certificate does not
 *   have the fingerprint the SDP gave
 * @MSRP_ERROR_INVALID_FINGERPRINT: a fingerprint is not of the form
 *   "sha-256 AB:CD:..."
 * @MSRP_ERROR_BIND_TIMEOUT: the peer did not bind the session (connect and
 *   send its first request) in time
 * @MSRP_ERROR_CHUNK_TRUNCATED: the connection ended in the middle of a chunk
 * @MSRP_ERROR_AUTH_FAILED: the relay refused our credentials (403, or a
 *   second 401), or its challenge cannot be answered
 * @MSRP_ERROR_RELAY_NOT_FOUND: no relay could be found or reached (DNS SRV
 *   found nothing, or every target failed)
 * @MSRP_ERROR_MALFORMED_CPIM: bytes that are not a valid CPIM message
 *   (RFC 3862); the message names the line
 * @MSRP_ERROR_MALFORMED_XML: bytes that are not a valid XML document of the
 *   expected kind (an IMDN or is-composing document): not well-formed, too
 *   large or too deep, with a DOCTYPE, or missing what the format requires;
 *   the message says what is wrong
 * @MSRP_ERROR_MALFORMED_SDP: text that is not a valid SDP media section
 *   or file selector (RFC 4566, RFC 4975, RFC 5547); the message names the
 *   line
 * @MSRP_ERROR_MEDIA_REFUSED: the peer's SDP media cannot be used: refused
 *   (port 0), not MSRP, without a path, or not what the stream needs
 * @MSRP_ERROR_PEER_UNSUPPORTED: the peer does not support what was asked
 *   (nicknames, private messages, a content type)
 * @MSRP_ERROR_HASH_MISMATCH: a file that arrived is not the one its
 *   selector describes: its SHA-1 hash differs (RFC 5547)
 * @MSRP_ERROR_TRANSFER_INCOMPLETE: a file transfer ended (the peer ended it,
 *   or the connection broke) before every byte of the file arrived
 *
 * Error codes of the %MSRP_ERROR domain.
 *
 * Since: 1.0
 */
typedef enum {
  MSRP_ERROR_FAILED,
  MSRP_ERROR_INVALID_URI,
  MSRP_ERROR_MALFORMED_CHUNK,
  MSRP_ERROR_INCOMPLETE_CHUNK,
  MSRP_ERROR_LINE_TOO_LONG,
  MSRP_ERROR_HEADERS_TOO_LARGE,
  MSRP_ERROR_TOO_MANY_HEADERS,
  MSRP_ERROR_CONNECTION_CLOSED,
  MSRP_ERROR_FINGERPRINT_MISMATCH,
  MSRP_ERROR_INVALID_FINGERPRINT,
  MSRP_ERROR_BIND_TIMEOUT,
  MSRP_ERROR_CHUNK_TRUNCATED,
  MSRP_ERROR_AUTH_FAILED,
  MSRP_ERROR_RELAY_NOT_FOUND,
  MSRP_ERROR_MALFORMED_CPIM,
  MSRP_ERROR_MALFORMED_XML,
  MSRP_ERROR_MALFORMED_SDP,
  MSRP_ERROR_MEDIA_REFUSED,
  MSRP_ERROR_PEER_UNSUPPORTED,
  MSRP_ERROR_HASH_MISMATCH,
  MSRP_ERROR_TRANSFER_INCOMPLETE,
} MsrpError;

/**
 * MsrpStatus:
 * @MSRP_STATUS_OK: 200, the request was accepted
 * @MSRP_STATUS_BAD_REQUEST: 400, the request was malformed
 * @MSRP_STATUS_UNAUTHORIZED: 401, a relay wants authentication
 * @MSRP_STATUS_FORBIDDEN: 403, the request is not allowed
 * @MSRP_STATUS_REQUEST_TIMEOUT: 408, no response in time, or the next hop
 *   failed
 * @MSRP_STATUS_STOP_SENDING: 413, the receiver does not want the rest of
 *   this message
 * @MSRP_STATUS_UNSUPPORTED_MEDIA_TYPE: 415, the content type is not
 *   acceptable
 * @MSRP_STATUS_INTERVAL_OUT_OF_BOUNDS: 423, the requested Expires is outside
 *   the relay's bounds
 * @MSRP_STATUS_SESSION_DOES_NOT_EXIST: 481, the To-Path names no session
 * @MSRP_STATUS_UNKNOWN_METHOD: 501, the method is not understood
 * @MSRP_STATUS_SESSION_ALREADY_BOUND: 506, the session is bound to another
 *   connection
 *
 * MSRP status codes (RFC 4975 section 10, RFC 4976). The error ones are
 * also the codes of the %MSRP_TRANSACTION_ERROR domain, named in
 * [error@Msrp.TransactionError] for bindings; other codes a peer sends are
 * kept as they are.
 *
 * Since: 1.0
 */
typedef enum {
  MSRP_STATUS_OK = 200,
  MSRP_STATUS_BAD_REQUEST = 400,
  MSRP_STATUS_UNAUTHORIZED = 401,
  MSRP_STATUS_FORBIDDEN = 403,
  MSRP_STATUS_REQUEST_TIMEOUT = 408,
  MSRP_STATUS_STOP_SENDING = 413,
  MSRP_STATUS_UNSUPPORTED_MEDIA_TYPE = 415,
  MSRP_STATUS_INTERVAL_OUT_OF_BOUNDS = 423,
  MSRP_STATUS_SESSION_DOES_NOT_EXIST = 481,
  MSRP_STATUS_UNKNOWN_METHOD = 501,
  MSRP_STATUS_SESSION_ALREADY_BOUND = 506,
} MsrpStatus;

/**
 * MsrpTransactionError:
 * @MSRP_TRANSACTION_ERROR_BAD_REQUEST: 400, the request was malformed
 * @MSRP_TRANSACTION_ERROR_UNAUTHORIZED: 401, a relay wants authentication
 * @MSRP_TRANSACTION_ERROR_FORBIDDEN: 403, the request is not allowed
 * @MSRP_TRANSACTION_ERROR_REQUEST_TIMEOUT: 408, no response in time, or
 *   the next hop failed
 * @MSRP_TRANSACTION_ERROR_STOP_SENDING: 413, the receiver does not want
 *   the rest of this message
 * @MSRP_TRANSACTION_ERROR_UNSUPPORTED_MEDIA_TYPE: 415, the content type is
 *   not acceptable
 * @MSRP_TRANSACTION_ERROR_INTERVAL_OUT_OF_BOUNDS: 423, the requested
 *   Expires is outside the relay's bounds
 * @MSRP_TRANSACTION_ERROR_SESSION_DOES_NOT_EXIST: 481, the To-Path names no
 *   session
 * @MSRP_TRANSACTION_ERROR_UNKNOWN_METHOD: 501, the method is not understood
 * @MSRP_TRANSACTION_ERROR_SESSION_ALREADY_BOUND: 506, the session is bound
 *   to another connection
 *
 * Error codes of the %MSRP_TRANSACTION_ERROR domain: the MSRP status code
 * of the failed transaction, equal to the [enum@Msrp.Status] of the same
 * name, so C code may compare with either. Other codes a peer sends are
 * kept as they are.
 *
 * Since: 1.0
 */
typedef enum {
  MSRP_TRANSACTION_ERROR_BAD_REQUEST = MSRP_STATUS_BAD_REQUEST,
  MSRP_TRANSACTION_ERROR_UNAUTHORIZED = MSRP_STATUS_UNAUTHORIZED,
  MSRP_TRANSACTION_ERROR_FORBIDDEN = MSRP_STATUS_FORBIDDEN,
  MSRP_TRANSACTION_ERROR_REQUEST_TIMEOUT = MSRP_STATUS_REQUEST_TIMEOUT,
  MSRP_TRANSACTION_ERROR_STOP_SENDING = MSRP_STATUS_STOP_SENDING,
  MSRP_TRANSACTION_ERROR_UNSUPPORTED_MEDIA_TYPE = MSRP_STATUS_UNSUPPORTED_MEDIA_TYPE,
  MSRP_TRANSACTION_ERROR_INTERVAL_OUT_OF_BOUNDS = MSRP_STATUS_INTERVAL_OUT_OF_BOUNDS,
  MSRP_TRANSACTION_ERROR_SESSION_DOES_NOT_EXIST = MSRP_STATUS_SESSION_DOES_NOT_EXIST,
  MSRP_TRANSACTION_ERROR_UNKNOWN_METHOD = MSRP_STATUS_UNKNOWN_METHOD,
  MSRP_TRANSACTION_ERROR_SESSION_ALREADY_BOUND = MSRP_STATUS_SESSION_ALREADY_BOUND,
} MsrpTransactionError;

MSRP_AVAILABLE_IN_ALL
GQuark       msrp_error_quark             (void);
MSRP_AVAILABLE_IN_ALL
GQuark       msrp_transaction_error_quark (void);
MSRP_AVAILABLE_IN_ALL
const char  *msrp_status_get_reason       (guint code);

G_END_DECLS
