/* msrp-reassembler.c: incoming messages put together from chunks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-reassembler-private.h"
#include "msrp-chunk-private.h"

/* A message's bytes live in blocks of this size, allocated when a chunk
 * first writes into them: what a sparse message costs is its blocks, and
 * that is what is counted. */
#define BLOCK_SIZE (64 * 1024)

/* What the bookkeeping costs, with malloc's own overhead, roughly and on
 * the high side: a message (its struct, hash table entry, Message-ID,
 * tables), a block (its header and hash table entry), a received range
 * (its GSequence node and Range). A first chunk's headers are counted
 * apart, by their length. */
#define MESSAGE_COST 512
#define BLOCK_COST 64
#define RANGE_COST 96

/* Message-IDs refused lately: their later chunks (already on their way,
 * a sender has many outstanding) are refused too, instead of starting a
 * message that never completes. */
#define MAX_REFUSED 64

typedef struct {
  guint64 start;  /* 0-based, inclusive */
  guint64 end;    /* exclusive */
} Range;

typedef struct {
  gsize capacity;
  guint8 data[];
} Block;

typedef struct {
  MsrpChunk *first;       /* the first chunk that came, for its headers */
  gboolean first_is_start; /* it is the one with byte 1 */
  gsize first_cost;
  GHashTable *blocks;     /* block number → Block; NULL: too large to keep */
  gsize blocks_held;
  GSequence *ranges;      /* of Range: sorted, disjoint, not touching */
  gint64 total;           /* -1 while unknown */
  gsize held;             /* its share of MsrpReassembler.held */
} Message;

/* Both tables are made on first use (and messages freed again once
 * empty): a session that gets only whole messages, or nothing, holds
 * neither (some 300 bytes). */
struct _MsrpReassembler {
  GHashTable *messages;   /* Message-ID → Message, or NULL */
  gsize max_message_size;
  gsize max_held;
  guint max_open;
  gsize held;
  GHashTable *refused;    /* Message-IDs, owned by refused_order; or NULL */
  GQueue refused_order;   /* oldest first */
};

static void
message_free (gpointer data)
{
  Message *msg = data;

  g_clear_object (&msg->first);
  g_clear_pointer (&msg->blocks, g_hash_table_unref);
  g_sequence_free (msg->ranges);
  g_free (msg);
}

MsrpReassembler *
_msrp_reassembler_new (void)
{
  MsrpReassembler *self = g_new0 (MsrpReassembler, 1);

  g_queue_init (&self->refused_order);
  self->max_message_size = G_MAXSIZE;
  return self;
}

void
_msrp_reassembler_clear (MsrpReassembler *self)
{
  g_clear_pointer (&self->messages, g_hash_table_unref);
  self->held = 0;
  g_clear_pointer (&self->refused, g_hash_table_unref);
  g_queue_clear_full (&self->refused_order, g_free);
}

void
_msrp_reassembler_free (MsrpReassembler *self)
{
  _msrp_reassembler_clear (self);
  g_free (self);
}

void
_msrp_reassembler_set_limits (MsrpReassembler *self,
                              gsize            max_message_size,
                              gsize            max_held,
                              guint            max_open)
{
  self->max_message_size = max_message_size;
  self->max_held = max_held;
  self->max_open = max_open;
}

gsize
_msrp_reassembler_get_held (MsrpReassembler *self)
{
  return self->held;
}

guint
_msrp_reassembler_get_n_open (MsrpReassembler *self)
{
  return self->messages != NULL ? g_hash_table_size (self->messages) : 0;
}

static Message *
lookup_message (MsrpReassembler *self,
                const char      *message_id)
{
  return self->messages != NULL ? g_hash_table_lookup (self->messages, message_id) : NULL;
}

static gboolean
is_refused (MsrpReassembler *self,
            const char      *message_id)
{
  return self->refused != NULL && g_hash_table_contains (self->refused, message_id);
}

static void
drop_message (MsrpReassembler *self,
              const char      *message_id)
{
  Message *msg = lookup_message (self, message_id);

  if (msg == NULL)
    return;
  self->held -= msg->held;
  g_hash_table_remove (self->messages, message_id);
  if (g_hash_table_size (self->messages) == 0)
    g_clear_pointer (&self->messages, g_hash_table_unref);
}

/* Drops what is kept of the message and refuses its later chunks. */
static void
refuse (MsrpReassembler *self,
        const char      *message_id)
{
  char *id;

  drop_message (self, message_id);
  if (is_refused (self, message_id))
    return;
  if (self->refused == NULL)
    self->refused = g_hash_table_new (g_str_hash, g_str_equal);
  if (g_queue_get_length (&self->refused_order) >= MAX_REFUSED)
    {
      char *oldest = g_queue_pop_head (&self->refused_order);

      g_hash_table_remove (self->refused, oldest);
      g_free (oldest);
    }
  id = g_strdup (message_id);
  g_queue_push_tail (&self->refused_order, id);
  g_hash_table_add (self->refused, id);
}

