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
 * The GH_HAVE_* macros come from kmod/Kbuild, which looks for each API in
 * the headers of the kernel being built against, so no version numbers
 * (and no distribution backports) need to be guessed.
 */
#ifndef _GOHEAP_COMPAT_H
#define _GOHEAP_COMPAT_H

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

#endif /* _GOHEAP_COMPAT_H */
