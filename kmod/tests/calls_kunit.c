// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_calls: the everyday calls besides allocate and free, on private
 * heaps of both page sizes and through the exported API.
 *
 * Size round-up agrees with the usable size of every size; realloc keeps
 * an object in place while it fits and moves it with its contents when it
 * does not, frees on 0 and allocates on NULL, and on failure or a bad
 * pointer changes nothing; array allocation fails on overflow; an
 * RCU-deferred free keeps the object live until a grace period is over,
 * and a bad pointer or a head outside the object is counted and queues
 * nothing; a node's large objects are on that node, and a node that is not
 * online gets nothing.
 */
#include <kunit/test.h>
#include <linux/goheap.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include "compat.h"
#include "internal.h"
#include "kunit_heap.h"
#include "stats.h"

MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));

KUNIT_GH_PAGE_SHIFT_PARAM();

static u64 heap_objects(struct gh_heap *h)
{
	u64 ms[GH_MS_NR];

	gh_read_memstats(h, ms);
	return ms[GH_MS_HEAP_OBJECTS];
}

/* Every size up to 64 KiB, and large ones: round-up is the usable size. */
static void goheap_size_roundup_is_usable_size(struct kunit *test)
{
	static const size_t large[] = { 32769, 40000, 65536, 100000, 1 << 20, GH_MAX_ALLOC };
	struct gh_heap *h = test->priv;
	unsigned int i;
	size_t size;
	void *p;

	KUNIT_EXPECT_EQ(test, gh_size_roundup(h, 0), 0UL);
	KUNIT_EXPECT_EQ(test, gh_size_roundup(h, GH_MAX_ALLOC + 1), GH_MAX_ALLOC + 1);
	for (size = 1; size <= GH_MAX_SMALL_SIZE; size += size < 1024 ? 1 : 61) {
		p = gh_alloc(h, size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ_MSG(test, gh_size_roundup(h, size), gh_usable_size(h, p),
				    "size %zu", size);
		KUNIT_EXPECT_GE(test, gh_size_roundup(h, size), size);
		gh_free(h, p);
	}
	for (i = 0; i < ARRAY_SIZE(large); i++) {
		p = gh_alloc(h, large[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ_MSG(test, gh_size_roundup(h, large[i]), gh_usable_size(h, p),
				    "size %zu", large[i]);
		gh_free(h, p);
	}
}

static void fill(u8 *p, size_t n, u8 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = seed + i * 7;
}

static bool filled(const u8 *p, size_t n, u8 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (u8)(seed + i * 7))
			return false;
	return true;
}

/* krealloc()'s contract, small to large and back. */
static void goheap_realloc_contract(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	size_t usable;
	u8 *p, *q;

	/* NULL and ZERO_SIZE_PTR allocate. */
	p = gh_realloc(h, NULL, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	usable = gh_usable_size(h, p);
	fill(p, 100, 1);

	/* Within the slot: the same object. */
	q = gh_realloc(h, p, usable, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	q = gh_realloc(h, p, 10, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_TRUE(test, filled(q, 10, 1));

	/* Past it: moved, with the bytes that were in use. */
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, p), usable);	/* opens the slot */
	fill(p, usable, 2);
	q = gh_realloc(h, p, usable + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, q, p);
	KUNIT_EXPECT_TRUE(test, filled(q, usable, 2));
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, p), 0UL);	/* p went back */
	KUNIT_EXPECT_EQ(test, heap_objects(h), 1ULL);

	/* To a large object and back to a small one. */
	p = gh_realloc(h, q, 200000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, filled(p, usable, 2));
	fill(p, 200000, 3);
	q = gh_realloc(h, p, 300, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_EQ(test, q, p);	/* a shrink stays in place */
	q = gh_realloc(h, p, 300000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, filled(q, 300, 3));

	/* Failure leaves the object as it was. */
	fill(q, 300000, 4);
	KUNIT_EXPECT_NULL(test, gh_realloc(h, q, GH_MAX_ALLOC + 1, GFP_KERNEL | __GFP_NOWARN));
	KUNIT_EXPECT_TRUE(test, filled(q, 300000, 4));
	KUNIT_EXPECT_EQ(test, heap_objects(h), 1ULL);

	/* 0 frees. */
	KUNIT_EXPECT_PTR_EQ(test, gh_realloc(h, q, 0, GFP_KERNEL), (u8 *)ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, heap_objects(h), 0ULL);
	p = gh_realloc(h, ZERO_SIZE_PTR, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_NE(test, p, (u8 *)ZERO_SIZE_PTR);
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_DOUBLE) +
			kunit_misuse(h, GH_MISUSE_INVALID) +
			kunit_misuse(h, GH_MISUSE_INTERIOR), 0L);
}

/* A tiny object grows into an ordinary one with its bytes. */
static void goheap_realloc_tiny(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	u8 *p, *q;

	p = gh_tiny_alloc(h, 6, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	fill(p, 6, 5);
	KUNIT_EXPECT_PTR_EQ(test, gh_realloc(h, p, 4, GFP_KERNEL), p);
	q = gh_realloc(h, p, 40, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, filled(q, 4, 5));
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, p), 0UL);
	gh_free(h, q);
	KUNIT_EXPECT_EQ(test, heap_objects(h), 0ULL);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_DOUBLE), 0L);
}

