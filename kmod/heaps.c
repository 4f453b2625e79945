// SPDX-License-Identifier: GPL-2.0
/*
 * Private heaps: the exported goheap_heap_*() calls.
 *
 * A private heap is a complete heap of its own (struct gh_heap): its own
 * size classes, per-CPU caches, central lists and page heap, its own
 * statistics in /sys/kernel/debug/goheap/heaps/<name>/ (every file the
 * default heap has), its own shrinker and its own scavenger, with the
 * default heap's scavenge_idle_secs. An experiment that allocates from a
 * heap of its own sees only its own figures.
 *
 * Bad input changes nothing: a name that is empty, too long, has a
 * character other than a-z, 0-9, '_' and '-', or is taken gets -EINVAL or
 * -EEXIST; bad parameters -EINVAL; a heap that still has live objects is
 * not destroyed (-EBUSY, with a report of how many), so nothing is freed
 * under its users. A free into the wrong heap is an invalid free of the
 * heap it was given to, and its report names the heap that owns it.
 *
 * Heaps the module's users never destroyed are destroyed, with a warning,
 * when goheap unloads (after every user module is gone).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/goheap.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "internal.h"
#include "profile.h"
#include "stats.h"
#include "trace.h"

static_assert(GOHEAP_DEBUG_POISON == GH_DEBUG_POISON);
static_assert(GOHEAP_DEBUG_REDZONE == GH_DEBUG_REDZONE);
static_assert(GOHEAP_DEBUG_TRACK == GH_DEBUG_TRACK);

/**
 * struct goheap_heap - a private heap as its users hold it.
 * @h:		the heap.
 * @name:	its name, also its debugfs directory's.
 * @dir:	/sys/kernel/debug/goheap/heaps/<name>.
 * @node:	on gh_private_heaps.
 */
struct goheap_heap {
	struct gh_heap *h;
	char name[GOHEAP_HEAP_NAME_MAX + 1];
	struct dentry *dir;
	struct list_head node;
};

/* Every private heap; the mutex also orders create and destroy. */
static LIST_HEAD(gh_private_heaps);
static DEFINE_MUTEX(gh_private_heaps_lock);
static struct dentry *gh_heaps_dir;
static unsigned int gh_heaps_idle_secs;

