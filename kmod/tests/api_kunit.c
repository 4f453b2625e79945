// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_api: the allocation contract, on private heaps of both page sizes.
 *
 * kmalloc semantics (size 0, alignment, zeroing, usable size, large and
 * too-large requests), bulk and tiny allocation, and misuse: every bad free
 * is counted exactly once and leaves the heap able to hand out correct,
 * distinct objects afterwards.
 */
#include <kunit/test.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "internal.h"
#include "pcpu.h"
#include "kunit_heap.h"

MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));

KUNIT_GH_PAGE_SHIFT_PARAM();

static void goheap_zero_size(struct kunit *test)
{
	struct gh_heap *h = test->priv;

	KUNIT_EXPECT_PTR_EQ(test, gh_alloc(h, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	gh_free(h, ZERO_SIZE_PTR);
	gh_free(h, NULL);
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, ZERO_SIZE_PTR), 0UL);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_INVALID), 0L);
}

/* Every small size: usable size is its class's, and all of it is usable. */
static void goheap_every_small_size(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	size_t size;

	for (size = 1; size <= GH_MAX_SMALL_SIZE; size += (size < 2048 ? 1 : 61)) {
		u8 *p = gh_alloc(h, size, GFP_KERNEL);
		size_t usable;

		KUNIT_ASSERT_NOT_NULL(test, p);
		usable = gh_usable_size(h, p);
		KUNIT_ASSERT_EQ(test, usable, (size_t)h->classes[gh_size_to_class(h, size)].size);
		KUNIT_ASSERT_TRUE(test, IS_ALIGNED((unsigned long)p, 8));
		memset(p, 0x5a, usable);
		gh_free(h, p);
		KUNIT_ASSERT_EQ(test, gh_usable_size(h, p), 0UL);
	}
}

/* Power-of-two sizes up to the largest object are naturally aligned. */
static void goheap_pow2_alignment(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	void *p[4];
	size_t size;
	int i;

	for (size = 8; size <= GH_MAX_ALLOC; size *= 2) {
		for (i = 0; i < ARRAY_SIZE(p); i++) {
			p[i] = gh_alloc(h, size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p[i]);
			KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p[i], size),
					      "size %zu", size);
		}
		for (i = 0; i < ARRAY_SIZE(p); i++)
			gh_free(h, p[i]);
	}
}

/*
 * The per-CPU span cache hands a power-of-two large object only a cached
 * span that is aligned for it. An 8-page span placed at page 5 is cached
 * first; a 64 KiB object (8 pages, aligned to 8) must not get it, gets
 * its own aligned span, and once that is freed and cached too, gets it
 * back from the cache, while an odd size takes the unaligned one.
 */
static void goheap_span_cache_alignment(struct kunit *test)
{
	struct gh_heap_params params = { .page_shift = 13, .name = "kunit-align" };
	void *pad, *odd, *pow2, *again, *odd2;
	struct gh_heap *h;

	kunit_need_page_shift(test, 13);
	h = gh_heap_create(&params);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	migrate_disable();	/* one CPU's span cache throughout */
	pad = gh_alloc(h, 5 * 8192, GFP_KERNEL);	/* pages 0-4 */
	odd = gh_alloc(h, 7 * 8192 + 1, GFP_KERNEL);	/* pages 5-12 */
	KUNIT_ASSERT_TRUE(test, pad && odd);
	KUNIT_ASSERT_EQ(test, gh_span_lookup(h, odd)->first, 5U);
	gh_free(h, odd);				/* cached, at page 5 */

	pow2 = gh_alloc(h, SZ_64K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pow2);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)pow2, SZ_64K));
	KUNIT_EXPECT_PTR_NE(test, pow2, odd);
	gh_free(h, pow2);				/* cached beside it */
	again = gh_alloc(h, SZ_64K, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, again, pow2);
	odd2 = gh_alloc(h, 7 * 8192 + 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, odd2, odd);
	migrate_enable();
	gh_free(h, again);
	gh_free(h, odd2);
	gh_free(h, pad);
	gh_heap_destroy(h);
}

