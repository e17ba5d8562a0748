/* msrp-logger.h: where the traffic of transports goes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "msrp-version.h"
#include "msrp-chunk.h"

G_BEGIN_DECLS

typedef struct _MsrpTransport MsrpTransport;

#define MSRP_TYPE_LOGGER (msrp_logger_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (MsrpLogger, msrp_logger, MSRP, LOGGER, GObject)

/**
 * MsrpLoggerInterface:
 * @g_iface: the parent interface
 * @received_new_chunk: a chunk's start line and headers were read
 * @received_chunk_data: a piece of a chunk's body was read
 * @received_chunk_end: a chunk's end-line was read
 * @sent_new_chunk: a chunk's start line and headers were written
 * @sent_chunk_data: a piece of a chunk's body was written
 * @sent_chunk_end: a chunk's end-line was written
 *
 * The virtual functions of [iface@Msrp.Logger]. Each gets the transport,
 * the chunk, and the bytes exactly as they went over the wire. Every one is
 * optional.
 *
 * Since: 1.0
 */
struct _MsrpLoggerInterface
{
  GTypeInterface g_iface;

  void (*received_new_chunk)  (MsrpLogger    *logger,
                               MsrpTransport *transport,
                               MsrpChunk     *chunk,
                               GBytes        *data);
  void (*received_chunk_data) (MsrpLogger    *logger,
                               MsrpTransport *transport,
                               MsrpChunk     *chunk,
                               GBytes        *data);
  void (*received_chunk_end)  (MsrpLogger    *logger,
                               MsrpTransport *transport,
                               MsrpChunk     *chunk,
                               GBytes        *data);
  void (*sent_new_chunk)      (MsrpLogger    *logger,
                               MsrpTransport *transport,
                               MsrpChunk     *chunk,
                               GBytes        *data);
  void (*sent_chunk_data)     (MsrpLogger    *logger,
                               MsrpTransport *transport,
                               MsrpChunk     *chunk,
                               GBytes        *data);
  void (*sent_chunk_end)      (MsrpLogger    *logger,
                               MsrpTransport *transport,
                               MsrpChunk     *chunk,
                               GBytes        *data);

  /*< private >*/
  gpointer padding[8];
};

MSRP_AVAILABLE_IN_ALL
void        msrp_logger_received_new_chunk  (MsrpLogger    *logger,
                                             MsrpTransport *transport,
                                             MsrpChunk     *chunk,
                                             GBytes        *data);
MSRP_AVAILABLE_IN_ALL
void        msrp_logger_received_chunk_data (MsrpLogger    *logger,
                                             MsrpTransport *transport,
                                             MsrpChunk     *chunk,
                                             GBytes        *data);
MSRP_AVAILABLE_IN_ALL
void        msrp_logger_received_chunk_end  (MsrpLogger    *logger,
                                             MsrpTransport *transport,
                                             MsrpChunk     *chunk,
                                             GBytes        *data);
MSRP_AVAILABLE_IN_ALL
void        msrp_logger_sent_new_chunk      (MsrpLogger    *logger,
                                             MsrpTransport *transport,
                                             MsrpChunk     *chunk,
                                             GBytes        *data);
MSRP_AVAILABLE_IN_ALL
void        msrp_logger_sent_chunk_data     (MsrpLogger    *logger,
                                             MsrpTransport *transport,
                                             MsrpChunk     *chunk,
                                             GBytes        *data);
MSRP_AVAILABLE_IN_ALL
void        msrp_logger_sent_chunk_end      (MsrpLogger    *logger,
                                             MsrpTransport *transport,
                                             MsrpChunk     *chunk,
                                             GBytes        *data);

MSRP_AVAILABLE_IN_ALL
MsrpLogger *msrp_file_logger_new            (GOutputStream *stream);

G_END_DECLS
