/* msrp-cpim-message.h: RFC 3862 message/cpim
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <glib-object.h>
#include "msrp-version.h"

G_BEGIN_DECLS

/**
 * MSRP_CPIM_NAMESPACE:
 *
 * The namespace URI of CPIM's own headers (From, To, cc, DateTime, Subject,
 * NS, Require), RFC 3862 section 3.3.
 *
 * Since: 1.0
 */
#define MSRP_CPIM_NAMESPACE "urn:ietf:params:cpim-headers:"

#define MSRP_TYPE_CPIM_MESSAGE (msrp_cpim_message_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpCpimMessage, msrp_cpim_message, MSRP, CPIM_MESSAGE, GObject)

MSRP_AVAILABLE_IN_ALL
MsrpCpimMessage *msrp_cpim_message_new          (const char      *content_type,
                                                 GBytes          *body);
MSRP_AVAILABLE_IN_ALL
MsrpCpimMessage *msrp_cpim_message_parse        (GBytes          *data,
                                                 GError         **error);
MSRP_AVAILABLE_IN_ALL
GBytes          *msrp_cpim_message_to_bytes     (MsrpCpimMessage *self);
MSRP_AVAILABLE_IN_ALL
gboolean         msrp_cpim_message_equal        (MsrpCpimMessage *a,
                                                 MsrpCpimMessage *b);

MSRP_AVAILABLE_IN_ALL
const char      *msrp_cpim_message_get_from     (MsrpCpimMessage *self);
MSRP_AVAILABLE_IN_ALL
void             msrp_cpim_message_set_from     (MsrpCpimMessage *self,
                                                 const char      *identity);
MSRP_AVAILABLE_IN_ALL
char           **msrp_cpim_message_get_to       (MsrpCpimMessage *self);
MSRP_AVAILABLE_IN_ALL
void             msrp_cpim_message_add_to       (MsrpCpimMessage *self,
                                                 const char      *identity);
MSRP_AVAILABLE_IN_ALL
char           **msrp_cpim_message_get_cc       (MsrpCpimMessage *self);
MSRP_AVAILABLE_IN_ALL
void             msrp_cpim_message_add_cc       (MsrpCpimMessage *self,
                                                 const char      *identity);

MSRP_AVAILABLE_IN_ALL
const char      *msrp_cpim_message_get_subject  (MsrpCpimMessage *self);
MSRP_AVAILABLE_IN_ALL
void             msrp_cpim_message_set_subject  (MsrpCpimMessage *self,
                                                 const char      *subject);
MSRP_AVAILABLE_IN_ALL
const char      *msrp_cpim_message_get_subject_for_lang (MsrpCpimMessage *self,
                                                         const char      *lang);
MSRP_AVAILABLE_IN_ALL
void             msrp_cpim_message_add_subject  (MsrpCpimMessage *self,
                                                 const char      *subject,
                                                 const char      *lang);
MSRP_AVAILABLE_IN_ALL
char           **msrp_cpim_message_get_subject_langs (MsrpCpimMessage *self);

MSRP_AVAILABLE_IN_ALL
GDateTime       *msrp_cpim_message_get_datetime (MsrpCpimMessage *self);
MSRP_AVAILABLE_IN_ALL
void             msrp_cpim_message_set_datetime (MsrpCpimMessage *self,
                                                 GDateTime       *datetime);

MSRP_AVAILABLE_IN_ALL
char           **msrp_cpim_message_get_require  (MsrpCpimMessage *self);
MSRP_AVAILABLE_IN_ALL
void             msrp_cpim_message_add_require  (MsrpCpimMessage *self,
                                                 const char      *header_name);

MSRP_AVAILABLE_IN_ALL
const char      *msrp_cpim_message_get_header   (MsrpCpimMessage *self,
                                                 const char      *namespace_uri,
                                                 const char      *name);
MSRP_AVAILABLE_IN_ALL
char           **msrp_cpim_message_get_header_values (MsrpCpimMessage *self,
                                                      const char      *namespace_uri,
                                                      const char      *name);
MSRP_AVAILABLE_IN_ALL
void             msrp_cpim_message_add_header   (MsrpCpimMessage *self,
                                                 const char      *namespace_uri,
                                                 const char      *prefix,
                                                 const char      *name,
                                                 const char      *value);

MSRP_AVAILABLE_IN_ALL
const char      *msrp_cpim_message_get_content_type   (MsrpCpimMessage *self);
MSRP_AVAILABLE_IN_ALL
const char      *msrp_cpim_message_get_content_header (MsrpCpimMessage *self,
                                                       const char      *name);
MSRP_AVAILABLE_IN_ALL
void             msrp_cpim_message_set_content_header (MsrpCpimMessage *self,
                                                       const char      *name,
                                                       const char      *value);
MSRP_AVAILABLE_IN_ALL
GBytes          *msrp_cpim_message_get_body     (MsrpCpimMessage *self);

G_END_DECLS
