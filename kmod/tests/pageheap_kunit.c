// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_pageheap: spans of any length, coalescing, growth, lookup.
 *
 * Every case runs with 8 KiB and 4 KiB heap pages on a private heap. The
 * random case keeps a model of the live spans and checks after every step
 * that the heap's page count agrees and, every few steps, that every page
 * of every live span looks up to that span (so no two spans overlap).
 * The summaries case checks every first fit and every run summary against
 * a page-by-page reference.
 */
#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "internal.h"
#include "kunit_heap.h"

MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));

KUNIT_GH_PAGE_SHIFT_PARAM();

static struct gh_heap *param_heap(struct kunit *test, unsigned int chunk_order)
{
	struct gh_heap_params params = {
		.page_shift = *(const unsigned int *)test->param_value,
		.chunk_order = chunk_order,
		.name = "kunit",
	};
	struct gh_heap *h = gh_heap_create(&params);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	return h;
}

static struct gh_span *raw_span(struct gh_heap *h, unsigned int npages, unsigned int align)
{
	return gh_span_alloc(h, npages, align, GH_SPAN_RAW, 0, GFP_KERNEL);
}

/* First, middle and last byte of a span look up to it; its edges don't. */
static void expect_lookup(struct kunit *test, struct gh_heap *h, struct gh_span *s)
{
	unsigned long end = s->base + gh_span_bytes(h, s);

	KUNIT_EXPECT_PTR_EQ(test, gh_span_lookup(h, (void *)s->base), s);
	KUNIT_EXPECT_PTR_EQ(test, gh_span_lookup(h, (void *)(s->base + (end - s->base) / 2)), s);
	KUNIT_EXPECT_PTR_EQ(test, gh_span_lookup(h, (void *)(end - 1)), s);
	KUNIT_EXPECT_PTR_NE(test, gh_span_lookup(h, (void *)(s->base - 1)), s);
	KUNIT_EXPECT_PTR_NE(test, gh_span_lookup(h, (void *)end), s);
}

/* Spans of every length 1..12, including 3, 5, 6, 7, 9, 10 pages. */
static void goheap_span_any_length(struct kunit *test)
{
	struct gh_heap *h = param_heap(test, 0);
	struct gh_span *spans[12];
	unsigned int n;

	for (n = 1; n <= ARRAY_SIZE(spans); n++) {
		struct gh_span *s = raw_span(h, n, 1);

		KUNIT_ASSERT_NOT_NULL(test, s);
		spans[n - 1] = s;
		KUNIT_EXPECT_EQ(test, s->npages, n);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED(s->base, gh_page_bytes(h)));
		expect_lookup(test, h, s);
	}
	KUNIT_EXPECT_EQ(test, h->pages_inuse, 12UL * 13 / 2);
	for (n = 0; n < ARRAY_SIZE(spans); n++)
		gh_span_free(h, spans[n]);
	KUNIT_EXPECT_EQ(test, h->pages_inuse, 0UL);
	gh_heap_destroy(h);
}

/* Freed neighbours merge back into one run that a chunk-sized span fits. */
static void goheap_span_coalesce(struct kunit *test)
{
	struct gh_heap *h = param_heap(test, 0);
	struct gh_span *a, *b, *c, *whole;
	unsigned long pg = gh_page_bytes(h);
	struct gh_chunk *ch;

	a = raw_span(h, 3, 1);
	b = raw_span(h, 5, 1);
	c = raw_span(h, 2, 1);
	KUNIT_ASSERT_TRUE(test, a && b && c);
	ch = a->chunk;
	/* First fit in a fresh chunk lays them out back to back. */
	KUNIT_EXPECT_EQ(test, b->base, a->base + 3 * pg);
	KUNIT_EXPECT_EQ(test, c->base, b->base + 5 * pg);
	KUNIT_EXPECT_EQ(test, ch->maxrun, ch->npages - 10);

	gh_span_free(h, a);
	gh_span_free(h, c);
	KUNIT_EXPECT_EQ(test, ch->nfree, ch->npages - 5);
	KUNIT_EXPECT_EQ(test, ch->maxrun, ch->npages - 8);
	gh_span_free(h, b);
	KUNIT_EXPECT_EQ(test, ch->nfree, ch->npages);
	KUNIT_EXPECT_EQ(test, ch->maxrun, ch->npages);

	whole = raw_span(h, ch->npages, 1);
	KUNIT_ASSERT_NOT_NULL(test, whole);
	KUNIT_EXPECT_PTR_EQ(test, whole->chunk, ch);
	KUNIT_EXPECT_EQ(test, h->grows, 1UL);
	expect_lookup(test, h, whole);
	gh_span_free(h, whole);
	gh_heap_destroy(h);
}

