// SPDX-License-Identifier: GPL-2.0
/*
 * Central lists: one per size class, between the per-CPU caches and the
 * page heap (Go's mcentral, TCMalloc's transfer cache + central freelist).
 *
 * Objects move in batches. A flushed batch first goes to the class's
 * transfer cache, an array of object pointers from which another CPU's
 * refill is served with one copy; only when that is full do objects go back
 * into their spans. Spans with free objects sit on four partial lists by
 * occupancy, and refills take from the fullest first so that lightly used
 * spans drain and can go back to the page heap (less fragmentation). A
 * span whose last object comes back is returned to the page heap at once.
 *
 * Each class has its own cache-line aligned spinlock, taken irqsave since
 * per-CPU caches call in with interrupts enabled or disabled alike. The
 * page heap is only called with this lock dropped.
 */
#include <kunit/visibility.h>
#include <linux/list.h>
#include <linux/slab.h>

#include "goheap.h"
#include "sanitize.h"

/* Put a span on the list its occupancy calls for. Central lock held. */
static void relist(struct gh_central *c, struct gh_span *s)
{
	int bucket = gh_central_bucket(s);

	if (bucket == s->bucket)
		return;

	if (s->bucket == GH_BUCKETS)
		c->nr_full--;
	else if (s->bucket >= 0)
		c->nr_partial--;
	if (bucket == GH_BUCKETS) {
		list_move(&s->node, &c->full);
		c->nr_full++;
	} else {
		list_move(&s->node, &c->partial[bucket]);
		c->nr_partial++;
	}
	s->bucket = bucket;
}

static void unlist(struct gh_central *c, struct gh_span *s)
{
	if (s->bucket == GH_BUCKETS)
		c->nr_full--;
	else if (s->bucket >= 0)
		c->nr_partial--;
	list_del_init(&s->node);
	s->bucket = -1;
}

static struct gh_span *fullest_partial(struct gh_central *c)
{
	int b;

	for (b = GH_BUCKETS - 1; b >= 0; b--) {
		if (!list_empty(&c->partial[b]))
			return list_first_entry(&c->partial[b], struct gh_span, node);
	}
	return NULL;
}

/**
 * gh_central_refill() - get objects of one class for a per-CPU cache.
 * @h: heap.
 * @cls: small size class (or GH_TINY_CLASS).
 * @objs: array to fill.
 * @want: number of objects wanted, at most a few batches.
 * @gfp: context for growing the heap.
 *
 * Takes from the transfer cache, then from the fullest partial spans, then
 * from new spans. Returns as soon as it has anything when the page heap
 * cannot give more.
 *
 * Context: any; sleeps only if @gfp allows. No goheap lock held.
 * Return: number of objects stored in @objs, 0 on failure.
 */
unsigned int gh_central_refill(struct gh_heap *h, unsigned int cls, struct gh_obj *objs,
			       unsigned int want, gfp_t gfp)
{
	const struct gh_class *k = &h->classes[cls];
	struct gh_central *c = &h->central[cls];
	struct gh_span *s, *fresh = NULL;
	unsigned int n = 0, take;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	take = min(c->nxfer, want);
	if (take) {
		c->nxfer -= take;
		memcpy(objs, &c->xfer[c->nxfer], take * sizeof(*objs));
		n = take;
	}
	while (n < want) {
		s = fullest_partial(c);
		if (!s) {
			spin_unlock_irqrestore(&c->lock, flags);
			s = gh_span_alloc(h, k->npages, k->align, GH_SPAN_SMALL, cls, gfp);
			spin_lock_irqsave(&c->lock, flags);
			if (!s)
				break;
			relist(c, s);
			fresh = s;
			continue;
		}
		n += gh_span_take(s, objs + n, want - n);
		relist(c, s);
	}
	/*
	 * With the lock dropped for gh_span_alloc(), another CPU's flush may
	 * have refilled the lists and served us instead: an untouched new
	 * span must not stay listed, or nothing would ever free it.
	 */
	if (fresh && !fresh->allocated)
		unlist(c, fresh);
	else
		fresh = NULL;
	spin_unlock_irqrestore(&c->lock, flags);
	if (fresh)
		gh_span_free(h, fresh);
	return n;
}

