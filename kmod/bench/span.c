// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_bench's span workloads: spans (spans of 1 .. 512 heap pages taken
 * through the per-CPU span cache, as large objects and /dev/goheap take
 * them, on the default heap and on an empty private heap, against
 * alloc_pages() of the covering order and vmalloc()) and spanscale (one
 * page-heap span alloc+free, without the span cache, on private heaps that
 * already hold one live span, or about 16 MiB, 256 MiB or 4 GiB of them,
 * packed or with holes).
 */
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "bench.h"
#include "compat.h"
#include "internal.h"
#include "stats.h"

/*
 * Span-scaling rows, as heap sizes: one live span, then live spans of
 * 1..8 pages (and, with holes, a one-page hole after each) making about
 * 16 MiB, 256 MiB and 4 GiB of heap. A layout's heaps are filled side by
 * side; a row that would leave the guest less than 1 GiB is skipped.
 */
static const u64 spanscale_bytes[] = { 0, SZ_16M, SZ_256M, SZ_4G };
#define SPANSCALE_ROWS		ARRAY_SIZE(spanscale_bytes)
#define BENCH_SCALE_MAXPAGES	8

/* Live spans for row @k: 4.5 pages a span on average, and its hole. */
static unsigned int spanscale_live(unsigned int page_shift, unsigned int k, bool holes)
{
	u64 per = ((BENCH_SCALE_MAXPAGES + 1 + 2 * holes) << page_shift) / 2;

	return spanscale_bytes[k] ? div64_u64(spanscale_bytes[k], per) : 1;
}

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
	char what[96];

	gh_read_pageheap_stats(h, &ps);
	snprintf(what, sizeof(what), "alloc=goheap layout=%s live=%u chunks=%llu heap_mib=%llu",
		 holes ? "holes" : "packed", live, ps.chunks,
		 (ps.pages_total * ps.page_size) >> 20);
	bench_print_result(r, what, res);
}

/**
 * spanscale_layout() - time one extra span on heaps of growing size.
 * @r: the run.
 * @holes: leave a one-page free hole after every live span, so that spans
 *	of two pages or more fit none of them.
 * @spans: scratch array of at least 2 * (sum of the rows' live spans).
 *
 * One private heap per row of spanscale_bytes[] that fits in memory, all
 * filled first and then timed side by side (bench_measure() interleaves
 * them), so that the comparison between rows is as fair as between
 * allocators. Every span is freed and every heap destroyed afterwards.
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
	u64 room = ((u64)totalram_pages() << PAGE_SHIFT) - min_t(u64, SZ_1G,
							      (u64)totalram_pages() << PAGE_SHIFT);
	unsigned int nsp[SPANSCALE_ROWS] = { }, live[SPANSCALE_ROWS] = { };
	struct bench_result res[SPANSCALE_ROWS];
	struct bench_case cs[SPANSCALE_ROWS] = { };
	struct gh_span **sp[SPANSCALE_ROWS];
	unsigned int i, k, nheaps = 0;
	u64 filled = 0;
	int err = 0;

	BUILD_BUG_ON(SPANSCALE_ROWS > BENCH_MAX_CASES);
	for (k = 0; k < SPANSCALE_ROWS && !err; k++) {
		live[k] = spanscale_live(params.page_shift, k, holes);
		filled += spanscale_bytes[k];
		if (filled > room) {
			bench_line(r, "alloc=goheap layout=%s live=%u heap_mib=%llu skipped=memory",
				   holes ? "holes" : "packed", live[k], spanscale_bytes[k] >> 20);
			break;
		}
		sp[k] = spans;
		spans += 2 * live[k];
		cs[k].a = BA_GOHEAP;
		cs[k].h = gh_heap_create(&params);
		if (IS_ERR(cs[k].h)) {
			err = PTR_ERR(cs[k].h);
			break;
		}
		nheaps++;
		err = spanscale_fill(cs[k].h, live[k], holes, sp[k], &nsp[k]);
		if (err || !holes)
			continue;
		/* The spacers go: one free page after each live span. */
		for (i = 1; i < nsp[k]; i += 2)
			gh_span_free(cs[k].h, sp[k][i]);
		for (i = 0; i < live[k]; i++)
			sp[k][i] = sp[k][2 * i];
		nsp[k] = live[k];
	}
	if (!err)
		err = bench_measure(cs, nheaps, spanscale_fn, r->loops, 1, res);
	for (k = 0; k < nheaps; k++) {
		if (!err)
			spanscale_print(r, cs[k].h, holes, live[k], &res[k]);
		for (i = 0; i < nsp[k]; i++)
			gh_span_free(cs[k].h, sp[k][i]);
		gh_heap_destroy(cs[k].h);
	}
	return err;
}

int bench_spanscale(struct bench_run *r)
{
	unsigned int k, total = 0;
	struct gh_span **spans;
	int err;

	/* The packed layout has the more spans; each may have a spacer. */
	for (k = 0; k < SPANSCALE_ROWS; k++)
		total += 2 * spanscale_live(r->h->page_shift, k, false);
	spans = kvmalloc_array(total, sizeof(*spans), GFP_KERNEL);
	if (!spans)
		return -ENOMEM;
	err = spanscale_layout(r, false, spans);
	if (!err)
		err = spanscale_layout(r, true, spans);
	kvfree(spans);
	return err;
}
