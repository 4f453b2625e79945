// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_fault: every allocation goheap makes can fail, and failing it
 * leaves nothing behind.
 *
 * goheap allocates only through kmalloc (span and chunk metadata, the
 * summary tree) and alloc_pages (chunks), so the kernel's failslab and
 * fail_page_alloc injection points cover all of it. Setting the task's
 * fail_nth to N fails exactly the N-th such call (what /proc/self/fail-nth
 * does). For each API path, on a fresh heap, N = 1, 2, ... until the call
 * succeeds with injections left over, i.e. after every point was tried:
 * a failed call returns NULL (or 0) with the statistics unchanged, a
 * successful one after an injected failure (a chunk order falling back,
 * say) is a normal object, and in both cases the heap returns to empty.
 *
 * GFP_ATOMIC is used because both injectors skip allocations that may
 * reclaim by default (ignore-gfp-wait). The guest job sets their verbose
 * level to 0 so an injected failure prints nothing.
 */
#include <kunit/test.h>
#include <linux/sched.h>

#include "compat.h"
#include "internal.h"
#include "kunit_heap.h"
#include "stats.h"

MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));

#define FAULT_GFP	(GFP_ATOMIC | __GFP_NOWARN)

#ifdef CONFIG_FAULT_INJECTION
static void set_fail_nth(unsigned int n)
{
	current->fail_nth = n;
}

static unsigned int get_fail_nth(void)
{
	return current->fail_nth;
}
#else
static void set_fail_nth(unsigned int n)
{
}

static unsigned int get_fail_nth(void)
{
	return 0;
}
#endif
#define MAX_POINTS	64

struct fault_path {
	const char *name;
	/* Returns the number of objects allocated (0 on failure). */
	int (*alloc)(struct gh_heap *h, void **objs);
	void (*free)(struct gh_heap *h, void **objs, int n);
};

static int one_small(struct gh_heap *h, void **objs)
{
	objs[0] = gh_alloc(h, 64, FAULT_GFP);
	return !!objs[0];
}

static int one_large(struct gh_heap *h, void **objs)
{
	objs[0] = gh_alloc(h, 100000, FAULT_GFP);
	return !!objs[0];
}

static int one_pow2_large(struct gh_heap *h, void **objs)
{
	objs[0] = gh_alloc(h, 1 << 20, FAULT_GFP);
	return !!objs[0];
}

static int one_tiny(struct gh_heap *h, void **objs)
{
	objs[0] = gh_tiny_alloc(h, 5, FAULT_GFP);
	return !!objs[0];
}

#define BULK	100

static int bulk(struct gh_heap *h, void **objs)
{
	return gh_alloc_bulk(h, 96, FAULT_GFP, BULK, objs);
}

static void free_objs(struct gh_heap *h, void **objs, int n)
{
	gh_free_bulk(h, n, objs);
}

static int raw_span(struct gh_heap *h, void **objs)
{
	objs[0] = gh_span_alloc(h, 3, 1, GH_SPAN_RAW, 0, FAULT_GFP);
	return !!objs[0];
}

static void free_span(struct gh_heap *h, void **objs, int n)
{
	gh_span_free(h, objs[0]);
}

static const struct fault_path paths[] = {
	{ "small object", one_small, free_objs },
	{ "large object", one_large, free_objs },
	{ "aligned large object", one_pow2_large, free_objs },
	{ "tiny object", one_tiny, free_objs },
	{ "bulk of 100", bulk, free_objs },
	{ "raw span", raw_span, free_span },
};

static void path_desc(const struct fault_path *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fault_path, paths, path_desc);

/* The heap holds nothing: no object, no span, no page in use. */
static void expect_empty(struct kunit *test, struct gh_heap *h, unsigned int n)
{
	u64 ms[GH_MS_NR];

	gh_drain_caches(h);
	gh_read_memstats(h, ms);
	KUNIT_EXPECT_EQ_MSG(test, ms[GH_MS_HEAP_OBJECTS], 0ULL, "fail_nth %u", n);
	KUNIT_EXPECT_EQ_MSG(test, ms[GH_MS_HEAP_INUSE], 0ULL, "fail_nth %u", n);
	KUNIT_EXPECT_EQ_MSG(test, ms[GH_MS_MSPAN_INUSE], 0ULL, "fail_nth %u", n);
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&h->nr_spans), 0L, "fail_nth %u", n);
	KUNIT_EXPECT_EQ_MSG(test, h->pages_pending, 0UL, "fail_nth %u", n);
	KUNIT_EXPECT_EQ_MSG(test, ms[GH_MS_INVALID_FREES] + ms[GH_MS_DOUBLE_FREES] +
			    ms[GH_MS_INTERIOR_FREES], 0ULL, "fail_nth %u", n);
}

static void goheap_fail_every_allocation_point(struct kunit *test)
{
	const struct fault_path *path = test->param_value;
	struct gh_heap_params params = { .page_shift = KUNIT_GH_SHIFT, .name = "kunit" };
	void **objs = kunit_kcalloc(test, BULK, sizeof(*objs), GFP_KERNEL);
	unsigned int n, injected = 0, left = 0;
	struct gh_heap *h;
	u64 ms[GH_MS_NR];
	int got;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION) || !IS_ENABLED(CONFIG_FAILSLAB) ||
	    !IS_ENABLED(CONFIG_FAIL_PAGE_ALLOC))
		kunit_skip(test, "needs FAULT_INJECTION, FAILSLAB and FAIL_PAGE_ALLOC");
	KUNIT_ASSERT_NOT_NULL(test, objs);

	for (n = 1; n <= MAX_POINTS; n++) {
		h = gh_heap_create(&params);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);

		set_fail_nth(n);
		got = path->alloc(h, objs);
		left = get_fail_nth();
		set_fail_nth(0);

		gh_read_memstats(h, ms);
		if (!got) {
			/* A clean failure: nothing counted, nothing held. */
			injected++;
			KUNIT_EXPECT_EQ_MSG(test, ms[GH_MS_MALLOCS], 0ULL, "fail_nth %u", n);
			KUNIT_EXPECT_EQ_MSG(test, ms[GH_MS_HEAP_ALLOC], 0ULL, "fail_nth %u", n);
		} else {
			if (!left)
				injected++;	/* failed somewhere, recovered */
			path->free(h, objs, got);
		}
		expect_empty(test, h, n);
		gh_heap_destroy(h);
		/* Succeeded with injections to spare: every point was tried. */
		if (got && left)
			break;
	}
	kunit_info(test, "%s: %u allocation points, %u failed or recovered", path->name,
		   n - 1, injected);
	KUNIT_EXPECT_LE(test, n, (unsigned int)MAX_POINTS);
	KUNIT_EXPECT_GT(test, injected, 0U);
}

static struct kunit_case goheap_fault_cases[] = {
	KUNIT_CASE_PARAM(goheap_fail_every_allocation_point, fault_path_gen_params),
	{}
};

static struct kunit_suite goheap_fault_suite = {
	.name = "goheap_fault",
	.test_cases = goheap_fault_cases,
};

kunit_test_suite(goheap_fault_suite);

MODULE_DESCRIPTION("goheap KUnit suite goheap_fault");
MODULE_LICENSE("GPL");