/* __GFP_ZERO zeroes the whole usable size, even of recycled objects. */
static void goheap_gfp_zero(struct kunit *test)
{
	static const size_t sizes[] = { 8, 64, 1000, 4096, 32768, 40000, 1 << 20 };
	struct gh_heap *h = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *p = gh_alloc(h, sizes[i], GFP_KERNEL);
		size_t usable;

		KUNIT_ASSERT_NOT_NULL(test, p);
		usable = gh_usable_size(h, p);
		memset(p, 0xaa, usable);
		gh_free(h, p);
		p = gh_alloc(h, sizes[i], GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(p, 0, gh_usable_size(h, p)),
				      "size %zu", sizes[i]);
		gh_free(h, p);
	}
}

/* Large objects of odd sizes: a span of their own, whole pages usable. */
static void goheap_large_odd_sizes(struct kunit *test)
{
	static const size_t sizes[] = { 32769, 40000, 65537, 100001, (1 << 20) + 3,
					GH_MAX_ALLOC - 1, GH_MAX_ALLOC };
	struct gh_heap *h = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *p = gh_alloc(h, sizes[i], GFP_KERNEL);
		struct gh_span *s;

		KUNIT_ASSERT_NOT_NULL(test, p);
		s = gh_span_lookup(h, p);
		KUNIT_ASSERT_NOT_NULL(test, s);
		KUNIT_EXPECT_EQ(test, s->kind, GH_SPAN_LARGE);
		KUNIT_EXPECT_EQ(test, gh_usable_size(h, p), round_up(sizes[i], gh_page_bytes(h)));
		memset(p, 0x11, sizes[i]);
		KUNIT_EXPECT_PTR_EQ(test, gh_span_lookup(h, p + sizes[i] - 1), s);
		gh_free(h, p);
	}
	/* Spans of up to 8 heap pages wait in a CPU's span cache until drained. */
	KUNIT_EXPECT_LE(test, h->pages_inuse, (unsigned long)GH_SPAN_CACHE_MAX);
	gh_pcpu_drain_all(h);
	KUNIT_EXPECT_EQ(test, h->pages_inuse, 0UL);
}

static void goheap_too_large_fails(struct kunit *test)
{
	struct gh_heap *h = test->priv;

	KUNIT_EXPECT_NULL(test, gh_alloc(h, GH_MAX_ALLOC + 1, GFP_KERNEL | __GFP_NOWARN));
	KUNIT_EXPECT_NULL(test, gh_alloc(h, SIZE_MAX, GFP_KERNEL | __GFP_NOWARN));
	KUNIT_EXPECT_EQ(test, h->pages_total, 0UL);
}

/* Pointers goheap never gave out are counted, and nothing else changes. */
static void goheap_misuse_invalid(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	void *km = kmalloc(64, GFP_KERNEL);
	void *p = gh_alloc(h, 64, GFP_KERNEL);
	int on_stack;

	KUNIT_ASSERT_NOT_NULL(test, p);
	gh_free(h, km);
	gh_free(h, &on_stack);
	/* The page after p's span is free heap memory, not an object. */
	gh_free(h, (void *)(gh_span_lookup(h, p)->base + 16 * gh_page_bytes(h)));
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_INVALID), 3L);
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, p), 64UL);
	gh_free(h, p);
	kfree(km);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_INVALID), 3L);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_DOUBLE), 0L);
}

static void goheap_misuse_interior(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	u8 *p = gh_alloc(h, 64, GFP_KERNEL);
	u8 *big = gh_alloc(h, 100000, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, p && big);
	gh_free(h, p + 8);
	gh_free(h, big + 4096);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_INTERIOR), 2L);
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, p), 64UL);
	gh_free(h, p);
	gh_free(h, big);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_INTERIOR), 2L);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_DOUBLE), 0L);
}

