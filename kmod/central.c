// SPDX-License-Identifier: GPL-2.0
/*
 * Central lists: one per size class, between the per-CPU caches and the
 * page heap (Go's mcentral, TCMalloc's transfer cache + central freelist).
 *
 * Objects move in batches. A flushed batch first goes to the class's
 * transfer cache, an array of object pointers from which another CPU's
 * refill is served with one copy; only when that is full do objects go back
 * into their spans. A flush that finds it full doubles it, up to
 * GH_XFER_MAX_BATCHES batches or GH_XFER_MAX_BYTES of objects (TCMalloc
 * sizes its transfer caches by such misses too), so that a class freed
 * and allocated in runs of thousands keeps them out of its spans; draining
 * the caches (the shrinker, the scavenger, a heap's end) takes it back to
 * GH_XFER_BATCHES. Spans with free objects sit on four partial lists by
 * occupancy, and refills take from the fullest first so that lightly used
 * spans drain and can go back to the page heap (less fragmentation). A
 * span whose last object comes back is returned to the page heap at once.
 *
 * Each class has its own cache-line aligned spinlock, taken irqsave since
 * per-CPU caches call in with interrupts enabled or disabled alike. The
 * page heap is only called with this lock dropped.
 */
#include <linux/list.h>
#include <linux/slab.h>

#include "internal.h"
#include "sanitize.h"

/* Put a span on the list its occupancy calls for. Central lock held. */
static void relist(struct gh_central *c, struct gh_span *s)
{
	int bucket = gh_central_bucket(s);

	lockdep_assert_held(&c->lock);

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
	lockdep_assert_held(&c->lock);

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

	lockdep_assert_held(&c->lock);

	for (b = GH_BUCKETS - 1; b >= 0; b--) {
		if (!list_empty(&c->partial[b]))
			return list_first_entry(&c->partial[b], struct gh_span, node);
	}
	return NULL;
}

/* Take up to @want objects from the transfer cache. Central lock held. */
static unsigned int xfer_take(struct gh_central *c, struct gh_obj *objs, unsigned int want)
{
	unsigned int take = min(c->nxfer, want);

	lockdep_assert_held(&c->lock);

	c->nxfer -= take;
	memcpy(objs, &c->xfer[c->nxfer], take * sizeof(*objs));
	return take;
}

/**
 * gh_central_take_cached() - objects from a class's transfer cache only.
 * @h: heap.
 * @cls: size class.
 * @objs: array to fill.
 * @want: at most this many.
 *
 * Never touches spans or the page heap, so a per-CPU cache can be refilled
 * while it is claimed.
 *
 * Context: any; this CPU's claim may be held, no central or heap lock.
 * Return: number of objects stored in @objs, 0 if the cache is empty.
 */
unsigned int gh_central_take_cached(struct gh_heap *h, unsigned int cls, struct gh_obj *objs,
				    unsigned int want)
{
	struct gh_central *c = &h->central[cls];
	unsigned long flags;
	unsigned int n;

	if (!READ_ONCE(c->nxfer))
		return 0;
	spin_lock_irqsave(&c->lock, flags);
	n = xfer_take(c, objs, want);
	spin_unlock_irqrestore(&c->lock, flags);
	return n;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_central_take_cached);

/**
 * gh_central_put_cached() - objects into a class's transfer cache only.
 * @h: heap.
 * @cls: their size class.
 * @objs: the objects, all GH_OBJ_CACHED.
 * @n: how many.
 *
 * Context: any; this CPU's claim may be held, no central or heap lock.
 * Return: true if they all went in, false (nothing moved) if it had no
 * room for them.
 */
bool gh_central_put_cached(struct gh_heap *h, unsigned int cls, const struct gh_obj *objs,
			   unsigned int n)
{
	struct gh_central *c = &h->central[cls];
	unsigned long flags;
	bool fits;

	spin_lock_irqsave(&c->lock, flags);
	fits = c->nxfer + n <= c->xfer_cap;
	if (fits) {
		memcpy(&c->xfer[c->nxfer], objs, n * sizeof(*objs));
		c->nxfer += n;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return fits;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_central_put_cached);

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
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&c->lock, flags);
	n = xfer_take(c, objs, want);
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
EXPORT_SYMBOL_GH_INTERNAL(gh_central_refill);

/*
 * After objects went back into @s: relist it, or move it to @empty when it
 * has none out. Central lock held.
 */
static void settle(struct gh_central *c, struct gh_span *s, struct list_head *empty)
{
	lockdep_assert_held(&c->lock);

	if (s->allocated) {
		relist(c, s);
		return;
	}
	unlist(c, s);
	list_add(&s->node, empty);
	c->nr_spans_freed++;
}

/*
 * Return objects to their spans; empty spans go back to the page heap.
 * Objects of one span tend to come back together (a batch is usually
 * freed in the order it was taken), so a run of them costs one lookup and
 * one relist. A span settled as empty cannot come up again later in @objs:
 * all its objects were already put.
 */