/* A pointer that is not a live object: counted, NULL, nothing changed. */
static void goheap_realloc_bad_pointer(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	u8 *p = gh_alloc(h, 64, GFP_KERNEL);
	u8 *gone = gh_alloc(h, 64, GFP_KERNEL);
	int on_stack;

	KUNIT_ASSERT_TRUE(test, p && gone);
	gh_free(h, gone);
	fill(p, 64, 6);
	KUNIT_EXPECT_NULL(test, gh_realloc(h, &on_stack, 100, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_INVALID), 1L);
	KUNIT_EXPECT_NULL(test, gh_realloc(h, p + 8, 100, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_INTERIOR), 1L);
	KUNIT_EXPECT_NULL(test, gh_realloc(h, gone, 100, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_DOUBLE), 1L);
	KUNIT_EXPECT_TRUE(test, filled(p, 64, 6));
	KUNIT_EXPECT_EQ(test, heap_objects(h), 1ULL);
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, heap_objects(h), 0ULL);
}

struct rcu_obj {
	long payload[3];
	struct rcu_head rh;
};

/* Live until a grace period is over, then freed. */
static void goheap_free_rcu_defers(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	struct rcu_obj *o = gh_alloc(h, sizeof(*o), GFP_KERNEL);
	struct rcu_obj *big = gh_alloc(h, 100000, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, o && big);
	rcu_read_lock();
	gh_free_rcu(h, o, &o->rh);
	gh_free_rcu(h, big, &big->rh);
	/* A reader in its section: the objects cannot have gone. */
	KUNIT_EXPECT_EQ(test, heap_objects(h), 2ULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->rcu_pending), 2L);
	rcu_read_unlock();
	gh_free_rcu_barrier(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->rcu_pending), 0L);
	KUNIT_EXPECT_EQ(test, heap_objects(h), 0ULL);
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, o), 0UL);
	gh_free_rcu(h, NULL, NULL);
	gh_free_rcu(h, ZERO_SIZE_PTR, NULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->rcu_pending), 0L);
}

/* Bad input is counted and queues nothing. */
static void goheap_free_rcu_bad_input(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	struct rcu_obj *o = gh_alloc(h, sizeof(*o), GFP_KERNEL);
	u8 *small = gh_alloc(h, 8, GFP_KERNEL);
	u8 *tiny = gh_tiny_alloc(h, 4, GFP_KERNEL);
	struct rcu_head outside;

	KUNIT_ASSERT_TRUE(test, o && small && tiny);
	gh_free_rcu(h, o, &outside);			/* head not in the object */
	gh_free_rcu(h, small, (struct rcu_head *)small);	/* no room for it */
	gh_free_rcu(h, tiny, (struct rcu_head *)tiny);		/* a tiny object */
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_INVALID), 3L);
	gh_free_rcu(h, (u8 *)o + 8, &o->rh);		/* inside an object */
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_INTERIOR), 1L);
	gh_free_rcu(h, &outside, &outside);		/* not goheap's */
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_INVALID), 4L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->rcu_pending), 0L);
	KUNIT_EXPECT_EQ(test, heap_objects(h), 3ULL);
	gh_free(h, o);
	gh_free(h, small);
	gh_free(h, tiny);
	KUNIT_EXPECT_EQ(test, heap_objects(h), 0ULL);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_DOUBLE), 0L);
}

