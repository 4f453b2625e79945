// SPDX-License-Identifier: GPL-2.0
/*
 * Spans handed to user space through /dev/goheap: creation, accounting and
 * the way their memory goes back.
 *
 * A user span is either a raw span of the page heap (GH_SPAN_RAW: one run of
 * heap pages inside one chunk, so physically contiguous) or, with
 * GOHEAP_SPAN_SCATTERED, a set of individually allocated hardware pages
 * ordered by descending PFN so that no two neighbours are physically
 * adjacent: the baseline of contiguity experiments, built without the heap.
 *
 * Guarantees:
 *
 *   - Memory is zeroed before anyone can map it: heap pages are recycled
 *     from kernel objects and other users' spans.
 *   - Allocations are user-driven and fail with -ENOMEM, never a warning
 *     and never the OOM killer. What is allocated for one caller, the span
 *     descriptor and scattered pages, is charged to the caller's memory
 *     cgroup (GH_USER_GFP), as pipe buffers are. Heap pages are not: they
 *     come from chunks the page heap shares between kernel objects and
 *     spans, and the page allocator's per-page memcg charge is not
 *     exported to modules.
 *   - Every hardware page is charged to the allocating user and to the
 *     module (devcharge.c) from before it is allocated until it is back.
 *   - A page goes back only when its reference count is the span's own
 *     again: mappings hold references until they are zapped, and pipes
 *     (vmsplice) and GUP pins (O_DIRECT, io_uring fixed buffers) may hold
 *     them longer. Spans with such pages wait on a deferred list, rechecked
 *     every second, and hold a module reference meanwhile. Scattered spans
 *     wait the same way, although put_page() would leave their pages to
 *     the last holder, so that their charge too lasts as long as their
 *     memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>
#include <uapi/linux/goheap.h>

#include "dev.h"

/* What is allocated for one caller: charged to its memcg; ENOMEM, no OOM kill. */
#define GH_USER_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)
/* Heap pages: the page heap's own chunks, not charged to a memcg. */
#define GH_HEAP_GFP	(GFP_KERNEL | __GFP_NOWARN)

static void gh_uspan_deferred_fn(struct work_struct *work);

static LIST_HEAD(gh_uspan_deferred);
static DEFINE_SPINLOCK(gh_uspan_deferred_lock);
static DECLARE_DELAYED_WORK(gh_uspan_deferred_work, gh_uspan_deferred_fn);

static u32 count_runs(struct page **pages, u32 n)
{
	u32 i, runs = n ? 1 : 0;

	for (i = 1; i < n; i++)
		if (page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1)
			runs++;
	return runs;
}

static int fill_from_heap(struct gh_uspan *us, struct gh_heap *h)
{
	unsigned int align = 1;
	u32 i;

	if (us->flags & GOHEAP_SPAN_CONTIGUOUS)
		align = rounddown_pow_of_two(us->npages);
	us->span = gh_span_cache_alloc(h, us->npages, align, GH_SPAN_RAW, GH_HEAP_GFP);
	if (!us->span)
		return -ENOMEM;
	for (i = 0; i < us->nr_hw; i++) {
		us->pages[i] = virt_to_page((void *)(us->span->base + i * PAGE_SIZE));
		clear_highpage(us->pages[i]);
	}
	return 0;
}

static int cmp_pfn_desc(const void *a, const void *b)
{
	unsigned long pa = page_to_pfn(*(struct page * const *)a);
	unsigned long pb = page_to_pfn(*(struct page * const *)b);

	return pa < pb ? 1 : pa > pb ? -1 : 0;
}

static void put_pages(struct gh_uspan *us)
{
	u32 i;

	for (i = 0; i < us->nr_hw && us->pages[i]; i++)
		put_page(us->pages[i]);
}

static int fill_scattered(struct gh_uspan *us)
{
	u32 i;

	for (i = 0; i < us->nr_hw; i++) {
		us->pages[i] = alloc_page(GH_USER_GFP | __GFP_ZERO);
		if (!us->pages[i]) {
			put_pages(us);
			return -ENOMEM;
		}
		if (fatal_signal_pending(current)) {
			put_pages(us);
			return -EINTR;
		}
	}
	sort(us->pages, us->nr_hw, sizeof(us->pages[0]), cmp_pfn_desc, NULL);
	return 0;
}

