/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goheap: the in-kernel API.
 *
 * A module that wants to allocate through goheap includes this header and
 * builds with goheap's Module.symvers (KBUILD_EXTRA_SYMBOLS). The calls
 * follow kmalloc()'s contract; see Documentation/design.rst.
 */
#ifndef _LINUX_GOHEAP_H
#define _LINUX_GOHEAP_H

#include <linux/gfp.h>
#include <linux/overflow.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* Largest object goheap_alloc() can return (one 4 MiB chunk). */
#define GOHEAP_MAX_ALLOC	(4UL << 20)
/* goheap_alloc_tiny() packs requests below this size. */
#define GOHEAP_TINY_MAX		16

void *goheap_alloc(size_t size, gfp_t gfp);
void *goheap_alloc_tiny(size_t size, gfp_t gfp);
void goheap_free(const void *ptr);
size_t goheap_usable_size(const void *ptr);
int goheap_alloc_bulk(size_t size, gfp_t gfp, size_t nr, void **p);
void goheap_free_bulk(size_t nr, void **p);
void *goheap_realloc(const void *p, size_t new_size, gfp_t gfp);
void *goheap_alloc_node(size_t size, gfp_t gfp, int node);
size_t goheap_size_roundup(size_t size);
void __goheap_free_rcu(const void *ptr, size_t head_offset);

/* Private heaps (kmod/heaps.c): a heap of one's own, with its own figures. */
struct goheap_heap;

/* Longest private heap name: a-z, 0-9, '_' and '-'. */
#define GOHEAP_HEAP_NAME_MAX	31

/* Debug options of a private heap, as the module's debug= letters. */
#define GOHEAP_DEBUG_POISON	0x1	/* P: poison freed objects */
#define GOHEAP_DEBUG_REDZONE	0x2	/* Z: red zone after each object */
#define GOHEAP_DEBUG_TRACK	0x4	/* U: allocation and free call sites */
#define GOHEAP_DEBUG_ALL	(GOHEAP_DEBUG_POISON | GOHEAP_DEBUG_REDZONE | GOHEAP_DEBUG_TRACK)

/**
 * struct goheap_heap_params - how to build a private heap.
 * @page_size:	 heap page size in bytes: 8192 (Go's) or 4096; on a kernel
 *		 with larger pages only its page size; 0 for the default
 *		 (8192, or that page size).
 * @limit_bytes: most memory the heap may take for its pages (0: no limit).
 * @debug:	 GOHEAP_DEBUG_* options.
 * @profile_rate: bytes allocated per heap profile sample, on average, as
 *		 Go's MemProfileRate: 0 for the default (GOHEAP_PROFILE_RATE,
 *		 512 KiB), GOHEAP_PROFILE_OFF for none, at most 1 GiB. The
 *		 heap's debugfs file profile_rate changes it later.
 */
struct goheap_heap_params {
	unsigned int page_size;
	unsigned long limit_bytes;
	unsigned int debug;
	long profile_rate;
};

/* The heap profiler's default rate, and the rate that turns it off. */
#define GOHEAP_PROFILE_RATE	(512 * 1024)
#define GOHEAP_PROFILE_OFF	(-1L)

struct goheap_heap *goheap_heap_create(const char *name,
				       const struct goheap_heap_params *params);
int goheap_heap_destroy(struct goheap_heap *heap);
void *goheap_heap_alloc(struct goheap_heap *heap, size_t size, gfp_t gfp);
void goheap_heap_free(struct goheap_heap *heap, const void *ptr);
size_t goheap_heap_usable_size(struct goheap_heap *heap, const void *ptr);
void *goheap_heap_realloc(struct goheap_heap *heap, const void *ptr, size_t new_size,
			  gfp_t gfp);

/**
 * goheap_zalloc() - allocate zeroed memory.
 * @size: bytes.
 * @gfp: allocation context.
 *
 * Return: as goheap_alloc().
 */
static inline void *goheap_zalloc(size_t size, gfp_t gfp)
{
	return goheap_alloc(size, gfp | __GFP_ZERO);
}

/**
 * goheap_alloc_array() - allocate memory for an array.
 * @n: number of elements.
 * @size: bytes per element.
 * @gfp: allocation context.
 *
 * As kmalloc_array(): fails when @n * @size overflows.
 *
 * Return: as goheap_alloc(); NULL on overflow.
 */
static inline void *goheap_alloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return goheap_alloc(bytes, gfp);
}

/**
 * goheap_calloc() - allocate zeroed memory for an array.
 * @n: number of elements.
 * @size: bytes per element.
 * @gfp: allocation context.
 *
 * As kcalloc(): fails when @n * @size overflows.
 *
 * Return: as goheap_alloc(); NULL on overflow.
 */
static inline void *goheap_calloc(size_t n, size_t size, gfp_t gfp)
{
	return goheap_alloc_array(n, size, gfp | __GFP_ZERO);
}

/**
 * goheap_free_rcu() - free an object after an RCU grace period.
 * @ptr: object from goheap_alloc() (not a packed tiny object), or NULL.
 * @rhf: name of the struct rcu_head member of *@ptr.
 *
 * As kfree_rcu(ptr, rhf): the object is freed once every RCU reader that
 * may see it is done. goheap unloads only after every deferred free ran.
 *
 * Context: any; never sleeps.
 */
#define goheap_free_rcu(ptr, rhf)						\
	do {									\
		typeof(ptr) ___p = (ptr);					\
										\
		__goheap_free_rcu(___p, offsetof(typeof(*___p), rhf));		\
	} while (0)

#endif /* _LINUX_GOHEAP_H */