#define MODEL_SPANS	64
#define MODEL_STEPS	3000

static void check_all_pages(struct kunit *test, struct gh_heap *h, struct gh_span **live)
{
	unsigned int i, pg;

	for (i = 0; i < MODEL_SPANS; i++) {
		struct gh_span *s = live[i];

		if (!s)
			continue;
		for (pg = 0; pg < s->npages; pg++) {
			void *addr = (void *)(s->base + (pg << h->page_shift));

			KUNIT_ASSERT_PTR_EQ(test, gh_span_lookup(h, addr), s);
		}
	}
}

/* Random alloc/free against a model of the live spans. */
static void goheap_span_random_model(struct kunit *test)
{
	struct gh_heap *h = param_heap(test, 0);
	struct gh_span **live = kunit_kcalloc(test, MODEL_SPANS, sizeof(*live), GFP_KERNEL);
	struct rnd_state rnd;
	unsigned long pages = 0;
	unsigned int step, i;

	KUNIT_ASSERT_NOT_NULL(test, live);
	prandom_seed_state(&rnd, 42);
	for (step = 0; step < MODEL_STEPS; step++) {
		i = prandom_u32_state(&rnd) % MODEL_SPANS;
		if (live[i]) {
			pages -= live[i]->npages;
			gh_span_free(h, live[i]);
			live[i] = NULL;
		} else {
			unsigned int n = 1 + prandom_u32_state(&rnd) % 40;
			unsigned int align = 1U << (prandom_u32_state(&rnd) % 3);

			if (align > n)
				align = 1;
			live[i] = raw_span(h, n, align);
			KUNIT_ASSERT_NOT_NULL(test, live[i]);
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED(live[i]->base,
							   align * gh_page_bytes(h)));
			pages += n;
		}
		KUNIT_ASSERT_EQ(test, h->pages_inuse, pages);
		if (step % 100 == 0)
			check_all_pages(test, h, live);
	}
	check_all_pages(test, h, live);
	for (i = 0; i < MODEL_SPANS; i++)
		if (live[i])
			gh_span_free(h, live[i]);
	KUNIT_EXPECT_EQ(test, h->pages_inuse, 0UL);
	gh_heap_destroy(h);
}

/*
 * The summaries against a brute-force reference. A random sequence of
 * span allocations (1 to 100 pages, so that runs cross words where a
 * chunk has more than one; now and then aligned) and frees, with now and
 * then a release of free runs, over several chunks. Before each
 * allocation the reference finds the first fit page by page, as
 * run_find() is specified: the leftmost chunk (in slot order) whose
 * longest run can hold the span, its first fit, else a new chunk. After
 * every step, each word's summary, each chunk's longest run and its tree
 * leaf are recomputed page by page and compared.
 */
#define SUMS_SPANS	96
#define SUMS_STEPS	1500

struct sums_ref {
	u16 runlen[GH_MAX_CHUNK_PAGES + 1];	/* free pages from each page on */
};

static bool ref_free(const struct gh_chunk *ch, unsigned int i)
{
	return i < ch->npages && !test_bit(i, ch->inuse);
}

static void ref_runs(struct sums_ref *r, const struct gh_chunk *ch)
{
	int i;

	r->runlen[ch->npages] = 0;
	for (i = ch->npages - 1; i >= 0; i--)
		r->runlen[i] = ref_free(ch, i) ? r->runlen[i + 1] + 1 : 0;
}

static unsigned int ref_maxrun(struct sums_ref *r, const struct gh_chunk *ch)
{
	unsigned int i, best = 0;

	ref_runs(r, ch);
	for (i = 0; i < ch->npages; i++)
		best = max_t(unsigned int, best, r->runlen[i]);
	return best;
}

/* First page of @n free ones at a multiple of @align, or -1. */
static long ref_fit(struct sums_ref *r, const struct gh_chunk *ch, unsigned int n,
		    unsigned int align)
{
	unsigned int st;

	ref_runs(r, ch);
	for (st = 0; st + n <= ch->npages; st += align)
		if (r->runlen[st] >= n)
			return st;
	return -1;
}

