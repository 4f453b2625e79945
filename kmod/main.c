// SPDX-License-Identifier: GPL-2.0
/*
 * goheap module entry: parameters, initialisation order and teardown.
 *
 * Bring-up: the CPU hotplug state, then the default heap (page heap ->
 * central lists -> per-CPU caches, see gh_heap_create()), then debugfs.
 * Teardown runs the same steps backwards, so no layer ever sees a lower
 * layer that is already gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/log2.h>
#include <linux/module.h>

#include "internal.h"
#include "pcpu.h"
#include "profile.h"
#include "stats.h"

static unsigned int heap_page_size;
module_param(heap_page_size, uint, 0444);
MODULE_PARM_DESC(heap_page_size,
		 "heap page size: 8192 (Go's) or 4096, or the page size of a kernel with larger pages; "
		 "0 (default): 8192, or that page size");

static unsigned int scavenge_idle_secs = 30;
module_param(scavenge_idle_secs, uint, 0444);
MODULE_PARM_DESC(scavenge_idle_secs,
		 "seconds free heap memory stays idle before it is given back (0: never)");

static unsigned long max_heap_bytes;
module_param(max_heap_bytes, ulong, 0444);
MODULE_PARM_DESC(max_heap_bytes, "most memory the heap may take for its pages (0: no limit)");

static unsigned long profile_rate = GH_PROFILE_RATE_DEFAULT;
module_param(profile_rate, ulong, 0444);
MODULE_PARM_DESC(profile_rate,
		 "bytes per heap profile sample on average, as Go's MemProfileRate (0: off)");

static char *debug;
module_param(debug, charp, 0444);
MODULE_PARM_DESC(debug,
		 "heap debug mode: letters P (poison), Z (red zones), U (call sites), or all");

static struct dentry *goheap_debugfs_root;

static int __init goheap_init(void)
{
	struct gh_heap_params params = { .name = "default" };
	struct gh_heap *h;
	int err;

	if (!heap_page_size)
		heap_page_size = max_t(unsigned long, SZ_8K, PAGE_SIZE);
	if (!is_power_of_2(heap_page_size) || !gh_page_shift_valid(ilog2(heap_page_size))) {
		if (PAGE_SIZE > SZ_8K)
			pr_err("heap_page_size must be %lu (this kernel's page size) or 0, not %u\n",
			       PAGE_SIZE, heap_page_size);
		else
			pr_err("heap_page_size must be 4096 or 8192, not %u\n", heap_page_size);
		return -EINVAL;
	}
	params.page_shift = ilog2(heap_page_size);
	params.limit_bytes = max_heap_bytes;
	if (profile_rate > GH_PROFILE_RATE_MAX) {
		pr_err("profile_rate must be at most %u, not %lu\n", GH_PROFILE_RATE_MAX,
		       profile_rate);
		return -EINVAL;
	}
	/* Without a stack depot there is nothing to record samples with. */
	if (!IS_ENABLED(CONFIG_STACKDEPOT))
		profile_rate = 0;
	params.profile_rate = profile_rate;
	if (gh_debug_parse(debug, &params.debug)) {
		pr_err("debug takes letters P, Z and U, or all, not \"%s\"\n", debug);
		return -EINVAL;
	}

	err = gh_hotplug_init();
	if (err)
		return err;
	h = gh_heap_create(&params);
	if (IS_ERR(h)) {
		err = PTR_ERR(h);
		goto err_hotplug;
	}
	goheap_default_heap = h;
	err = gh_release_start(h, scavenge_idle_secs);
	if (err)
		goto err_heap;
	goheap_debugfs_root = debugfs_create_dir("goheap", NULL);
	gh_debugfs_init(h, goheap_debugfs_root);
	gh_heaps_init(goheap_debugfs_root, scavenge_idle_secs);
	err = gh_dev_init();
	if (err)
		goto err_debugfs;
	pr_info("loaded: %u B heap pages, %u size classes%s%s%s%s\n", heap_page_size,
		GH_NR_SMALL, params.debug ? ", debug mode " : "",
		params.debug & GH_DEBUG_POISON ? "P" : "",
		params.debug & GH_DEBUG_REDZONE ? "Z" : "",
		params.debug & GH_DEBUG_TRACK ? "U" : "");
	return 0;

err_debugfs:
	debugfs_remove_recursive(goheap_debugfs_root);
	gh_release_stop(h);
err_heap:
	gh_heap_destroy(h);
	goheap_default_heap = NULL;
err_hotplug:
	gh_hotplug_exit();
	return err;
}

static void __exit goheap_exit(void)
{
	gh_dev_exit();
	gh_heaps_exit();
	debugfs_remove_recursive(goheap_debugfs_root);
	gh_release_stop(goheap_default_heap);
	gh_heap_destroy(goheap_default_heap);
	goheap_default_heap = NULL;
	gh_hotplug_exit();
	pr_info("unloaded\n");
}

module_init(goheap_init);
module_exit(goheap_exit);

MODULE_DESCRIPTION("Go/TCMalloc-style three-tier kernel memory allocator");
MODULE_AUTHOR("goheap developers");
MODULE_LICENSE("GPL");
