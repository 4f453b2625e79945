// SPDX-License-Identifier: GPL-2.0
/*
 * A heap: the three tiers put together, and the object paths through them.
 *
 *   small (1 .. 32 KiB)  size class -> per-CPU cache -> central -> page heap
 *   large (> 32 KiB)     a span of its own straight from the page heap
 *   tiny (< 16 B)        packed into 16 B blocks, opt-in (tiny.c)
 *
 * kmalloc's contract is kept: size 0 gives ZERO_SIZE_PTR and freeing it or
 * NULL does nothing; power-of-two sizes are naturally aligned; __GFP_ZERO
 * and the init_on_alloc/init_on_free policy zero the usable size; failure
 * returns NULL and warns only through the buddy allocator, as its gfp says.
 *
 * Every free is checked before it touches anything: a pointer outside the
 * heap's spans, one inside an object, or one whose object is not live is
 * counted and reported (rate-limited) and the heap is left as it was.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/nodemask.h>
#include <linux/ratelimit.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "internal.h"
#include "pcpu.h"
#include "profile.h"
#include "sanitize.h"
#include "trace.h"

/*
 * Every heap, for the callers that hold a pointer but not its heap: the
 * RCU-deferred free (rcufree.c). Short walks under a spinlock, from any
 * context; a heap is on it from creation until it is destroyed.
 */
static LIST_HEAD(gh_heaps);
static DEFINE_SPINLOCK(gh_heaps_lock);

static void *large_alloc(struct gh_heap *h, size_t size, gfp_t gfp, int nid)
{
	unsigned int npages, align = 1;
	struct gh_span *s;

	if (size > GH_MAX_ALLOC)
		return NULL;
	npages = DIV_ROUND_UP(size, gh_page_bytes(h));
	if (is_power_of_2(size) && size > gh_page_bytes(h))
		align = npages;
	/* The span cache keeps spans of any node: a node's span is its own. */
	if (nid == NUMA_NO_NODE)
		s = gh_span_cache_alloc(h, npages, align, GH_SPAN_LARGE, gfp);
	else
		s = gh_span_alloc_node(h, npages, align, GH_SPAN_LARGE, 0, gfp, nid);
	if (!s)
		return NULL;
	WRITE_ONCE(s->objstate[0], GH_OBJ_LIVE);
	this_cpu_inc(h->pcpu->cstat[0][GH_CS_MALLOCS]);
	this_cpu_add(h->pcpu->stat[GH_ST_LARGE_BYTES_ALLOC], gh_span_bytes(h, s));
	return (void *)s->base;
}

/*
 * Take an object, uninitialised: its slot's bytes in *@usable. @nid is
 * honoured by large objects only (see __gh_alloc_node()).
 */
static __always_inline void *alloc_slot(struct gh_heap *h, size_t size, gfp_t gfp,
					size_t *usable, int nid)
{
	unsigned int cls;

	if (unlikely(size > GH_MAX_SMALL_SIZE)) {
		*usable = round_up(size, gh_page_bytes(h));
		return large_alloc(h, size, gfp, nid);
	}
	cls = gh_size_to_class(h, size);
	*usable = h->classes[cls].size;
	return gh_pcpu_alloc(h, cls, gfp);
}

/* The class an object of @size comes from, for a trace event: 0 if large. */
static unsigned int trace_cls(struct gh_heap *h, size_t size)
{
	return size > GH_MAX_SMALL_SIZE ? 0 : gh_size_to_class(h, size);
}

/*
 * gh_alloc() of a debug heap: a slot with room for the red zone (a large
 * one on @nid, as without debug mode), then debug mode's checks and
 * records (debug.c), which never call back.
 */
static noinline void *debug_alloc(struct gh_heap *h, size_t size, gfp_t gfp,
				  unsigned long ip, bool trace, bool sample, int nid)
{
	size_t usable;
	void *p;

	p = alloc_slot(h, gh_debug_slot_size(h, size), gfp, &usable, nid);
	if (!p)
		return NULL;
	gh_debug_alloc_hook(h, p, size, usable, gfp);
	if (sample || gh_profile_due(h, usable))
		p = gh_profile_sample(h, p, usable);
	if (trace)
		trace_goheap_alloc(h, ip, p, size, usable, gfp, trace_cls(h, size));
	return p;
}

