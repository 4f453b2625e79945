// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_kasan and goheap_kmemleak: the kernel's sanitizers see goheap's
 * objects as they see slab objects.
 *
 * goheap_kasan provokes each bug KASAN should catch in a goheap object (a
 * use after free, a read into the red zone past the bytes asked for, in
 * small and large objects) and expects exactly one KASAN report each,
 * counted through the error_report_end tracepoint; a double free is
 * goheap's to report, not KASAN's. Each provocation is bracketed by
 * "goheap-expect-report: begin/end" lines, which the harness's splat scan
 * accepts KASAN reports between (and only there). The suites live in a
 * module of their own, loaded last in the debug guest: a KASAN report
 * taints the kernel, which turns lockdep off.
 *
 * goheap_kmemleak leaks one 1234-byte object of the default heap on
 * purpose; the guest job then has kmemleak scan and expects it to be
 * reported with this test in its allocation backtrace, and to be
 * forgotten once goheap is unloaded.
 */
#include <kunit/test.h>
#include <linux/goheap.h>
#include <linux/tracepoint.h>
#include <trace/events/error_report.h>

#include "compat.h"
#include "internal.h"
#include "kunit_heap.h"
#include "sanitize.h"
#include "stats.h"

MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));

static atomic_t kasan_reports;
static unsigned long kasan_addr;

static void on_report(void *data, enum error_detector detector, unsigned long addr)
{
	if (detector != ERROR_DETECTOR_KASAN)
		return;
	WRITE_ONCE(kasan_addr, addr);
	atomic_inc(&kasan_reports);
}

static int kasan_suite_init(struct kunit_suite *suite)
{
	return register_trace_error_report_end(on_report, NULL);
}

static void kasan_suite_exit(struct kunit_suite *suite)
{
	unregister_trace_error_report_end(on_report, NULL);
	tracepoint_synchronize_unregister();
}

static int kasan_case_init(struct kunit *test)
{
	struct gh_heap_params params = { .page_shift = KUNIT_GH_SHIFT, .name = "kunit" };
	struct gh_heap *h;

	if (!gh_san_kasan())
		kunit_skip(test, "goheap does not poison for KASAN on this kernel");
	h = gh_heap_create(&params);
	if (IS_ERR(h))
		return PTR_ERR(h);
	test->priv = h;
	return 0;
}

static void kasan_case_exit(struct kunit *test)
{
	gh_heap_destroy(test->priv);
}

/* Read @p inside an expected-report window; return the reports it caused. */
static int provoke(struct kunit *test, const u8 *p)
{
	atomic_set(&kasan_reports, 0);
	WRITE_ONCE(kasan_addr, 0);
	pr_info("goheap-expect-report: begin %s\n", test->name);
	(void)READ_ONCE(*p);
	pr_info("goheap-expect-report: end %s\n", test->name);
	return atomic_read(&kasan_reports);
}

static void goheap_kasan_use_after_free(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	u8 *p = gh_alloc(h, 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, provoke(test, p + 63), 0);
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, provoke(test, p + 8), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(kasan_addr), (unsigned long)(p + 8));
}

static void goheap_kasan_out_of_bounds(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	u8 *p = gh_alloc(h, 50, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, provoke(test, p + 49), 0);
	KUNIT_EXPECT_EQ(test, provoke(test, p + 50), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(kasan_addr), (unsigned long)(p + 50));
	KUNIT_EXPECT_EQ(test, provoke(test, p + 60), 1);
	/* gh_usable_size() opens the whole slot, as ksize() does. */
	KUNIT_EXPECT_EQ(test, gh_usable_size(h, p), (size_t)64);
	KUNIT_EXPECT_EQ(test, provoke(test, p + 63), 0);
	gh_free(h, p);
}

static void goheap_kasan_large(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	u8 *p = gh_alloc(h, 40000, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, provoke(test, p + 39999), 0);
	KUNIT_EXPECT_EQ(test, provoke(test, p + 40000), 1);
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, provoke(test, p), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(kasan_addr), (unsigned long)p);
}

static void goheap_kasan_double_free(struct kunit *test)
{
	struct gh_heap *h = test->priv;
	u8 *p = gh_alloc(h, 128, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	gh_free(h, p);
	atomic_set(&kasan_reports, 0);
	gh_free(h, p);
	KUNIT_EXPECT_EQ(test, atomic_read(&kasan_reports), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->misuse[GH_MISUSE_DOUBLE]), 1L);
}

static struct kunit_case goheap_kasan_cases[] = {
	KUNIT_CASE(goheap_kasan_use_after_free),
	KUNIT_CASE(goheap_kasan_out_of_bounds),
	KUNIT_CASE(goheap_kasan_large),
	KUNIT_CASE(goheap_kasan_double_free),
	{}
};

static struct kunit_suite goheap_kasan_suite = {
	.name = "goheap_kasan",
	.suite_init = kasan_suite_init,
	.suite_exit = kasan_suite_exit,
	.init = kasan_case_init,
	.exit = kasan_case_exit,
	.test_cases = goheap_kasan_cases,
};

#define LEAK_SIZE	1234

/*
 * Leak one object of the default heap, not at the start of its span (a
 * span's first object is where goheap's own metadata points).
 */
static void goheap_kmemleak_leak(struct kunit *test)
{
	void *spare[4] = { };
	unsigned int i;
	void *p;

	if (!IS_ENABLED(CONFIG_DEBUG_KMEMLEAK))
		kunit_skip(test, "no kmemleak in this kernel");
	for (i = 0; i < ARRAY_SIZE(spare); i++) {
		p = goheap_alloc(LEAK_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		if ((unsigned long)p != gh_span_lookup(goheap_default_heap, p)->base)
			break;
		spare[i] = p;
		p = NULL;
	}
	for (i = 0; i < ARRAY_SIZE(spare); i++)
		goheap_free(spare[i]);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kunit_info(test, "leaked one %d B object of the default heap\n", LEAK_SIZE);
	p = NULL;
}

static struct kunit_case goheap_kmemleak_cases[] = {
	KUNIT_CASE(goheap_kmemleak_leak),
	{}
};

static struct kunit_suite goheap_kmemleak_suite = {
	.name = "goheap_kmemleak",
	.test_cases = goheap_kmemleak_cases,
};

kunit_test_suites(&goheap_kasan_suite, &goheap_kmemleak_suite);
MODULE_DESCRIPTION("goheap KUnit suites that make KASAN and kmemleak report");
MODULE_LICENSE("GPL");
