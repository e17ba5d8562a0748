/* msrp-transport-mux-private.h: several MsrpTransports over one connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-transport.h"

G_BEGIN_DECLS

/* A connection that carries the chunks of several transports (RFC 4975
 * section 8.1: sessions may share a connection, as those of one client
 * through its relay do). Each child transport has a local URI of its own:
 * a chunk goes to the child whose URI has the session-id of the last URI of
 * its To-Path, requests and responses alike. */
typedef struct _MsrpMux MsrpMux;

/* Called after a child went (closed or freed), with the number left. */
typedef void (*MsrpMuxChildrenFunc) (MsrpMux  *mux,
                                     guint     n_children,
                                     gpointer  user_data);

/* Takes over @base's connection, which must not have been read or written
 * yet. NULL when its stream cannot be shared (it cannot be read and written
 * without blocking). */
MsrpMux       *_msrp_mux_new             (MsrpTransport        *base);
MsrpMux       *_msrp_mux_ref             (MsrpMux              *mux);
void           _msrp_mux_unref           (MsrpMux              *mux);

/* A child for the chunks to the last URI of @local_path; NULL when another
 * child has its session-id, or the connection is gone. */
MsrpTransport *_msrp_mux_open            (MsrpMux              *mux,
                                          GPtrArray            *local_path,
                                          GPtrArray            *remote_path);
/* Children not closed yet. */
guint          _msrp_mux_get_n_children  (MsrpMux              *mux);
/* 481 answers to requests for nobody, waiting to be written. */
guint          _msrp_mux_get_n_queued_answers (MsrpMux          *mux);
/* FALSE once the connection was lost or closed. */
gboolean       _msrp_mux_is_open         (MsrpMux              *mux);
void           _msrp_mux_set_children_func (MsrpMux            *mux,
                                            MsrpMuxChildrenFunc func,
                                            gpointer            user_data);
/* The shared connection, as a transport (for its stream and socket). */
MsrpTransport *_msrp_mux_get_base        (MsrpMux              *mux);
/* The mux a child transport runs on, or NULL. */
MsrpMux       *_msrp_transport_get_mux   (MsrpTransport        *transport);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsrpMux, _msrp_mux_unref)

G_END_DECLS