/*
 * gh_alloc() itself; a traced allocation is a goheap_alloc event, and
 * @sample makes it a heap profile sample whatever the count says (the
 * tiny allocator's, see gh_alloc_sampled()); @nid is the node of a large
 * object (NUMA_NO_NODE but in __gh_alloc_node()). Nothing of the fast path
 * has its address taken (no stack protector, no spill), and the class is
 * looked up again only when someone listens.
 */
static __always_inline void *__do_alloc(struct gh_heap *h, size_t size, gfp_t gfp,
					unsigned long ip, bool trace, bool sample, int nid)
{
	size_t usable;
	void *p;

	might_alloc(gfp);
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (unlikely(h->debug))
		return debug_alloc(h, size, gfp, ip, trace, sample, nid);
	p = alloc_slot(h, size, gfp, &usable, nid);
	if (likely(p)) {
		gh_san_alloc(p, size, usable, gfp);
		if (sample || gh_profile_due(h, usable))
			p = gh_profile_sample(h, p, usable);
		if (trace && trace_goheap_alloc_enabled())
			trace_goheap_alloc(h, ip, p, size, usable, gfp, trace_cls(h, size));
	}
	return p;
}

static __always_inline void *do_alloc(struct gh_heap *h, size_t size, gfp_t gfp,
				      unsigned long ip, bool trace)
{
	return __do_alloc(h, size, gfp, ip, trace, false, NUMA_NO_NODE);
}

/**
 * gh_alloc_sampled() - allocate a small object that is a profile sample.
 * @h: heap.
 * @size: bytes, up to GH_MAX_SMALL_SIZE.
 * @gfp: allocation context.
 * @ip: return address of the API entry point's caller.
 *
 * For the tiny allocator, whose objects share blocks and so cannot each
 * be a sample: the one its count picks is a small object of its own.
 *
 * Context: as gh_alloc().
 * Return: the object or NULL.
 */
noinline void *gh_alloc_sampled(struct gh_heap *h, size_t size, gfp_t gfp, unsigned long ip)
{
	return __do_alloc(h, size, gfp, ip, trace_goheap_alloc_enabled(), true, NUMA_NO_NODE);
}

/**
 * gh_alloc_traced() - allocate from a heap, with a goheap_alloc event.
 * @h: heap.
 * @size: bytes; 0 returns ZERO_SIZE_PTR.
 * @gfp: allocation context and flags.
 * @ip: return address of the API entry point's caller.
 *
 * Out of line, taken only while the event is on: a caller tests
 * trace_goheap_alloc_enabled() (a static branch, a no-op when off) and
 * otherwise calls __gh_alloc(), so the fast path keeps nothing for it.
 *
 * Context: as gh_alloc().
 * Return: the object or NULL.
 */
noinline void *gh_alloc_traced(struct gh_heap *h, size_t size, gfp_t gfp, unsigned long ip)
{
	return do_alloc(h, size, gfp, ip, true);
}

/**
 * __gh_alloc() - allocate from a heap, without a trace event.
 * @h: heap.
 * @size: bytes; 0 returns ZERO_SIZE_PTR.
 * @gfp: allocation context and flags (__GFP_ZERO, __GFP_NOWARN, ...).
 *
 * The fast path for callers that handle the event themselves (the API:
 * see gh_alloc_traced()).
 *
 * Context: any context @gfp is valid in; sleeps only if @gfp allows.
 * Return: the object or NULL.
 */
void *__gh_alloc(struct gh_heap *h, size_t size, gfp_t gfp)
{
	return do_alloc(h, size, gfp, 0, false);
}

/**
 * gh_alloc() - allocate from a heap.
 * @h: heap.
 * @size: bytes; 0 returns ZERO_SIZE_PTR.
 * @gfp: allocation context and flags (__GFP_ZERO, __GFP_NOWARN, ...).
 *
 * Context: any context @gfp is valid in; sleeps only if @gfp allows.
 * Return: the object or NULL.
 */
void *gh_alloc(struct gh_heap *h, size_t size, gfp_t gfp)
{
	if (trace_goheap_alloc_enabled())
		return gh_alloc_traced(h, size, gfp, _RET_IP_);
	return do_alloc(h, size, gfp, 0, false);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_alloc);

