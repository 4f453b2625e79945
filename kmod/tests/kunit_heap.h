/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by goheap's KUnit suites: a private heap that the test
 * owns, and a run of debugfs validate on it.
 */
#ifndef _GOHEAP_KUNIT_HEAP_H
#define _GOHEAP_KUNIT_HEAP_H

#include <kunit/test.h>
#include <linux/seq_file.h>

#include "internal.h"

/*
 * Heap page sizes: the suites run with 8 KiB heap pages (Go's), and the
 * parameterised cases with 4 KiB ones too, on kernels with 4 KiB pages; a
 * kernel with larger pages has only heap pages of its page size
 * (gh_page_shift_valid()).
 */
#if PAGE_SHIFT > 13
#define KUNIT_GH_SHIFT		PAGE_SHIFT
#define KUNIT_GH_SHIFTS		{ PAGE_SHIFT }
#else
#define KUNIT_GH_SHIFT		13
#define KUNIT_GH_SHIFTS		{ 13, 12 }
#endif

#define KUNIT_GH_PAGE		BIT(KUNIT_GH_SHIFT)

/* Skip a case about heap pages of 1 << @shift bytes where there are none. */
static inline void kunit_need_page_shift(struct kunit *test, unsigned int shift)
{
	if (!gh_page_shift_valid(shift))
		kunit_skip(test, "no %lu B heap pages on a kernel with %lu B pages",
			   1UL << shift, PAGE_SIZE);
}

/* A heap of KUNIT_GH_SHIFT pages with every other parameter at its default. */
static inline struct gh_heap *kunit_heap(struct kunit *test)
{
	struct gh_heap_params params = { .page_shift = KUNIT_GH_SHIFT, .name = "kunit" };
	struct gh_heap *h = gh_heap_create(&params);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	return h;
}

/*
 * The heap page sizes as a KUnit parameter (page_shift_gen_params, for
 * KUNIT_CASE_PARAM()), each case named "<size> B heap pages".
 */
#define KUNIT_GH_PAGE_SHIFT_PARAM()						\
	static const unsigned int kunit_gh_shifts[] = KUNIT_GH_SHIFTS;		\
	static void kunit_gh_shift_desc(const unsigned int *p, char *desc)	\
	{									\
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%lu B heap pages", 1UL << *p); \
	}									\
	KUNIT_ARRAY_PARAM(page_shift, kunit_gh_shifts, kunit_gh_shift_desc)

/*
 * A suite's .init and .exit for a private heap per case in test->priv: of
 * the case's page_shift parameter if it has one, else of KUNIT_GH_SHIFT.
 */
static inline int kunit_param_heap_init(struct kunit *test)
{
	struct gh_heap_params params = { .page_shift = KUNIT_GH_SHIFT, .name = "kunit" };
	struct gh_heap *h;

	if (test->param_value)
		params.page_shift = *(const unsigned int *)test->param_value;
	h = gh_heap_create(&params);
	if (IS_ERR(h))
		return PTR_ERR(h);
	test->priv = h;
	return 0;
}

static inline void kunit_param_heap_exit(struct kunit *test)
{
	gh_heap_destroy(test->priv);
}

/* Bad frees of @kind counted on @h so far. */
static inline long kunit_misuse(struct gh_heap *h, enum gh_misuse kind)
{
	return atomic_long_read(&h->misuse[kind]);
}

/*
 * Run validate on @h; its output in *@out (kunit-managed) unless @out is
 * NULL. Returns its error count.
 */
static inline unsigned long kunit_validate(struct kunit *test, struct gh_heap *h,
					   const char **out)
{
	struct seq_file m = { .size = PAGE_SIZE };
	unsigned long n;

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	n = gh_validate(h, &m);
	m.buf[min(m.count, m.size - 1)] = '\0';
	if (out)
		*out = m.buf;
	return n;
}

#endif /* _GOHEAP_KUNIT_HEAP_H */
