/* msrp-bench-private.h: the parts of msrp-bench
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-tool-private.h"

G_BEGIN_DECLS

/* The raw TCP baseline (bench-tcp.c): the two ends, each a process. */
extern const Command tcp_sink_command;
extern const Command tcp_source_command;

G_END_DECLS