static bool name_valid(const char *name)
{
	size_t i, len = strnlen(name, GOHEAP_HEAP_NAME_MAX + 1);

	if (!len || len > GOHEAP_HEAP_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!islower(name[i]) && !isdigit(name[i]) && name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

static struct goheap_heap *find_by_name(const char *name)
{
	struct goheap_heap *ph;

	lockdep_assert_held(&gh_private_heaps_lock);
	list_for_each_entry(ph, &gh_private_heaps, node)
		if (!strcmp(ph->name, name))
			return ph;
	return NULL;
}

/**
 * goheap_heap_create() - create a private heap.
 * @name: 1 to GOHEAP_HEAP_NAME_MAX characters of a-z, 0-9, '_' and '-',
 *	  unique among private heaps.
 * @params: heap page size, limit, debug options and profile rate; NULL
 *	    for defaults.
 *
 * Context: process; sleeps.
 * Return: the heap, or an ERR_PTR: -EINVAL for a bad name, page size,
 * debug flag or profile rate, -EEXIST for a name in use, -EOPNOTSUPP for
 * a profile rate on a kernel without CONFIG_STACKDEPOT, -ENOMEM.
 */
struct goheap_heap *goheap_heap_create(const char *name,
				       const struct goheap_heap_params *params)
{
	struct gh_heap_params p = { .page_shift = ilog2(max_t(unsigned long, SZ_8K, PAGE_SIZE)),
				    .profile_rate = IS_ENABLED(CONFIG_STACKDEPOT) ?
						    GOHEAP_PROFILE_RATE : 0 };
	struct goheap_heap *ph;
	struct gh_heap *h;
	int err;

	if (!name || !name_valid(name))
		return ERR_PTR(-EINVAL);
	if (params) {
		if (params->page_size &&
		    (!is_power_of_2(params->page_size) ||
		     !gh_page_shift_valid(ilog2(params->page_size))))
			return ERR_PTR(-EINVAL);
		if (params->page_size)
			p.page_shift = ilog2(params->page_size);
		if (params->debug & ~GOHEAP_DEBUG_ALL)
			return ERR_PTR(-EINVAL);
		p.debug = params->debug;
		p.limit_bytes = params->limit_bytes;
		if (params->profile_rate < GOHEAP_PROFILE_OFF ||
		    params->profile_rate > GH_PROFILE_RATE_MAX)
			return ERR_PTR(-EINVAL);
		if (params->profile_rate)
			p.profile_rate = max(params->profile_rate, 0L);
	}
	ph = kzalloc(sizeof(*ph), GFP_KERNEL);
	if (!ph)
		return ERR_PTR(-ENOMEM);
	strscpy(ph->name, name, sizeof(ph->name));
	p.name = ph->name;

	mutex_lock(&gh_private_heaps_lock);
	err = -EEXIST;
	if (find_by_name(name))
		goto err_unlock;
	h = gh_heap_create(&p);
	err = PTR_ERR_OR_ZERO(h);
	if (err)
		goto err_unlock;
	err = gh_release_start(h, gh_heaps_idle_secs);
	if (err)
		goto err_heap;
	ph->h = h;
	ph->dir = debugfs_create_dir(ph->name, gh_heaps_dir);
	gh_debugfs_init(h, ph->dir);
	list_add_tail(&ph->node, &gh_private_heaps);
	mutex_unlock(&gh_private_heaps_lock);
	return ph;

err_heap:
	gh_heap_destroy(h);
err_unlock:
	mutex_unlock(&gh_private_heaps_lock);
	kfree(ph);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(goheap_heap_create);

/* Take @ph apart; its heap must be quiescent. */
static void heap_teardown(struct goheap_heap *ph)
{
	lockdep_assert_held(&gh_private_heaps_lock);
	list_del(&ph->node);
	debugfs_remove_recursive(ph->dir);
	gh_release_stop(ph->h);
	gh_heap_destroy(ph->h);
	kfree(ph);
}

/**
 * goheap_heap_destroy() - destroy a private heap that holds no object.
 * @heap: from goheap_heap_create(); NULL is ignored.
 *
 * Every cache is drained first. If an object is still allocated the heap
 * is left as it was, usable, and the number of live objects and their
 * bytes are reported, as kmem_cache_destroy() reports a cache that still
 * has objects (the caller frees them and destroys it again).
 *
 * Context: process; sleeps. Nobody may allocate from @heap meanwhile.
 * Return: 0, or -EBUSY when objects are live.
 */
int goheap_heap_destroy(struct goheap_heap *heap)
{
	u64 ms[GH_MS_NR];

	if (!heap)
		return 0;
	mutex_lock(&gh_private_heaps_lock);
	gh_free_rcu_barrier(heap->h);
	gh_drain_caches(heap->h);
	gh_read_memstats(heap->h, ms);
	if (ms[GH_MS_HEAP_OBJECTS]) {
		mutex_unlock(&gh_private_heaps_lock);
		pr_err("heap %s not destroyed: %llu objects (%llu bytes) still allocated\n",
		       heap->name, ms[GH_MS_HEAP_OBJECTS], ms[GH_MS_HEAP_ALLOC]);
		return -EBUSY;
	}
	heap_teardown(heap);
	mutex_unlock(&gh_private_heaps_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(goheap_heap_destroy);

/**
 * goheap_heap_alloc() - allocate from a private heap.
 * @heap: the heap.
 * @size: bytes, as for goheap_alloc().
 * @gfp: allocation context.
 *
 * Context: as goheap_alloc().
 * Return: the memory, or NULL.
 */
void *goheap_heap_alloc(struct goheap_heap *heap, size_t size, gfp_t gfp)
{
	if (trace_goheap_alloc_enabled())
		return gh_alloc_traced(heap->h, size, gfp, _RET_IP_);
	return __gh_alloc(heap->h, size, gfp);
}
EXPORT_SYMBOL_GPL(goheap_heap_alloc);

/**
 * goheap_heap_free() - free memory of a private heap.
 * @heap: the heap it was allocated from.
 * @ptr: the memory; NULL and ZERO_SIZE_PTR are ignored.
 *
 * A pointer of another heap is an invalid free of @heap: counted,
 * reported with the heap it belongs to, and otherwise ignored.
 *
 * Context: any; never sleeps.
 */
void goheap_heap_free(struct goheap_heap *heap, const void *ptr)
{
	__gh_free(heap->h, ptr, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_heap_free);

/**
 * goheap_heap_usable_size() - goheap_usable_size() for a private heap.
 * @heap: the heap.
 * @ptr: a live object of @heap.
 *
 * Context: any.
 * Return: the usable bytes; 0 if @ptr is not a live object of @heap.
 */
size_t goheap_heap_usable_size(struct goheap_heap *heap, const void *ptr)
{
	return gh_usable_size(heap->h, ptr);
}
EXPORT_SYMBOL_GPL(goheap_heap_usable_size);

/**
 * goheap_heap_realloc() - goheap_realloc() for a private heap.
 * @heap: the heap.
 * @ptr: a live object of @heap, or NULL or ZERO_SIZE_PTR.
 * @new_size: bytes wanted; 0 frees @ptr.
 * @gfp: allocation context.
 *
 * Context: as goheap_alloc().
 * Return: as goheap_realloc().
 */
void *goheap_heap_realloc(struct goheap_heap *heap, const void *ptr, size_t new_size, gfp_t gfp)
{
	return __gh_realloc(heap->h, ptr, new_size, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_heap_realloc);

/**
 * gh_heap_of() - the heap behind a private heap handle.
 * @heap: a private heap.
 *
 * For goheap's own tests, which look at its internals.
 *
 * Return: the struct gh_heap.
 */
struct gh_heap *gh_heap_of(struct goheap_heap *heap)
{
	return heap->h;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_heap_of);

/**
 * gh_heaps_init() - prepare for private heaps.
 * @root: goheap's debugfs directory.
 * @idle_secs: the scavenger's idle time for every private heap.
 *
 * Context: module init.
 */
void gh_heaps_init(struct dentry *root, unsigned int idle_secs)
{
	gh_heaps_dir = debugfs_create_dir("heaps", root);
	gh_heaps_idle_secs = idle_secs;
}

/**
 * gh_heaps_exit() - destroy the private heaps nobody destroyed.
 *
 * Their users are gone (each held a reference on goheap), so no object of
 * theirs can be used any more: each is destroyed, live objects or not,
 * with a warning naming it.
 *
 * Context: module exit, before debugfs goes.
 */
void gh_heaps_exit(void)
{
	struct goheap_heap *ph, *tmp;

	mutex_lock(&gh_private_heaps_lock);
	list_for_each_entry_safe(ph, tmp, &gh_private_heaps, node) {
		pr_warn("heap %s was never destroyed; destroying it\n", ph->name);
		heap_teardown(ph);
	}
	mutex_unlock(&gh_private_heaps_lock);
}
