/* msrp-cpim-message-private.h: the MsrpCpimMessage struct and the CPIM
 * syntax, shared by the msrp-cpim-*.c files only (the chat layer includes
 * msrp-cpim-private.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-cpim-private.h"

G_BEGIN_DECLS

typedef struct
{
  char *ns;      /* the resolved namespace URI */
  char *prefix;  /* the prefix to write it with, if free; NULL: none given */
  char *name;
  char *params;  /* ";lang=fr..." as written, or NULL */
  char *value;
} MsrpCpimHeader;

struct _MsrpCpimMessage
{
  GObject parent_instance;

  GPtrArray *headers;          /* (element-type MsrpCpimHeader) */
  GPtrArray *content_names;    /* (element-type utf8) */
  GPtrArray *content_values;   /* (element-type utf8) */
  GBytes *body;
};

MsrpCpimHeader *_msrp_cpim_header_new (const char *ns,
                                       const char *prefix,
                                       const char *name,
                                       const char *params,
                                       char       *value);

/* Syntax (RFC 3862 section 3.2), in msrp-cpim-syntax.c */

static inline gboolean
_msrp_cpim_is_wsp (char c)
{
  return c == ' ' || c == '\t';
}

gsize     _msrp_cpim_span_name           (const char  *s);
gboolean  _msrp_cpim_is_name             (const char  *s);
gboolean  _msrp_cpim_is_uri              (const char  *s,
                                          gsize        len);
gboolean  _msrp_cpim_is_field_name       (const char  *s,
                                          gsize        len);
gboolean  _msrp_cpim_skip_params         (const char **p);
char     *_msrp_cpim_params_get          (const char  *params,
                                          const char  *name);
gboolean  _msrp_cpim_is_identity_header  (const char  *name);
char     *_msrp_cpim_format_datetime     (GDateTime   *datetime);

G_END_DECLS