/**
 * gh_uspan_create() - allocate a zeroed span for user space.
 * @h: heap to take it from (its page size is the unit of @npages).
 * @npages: length in heap pages, 1 .. one chunk; checked by the caller.
 * @flags: GOHEAP_SPAN_* flags, already validated.
 *
 * The span starts with one reference, for the caller; its handle is set by
 * the caller before it is published.
 *
 * The span's pages are charged to the calling task's user and to the
 * module (gh_dev_charge()) before they are allocated, and stay charged
 * until they are back.
 *
 * Context: process; sleeps.
 * Return: the span, or ERR_PTR(-ENOMEM) when memory, the caller's
 * RLIMIT_MEMLOCK or dev_max_bytes is exhausted, ERR_PTR(-EINTR) on a
 * fatal signal; nothing is charged or allocated then.
 */
struct gh_uspan *gh_uspan_create(struct gh_heap *h, unsigned int npages, u32 flags)
{
	u32 nr_hw = npages * h->hw_per_page;
	struct gh_uspan *us;
	int err;

	us = kvzalloc(struct_size(us, pages, nr_hw), GH_USER_GFP);
	if (!us)
		return ERR_PTR(-ENOMEM);
	kref_init(&us->ref);
	INIT_LIST_HEAD(&us->deferred);
	us->heap = h;
	us->flags = flags | GOHEAP_SPAN_ZEROED;
	us->npages = npages;
	us->page_shift = h->page_shift;
	us->nr_hw = nr_hw;

	us->owner = gh_dev_charge(nr_hw);
	if (IS_ERR(us->owner)) {
		err = PTR_ERR(us->owner);
		goto free;
	}
	if (flags & GOHEAP_SPAN_SCATTERED)
		err = fill_scattered(us);
	else
		err = fill_from_heap(us, h);
	if (err)
		goto uncharge;
	us->runs = count_runs(us->pages, nr_hw);
	return us;

uncharge:
	gh_dev_uncharge(us->owner, nr_hw);
free:
	kvfree(us);
	return ERR_PTR(err);
}

/* Does anyone besides the span itself hold a page of @us? */
static bool pages_busy(const struct gh_uspan *us)
{
	u32 i;

	for (i = 0; i < us->nr_hw; i++)
		if (page_count(us->pages[i]) != 1)
			return true;
	return false;
}

/*
 * Nothing but @us holds its pages: give them back (to the page heap, or to
 * the page allocator), and only then drop the charge. This is the one
 * place where a span's memory returns.
 */
static void uspan_free(struct gh_uspan *us)
{
	if (us->span)
		gh_span_cache_free(us->heap, us->span);
	else
		put_pages(us);
	gh_dev_uncharge(us->owner, us->nr_hw);
	kvfree(us);
}

static void gh_uspan_deferred_fn(struct work_struct *work)
{
	struct gh_uspan *us, *tmp;
	LIST_HEAD(ready);
	bool more;

	spin_lock(&gh_uspan_deferred_lock);
	list_for_each_entry_safe(us, tmp, &gh_uspan_deferred, deferred)
		if (!pages_busy(us))
			list_move(&us->deferred, &ready);
	more = !list_empty(&gh_uspan_deferred);
	spin_unlock(&gh_uspan_deferred_lock);

	list_for_each_entry_safe(us, tmp, &ready, deferred) {
		uspan_free(us);
		module_put(THIS_MODULE);
	}
	if (more)
		schedule_delayed_work(&gh_uspan_deferred_work, HZ);
}

/**
 * gh_uspan_release() - kref release: give a span's memory back.
 * @ref: the span's kref.
 *
 * The memory and the charge go now if nothing else holds a page of the
 * span, else from the deferred-free work once nothing does.
 *
 * Context: process (the last reference goes in an ioctl, in ->release or
 * in vm_ops->close); takes spinlocks.
 */
void gh_uspan_release(struct kref *ref)
{
	struct gh_uspan *us = container_of(ref, struct gh_uspan, ref);

	if (!pages_busy(us)) {
		uspan_free(us);
		return;
	}
	/* Safe: whoever dropped the last reference runs in this module. */
	__module_get(THIS_MODULE);
	spin_lock(&gh_uspan_deferred_lock);
	list_add_tail(&us->deferred, &gh_uspan_deferred);
	spin_unlock(&gh_uspan_deferred_lock);
	schedule_delayed_work(&gh_uspan_deferred_work, HZ);
}

/**
 * gh_uspan_exit() - stop the deferred-free work at module unload.
 *
 * Context: process; sleeps.
 * Note: deferred spans hold module references, so the list is empty here;
 * only a last run of the work may still be on its way out.
 */
void gh_uspan_exit(void)
{
	cancel_delayed_work_sync(&gh_uspan_deferred_work);
	WARN_ON(!list_empty(&gh_uspan_deferred));
}