/**
 * __gh_alloc_node() - allocate from a heap, preferring a NUMA node.
 * @h: heap.
 * @size: bytes; 0 returns ZERO_SIZE_PTR.
 * @gfp: allocation context and flags; __GFP_THISNODE makes the node a
 *	 must for large objects.
 * @nid: node, or NUMA_NO_NODE (then this is gh_alloc()).
 * @ip: return address of the API entry point's caller.
 *
 * What the heap can honour: a large object (over 32 KiB) gets a span on
 * @nid, from a chunk of that node or a new chunk taken there. Small and
 * tiny objects come from the per-CPU caches as for gh_alloc(), whose spans
 * are on whatever node the heap grew on (usually the node of the CPU that
 * needed them): the size classes are not kept per node. A debug heap
 * does the same.
 *
 * Context: as gh_alloc().
 * Return: the object; NULL on failure or for a node that is not online.
 */
void *__gh_alloc_node(struct gh_heap *h, size_t size, gfp_t gfp, int nid, unsigned long ip)
{
	if (nid != NUMA_NO_NODE && (nid < 0 || nid >= MAX_NUMNODES || !node_online(nid)))
		return NULL;
	if (nid == NUMA_NO_NODE || size <= GH_MAX_SMALL_SIZE)
		return do_alloc(h, size, gfp, ip, trace_goheap_alloc_enabled());
	return __do_alloc(h, size, gfp, ip, trace_goheap_alloc_enabled(), false, nid);
}

/**
 * gh_alloc_node() - allocate from a heap, preferring a NUMA node.
 * @h: heap.
 * @size: bytes.
 * @gfp: allocation context and flags.
 * @nid: node, or NUMA_NO_NODE.
 *
 * Context: as gh_alloc().
 * Return: as __gh_alloc_node().
 */
void *gh_alloc_node(struct gh_heap *h, size_t size, gfp_t gfp, int nid)
{
	return __gh_alloc_node(h, size, gfp, nid, _RET_IP_);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_alloc_node);

/**
 * __gh_alloc_bulk() - allocate many objects of one size, naming the caller.
 * @h: heap.
 * @size: bytes per object.
 * @gfp: allocation context.
 * @nr: number of objects.
 * @p: array of @nr pointers to fill.
 * @ip: return address of the API entry point's caller.
 *
 * Small objects are taken from the central list straight into @p, a batch
 * at a time, with no per-object trip through the CPU cache (object by
 * object through gh_alloc() in debug mode).
 *
 * Context: as gh_alloc().
 * Return: @nr on success; 0 on failure, with nothing allocated.
 */
int __gh_alloc_bulk(struct gh_heap *h, size_t size, gfp_t gfp, size_t nr, void **p,
		    unsigned long ip)
{
	struct gh_obj batch[GH_MAX_BATCH];
	unsigned int cls, got, i;
	size_t done = 0;

	might_alloc(gfp);
	if (!size || size > GH_MAX_SMALL_SIZE || h->debug) {
		for (done = 0; done < nr; done++) {
			p[done] = do_alloc(h, size, gfp, ip, false);
			if (!p[done])
				goto fail;
		}
		trace_goheap_alloc_bulk(h, ip, size, gfp, nr, nr);
		return nr;
	}
	cls = gh_size_to_class(h, size);
	while (done < nr) {
		got = gh_central_refill(h, cls, batch, min_t(size_t, nr - done, GH_MAX_BATCH),
					gfp);
		if (!got)
			goto fail;
		for (i = 0; i < got; i++) {
			WRITE_ONCE(*batch[i].state, GH_OBJ_LIVE);
			p[done + i] = batch[i].p;
			gh_san_alloc(batch[i].p, size, h->classes[cls].size, gfp);
			if (gh_profile_due(h, h->classes[cls].size))
				gh_profile_sample(h, batch[i].p, h->classes[cls].size);
		}
		this_cpu_add(h->pcpu->cstat[cls][GH_CS_MALLOCS], got);
		done += got;
	}
	trace_goheap_alloc_bulk(h, ip, size, gfp, nr, nr);
	return nr;
fail:
	/* Counted as taken and then freed: the events say so too. */
	trace_goheap_alloc_bulk(h, ip, size, gfp, nr, done);
	__gh_free_bulk(h, done, p, ip);
	return 0;
}

