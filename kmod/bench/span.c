// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_bench's span workloads: spans (spans of 1 .. 512 heap pages taken
 * through the per-CPU span cache, as large objects and /dev/goheap take
 * them, on the default heap and on an empty private heap, against
 * alloc_pages() of the covering order and vmalloc()) and spanscale (one
 * page-heap span alloc+free, without the span cache, on private heaps that
 * already hold 1 .. 4096 live spans, packed or with holes).
 */
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "bench.h"
#include "compat.h"
#include "internal.h"
#include "stats.h"

/* Span-scaling table: live spans, and spans of 1..8 pages. */
static const unsigned int spanscale_live[] = { 1, 16, 256, 4096 };
#define BENCH_SCALE_MAXPAGES	8

/* spans */

/*
 * A raw span is never cleared by the page heap; clear it when the policy
 * says allocations are cleared, as alloc_pages() and vmalloc() do, so that
 * both boots compare like with like.
 */
static int span_fn(struct bench_case *c, unsigned int n)
{
	bool init = want_init_on_alloc(GFP_KERNEL);
	struct gh_span *s;
	unsigned int i;

	if (c->a != BA_GOHEAP)
		return bench_pair_fn(c, n);
	for (i = 0; i < n; i++) {
		s = gh_span_cache_alloc(c->h, c->npages, 1, GH_SPAN_RAW, GFP_KERNEL);
		if (unlikely(!s))
			return -ENOMEM;
		if (init)
			memset((void *)s->base, 0, c->size);
		bench_touch((void *)s->base);
		gh_span_cache_free(c->h, s);
	}
	return 0;
}

/**
 * bench_spans() - spans of 1 .. 512 heap pages against the buddy allocator.
 * @r: the run.
 *
 * goheap is timed twice: on the default heap as the workloads before left
 * it (chunks shared with small-object spans), and as "goheap_empty" on a
 * private heap that holds nothing else. Spans are taken and given back
 * with gh_span_cache_alloc()/gh_span_cache_free(), as large objects and
 * /dev/goheap do, so spans of up to GH_SPAN_CACHE_PAGES come from the
 * per-CPU span cache. Each against __get_free_pages() of the covering
 * order, and vmalloc() where that order is larger than the span.
 *
 * Context: process; sleeps.
 * Return: 0 or a negative errno.
 */
int bench_spans(struct bench_run *r)
{
	static const unsigned int npages[] = { 1, 2, 3, 4, 8, 16, 64, 512 };
	struct gh_heap_params params = {
		.page_shift = r->h->page_shift,
		.name = "goheap-bench",
	};
	struct bench_case cs[BENCH_MAX_CASES] = { };
	struct gh_heap *empty;
	unsigned int i, k, n;
	size_t size;
	char what[64];
	int err = 0;

	empty = gh_heap_create(&params);
	if (IS_ERR(empty))
		return PTR_ERR(empty);
	for (i = 0; i < ARRAY_SIZE(npages) && !err; i++) {
		size = (size_t)npages[i] << r->h->page_shift;
		if (get_order(size) > GH_MAX_PAGE_ORDER)
			continue;
		n = 0;
		cs[n].a = BA_GOHEAP;
		cs[n++].h = r->h;
		cs[n].a = BA_GOHEAP;
		cs[n].label = "goheap_empty";
		cs[n++].h = empty;
		cs[n++].a = BA_PAGES;
		/* vmalloc only where no buddy order gives the size. */
		if (size != PAGE_SIZE << get_order(size))
			cs[n++].a = BA_VMALLOC;
		for (k = 0; k < n; k++) {
			cs[k].npages = npages[i];
			cs[k].size = size;
			cs[k].order = get_order(size);
		}
		snprintf(what, sizeof(what), "pages=%u bytes=%zu order=%u", npages[i], size,
			 get_order(size));
		err = bench_cases_run(r, cs, n, span_fn, bench_scaled_loops(r->loops, size), 1,
				      what);
		memset(cs, 0, sizeof(cs));
	}
	gh_heap_destroy(empty);
	return err;
}

/* spanscale: how a span's cost grows with the live spans of a heap */

static int spanscale_fn(struct bench_case *c, unsigned int n)
{
	struct gh_span *s;
	unsigned int i;

	for (i = 0; i < n; i++) {
		s = gh_span_alloc(c->h, 1 + c->iter++ % BENCH_SCALE_MAXPAGES, 1, GH_SPAN_RAW, 0,
				  GFP_KERNEL);
		if (unlikely(!s))
			return -ENOMEM;
		bench_touch((void *)s->base);
		gh_span_free(c->h, s);
	}
	return 0;
}

