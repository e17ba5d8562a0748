/* msrp-logger.c: where the traffic of transports goes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "msrp-logger.h"
#include "msrp-transport.h"

/**
 * MsrpLogger:
 *
 * Receives the traffic of a [class@Msrp.Transport]: every chunk read or
 * written, as the bytes that crossed the wire (headers, body pieces,
 * end-line), for debugging and auditing. Set one with
 * [method@Msrp.Transport.set_logger]. [func@Msrp.file_logger_new] makes one
 * that writes a
 * readable log to a [class@Gio.OutputStream].
 *
 * Without a logger, transports send their traffic to `g_debug()` in the
 * `Msrp` log domain: run with `G_MESSAGES_DEBUG=Msrp` to see it.
 *
 * Since: 1.0
 */

G_DEFINE_INTERFACE (MsrpLogger, msrp_logger, G_TYPE_OBJECT)

static void
msrp_logger_default_init (MsrpLoggerInterface *iface)
{
}

#define DISPATCH(name)                                                  \
  MsrpLoggerInterface *iface;                                           \
                                                                        \
  g_return_if_fail (MSRP_IS_LOGGER (logger));                           \
  g_return_if_fail (MSRP_IS_TRANSPORT (transport));                     \
  g_return_if_fail (MSRP_IS_CHUNK (chunk));                             \
  g_return_if_fail (data != NULL);                                      \
                                                                        \
  iface = MSRP_LOGGER_GET_IFACE (logger);                               \
  if (iface->name != NULL)                                              \
    iface->name (logger, transport, chunk, data);

/**
 * msrp_logger_received_new_chunk:
 * @logger: a #MsrpLogger
 * @transport: the transport that read the chunk
 * @chunk: the chunk, with its headers (its body is not read yet)
 * @data: the start line and header block as read
 *
 * Tells the logger that a chunk's headers were read.
 *
 * Since: 1.0
 */
void
msrp_logger_received_new_chunk (MsrpLogger    *logger,
                                MsrpTransport *transport,
                                MsrpChunk     *chunk,
                                GBytes        *data)
{
  DISPATCH (received_new_chunk)
}

/**
 * msrp_logger_received_chunk_data:
 * @logger: a #MsrpLogger
 * @transport: the transport that read the chunk
 * @chunk: the chunk
 * @data: a piece of its body
 *
 * Tells the logger that a piece of a chunk's body was read.
 *
 * Since: 1.0
 */
void
msrp_logger_received_chunk_data (MsrpLogger    *logger,
                                 MsrpTransport *transport,
                                 MsrpChunk     *chunk,
                                 GBytes        *data)
{
  DISPATCH (received_chunk_data)
}

/**
 * msrp_logger_received_chunk_end:
 * @logger: a #MsrpLogger
 * @transport: the transport that read the chunk
 * @chunk: the chunk
 * @data: its end-line
 *
 * Tells the logger that a chunk's end-line was read.
 *
 * Since: 1.0
 */
void
msrp_logger_received_chunk_end (MsrpLogger    *logger,
                                MsrpTransport *transport,
                                MsrpChunk     *chunk,
                                GBytes        *data)
{
  DISPATCH (received_chunk_end)
}

/**
 * msrp_logger_sent_new_chunk:
 * @logger: a #MsrpLogger
 * @transport: the transport that wrote the chunk
 * @chunk: the chunk
 * @data: its start line and header block as written
 *
 * Tells the logger that a chunk's headers were written.
 *
 * Since: 1.0
 */
void
msrp_logger_sent_new_chunk (MsrpLogger    *logger,
                            MsrpTransport *transport,
                            MsrpChunk     *chunk,
                            GBytes        *data)
{
  DISPATCH (sent_new_chunk)
}

/**
 * msrp_logger_sent_chunk_data:
 * @logger: a #MsrpLogger
 * @transport: the transport that wrote the chunk
 * @chunk: the chunk
 * @data: its body, or a piece of it
 *
 * Tells the logger that a chunk's body was written.
 *
 * Since: 1.0
 */
void
msrp_logger_sent_chunk_data (MsrpLogger    *logger,
                             MsrpTransport *transport,
                             MsrpChunk     *chunk,
                             GBytes        *data)
{
  DISPATCH (sent_chunk_data)
}

/**
 * msrp_logger_sent_chunk_end:
 * @logger: a #MsrpLogger
 * @transport: the transport that wrote the chunk
 * @chunk: the chunk
 * @data: its end-line
 *
 * Tells the logger that a chunk's end-line was written.
 *
 * Since: 1.0
 */
void
msrp_logger_sent_chunk_end (MsrpLogger    *logger,
                            MsrpTransport *transport,
                            MsrpChunk     *chunk,
                            GBytes        *data)
{
  DISPATCH (sent_chunk_end)
}
