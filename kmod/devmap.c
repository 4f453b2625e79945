// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of /dev/goheap: user spans in user address spaces.
 *
 * The mmap offset selects the span (each handle owns GH_DEV_OFF_SHIFT bits
 * of offsets) and the hardware page to start from; any part of a span may
 * be mapped. Pages are inserted as ordinary refcounted pages, so the rmap,
 * RSS and page-table-check accounting see them:
 *
 *   - GOHEAP_SPAN_PREFAULT spans: all at mmap time, with vm_insert_pages();
 *   - the others: one at a time, by the fault handler, which counts faults
 *     (one per hardware page touched: there is no ->map_pages fault-around).
 *
 * What a mapping may become is fixed at mmap time: shared only (a private
 * mapping would give copy-on-write copies the span does not own), never
 * executable, never writable if it was not mapped writable, never larger
 * (VM_DONTEXPAND), left out of core dumps (VM_DONTDUMP). Splitting, moving
 * and fork() duplicate the VMA; vm_ops->open and ->close keep the span's
 * reference and mapping counts right through all of them.
 */
#include <linux/mm.h>
#include <linux/xarray.h>
#include <uapi/linux/goheap.h>

#include "compat.h"
#include "dev.h"

static void gh_vm_open(struct vm_area_struct *vma)
{
	struct gh_uspan *us = vma->vm_private_data;

	gh_uspan_get(us);
	atomic_inc(&us->maps);
}

static void gh_vm_close(struct vm_area_struct *vma)
{
	struct gh_uspan *us = vma->vm_private_data;

	atomic_dec(&us->maps);
	gh_uspan_put(us);
}

static vm_fault_t gh_vm_fault(struct vm_fault *vmf)
{
	struct gh_uspan *us = vmf->vma->vm_private_data;
	unsigned long first = gh_uspan_pgoff(us);
	struct page *page;

	if (vmf->pgoff < first || vmf->pgoff - first >= us->nr_hw)
		return VM_FAULT_SIGBUS;
	page = us->pages[vmf->pgoff - first];
	get_page(page);
	vmf->page = page;
	atomic64_inc(&us->faults);
	return 0;
}

static const struct vm_operations_struct gh_vm_ops = {
	.open = gh_vm_open,
	.close = gh_vm_close,
	.fault = gh_vm_fault,
};

/*
 * The span that [pgoff, pgoff + count) pages of the device lie in, with a
 * reference and a mapping counted, or NULL if there is none or the range
 * does not fit in it.
 */
static struct gh_uspan *map_span(struct gh_dev_file *gf, unsigned long pgoff,
				 unsigned long count)
{
	unsigned long handle = pgoff >> GH_DEV_PGOFF_SHIFT, idx;
	struct gh_uspan *us;

	if (handle > GH_DEV_MAX_HANDLE)
		return NULL;
	xa_lock(&gf->spans);
	us = xa_load(&gf->spans, handle);
	if (us) {
		idx = pgoff - gh_uspan_pgoff(us);
		if (idx < us->nr_hw && count <= us->nr_hw - idx) {
			gh_uspan_get(us);
			atomic_inc(&us->maps);
		} else {
			us = NULL;
		}
	}
	xa_unlock(&gf->spans);
	return us;
}

/**
 * gh_dev_mmap() - map (part of) a user span.
 * @file: an open /dev/goheap.
 * @vma: the new mapping; vm_pgoff is the device offset in pages.
 *
 * Context: process, mmap_lock held for writing.
 * Return: 0; -EINVAL for a private mapping, an offset that names no span of
 * @file or a range that does not fit in the span; -EPERM for PROT_EXEC;
 * -ENOMEM if prefaulting could not allocate page tables.
 */
int gh_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct gh_dev_file *gf = file->private_data;
	unsigned long count = vma_pages(vma);
	struct gh_uspan *us;
	int err;

	/* MAP_SHARED of a read-only file clears VM_SHARED but not VM_MAYSHARE. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	us = map_span(gf, vma->vm_pgoff, count);
	if (!us)
		return -EINVAL;

	gh_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	gh_vm_flags_clear(vma, VM_MAYEXEC);
	if (!(vma->vm_flags & VM_WRITE))
		gh_vm_flags_clear(vma, VM_MAYWRITE);
	vma->vm_ops = &gh_vm_ops;
	vma->vm_private_data = us;

	if (us->flags & GOHEAP_SPAN_PREFAULT) {
		unsigned long idx = vma->vm_pgoff - gh_uspan_pgoff(us), left = count;

		err = vm_insert_pages(vma, vma->vm_start, us->pages + idx, &left);
		if (err) {
			/*
			 * The core unmaps what was inserted without calling
			 * ->close; the page references it holds until then
			 * keep the pages from going back to the heap.
			 * vm_insert_pages() says -EFAULT when it could not
			 * allocate a PUD or PMD table (6.1): that is -ENOMEM
			 * to the caller of mmap(), as documented.
			 */
			gh_vm_close(vma);
			return err == -EFAULT ? -ENOMEM : err;
		}
	}
	return 0;
}
