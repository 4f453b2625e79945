// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_stats: memstats, class and CPU figures.
 *
 * After a known sequence of small, large and tiny allocations and frees
 * every MemStats counter has an exact expected value; under concurrent
 * load the invariants documented in stats.c as holding "at every instant"
 * hold at every read, and the quiescent ones hold once the load stops.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/prandom.h>

#include "compat.h"
#include "internal.h"
#include "kunit_heap.h"
#include "stats.h"

MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));

#define LARGE	100000
#define LARGE_SPAN	round_up(LARGE, KUNIT_GH_PAGE)	/* 13 * 8 KiB */

static void goheap_memstats_exact(struct kunit *test)
{
	struct gh_heap *h = kunit_heap(test);
	unsigned int c64 = gh_size_to_class(h, 64);
	struct gh_class_stats cs;
	void *small[10], *large[3], *tiny[5];
	u64 ms[GH_MS_NR];
	unsigned int i;

	for (i = 0; i < 10; i++)
		small[i] = gh_alloc(h, 64, GFP_KERNEL);
	for (i = 0; i < 3; i++)
		large[i] = gh_alloc(h, LARGE, GFP_KERNEL);
	migrate_disable();	/* all five tiny objects from one CPU: 2 blocks */
	for (i = 0; i < 5; i++)
		tiny[i] = gh_tiny_alloc(h, 4, GFP_KERNEL);
	migrate_enable();
	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_NOT_NULL(test, small[i]);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_NOT_NULL(test, large[i]);
	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_NOT_NULL(test, tiny[i]);

	gh_read_memstats(h, ms);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_MALLOCS], 18ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_FREES], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_OBJECTS], 18ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_LARGE_OBJECTS], 3ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_LARGE_ALLOC], 3ULL * LARGE_SPAN);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_TINY_OBJECTS], 5ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_TINY_ALLOC], 20ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_TINY_BLOCKS], 2ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_ALLOC], 10ULL * 64 + 3 * LARGE_SPAN + 2 * 16);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_TOTAL_ALLOC], ms[GH_MS_HEAP_ALLOC]);

	gh_free(h, small[0]);
	gh_free(h, small[1]);
	gh_free(h, small[2]);
	gh_free(h, small[3]);
	gh_free(h, large[0]);
	gh_free(h, tiny[0]);
	gh_free(h, tiny[1]);
	gh_free(h, tiny[1]);	/* a double free: counted, nothing else */

	gh_read_memstats(h, ms);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_MALLOCS], 18ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_FREES], 7ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_OBJECTS], 11ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_LARGE_OBJECTS], 2ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_TINY_OBJECTS], 3ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_TINY_ALLOC], 12ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_TINY_BLOCKS], 2ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_ALLOC], 6ULL * 64 + 2 * LARGE_SPAN + 2 * 16);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_TOTAL_ALLOC], 10ULL * 64 + 3 * LARGE_SPAN + 2 * 16);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_DOUBLE_FREES], 1ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_INVALID_FREES], 0ULL);
	KUNIT_EXPECT_LE(test, ms[GH_MS_HEAP_ALLOC], ms[GH_MS_HEAP_INUSE]);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_SYS], ms[GH_MS_HEAP_INUSE] + ms[GH_MS_HEAP_IDLE]);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_SYS], (u64)PAGE_SIZE << GH_DEFAULT_CHUNK_ORDER);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_CHUNKS], 1ULL);

	gh_read_class_stats(h, c64, &cs);
	KUNIT_EXPECT_EQ(test, cs.mallocs, 10ULL);
	KUNIT_EXPECT_EQ(test, cs.frees, 4ULL);
	/* One refill of a batch: the rest of it sits in a CPU cache. */
	KUNIT_EXPECT_EQ(test, cs.pcpu_cached + cs.central_cached + 6,
			(u64)h->classes[c64].batch * cs.refills);
	KUNIT_EXPECT_EQ(test, cs.spans_partial + cs.spans_full, 1ULL);

	for (i = 4; i < 10; i++)
		gh_free(h, small[i]);
	for (i = 1; i < 3; i++)
		gh_free(h, large[i]);
	for (i = 2; i < 5; i++)
		gh_free(h, tiny[i]);
	gh_drain_caches(h);
	gh_read_memstats(h, ms);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_OBJECTS], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_MALLOCS], ms[GH_MS_FREES]);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_ALLOC], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_INUSE], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_TINY_BLOCKS], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_PCPU_CACHED], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_CENTRAL_CACHED], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_MSPAN_INUSE], 0ULL);
	gh_heap_destroy(h);
}

