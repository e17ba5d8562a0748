/* msrp-sdp-media-private.h: the parts of MsrpSdpMedia
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * MsrpSdpMedia is split in three around this header: the object, its
 * lines and its general accessors (msrp-sdp-media.c), reading an SDP body
 * and the syntax of the attributes (msrp-sdp-media-parse.c), and the
 * typed accessors of the MSRP, connection and file attributes
 * (msrp-sdp-media-attributes.c).
 */

#pragma once

#include "msrp-sdp-media.h"

G_BEGIN_DECLS

typedef struct
{
  char type;      /* 'a', 'c', 'i', 'b', 'k', ... */
  char *name;     /* an attribute's name; NULL for other lines */
  char *value;    /* after ':' for an attribute (NULL: a flag), else after '=' */
} SdpLine;

struct _MsrpSdpMedia
{
  GObject parent_instance;

  char *media;
  guint16 port;
  char *port_count;   /* "/2" as written, or NULL */
  char *protocol;
  char *formats;
  GPtrArray *lines;   /* (element-type SdpLine), in order */

  /* Parsed from the lines, kept so that getters can return them
   * (transfer none); each is rebuilt when its attribute changes. */
  GPtrArray *path;
  char **accept_types;
  char **accept_wrapped_types;
  MsrpFileSelector *file_selector;
  char *connection_address;
};

enum {
  PROP_0,
  PROP_MEDIA,
  PROP_PORT,
  PROP_PROTOCOL,
  PROP_CONNECTION_ADDRESS,
  PROP_PATH,
  PROP_ACCEPT_TYPES,
  PROP_ACCEPT_WRAPPED_TYPES,
  PROP_MAX_SIZE,
  PROP_SETUP,
  PROP_DIRECTION,
  PROP_FINGERPRINT,
  PROP_CEMA,
  PROP_FILE_SELECTOR,
  PROP_FILE_TRANSFER_ID,
  PROP_FILE_DISPOSITION,
  PROP_FILE_DATE,
  PROP_FILE_RANGE_START,
  PROP_FILE_RANGE_STOP,
  N_PROPS
};

/* The properties, notified by every part that changes an attribute. */
extern GParamSpec *_msrp_sdp_media_properties[N_PROPS];
#define properties _msrp_sdp_media_properties

/* The attributes the object interprets, in the order a new object writes
 * them (rank), with the property each one backs. */
typedef struct
{
  const char *name;
  guint rank;
  guint prop;
  gboolean needs_value;
} KnownAttribute;

#define OTHER_RANK 1000

/* Indexed by MsrpSdpDirection. */
extern const char * const _msrp_sdp_direction_names[4];

/* Shared by the three parts. */
gboolean _msrp_sdp_check_attribute (const char *name, const char *value, GError **error);
SdpLine * _msrp_sdp_find_attribute (MsrpSdpMedia *self, const char *name);
const KnownAttribute * _msrp_sdp_find_known (const char *name);
SdpLine * _msrp_sdp_find_line (MsrpSdpMedia *self, char type);
void _msrp_sdp_insert_attribute (MsrpSdpMedia *self, SdpLine *line);
gboolean _msrp_sdp_is_accept_type (const char *type);
gboolean _msrp_sdp_is_fingerprint (const char *value);
gboolean _msrp_sdp_is_line_text (const char *s);
gboolean _msrp_sdp_is_msrp_protocol (const char *protocol);
gboolean _msrp_sdp_is_protocol (const char *s);
gboolean _msrp_sdp_is_setup (const char *value);
gboolean _msrp_sdp_is_token (const char *s, gsize len);
char * _msrp_sdp_parse_connection (const char *value);
gboolean _msrp_sdp_parse_decimal (const char *s, gint64 max, gint64 *out);
gboolean _msrp_sdp_parse_file_range (const char *value, gint64 *start, gint64 *stop);
void _msrp_sdp_remove_attributes (MsrpSdpMedia *self, const char *name, SdpLine *except);
SdpLine * _msrp_sdp_sdp_line_new (char type, const char *name, const char *value);
gboolean _msrp_sdp_set_single (MsrpSdpMedia *self,
                               const char *name,
                               const char *value,
                               gboolean flag);
char ** _msrp_sdp_split_types (const char *value);
void _msrp_sdp_sync_all_caches (MsrpSdpMedia *self);

G_END_DECLS
