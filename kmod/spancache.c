// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU span cache: the page heap's answer to the buddy allocator's
 * per-CPU page lists (and to Go's per-P page cache).
 *
 * Large objects and /dev/goheap spans take their spans through here. A
 * freed span of up to GH_SPAN_CACHE_PAGES heap pages is kept by the CPU
 * that frees it, at most GH_SPAN_CACHE_DEPTH of each length and
 * GH_SPAN_CACHE_MAX heap pages in all (128 KiB with Go's 8 KiB pages; the
 * longest cached spans make room for a new one), and handed out again for
 * a span of the same length (and an alignment its place in its chunk
 * meets: power-of-two large objects are aligned) without the heap lock,
 * the page search or a metadata allocation. Small-object spans never come
 * here: they live on their class's central list.
 *
 * A cached span stays in its chunk's span map with its object state free,
 * so a second free of a large object is still reported as a double free.
 * It counts as idle memory in memstats (HeapIdle, and PerCPUSpanBytes);
 * the page heap itself (debugfs "pageheap", validate) still sees it as a
 * span. Memory pressure (the shrinker drains every CPU's caches), a CPU
 * going offline and heap destruction give cached spans back; the
 * scavenger does not.
 *
 * Protection is that of the object arrays: gh_pcpu_claim(). An interrupt
 * that finds its CPU's cache claimed bypasses the span cache.
 */

#include "internal.h"
#include "pcpu.h"
#include "sanitize.h"

static struct gh_span *cache_take(struct gh_heap *h, unsigned int npages)
{
	struct gh_span *s = NULL;
	struct gh_pcpu *cc;
	unsigned int n;

	cc = gh_pcpu_claim(h);
	if (!cc)
		return NULL;
	n = cc->nspans[npages - 1];
	if (n) {
		s = cc->spans[npages - 1][--n];
		cc->nspans[npages - 1] = n;
		cc->span_pages -= npages;
	}
	gh_pcpu_release(cc);
	return s;
}

/*
 * cache_take() for an aligned request: the newest cached span whose first
 * page is a multiple of @align (a power of two) in its chunk. A chunk is
 * aligned to its own size, which is at least the span's, so such a span
 * is aligned to @align heap pages in memory too.
 */
static struct gh_span *cache_take_aligned(struct gh_heap *h, unsigned int npages,
					  unsigned int align)
{
	struct gh_span **spans, *s = NULL;
	struct gh_pcpu *cc;
	unsigned int n, j;

	cc = gh_pcpu_claim(h);
	if (!cc)
		return NULL;
	spans = cc->spans[npages - 1];
	n = cc->nspans[npages - 1];
	for (j = n; j--; ) {
		if (!IS_ALIGNED(spans[j]->first, align))
			continue;
		s = spans[j];
		spans[j] = spans[n - 1];
		cc->nspans[npages - 1] = n - 1;
		cc->span_pages -= npages;
		break;
	}
	gh_pcpu_release(cc);
	return s;
}

/* Give the oldest span of the longest length @cc holds to the page heap. */
static void cache_evict(struct gh_heap *h, struct gh_pcpu *cc)
{
	unsigned int i = GH_SPAN_CACHE_PAGES;
	struct gh_span *s;

	while (!cc->nspans[--i])
		;
	s = cc->spans[i][0];
	cc->spans[i][0] = cc->spans[i][1];
	cc->nspans[i]--;
	cc->span_pages -= i + 1;
	WRITE_ONCE(s->cached, 0);
	gh_span_free(h, s);
}

/*
 * Keep @s unless its length is cached GH_SPAN_CACHE_DEPTH times already;
 * make room by evicting the longest cached spans (the page heap takes
 * them at once).
 */
static bool cache_put(struct gh_heap *h, struct gh_span *s)
{
	unsigned int i = s->npages - 1, n;
	struct gh_pcpu *cc;

	BUILD_BUG_ON(GH_SPAN_CACHE_DEPTH != 2);
	BUILD_BUG_ON(GH_SPAN_CACHE_MAX < GH_SPAN_CACHE_PAGES);
	cc = gh_pcpu_claim(h);
	if (!cc)
		return false;
	n = cc->nspans[i];
	if (n >= GH_SPAN_CACHE_DEPTH) {
		gh_pcpu_release(cc);
		return false;
	}
	while (cc->span_pages + s->npages > GH_SPAN_CACHE_MAX)
		cache_evict(h, cc);
	WRITE_ONCE(s->cached, 1);
	n = cc->nspans[i];
	cc->spans[i][n] = s;
	cc->nspans[i] = n + 1;
	cc->span_pages += s->npages;
	gh_pcpu_release(cc);
	return true;
}

/* A span from a CPU's cache, made ready as gh_span_alloc() makes one. */
static __always_inline struct gh_span *cache_ready(struct gh_heap *h, struct gh_span *s,
						   enum gh_span_kind kind)
{
	WRITE_ONCE(s->cached, 0);
	s->kind = kind;
	s->objstate[0] = GH_OBJ_FREE;
	if (s->track)
		memset(s->track, 0, sizeof(*s->track));
	if (kind == GH_SPAN_RAW)
		gh_san_pages_open((void *)s->base, gh_span_bytes(h, s));
	return s;
}

/*
 * gh_span_cache_alloc() past a miss, or for an aligned request: an aligned
 * one may still find a cached span aligned for it; else the page heap.
 */
static noinline struct gh_span *span_alloc_slow(struct gh_heap *h, unsigned int npages,
						unsigned int align, enum gh_span_kind kind,
						gfp_t gfp)
{
	struct gh_span *s;

	if (align > 1 && npages && npages <= GH_SPAN_CACHE_PAGES) {
		s = cache_take_aligned(h, npages, align);
		if (s)
			return cache_ready(h, s, kind);
	}
	return gh_span_alloc(h, npages, align, kind, 0, gfp);
}

/**
 * gh_span_cache_alloc() - take a large-object or raw span, from this CPU's
 *			   span cache when it has one of that length.
 * @h: heap.
 * @npages: length in heap pages.
 * @align: alignment in heap pages (power of two): a cached span serves
 *	   it if its first page is aligned so.
 * @kind: GH_SPAN_LARGE or GH_SPAN_RAW.
 * @gfp: allocation context for the page heap.
 *
 * Context: any; sleeps only if @gfp allows it.
 * Return: the span, set up as gh_span_alloc() sets it up, or NULL.
 */
struct gh_span *gh_span_cache_alloc(struct gh_heap *h, unsigned int npages,
				    unsigned int align, enum gh_span_kind kind, gfp_t gfp)
{
	struct gh_span *s = NULL;

	if (align == 1 && npages && npages <= GH_SPAN_CACHE_PAGES)
		s = cache_take(h, npages);
	if (!s)
		return span_alloc_slow(h, npages, align, kind, gfp);
	return cache_ready(h, s, kind);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_span_cache_alloc);

/**
 * gh_span_cache_free() - give back a span from gh_span_cache_alloc().
 * @h: heap.
 * @s: the span, no longer referenced by anything.
 *
 * Kept in this CPU's span cache if there is room, else freed to the page
 * heap.
 *
 * Context: any. No locks held on entry.
 */
void gh_span_cache_free(struct gh_heap *h, struct gh_span *s)
{
	if (s->npages <= GH_SPAN_CACHE_PAGES) {
		gh_san_pages_free((void *)s->base, gh_span_bytes(h, s));
		if (cache_put(h, s))
			return;
	}
	gh_span_free(h, s);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_span_cache_free);

/**
 * gh_span_cache_drain() - give a CPU's cached spans back to the page heap.
 * @h: heap.
 * @cc: the CPU's cache, claimed by the caller (or its CPU dead).
 *
 * Context: any; takes the heap lock.
 */
void gh_span_cache_drain(struct gh_heap *h, struct gh_pcpu *cc)
{
	unsigned int i, n;

	for (i = 0; i < GH_SPAN_CACHE_PAGES; i++) {
		for (n = cc->nspans[i]; n; n--) {
			WRITE_ONCE(cc->spans[i][n - 1]->cached, 0);
			gh_span_free(h, cc->spans[i][n - 1]);
		}
		cc->nspans[i] = 0;
	}
	cc->span_pages = 0;
}

/**
 * gh_span_cache_pages() - heap pages in all CPUs' span caches.
 * @h: heap.
 *
 * Context: any; a sum of per-CPU figures read without their locks.
 * Return: the pages.
 */
unsigned long gh_span_cache_pages(struct gh_heap *h)
{
	unsigned long pages = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		pages += READ_ONCE(per_cpu_ptr(h->pcpu, cpu)->span_pages);
	return pages;
}
