/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goheap and the kernel's memory sanitizers: KASAN and kmemleak.
 *
 * An "object" here is what one state byte of a span describes (see enum
 * gh_objstate): a small object, a large object's span, or a 16 B tiny
 * block. The rules, which hold on kernels built with generic KASAN:
 *
 *  - memory of the page heap that is in no span is poisoned as freed
 *    pages: chunks when they arrive, spans when they go back;
 *  - a live object is accessible for exactly the bytes asked for; the rest
 *    of its slot (class size or span) is a red zone, reported as
 *    out-of-bounds;
 *  - an object in a cache, or free in its span, is poisoned as freed, so
 *    a use after free is reported by KASAN;
 *  - raw spans (handed out whole, for /dev/goheap) are accessible.
 *
 * goheap never touches the memory of an object that is not live (its
 * metadata lives outside the spans), so these rules cost nothing but the
 * shadow writes. gh_usable_size() opens the whole slot, as ksize() does.
 *
 * With kmemleak, each live object is registered (kmemleak_alloc() on the
 * way out, kmemleak_free() on the way back), so the objects are scanned
 * for pointers and an object nothing points to any more is reported as a
 * leak of whoever allocated it. Tiny objects are covered through their
 * block. Objects still live when a heap is destroyed are unregistered
 * before their pages go back (gh_san_span_gone()). goheap's own metadata
 * is hidden from kmemleak (gh_san_meta()): the caches' arrays keep stale
 * pointers to objects handed out long ago, and span and chunk descriptors
 * point at the first object of their memory, so scanning them would make
 * every such object look referenced and hide its leak.
 *
 * Without KASAN and kmemleak every hook below compiles to the
 * init_on_alloc/init_on_free clearing that the kmalloc contract asks for.
 */
#ifndef _GOHEAP_SANITIZE_H
#define _GOHEAP_SANITIZE_H

#include <linux/kmemleak.h>
#include <linux/mm.h>

#include "compat.h"
#include "internal.h"

/**
 * gh_san_alloc() - an object is handed out.
 * @p: the object.
 * @size: bytes asked for (accessible).
 * @usable: bytes of its slot (class size, or span bytes).
 * @gfp: the caller's flags (__GFP_ZERO, init_on_alloc).
 */
static __always_inline void gh_san_alloc(void *p, size_t size, size_t usable, gfp_t gfp)
{
	bool init = want_init_on_alloc(gfp);

	if (GH_KASAN) {
		gh_kasan_unpoison(p, usable);
		if (init)
			memset(p, 0, usable);
		if (size < usable)
			gh_kasan_unpoison(p, size);
		if (round_up(size, 8) < usable)
			gh_kasan_poison(p + round_up(size, 8), usable - round_up(size, 8),
					GH_KASAN_REDZONE);
	} else if (init) {
		memset(p, 0, usable);
	}
	kmemleak_alloc(p, size, 1, gfp);
}

/**
 * gh_san_free() - an object comes back from its user.
 * @p: the object, still live.
 * @usable: bytes of its slot.
 */
static __always_inline void gh_san_free(void *p, size_t usable)
{
	kmemleak_free(p);
	if (want_init_on_free()) {
		gh_kasan_unpoison(p, usable);
		memset(p, 0, usable);
	}
	gh_kasan_poison(p, usable, GH_KASAN_OBJ_FREE);
}

/**
 * gh_san_open() - make a live object's whole slot accessible.
 * @p: the object.
 * @usable: bytes of its slot.
 *
 * For gh_usable_size(): its callers may use every byte it reports.
 */
static inline void gh_san_open(const void *p, size_t usable)
{
	gh_kasan_unpoison(p, usable);
}

/**
 * gh_san_resize() - a live object kept in its slot with a new size.
 * @p: the object.
 * @size: bytes now in use (accessible).
 * @usable: bytes of its slot.
 *
 * For a resize in place (gh_realloc()): the rest of the slot becomes the
 * red zone again.
 */
static inline void gh_san_resize(void *p, size_t size, size_t usable)
{
	gh_kasan_unpoison(p, size);
	if (round_up(size, 8) < usable)
		gh_kasan_poison(p + round_up(size, 8), usable - round_up(size, 8),
				GH_KASAN_REDZONE);
}

/**
 * gh_san_pages_free() - page heap memory no span uses any more.
 * @p: first byte.
 * @bytes: length.
 */
static inline void gh_san_pages_free(const void *p, size_t bytes)
{
	gh_kasan_poison(p, bytes, GH_KASAN_PAGE_FREE);
}

/**
 * gh_san_pages_open() - page heap memory handed out whole (a raw span).
 * @p: first byte.
 * @bytes: length.
 */
static inline void gh_san_pages_open(const void *p, size_t bytes)
{
	gh_kasan_unpoison(p, bytes);
}

/**
 * gh_san_meta() - goheap metadata, never a reference to an object.
 * @meta: a kmalloc()ed descriptor or cache array.
 *
 * kmemleak neither scans it nor reports it (it is reached through the
 * heap's own structures).
 */
static inline void gh_san_meta(const void *meta)
{
	kmemleak_ignore(meta);
}

void gh_san_span_gone(struct gh_span *s);
bool gh_san_kasan(void);

#endif /* _GOHEAP_SANITIZE_H */
