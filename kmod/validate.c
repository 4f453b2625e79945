// SPDX-License-Identifier: GPL-2.0
/*
 * Consistency check of a whole heap, for the debugfs file "validate"
 * (SLUB's validate, for goheap's metadata).
 *
 * Two passes, each under the locks that protect what it reads, in the
 * lock order (internal.h):
 *
 *   1. per size class, under the central lock: every span on the class's
 *      lists is a small span of that class that pointer lookup finds;
 *      its allocated count matches its bitmap; an object is free in its
 *      state byte exactly when its bit is clear; the free-index hint is
 *      right; the span sits on the list its occupancy calls for, and the
 *      list counts match. In debug mode, freed objects keep their poison
 *      and live ones their red zone.
 *   2. under the page heap lock: every chunk's free and released counts
 *      match its bitmaps, released pages are unavailable, each word's run
 *      summary matches the word, its longest free run is the summary
 *      tree's leaf, and its span map covers each span's
 *      pages, and only those, from the span's first page; each 128 KiB
 *      granule of the pointer map names the chunk, unless the chunk
 *      released all of it (then it names nothing or a newer chunk that
 *      holds it); the heap's page totals are the sums over its chunks.
 *
 * The metadata checks hold at every instant; the content checks (poison,
 * red zones) and the state of large spans are exact on a quiescent heap,
 * since an owner may be freeing or reusing an object while it is read.
 * Each pass keeps its lock for the whole walk: this is a debugging aid,
 * with a cost proportional to the heap.
 */
#include <linux/bitmap.h>
#include <linux/seq_file.h>

#include "internal.h"

#define GH_VALIDATE_MAX_MSGS	20

struct vstate {
	struct seq_file *m;
	unsigned long errors;
	unsigned long chunks;
	unsigned long spans[GH_SPAN_RAW + 1];
	unsigned long objects;
	unsigned long live;
};

static __printf(2, 3) void verr(struct vstate *v, const char *fmt, ...)
{
	va_list args;

	if (++v->errors > GH_VALIDATE_MAX_MSGS)
		return;
	va_start(args, fmt);
	seq_vprintf(v->m, fmt, args);
	va_end(args);
}

static void check_objects(struct gh_heap *h, struct gh_span *s, struct vstate *v)
{
	unsigned int i;
	bool out;
	u8 st;

	for (i = 0; i < s->nelems; i++) {
		out = test_bit(i, s->allocbits);
		st = READ_ONCE(s->objstate[i]);
		v->objects++;
		v->live += gh_obj_live(st);
		if (out ? st == GH_OBJ_FREE : st != GH_OBJ_FREE)
			verr(v, "span %p object %u: state %u but bit %s\n", (void *)s->base, i,
			     st, out ? "set" : "clear");
		if (s->track && !gh_debug_object_ok(h, s, i, st))
			verr(v, "span %p object %u: %s overwritten\n", (void *)s->base, i,
			     gh_obj_live(st) ? "red zone" : "poison");
	}
}

static void check_small(struct gh_heap *h, unsigned int cls, struct gh_span *s, int bucket,
			struct vstate *v)
{
	const struct gh_class *k = &h->classes[cls];
	unsigned int w;
	int want;

	v->spans[GH_SPAN_SMALL]++;
	if (s->kind != GH_SPAN_SMALL || s->cls != cls || s->nelems != k->nelems ||
	    s->elemsize != k->size || s->npages != k->npages) {
		verr(v, "class %u: span %p is kind %u class %u, %u objects of %u B\n", cls,
		     (void *)s->base, s->kind, s->cls, s->nelems, s->elemsize);
		return;
	}
	if (gh_span_lookup(h, (void *)s->base) != s ||
	    gh_span_lookup(h, (void *)(s->base + gh_span_bytes(h, s) - 1)) != s)
		verr(v, "class %u: span %p not found by pointer lookup\n", cls, (void *)s->base);
	w = bitmap_weight(s->allocbits, s->nelems);
	if (w != s->allocated)
		verr(v, "class %u: span %p counts %u objects out, bitmap %u\n", cls,
		     (void *)s->base, s->allocated, w);
	if (find_first_zero_bit(s->allocbits, s->nelems) < s->freeindex)
		verr(v, "class %u: span %p has a free object below its hint %u\n", cls,
		     (void *)s->base, s->freeindex);
	want = gh_central_bucket(s);
	if (s->bucket != bucket || bucket != want)
		verr(v, "class %u: span %p (%u of %u out) on list %d, marked %d, not %d\n", cls,
		     (void *)s->base, s->allocated, s->nelems, bucket, s->bucket, want);
	check_objects(h, s, v);
}

