/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-CPU cache, goheap's top tier (pcpu.c): its structure, the claim
 * that protects it, and the inline fast path of allocation and free.
 *
 * Each CPU of a heap has one struct gh_pcpu: an array of free objects per
 * size class, the tiny allocator's current block, a few cached spans, and
 * the CPU's counters. Allocation pops from the class's array, free pushes
 * onto it; only an empty or full array goes to the central list
 * (gh_pcpu_refill(), gh_pcpu_flush()).
 */
#ifndef _GOHEAP_PCPU_H
#define _GOHEAP_PCPU_H

#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "internal.h"

/* The per-CPU claim is a lockdep map of its own (see gh_pcpu_claim()). */
#if defined(CONFIG_DEBUG_LOCK_ALLOC) && !defined(CONFIG_PREEMPT_RT)
#define GH_CLAIM_LOCKDEP
#endif

/**
 * struct gh_pcpu - one CPU's cache.
 * @busy:	the claim without PREEMPT_RT (see gh_pcpu_claim()).
 * @dep_map:	lockdep's view of the claim (CONFIG_DEBUG_LOCK_ALLOC).
 * @rt_lock:	the claim on PREEMPT_RT.
 * @heap:	the heap this cache belongs to.
 * @drain_work:	empties this cache on its own CPU (gh_pcpu_drain_all()).
 * @slots:	object arrays of all classes (gh_class.slot_base), node-local.
 * @count:	objects in each class's array.
 * @tiny_block:	current 16 B block of the tiny allocator, or NULL.
 * @tiny_state:	that block's state word (see tiny.c).
 * @tiny_off:	next free byte offset in @tiny_block.
 * @span_pages:	heap pages in @spans.
 * @nspans:	spans cached of each length (index: heap pages - 1).
 * @spans:	freed spans kept for reuse, by length (see pageheap.c).
 * @sample_left: bytes this CPU allocates before the heap profiler takes its
 *		next sample (profile.h); below zero: take it now.
 * @cstat:	per-class counters (enum gh_class_stat).
 * @stat:	other counters (enum gh_stat).
 */
struct gh_pcpu {
	unsigned int busy;
#ifdef GH_CLAIM_LOCKDEP
	struct lockdep_map dep_map;
#endif
#ifdef CONFIG_PREEMPT_RT
	spinlock_t rt_lock;	/* the claim: see gh_pcpu_claim() */
#endif
	struct gh_heap *heap;
	struct work_struct drain_work;
	struct gh_obj *slots;
	u16 count[GH_NR_CLASSES];
	void *tiny_block;
	atomic64_t *tiny_state;
	unsigned int tiny_off;
	unsigned int span_pages;
	u8 nspans[GH_SPAN_CACHE_PAGES];
	struct gh_span *spans[GH_SPAN_CACHE_PAGES][GH_SPAN_CACHE_DEPTH];
	long sample_left;
	u64 cstat[GH_NR_CLASSES][GH_CS_NR];
	u64 stat[GH_ST_NR];
};

/*
 * The per-CPU claim (gh_pcpu_claim()/gh_pcpu_release()) is a trylock:
 *
 *  - Without PREEMPT_RT: preemption disabled plus the @busy flag. Only an
 *    interrupt on the same CPU can find the flag set, and it does not
 *    wait. Under CONFIG_DEBUG_LOCK_ALLOC the claim is also a lockdep map
 *    (@dep_map, acquired as a trylock), so lockdep learns what is taken
 *    inside it; a trylock never marks its lock as used in interrupt
 *    context, which is right, since it never waits there.
 *  - With PREEMPT_RT: migration disabled plus a trylock of @rt_lock, a
 *    spinlock_t (a sleeping lock on RT, as SLUB's local_lock_t is). Any
 *    task on the same CPU may find it held (the holder was preempted) and
 *    goes to the central list instead. goheap is not called from hard IRQ
 *    context on PREEMPT_RT (Documentation/design.rst).
 */

/**
 * gh_pcpu_claim() - claim this CPU's cache.
 * @h: heap.
 *
 * Disables preemption (migration on PREEMPT_RT). Returns NULL, with
 * preemption (migration) enabled again, when the cache is already claimed:
 * by the code an interrupt arrived in, or on PREEMPT_RT by a preempted
 * task on this CPU.
 *
 * Context: any but hard IRQ on PREEMPT_RT.
 * Return: this CPU's cache, claimed, or NULL.
 */
