// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_debug: debug mode and the "validate" walk.
 *
 * Each corruption a user can cause (a write after free, a write past the
 * end, a double free) is provoked on a private debug heap and must be
 * found exactly once, counted in the heap's figures, and leave the heap
 * working. The deliberate bad writes are made with KASAN's reports held
 * off, as goheap's own checks are: on the debug kernel KASAN would
 * otherwise report them first (that is goheap_kasan's business).
 *
 * validate must pass on a busy heap and find metadata that was broken on
 * purpose.
 */
#include <kunit/test.h>
#include <linux/kasan.h>
#include <linux/poison.h>
#include <linux/prandom.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "compat.h"
#include "internal.h"
#include "kunit_heap.h"
#include "stats.h"

MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));

static struct gh_heap *debug_heap(struct kunit *test, unsigned int debug)
{
	struct gh_heap_params params = { .page_shift = KUNIT_GH_SHIFT, .debug = debug,
					 .name = "kunit" };
	struct gh_heap *h = gh_heap_create(&params);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	return h;
}

static long errors(struct gh_heap *h, enum gh_debug_error kind)
{
	return atomic_long_read(&h->dbg_errors[kind]);
}

/* A bad write, with KASAN's report held off. */
static void scribble(void *p, u8 c)
{
	kasan_disable_current();
	WRITE_ONCE(*(u8 *)p, c);
	kasan_enable_current();
}

static void goheap_debug_options(struct kunit *test)
{
	struct gh_heap_params params = { .page_shift = KUNIT_GH_SHIFT, .debug = BIT(7),
					 .name = "kunit" };
	unsigned int f = 99;

	KUNIT_EXPECT_EQ(test, gh_debug_parse(NULL, &f), 0);
	KUNIT_EXPECT_EQ(test, f, 0U);
	KUNIT_EXPECT_EQ(test, gh_debug_parse("", &f), 0);
	KUNIT_EXPECT_EQ(test, f, 0U);
	KUNIT_EXPECT_EQ(test, gh_debug_parse("Pz", &f), 0);
	KUNIT_EXPECT_EQ(test, f, (unsigned int)(GH_DEBUG_POISON | GH_DEBUG_REDZONE));
	KUNIT_EXPECT_EQ(test, gh_debug_parse("all", &f), 0);
	KUNIT_EXPECT_EQ(test, f, (unsigned int)GH_DEBUG_ALL);
	f = 5;
	KUNIT_EXPECT_EQ(test, gh_debug_parse("PX", &f), -EINVAL);
	KUNIT_EXPECT_EQ(test, gh_debug_parse("1", &f), -EINVAL);
	KUNIT_EXPECT_EQ(test, f, 5U);
	KUNIT_EXPECT_EQ(test, PTR_ERR(gh_heap_create(&params)), -EINVAL);
}

/* A write after free is found when the object is handed out again. */
static void goheap_debug_poison(struct kunit *test)
{
	struct gh_heap *h = debug_heap(test, GH_DEBUG_POISON | GH_DEBUG_TRACK);
	const char *out;
	u8 *p, *q;

	migrate_disable();	/* the freed object stays on top of this CPU's cache */
	p = gh_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x11, 64);
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, &out), 0UL);
	scribble(p + 10, 0x42);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, &out), 1UL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(out, "poison overwritten"));
	KUNIT_EXPECT_EQ(test, errors(h, GH_DBG_POISON), 0L);

	q = gh_alloc(h, 64, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_EQ(test, errors(h, GH_DBG_POISON), 1L);
	gh_free(h, q);
	q = gh_alloc(h, 64, GFP_KERNEL);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, errors(h, GH_DBG_POISON), 1L);
	gh_free(h, q);
	KUNIT_EXPECT_EQ(test, errors(h, GH_DBG_REDZONE), 0L);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, &out), 0UL);
	gh_heap_destroy(h);
}

/* A write past the end is found when the object is freed. */
static void goheap_debug_redzone(struct kunit *test)
{
	struct gh_heap *h = debug_heap(test, GH_DEBUG_REDZONE);
	const char *out;
	u8 *p;

	p = gh_alloc(h, 50, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, p), (size_t)50);
	memset(p, 0x22, 50);
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, errors(h, GH_DBG_REDZONE), 0L);

	p = gh_alloc(h, 50, GFP_KERNEL);
	scribble(p + 50, 0);
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, errors(h, GH_DBG_REDZONE), 1L);

	/* Powers of two keep their alignment. */
	p = gh_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p, 64));
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, p), (size_t)64);
	scribble(p + 64, 0);
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, errors(h, GH_DBG_REDZONE), 2L);

	/* Large objects: the tail of their last page. */
	p = gh_alloc(h, 40000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	scribble(p + 40003, 0);
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, errors(h, GH_DBG_REDZONE), 3L);
	p = gh_alloc(h, 65536, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p, 65536));
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, p), (size_t)65536);
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, errors(h, GH_DBG_REDZONE), 3L);

	/* validate sees a live object's broken red zone, and its repair. */
	p = gh_alloc(h, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	scribble(p + 101, 0);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, &out), 1UL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(out, "red zone overwritten"));
	scribble(p + 101, SLUB_RED_ACTIVE);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, &out), 0UL);
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, errors(h, GH_DBG_REDZONE), 3L);
	KUNIT_EXPECT_EQ(test, errors(h, GH_DBG_POISON), 0L);
	gh_heap_destroy(h);
}

