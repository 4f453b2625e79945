// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_profile: the sampling heap profiler (profile.c).
 *
 * The gaps between samples have the exponential distribution's mean and
 * median; two call sites that allocate in a 3:1 byte ratio show that
 * ratio in the profile within 10 %, and the scaled sample bytes estimate
 * the bytes really allocated; every kind of allocation (small, large,
 * bulk, tiny, debug heap) is sampled, and a sampled object's free, double
 * free, usable size and realloc behave as any other's; a heap whose rate
 * is 0 records nothing; a bad rate is refused and changes nothing.
 */
#include <kunit/test.h>
#include <linux/goheap.h>
#include <linux/kallsyms.h>
#include <linux/log2.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "internal.h"
#include "kunit_heap.h"
#include "profile.h"

MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));

/* A private heap that samples at @rate. */
static struct gh_heap *profile_heap(struct kunit *test, unsigned long rate, unsigned int debug)
{
	struct gh_heap_params params = { .page_shift = KUNIT_GH_SHIFT, .name = "kunit",
					 .profile_rate = rate, .debug = debug };
	struct gh_heap *h = gh_heap_create(&params);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	test->priv = h;
	return h;
}

static void profile_exit(struct kunit *test)
{
	gh_heap_destroy(test->priv);
}

/*
 * The stack has a frame in the function named @arg ("%ps" prints it with
 * its module, "profile_site_a [goheap_profile_kunit]"), or in a clone of
 * it the compiler made ("profile_site_a.constprop.0").
 */
static bool stack_has(const unsigned long *entries, unsigned int nr, void *arg)
{
	char name[KSYM_SYMBOL_LEN];
	size_t len = strlen(arg);
	unsigned int i;

	for (i = 0; i < nr; i++) {
		snprintf(name, sizeof(name), "%ps", (void *)entries[i]);
		if (strncmp(name, arg, len))
			continue;
		if (!name[len] || name[len] == ' ' || name[len] == '.')
			return true;
	}
	return false;
}

/* 20000 gaps: mean within 3 % of the rate, median at rate * ln 2. */
static void goheap_profile_gap_distribution(struct kunit *test)
{
	const unsigned long rate = 65536, n = 20000;
	/* rate * ln 2, the exponential distribution's median. */
	const unsigned long median = rate * 693147 / 1000000;
	unsigned long i, gap, below = 0, lo = ULONG_MAX;
	u64 sum = 0;

	for (i = 0; i < n; i++) {
		gap = gh_profile_next_gap(rate);
		sum += gap;
		below += gap < median;
		lo = min(lo, gap);
	}
	KUNIT_EXPECT_GE(test, lo, 1UL);
	KUNIT_EXPECT_GE(test, sum / n, rate * 97 / 100);
	KUNIT_EXPECT_LE(test, sum / n, rate * 103 / 100);
	KUNIT_EXPECT_GE(test, below, n * 48 / 100);
	KUNIT_EXPECT_LE(test, below, n * 52 / 100);
	/* A rate of 1 samples every allocation, as Go's MemProfileRate = 1. */
	KUNIT_EXPECT_EQ(test, gh_profile_next_gap(1), 0UL);
}

#define SITE_OBJ	256
#define SITE_ROUNDS	16384	/* 3 + 1 objects each: 16 MiB in all */

static noinline void profile_site_a(struct gh_heap *h, void **objs)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		objs[i] = gh_alloc(h, SITE_OBJ, GFP_KERNEL);
}

static noinline void profile_site_b(struct gh_heap *h, void **objs)
{
	objs[0] = gh_alloc(h, SITE_OBJ, GFP_KERNEL);
}

/*
 * Two sites in a 3:1 byte ratio, sampled at 4 KiB: about 4096 samples, so
 * the ratio's standard error is about 2 % and 10 % is five of them. The
 * scaled sample bytes (x 1 / (1 - exp(-256 / 4096)) = 16.505) estimate the
 * 16 MiB allocated within 8 %.
 */