static __always_inline struct gh_pcpu *gh_pcpu_claim(struct gh_heap *h)
{
	struct gh_pcpu *cc;

#ifdef CONFIG_PREEMPT_RT
	migrate_disable();
	cc = this_cpu_ptr(h->pcpu);
	if (unlikely(!spin_trylock(&cc->rt_lock))) {
		migrate_enable();
		return NULL;
	}
#else
	preempt_disable();
	cc = this_cpu_ptr(h->pcpu);
	if (unlikely(READ_ONCE(cc->busy))) {
		preempt_enable();
		return NULL;
	}
	WRITE_ONCE(cc->busy, 1);
	/*
	 * Claimed before any access: pairs with the READ_ONCE(cc->busy) of an
	 * interrupt on this CPU, the only other reader (a compiler barrier is
	 * enough on one CPU).
	 */
	barrier();
#ifdef GH_CLAIM_LOCKDEP
	lock_map_acquire_try(&cc->dep_map);
#endif
#endif
	return cc;
}

/**
 * gh_pcpu_release() - release a cache claimed by gh_pcpu_claim().
 * @cc: the cache.
 */
static __always_inline void gh_pcpu_release(struct gh_pcpu *cc)
{
#ifdef CONFIG_PREEMPT_RT
	spin_unlock(&cc->rt_lock);
	migrate_enable();
#else
#ifdef GH_CLAIM_LOCKDEP
	lock_map_release(&cc->dep_map);
#endif
	barrier();	/* every access done first: pairs as in gh_pcpu_claim() */
	WRITE_ONCE(cc->busy, 0);
	preempt_enable();
#endif
}

/* pcpu.c */
int gh_pcpu_init(struct gh_heap *h);
void gh_pcpu_destroy(struct gh_heap *h);
void *gh_pcpu_refill(struct gh_heap *h, unsigned int cls, gfp_t gfp, struct gh_pcpu *cc);
void gh_pcpu_flush(struct gh_heap *h, unsigned int cls, struct gh_pcpu *cc, void *p,
		   u8 *state);
void gh_pcpu_drain_cpu(struct gh_heap *h, unsigned int cpu);
void gh_pcpu_drain_all(struct gh_heap *h);
int gh_hotplug_init(void);
void gh_hotplug_exit(void);

/**
 * gh_pcpu_alloc() - allocate one object of a class through the CPU cache.
 * @h: heap.
 * @cls: small size class or GH_TINY_CLASS.
 * @gfp: context for a refill.
 *
 * The fast path of pcpu.c, inline in its callers; the object is marked
 * GH_OBJ_LIVE.
 *
 * Context: any; sleeps only if @gfp allows.
 * Return: the object, or NULL when the heap cannot grow.
 */
static __always_inline void *gh_pcpu_alloc(struct gh_heap *h, unsigned int cls, gfp_t gfp)
{
	const struct gh_class *k = &h->classes[cls];
	struct gh_pcpu *cc;
	struct gh_obj o;
	unsigned int n;

	cc = gh_pcpu_claim(h);
	if (unlikely(!cc))
		return gh_pcpu_refill(h, cls, gfp, NULL);
	n = cc->count[cls];
	if (unlikely(!n))
		return gh_pcpu_refill(h, cls, gfp, cc);
	o = cc->slots[k->slot_base + n - 1];
	cc->count[cls] = n - 1;
	this_cpu_inc(h->pcpu->cstat[cls][GH_CS_MALLOCS]);
	gh_pcpu_release(cc);
	WRITE_ONCE(*o.state, GH_OBJ_LIVE);
	return o.p;
}

/**
 * gh_pcpu_free() - free one object of a class into the CPU cache.
 * @h: heap.
 * @cls: the object's class.
 * @p: the object, already marked GH_OBJ_CACHED.
 * @state: its state byte.
 *
 * The fast path of pcpu.c, inline in its callers.
 *
 * Context: any; never sleeps.
 */
static __always_inline void gh_pcpu_free(struct gh_heap *h, unsigned int cls, void *p,
					 u8 *state)
{
	const struct gh_class *k = &h->classes[cls];
	struct gh_pcpu *cc;
	unsigned int n;

	this_cpu_inc(h->pcpu->cstat[cls][GH_CS_FREES]);
	cc = gh_pcpu_claim(h);
	if (unlikely(!cc)) {
		gh_pcpu_flush(h, cls, NULL, p, state);
		return;
	}
	n = cc->count[cls];
	if (unlikely(n >= k->capacity)) {
		gh_pcpu_flush(h, cls, cc, p, state);
		return;
	}
	cc->slots[k->slot_base + n].p = p;
	cc->slots[k->slot_base + n].state = state;
	cc->count[cls] = n + 1;
	gh_pcpu_release(cc);
}

#endif /* _GOHEAP_PCPU_H */