/* Bad frees are counted as without debug mode; the call sites are kept. */
static void goheap_debug_call_sites(struct kunit *test)
{
	struct gh_heap *h = debug_heap(test, GH_DEBUG_TRACK);
	struct gh_span *s;
	unsigned int idx;
	bool interior;
	u8 *p;

	p = gh_alloc(h, 200, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	s = gh_span_lookup(h, p);
	idx = gh_span_obj_index(s, p, &interior);
	KUNIT_ASSERT_NOT_NULL(test, s->track);
	KUNIT_EXPECT_NE(test, s->track[idx].alloc, 0U);
	KUNIT_EXPECT_EQ(test, s->track[idx].free, 0U);
	KUNIT_EXPECT_EQ(test, s->track[idx].size, 200U);
	gh_free(h, p + 8);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->misuse[GH_MISUSE_INTERIOR]), 1L);
	gh_free(h, p);
	KUNIT_EXPECT_NE(test, s->track[idx].free, 0U);
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->misuse[GH_MISUSE_DOUBLE]), 1L);
	KUNIT_EXPECT_EQ(test, errors(h, GH_DBG_POISON) + errors(h, GH_DBG_REDZONE), 0L);
	gh_heap_destroy(h);
}

/* A mixed workload on a debug heap: correct objects, validate clean. */
static void goheap_debug_workload(struct kunit *test)
{
	struct gh_heap *h = debug_heap(test, GH_DEBUG_ALL);
	struct rnd_state rnd;
	enum { N = 400 };
	void **objs = kunit_kcalloc(test, N, sizeof(void *), GFP_KERNEL);
	u64 *ms = kunit_kcalloc(test, GH_MS_NR, sizeof(*ms), GFP_KERNEL);
	void *bulk[20];
	const char *out;
	unsigned int i;
	size_t size;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_ASSERT_NOT_NULL(test, ms);
	prandom_seed_state(&rnd, 42);
	for (i = 0; i < N; i++) {
		size = prandom_u32_state(&rnd) % (i % 50 ? 3000 : 70000);
		size += i % 50 ? 1 : 33000;
		objs[i] = i % 7 ? gh_alloc(h, size, GFP_KERNEL) : gh_tiny_alloc(h, 1 + i % 15,
										 GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		memset(objs[i], i, gh_usable_size(h, objs[i]));
	}
	KUNIT_ASSERT_EQ(test, gh_alloc_bulk(h, 96, GFP_KERNEL, ARRAY_SIZE(bulk), bulk),
			(int)ARRAY_SIZE(bulk));
	for (i = 0; i < N; i += 2)
		gh_free(h, objs[i]);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, &out), 0UL);
	if (!strstr(out, " 0 errors"))
		kunit_info(test, "%s", out);
	for (i = 1; i < N; i += 2)
		gh_free(h, objs[i]);
	gh_free_bulk(h, ARRAY_SIZE(bulk), bulk);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, &out), 0UL);
	gh_read_memstats(h, ms);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_OBJECTS], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_POISON_ERRORS] + ms[GH_MS_REDZONE_ERRORS], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_INVALID_FREES] + ms[GH_MS_DOUBLE_FREES], 0ULL);
	gh_heap_destroy(h);
}

/* validate finds metadata broken on purpose, and passes once it is mended. */
static void goheap_validate_finds_corruption(struct kunit *test)
{
	struct gh_heap *h = debug_heap(test, 0);
	struct gh_central *c;
	unsigned long flags;
	const char *out;
	struct gh_span *s;
	unsigned int idx;
	bool interior;
	u8 *p, st;

	p = gh_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	s = gh_span_lookup(h, p);
	idx = gh_span_obj_index(s, p, &interior);
	c = &h->central[s->cls];
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, &out), 0UL);

	spin_lock_irqsave(&c->lock, flags);
	s->allocated--;
	spin_unlock_irqrestore(&c->lock, flags);
	KUNIT_EXPECT_GE(test, kunit_validate(test, h, &out), 1UL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(out, "objects out, bitmap"));
	kunit_info(test, "validate with a span's count broken:\n%s", out);
	spin_lock_irqsave(&c->lock, flags);
	s->allocated++;
	spin_unlock_irqrestore(&c->lock, flags);

	st = READ_ONCE(s->objstate[idx]);
	WRITE_ONCE(s->objstate[idx], GH_OBJ_FREE);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, &out), 1UL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(out, "but bit set"));
	WRITE_ONCE(s->objstate[idx], st);

	spin_lock_irqsave(&h->lock, flags);
	s->chunk->nfree--;
	spin_unlock_irqrestore(&h->lock, flags);
	KUNIT_EXPECT_GE(test, kunit_validate(test, h, &out), 1UL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(out, "free by its bitmap"));
	spin_lock_irqsave(&h->lock, flags);
	s->chunk->nfree++;
	spin_unlock_irqrestore(&h->lock, flags);

	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, &out), 0UL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(out, "1 live"));
	gh_free(h, p);
	gh_heap_destroy(h);
}

static struct kunit_case goheap_debug_cases[] = {
	KUNIT_CASE(goheap_debug_options),
	KUNIT_CASE(goheap_debug_poison),
	KUNIT_CASE(goheap_debug_redzone),
	KUNIT_CASE(goheap_debug_call_sites),
	KUNIT_CASE(goheap_debug_workload),
	KUNIT_CASE(goheap_validate_finds_corruption),
	{}
};

static struct kunit_suite goheap_debug_suite = {
	.name = "goheap_debug",
	.test_cases = goheap_debug_cases,
};

kunit_test_suites(&goheap_debug_suite);
MODULE_DESCRIPTION("goheap KUnit suite goheap_debug");
MODULE_LICENSE("GPL");