/**
 * gh_alloc_bulk() - allocate many objects of one size.
 * @h: heap.
 * @size: bytes per object.
 * @gfp: allocation context.
 * @nr: number of objects.
 * @p: array of @nr pointers to fill.
 *
 * Context: as gh_alloc().
 * Return: @nr on success; 0 on failure, with nothing allocated.
 */
int gh_alloc_bulk(struct gh_heap *h, size_t size, gfp_t gfp, size_t nr, void **p)
{
	return __gh_alloc_bulk(h, size, gfp, nr, p, _RET_IP_);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_alloc_bulk);

/*
 * The span of the live object @p starts, with its index in *@idx; or NULL,
 * with *@why saying what @p is instead; @freeing when the caller frees it.
 * A tiny-class span is returned unchecked: its objects keep their own
 * state (tiny.c).
 */
static __always_inline struct gh_span *find_live(struct gh_heap *h, const void *p,
						 unsigned int *idx, enum gh_misuse *why,
						 bool freeing)
{
	struct gh_span *s = gh_span_lookup(h, p);
	bool interior;

	if (unlikely(!s || s->kind == GH_SPAN_RAW)) {
		*why = GH_MISUSE_INVALID;
		return NULL;
	}
	if (s->cls == GH_TINY_CLASS)
		return s;
	*idx = gh_span_obj_index(s, p, &interior);
	if (unlikely(interior)) {
		*why = GH_MISUSE_INTERIOR;
		return NULL;
	}
	/*
	 * Written without a lock by the object's owner of the moment (enum
	 * gh_objstate), read here by whoever frees it: two frees of one
	 * object one after the other are a double free found here; two at
	 * the same moment on two CPUs may both find it live (detected double
	 * frees are those that do not race). A sampled object is live, but
	 * not to a free, which takes it the slow way (free_miss()).
	 */
	if (unlikely(READ_ONCE(s->objstate[*idx]) != GH_OBJ_LIVE) &&
	    (freeing || READ_ONCE(s->objstate[*idx]) != GH_OBJ_SAMPLED)) {
		*why = GH_MISUSE_DOUBLE;
		return NULL;
	}
	return s;
}

static void large_free(struct gh_heap *h, struct gh_span *s)
{
	unsigned long bytes = gh_span_bytes(h, s);

	gh_san_free((void *)s->base, bytes);
	WRITE_ONCE(s->objstate[0], GH_OBJ_FREE);
	this_cpu_inc(h->pcpu->cstat[0][GH_CS_FREES]);
	this_cpu_add(h->pcpu->stat[GH_ST_LARGE_BYTES_FREED], bytes);
	gh_span_cache_free(h, s);
}

static int free_miss(struct gh_heap *h, const void *p, unsigned long ip, enum gh_misuse why);

/*
 * Free one object: the body of __gh_free() and __gh_free_bulk(). Returns
 * whether an object was freed (not NULL, not a misuse), with its class.
 */
static __always_inline bool free_one(struct gh_heap *h, const void *p, unsigned long ip,
				     unsigned int *cls)
{
	enum gh_misuse why;
	struct gh_span *s;
	unsigned int idx;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return false;
	s = find_live(h, p, &idx, &why, true);
	if (unlikely(!s)) {
		int c = free_miss(h, p, ip, why);

		*cls = c;
		return c >= 0;
	}
	*cls = s->cls;
	if (unlikely(s->cls == GH_TINY_CLASS))
		return gh_tiny_free(h, s, p, ip);
	if (unlikely(h->debug))
		gh_debug_check_free(h, s, idx);
	if (s->kind == GH_SPAN_LARGE) {
		large_free(h, s);
		return true;
	}
	gh_san_free((void *)p, s->elemsize);
	WRITE_ONCE(s->objstate[idx], GH_OBJ_CACHED);
	if (unlikely(h->debug & GH_DEBUG_POISON))
		gh_debug_poison(h, s, idx);
	gh_pcpu_free(h, s->cls, (void *)p, &s->objstate[idx]);
	return true;
}

/*
 * A free that find_live() turned down: a heap profile sample, counted out
 * of the profile (profile.c) and then freed as any other object; or a
 * misuse, reported. Out of line, so that the free path keeps no more
 * registers than an unsampled free needs, and takes no address (which
 * would give it a stack protector).
 *
 * Return: the class of the object freed, or -1 if none was.
 */