/*
 * A node: large objects on it, small ones from the caches; a node that is
 * not online gets nothing.
 */
static void goheap_alloc_node_contract(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	int nid = first_online_node;
	u8 *a, *b, *small;

	KUNIT_EXPECT_NULL(test, gh_alloc_node(h, 100000, GFP_KERNEL, -2));
	KUNIT_EXPECT_NULL(test, gh_alloc_node(h, 64, GFP_KERNEL, MAX_NUMNODES));
	if (nr_node_ids < MAX_NUMNODES && !node_online(nr_node_ids))
		KUNIT_EXPECT_NULL(test, gh_alloc_node(h, 100000, GFP_KERNEL, nr_node_ids));
	KUNIT_EXPECT_EQ(test, heap_objects(h), 0ULL);

	a = gh_alloc_node(h, 100000, GFP_KERNEL, nid);
	b = gh_alloc_node(h, 200000, GFP_KERNEL | __GFP_THISNODE, nid);
	small = gh_alloc_node(h, 100, GFP_KERNEL, nid);
	KUNIT_ASSERT_TRUE(test, a && b && small);
	KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(a)), nid);
	KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(b)), nid);
	KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(b + 199999)), nid);
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, a), gh_size_roundup(h, 100000));
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, small), gh_size_roundup(h, 100));
	/* The second large object comes from the first one's chunk. */
	KUNIT_EXPECT_PTR_EQ(test, gh_span_lookup(h, a)->chunk, gh_span_lookup(h, b)->chunk);
	memset(a, 1, 100000);
	memset(b, 2, 200000);
	KUNIT_EXPECT_EQ(test, heap_objects(h), 3ULL);
	gh_free(h, a);
	gh_free(h, b);
	gh_free(h, small);
	KUNIT_EXPECT_PTR_EQ(test, gh_alloc_node(h, 0, GFP_KERNEL, nid), (void *)ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, heap_objects(h), 0ULL);
	KUNIT_EXPECT_EQ(test, kunit_misuse(h, GH_MISUSE_INVALID), 0L);
}

/* The exported calls, on the module's default heap. */
static void goheap_exported_calls(struct kunit *test)
{
	struct rcu_obj *o;
	u8 *p, *q;

	KUNIT_EXPECT_NULL(test, goheap_alloc_array(SIZE_MAX / 2 + 1, 2, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, goheap_calloc(2, SIZE_MAX / 2 + 1, GFP_KERNEL));
	p = goheap_calloc(100, 30, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, 3000));
	KUNIT_EXPECT_EQ(test, goheap_usable_size(p), goheap_size_roundup(3000));
	fill(p, 3000, 7);
	q = goheap_realloc(p, 5000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, filled(q, 3000, 7));
	goheap_free(q);
	q = goheap_alloc_array(4, 250, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_GE(test, goheap_usable_size(q), 1000UL);
	goheap_free(q);
	q = goheap_alloc_node(70000, GFP_KERNEL, first_online_node);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(q)), first_online_node);
	goheap_free(q);
	KUNIT_EXPECT_NULL(test, goheap_alloc_node(64, GFP_KERNEL, -5));
	o = goheap_alloc(sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	goheap_free_rcu(o, rh);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, goheap_usable_size(o), 0UL);
	o = NULL;
	goheap_free_rcu(o, rh);
}

static struct kunit_case calls_cases[] = {
	KUNIT_CASE_PARAM(goheap_size_roundup_is_usable_size, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_realloc_contract, page_shift_gen_params),
	KUNIT_CASE(goheap_realloc_tiny),
	KUNIT_CASE(goheap_realloc_bad_pointer),
	KUNIT_CASE(goheap_free_rcu_defers),
	KUNIT_CASE(goheap_free_rcu_bad_input),
	KUNIT_CASE_PARAM(goheap_alloc_node_contract, page_shift_gen_params),
	KUNIT_CASE(goheap_exported_calls),
	{}
};

static struct kunit_suite calls_suite = {
	.name = "goheap_calls",
	.init = kunit_param_heap_init,
	.exit = kunit_param_heap_exit,
	.test_cases = calls_cases,
};

kunit_test_suite(calls_suite);

MODULE_DESCRIPTION("goheap KUnit suite: realloc, size round-up, arrays, RCU-deferred free");
MODULE_LICENSE("GPL");