void
_msrp_reassembler_refuse (MsrpReassembler *self,
                          const char      *message_id)
{
  refuse (self, message_id);
}

static void
forget_refused (MsrpReassembler *self,
                const char      *message_id)
{
  GList *link;

  if (self->refused == NULL || !g_hash_table_remove (self->refused, message_id))
    return;
  for (link = self->refused_order.head; link != NULL; link = link->next)
    if (strcmp (link->data, message_id) == 0)
      {
        g_free (link->data);
        g_queue_delete_link (&self->refused_order, link);
        break;
      }
}

/* The first chunk kept for its headers: a copy without the body, which
 * may be a slice of a much larger buffer. */
static MsrpChunk *
copy_headers (MsrpChunk *chunk,
              gsize     *cost)
{
  MsrpChunk *copy = msrp_chunk_copy (chunk);
  g_autoptr(GString) head = g_string_sized_new (512);

  msrp_chunk_set_data (copy, NULL);
  _msrp_chunk_encode_head (copy, head);
  /* Each header's name and value apart, and the object: about twice the
   * text. */
  *cost = 2 * head->len + 512;
  return copy;
}

static gint
range_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const Range *ra = a, *rb = b;

  return ra->start < rb->start ? -1 : ra->start > rb->start;
}

/* Adds [start, end) to the ranges, merging what it overlaps or touches:
 * O(log n), and O(1) amortized removals. Returns the change in their
 * number. */
static int
ranges_add (GSequence *ranges,
            guint64    start,
            guint64    end)
{
  Range key = { start, end };
  GSequenceIter *iter = g_sequence_search (ranges, &key, range_compare, NULL);
  Range *merged = NULL;
  int change = 0;

  /* Only the range just before can reach over start: they do not touch. */
  if (!g_sequence_iter_is_begin (iter))
    {
      GSequenceIter *prev = g_sequence_iter_prev (iter);

      if (((Range *) g_sequence_get (prev))->end >= start)
        iter = prev;
    }
  while (!g_sequence_iter_is_end (iter))
    {
      Range *r = g_sequence_get (iter);
      GSequenceIter *next;

      if (r->start > end)
        break;
      start = MIN (start, r->start);
      end = MAX (end, r->end);
      next = g_sequence_iter_next (iter);
      if (merged == NULL)
        merged = r;
      else
        {
          g_sequence_remove (iter);
          change--;
        }
      iter = next;
    }
  if (merged != NULL)
    {
      /* Stays in order: the range before it ends before start. */
      merged->start = start;
      merged->end = end;
    }
  else
    {
      Range *r = g_new (Range, 1);

      r->start = start;
      r->end = end;
      g_sequence_insert_before (iter, r);
      change++;
    }
  return change;
}

/* What block number b of a message of that total needs: a whole block,
 * or less for its last one. */
static gsize
block_capacity (gint64  total,
                guint64 b)
{
  guint64 block_start = b * BLOCK_SIZE;

  if (total >= 0 && (guint64) total > block_start && (guint64) total - block_start < BLOCK_SIZE)
    return (gsize) ((guint64) total - block_start);
  return BLOCK_SIZE;
}

/* The blocks a write touches, looked up once: blocks_cost finds them,
 * blocks_write fills them. A part of a chunk (256 KiB at most) touches
 * five blocks at most; a longer chunk gets an array of its own. */
typedef struct {
  guint n;
  Block **blocks;         /* NULL where none is allocated yet */
  Block *local[8];
} BlockSpan;

static void
block_span_clear (BlockSpan *span)
{
  if (span->blocks != span->local)
    g_free (span->blocks);
}

/* The memory writing [offset, offset + size) into blocks (NULL: none yet)
 * adds; @span keeps the blocks found, for blocks_write(). */
static gsize
blocks_cost (GHashTable *blocks,
             gint64      total,
             guint64     offset,
             gsize       size,
             BlockSpan  *span)
{
  guint64 end = offset + size;
  guint64 first = offset / BLOCK_SIZE;
  gsize cost = 0;

  span->n = (guint) ((end - 1) / BLOCK_SIZE - first + 1);
  span->blocks = span->n <= G_N_ELEMENTS (span->local) ? span->local : g_new (Block *, span->n);
  for (guint i = 0; i < span->n; i++)
    {
      guint64 b = first + i;
      Block *block = blocks ? g_hash_table_lookup (blocks, GSIZE_TO_POINTER ((gsize) b)) : NULL;
      gsize needed = (gsize) (MIN (end, (b + 1) * BLOCK_SIZE) - b * BLOCK_SIZE);

      span->blocks[i] = block;
      if (block == NULL)
        cost += BLOCK_COST + MAX (block_capacity (total, b), needed);
      else if (block->capacity < needed)
        cost += BLOCK_SIZE - block->capacity;
    }
  return cost;
}

