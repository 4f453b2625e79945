// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_heaps: private heaps through the exported API.
 *
 * A heap of one's own has its own figures; bad names and parameters are
 * refused and create nothing; a heap with live objects is not destroyed
 * and stays usable; a free into the wrong heap (or into the default heap)
 * is counted there and leaves the object live in its own heap.
 */
#include <kunit/test.h>
#include <linux/goheap.h>
#include <linux/string.h>

#include "compat.h"
#include "internal.h"
#include "kunit_heap.h"
#include "stats.h"

MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));

static u64 ms_of(struct goheap_heap *heap, enum gh_ms i)
{
	u64 ms[GH_MS_NR];

	gh_read_memstats(gh_heap_of(heap), ms);
	return ms[i];
}

static struct goheap_heap *create(struct kunit *test, const char *name,
				  const struct goheap_heap_params *params)
{
	struct goheap_heap *heap = goheap_heap_create(name, params);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, heap);
	return heap;
}

/* Bad names: -EINVAL or -EEXIST, and nothing is created. */
static void goheap_heap_names(struct kunit *test)
{
	static const char *const bad[] = {
		"", "Upper", "with space", "a/b", "dot.", "32-characters-is-one-too-many-xx",
	};
	struct goheap_heap *a, *again;
	unsigned int i;

	KUNIT_EXPECT_PTR_EQ(test, goheap_heap_create(NULL, NULL), ERR_PTR(-EINVAL));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, goheap_heap_create(bad[i], NULL), ERR_PTR(-EINVAL),
					"name \"%s\"", bad[i]);
	a = create(test, "kunit-heap_0", NULL);
	KUNIT_EXPECT_PTR_EQ(test, goheap_heap_create("kunit-heap_0", NULL), ERR_PTR(-EEXIST));
	/* 31 characters is the most. */
	again = create(test, "abcdefghijklmnopqrstuvwxyz01234", NULL);
	KUNIT_EXPECT_EQ(test, goheap_heap_destroy(again), 0);
	KUNIT_EXPECT_EQ(test, goheap_heap_destroy(a), 0);
	/* The name is free again once its heap is gone. */
	a = create(test, "kunit-heap_0", NULL);
	KUNIT_EXPECT_EQ(test, goheap_heap_destroy(a), 0);
	KUNIT_EXPECT_EQ(test, goheap_heap_destroy(NULL), 0);
}

/* Bad parameters: -EINVAL. */
static void goheap_heap_params(struct kunit *test)
{
	struct goheap_heap_params p = { .page_size = 12288 };
	struct goheap_heap *heap;

	KUNIT_EXPECT_PTR_EQ(test, goheap_heap_create("kunit-p", &p), ERR_PTR(-EINVAL));
	p.page_size = 2048;
	KUNIT_EXPECT_PTR_EQ(test, goheap_heap_create("kunit-p", &p), ERR_PTR(-EINVAL));
	p.page_size = 0;
	p.debug = 0x8;
	KUNIT_EXPECT_PTR_EQ(test, goheap_heap_create("kunit-p", &p), ERR_PTR(-EINVAL));
	p.debug = GOHEAP_DEBUG_ALL;
	p.page_size = PAGE_SIZE;
	heap = create(test, "kunit-p", &p);
	KUNIT_EXPECT_EQ(test, gh_heap_of(heap)->page_shift, (unsigned int)PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, gh_heap_of(heap)->debug, (unsigned int)GH_DEBUG_ALL);
	KUNIT_EXPECT_EQ(test, goheap_heap_destroy(heap), 0);
}

