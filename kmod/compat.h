/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference goheap depends on, in one place.
 *
 * goheap targets Linux 6.1 (Debian 12) first. Where a later kernel changed
 * an API goheap uses, the difference is wrapped here and nowhere else:
 *
 *   6.3  vm_flags_set()/vm_flags_clear() replace writing vma->vm_flags
 *        directly (the flags became read-only outside those helpers);
 *        goheap calls gh_vm_flags_set()/gh_vm_flags_clear()
 *        (GH_HAVE_VM_FLAGS_SET).
 *   6.7  shrinker_alloc()/shrinker_register()/shrinker_free() replace an
 *        embedded struct shrinker with register_shrinker() and
 *        unregister_shrinker() (GH_HAVE_SHRINKER_ALLOC).
 *
 * One internal interface is used too, only on kernels with generic KASAN:
 * kasan_poison(), exported by mm/kasan/shadow.c but declared only in
 * mm/kasan/kasan.h, which sets the shadow of a range to one value, as the
 * slab allocators do for their objects (GH_HAVE_KASAN_POISON: the
 * declaration was found with the 6.1 signature). Without it goheap's
 * objects are simply not poisoned.
 *
 * The GH_HAVE_* macros come from kmod/Kbuild, which looks for each API in
 * the headers of the kernel being built against, so no version numbers
 * (and no distribution backports) need to be guessed.
 */
#ifndef _GOHEAP_COMPAT_H
#define _GOHEAP_COMPAT_H

#include <linux/kasan.h>
#include <linux/mm.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

#include "goheap.h"

/* VMA flags, from an ->mmap handler (mmap_lock held for writing). */
static inline void gh_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef GH_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void gh_vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef GH_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

typedef unsigned long (*gh_shrink_fn)(struct shrinker *, struct shrink_control *);

#ifndef GH_HAVE_SHRINKER_ALLOC

/* Before 6.7 a shrinker is embedded by its user and has no private data. */
struct gh_shrinker {
	struct shrinker s;
	struct gh_heap *h;
};

static inline struct gh_heap *gh_shrinker_heap(struct shrinker *s)
{
	return container_of(s, struct gh_shrinker, s)->h;
}

static inline int gh_shrinker_add(struct gh_heap *h, gh_shrink_fn count, gh_shrink_fn scan)
{
	struct gh_shrinker *gs = kzalloc(sizeof(*gs), GFP_KERNEL);
	int err;

	if (!gs)
		return -ENOMEM;
	gs->h = h;
	gs->s.count_objects = count;
	gs->s.scan_objects = scan;
	gs->s.seeks = DEFAULT_SEEKS;
	err = register_shrinker(&gs->s, "goheap-%s", h->name);
	if (err) {
		kfree(gs);
		return err;
	}
	h->shrinker = gs;
	return 0;
}

static inline void gh_shrinker_del(struct gh_heap *h)
{
	struct gh_shrinker *gs = h->shrinker;

	unregister_shrinker(&gs->s);
	kfree(gs);
}

#else

static inline struct gh_heap *gh_shrinker_heap(struct shrinker *s)
{
	return s->private_data;
}

static inline int gh_shrinker_add(struct gh_heap *h, gh_shrink_fn count, gh_shrink_fn scan)
{
	struct shrinker *s = shrinker_alloc(0, "goheap-%s", h->name);

	if (!s)
		return -ENOMEM;
	s->count_objects = count;
	s->scan_objects = scan;
	s->private_data = h;
	shrinker_register(s);
	h->shrinker = s;
	return 0;
}

static inline void gh_shrinker_del(struct gh_heap *h)
{
	shrinker_free(h->shrinker);
}

#endif

#if defined(CONFIG_KASAN_GENERIC) && defined(GH_HAVE_KASAN_POISON)
#define GH_KASAN 1
void kasan_poison(const void *addr, size_t size, u8 value, bool init);

/* Shadow granule and the values goheap writes (from mm/kasan/kasan.h). */
#define GH_KASAN_GRANULE	BIT(KASAN_SHADOW_SCALE_SHIFT)
#define GH_KASAN_PAGE_FREE	0xFF	/* reported as use-after-free */
#define GH_KASAN_REDZONE	0xFC	/* reported as slab-out-of-bounds */
#define GH_KASAN_OBJ_FREE	0xFB	/* reported as use-after-free */

/* Make @size bytes at granule-aligned @p inaccessible, reported as @why. */
static inline void gh_kasan_poison(const void *p, size_t size, u8 why)
{
	kasan_poison(p, round_up(size, GH_KASAN_GRANULE), why, false);
}

/* Make exactly @size bytes at granule-aligned @p accessible. */
static inline void gh_kasan_unpoison(const void *p, size_t size)
{
	size_t whole = round_down(size, GH_KASAN_GRANULE);

	kasan_poison(p, whole, 0, false);
	if (size != whole)
		kasan_poison(p + whole, GH_KASAN_GRANULE, size - whole, false);
}
#else
#define GH_KASAN 0
static inline void gh_kasan_poison(const void *p, size_t size, u8 why) { }
static inline void gh_kasan_unpoison(const void *p, size_t size) { }
#define GH_KASAN_PAGE_FREE	0
#define GH_KASAN_REDZONE	0
#define GH_KASAN_OBJ_FREE	0
#endif

#endif /* _GOHEAP_COMPAT_H */