static noinline int free_miss(struct gh_heap *h, const void *p, unsigned long ip,
			      enum gh_misuse why)
{
	struct gh_span *s = gh_span_lookup(h, p);
	unsigned int idx, cls;
	bool interior;

	if (why == GH_MISUSE_DOUBLE && s && s->cls != GH_TINY_CLASS) {
		idx = gh_span_obj_index(s, p, &interior);
		if (READ_ONCE(s->objstate[idx]) == GH_OBJ_SAMPLED &&
		    gh_profile_free(h, p, &s->objstate[idx]))
			return free_one(h, p, ip, &cls) ? cls : -1;
	}
	gh_report_misuse(h, why, p, ip);
	return -1;
}

/* The traced free, out of line: taken only while goheap_free is on. */
static noinline void free_traced(struct gh_heap *h, const void *p, unsigned long ip)
{
	unsigned int cls;

	if (free_one(h, p, ip, &cls))
		trace_goheap_free(h, ip, p, cls);
}

/**
 * __gh_free() - free an object of a heap, naming the caller in reports.
 * @h: heap.
 * @p: object from gh_alloc() or gh_tiny_alloc(); NULL and ZERO_SIZE_PTR
 *     are ignored.
 * @ip: return address of the API entry point's caller.
 *
 * Context: any; never sleeps.
 */
void __gh_free(struct gh_heap *h, const void *p, unsigned long ip)
{
	unsigned int cls;

	if (trace_goheap_free_enabled()) {
		free_traced(h, p, ip);
		return;
	}
	free_one(h, p, ip, &cls);
}

/**
 * gh_free() - free an object of a heap.
 * @h: heap.
 * @p: object, or NULL or ZERO_SIZE_PTR (ignored).
 *
 * Context: any; never sleeps.
 */
void gh_free(struct gh_heap *h, const void *p)
{
	__gh_free(h, p, _RET_IP_);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_free);

/**
 * __gh_free_bulk() - free many objects, naming the caller in reports.
 * @h: heap.
 * @nr: number of objects.
 * @p: the objects; each is checked as by gh_free().
 * @ip: return address of the API entry point's caller.
 *
 * Context: any; never sleeps.
 */
void __gh_free_bulk(struct gh_heap *h, size_t nr, void **p, unsigned long ip)
{
	size_t i, freed = 0;
	unsigned int cls;

	for (i = 0; i < nr; i++)
		freed += free_one(h, p[i], ip, &cls);
	trace_goheap_free_bulk(h, ip, nr, freed);
}

/**
 * gh_free_bulk() - free many objects.
 * @h: heap.
 * @nr: number of objects.
 * @p: the objects; each is checked as by gh_free().
 *
 * Context: any; never sleeps.
 */
void gh_free_bulk(struct gh_heap *h, size_t nr, void **p)
{
	__gh_free_bulk(h, nr, p, _RET_IP_);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_free_bulk);

/*
 * The usable bytes of the live object @p, as gh_usable_size() reports
 * them: the whole slot opened to KASAN (*@tiny false), or a tiny object's
 * size (*@tiny true: KASAN sees its 16 B block, never its bytes); 0, with
 * *@why saying what @p is instead, when it is not a live object of @h.
 */
static size_t live_size(struct gh_heap *h, const void *p, bool *tiny, enum gh_misuse *why)
{
	struct gh_span *s;
	unsigned int idx;
	size_t size;

	s = find_live(h, p, &idx, why, false);
	if (!s)
		return 0;
	*tiny = s->cls == GH_TINY_CLASS;
	if (*tiny) {
		size = gh_tiny_usable_size(s, p);
		*why = GH_MISUSE_DOUBLE;	/* if 0: not live */
		return size;
	}
	if (h->debug)
		return gh_debug_usable_size(h, s, idx);
	gh_san_open(p, s->elemsize);
	return s->elemsize;
}

/**
 * gh_usable_size() - bytes usable in an object.
 * @h: heap.
 * @p: live object.
 *
 * Return: the class size for small objects, the span size for large ones,
 * the allocated size for tiny ones (the size asked for in debug mode with
 * red zones); 0 for anything that is not a live object of @h. Under KASAN
 * the bytes reported become accessible, as with ksize().
 */
