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

#endif /* _LINUX_GOHEAP_H */
