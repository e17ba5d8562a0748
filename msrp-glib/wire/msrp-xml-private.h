/* msrp-xml-private.h: a small namespace-aware XML reader on GMarkup, and
 * the helpers the XML text formats (IMDN, is-composing) write with
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bounds for documents from the network: the formats are a few hundred
 * bytes and four levels deep. */
#define MSRP_XML_MAX_SIZE  (64 * 1024)
#define MSRP_XML_MAX_DEPTH 32

typedef struct {
  /* An element, by namespace URI (NULL: none) and local name. parent is
   * the tag the parent got, 0 for the root. Returns the element's tag (> 0),
   * 0 to skip the element and all it holds, or -1 with error set. */
  int      (*start_element) (gpointer     user_data,
                             int          parent,
                             const char  *ns,
                             const char  *name,
                             GError     **error);
  /* The end of an element that got a tag: text is its character data
   * (unescaped, CDATA included) when it had no child element, else NULL. */
  gboolean (*end_element)   (gpointer     user_data,
                             int          tag,
                             const char  *text,
                             GError     **error);
} MsrpXmlCallbacks;

gboolean    _msrp_xml_parse            (GBytes                 *data,
                                        const char             *format,
                                        const MsrpXmlCallbacks *callbacks,
                                        gpointer                user_data,
                                        GError                **error);

char       *_msrp_xml_shorten          (const char *text,
                                        gssize      len);
char       *_msrp_xml_collapse         (const char *text);
gboolean    _msrp_xml_is_token         (const char *str);
gboolean    _msrp_xml_is_text          (const char *str);
void        _msrp_xml_normalize_text   (char       *text);

GDateTime  *_msrp_xml_parse_datetime   (const char *text);

void        _msrp_xml_append_element   (GString    *out,
                                        const char *name,
                                        const char *text);

G_END_DECLS