size_t gh_usable_size(struct gh_heap *h, const void *p)
{
	enum gh_misuse why;
	bool tiny;

	if (ZERO_OR_NULL_PTR(p))
		return 0;
	return live_size(h, p, &tiny, &why);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_usable_size);

/**
 * gh_size_roundup() - the usable size gh_alloc() gives a request.
 * @h: heap.
 * @size: bytes that would be asked for.
 *
 * As kmalloc_size_roundup(): what gh_usable_size() will report for an
 * object of @size, so that a caller can ask for all of it up front. A
 * debug heap with red zones gives exactly @size (the rest of its slot is
 * the red zone).
 *
 * Context: any.
 * Return: the usable size; 0 for 0; @size itself when it is larger than
 * GH_MAX_ALLOC (such a request fails).
 */
size_t gh_size_roundup(struct gh_heap *h, size_t size)
{
	if (!size || size > GH_MAX_ALLOC)
		return size;
	if (h->debug & GH_DEBUG_REDZONE)
		return size;
	if (size > GH_MAX_SMALL_SIZE)
		return round_up(size, gh_page_bytes(h));
	return h->classes[gh_size_to_class(h, size)].size;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_size_roundup);

/**
 * __gh_realloc() - resize an object, naming the caller in reports.
 * @h: heap.
 * @p: live object of @h, or NULL or ZERO_SIZE_PTR (then as gh_alloc()).
 * @new_size: bytes wanted; 0 frees @p and returns ZERO_SIZE_PTR.
 * @gfp: allocation context and flags.
 * @ip: return address of the API entry point's caller.
 *
 * krealloc()'s contract: the object stays where it is while @new_size
 * fits its usable size (a debug heap always moves it, so that its red
 * zone and records follow the new size); otherwise a new object gets the
 * old one's usable bytes and the old one is freed. With init_on_alloc or
 * __GFP_ZERO, the bytes past @new_size in a kept slot are zeroed, as
 * krealloc() does: zeroing holds only if every resize of the object asks
 * for it. Under KASAN exactly @new_size bytes are accessible afterwards.
 *
 * Context: as gh_alloc().
 * Return: the object, ZERO_SIZE_PTR, or NULL on failure (with @p left as
 * it was) or when @p is not a live object (counted and reported as a bad
 * free would be, and nothing changed).
 */
void *__gh_realloc(struct gh_heap *h, const void *p, size_t new_size, gfp_t gfp,
		   unsigned long ip)
{
	enum gh_misuse why;
	bool tiny = false;
	size_t old;
	void *q;

	if (ZERO_OR_NULL_PTR(p))
		return do_alloc(h, new_size, gfp, ip, trace_goheap_alloc_enabled());
	if (!new_size) {
		__gh_free(h, p, ip);
		return ZERO_SIZE_PTR;
	}
	might_alloc(gfp);
	old = live_size(h, p, &tiny, &why);
	if (!old) {
		gh_report_misuse(h, why, p, ip);
		return NULL;
	}
	if (new_size <= old && !h->debug) {
		if (want_init_on_alloc(gfp))
			memset((void *)p + new_size, 0, old - new_size);
		if (!tiny)
			gh_san_resize((void *)p, new_size, old);
		return (void *)p;
	}
	/* On failure the slot stays open, as after gh_usable_size(). */
	q = do_alloc(h, new_size, gfp, ip, trace_goheap_alloc_enabled());
	if (!q)
		return NULL;
	memcpy(q, p, min(old, new_size));
	__gh_free(h, p, ip);
	return q;
}

/**
 * gh_realloc() - resize an object.
 * @h: heap.
 * @p: live object of @h, or NULL or ZERO_SIZE_PTR.
 * @new_size: bytes wanted; 0 frees @p.
 * @gfp: allocation context and flags.
 *
 * Context: as gh_alloc().
 * Return: as __gh_realloc().
 */