/* Page-heap histogram: one chunk with holes of known lengths. */
static void goheap_pageheap_stats_runs(struct kunit *test)
{
	const u64 chunk = BIT(GH_DEFAULT_CHUNK_SHIFT) / KUNIT_GH_PAGE;	/* heap pages */
	struct gh_heap *h = kunit_heap(test);
	struct gh_pageheap_stats ps;
	struct gh_span *s[4];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		s[i] = gh_span_alloc(h, 3, 1, GH_SPAN_RAW, 0, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s[i]);
	}
	gh_span_free(h, s[1]);		/* a hole of 3 pages */
	gh_read_pageheap_stats(h, &ps);
	KUNIT_EXPECT_EQ(test, ps.chunks, 1ULL);
	KUNIT_EXPECT_EQ(test, ps.pages_total, chunk);
	KUNIT_EXPECT_EQ(test, ps.pages_inuse, 9ULL);
	KUNIT_EXPECT_EQ(test, ps.pages_free, chunk - 9);
	KUNIT_EXPECT_EQ(test, ps.largest_run, chunk - 12);
	KUNIT_EXPECT_EQ(test, ps.runs[1], 1ULL);	/* 2-3 pages */
	KUNIT_EXPECT_EQ(test, ps.runs[ilog2(chunk - 12)], 1ULL);
	KUNIT_EXPECT_EQ(test, ps.grows, 1ULL);
	for (i = 0; i < 4; i++)
		if (i != 1)
			gh_span_free(h, s[i]);
	gh_read_pageheap_stats(h, &ps);
	KUNIT_EXPECT_EQ(test, ps.largest_run, chunk);
	KUNIT_EXPECT_EQ(test, ps.runs[ilog2(chunk)], 1ULL);
	gh_heap_destroy(h);
}

struct load {
	struct gh_heap *h;
	struct completion done;
	unsigned int seed;
};

static int load_fn(void *arg)
{
	struct load *ld = arg;
	void *objs[64] = { NULL };
	struct rnd_state rnd;
	unsigned int i, k;

	prandom_seed_state(&rnd, ld->seed);
	for (i = 0; i < 20000; i++) {
		k = prandom_u32_state(&rnd) % ARRAY_SIZE(objs);
		if (objs[k]) {
			gh_free(ld->h, objs[k]);
			objs[k] = NULL;
		} else if (k == 0) {
			objs[k] = gh_alloc(ld->h, 40000, GFP_KERNEL);
		} else if (k < 8) {
			objs[k] = gh_tiny_alloc(ld->h, 1 + k, GFP_KERNEL);
		} else {
			objs[k] = gh_alloc(ld->h, 1 + prandom_u32_state(&rnd) % 4096, GFP_KERNEL);
		}
		if (i % 256 == 0)
			cond_resched();
	}
	for (k = 0; k < ARRAY_SIZE(objs); k++)
		gh_free(ld->h, objs[k]);
	complete(&ld->done);
	return 0;
}