/* Return objects to their spans; empty spans go back to the page heap. */
static void flush_spans(struct gh_heap *h, unsigned int cls, struct gh_obj *objs,
			unsigned int n)
{
	struct gh_central *c = &h->central[cls];
	struct gh_span *s, *tmp;
	unsigned long flags;
	LIST_HEAD(empty);
	unsigned int i;

	spin_lock_irqsave(&c->lock, flags);
	for (i = 0; i < n; i++) {
		s = gh_span_lookup(h, objs[i].p);
		gh_span_put(s, objs[i].p);
		if (!s->allocated) {
			unlist(c, s);
			list_add(&s->node, &empty);
			c->nr_spans_freed++;
		} else {
			relist(c, s);
		}
	}
	spin_unlock_irqrestore(&c->lock, flags);

	list_for_each_entry_safe(s, tmp, &empty, node)
		gh_span_free(h, s);
}

/**
 * gh_central_flush() - take back objects from a per-CPU cache.
 * @h: heap.
 * @cls: their size class.
 * @objs: the objects, all GH_OBJ_CACHED.
 * @n: how many.
 *
 * They go to the transfer cache if it has room, else back to their spans.
 *
 * Context: any. No goheap lock held.
 */
void gh_central_flush(struct gh_heap *h, unsigned int cls, struct gh_obj *objs, unsigned int n)
{
	struct gh_central *c = &h->central[cls];
	unsigned int cap = GH_XFER_BATCHES * h->classes[cls].batch;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	if (c->nxfer + n <= cap) {
		memcpy(&c->xfer[c->nxfer], objs, n * sizeof(*objs));
		c->nxfer += n;
		spin_unlock_irqrestore(&c->lock, flags);
		return;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	flush_spans(h, cls, objs, n);
}
EXPORT_SYMBOL_IF_KUNIT(gh_central_flush);

/**
 * gh_central_cached() - objects of a class held in its transfer cache.
 * @h: heap.
 * @cls: size class.
 *
 * Return: a snapshot of the count.
 */
unsigned int gh_central_cached(struct gh_heap *h, unsigned int cls)
{
	return READ_ONCE(h->central[cls].nxfer);
}
EXPORT_SYMBOL_IF_KUNIT(gh_central_cached);

/**
 * gh_central_release() - return a class's transfer cache to its spans.
 * @h: heap.
 * @cls: size class.
 *
 * Spans left empty go back to the page heap.
 *
 * Context: process or any; no goheap lock held.
 * Return: number of objects moved.
 */
unsigned int gh_central_release(struct gh_heap *h, unsigned int cls)
{
	struct gh_central *c = &h->central[cls];
	struct gh_obj objs[GH_MAX_BATCH];
	unsigned int n, total = 0;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&c->lock, flags);
		n = min_t(unsigned int, c->nxfer, ARRAY_SIZE(objs));
		c->nxfer -= n;
		memcpy(objs, &c->xfer[c->nxfer], n * sizeof(*objs));
		spin_unlock_irqrestore(&c->lock, flags);
		if (!n)
			return total;
		flush_spans(h, cls, objs, n);
		total += n;
	}
}
EXPORT_SYMBOL_IF_KUNIT(gh_central_release);

/**
 * gh_central_init() - set up the central lists of every class.
 * @h: heap with its classes set.
 *
 * Context: process; may sleep.
 * Return: 0 or -ENOMEM.
 */
int gh_central_init(struct gh_heap *h)
{
	unsigned int i, b;

	h->central = kcalloc(GH_NR_CLASSES, sizeof(*h->central), GFP_KERNEL);
	if (!h->central)
		return -ENOMEM;
	for (i = 1; i < GH_NR_CLASSES; i++) {
		struct gh_central *c = &h->central[i];

		spin_lock_init(&c->lock);
		for (b = 0; b < GH_BUCKETS; b++)
			INIT_LIST_HEAD(&c->partial[b]);
		INIT_LIST_HEAD(&c->full);
		c->xfer = kcalloc(GH_XFER_BATCHES * h->classes[i].batch,
				  sizeof(*c->xfer), GFP_KERNEL);
		if (!c->xfer) {
			gh_central_destroy(h);
			return -ENOMEM;
		}
		gh_san_meta(c->xfer);
	}
	return 0;
}

/**
 * gh_central_destroy() - empty the transfer caches and free the lists.
 * @h: heap whose per-CPU caches are already drained.
 *
 * Context: process; nothing else may use @h.
 */
void gh_central_destroy(struct gh_heap *h)
{
	unsigned int i;

	if (!h->central)
		return;
	for (i = 1; i < GH_NR_CLASSES; i++) {
		if (h->central[i].xfer)
			gh_central_release(h, i);
		kfree(h->central[i].xfer);
	}
	kfree(h->central);
	h->central = NULL;
}