/* Writes the bytes into the blocks blocks_cost() found; returns the memory
 * it added (as blocks_cost said). */
static gsize
blocks_write (Message      *msg,
              gint64        total,
              guint64       offset,
              const guint8 *data,
              gsize         size,
              BlockSpan    *span)
{
  guint64 end = offset + size;
  guint64 first = offset / BLOCK_SIZE;
  gsize added = 0;

  for (guint i = 0; i < span->n; i++)
    {
      guint64 b = first + i;
      gpointer key = GSIZE_TO_POINTER ((gsize) b);
      Block *block = span->blocks[i];
      guint64 from = MAX (offset, b * BLOCK_SIZE);
      guint64 to = MIN (end, (b + 1) * BLOCK_SIZE);
      gsize needed = (gsize) (to - b * BLOCK_SIZE);

      if (block == NULL)
        {
          gsize capacity = MAX (block_capacity (total, b), needed);

          block = g_malloc (sizeof (Block) + capacity);
          block->capacity = capacity;
          g_hash_table_insert (msg->blocks, key, block);
          added += BLOCK_COST + capacity;
        }
      else if (block->capacity < needed)
        {
          /* The total changed (a peer's mistake): a whole block then. */
          g_hash_table_steal (msg->blocks, key);
          added += BLOCK_SIZE - block->capacity;
          block = g_realloc (block, sizeof (Block) + BLOCK_SIZE);
          block->capacity = BLOCK_SIZE;
          g_hash_table_insert (msg->blocks, key, block);
        }
      memcpy (block->data + (from - b * BLOCK_SIZE), data + (from - offset), (gsize) (to - from));
    }
  return added;
}

static void
block_free (gpointer data)
{
  g_free (data);
}

/* The whole message from its blocks, which go as they are copied. */
static GBytes *
blocks_take (Message *msg,
             gsize    total)
{
  guint8 *out;

  if (total == 0)
    return g_bytes_new (NULL, 0);
  if (total <= BLOCK_SIZE)
    {
      /* One block: it is the message. */
      Block *block = NULL;

      g_hash_table_steal_extended (msg->blocks, GSIZE_TO_POINTER (0), NULL, (gpointer *) &block);
      g_assert (block != NULL && block->capacity >= total);
      return g_bytes_new_with_free_func (block->data, total, block_free, block);
    }
  out = g_malloc (total);
  for (gsize b = 0; b * BLOCK_SIZE < total; b++)
    {
      Block *block = NULL;

      g_hash_table_steal_extended (msg->blocks, GSIZE_TO_POINTER (b), NULL, (gpointer *) &block);
      g_assert (block != NULL);
      memcpy (out + b * BLOCK_SIZE, block->data, MIN (BLOCK_SIZE, total - b * BLOCK_SIZE));
      g_free (block);
    }
  return g_bytes_new_take (out, total);
}

static gboolean
is_complete (Message *msg)
{
  Range *r;

  if (msg->total < 0 || g_sequence_is_empty (msg->ranges))
    return FALSE;
  r = g_sequence_get (g_sequence_get_begin_iter (msg->ranges));
  return r->start == 0 && r->end >= (guint64) msg->total;
}

/* Adds delta (which may be negative) to what the message holds. */
static void
account (MsrpReassembler *self,
         Message         *msg,
         gssize           delta)
{
  msg->held += delta;
  self->held += delta;
}

