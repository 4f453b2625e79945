// SPDX-License-Identifier: GPL-2.0
/*
 * goheap and the kernel's memory sanitizers: what is not inline in
 * sanitize.h.
 */
#include <linux/kmemleak.h>

#include "internal.h"
#include "sanitize.h"

/**
 * gh_san_span_gone() - a heap is destroyed with @s still in use.
 * @s: small or large span whose pages are about to go back.
 *
 * Its live objects were leaked by their users; kmemleak forgets them
 * before their memory goes back to the buddy allocator, where it must not
 * be scanned any more.
 *
 * Context: process, heap destruction.
 */
void gh_san_span_gone(struct gh_span *s)
{
	unsigned int i;

	if (!IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) || s->kind == GH_SPAN_RAW)
		return;
	for (i = 0; i < s->nelems; i++) {
		if (gh_obj_live(READ_ONCE(s->objstate[i])))
			kmemleak_free((void *)(s->base + (unsigned long)i * s->elemsize));
	}
}

/**
 * gh_san_kasan() - whether goheap poisons its objects for KASAN.
 *
 * Return: true on a kernel with generic KASAN and kasan_poison().
 */
bool gh_san_kasan(void)
{
	return GH_KASAN;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_san_kasan);