/* The leftmost chunk in slot order whose longest run is at least @need. */
static struct gh_chunk *ref_chunk(struct sums_ref *r, struct gh_heap *h, unsigned int need)
{
	unsigned int slot;

	for (slot = 0; slot < h->tree_cap; slot++)
		if (h->slot_chunk[slot] && ref_maxrun(r, h->slot_chunk[slot]) >= need)
			return h->slot_chunk[slot];
	return NULL;
}

/* Where run_find() must put a span of @n pages aligned to @align. */
static struct gh_chunk *ref_place(struct sums_ref *r, struct gh_heap *h, unsigned int n,
				  unsigned int align, long *first)
{
	struct gh_chunk *ch = ref_chunk(r, h, n + align - 1);

	if (!ch && align > 1)
		ch = ref_chunk(r, h, n);
	*first = ch ? ref_fit(r, ch, n, align) : -1;
	return *first < 0 ? NULL : ch;
}

static void check_sums(struct kunit *test, struct sums_ref *r, struct gh_heap *h,
		       unsigned int step)
{
	unsigned int w, b, run, i;
	struct gh_runsum want;
	struct gh_chunk *ch;

	list_for_each_entry(ch, &h->chunks, node) {
		for (w = 0; w < BITS_TO_LONGS(ch->npages); w++) {
			want.start = 0;
			while (want.start < BITS_PER_LONG &&
			       ref_free(ch, w * BITS_PER_LONG + want.start))
				want.start++;
			want.end = 0;
			while (want.end < BITS_PER_LONG &&
			       ref_free(ch, w * BITS_PER_LONG + BITS_PER_LONG - 1 - want.end))
				want.end++;
			want.max = 0;
			for (b = 0, run = 0; b < BITS_PER_LONG; b++) {
				run = ref_free(ch, w * BITS_PER_LONG + b) ? run + 1 : 0;
				want.max = max_t(unsigned int, want.max, run);
			}
			KUNIT_ASSERT_EQ_MSG(test, ch->sums[w].start, want.start,
					    "step %u chunk %p word %u", step, (void *)ch->base, w);
			KUNIT_ASSERT_EQ_MSG(test, ch->sums[w].max, want.max,
					    "step %u chunk %p word %u", step, (void *)ch->base, w);
			KUNIT_ASSERT_EQ_MSG(test, ch->sums[w].end, want.end,
					    "step %u chunk %p word %u", step, (void *)ch->base, w);
		}
		i = ref_maxrun(r, ch);
		KUNIT_ASSERT_EQ_MSG(test, (unsigned int)ch->maxrun, i, "step %u", step);
		KUNIT_ASSERT_EQ_MSG(test, (unsigned int)h->tree[h->tree_cap + ch->slot], i,
				    "step %u", step);
	}
}

