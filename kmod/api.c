// SPDX-License-Identifier: GPL-2.0
/*
 * The exported in-kernel API (include/linux/goheap.h): thin wrappers that
 * route every call to the module's default heap.
 */
#include <linux/export.h>
#include <linux/goheap.h>

#include "internal.h"
#include "trace.h"

static_assert(GOHEAP_MAX_ALLOC == GH_MAX_ALLOC);
static_assert(GOHEAP_TINY_MAX == GH_TINY_SIZE);

struct gh_heap *goheap_default_heap;
EXPORT_SYMBOL_GH_INTERNAL(goheap_default_heap);

/**
 * goheap_alloc() - allocate memory.
 * @size: bytes; 0 returns ZERO_SIZE_PTR, more than GOHEAP_MAX_ALLOC fails.
 * @gfp: allocation context and modifiers, as for kmalloc().
 *
 * Objects up to 32 KiB come from Go's size classes through the per-CPU
 * caches; larger ones get a span of their own. Power-of-two sizes are
 * naturally aligned, everything else is at least 8-byte aligned.
 *
 * Context: any context @gfp is valid in (GFP_ATOMIC or GFP_NOWAIT in
 * hardirq, softirq or with locks held); sleeps only if @gfp allows.
 * Return: the memory, or NULL.
 */
void *goheap_alloc(size_t size, gfp_t gfp)
{
	if (trace_goheap_alloc_enabled())
		return gh_alloc_traced(goheap_default_heap, size, gfp, _RET_IP_);
	return __gh_alloc(goheap_default_heap, size, gfp);
}
EXPORT_SYMBOL_GPL(goheap_alloc);

/**
 * goheap_alloc_tiny() - allocate a small object that may share 16 bytes.
 * @size: bytes; below GOHEAP_TINY_MAX they are packed with other tiny
 *        objects, otherwise this is goheap_alloc().
 * @gfp: allocation context.
 *
 * Packed objects are aligned only to their size's natural alignment (a
 * 3-byte object may start at any byte), which is why this is opt-in.
 * goheap_usable_size() of a packed object is its size. One the heap
 * profiler samples is a small object of its own instead, with its
 * class's usable size (goheap_size_roundup()).
 *
 * Context: as goheap_alloc().
 * Return: the memory, or NULL.
 */
void *goheap_alloc_tiny(size_t size, gfp_t gfp)
{
	if (!size || size >= GH_TINY_SIZE) {
		if (trace_goheap_alloc_enabled())
			return gh_alloc_traced(goheap_default_heap, size, gfp, _RET_IP_);
		return __gh_alloc(goheap_default_heap, size, gfp);
	}
	might_alloc(gfp);
	return __gh_tiny_alloc(goheap_default_heap, size, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_alloc_tiny);

/**
 * goheap_free() - free memory from goheap_alloc() or goheap_alloc_tiny().
 * @ptr: the memory; NULL and ZERO_SIZE_PTR are ignored.
 *
 * A pointer goheap never handed out, one inside an object, or one already
 * freed is reported once (rate-limited), counted in the misuse statistics,
 * and otherwise ignored.
 *
 * Context: any; never sleeps.
 */
void goheap_free(const void *ptr)
{
	__gh_free(goheap_default_heap, ptr, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_free);

/**
 * goheap_usable_size() - bytes that may be used in an object.
 * @ptr: a live object.
 *
 * Context: any.
 * Return: at least the size asked for; 0 for NULL, ZERO_SIZE_PTR or a
 * pointer that is not a live goheap object.
 */
size_t goheap_usable_size(const void *ptr)
{
	return gh_usable_size(goheap_default_heap, ptr);
}
EXPORT_SYMBOL_GPL(goheap_usable_size);

/**
 * goheap_alloc_bulk() - allocate many objects of one size.
 * @size: bytes per object.
 * @gfp: allocation context.
 * @nr: number of objects.
 * @p: array to fill.
 *
 * Like kmem_cache_alloc_bulk(): all or nothing.
 *
 * Context: as goheap_alloc().
 * Return: @nr, or 0 with nothing allocated.
 */
int goheap_alloc_bulk(size_t size, gfp_t gfp, size_t nr, void **p)
{
	return __gh_alloc_bulk(goheap_default_heap, size, gfp, nr, p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_alloc_bulk);

/**
 * goheap_free_bulk() - free many objects.
 * @nr: number of objects.
 * @p: the objects.
 *
 * Context: any; never sleeps.
 */
void goheap_free_bulk(size_t nr, void **p)
{
	__gh_free_bulk(goheap_default_heap, nr, p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_free_bulk);

/**
 * goheap_alloc_node() - allocate memory, preferring a NUMA node.
 * @size: bytes, as for goheap_alloc().
 * @gfp: allocation context; with __GFP_THISNODE a large object must be on
 *	 @node.
 * @node: node, or NUMA_NO_NODE (then this is goheap_alloc()).
 *
 * Large objects (over 32 KiB) get a span on @node. Small and tiny ones
 * come from the per-CPU caches as for goheap_alloc(): goheap does not keep
 * its size classes per node, so their node is the one the heap grew on.
 *
 * Context: as goheap_alloc().
 * Return: the memory; NULL on failure or for a node that is not online.
 */
void *goheap_alloc_node(size_t size, gfp_t gfp, int node)
{
	return __gh_alloc_node(goheap_default_heap, size, gfp, node, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_alloc_node);

/**
 * goheap_realloc() - resize memory from goheap_alloc().
 * @p: the object, or NULL or ZERO_SIZE_PTR (then this is goheap_alloc()).
 * @new_size: bytes wanted; 0 frees @p and returns ZERO_SIZE_PTR.
 * @gfp: allocation context and flags.
 *
 * krealloc()'s contract: the object stays where it is while @new_size fits
 * its usable size, else it moves with its contents; on failure @p is left
 * as it was. A pointer that is not a live object is reported and counted
 * as a bad free would be, and NULL is returned.
 *
 * Context: as goheap_alloc().
 * Return: the object, ZERO_SIZE_PTR, or NULL.
 */
void *goheap_realloc(const void *p, size_t new_size, gfp_t gfp)
{
	return __gh_realloc(goheap_default_heap, p, new_size, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_realloc);

/**
 * goheap_size_roundup() - the usable size goheap_alloc() gives a request.
 * @size: bytes that would be asked for.
 *
 * As kmalloc_size_roundup(): goheap_usable_size() of an object of @size
 * will be this.
 *
 * Context: any.
 * Return: the usable size; 0 for 0; @size when it is over GOHEAP_MAX_ALLOC.
 */
size_t goheap_size_roundup(size_t size)
{
	return gh_size_roundup(goheap_default_heap, size);
}
EXPORT_SYMBOL_GPL(goheap_size_roundup);

/**
 * __goheap_free_rcu() - goheap_free_rcu() itself.
 * @ptr: live object, or NULL or ZERO_SIZE_PTR (ignored).
 * @head_offset: offset of the struct rcu_head inside it.
 *
 * Context: any; never sleeps.
 */
void __goheap_free_rcu(const void *ptr, size_t head_offset)
{
	if (ZERO_OR_NULL_PTR(ptr))
		return;
	__gh_free_rcu(goheap_default_heap, ptr, (struct rcu_head *)(ptr + head_offset),
		      _RET_IP_);
}
EXPORT_SYMBOL_GPL(__goheap_free_rcu);
