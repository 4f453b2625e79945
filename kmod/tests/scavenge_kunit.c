// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_scavenge: giving memory back, and the memory limit.
 *
 * Whole free chunks go back; idle time is respected; free runs inside a
 * chunk in use become released holes that are never handed out again and
 * leave with the chunk, and holes the buddy allocator hands back inside a
 * newer chunk stay that chunk's; the limit caps what the heap holds, makes
 * growth fail cleanly, and gives back free chunks before failing.
 */
#include <kunit/test.h>
#include <linux/debug_locks.h>
#include <linux/sched/mm.h>

#include "compat.h"
#include "internal.h"
#include "kunit_heap.h"
#include "stats.h"

MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));

static struct gh_heap *heap_with(struct kunit *test, unsigned int chunk_order,
				 unsigned long limit)
{
	struct gh_heap_params params = {
		.page_shift = KUNIT_GH_SHIFT,
		.chunk_order = chunk_order,
		.limit_bytes = limit,
		.name = "kunit",
	};
	struct gh_heap *h = gh_heap_create(&params);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	return h;
}

static struct gh_span *raw(struct gh_heap *h, unsigned int npages)
{
	return gh_span_alloc(h, npages, 1, GH_SPAN_RAW, 0, GFP_KERNEL | __GFP_NOWARN);
}

static void goheap_release_whole_chunk(struct kunit *test)
{
	struct gh_heap *h = heap_with(test, 0, 0);
	struct gh_span *s = raw(h, 3);
	u64 ms[GH_MS_NR];

	KUNIT_ASSERT_NOT_NULL(test, s);
	gh_span_free(h, s);
	KUNIT_EXPECT_EQ(test, h->nr_chunks, 1UL);
	KUNIT_EXPECT_EQ(test, gh_pageheap_release(h, 0, 1, ULONG_MAX),
			1UL << GH_DEFAULT_CHUNK_ORDER);
	KUNIT_EXPECT_EQ(test, h->nr_chunks, 0UL);
	KUNIT_EXPECT_EQ(test, h->pages_total, 0UL);
	gh_read_memstats(h, ms);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_RELEASES], 1ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_RELEASED_BYTES], (u64)PAGE_SIZE << GH_DEFAULT_CHUNK_ORDER);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_SYS], 0ULL);
	/* The heap grows again as needed. */
	s = raw(h, 3);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, h->grows, 2UL);
	gh_span_free(h, s);
	gh_heap_destroy(h);
}

static void goheap_release_respects_idle(struct kunit *test)
{
	struct gh_heap *h = heap_with(test, 0, 0);
	struct gh_span *s = raw(h, 1);

	KUNIT_ASSERT_NOT_NULL(test, s);
	gh_span_free(h, s);
	KUNIT_EXPECT_EQ(test, gh_pageheap_release(h, 60 * HZ, 1, ULONG_MAX), 0UL);
	KUNIT_EXPECT_EQ(test, h->nr_chunks, 1UL);
	gh_heap_destroy(h);
}

/* Free runs of a chunk in use become holes, and go with the chunk. */
static void goheap_release_runs_make_holes(struct kunit *test)
{
	struct gh_heap *h = heap_with(test, 0, 0);
	struct gh_span *live = raw(h, 1), *big, *other;
	struct gh_chunk *ch;
	u64 ms[GH_MS_NR];

	KUNIT_ASSERT_NOT_NULL(test, live);
	ch = live->chunk;
	/* Runs shorter than min_run stay. */
	KUNIT_EXPECT_EQ(test, gh_pageheap_release(h, 0, ch->npages, ULONG_MAX), 0UL);
	KUNIT_EXPECT_EQ(test, gh_pageheap_release(h, 0, 8, ULONG_MAX),
			(unsigned long)(ch->npages - 1) * h->hw_per_page);
	KUNIT_EXPECT_EQ(test, (unsigned int)ch->nreleased, ch->npages - 1U);
	KUNIT_EXPECT_EQ(test, h->pages_released, ch->npages - 1UL);
	gh_read_memstats(h, ms);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_RELEASED], (u64)(ch->npages - 1) * gh_page_bytes(h));
	KUNIT_EXPECT_GE(test, ms[GH_MS_HEAP_IDLE], ms[GH_MS_HEAP_RELEASED]);
	KUNIT_EXPECT_PTR_EQ(test, gh_span_lookup(h, (void *)live->base), live);

	/* Holes are never handed out: the next span needs a new chunk. */
	other = raw(h, 1);
	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_EXPECT_PTR_NE(test, other->chunk, ch);
	big = raw(h, 8);
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_EXPECT_PTR_NE(test, big->chunk, ch);

	/* With its last span gone, the chunk goes back whole. */
	gh_span_free(h, live);
	KUNIT_EXPECT_EQ(test, gh_pageheap_release(h, 0, GH_MAX_CHUNK_PAGES, ULONG_MAX),
			1UL * h->hw_per_page);
	KUNIT_EXPECT_EQ(test, h->pages_released, 0UL);
	KUNIT_EXPECT_EQ(test, h->nr_chunks, 1UL);
	gh_span_free(h, other);
	gh_span_free(h, big);
	gh_heap_destroy(h);
}

