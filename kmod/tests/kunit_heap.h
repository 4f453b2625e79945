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

/* A heap of 8 KiB pages with every other parameter at its default. */
static inline struct gh_heap *kunit_heap(struct kunit *test)
{
	struct gh_heap_params params = { .page_shift = 13, .name = "kunit" };
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