static void check_class(struct gh_heap *h, unsigned int cls, struct vstate *v)
{
	struct gh_central *c = &h->central[cls];
	unsigned long flags, partial = 0, full = 0;
	struct gh_span *s;
	unsigned int b;
	bool grown, big;

	spin_lock_irqsave(&c->lock, flags);
	for (b = 0; b < GH_BUCKETS; b++) {
		list_for_each_entry(s, &c->partial[b], node) {
			check_small(h, cls, s, b, v);
			partial++;
		}
	}
	list_for_each_entry(s, &c->full, node) {
		check_small(h, cls, s, GH_BUCKETS, v);
		full++;
	}
	if (partial != c->nr_partial || full != c->nr_full)
		verr(v, "class %u: %lu partial and %lu full spans listed, %lu and %lu counted\n",
		     cls, partial, full, c->nr_partial, c->nr_full);
	if (c->nxfer > c->xfer_cap)
		verr(v, "class %u: transfer cache holds %u objects, room for %u\n", cls,
		     c->nxfer, c->xfer_cap);
	grown = c->xfer != c->xfer_base;
	big = c->xfer_cap > gh_xfer_base_cap(h, cls);
	if (c->xfer_cap > c->xfer_max || grown != big)
		verr(v, "class %u: transfer cache of %u objects\n", cls, c->xfer_cap);
	spin_unlock_irqrestore(&c->lock, flags);
}

/* The span map of @ch from page @i: one span. Returns its length. */
static unsigned int check_span_pages(struct gh_heap *h, struct gh_chunk *ch, unsigned int i,
				     struct vstate *v)
{
	struct gh_span *s = ch->spans[i];
	unsigned int j;

	if (s->chunk != ch || s->first != i || !s->npages || i + s->npages > ch->npages ||
	    s->base != ch->base + ((unsigned long)i << h->page_shift)) {
		verr(v, "chunk %p page %u: span %p (first %u, %u pages) does not start here\n",
		     (void *)ch->base, i, (void *)s->base, s->first, s->npages);
		return 1;
	}
	for (j = i; j < i + s->npages; j++) {
		if (ch->spans[j] != s || !test_bit(j, ch->inuse) || test_bit(j, ch->released)) {
			verr(v, "chunk %p page %u: not mapped to its span %p, or not in use\n",
			     (void *)ch->base, j, (void *)s->base);
			break;
		}
	}
	if (s->kind == GH_SPAN_SMALL)
		return s->npages;
	v->spans[s->kind == GH_SPAN_LARGE ? GH_SPAN_LARGE : GH_SPAN_RAW]++;
	if (s->kind == GH_SPAN_LARGE) {
		u8 st = READ_ONCE(s->objstate[0]);

		v->objects++;
		v->live += gh_obj_live(st);
		/* Pairs with the WRITE_ONCE()s of spancache.c, made under its claim. */
		if (!gh_obj_live(st) && !READ_ONCE(s->cached))
			verr(v, "large span %p is in the heap but its object is not live\n",
			     (void *)s->base);
		else if (s->track && !gh_debug_object_ok(h, s, 0, st))
			verr(v, "large span %p: red zone overwritten\n", (void *)s->base);
	}
	return s->npages;
}

/*
 * Each map granule of @ch names @ch, unless all of @ch's pages there are
 * released: then it names nothing or a newer chunk made of those holes.
 */
static void check_chunk_map(struct gh_heap *h, struct gh_chunk *ch, struct vstate *v)
{
	unsigned long idx = gh_map_index(ch->base), addr = ch->base;
	unsigned int i, n = gh_chunk_granules(ch);
	struct gh_chunk *m;

	for (i = 0; i < n; i++, addr += GH_GRANULE_BYTES) {
		m = h->map[idx + i];
		if (m == ch)
			continue;
		if (!gh_granule_released(ch, addr) ||
		    (m && (addr < m->base || addr >= m->base + (PAGE_SIZE << m->order))))
			verr(v, "chunk %p: map granule %u names chunk %p\n", (void *)ch->base, i,
			     m ? (void *)m->base : NULL);
	}
}

