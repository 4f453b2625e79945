// SPDX-License-Identifier: GPL-2.0
/*
 * Spans: their metadata, their lifetime, and the objects inside them.
 *
 * A span is a run of heap pages (the page heap finds and publishes it,
 * gh_pages_alloc()) described by a struct gh_span that lives outside the
 * span's own memory, in one kmalloc'ed block: the struct, the allocation
 * bitmap, one state byte per object, then the tiny allocator's state
 * words or the debug mode's per-object records when the span has them.
 * A span lives from gh_span_alloc() to gh_span_free(); in between it
 * belongs to a central list (small objects), a large object, the per-CPU
 * span cache, or a /dev/goheap file.
 *
 * A span of class c holds classes[c].nelems objects laid out from its first
 * byte, each classes[c].size bytes. Which objects are out of the span is
 * its bitmap; the central lock of the class protects it. Object indices
 * come from a multiply and a shift (Go's divMagic) rather than a division.
 */
#include <linux/bitmap.h>
#include <linux/slab.h>

#include "internal.h"
#include "sanitize.h"
#include "trace.h"

/* === Layout and lifetime ================================================== */

/* Span, bitmap, state bytes, then tiny state words or debug records. */
static size_t span_meta_size(unsigned int nelems, bool tiny, bool debug)
{
	size_t sz = sizeof(struct gh_span);

	sz += BITS_TO_LONGS(nelems) * sizeof(unsigned long);
	sz += nelems;
	if (tiny)
		sz = ALIGN(sz, sizeof(atomic64_t)) + nelems * sizeof(atomic64_t);
	if (debug)
		sz = ALIGN(sz, sizeof(struct gh_track)) + nelems * sizeof(struct gh_track);
	return sz;
}

/**
 * gh_span_alloc_node() - take a span from the page heap, on a node.
 * @h: heap.
 * @npages: length in heap pages, 1 .. pages of a full chunk.
 * @align: alignment of the first page, in heap pages (power of two).
 * @kind: what the span is for.
 * @cls: size class for small spans, else 0.
 * @gfp: allocation context; the heap grows only as @gfp allows
 *	 (__GFP_NOFAIL is not honoured).
 * @nid: NUMA node wanted, or NUMA_NO_NODE for the first fit anywhere.
 *
 * The metadata comes from kmalloc with @gfp, the pages from
 * gh_pages_alloc(), which says how @nid is honoured.
 *
 * Context: any; sleeps only if @gfp allows it. No locks held on entry.
 * Return: the span with its metadata set up, or NULL.
 */
struct gh_span *gh_span_alloc_node(struct gh_heap *h, unsigned int npages,
				   unsigned int align, enum gh_span_kind kind,
				   unsigned int cls, gfp_t gfp, int nid)
{
	unsigned int nelems = 1;
	bool tiny = cls == GH_TINY_CLASS;
	struct gh_span *s;
	size_t msize;

	if (!npages || npages > GH_MAX_CHUNK_PAGES / h->hw_per_page ||
	    !is_power_of_2(align) || align > npages)
		return NULL;
	if (kind == GH_SPAN_SMALL)
		nelems = h->classes[cls].nelems;

	msize = span_meta_size(nelems, tiny, h->debug);
	s = kzalloc(msize, gfp & GH_GFP_MASK);
	if (!s)
		return NULL;
	gh_san_meta(s);
	s->allocbits = (unsigned long *)(s + 1);
	s->objstate = (u8 *)(s->allocbits + BITS_TO_LONGS(nelems));
	if (tiny)
		s->tiny = (atomic64_t *)PTR_ALIGN(s->objstate + nelems, sizeof(atomic64_t));
	if (h->debug)
		s->track = (struct gh_track *)PTR_ALIGN(s->objstate + nelems,
							sizeof(struct gh_track));

	s->npages = npages;
	s->kind = kind;
	s->cls = cls;
	s->nelems = nelems;
	s->bucket = -1;
	INIT_LIST_HEAD(&s->node);
	if (kind == GH_SPAN_SMALL) {
		s->elemsize = h->classes[cls].size;
		s->div_mul = h->classes[cls].div_mul;
	} else {
		s->elemsize = npages << h->page_shift;
		s->div_mul = 0;
	}

	if (gh_pages_alloc(h, s, align, gfp, nid)) {
		kfree(s);
		return NULL;
	}
	if (kind == GH_SPAN_RAW)
		gh_san_pages_open((void *)s->base, gh_span_bytes(h, s));
	atomic_long_inc(&h->nr_spans);
	atomic_long_add(msize, &h->span_bytes);
	trace_goheap_span_alloc(h, s);
	return s;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_span_alloc_node);

