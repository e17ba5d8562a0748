/* msrp-error.c: error domains and MSRP status codes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "msrp-error.h"

/**
 * msrp_error_quark:
 *
 * Returns: the quark of the %MSRP_ERROR domain
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (msrp-error-quark, msrp_error)

/**
 * msrp_transaction_error_quark:
 *
 * Returns: the quark of the %MSRP_TRANSACTION_ERROR domain, whose codes are
 *   [error@Msrp.TransactionError]
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (msrp-transaction-error-quark, msrp_transaction_error)

/**
 * msrp_status_get_reason:
 * @code: an MSRP status code
 *
 * Gives the comment that usually goes with a status code on the wire
 * ("OK" for 200, "Session does not exist" for 481, ...). These are protocol
 * tokens, not translated.
 *
 * Returns: (nullable): the reason phrase, or %NULL for an unknown code
 *
 * Since: 1.0
 */
const char *
msrp_status_get_reason (guint code)
{
  switch (code)
    {
    case MSRP_STATUS_OK:
      return "OK";
    case MSRP_STATUS_BAD_REQUEST:
      return "Bad Request";
    case MSRP_STATUS_UNAUTHORIZED:
      return "Unauthorized";
    case MSRP_STATUS_FORBIDDEN:
      return "Forbidden";
    case MSRP_STATUS_REQUEST_TIMEOUT:
      return "Request Timeout";
    case MSRP_STATUS_STOP_SENDING:
      return "Stop Sending";
    case MSRP_STATUS_UNSUPPORTED_MEDIA_TYPE:
      return "Unsupported Media Type";
    case MSRP_STATUS_INTERVAL_OUT_OF_BOUNDS:
      return "Interval Out-of-Bounds";
    case 424:   /* RFC 7701 */
      return "Nickname usage failed";
    case 425:   /* RFC 7701 */
      return "Nickname reserved or already in use";
    case MSRP_STATUS_SESSION_DOES_NOT_EXIST:
      return "Session Does Not Exist";
    case MSRP_STATUS_UNKNOWN_METHOD:
      return "Unknown Method";
    case MSRP_STATUS_SESSION_ALREADY_BOUND:
      return "Session Already Bound";
    default:
      return NULL;
    }
}