static void goheap_summaries_first_fit(struct kunit *test)
{
	struct gh_heap *h = param_heap(test, 0);
	struct gh_span **live = kunit_kcalloc(test, SUMS_SPANS, sizeof(*live), GFP_KERNEL);
	struct sums_ref *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned long grows, crossing = 0, released = 0, max_chunks = 0;
	struct gh_chunk *want;
	struct rnd_state rnd;
	unsigned int step, i, maxn;
	long first;

	KUNIT_ASSERT_NOT_NULL(test, live);
	KUNIT_ASSERT_NOT_NULL(test, r);
	/* Up to 100 pages, or a whole chunk where that is less (64 KiB pages). */
	maxn = min_t(unsigned int, 100, GH_MAX_CHUNK_PAGES / h->hw_per_page);
	prandom_seed_state(&rnd, 7);
	for (step = 0; step < SUMS_STEPS; step++) {
		i = prandom_u32_state(&rnd) % SUMS_SPANS;
		if (live[i]) {
			gh_span_free(h, live[i]);
			live[i] = NULL;
		} else if (prandom_u32_state(&rnd) % 64 == 0) {
			/* Free runs of 3 pages or more become holes. */
			released += gh_pageheap_release(h, 0, 3, 64);
		} else {
			unsigned int n = 1 + prandom_u32_state(&rnd) % maxn;
			unsigned int align = 1;

			if (prandom_u32_state(&rnd) % 8 == 0)
				align = 1U << (1 + prandom_u32_state(&rnd) % 2);
			if (align > n)
				align = 1;
			want = ref_place(r, h, n, align, &first);
			grows = h->grows;
			live[i] = raw_span(h, n, align);
			KUNIT_ASSERT_NOT_NULL(test, live[i]);
			if (want) {
				KUNIT_ASSERT_PTR_EQ_MSG(test, live[i]->chunk, want,
							"step %u: %u pages /%u", step, n, align);
				KUNIT_ASSERT_EQ_MSG(test, (long)live[i]->first, first,
						    "step %u: %u pages /%u", step, n, align);
				KUNIT_ASSERT_EQ(test, h->grows, grows);
			} else {
				KUNIT_ASSERT_EQ_MSG(test, h->grows, grows + 1,
						    "step %u: %u pages /%u fit nowhere", step, n,
						    align);
				KUNIT_ASSERT_EQ(test, (unsigned int)live[i]->first, 0U);
			}
			first = live[i]->first;
			KUNIT_ASSERT_LE(test, first + n, (long)live[i]->chunk->npages);
			if (first / BITS_PER_LONG != (first + n - 1) / BITS_PER_LONG)
				crossing++;
		}
		check_sums(test, r, h, step);
		max_chunks = max(max_chunks, h->nr_chunks);
	}
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, NULL), 0UL);
	for (i = 0; i < SUMS_SPANS; i++)
		if (live[i])
			gh_span_free(h, live[i]);
	kunit_info(test, "%lu spans crossed a bitmap word, %lu pages released, up to %lu chunks",
		   crossing, released, max_chunks);
	/* The sequence must have reached the cases it is for. */
	if (BIT(h->chunk_order) / h->hw_per_page > BITS_PER_LONG)
		KUNIT_EXPECT_GT(test, crossing, 0UL);
	KUNIT_EXPECT_GT(test, released, 0UL);
	KUNIT_EXPECT_GT(test, max_chunks, 2UL);
	gh_heap_destroy(h);
}

/* Growth takes the configured order, or the smallest order that fits. */
static void goheap_growth_orders(struct kunit *test)
{
	struct gh_heap *h = param_heap(test, GH_MIN_CHUNK_ORDER);
	unsigned int hw = h->hw_per_page;
	unsigned int big = (1U << (GH_MIN_CHUNK_ORDER + 2)) / hw;
	struct gh_span *s1, *s2;

	s1 = raw_span(h, 1, 1);
	KUNIT_ASSERT_NOT_NULL(test, s1);
	KUNIT_EXPECT_EQ(test, s1->chunk->order, GH_MIN_CHUNK_ORDER);
	KUNIT_EXPECT_EQ(test, (unsigned int)s1->chunk->npages, (1U << GH_MIN_CHUNK_ORDER) / hw);
	/* Bigger than any chunk so far: a chunk just big enough for it. */
	s2 = raw_span(h, big, 1);
	KUNIT_ASSERT_NOT_NULL(test, s2);
	KUNIT_EXPECT_EQ(test, s2->chunk->order, GH_MIN_CHUNK_ORDER + 2);
	KUNIT_EXPECT_EQ(test, h->grows, 2UL);
	KUNIT_EXPECT_EQ(test, h->nr_chunks, 2UL);
	KUNIT_EXPECT_EQ(test, h->pages_total, (1UL << GH_MIN_CHUNK_ORDER) / hw + big);
	gh_span_free(h, s1);
	gh_span_free(h, s2);
	gh_heap_destroy(h);

	/* A default heap grows by 2 MiB unless memory is fragmented. */
	h = param_heap(test, 0);
	s1 = raw_span(h, 1, 1);
	KUNIT_ASSERT_NOT_NULL(test, s1);
	if (h->grow_fallbacks == 0)
		KUNIT_EXPECT_EQ(test, s1->chunk->order, GH_DEFAULT_CHUNK_ORDER);
	else
		KUNIT_EXPECT_LT(test, s1->chunk->order, GH_DEFAULT_CHUNK_ORDER);
	gh_span_free(h, s1);
	gh_heap_destroy(h);
}

