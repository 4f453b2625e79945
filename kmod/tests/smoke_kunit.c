// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_smoke: proves the KUnit plumbing itself (module loads, suites run,
 * results reach the host). Real suites live beside it, one per area.
 */
#include <kunit/test.h>
#include <linux/debugfs.h>

static void goheap_debugfs_dir_exists(struct kunit *test)
{
	struct dentry *d = debugfs_lookup("goheap", NULL);

	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, d);
	dput(d);
}

static struct kunit_case goheap_smoke_cases[] = {
	KUNIT_CASE(goheap_debugfs_dir_exists),
	{}
};

static struct kunit_suite goheap_smoke_suite = {
	.name = "goheap_smoke",
	.test_cases = goheap_smoke_cases,
};

kunit_test_suite(goheap_smoke_suite);

MODULE_DESCRIPTION("goheap KUnit suite goheap_smoke");
MODULE_LICENSE("GPL");