/* A double free is caught whether the object sits in a cache or a span. */
static void goheap_misuse_double(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	void **objs = kunit_kcalloc(test, 200, sizeof(*objs), GFP_KERNEL);
	void *keep, *p, *q, *r;
	unsigned int i, j;

	/* keep holds the span in the heap once p is back in it. */
	keep = gh_alloc(h, 64, GFP_KERNEL);
	p = gh_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, objs && keep && p);
	KUNIT_ASSERT_PTR_EQ(test, gh_span_lookup(h, keep), gh_span_lookup(h, p));
	gh_free(h, p);
	gh_free(h, p);		/* in the CPU cache */
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_DOUBLE), 1L);

	/* Push it through the CPU cache and central back into its span. */
	gh_pcpu_drain_all(h);
	gh_central_release(h, gh_size_to_class(h, 64));
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_DOUBLE), 2L);

	/* The heap still hands out distinct objects. */
	for (i = 0; i < 200; i++) {
		objs[i] = gh_alloc(h, 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		for (j = 0; j < i; j++)
			KUNIT_ASSERT_PTR_NE(test, objs[i], objs[j]);
	}
	for (i = 0; i < 200; i++)
		gh_free(h, objs[i]);
	gh_free(h, keep);

	/*
	 * Large: while its span waits in a CPU's span cache, with its object
	 * free, a second free is a double free; once the span went back to
	 * the page heap, its pages belong to no span: an invalid free.
	 */
	q = gh_alloc(h, 50000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	gh_free(h, q);
	gh_free(h, q);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_DOUBLE), 3L);
	gh_pcpu_drain_all(h);
	gh_free(h, q);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_INVALID), 1L);
	r = gh_alloc(h, 50000, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, r);
	gh_free(h, r);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_DOUBLE), 3L);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_INVALID), 1L);
}

static void goheap_bulk(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	unsigned int n = 1000, i;
	void **p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	void **sorted = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, p && sorted);
	KUNIT_ASSERT_EQ(test, gh_alloc_bulk(h, 64, GFP_KERNEL | __GFP_ZERO, n, p), (int)n);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_EQ(test, gh_usable_size(h, p[i]), 64UL);
		KUNIT_EXPECT_NULL(test, memchr_inv(p[i], 0, 64));
		memset(p[i], 0x33, 64);	/* KASAN: each is really 64 B */
	}
	/* All distinct: each object's first byte is written with its index. */
	for (i = 0; i < n; i++)
		*(u32 *)p[i] = i;
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, *(u32 *)p[i], i);
	gh_free_bulk(h, n, p);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, gh_usable_size(h, p[i]), 0UL);

	KUNIT_ASSERT_EQ(test, gh_alloc_bulk(h, 70000, GFP_KERNEL, 4, p), 4);
	gh_free_bulk(h, 4, p);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_DOUBLE) +
			kunit_misuse(h, GH_MISUSE_INVALID), 0L);
	KUNIT_EXPECT_EQ(test, gh_alloc_bulk(h, GH_MAX_ALLOC + 1, GFP_KERNEL | __GFP_NOWARN, 4, p),
			0);
}

/* Tiny objects pack into one 16 B block, aligned to their own size. */
static void goheap_tiny_packing(struct kunit *test)
{
	static const size_t sizes[] = { 1, 2, 4, 1, 8 };	/* 1+pad 2+4+1+pad 8 */
	struct gh_heap *h = test->priv;
	u8 *p[ARRAY_SIZE(sizes)];
	unsigned int i;
	unsigned long blk;

	/* The heap's CPU cache is per CPU: stay on one for the packing check. */
	migrate_disable();
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = gh_tiny_alloc(h, sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p[i], sizes[i]));
		KUNIT_EXPECT_EQ(test, gh_usable_size(h, p[i]), sizes[i]);
		memset(p[i], 0x77, sizes[i]);
	}
	migrate_enable();
	blk = (unsigned long)p[0] & ~15UL;
	KUNIT_EXPECT_EQ(test, (unsigned long)p[1], blk + 2);
	KUNIT_EXPECT_EQ(test, (unsigned long)p[2], blk + 4);
	KUNIT_EXPECT_EQ(test, (unsigned long)p[3], blk + 8);
	/* 8 B no longer fits at offset 9 + pad: a new block. */
	KUNIT_EXPECT_NE(test, (unsigned long)p[4] & ~15UL, blk);

	gh_free(h, p[1]);
	gh_free(h, p[1]);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_DOUBLE), 1L);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		if (i != 1)
			gh_free(h, p[i]);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_DOUBLE), 1L);
}

