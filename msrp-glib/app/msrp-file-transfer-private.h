/* msrp-file-transfer-private.h: the parts of MsrpFileTransfer, and what
 * tests look at
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-file-transfer.h"
#include "msrp-session.h"
#include "msrp-block-pool-private.h"

#include <gnutls/crypto.h>

G_BEGIN_DECLS

/* SHA-1 (RFC 5547's hash) through GnuTLS, which uses the CPU's SHA
 * instructions: a few times faster than GChecksum, and hashing bounds how
 * fast a file goes. */
typedef struct {
  gnutls_hash_hd_t hd;
  GChecksum *fallback;        /* when a policy keeps GnuTLS from SHA-1 */
} MsrpSha1;

MsrpSha1 *_msrp_sha1_new    (void);
void      _msrp_sha1_update (MsrpSha1   *sha1,
                             const void *data,
                             gsize       size);
void      _msrp_sha1_free   (MsrpSha1   *sha1);

/* MsrpFileTransfer is split in three: the object, media and sending
 * (msrp-file-transfer.c), hashing and the partial file before the local
 * media (msrp-file-transfer-prepare.c), and receiving to disk
 * (msrp-file-transfer-receive.c). */

/* Progress is notified at most this often (20 times a second). */
#define NOTIFY_INTERVAL_US (G_USEC_PER_SEC / 20)
/* Bytes waiting for the disk: reading pauses above HIGH and resumes below
 * LOW, so a slow disk slows the peer down rather than filling memory. */
#define QUEUE_HIGH (2 * 1024 * 1024)
#define QUEUE_LOW (512 * 1024)
#define HASH_BLOCK_SIZE (256 * 1024)
/* What comes is copied into blocks of this size for the disk. */
#define WRITE_BLOCK_SIZE (256 * 1024)
#define MAX_SPARE_WRITE_BLOCKS 12
/* The most queued pieces one write takes. */
#define MAX_WRITE_PIECES 64
#define META_GROUP "msrp-file-transfer"

struct _MsrpFileTransfer
{
  MsrpStream parent_instance;

  GMainContext *context;
  GCancellable *cancellable;    /* hashing and disk I/O */
  gboolean sending;
  GFile *file;                  /* what we send, or where it goes */
  char *content_type;           /* given to new_push */
  MsrpFileSelector *selector;   /* known once hashed (push) */
  MsrpSdpMedia *offer;          /* new_from_offer's */
  char *transfer_id;
  gint64 range_start;           /* 0: no file-range */
  gint64 range_stop;            /* -1: to the end */
  gint64 bytes_transferred;
  double hash_progress;
  GDateTime *mtime;

  /* Throttled notifications */
  guint pending_notify;         /* bits: property ids */
  gint64 last_notify;
  GSource *notify_source;

  /* Sending */
  MsrpOutgoingFile *outgoing;
  GCancellable *send_cancellable;
  gboolean send_done;
  GSource *linger_source;       /* waits for the receiver to end */

  /* Receiving */
  GFile *part_file;
  GFile *meta_file;
  GFileOutputStream *out;
  MsrpSha1 *checksum;           /* of bytes 1..written, in order; a
                                 * worker updates it while writing */
  gint64 received;              /* bytes in order: on disk or queued */
  gint64 written;               /* on disk */
  gint64 want_stop;             /* the last byte wanted, -1 unknown */
  char *message_id;             /* of the file's message */
  gboolean seen_last;           /* a chunk said where the file ends */
  GQueue writes;                /* GBytes for the disk, in order */
  MsrpBlockPool *blocks;        /* what comes is copied into them */
  GBytes *block;                /* the one being filled, whole */
  guint8 *block_data;
  gsize block_fill;             /* bytes copied into it */
  gsize block_queued;           /* of those, in writes */
  gsize queued;
  gsize max_queued;
  gboolean writing;
  guint writing_pieces;         /* at the queue's head, being written */
  gboolean paused;
  gboolean taking;              /* chunk-received is connected */
  gulong chunk_id;
  gboolean finishing;           /* every byte in: closing, checking */
  gboolean out_closed;
  GError *drain_error;          /* fails the stream once drained */
};

enum {
  PROP_0,
  PROP_FILE,
  PROP_IS_SENDER,
  PROP_SELECTOR,
  PROP_TRANSFER_ID,
  PROP_SIZE,
  PROP_BYTES_TRANSFERRED,
  PROP_HASH_PROGRESS,
  N_PROPS
};

/* The properties, notified by both parts. */
extern GParamSpec *_msrp_file_transfer_properties[N_PROPS];
#define properties _msrp_file_transfer_properties

/* Shared by the two parts. */
char * _msrp_file_transfer_checksum_to_hash (MsrpSha1 *checksum);
void _msrp_file_transfer_fail (MsrpFileTransfer *self,
                               GError *error);
void _msrp_file_transfer_flush_notify (MsrpFileTransfer *self);
char * _msrp_file_transfer_format_size (gint64 size);
void _msrp_file_transfer_notify_throttled (MsrpFileTransfer *self,
                                           guint prop,
                                           gboolean now);
void _msrp_file_transfer_on_chunk_received (MsrpSession *session,
                                            MsrpChunk *chunk,
                                            MsrpFileTransfer *self);
void _msrp_file_transfer_prepare_async (MsrpStream *stream,
                                        MsrpSdpMedia *remote_offer,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean _msrp_file_transfer_prepare_finish (MsrpStream *stream,
                                             GAsyncResult *result,
                                             GError **error);
void _msrp_file_transfer_receive_maybe_finish (MsrpFileTransfer *self);
void _msrp_file_transfer_receive_stop (MsrpFileTransfer *self,
                                       GError *error);
void _msrp_file_transfer_set_bytes_transferred (MsrpFileTransfer *self,
                                                gint64 bytes,
                                                gboolean now);
void _msrp_file_transfer_write_next (MsrpFileTransfer *self);

/* The most bytes a receiver ever had waiting to be written to disk. */
gsize  _msrp_file_transfer_get_max_queued (MsrpFileTransfer *transfer);
/* The partial file a receiver writes to, next to its destination. */
GFile *_msrp_file_transfer_get_part_file  (MsrpFileTransfer *transfer);

G_END_DECLS