/**
 * gh_span_alloc() - take a span from the page heap, first fit anywhere.
 * @h: heap.
 * @npages: length in heap pages.
 * @align: alignment of the first page, in heap pages (power of two).
 * @kind: what the span is for.
 * @cls: size class for small spans, else 0.
 * @gfp: allocation context.
 *
 * Context: as gh_span_alloc_node().
 * Return: the span, or NULL.
 */
struct gh_span *gh_span_alloc(struct gh_heap *h, unsigned int npages,
			      unsigned int align, enum gh_span_kind kind,
			      unsigned int cls, gfp_t gfp)
{
	return gh_span_alloc_node(h, npages, align, kind, cls, gfp, NUMA_NO_NODE);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_span_alloc);

/**
 * gh_span_free() - give a span back to the page heap.
 * @h: heap.
 * @s: span from gh_span_alloc(), no longer referenced by anything.
 *
 * Its pages join the free runs around them at once (gh_pages_free()),
 * and its metadata is freed.
 *
 * Context: any. No locks held on entry.
 */
void gh_span_free(struct gh_heap *h, struct gh_span *s)
{
	trace_goheap_span_free(h, s);
	gh_san_pages_free((void *)s->base, gh_span_bytes(h, s));
	gh_pages_free(h, s);
	atomic_long_dec(&h->nr_spans);
	atomic_long_sub(span_meta_size(s->nelems, !!s->tiny, !!s->track), &h->span_bytes);
	kfree(s);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_span_free);

/**
 * gh_span_bytes() - size of a span in bytes.
 * @h: heap.
 * @s: span.
 *
 * Return: npages times the heap page size.
 */
unsigned long gh_span_bytes(const struct gh_heap *h, const struct gh_span *s)
{
	return (unsigned long)s->npages << h->page_shift;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_span_bytes);

/* === Objects inside a small-object span =================================== */

/**
 * gh_span_take() - move free objects out of a span.
 * @s: small-object span.
 * @objs: where to store the objects and their state bytes.
 * @max: at most this many.
 *
 * The objects become GH_OBJ_CACHED.
 *
 * Context: the central lock of @s's class held.
 * Return: the number of objects taken.
 */
unsigned int gh_span_take(struct gh_span *s, struct gh_obj *objs, unsigned int max)
{
	unsigned int nwords = BITS_TO_LONGS(s->nelems), n = 0, w, idx = 0;
	unsigned long free, taken;

	/* A word at a time: every bit below freeindex is set already. */
	for (w = s->freeindex / BITS_PER_LONG; w < nwords && n < max; w++) {
		free = ~s->allocbits[w];
		if (w == nwords - 1)
			free &= BITMAP_LAST_WORD_MASK(s->nelems);
		taken = 0;
		while (free && n < max) {
			idx = __ffs(free);
			free &= free - 1;
			taken |= BIT(idx);
			idx += w * BITS_PER_LONG;
			WRITE_ONCE(s->objstate[idx], GH_OBJ_CACHED);
			objs[n].p = (void *)(s->base + (unsigned long)idx * s->elemsize);
			objs[n].state = &s->objstate[idx];
			n++;
		}
		s->allocbits[w] |= taken;
	}
	/* Every object below the last one taken is out now. */
	if (n < max)
		s->freeindex = s->nelems;
	else if (n)
		s->freeindex = idx + 1;
	s->allocated += n;
	return n;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_span_take);

/**
 * gh_span_put() - return one cached object to its span.
 * @s: the object's span.
 * @p: the object, GH_OBJ_CACHED.
 *
 * Context: the central lock of @s's class held.
 */
void gh_span_put(struct gh_span *s, const void *p)
{
	bool interior;
	unsigned int idx = gh_span_obj_index(s, p, &interior);

	__clear_bit(idx, s->allocbits);
	WRITE_ONCE(s->objstate[idx], GH_OBJ_FREE);
	s->allocated--;
	if (idx < s->freeindex)
		s->freeindex = idx;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_span_put);