MsrpReassembly
_msrp_reassembler_add (MsrpReassembler  *self,
                       MsrpChunk        *chunk,
                       gboolean          streamed,
                       MsrpChunk       **first,
                       GBytes          **message,
                       guint64          *total_out)
{
  const char *message_id = msrp_chunk_get_message_id (chunk);
  MsrpContinuation continuation = msrp_chunk_get_continuation (chunk);
  GBytes *body = msrp_chunk_get_data (chunk);
  gsize size = body != NULL ? g_bytes_get_size (body) : 0;
  gint64 start, total;
  guint64 offset, end;
  gboolean keep;
  gsize cost = 0, back = 0, first_cost = 0;
  g_autoptr(MsrpChunk) new_first = NULL;
  BlockSpan span = { 0, };
  Message *msg;

  g_return_val_if_fail (message_id != NULL, MSRP_REASSEMBLY_REFUSED);

  msrp_chunk_get_byte_range (chunk, &start, NULL, &total);
  /* Both below 2^63: their sum fits. */
  offset = (guint64) MAX (start, 1) - 1;
  end = offset + size;
  msg = lookup_message (self, message_id);

  if (continuation == MSRP_CONTINUATION_ABORT)
    {
      drop_message (self, message_id);
      forget_refused (self, message_id);
      return MSRP_REASSEMBLY_ABORTED;
    }
  if (is_refused (self, message_id))
    return MSRP_REASSEMBLY_REFUSED;

  if (msg == NULL && offset == 0 && continuation == MSRP_CONTINUATION_END &&
      (total < 0 || (guint64) total == size) && (size <= self->max_message_size || streamed))
    {
      /* A whole message in one chunk (the usual short message): its body
       * is the message, nothing to put together; too large to keep, it is
       * followed by chunk-received alone (a tunnel's), and holds nothing
       * here. */
      *first = g_object_ref (chunk);
      if (size <= self->max_message_size)
        *message = body != NULL ? g_bytes_ref (body) : g_bytes_new (NULL, 0);
      else
        *message = NULL;
      *total_out = size;
      return MSRP_REASSEMBLY_COMPLETE;
    }

  if (total < 0 && msg != NULL)
    total = msg->total;
  /* The real range comes from the start and the bytes that came: relays
   * may cut a chunk short and leave the original end in the header. */
  keep = end <= self->max_message_size &&
         (total < 0 || (guint64) total <= self->max_message_size) &&
         (msg == NULL || msg->blocks != NULL);
  if (!keep && !streamed)
    {
      refuse (self, message_id);
      return MSRP_REASSEMBLY_TOO_LARGE;
    }
  /* A message that could never be held whole is refused at once. */
  if (keep && self->max_held > 0 &&
      (end > self->max_held || (total >= 0 && (guint64) total > self->max_held)))
    {
      refuse (self, message_id);
      return MSRP_REASSEMBLY_OVER_LIMIT;
    }
  if (msg == NULL && self->max_open > 0 && _msrp_reassembler_get_n_open (self) >= self->max_open)
    {
      refuse (self, message_id);
      return MSRP_REASSEMBLY_OVER_LIMIT;
    }

  /* What it would cost, before anything is done, and what it gives back:
   * a first chunk replaced, the bytes of a message now too large. */
  if (msg == NULL)
    cost += MESSAGE_COST;
  if (msg == NULL || (offset == 0 && !msg->first_is_start))
    {
      new_first = copy_headers (chunk, &first_cost);
      cost += first_cost;
      if (msg != NULL)
        back += msg->first_cost;
    }
  if (keep && size > 0)
    cost += blocks_cost (msg ? msg->blocks : NULL, total, offset, size, &span);
  if (!keep && msg != NULL)
    back += msg->blocks_held;
  if (size > 0 || offset == 0)
    cost += RANGE_COST;
  if (self->max_held > 0 && self->held - back + cost > self->max_held)
    {
      block_span_clear (&span);
      refuse (self, message_id);
      return MSRP_REASSEMBLY_OVER_LIMIT;
    }

  if (msg == NULL)
    {
      msg = g_new0 (Message, 1);
      if (keep)
        msg->blocks = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, block_free);
      msg->ranges = g_sequence_new (g_free);
      msg->total = -1;
      if (self->messages == NULL)
        self->messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, message_free);
      g_hash_table_insert (self->messages, g_strdup (message_id), msg);
      account (self, msg, MESSAGE_COST);
    }
  if (!keep && msg->blocks != NULL)
    {
      g_clear_pointer (&msg->blocks, g_hash_table_unref);
      account (self, msg, -(gssize) msg->blocks_held);
      msg->blocks_held = 0;
    }
  if (new_first != NULL)
    {
      g_set_object (&msg->first, new_first);
      account (self, msg, (gssize) first_cost - (gssize) msg->first_cost);
      msg->first_cost = first_cost;
      msg->first_is_start = offset == 0;
    }
  if (total >= 0)
    msg->total = total;

  if (keep && size > 0)
    {
      gsize added = blocks_write (msg, msg->total, offset, g_bytes_get_data (body, NULL), size, &span);

      msg->blocks_held += added;
      account (self, msg, added);
      block_span_clear (&span);
    }
  if (size > 0 || offset == 0)
    account (self, msg, ranges_add (msg->ranges, offset, end) * RANGE_COST);
  if (continuation == MSRP_CONTINUATION_END && msg->total < 0)
    msg->total = end;

  if (!is_complete (msg))
    return MSRP_REASSEMBLY_PENDING;

  *first = g_object_ref (msg->first);
  *total_out = msg->total;
  *message = msg->blocks != NULL ? blocks_take (msg, msg->total) : NULL;
  drop_message (self, message_id);
  return MSRP_REASSEMBLY_COMPLETE;
}