/* Never more than the limit; failure is a clean NULL; free makes room. */
static void goheap_limit_enforced(struct kunit *test)
{
	unsigned long limit = 8UL << 20;
	struct gh_heap *h = heap_with(test, 0, limit);
	void *objs[16];
	unsigned int n = 0, i;
	u64 ms[GH_MS_NR];

	for (n = 0; n < ARRAY_SIZE(objs); n++) {
		objs[n] = gh_alloc(h, 1 << 20, GFP_KERNEL | __GFP_NOWARN);
		if (!objs[n])
			break;
	}
	KUNIT_EXPECT_EQ(test, n, 8U);
	gh_read_memstats(h, ms);
	KUNIT_EXPECT_LE(test, ms[GH_MS_HEAP_SYS], (u64)limit);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_LIMIT], (u64)limit);
	KUNIT_EXPECT_NULL(test, gh_alloc(h, 64, GFP_KERNEL | __GFP_NOWARN));
	KUNIT_EXPECT_EQ(test, h->pages_pending, 0UL);
	for (i = 0; i < n; i++)
		gh_free(h, objs[i]);
	objs[0] = gh_alloc(h, 64, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, objs[0]);
	gh_free(h, objs[0]);
	gh_heap_destroy(h);
}

/* At the limit, free chunks go back so a bigger one can be taken. */
static void goheap_limit_scavenges_first(struct kunit *test)
{
	struct gh_heap *h = heap_with(test, GH_MIN_CHUNK_ORDER, 1UL << 20);
	struct gh_span *s[8], *big;
	unsigned int per_chunk = BIT(GH_MIN_CHUNK_SHIFT) >> h->page_shift, i;

	for (i = 0; i < ARRAY_SIZE(s); i++) {
		s[i] = raw(h, per_chunk);
		KUNIT_ASSERT_NOT_NULL(test, s[i]);
	}
	KUNIT_EXPECT_EQ(test, h->nr_chunks, 8UL);
	KUNIT_EXPECT_NULL(test, raw(h, 1));
	for (i = 0; i < ARRAY_SIZE(s); i++)
		gh_span_free(h, s[i]);
	/* 512 KiB needs a chunk of its size: only after free chunks go back. */
	big = raw(h, SZ_512K >> h->page_shift);
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_EXPECT_GE(test, h->releases, 4UL);
	KUNIT_EXPECT_LE(test, (h->pages_total - h->pages_released) << h->page_shift, SZ_1M);
	gh_span_free(h, big);
	gh_heap_destroy(h);
}

/* gh_reclaim drains every cache and gives back every page. */
static void goheap_reclaim_everything(struct kunit *test)
{
	struct gh_heap *h = heap_with(test, 0, 0);
	unsigned int n = 2000, i;
	void **p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	u64 ms[GH_MS_NR];

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < n; i++) {
		p[i] = i % 4 ? gh_alloc(h, 16 + i * 13 % 3000, GFP_KERNEL) :
			       gh_tiny_alloc(h, 1 + i % 15, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	for (i = 0; i < n; i++)
		gh_free(h, p[i]);
	KUNIT_EXPECT_GT(test, gh_reclaim(h, 0), 0UL);
	gh_read_memstats(h, ms);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_SYS], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_CHUNKS], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_OBJECTS], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_MSPAN_INUSE], 0ULL);
	gh_heap_destroy(h);
}

/*
 * The shrinker drains from reclaim: direct reclaim and kswapd run it inside
 * fs_reclaim, as here. Draining there must not close a lock cycle with
 * anything that allocates memory under a lock the drain takes: CPU
 * bring-up allocates under the CPU hotplug lock, so the drain must not take
 * it. On a lockdep kernel a cycle is reported (and lockdep turned off) the
 * first time; the test then fails here as well as in the kernel log.
 */