static unsigned long check_chunk(struct gh_heap *h, struct gh_chunk *ch, struct vstate *v)
{
	unsigned int i, w, run;
	unsigned long inuse = 0;

	v->chunks++;
	w = bitmap_weight(ch->inuse, ch->npages);
	if (ch->npages - w != ch->nfree)
		verr(v, "chunk %p: %u pages free by its bitmap, counted %u\n", (void *)ch->base,
		     ch->npages - w, ch->nfree);
	w = bitmap_weight(ch->released, ch->npages);
	if (w != ch->nreleased || !bitmap_subset(ch->released, ch->inuse, ch->npages))
		verr(v, "chunk %p: %u pages released by its bitmap, counted %u\n",
		     (void *)ch->base, w, ch->nreleased);
	run = gh_chunk_maxrun(ch);
	if (run != ch->maxrun || h->tree[h->tree_cap + ch->slot] != ch->maxrun ||
	    h->slot_chunk[ch->slot] != ch)
		verr(v, "chunk %p: longest free run %u, summary %u, tree leaf %u\n",
		     (void *)ch->base, run, ch->maxrun, h->tree[h->tree_cap + ch->slot]);
	for (i = 0; i < BITS_TO_LONGS(ch->npages); i++) {
		struct gh_runsum sum = gh_chunk_word_sum(ch, i);

		if (memcmp(&sum, &ch->sums[i], sizeof(sum)))
			verr(v, "chunk %p word %u: runs %u/%u/%u by its bitmap, summary %u/%u/%u\n",
			     (void *)ch->base, i, sum.start, sum.max, sum.end, ch->sums[i].start,
			     ch->sums[i].max, ch->sums[i].end);
	}
	check_chunk_map(h, ch, v);
	for (i = 0; i < ch->npages; ) {
		if (ch->spans[i]) {
			w = check_span_pages(h, ch, i, v);
			inuse += w;
			i += w;
			continue;
		}
		if (test_bit(i, ch->inuse) && !test_bit(i, ch->released))
			verr(v, "chunk %p page %u: in use but in no span\n", (void *)ch->base, i);
		i++;
	}
	return inuse;
}

static void check_pageheap(struct gh_heap *h, struct vstate *v)
{
	unsigned long flags, total = 0, inuse = 0, released = 0, n = 0;
	struct gh_chunk *ch;

	spin_lock_irqsave(&h->lock, flags);
	list_for_each_entry(ch, &h->chunks, node) {
		inuse += check_chunk(h, ch, v);
		total += ch->npages;
		released += ch->nreleased;
		n++;
	}
	if (n != h->nr_chunks || total != h->pages_total || inuse != h->pages_inuse ||
	    released != h->pages_released)
		verr(v, "heap: %lu chunks, pages %lu/%lu/%lu, chunks: %lu, %lu/%lu/%lu\n",
		     h->nr_chunks, h->pages_total, h->pages_inuse, h->pages_released, n, total,
		     inuse, released);
	spin_unlock_irqrestore(&h->lock, flags);
}

/**
 * gh_validate() - check a heap's metadata (and, in debug mode, objects).
 * @h: heap.
 * @m: where to print: up to GH_VALIDATE_MAX_MSGS problems, then a summary
 *     line ending in "N errors".
 *
 * Context: process; takes every central lock and the heap lock in turn.
 * Return: the number of problems found.
 */
unsigned long gh_validate(struct gh_heap *h, struct seq_file *m)
{
	struct vstate v = { .m = m };
	unsigned int cls;

	for (cls = 1; cls < GH_NR_CLASSES; cls++) {
		if (h->classes[cls].size)
			check_class(h, cls, &v);
		cond_resched();
	}
	check_pageheap(h, &v);
	if (v.errors > GH_VALIDATE_MAX_MSGS)
		seq_printf(m, "... %lu more\n", v.errors - GH_VALIDATE_MAX_MSGS);
	seq_printf(m, "validate: %lu chunks, %lu small + %lu large + %lu raw spans, ", v.chunks,
		   v.spans[GH_SPAN_SMALL], v.spans[GH_SPAN_LARGE], v.spans[GH_SPAN_RAW]);
	seq_printf(m, "%lu objects (%lu live), %lu errors\n", v.objects, v.live, v.errors);
	return v.errors;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_validate);