/* Each heap counts only its own; a limit holds per heap. */
static void goheap_heap_own_figures(struct kunit *test)
{
	struct goheap_heap_params lim = { .limit_bytes = SZ_1M };
	struct goheap_heap *a = create(test, "kunit-a", NULL);
	struct goheap_heap *b = create(test, "kunit-b", &lim);
	void *p[10], *big;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = goheap_heap_alloc(a, 100 + i, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_GE(test, goheap_heap_usable_size(a, p[i]), 100UL + i);
	}
	KUNIT_EXPECT_EQ(test, ms_of(a, GH_MS_HEAP_OBJECTS), 10ULL);
	KUNIT_EXPECT_EQ(test, ms_of(a, GH_MS_MALLOCS), 10ULL);
	KUNIT_EXPECT_EQ(test, ms_of(b, GH_MS_MALLOCS), 0ULL);
	KUNIT_EXPECT_EQ(test, ms_of(b, GH_MS_HEAP_SYS), 0ULL);
	/* b may hold 1 MiB of pages: a 2 MiB object cannot come from it. */
	KUNIT_EXPECT_NULL(test, goheap_heap_alloc(b, SZ_2M, GFP_KERNEL | __GFP_NOWARN));
	big = goheap_heap_alloc(a, SZ_2M, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, big);
	goheap_heap_free(a, big);
	p[0] = goheap_heap_realloc(a, p[0], 5000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p[0]);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		goheap_heap_free(a, p[i]);
	KUNIT_EXPECT_EQ(test, ms_of(a, GH_MS_HEAP_OBJECTS), 0ULL);
	KUNIT_EXPECT_EQ(test, goheap_heap_destroy(b), 0);
	KUNIT_EXPECT_EQ(test, goheap_heap_destroy(a), 0);
}

/* Live objects: not destroyed, still usable; destroyed once they are freed. */
static void goheap_heap_destroy_busy(struct kunit *test)
{
	struct goheap_heap *heap = create(test, "kunit-busy", NULL);
	void *small = goheap_heap_alloc(heap, 64, GFP_KERNEL);
	void *large = goheap_heap_alloc(heap, 100000, GFP_KERNEL);
	void *more;

	KUNIT_ASSERT_TRUE(test, small && large);
	KUNIT_EXPECT_EQ(test, goheap_heap_destroy(heap), -EBUSY);
	KUNIT_EXPECT_EQ(test, goheap_heap_usable_size(heap, small), 64UL);
	more = goheap_heap_alloc(heap, 64, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, more);
	goheap_heap_free(heap, more);
	goheap_heap_free(heap, small);
	KUNIT_EXPECT_EQ(test, goheap_heap_destroy(heap), -EBUSY);
	goheap_heap_free(heap, large);
	KUNIT_EXPECT_EQ(test, goheap_heap_destroy(heap), 0);
}

/* A free into the wrong heap is counted there; the object stays live. */
static void goheap_heap_wrong_heap_free(struct kunit *test)
{
	struct goheap_heap *a = create(test, "kunit-owner", NULL);
	struct goheap_heap *b = create(test, "kunit-other", NULL);
	void *p = goheap_heap_alloc(a, 200, GFP_KERNEL);
	void *d = goheap_alloc(200, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, p && d);
	goheap_heap_free(b, p);
	KUNIT_EXPECT_EQ(test, kunit_misuse(gh_heap_of(b), GH_MISUSE_INVALID), 1L);
	KUNIT_EXPECT_EQ(test, kunit_misuse(gh_heap_of(a), GH_MISUSE_INVALID), 0L);
	KUNIT_EXPECT_EQ(test, goheap_heap_usable_size(a, p), 208UL);
	/* An object of the default heap freed into a private one, and back. */
	goheap_heap_free(b, d);
	KUNIT_EXPECT_EQ(test, kunit_misuse(gh_heap_of(b), GH_MISUSE_INVALID), 2L);
	KUNIT_EXPECT_EQ(test, goheap_usable_size(d), 208UL);
	KUNIT_EXPECT_EQ(test, goheap_usable_size(p), 0UL);	/* not the default's */
	goheap_free(d);
	goheap_heap_free(a, p);
	KUNIT_EXPECT_EQ(test, ms_of(a, GH_MS_HEAP_OBJECTS), 0ULL);
	KUNIT_EXPECT_EQ(test, goheap_heap_destroy(b), 0);
	KUNIT_EXPECT_EQ(test, goheap_heap_destroy(a), 0);
}

static struct kunit_case heaps_cases[] = {
	KUNIT_CASE(goheap_heap_names),
	KUNIT_CASE(goheap_heap_params),
	KUNIT_CASE(goheap_heap_own_figures),
	KUNIT_CASE(goheap_heap_destroy_busy),
	KUNIT_CASE(goheap_heap_wrong_heap_free),
	{}
};

static struct kunit_suite heaps_suite = {
	.name = "goheap_heaps",
	.test_cases = heaps_cases,
};

kunit_test_suite(heaps_suite);

MODULE_DESCRIPTION("goheap KUnit suite: private heaps");
MODULE_LICENSE("GPL");