static void goheap_profile_three_to_one(struct kunit *test)
{
	struct gh_heap *h = profile_heap(test, 4096, 0);
	const unsigned long n = SITE_ROUNDS * 4, total = n * SITE_OBJ;
	struct gh_profile_counts a, b, all;
	unsigned long i, est;
	void **objs;

	objs = vmalloc(array_size(n, sizeof(*objs)));
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < n; i += 4) {
		profile_site_a(h, objs + i);
		profile_site_b(h, objs + i + 3);
	}
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);

	gh_profile_sum(h, stack_has, "profile_site_a", &a);
	gh_profile_sum(h, stack_has, "profile_site_b", &b);
	gh_profile_sum(h, NULL, NULL, &all);
	kunit_info(test, "samples: site a %llu, site b %llu, all %llu\n", a.allocs, b.allocs,
		   all.allocs);
	KUNIT_EXPECT_GT(test, b.allocs, 0ULL);
	KUNIT_EXPECT_EQ(test, a.allocs + b.allocs, all.allocs);
	KUNIT_EXPECT_EQ(test, all.frees, 0ULL);
	/* Inuse bytes, a : b, within [2.7, 3.3]. */
	KUNIT_EXPECT_GE(test, a.alloc_bytes * 10, b.alloc_bytes * 27);
	KUNIT_EXPECT_LE(test, a.alloc_bytes * 10, b.alloc_bytes * 33);
	est = all.alloc_bytes * 165052 / 10000;
	KUNIT_EXPECT_GE(test, est, total * 92 / 100);
	KUNIT_EXPECT_LE(test, est, total * 108 / 100);
	KUNIT_EXPECT_EQ(test, gh_profile_live_samples(h), (unsigned long)all.allocs);

	for (i = 0; i < n; i++)
		gh_free(h, objs[i]);
	vfree(objs);
	gh_profile_sum(h, NULL, NULL, &all);
	KUNIT_EXPECT_EQ(test, all.frees, all.allocs);
	KUNIT_EXPECT_EQ(test, all.free_bytes, all.alloc_bytes);
	KUNIT_EXPECT_EQ(test, gh_profile_live_samples(h), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->misuse[GH_MISUSE_DOUBLE]), 0L);
}

/*
 * At rate 1 every allocation is a sample: small, large, bulk and tiny ones.
 * A sampled object's usable size, realloc and free are those of any other,
 * and a second free of it is a double free that changes nothing.
 */
static void goheap_profile_every_kind(struct kunit *test)
{
	struct gh_heap *h = profile_heap(test, 1, 0);
	struct gh_profile_counts all;
	void *small, *large, *tiny, *bulk[40];
	struct gh_span *s;

	small = gh_alloc(h, 100, GFP_KERNEL);
	large = gh_alloc(h, 70000, GFP_KERNEL);
	tiny = gh_tiny_alloc(h, 5, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, small && large && tiny);
	KUNIT_ASSERT_EQ(test, gh_alloc_bulk(h, 64, GFP_KERNEL, ARRAY_SIZE(bulk), bulk),
			(int)ARRAY_SIZE(bulk));
	KUNIT_EXPECT_EQ(test, gh_profile_live_samples(h), 3UL + ARRAY_SIZE(bulk));
	/* A sampled tiny object is a small object of its own. */
	s = gh_span_lookup(h, tiny);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_NE(test, (unsigned int)s->cls, (unsigned int)GH_TINY_CLASS);

	KUNIT_EXPECT_EQ(test, gh_usable_size(h, small), 112UL);
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, large), round_up(70000UL, KUNIT_GH_PAGE));
	/* Moved: the old object's sample is freed, the new one is a sample. */
	small = gh_realloc(h, small, 2000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, small);
	KUNIT_EXPECT_EQ(test, gh_profile_live_samples(h), 3UL + ARRAY_SIZE(bulk));

	gh_free(h, small);
	gh_free(h, small);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->misuse[GH_MISUSE_DOUBLE]), 1L);
	gh_free(h, large);
	gh_free(h, tiny);
	gh_free_bulk(h, ARRAY_SIZE(bulk), bulk);
	KUNIT_EXPECT_EQ(test, gh_profile_live_samples(h), 0UL);
	gh_profile_sum(h, NULL, NULL, &all);
	KUNIT_EXPECT_EQ(test, all.allocs, 4ULL + ARRAY_SIZE(bulk));
	KUNIT_EXPECT_EQ(test, all.frees, all.allocs);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, NULL), 0UL);
}