/* Invariants at every read while every CPU allocates; quiescent ones after. */
static void goheap_memstats_invariants_under_load(struct kunit *test)
{
	struct gh_heap *h = kunit_heap(test);
	unsigned int ncpu = num_online_cpus(), cpu, i = 0, reads = 0;
	struct load *ld = kunit_kcalloc(test, nr_cpu_ids, sizeof(*ld), GFP_KERNEL);
	u64 ms[GH_MS_NR], prev_mallocs = 0, prev_frees = 0;
	bool running = true;

	KUNIT_ASSERT_NOT_NULL(test, ld);
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		ld[i].h = h;
		ld[i].seed = cpu + 1;
		init_completion(&ld[i].done);
		t = kthread_create_on_cpu(load_fn, &ld[i], cpu, "goheap_load/%u");
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		wake_up_process(t);
		i++;
	}
	while (running) {
		gh_read_memstats(h, ms);
		reads++;
		KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_SYS],
				ms[GH_MS_HEAP_INUSE] + ms[GH_MS_HEAP_IDLE]);
		KUNIT_EXPECT_GE(test, ms[GH_MS_HEAP_IDLE], ms[GH_MS_HEAP_RELEASED]);
		KUNIT_EXPECT_EQ(test, ms[GH_MS_SYS], ms[GH_MS_HEAP_SYS] + ms[GH_MS_MSPAN_SYS] +
				ms[GH_MS_MCACHE_SYS] + ms[GH_MS_OTHER_SYS]);
		KUNIT_EXPECT_LE(test, ms[GH_MS_MSPAN_INUSE], ms[GH_MS_MSPAN_SYS]);
		KUNIT_EXPECT_GE(test, ms[GH_MS_MALLOCS], prev_mallocs);
		KUNIT_EXPECT_GE(test, ms[GH_MS_FREES], prev_frees);
		prev_mallocs = ms[GH_MS_MALLOCS];
		prev_frees = ms[GH_MS_FREES];
		running = false;
		for (cpu = 0; cpu < ncpu; cpu++)
			if (!completion_done(&ld[cpu].done))
				running = true;
		msleep(20);
	}
	KUNIT_EXPECT_GT(test, reads, 1U);
	gh_read_memstats(h, ms);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_OBJECTS], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_MALLOCS], ms[GH_MS_FREES]);
	KUNIT_EXPECT_GT(test, ms[GH_MS_MALLOCS], 0ULL);
	KUNIT_EXPECT_LE(test, ms[GH_MS_HEAP_ALLOC], ms[GH_MS_HEAP_INUSE]);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_ALLOC], ms[GH_MS_TINY_BLOCKS] * 16);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_INVALID_FREES] + ms[GH_MS_DOUBLE_FREES] +
			ms[GH_MS_INTERIOR_FREES], 0ULL);
	gh_drain_caches(h);
	gh_read_memstats(h, ms);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_INUSE], 0ULL);
	KUNIT_EXPECT_EQ(test, ms[GH_MS_HEAP_ALLOC], 0ULL);
	gh_heap_destroy(h);
}

/* The per-CPU figures add up to the class figures. */
static void goheap_cpu_stats_sum(struct kunit *test)
{
	struct gh_heap *h = kunit_heap(test);
	struct gh_class_stats cs;
	struct gh_cpu_stats st;
	u64 cached = 0, classes_cached = 0, mallocs = 0, class_mallocs = 0;
	void **p = kunit_kcalloc(test, 100, sizeof(*p), GFP_KERNEL);
	unsigned int i, cpu;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < 100; i++)
		p[i] = gh_alloc(h, 8 << (i % 10), GFP_KERNEL);
	for (i = 0; i < 100; i += 2)
		gh_free(h, p[i]);
	for_each_possible_cpu(cpu) {
		gh_read_cpu_stats(h, cpu, &st);
		cached += st.cached;
		mallocs += st.mallocs;
	}
	for (i = 0; i < GH_NR_CLASSES; i++) {
		gh_read_class_stats(h, i, &cs);
		classes_cached += cs.pcpu_cached;
		class_mallocs += cs.mallocs;
	}
	KUNIT_EXPECT_EQ(test, cached, classes_cached);
	KUNIT_EXPECT_EQ(test, mallocs, class_mallocs);
	KUNIT_EXPECT_EQ(test, mallocs, 100ULL);
	for (i = 1; i < 100; i += 2)
		gh_free(h, p[i]);
	gh_heap_destroy(h);
}

static struct kunit_case goheap_stats_cases[] = {
	KUNIT_CASE(goheap_memstats_exact),
	KUNIT_CASE(goheap_pageheap_stats_runs),
	KUNIT_CASE(goheap_memstats_invariants_under_load),
	KUNIT_CASE(goheap_cpu_stats_sum),
	{}
};

static struct kunit_suite goheap_stats_suite = {
	.name = "goheap_stats",
	.test_cases = goheap_stats_cases,
};

kunit_test_suite(goheap_stats_suite);

MODULE_DESCRIPTION("goheap KUnit suite goheap_stats");
MODULE_LICENSE("GPL");
