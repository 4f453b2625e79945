// SPDX-License-Identifier: GPL-2.0
/*
 * Freeing after an RCU grace period, as kfree_rcu() does.
 *
 * The caller embeds a struct rcu_head in its object and hands both over;
 * the head is queued with call_rcu(), and when the grace period is over the
 * callback finds the heap and the object that hold the head (gh_heap_find(),
 * gh_object_start()) and frees the object. Nothing is allocated on the way,
 * so the deferred free cannot fail. Until then the object is live and
 * counted in use. Freeing it meanwhile is the caller's bug, as with
 * kfree_rcu(): if the slot is still free when the callback runs, it counts
 * a double free and frees nothing; if the slot was handed out again, the
 * new object is freed.
 *
 * Everything is checked before anything is queued: the pointer must be a
 * live small or large object of the heap (a bad pointer is counted and
 * reported as a bad free would be), and the head must lie inside it
 * (otherwise the call is counted as an invalid free of the head). A heap
 * counts the frees it has queued, so that gh_heap_destroy() waits for them
 * with rcu_barrier() only when there are any.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rcupdate.h>

#include "internal.h"

static void free_rcu_cb(struct rcu_head *head)
{
	struct gh_heap *h = gh_heap_find(head);
	size_t usable;
	void *p;

	if (WARN_ON_ONCE(!h))
		return;
	p = gh_object_start(h, head, &usable);
	if (p)
		__gh_free(h, p, _THIS_IP_);
	else	/* freed again while it waited: the second free was a double */
		gh_report_misuse(h, GH_MISUSE_DOUBLE, head, _THIS_IP_);
	atomic_long_dec(&h->rcu_pending);
}

/**
 * __gh_free_rcu() - free an object after an RCU grace period, naming the
 * caller in reports.
 * @h: heap.
 * @p: live object of @h; NULL and ZERO_SIZE_PTR are ignored.
 * @head: a struct rcu_head inside @p.
 * @ip: return address of the API entry point's caller.
 *
 * Context: any; never sleeps.
 */
void __gh_free_rcu(struct gh_heap *h, const void *p, struct rcu_head *head,
		   unsigned long ip)
{
	unsigned long hp = (unsigned long)head, op = (unsigned long)p;
	size_t usable;

	if (ZERO_OR_NULL_PTR(p))
		return;
	if (gh_object_start(h, p, &usable) != p) {
		if (gh_usable_size(h, p))	/* a tiny object: no room for @head */
			gh_report_misuse(h, GH_MISUSE_INVALID, head, ip);
		else	/* not a live object: reported as a free of it would be */
			__gh_free(h, p, ip);
		return;
	}
	if (usable < sizeof(*head) || hp < op || hp - op > usable - sizeof(*head)) {
		gh_report_misuse(h, GH_MISUSE_INVALID, head, ip);
		return;
	}
	atomic_long_inc(&h->rcu_pending);
	call_rcu(head, free_rcu_cb);
}

/**
 * gh_free_rcu() - free an object after an RCU grace period.
 * @h: heap.
 * @p: live object of @h; NULL and ZERO_SIZE_PTR are ignored.
 * @head: a struct rcu_head inside @p.
 *
 * Context: any; never sleeps.
 */
void gh_free_rcu(struct gh_heap *h, const void *p, struct rcu_head *head)
{
	__gh_free_rcu(h, p, head, _RET_IP_);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_free_rcu);

/**
 * gh_free_rcu_barrier() - wait until every deferred free of a heap is done.
 * @h: heap.
 *
 * Context: process; sleeps (rcu_barrier()) when frees are pending.
 */
void gh_free_rcu_barrier(struct gh_heap *h)
{
	if (atomic_long_read(&h->rcu_pending))
		rcu_barrier();
}
EXPORT_SYMBOL_GH_INTERNAL(gh_free_rcu_barrier);
