/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by goheap's KUnit suites: a private heap that the test
 * owns, and a run of debugfs validate on it.
 */
#ifndef _GOHEAP_KUNIT_HEAP_H
#define _GOHEAP_KUNIT_HEAP_H

#include <kunit/test.h>
#include <linux/seq_file.h>

#include "goheap.h"

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