/*
 * Allocate @live spans of 1..8 pages on @h, each followed by a one-page
 * spacer if @holes; *@nspans counts what is in @spans, even on failure.
 */
static int spanscale_fill(struct gh_heap *h, unsigned int live, bool holes,
			  struct gh_span **spans, unsigned int *nspans)
{
	u64 rng = BENCH_SEED;
	struct gh_span *s;
	unsigned int i;

	for (i = 0; i < live; i++) {
		s = gh_span_alloc(h, 1 + bench_rand(&rng) % BENCH_SCALE_MAXPAGES, 1, GH_SPAN_RAW,
				  0, GFP_KERNEL);
		if (!s)
			return -ENOMEM;
		spans[(*nspans)++] = s;
		if (!holes)
			continue;
		s = gh_span_alloc(h, 1, 1, GH_SPAN_RAW, 0, GFP_KERNEL);
		if (!s)
			return -ENOMEM;
		spans[(*nspans)++] = s;
	}
	return 0;
}

/* Out of line: keeps the stats off spanscale_layout()'s stack. */
static noinline void spanscale_print(struct bench_run *r, struct gh_heap *h, bool holes,
				     unsigned int live, const struct bench_result *res)
{
	struct gh_pageheap_stats ps;
	char what[64];

	gh_read_pageheap_stats(h, &ps);
	snprintf(what, sizeof(what), "alloc=goheap layout=%s live=%u chunks=%llu",
		 holes ? "holes" : "packed", live, ps.chunks);
	bench_print_result(r, what, res);
}

/**
 * spanscale_layout() - time one extra span on heaps holding L live spans.
 * @r: the run.
 * @holes: leave a one-page free hole after every live span, so that spans
 *	of two pages or more fit none of them.
 * @spans: scratch array of at least 2 * (sum of spanscale_live[]) entries.
 *
 * One private heap per L in spanscale_live[], all filled first and then
 * timed side by side (bench_measure() interleaves them), so that the
 * comparison between L values is as fair as between allocators. Every
 * span is freed and every heap destroyed afterwards.
 *
 * Context: process; sleeps.
 * Return: 0 or a negative errno.
 */
static int spanscale_layout(struct bench_run *r, bool holes, struct gh_span **spans)
{
	struct gh_heap_params params = {
		.page_shift = r->h->page_shift,
		.name = "goheap-bench",
	};
	struct bench_case cs[ARRAY_SIZE(spanscale_live)] = { };
	struct gh_span **sp[ARRAY_SIZE(spanscale_live)];
	unsigned int nsp[ARRAY_SIZE(spanscale_live)] = { };
	struct bench_result res[ARRAY_SIZE(spanscale_live)];
	unsigned int i, k, live, nheaps = 0;
	int err = 0;

	BUILD_BUG_ON(ARRAY_SIZE(spanscale_live) > BENCH_MAX_CASES);
	for (k = 0; k < ARRAY_SIZE(spanscale_live) && !err; k++) {
		live = spanscale_live[k];
		sp[k] = spans;
		spans += 2 * live;
		cs[k].a = BA_GOHEAP;
		cs[k].h = gh_heap_create(&params);
		if (IS_ERR(cs[k].h)) {
			err = PTR_ERR(cs[k].h);
			break;
		}
		nheaps++;
		err = spanscale_fill(cs[k].h, live, holes, sp[k], &nsp[k]);
		if (err || !holes)
			continue;
		/* The spacers go: one free page after each live span. */
		for (i = 1; i < nsp[k]; i += 2)
			gh_span_free(cs[k].h, sp[k][i]);
		for (i = 0; i < live; i++)
			sp[k][i] = sp[k][2 * i];
		nsp[k] = live;
	}
	if (!err)
		err = bench_measure(cs, nheaps, spanscale_fn, r->loops, 1, res);
	for (k = 0; k < nheaps; k++) {
		if (!err)
			spanscale_print(r, cs[k].h, holes, spanscale_live[k], &res[k]);
		for (i = 0; i < nsp[k]; i++)
			gh_span_free(cs[k].h, sp[k][i]);
		gh_heap_destroy(cs[k].h);
	}
	return err;
}

int bench_spanscale(struct bench_run *r)
{
	unsigned int i, total = 0;
	struct gh_span **spans;
	int err;

	for (i = 0; i < ARRAY_SIZE(spanscale_live); i++)
		total += 2 * spanscale_live[i];
	spans = kvmalloc_array(total, sizeof(*spans), GFP_KERNEL);
	if (!spans)
		return -ENOMEM;
	err = spanscale_layout(r, false, spans);
	if (!err)
		err = spanscale_layout(r, true, spans);
	kvfree(spans);
	return err;
}
