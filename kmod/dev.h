/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/goheap internals, shared by dev.c (the device, its open files and
 * ioctls), devspan.c (the spans handed to user space) and devmap.c (mmap).
 *
 * A user span (struct gh_uspan) lives as long as its kref, which counts:
 *
 *   - the handle table of the open file that allocated it, until
 *     GOHEAP_IOC_SPAN_FREE (refused while @maps is non-zero) or ->release;
 *   - each VMA that maps it (taken in ->mmap and vm_ops->open, on fork and
 *     VMA splits; dropped in vm_ops->close);
 *   - each ioctl working on it.
 *
 * A VMA also holds its file (vm_file), so ->release runs only after the
 * last descriptor is closed and the last mapping is gone, and the file pins
 * the module (fops.owner). When the last reference to a span goes, its
 * memory goes back (scattered pages to the page allocator, heap spans to the
 * page heap), but only once nothing else holds a reference to any of its
 * pages (a pipe's from vmsplice, or a GUP pin, outlives the mapping); until
 * then the span waits on a deferred list, pinning the module. The span's
 * charge (devcharge.c) lasts until that moment.
 *
 * Locking: the xa_lock of gh_dev_file.spans (a spinlock) protects the
 * handle table, gh_dev_file.pages and .heap_pages and the check-and-erase of
 * GOHEAP_IOC_SPAN_FREE against ->mmap's lookup-and-map; nothing sleeps or
 * touches user memory under it. ->mmap takes it under mmap_lock. @maps only
 * goes from 0 to 1 under it; vm_ops->open increments it from a VMA that
 * already holds one.
 */
#ifndef _GOHEAP_DEV_H
#define _GOHEAP_DEV_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "internal.h"

/* Each handle owns 4 MiB of the device's mmap offsets: one chunk's worth. */
#define GH_DEV_OFF_SHIFT	22
#define GH_DEV_PGOFF_SHIFT	(GH_DEV_OFF_SHIFT - PAGE_SHIFT)
/* Handles 1 .. GH_DEV_MAX_HANDLE; offsets fit a 32-bit mmap2() pgoff too. */
#define GH_DEV_MAX_HANDLE	((1U << 20) - 1)

/**
 * struct gh_uspan - a span handed to user space.
 * @ref:	references, see the top of this file.
 * @maps:	VMAs mapping the span.
 * @faults:	page faults served through its mappings.
 * @heap:	heap of @span.
 * @span:	the page-heap span, or NULL for a scattered span.
 * @owner:	the user charged for the pages until they are back
 *		(devcharge.c).
 * @deferred:	link on the deferred-free list.
 * @handle:	handle in the owning file; set before the span is published.
 * @flags:	GOHEAP_SPAN_* flags given at allocation.
 * @npages:	length in heap pages.
 * @page_shift:	log2 of the heap page size.
 * @nr_hw:	length in hardware pages.
 * @runs:	runs of physically consecutive hardware pages.
 * @pages:	every hardware page, in span order.
 *
 * Everything but @ref, @maps and @faults is set at creation and constant.
 */
struct gh_uspan {
	struct kref ref;
	atomic_t maps;
	atomic64_t faults;
	struct gh_heap *heap;
	struct gh_span *span;
	struct gh_dev_user *owner;
	struct list_head deferred;
	u32 handle;
	u32 flags;
	u32 npages;
	u32 page_shift;
	u32 nr_hw;
	u32 runs;
	struct page *pages[];
};

/**
 * struct gh_dev_file - one open file of /dev/goheap.
 * @spans:	handle -> struct gh_uspan; its xa_lock is the file's lock.
 * @next_handle: cursor for cyclic handle allocation.
 * @pages:	heap pages of the spans in @spans, reserved before they exist;
 *		xa_lock.
 * @heap_pages:	of those, the pages of published spans from the heap (not
 *		scattered); xa_lock.
 * @pfns_ok:	the opener had CAP_SYS_ADMIN (PFNs also need it at call time).
 * @stats_ok:	the opener had CAP_PERFMON or CAP_SYS_ADMIN (heap-wide
 *		statistics also need one of them at call time).
 */
struct gh_dev_file {
	struct xarray spans;
	u32 next_handle;
	unsigned long pages;
	unsigned long heap_pages;
	bool pfns_ok;
	bool stats_ok;
};

/* mmap offset (in PAGE_SIZE units) of a span's first page. */
static inline unsigned long gh_uspan_pgoff(const struct gh_uspan *us)
{
	return (unsigned long)us->handle << GH_DEV_PGOFF_SHIFT;
}

/* devcharge.c */
struct gh_dev_user;
struct gh_dev_user *gh_dev_charge(unsigned long nr_hw);
void gh_dev_uncharge(struct gh_dev_user *du, unsigned long nr_hw);
u64 gh_dev_user_charged(void);
u64 gh_dev_charged(void);
u64 gh_dev_max_bytes(void);
void gh_dev_charge_init(void);
void gh_dev_charge_exit(void);

/* devspan.c */
struct gh_uspan *gh_uspan_create(struct gh_heap *h, unsigned int npages, u32 flags);
void gh_uspan_release(struct kref *ref);
void gh_uspan_exit(void);

static inline void gh_uspan_get(struct gh_uspan *us)
{
	kref_get(&us->ref);
}

static inline void gh_uspan_put(struct gh_uspan *us)
{
	kref_put(&us->ref, gh_uspan_release);
}

/* devmap.c */
int gh_dev_mmap(struct file *file, struct vm_area_struct *vma);

#endif /* _GOHEAP_DEV_H */