static void flush_spans(struct gh_heap *h, unsigned int cls, struct gh_obj *objs,
			unsigned int n)
{
	struct gh_central *c = &h->central[cls];
	unsigned long flags, bytes = 0;
	struct gh_span *s = NULL, *tmp;
	LIST_HEAD(empty);
	unsigned int i;

	spin_lock_irqsave(&c->lock, flags);
	for (i = 0; i < n; i++) {
		if (!s || (unsigned long)objs[i].p - s->base >= bytes) {
			if (s)
				settle(c, s, &empty);
			s = gh_span_lookup(h, objs[i].p);
			bytes = (unsigned long)s->npages << h->page_shift;
		}
		gh_span_put(s, objs[i].p);
	}
	if (s)
		settle(c, s, &empty);
	spin_unlock_irqrestore(&c->lock, flags);

	list_for_each_entry_safe(s, tmp, &empty, node)
		gh_span_free(h, s);
}

/*
 * A flush found the transfer cache full at @cap objects: double it, or take
 * it to its largest if that is less. The array is taken without sleeping, as flushes
 * come from any context; without one the flush goes to the spans as it
 * would anyway. Called without the central lock.
 * Return: true if the cache is larger than @cap now.
 */
static bool xfer_grow(struct gh_heap *h, unsigned int cls, unsigned int cap)
{
	struct gh_central *c = &h->central[cls];
	unsigned int want = min(2 * cap, c->xfer_max);
	struct gh_obj *new, *old = NULL;
	unsigned long flags;
	bool grown;

	if (cap >= want)
		return false;
	new = kmalloc_array(want, sizeof(*new), GFP_NOWAIT | __GFP_NOWARN);
	if (!new)
		return false;
	gh_san_meta(new);

	spin_lock_irqsave(&c->lock, flags);
	if (c->xfer_cap == cap) {
		memcpy(new, c->xfer, c->nxfer * sizeof(*new));
		if (c->xfer != c->xfer_base)
			old = c->xfer;
		c->xfer = new;
		c->xfer_cap = want;
		new = NULL;
	}
	grown = c->xfer_cap > cap;
	spin_unlock_irqrestore(&c->lock, flags);
	kfree(new);	/* another flush grew it first */
	kfree(old);
	return grown;
}

/* Back to the first array, if what the cache holds fits in it. */
static void xfer_shrink(struct gh_heap *h, unsigned int cls)
{
	struct gh_central *c = &h->central[cls];
	unsigned int base = gh_xfer_base_cap(h, cls);
	struct gh_obj *old = NULL;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	if (c->xfer != c->xfer_base && c->nxfer <= base) {
		memcpy(c->xfer_base, c->xfer, c->nxfer * sizeof(*old));
		old = c->xfer;
		c->xfer = c->xfer_base;
		c->xfer_cap = base;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	kfree(old);
}

/**
 * gh_central_flush() - take back objects from a per-CPU cache.
 * @h: heap.
 * @cls: their size class.
 * @objs: the objects, all GH_OBJ_CACHED.
 * @n: how many.
 *
 * They go to the transfer cache if it has room (growing it if it can),
 * else back to their spans.
 *
 * Context: any; this CPU's claim may be held, no central or heap lock.
 */
void gh_central_flush(struct gh_heap *h, unsigned int cls, struct gh_obj *objs, unsigned int n)
{
	if (gh_central_put_cached(h, cls, objs, n))
		return;
	if (xfer_grow(h, cls, READ_ONCE(h->central[cls].xfer_cap)) &&
	    gh_central_put_cached(h, cls, objs, n))
		return;
	flush_spans(h, cls, objs, n);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_central_flush);

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
EXPORT_SYMBOL_GH_INTERNAL(gh_central_cached);

/**
 * gh_central_release() - return a class's transfer cache to its spans.
 * @h: heap.
 * @cls: size class.
 *
 * Spans left empty go back to the page heap, and a grown transfer cache
 * goes back to its first array.
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
		n = xfer_take(c, objs, ARRAY_SIZE(objs));
		spin_unlock_irqrestore(&c->lock, flags);
		if (!n)
			break;
		flush_spans(h, cls, objs, n);
		total += n;
	}
	xfer_shrink(h, cls);
	return total;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_central_release);

/**
 * gh_central_meta_bytes() - bytes of a class's transfer cache arrays.
 * @h: heap.
 * @cls: size class.
 *
 * Context: any.
 * Return: a snapshot: the first array, plus the grown one in use if any.
 */
size_t gh_central_meta_bytes(struct gh_heap *h, unsigned int cls)
{
	struct gh_central *c = &h->central[cls];
	unsigned int base = gh_xfer_base_cap(h, cls);
	unsigned int cap = READ_ONCE(c->xfer_cap);

	return (base + (cap > base ? cap : 0)) * sizeof(struct gh_obj);
}

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
		c->xfer_cap = gh_xfer_base_cap(h, i);
		c->xfer_max = min(GH_XFER_MAX_BATCHES * h->classes[i].batch,
				  GH_XFER_MAX_BYTES / h->classes[i].size);
		c->xfer_max = max(rounddown(c->xfer_max, h->classes[i].batch), c->xfer_cap);
		c->xfer_base = kcalloc(c->xfer_cap, sizeof(*c->xfer), GFP_KERNEL);
		if (!c->xfer_base) {
			gh_central_destroy(h);
			return -ENOMEM;
		}
		gh_san_meta(c->xfer_base);
		c->xfer = c->xfer_base;
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
		kfree(h->central[i].xfer_base);
	}
	kfree(h->central);
	h->central = NULL;
}
