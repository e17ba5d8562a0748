/* msrp-cpim-private.h: CPIM identities for the chat layer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-cpim-message.h"

G_BEGIN_DECLS

/* An identity as CPIM writes it (`"Display" <uri>` or `<uri>`), from any
 * form set_from takes; NULL when it is not a valid identity. */
char *_msrp_cpim_normalize_identity (const char *identity);
/* The URI of a valid identity (any form), or NULL. */
char *_msrp_cpim_identity_get_uri   (const char *identity);

G_END_DECLS