void *gh_realloc(struct gh_heap *h, const void *p, size_t new_size, gfp_t gfp)
{
	return __gh_realloc(h, p, new_size, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_realloc);

/**
 * gh_object_start() - the live object that contains an address.
 * @h: heap.
 * @p: any address.
 * @usable: set to the object's usable bytes when one is found.
 *
 * Tiny objects are not found: they are smaller than anything that would
 * be looked up this way (an rcu_head).
 *
 * Context: any; takes no lock.
 * Return: the object's first byte, or NULL when @p is not inside a live
 * small or large object of @h.
 */
void *gh_object_start(struct gh_heap *h, const void *p, size_t *usable)
{
	struct gh_span *s = gh_span_lookup(h, p);
	unsigned int idx;
	bool interior;

	if (!s || s->kind == GH_SPAN_RAW || s->cls == GH_TINY_CLASS)
		return NULL;
	idx = gh_span_obj_index(s, p, &interior);
	if (!gh_obj_live(READ_ONCE(s->objstate[idx])))
		return NULL;
	*usable = h->debug ? gh_debug_usable_size(h, s, idx) : s->elemsize;
	return (void *)(s->base + (unsigned long)idx * s->elemsize);
}

/**
 * gh_heap_find() - the heap an address belongs to.
 * @p: any address.
 *
 * Context: any.
 * Return: the heap whose spans hold @p, or NULL.
 */
struct gh_heap *gh_heap_find(const void *p)
{
	struct gh_heap *h, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&gh_heaps_lock, flags);
	list_for_each_entry(h, &gh_heaps, link) {
		if (gh_span_lookup(h, p)) {
			found = h;
			break;
		}
	}
	spin_unlock_irqrestore(&gh_heaps_lock, flags);
	return found;
}

/**
 * gh_heap_create() - build a new, empty heap.
 * @params: heap page size, name, limit and debug options.
 *
 * Context: process; sleeps.
 * Return: the heap or an ERR_PTR (-EINVAL for a bad page size or debug
 * option, -ENOMEM).
 */
struct gh_heap *gh_heap_create(const struct gh_heap_params *params)
{
	struct gh_heap *h;
	int err;

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return ERR_PTR(-ENOMEM);
	h->name = params->name ?: "goheap";
	h->page_shift = params->page_shift;
	h->chunk_order = params->chunk_order ?: GH_DEFAULT_CHUNK_ORDER;
	h->limit_pages = DIV_ROUND_UP(params->limit_bytes, PAGE_SIZE);
	gh_scavenger_init(h);
	if (h->chunk_order < GH_MIN_CHUNK_ORDER || h->chunk_order > GH_CHUNK_ORDER) {
		err = -EINVAL;
		goto err_free;
	}

	err = gh_debug_init(h, params->debug);
	if (err)
		goto err_free;
	err = gh_classes_init(h);
	if (err)
		goto err_free;
	err = gh_pageheap_init(h);
	if (err)
		goto err_free;
	err = gh_central_init(h);
	if (err)
		goto err_pageheap;
	err = gh_pcpu_init(h);
	if (err)
		goto err_central;
	err = gh_profile_init(h, params->profile_rate);
	if (err)
		goto err_pcpu;
	spin_lock_irq(&gh_heaps_lock);
	list_add_tail(&h->link, &gh_heaps);
	spin_unlock_irq(&gh_heaps_lock);
	return h;

err_pcpu:
	gh_pcpu_destroy(h);
err_central:
	gh_central_destroy(h);
err_pageheap:
	gh_pageheap_destroy(h);
err_free:
	kfree(h);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_heap_create);

/**
 * gh_heap_destroy() - drain every tier and give all pages back.
 * @h: heap nobody uses any more (may be NULL or an ERR_PTR).
 *
 * Context: process; sleeps.
 */
void gh_heap_destroy(struct gh_heap *h)
{
	if (IS_ERR_OR_NULL(h))
		return;
	/* Whoever started the shrinker and scavenger has stopped them. */
	WARN_ON_ONCE(h->shrinker || delayed_work_pending(&h->scavenger));
	/* Deferred frees queued before the heap was let go run first. */
	gh_free_rcu_barrier(h);
	spin_lock_irq(&gh_heaps_lock);
	list_del(&h->link);
	spin_unlock_irq(&gh_heaps_lock);
	gh_profile_destroy(h);
	gh_pcpu_destroy(h);
	gh_central_destroy(h);
	gh_pageheap_destroy(h);
	kfree(h);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_heap_destroy);