/* A tiny block goes back only when all its objects are freed and unpinned. */
static void goheap_tiny_block_release(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	struct gh_span *s;
	unsigned int blk;
	u8 *a, *b;

	migrate_disable();
	a = gh_tiny_alloc(h, 4, GFP_KERNEL);
	b = gh_tiny_alloc(h, 4, GFP_KERNEL);
	migrate_enable();
	KUNIT_ASSERT_TRUE(test, a && b);
	s = gh_span_lookup(h, a);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, s->cls, GH_TINY_CLASS);
	blk = ((unsigned long)a - s->base) / GH_TINY_SIZE;
	gh_free(h, a);
	KUNIT_EXPECT_EQ(test, s->objstate[blk], GH_OBJ_LIVE);
	gh_free(h, b);
	/* Still pinned as some CPU's current block... */
	KUNIT_EXPECT_EQ(test, s->objstate[blk], GH_OBJ_LIVE);
	/* ...until the CPU caches are drained (the span is still listed)... */
	gh_pcpu_drain_all(h);
	KUNIT_EXPECT_NE(test, s->objstate[blk], GH_OBJ_LIVE);
	/* ...and with the central caches too, its span goes back. */
	gh_drain_caches(h);
	KUNIT_EXPECT_EQ(test, h->pages_inuse, 0UL);
}

/* With every object freed and caches drained, every page is free. */
static void goheap_drain_returns_all_spans(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	unsigned int n = 3000, i;
	void **p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < n; i++) {
		p[i] = gh_alloc(h, 1 + (i * 37) % 5000, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	KUNIT_EXPECT_GT(test, h->pages_inuse, 0UL);
	for (i = 0; i < n; i++)
		gh_free(h, p[(i * 7) % n]);
	gh_drain_caches(h);
	KUNIT_EXPECT_EQ(test, h->pages_inuse, 0UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->nr_spans), 0L);
}

static struct kunit_case goheap_api_cases[] = {
	KUNIT_CASE(goheap_zero_size),
	KUNIT_CASE_PARAM(goheap_every_small_size, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_pow2_alignment, page_shift_gen_params),
	KUNIT_CASE(goheap_span_cache_alignment),
	KUNIT_CASE_PARAM(goheap_gfp_zero, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_large_odd_sizes, page_shift_gen_params),
	KUNIT_CASE(goheap_too_large_fails),
	KUNIT_CASE(goheap_misuse_invalid),
	KUNIT_CASE(goheap_misuse_interior),
	KUNIT_CASE(goheap_misuse_double),
	KUNIT_CASE_PARAM(goheap_bulk, page_shift_gen_params),
	KUNIT_CASE(goheap_tiny_packing),
	KUNIT_CASE(goheap_tiny_block_release),
	KUNIT_CASE_PARAM(goheap_drain_returns_all_spans, page_shift_gen_params),
	{}
};

static struct kunit_suite goheap_api_suite = {
	.name = "goheap_api",
	.init = kunit_param_heap_init,
	.exit = kunit_param_heap_exit,
	.test_cases = goheap_api_cases,
};

kunit_test_suite(goheap_api_suite);

MODULE_DESCRIPTION("goheap KUnit suite goheap_api");
MODULE_LICENSE("GPL");
