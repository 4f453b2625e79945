/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference goheap depends on, in one place.
 *
 * goheap targets Linux 6.1 (Debian 12) first. Where a later kernel changed
 * an API goheap uses, the difference is wrapped here and nowhere else:
 *
 *   6.3  vm_flags_set()/vm_flags_clear() replace writing vma->vm_flags
 *        directly (the flags became read-only outside those helpers);
 *        goheap calls gh_vm_flags_set()/gh_vm_flags_clear().
 *   6.7  shrinker_alloc()/shrinker_register()/shrinker_free() replace an
 *        embedded struct shrinker with register_shrinker() and
 *        unregister_shrinker().
 */
#ifndef _GOHEAP_COMPAT_H
#define _GOHEAP_COMPAT_H

#include <linux/mm.h>
#include <linux/shrinker.h>
#include <linux/version.h>

#include "goheap.h"

/* VMA flags, from an ->mmap handler (mmap_lock held for writing). */
static inline void gh_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
	vma->vm_flags |= flags;
#else
	vm_flags_set(vma, flags);
#endif
}

static inline void gh_vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
	vma->vm_flags &= ~flags;
#else
	vm_flags_clear(vma, flags);
#endif
}

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)

static inline struct gh_heap *gh_shrinker_heap(struct shrinker *s)
{
	return container_of(s, struct gh_heap, shrinker);
}

static inline int gh_shrinker_add(struct gh_heap *h,
				  unsigned long (*count)(struct shrinker *, struct shrink_control *),
				  unsigned long (*scan)(struct shrinker *, struct shrink_control *))
{
	h->shrinker.count_objects = count;
	h->shrinker.scan_objects = scan;
	h->shrinker.seeks = DEFAULT_SEEKS;
	return register_shrinker(&h->shrinker, "goheap-%s", h->name);
}

static inline void gh_shrinker_del(struct gh_heap *h)
{
	unregister_shrinker(&h->shrinker);
}

#else

static inline struct gh_heap *gh_shrinker_heap(struct shrinker *s)
{
	return s->private_data;
}

static inline int gh_shrinker_add(struct gh_heap *h,
				  unsigned long (*count)(struct shrinker *, struct shrink_control *),
				  unsigned long (*scan)(struct shrinker *, struct shrink_control *))
{
	h->shrinker = shrinker_alloc(0, "goheap-%s", h->name);
	if (!h->shrinker)
		return -ENOMEM;
	h->shrinker->count_objects = count;
	h->shrinker->scan_objects = scan;
	h->shrinker->private_data = h;
	shrinker_register(h->shrinker);
	return 0;
}

static inline void gh_shrinker_del(struct gh_heap *h)
{
	shrinker_free(h->shrinker);
}

#endif

#endif /* _GOHEAP_COMPAT_H */
