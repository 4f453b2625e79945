// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_central: the central lists' transfer cache and their way back
 * into spans.
 *
 * The transfer cache doubles when a flush finds it full, stops at
 * GH_XFER_MAX_BATCHES batches or GH_XFER_MAX_BYTES, and goes back to its first array when the
 * caches are drained; OtherSys follows its arrays. Objects returned to
 * their spans in any order (runs of one span, spans interleaved, a span
 * emptied in the middle of a flush) leave every span correct, and a span
 * hands out its free objects lowest index first across bitmap words.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "compat.h"
#include "internal.h"
#include "kunit_heap.h"
#include "stats.h"

MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));

static u64 other_sys(struct gh_heap *h)
{
	u64 ms[GH_MS_NR];

	gh_read_memstats(h, ms);
	return ms[GH_MS_OTHER_SYS];
}

/* Flushes of one batch each: the cache doubles up to its largest, then spills. */
static void goheap_xfer_grows_and_shrinks(struct kunit *test)
{
	struct gh_heap *h = kunit_heap(test);
	unsigned int cls = gh_size_to_class(h, 64);
	const struct gh_class *k = &h->classes[cls];
	struct gh_central *c = &h->central[cls];
	unsigned int base = GH_XFER_BATCHES * k->batch, max = c->xfer_max;
	unsigned int nbatches = max / k->batch + 4, i;
	struct gh_obj *objs;
	void *newest;
	u64 sys0;

	/* 64 B objects: the largest is GH_XFER_MAX_BATCHES, not a byte limit. */
	KUNIT_EXPECT_EQ(test, max, GH_XFER_MAX_BATCHES * k->batch);
	objs = kunit_kcalloc(test, nbatches * k->batch, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < nbatches; i++)
		KUNIT_ASSERT_EQ(test, gh_central_refill(h, cls, objs + i * k->batch, k->batch,
							GFP_KERNEL), k->batch);
	sys0 = other_sys(h);
	KUNIT_EXPECT_EQ(test, c->xfer_cap, base);
	KUNIT_EXPECT_PTR_EQ(test, c->xfer, c->xfer_base);

	for (i = 0; i < GH_XFER_BATCHES; i++)
		gh_central_flush(h, cls, objs + i * k->batch, k->batch);
	KUNIT_EXPECT_EQ(test, c->xfer_cap, base);
	KUNIT_EXPECT_EQ(test, gh_central_cached(h, cls), base);

	/* One more batch: the cache doubles and takes it. */
	gh_central_flush(h, cls, objs + i++ * k->batch, k->batch);
	KUNIT_EXPECT_EQ(test, c->xfer_cap, 2 * base);
	KUNIT_EXPECT_EQ(test, gh_central_cached(h, cls), base + k->batch);
	KUNIT_EXPECT_PTR_NE(test, c->xfer, c->xfer_base);
	KUNIT_EXPECT_EQ(test, other_sys(h), sys0 + 2 * base * sizeof(struct gh_obj));

	/* Up to its largest; the batches past that go back to their spans. */
	for (; i < nbatches; i++)
		gh_central_flush(h, cls, objs + i * k->batch, k->batch);
	KUNIT_EXPECT_EQ(test, c->xfer_cap, max);
	KUNIT_EXPECT_EQ(test, gh_central_cached(h, cls), max);
	KUNIT_EXPECT_EQ(test, other_sys(h), sys0 + (u64)max * sizeof(struct gh_obj));
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, NULL), 0UL);

	/* Refills are served from the cache first, newest batch first. */
	newest = objs[max - k->batch].p;
	KUNIT_EXPECT_EQ(test, gh_central_take_cached(h, cls, objs, k->batch), k->batch);
	KUNIT_EXPECT_PTR_EQ(test, objs[0].p, newest);
	gh_central_flush(h, cls, objs, k->batch);

	/* A drain empties it into the spans and gives the grown array back. */
	KUNIT_EXPECT_EQ(test, gh_central_release(h, cls), max);
	KUNIT_EXPECT_EQ(test, gh_central_cached(h, cls), 0U);
	KUNIT_EXPECT_EQ(test, c->xfer_cap, base);
	KUNIT_EXPECT_PTR_EQ(test, c->xfer, c->xfer_base);
	KUNIT_EXPECT_EQ(test, other_sys(h), sys0);
	KUNIT_EXPECT_EQ(test, c->nr_partial + c->nr_full, 0UL);
	KUNIT_EXPECT_EQ(test, h->pages_inuse, 0UL);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, NULL), 0UL);
	gh_heap_destroy(h);
}