/* A debug heap's objects are sampled, and its checks still hold. */
static void goheap_profile_debug_heap(struct kunit *test)
{
	struct gh_heap *h = profile_heap(test, 1, GH_DEBUG_POISON | GH_DEBUG_REDZONE);
	void *p[8];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = gh_alloc(h, 24 + i * 300, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	KUNIT_EXPECT_EQ(test, gh_profile_live_samples(h), (unsigned long)ARRAY_SIZE(p));
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, NULL), 0UL);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		gh_free(h, p[i]);
	KUNIT_EXPECT_EQ(test, gh_profile_live_samples(h), 0UL);
	KUNIT_EXPECT_EQ(test, kunit_validate(test, h, NULL), 0UL);
	gh_free(h, p[0]);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->misuse[GH_MISUSE_DOUBLE]), 1L);
}

/* Rate 0: nothing is recorded; turned on later, sampling starts. */
static void goheap_profile_off(struct kunit *test)
{
	struct gh_heap *h = profile_heap(test, 0, 0);
	struct gh_profile_counts all;
	void *p[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = gh_alloc(h, 16384, GFP_KERNEL);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		gh_free(h, p[i]);
	gh_profile_sum(h, NULL, NULL, &all);
	KUNIT_EXPECT_EQ(test, all.allocs, 0ULL);
	KUNIT_EXPECT_EQ(test, gh_profile_rate(h), 0UL);

	KUNIT_ASSERT_EQ(test, gh_profile_set_rate(h, 1), 0);
	p[0] = gh_alloc(h, 16384, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, gh_profile_live_samples(h), 1UL);
	/* Off again: the sample stays recorded, and its free is counted. */
	KUNIT_ASSERT_EQ(test, gh_profile_set_rate(h, 0), 0);
	gh_free(h, p[0]);
	gh_profile_sum(h, NULL, NULL, &all);
	KUNIT_EXPECT_EQ(test, all.allocs, 1ULL);
	KUNIT_EXPECT_EQ(test, all.frees, 1ULL);
}

/* Rates above the limit, and private heap parameters out of range. */
static void goheap_profile_bad_rate(struct kunit *test)
{
	struct gh_heap *h = profile_heap(test, 4096, 0);
	struct goheap_heap_params params = { 0 };
	struct gh_heap_params bad = { .page_shift = KUNIT_GH_SHIFT,
				      .profile_rate = GH_PROFILE_RATE_MAX + 1 };

	KUNIT_EXPECT_EQ(test, gh_profile_set_rate(h, GH_PROFILE_RATE_MAX + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, gh_profile_rate(h), 4096UL);
	KUNIT_EXPECT_EQ(test, gh_profile_set_rate(h, GH_PROFILE_RATE_MAX), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(gh_heap_create(&bad)), -EINVAL);
	params.profile_rate = -2;
	KUNIT_EXPECT_EQ(test, PTR_ERR(goheap_heap_create("kunit-bad", &params)), -EINVAL);
	params.profile_rate = GH_PROFILE_RATE_MAX + 1L;
	KUNIT_EXPECT_EQ(test, PTR_ERR(goheap_heap_create("kunit-bad", &params)), -EINVAL);
}

static struct kunit_case profile_cases[] = {
	KUNIT_CASE(goheap_profile_gap_distribution),
	KUNIT_CASE(goheap_profile_three_to_one),
	KUNIT_CASE(goheap_profile_every_kind),
	KUNIT_CASE(goheap_profile_debug_heap),
	KUNIT_CASE(goheap_profile_off),
	KUNIT_CASE(goheap_profile_bad_rate),
	{}
};

static struct kunit_suite profile_suite = {
	.name = "goheap_profile",
	.exit = profile_exit,
	.test_cases = profile_cases,
};

kunit_test_suite(profile_suite);

MODULE_DESCRIPTION("goheap KUnit suite: the sampling heap profiler");
MODULE_LICENSE("GPL");