/* A heap of 256 MiB of spans: many chunks, every span found, all freed. */
static void goheap_heap_256mib(struct kunit *test)
{
	struct gh_heap *h = param_heap(test, 0);
	unsigned int npages = (512 * 1024) >> h->page_shift;
	unsigned int nspans = (256 << 20) / (512 * 1024), i;
	struct gh_span **spans = kunit_kcalloc(test, nspans, sizeof(*spans), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, spans);
	for (i = 0; i < nspans; i++) {
		spans[i] = raw_span(h, npages, 1);
		KUNIT_ASSERT_NOT_NULL(test, spans[i]);
	}
	KUNIT_EXPECT_GE(test, h->nr_chunks, (256UL << 20) / GH_CHUNK_BYTES);
	KUNIT_EXPECT_EQ(test, h->pages_inuse, (unsigned long)npages * nspans);
	for (i = 0; i < nspans; i++)
		expect_lookup(test, h, spans[i]);
	for (i = 0; i < nspans; i++)
		gh_span_free(h, spans[i]);
	KUNIT_EXPECT_EQ(test, h->pages_inuse, 0UL);
	gh_heap_destroy(h);
}

/* Addresses that are not in the heap look up to nothing. */
static void goheap_lookup_foreign(struct kunit *test)
{
	struct gh_heap *h = param_heap(test, 0);
	struct gh_span *s = raw_span(h, 1, 1);
	void *km = kmalloc(64, GFP_KERNEL);
	void *vm = vmalloc(PAGE_SIZE);
	int on_stack;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_NULL(test, gh_span_lookup(h, km));
	KUNIT_EXPECT_NULL(test, gh_span_lookup(h, vm));
	KUNIT_EXPECT_NULL(test, gh_span_lookup(h, &on_stack));
	KUNIT_EXPECT_NULL(test, gh_span_lookup(h, NULL));
	KUNIT_EXPECT_NULL(test, gh_span_lookup(h, ZERO_SIZE_PTR));
	KUNIT_EXPECT_NULL(test, gh_span_lookup(h, (void *)gh_span_lookup));
	/* Free pages of a chunk belong to no span. */
	KUNIT_EXPECT_NULL(test, gh_span_lookup(h, (void *)(s->base + gh_page_bytes(h))));
	kfree(km);
	vfree(vm);
	gh_span_free(h, s);
	gh_heap_destroy(h);
}

/* Bad span requests fail cleanly; the largest legal one works. */
static void goheap_span_limits(struct kunit *test)
{
	struct gh_heap *h = param_heap(test, 0);
	unsigned int max = GH_MAX_CHUNK_PAGES / h->hw_per_page;
	struct gh_span *s;

	KUNIT_EXPECT_NULL(test, raw_span(h, 0, 1));
	KUNIT_EXPECT_NULL(test, raw_span(h, max + 1, 1));
	KUNIT_EXPECT_NULL(test, raw_span(h, 4, 3));
	KUNIT_EXPECT_NULL(test, raw_span(h, 2, 4));
	KUNIT_EXPECT_EQ(test, h->pages_total, 0UL);
	s = raw_span(h, max, 1);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, gh_span_bytes(h, s), GH_CHUNK_BYTES);
	expect_lookup(test, h, s);
	gh_span_free(h, s);
	gh_heap_destroy(h);
}

/*
 * Destroying a heap with spans still in use frees each span's metadata
 * once, however many pages it has (KASAN reports any second touch).
 */
static void goheap_destroy_with_leaked_spans(struct kunit *test)
{
	struct gh_heap *h = param_heap(test, 0);

	KUNIT_ASSERT_NOT_NULL(test, raw_span(h, 5, 1));
	KUNIT_ASSERT_NOT_NULL(test, gh_alloc(h, 40000, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, gh_alloc(h, 64, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->nr_spans), 3L);
	gh_heap_destroy(h);
}

static struct kunit_case goheap_pageheap_cases[] = {
	KUNIT_CASE_PARAM(goheap_span_any_length, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_span_coalesce, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_span_random_model, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_summaries_first_fit, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_growth_orders, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_heap_256mib, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_lookup_foreign, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_span_limits, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_destroy_with_leaked_spans, page_shift_gen_params),
	{}
};

static struct kunit_suite goheap_pageheap_suite = {
	.name = "goheap_pageheap",
	.test_cases = goheap_pageheap_cases,
};

kunit_test_suite(goheap_pageheap_suite);

MODULE_DESCRIPTION("goheap KUnit suite goheap_pageheap");
MODULE_LICENSE("GPL");