/* Every class's largest cache: whole batches, within both limits. */
static void goheap_xfer_limits(struct kunit *test)
{
	struct gh_heap *h = kunit_heap(test);
	unsigned int cls;

	for (cls = 1; cls < GH_NR_CLASSES; cls++) {
		const struct gh_class *k = &h->classes[cls];
		unsigned int base = GH_XFER_BATCHES * k->batch, max = h->central[cls].xfer_max;

		KUNIT_EXPECT_EQ(test, max % k->batch, 0U);
		KUNIT_EXPECT_GE(test, max, base);
		KUNIT_EXPECT_LE(test, max, GH_XFER_MAX_BATCHES * k->batch);
		if (max > base)
			KUNIT_EXPECT_LE(test, (u64)max * k->size, (u64)GH_XFER_MAX_BYTES);
	}
	/* 1 KiB objects: 1 MiB of them; 32 KiB ones: 32, not 64 batches of 2. */
	KUNIT_EXPECT_EQ(test, h->central[gh_size_to_class(h, 1024)].xfer_max, 1024U);
	KUNIT_EXPECT_EQ(test, h->central[gh_size_to_class(h, 32768)].xfer_max, 32U);
	gh_heap_destroy(h);
}

/* With no room and no way to grow, put_cached moves nothing. */
static void goheap_xfer_put_cached_all_or_nothing(struct kunit *test)
{
	struct gh_heap *h = kunit_heap(test);
	unsigned int cls = gh_size_to_class(h, 1024);
	const struct gh_class *k = &h->classes[cls];
	unsigned int base = GH_XFER_BATCHES * k->batch, n;
	struct gh_obj *objs, two[2];

	objs = kunit_kcalloc(test, base + 1, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (n = 0; n < base + 1; n += k->batch)
		KUNIT_ASSERT_NE(test, gh_central_refill(h, cls, objs + n,
							min(k->batch, base + 1 - n),
							GFP_KERNEL), 0U);
	KUNIT_EXPECT_TRUE(test, gh_central_put_cached(h, cls, objs, base - 1));
	KUNIT_EXPECT_FALSE(test, gh_central_put_cached(h, cls, objs + base - 1, 2));
	KUNIT_EXPECT_EQ(test, gh_central_cached(h, cls), base - 1);
	KUNIT_EXPECT_EQ(test, h->central[cls].xfer_cap, base);
	KUNIT_EXPECT_TRUE(test, gh_central_put_cached(h, cls, objs + base - 1, 1));
	KUNIT_EXPECT_EQ(test, gh_central_take_cached(h, cls, two, 2), 2U);
	KUNIT_EXPECT_PTR_EQ(test, two[1].p, objs[base - 1].p);
	KUNIT_EXPECT_EQ(test, gh_central_cached(h, cls), base - 2);
	gh_central_flush(h, cls, two, 2);
	KUNIT_EXPECT_EQ(test, gh_central_release(h, cls), base);
	gh_central_flush(h, cls, objs + base, 1);
	KUNIT_EXPECT_EQ(test, gh_central_release(h, cls), 1U);
	KUNIT_EXPECT_EQ(test, h->pages_inuse, 0UL);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, NULL), 0UL);
	gh_heap_destroy(h);
}

/*
 * Objects of two spans go back interleaved, then in runs, with one span
 * emptied in the middle of the flush: every span's count and lists stay
 * right, and empty spans go back to the page heap.
 */
