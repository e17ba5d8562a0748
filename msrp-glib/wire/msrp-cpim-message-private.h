/* msrp-cpim-message-private.h: the MsrpCpimMessage struct and the CPIM
 * syntax, shared by the msrp-cpim-*.c files only (the chat layer includes
 * msrp-cpim-private.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <string.h>

#include "msrp-cpim-private.h"

G_BEGIN_DECLS

/* A header and its strings in one block; change one by replacing it. The
 * headers of a parsed message share one allocation, its arena. */
typedef struct
{
  const char *ns;      /* the resolved namespace URI */
  const char *prefix;  /* the prefix to write it with, if free; NULL: none given */
  const char *name;
  const char *params;  /* ";lang=fr..." as written, or NULL */
  const char *value;
  gboolean in_arena;
} MsrpCpimHeader;

/* A MIME header of the content, likewise in one block. */
typedef struct
{
  const char *name;
  const char *value;
  gboolean in_arena;
} MsrpCpimField;

struct _MsrpCpimMessage
{
  GObject parent_instance;

  GPtrArray *headers;   /* (element-type MsrpCpimHeader) */
  GPtrArray *content;   /* (element-type MsrpCpimField) */
  GBytes *body;
  gpointer arena;       /* the blocks of the parsed headers, or NULL */
};

/* A piece of a string; str NULL stands for no string at all. */
typedef struct
{
  const char *str;
  gsize len;
} MsrpCpimSlice;

#define MSRP_CPIM_SLICE(s) ((MsrpCpimSlice) { (s), (s) ? strlen (s) : 0 })

/* A header block: its size (a multiple of the alignment of pointers), and
 * the header made in that much memory. ns NULL or the CPIM namespace:
 * CPIM's own. */
gsize           _msrp_cpim_header_size (MsrpCpimSlice ns,
                                        MsrpCpimSlice prefix,
                                        MsrpCpimSlice name,
                                        MsrpCpimSlice params,
                                        MsrpCpimSlice value);
MsrpCpimHeader *_msrp_cpim_header_init (gpointer      block,
                                        MsrpCpimSlice ns,
                                        MsrpCpimSlice prefix,
                                        MsrpCpimSlice name,
                                        MsrpCpimSlice params,
                                        MsrpCpimSlice value);
gsize           _msrp_cpim_field_size  (MsrpCpimSlice name,
                                        MsrpCpimSlice value);
MsrpCpimField  *_msrp_cpim_field_init  (gpointer      block,
                                        MsrpCpimSlice name,
                                        MsrpCpimSlice value);
/* Blocks of their own, to add to a message (in_arena FALSE). */
MsrpCpimHeader *_msrp_cpim_header_new  (MsrpCpimSlice ns,
                                        MsrpCpimSlice prefix,
                                        MsrpCpimSlice name,
                                        MsrpCpimSlice params,
                                        MsrpCpimSlice value);
MsrpCpimField  *_msrp_cpim_field_new   (MsrpCpimSlice name,
                                        MsrpCpimSlice value);

static inline gboolean
_msrp_cpim_is_cpim_namespace (const char *ns)
{
  return ns == NULL || strcmp (ns, MSRP_CPIM_NAMESPACE) == 0;
}

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
gboolean  _msrp_cpim_is_datetime         (const char  *s);
gboolean  _msrp_cpim_is_normal_identity  (const char  *s,
                                          gsize        len);
MsrpCpimSlice _msrp_cpim_strip           (const char  *s,
                                          gsize        len);

G_END_DECLS
