/* test-stream-utils.h: what the MsrpStream suites share
 *
 * Offer/answer between two streams that looks synchronous, the media as
 * the peer reads it (through SDP text), and a chat peer that records
 * every signal of its MsrpChat.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-glib.h"

G_BEGIN_DECLS

/* One initialize, start or end operation (user data of
 * test_stream_on_done()). */
typedef struct {
  gboolean done;
  MsrpSdpMedia *media;        /* initialize's result */
  gboolean ok;
  GError *error;
} TestStreamOp;

/* Finishes whichever of initialize, start or end @result is of. */
void           test_stream_on_done       (GObject           *source,
                                          GAsyncResult      *result,
                                          gpointer           user_data);

/* Initializes @stream with @offer (NULL: make an offer) and waits; gives
 * the local media, or NULL and @error. */
MsrpSdpMedia  *test_stream_initialize    (MsrpStream        *stream,
                                          MsrpSdpMedia      *offer,
                                          GError           **error);

/* @media as the peer gets it: written as SDP text (given in @text unless
 * NULL) and parsed back, asserting that it parses. */
MsrpSdpMedia  *test_through_sdp          (MsrpSdpMedia      *media,
                                          char             **text);

/* Starts the @offerer with @answer and the @answerer, waits for both
 * and asserts that both succeeded. */
void           test_stream_start_both    (MsrpStream        *offerer,
                                          MsrpSdpMedia      *answer,
                                          MsrpStream        *answerer);

/* Ends @stream, waits and asserts that it succeeded. */
void           test_stream_end           (MsrpStream        *stream);

/* How a stream ended: its "ended" or "failed" signal. */
typedef struct {
  gboolean done;              /* ended or failed */
  gboolean ended;
  GError *failed;
} TestStreamEnd;

/* Records @stream's end in @end (which must outlive the connection). */
void           test_stream_watch_end     (MsrpStream        *stream,
                                          TestStreamEnd     *end);

/* A chat and what its signals brought. */
typedef struct {
  MsrpChat *chat;
  GPtrArray *received;        /* MsrpChatMessage */
  GPtrArray *delivered;       /* char *id */
  GPtrArray *not_delivered;   /* char *"id code reason" */
  GPtrArray *displayed;       /* char *id */
  GPtrArray *composing;       /* char *"state sender" */
  gboolean started;
  gboolean ended;
  gboolean will_end;
  GError *failed;
} TestChatPeer;

/* A new chat from @local to @remote, its signals recorded in @peer. */
void           test_chat_peer_init       (TestChatPeer      *peer,
                                          const char        *local,
                                          const char        *remote);
/* Drops the chat, waits until it is gone, and frees the records. */
void           test_chat_peer_clear      (TestChatPeer      *peer);

G_END_DECLS