static void goheap_flush_spans_any_order(struct kunit *test)
{
	struct gh_heap *h = kunit_heap(test);
	unsigned int cls = gh_size_to_class(h, 1024);
	const struct gh_class *k = &h->classes[cls];
	struct gh_central *c = &h->central[cls];
	unsigned int per = k->nelems, i, j;
	struct gh_obj *a, *objs;
	unsigned long freed0;

	KUNIT_ASSERT_GE(test, per, 4U);
	a = kunit_kcalloc(test, 3 * per, sizeof(*a), GFP_KERNEL);
	objs = kunit_kcalloc(test, 3 * per, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	/* Three whole spans, X, Y and Z, taken in that order. */
	KUNIT_ASSERT_EQ(test, gh_central_refill(h, cls, a, 3 * per, GFP_KERNEL), 3 * per);
	KUNIT_ASSERT_EQ(test, c->nr_full, 3UL);
	freed0 = c->nr_spans_freed;

	/* X and Y interleaved, all of X but one of Y: X empties mid-flush. */
	for (i = 0, j = 0; i < per - 1; i++) {
		objs[j++] = a[i];
		objs[j++] = a[per + i];
	}
	/* The last pair, X[per - 2] Y[per - 2], gets X[per - 1] in between. */
	objs[j] = objs[j - 1];
	objs[j - 1] = a[per - 1];
	j++;
	KUNIT_ASSERT_TRUE(test, gh_central_put_cached(h, cls, objs, j));
	gh_central_release(h, cls);
	KUNIT_EXPECT_EQ(test, c->nr_spans_freed, freed0 + 1);
	KUNIT_EXPECT_EQ(test, c->nr_partial, 1UL);
	KUNIT_EXPECT_EQ(test, c->nr_full, 1UL);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, NULL), 0UL);

	/* Z in one run, and the last of Y after it. */
	for (i = 0; i < per; i++)
		objs[i] = a[2 * per + i];
	objs[per] = a[2 * per - 1];
	KUNIT_ASSERT_TRUE(test, gh_central_put_cached(h, cls, objs, per + 1));
	gh_central_release(h, cls);
	KUNIT_EXPECT_EQ(test, c->nr_spans_freed, freed0 + 3);
	KUNIT_EXPECT_EQ(test, c->nr_partial + c->nr_full, 0UL);
	KUNIT_EXPECT_EQ(test, h->pages_inuse, 0UL);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, NULL), 0UL);
	gh_heap_destroy(h);
}

/* A span hands out its free objects lowest first, across bitmap words. */
static void goheap_span_take_lowest_first(struct kunit *test)
{
	struct gh_heap *h = kunit_heap(test);
	unsigned int cls = gh_size_to_class(h, 64);
	const struct gh_class *k = &h->classes[cls];
	static const unsigned int back[] = { 3, 63, 64, 100 };
	struct gh_obj *objs;
	struct gh_span *s;
	unsigned int n, i;

	KUNIT_ASSERT_GE(test, k->nelems, 2 * BITS_PER_LONG);
	objs = kunit_kcalloc(test, k->nelems, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	s = gh_span_alloc(h, k->npages, k->align, GH_SPAN_SMALL, cls, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);

	/* Pieces that end inside a word, on its last bit and past it. */
	n = gh_span_take(s, objs, 5);
	n += gh_span_take(s, objs + n, BITS_PER_LONG - 5);
	n += gh_span_take(s, objs + n, 70);
	n += gh_span_take(s, objs + n, k->nelems);
	KUNIT_EXPECT_EQ(test, n, k->nelems);
	KUNIT_EXPECT_EQ(test, s->allocated, k->nelems);
	KUNIT_EXPECT_EQ(test, s->freeindex, k->nelems);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_PTR_EQ(test, objs[i].p, (void *)(s->base + i * k->size));
	KUNIT_EXPECT_EQ(test, gh_span_take(s, objs, 1), 0U);

	for (i = ARRAY_SIZE(back); i-- > 0;)
		gh_span_put(s, (void *)(s->base + back[i] * k->size));
	KUNIT_EXPECT_EQ(test, s->freeindex, back[0]);
	KUNIT_EXPECT_EQ(test, gh_span_take(s, objs, 3), 3U);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_PTR_EQ(test, objs[i].p, (void *)(s->base + back[i] * k->size));
	KUNIT_EXPECT_EQ(test, s->freeindex, back[2] + 1);
	KUNIT_EXPECT_EQ(test, gh_span_take(s, objs, 5), 1U);
	KUNIT_EXPECT_PTR_EQ(test, objs[0].p, (void *)(s->base + back[3] * k->size));
	KUNIT_EXPECT_EQ(test, s->freeindex, k->nelems);
	KUNIT_EXPECT_EQ(test, s->allocated, k->nelems);

	for (i = 0; i < k->nelems; i++)
		gh_span_put(s, (void *)(s->base + i * k->size));
	KUNIT_EXPECT_EQ(test, s->allocated, 0U);
	gh_span_free(h, s);
	gh_heap_destroy(h);
}

static struct kunit_case goheap_central_cases[] = {
	KUNIT_CASE(goheap_xfer_grows_and_shrinks),
	KUNIT_CASE(goheap_xfer_limits),
	KUNIT_CASE(goheap_xfer_put_cached_all_or_nothing),
	KUNIT_CASE(goheap_flush_spans_any_order),
	KUNIT_CASE(goheap_span_take_lowest_first),
	{}
};

static struct kunit_suite goheap_central_suite = {
	.name = "goheap_central",
	.test_cases = goheap_central_cases,
};

kunit_test_suite(goheap_central_suite);
MODULE_DESCRIPTION("goheap KUnit suite goheap_central");
MODULE_LICENSE("GPL");
