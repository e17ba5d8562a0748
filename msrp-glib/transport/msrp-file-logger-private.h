/* msrp-file-logger-private.h: a MsrpLogger that writes a readable log
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-logger.h"

G_BEGIN_DECLS

/* Bodies shorter than this that are text go into the log; others are
 * summed up by their size. */
#define MSRP_FILE_LOGGER_TEXT_MAX 4096

#define MSRP_TYPE_FILE_LOGGER (msrp_file_logger_get_type ())
G_DECLARE_FINAL_TYPE (MsrpFileLogger, msrp_file_logger, MSRP, FILE_LOGGER, GObject)

G_END_DECLS