static void goheap_reclaim_in_reclaim_context(struct kunit *test)
{
	struct gh_heap *h = heap_with(test, 0, 0);
	bool checking = debug_locks;
	unsigned int flags, i;
	void *p[64];

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = gh_alloc(h, 64 + i * 40, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	for (i = 0; i < ARRAY_SIZE(p); i++)
		gh_free(h, p[i]);
	fs_reclaim_acquire(GFP_KERNEL);
	flags = memalloc_noreclaim_save();
	KUNIT_EXPECT_GT(test, gh_reclaim(h, 0), 0UL);
	memalloc_noreclaim_restore(flags);
	fs_reclaim_release(GFP_KERNEL);
	if (IS_ENABLED(CONFIG_PROVE_LOCKING) && checking)
		KUNIT_EXPECT_TRUE_MSG(test, debug_locks, "lockdep reported a problem");
	gh_heap_destroy(h);
}

/*
 * Released holes are the buddy allocator's again, and it may hand them back
 * to the heap inside a newer chunk. That chunk owns their granules of the
 * pointer map; when the older chunk goes back whole, the newer chunk's
 * spans must still be found. The newer chunk is staged here: a descriptor
 * over the holes, every page of it in use, that owns no page.
 */
static void goheap_release_holes_come_back(struct kunit *test)
{
	struct gh_heap *h = heap_with(test, 0, 0);
	struct gh_span *lo, *hi, *s = raw(h, 1);
	unsigned int half, i, n;
	unsigned long flags, idx, hi_base;
	struct gh_chunk *ch, *b;

	KUNIT_ASSERT_NOT_NULL(test, s);
	ch = s->chunk;
	gh_span_free(h, s);
	if (ch->order <= GH_MIN_CHUNK_ORDER) {
		gh_heap_destroy(h);
		kunit_skip(test, "memory too fragmented for a chunk of two granules");
	}
	half = ch->npages / 2;
	lo = raw(h, half);
	hi = raw(h, half);
	KUNIT_ASSERT_NOT_NULL(test, lo);
	KUNIT_ASSERT_NOT_NULL(test, hi);
	KUNIT_ASSERT_PTR_EQ(test, lo->chunk, ch);
	KUNIT_ASSERT_PTR_EQ(test, hi->chunk, ch);
	KUNIT_ASSERT_EQ(test, (unsigned int)lo->first, 0U);
	gh_span_free(h, lo);
	KUNIT_ASSERT_EQ(test, gh_pageheap_release(h, 0, 1, ULONG_MAX),
			(unsigned long)half * h->hw_per_page);

	b = kzalloc(struct_size(b, spans, half), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	b->base = ch->base;
	b->order = ch->order - 1;
	b->npages = half;
	bitmap_fill(b->inuse, half);
	spin_lock_irqsave(&h->lock, flags);
	h->pages_pending += 1UL << b->order;
	KUNIT_EXPECT_TRUE(test, gh_chunk_insert(h, b));
	spin_unlock_irqrestore(&h->lock, flags);

	idx = gh_map_index(b->base);
	n = gh_chunk_granules(b);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_PTR_EQ(test, h->map[idx + i], b);
	hi_base = hi->base;
	KUNIT_EXPECT_PTR_EQ(test, h->map[gh_map_index(hi_base)], ch);
	KUNIT_EXPECT_PTR_EQ(test, gh_span_lookup(h, (void *)hi_base), hi);

	/* The older chunk goes back whole; the newer one keeps its granules. */
	gh_span_free(h, hi);
	KUNIT_EXPECT_EQ(test, gh_pageheap_release(h, 0, 1, ULONG_MAX),
			(unsigned long)half * h->hw_per_page);
	KUNIT_EXPECT_EQ(test, h->nr_chunks, 1UL);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_PTR_EQ(test, h->map[idx + i], b);
	KUNIT_EXPECT_NULL(test, h->map[gh_map_index(hi_base)]);

	spin_lock_irqsave(&h->lock, flags);
	gh_chunk_remove(h, b);
	spin_unlock_irqrestore(&h->lock, flags);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_NULL(test, h->map[idx + i]);
	KUNIT_EXPECT_EQ(test, h->nr_chunks, 0UL);
	KUNIT_EXPECT_EQ(test, h->pages_total, 0UL);
	kfree(b);
	gh_heap_destroy(h);
}

static struct kunit_case goheap_scavenge_cases[] = {
	KUNIT_CASE(goheap_release_whole_chunk),
	KUNIT_CASE(goheap_release_respects_idle),
	KUNIT_CASE(goheap_release_runs_make_holes),
	KUNIT_CASE(goheap_release_holes_come_back),
	KUNIT_CASE(goheap_limit_enforced),
	KUNIT_CASE(goheap_limit_scavenges_first),
	KUNIT_CASE(goheap_reclaim_everything),
	KUNIT_CASE(goheap_reclaim_in_reclaim_context),
	{}
};

static struct kunit_suite goheap_scavenge_suite = {
	.name = "goheap_scavenge",
	.test_cases = goheap_scavenge_cases,
};

kunit_test_suite(goheap_scavenge_suite);

MODULE_DESCRIPTION("goheap KUnit suite goheap_scavenge");
MODULE_LICENSE("GPL");
