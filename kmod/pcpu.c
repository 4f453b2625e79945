// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU caches: the lock-free fast path (Go's mcache, TCMalloc's per-CPU
 * caches, SLUB's sheaves).
 *
 * Each CPU has, per size class, a bounded array of cached objects (each
 * with a pointer to its state byte, see struct gh_obj). An
 * allocation pops the top of the local array and a free pushes onto it,
 * whichever CPU allocated the object, so a cross-CPU free costs the same
 * as a local one. The array is refilled from the central list one batch at
 * a time when empty (underflow) and half-flushed, one batch, when full
 * (overflow).
 *
 * Protection: preemption disabled plus a per-CPU busy flag that works as
 * a trylock (gh_pcpu_claim()/gh_pcpu_release(), the scheme of SLUB's sheaves
 * with local_trylock). goheap may be called from hardirq and softirq
 * context, and an interrupt can arrive in the middle of a push or pop on
 * its own CPU; instead of disabling interrupts around every operation
 * (whose cost dominates the fast path, especially under emulation), an
 * interrupt that finds its CPU's cache claimed does not touch it and goes
 * to the central list directly, under the central lock. The flag is set
 * before and cleared after every access, with compiler barriers, which is
 * all a single CPU interrupting itself needs; no atomic read-modify-write
 * is used. Counters are bumped with this_cpu_inc(), which an interrupt
 * cannot tear. The slow paths release the cache before calling into the
 * central list, so they may sleep when the caller's gfp allows it.
 *
 * On PREEMPT_RT the claim is a trylock of a per-CPU spinlock_t with
 * migration disabled instead (see gh_pcpu_claim()): interrupt handlers are
 * threads there, spinlock_t sleeps, and goheap is not called from hard IRQ
 * context, the rule SLUB has on RT.
 *
 * A CPU going offline has its caches drained to the central lists from
 * the CPU-dead hotplug callback (a dynamic state shared by all heaps, one
 * instance per heap).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "internal.h"
#include "pcpu.h"
#include "sanitize.h"
#include "trace.h"

static enum cpuhp_state gh_cpuhp_state;
/* Runs the drain work items; may be needed to make progress in reclaim. */
static struct workqueue_struct *gh_drain_wq;
#ifdef GH_CLAIM_LOCKDEP
/* One lockdep class for the claims of every CPU of every heap. */
static struct lock_class_key gh_cache_claim_key;
#endif

/*
 * Underflow, with @cc claimed and empty: a batch from central's transfer
 * cache straight into @cc's array if it has one; else a batch from central
 * with the cache released, as central may have to grow the heap. Called
 * with @cc NULL by an interrupt that found the cache claimed: it takes
 * just one object.
 *
 * The slow paths live in functions of their own so that their batch
 * arrays are not on the fast path's stack: kernels built with
 * CONFIG_INIT_STACK_ALL_ZERO (Debian's) clear every such array on entry.
 */
/* Hand out @o, taken by a refill that brought @more objects besides it. */
static void *refill_done(struct gh_heap *h, unsigned int cls, struct gh_obj o,
			 unsigned int more)
{
	trace_goheap_refill(h, cls, more + 1);
	if (more)
		this_cpu_inc(h->pcpu->cstat[cls][GH_CS_REFILLS]);
	this_cpu_inc(h->pcpu->cstat[cls][GH_CS_MALLOCS]);
	WRITE_ONCE(*o.state, GH_OBJ_LIVE);
	return o.p;
}

noinline void *gh_pcpu_refill(struct gh_heap *h, unsigned int cls, gfp_t gfp,
			      struct gh_pcpu *cc)
{
	const struct gh_class *k = &h->classes[cls];
	struct gh_obj batch[GH_MAX_BATCH], o;
	unsigned int n, got, keep = 0, want = 1;

	if (cc) {
		got = gh_central_take_cached(h, cls, &cc->slots[k->slot_base], k->batch);
		if (got) {
			o = cc->slots[k->slot_base + --got];
			cc->count[cls] = got;
			gh_pcpu_release(cc);
			return refill_done(h, cls, o, got);
		}
		gh_pcpu_release(cc);
		want = k->batch;
	}

	got = gh_central_refill(h, cls, batch, want, gfp);
	if (!got)
		return NULL;
	o = batch[--got];
	if (got) {
		/* We may be on another CPU now, whose array may have filled. */
		cc = gh_pcpu_claim(h);
		if (cc) {
			n = cc->count[cls];
			keep = min_t(unsigned int, got, k->capacity - n);
			memcpy(&cc->slots[k->slot_base + n], batch, keep * sizeof(*batch));
			cc->count[cls] = n + keep;
			gh_pcpu_release(cc);
		}
	}
	if (keep < got)
		gh_central_flush(h, cls, batch + keep, got - keep);
	return refill_done(h, cls, o, got);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_pcpu_refill);

/*
 * Overflow, with @cc claimed and full: hand the top batch to central and
 * keep @p (it is hot). Releases @cc. The batch goes straight from @cc's
 * array into central's transfer cache if that has room; else it is copied
 * out and the cache released first. Called with @cc NULL by an interrupt
 * that found the cache claimed: @p alone goes to central.
 */
noinline void gh_pcpu_flush(struct gh_heap *h, unsigned int cls, struct gh_pcpu *cc,
			    void *p, u8 *state)
{
	const struct gh_class *k = &h->classes[cls];
	struct gh_obj batch[GH_MAX_BATCH];
	unsigned int n;
	bool moved;

	if (!cc) {
		batch[0].p = p;
		batch[0].state = state;
		trace_goheap_flush(h, cls, 1);
		gh_central_flush(h, cls, batch, 1);
		return;
	}
	n = cc->count[cls] - k->batch;
	moved = gh_central_put_cached(h, cls, &cc->slots[k->slot_base + n], k->batch);
	if (!moved)
		memcpy(batch, &cc->slots[k->slot_base + n], k->batch * sizeof(*batch));
	cc->slots[k->slot_base + n].p = p;
	cc->slots[k->slot_base + n].state = state;
	cc->count[cls] = n + 1;
	gh_pcpu_release(cc);
	trace_goheap_flush(h, cls, k->batch);
	this_cpu_inc(h->pcpu->cstat[cls][GH_CS_FLUSHES]);
	if (!moved)
		gh_central_flush(h, cls, batch, k->batch);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_pcpu_flush);

/*
 * Empty one CPU's cache into the central lists (objects) and the page heap
 * (cached spans). The caller guarantees that
 * nothing else touches @cc: the CPU is dead, or @cc is claimed.
 */
static void drain_cache(struct gh_heap *h, struct gh_pcpu *cc)
{
	unsigned int cls, n;
	void *tblock;

	/* The tiny block first: unpinning may free it into this cache. */
	tblock = cc->tiny_block;
	cc->tiny_block = NULL;
	if (tblock)
		gh_tiny_unpin(h, tblock, cc->tiny_state);
	cc->tiny_state = NULL;
	for (cls = 1; cls < GH_NR_CLASSES; cls++) {
		n = cc->count[cls];
		cc->count[cls] = 0;
		if (n)
			gh_central_flush(h, cls, &cc->slots[h->classes[cls].slot_base], n);
	}
	gh_span_cache_drain(h, cc);
	cc->stat[GH_ST_DRAINS]++;
}

/**
 * gh_pcpu_drain_cpu() - empty the cache of a CPU that is offline.
 * @h: heap.
 * @cpu: a CPU that is dead (or a heap nobody else uses any more).
 *
 * Context: process or any; the CPU's cache must not be in use.
 */
void gh_pcpu_drain_cpu(struct gh_heap *h, unsigned int cpu)
{
	drain_cache(h, per_cpu_ptr(h->pcpu, cpu));
}
EXPORT_SYMBOL_GH_INTERNAL(gh_pcpu_drain_cpu);

/*
 * A CPU's drain work, run in process context on that CPU, or, if the CPU
 * went offline after it was queued, on whichever CPU the workqueue moved
 * it to. Either way it drains the cache of the CPU it runs on: the one it
 * was queued for is drained by gh_cpu_dead() when it dies.
 */
static void drain_work_fn(struct work_struct *work)
{
	struct gh_pcpu *cc = container_of(work, struct gh_pcpu, drain_work);
	struct gh_heap *h = cc->heap;

	/* Claimed by a preempted task (PREEMPT_RT only): in use, skip it. */
	cc = gh_pcpu_claim(h);
	if (!cc)
		return;
	drain_cache(h, cc);
	gh_pcpu_release(cc);
}

/**
 * gh_pcpu_drain_all() - empty every online CPU's cache.
 * @h: heap.
 *
 * Each CPU empties its own cache from a work item of gh_drain_wq (as
 * SLUB's flush_all() does), in process context: nothing is drained from an
 * IPI, where PREEMPT_RT could not take the central locks. On PREEMPT_RT a
 * cache claimed by a preempted task is in use and skipped; on a quiescent
 * heap every cache ends empty.
 *
 * CPU hotplug is not held off, as drain_all_pages() does not hold it: the
 * shrinker calls this from reclaim, and the hotplug lock is taken outside
 * reclaim (CPU bring-up allocates memory under it), so cpus_read_lock()
 * here closes a lock cycle (lockdep: cpu_hotplug_lock -> fs_reclaim ->
 * cpu_hotplug_lock). Racing with hotplug is harmless: a CPU that goes
 * offline is drained by gh_cpu_dead(), a work item queued for it runs on
 * another CPU and drains that one (drain_work_fn()), and a CPU that comes
 * online starts with an empty cache.
 *
 * Context: process, reclaim included; sleeps.
 */
void gh_pcpu_drain_all(struct gh_heap *h)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
		queue_work_on(cpu, gh_drain_wq, &per_cpu_ptr(h->pcpu, cpu)->drain_work);
	for_each_online_cpu(cpu)
		flush_work(&per_cpu_ptr(h->pcpu, cpu)->drain_work);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_pcpu_drain_all);

/**
 * gh_pcpu_init() - allocate the per-CPU caches of a heap.
 * @h: heap with its classes set.
 *
 * Context: process; may sleep.
 * Return: 0 or -ENOMEM.
 */
int gh_pcpu_init(struct gh_heap *h)
{
	unsigned int cpu;
	int err;

	h->pcpu = alloc_percpu(struct gh_pcpu);
	if (!h->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct gh_pcpu *cc = per_cpu_ptr(h->pcpu, cpu);

#ifdef GH_CLAIM_LOCKDEP
		lockdep_init_map(&cc->dep_map, "goheap_cpu_claim", &gh_cache_claim_key, 0);
#endif
#ifdef CONFIG_PREEMPT_RT
		spin_lock_init(&cc->rt_lock);
#endif
		cc->heap = h;
		INIT_WORK(&cc->drain_work, drain_work_fn);
		cc->slots = kcalloc_node(h->nslots, sizeof(*cc->slots), GFP_KERNEL,
					 cpu_to_node(cpu));
		if (!cc->slots)
			goto err_free;
		gh_san_meta(cc->slots);
	}
	err = cpuhp_state_add_instance_nocalls(gh_cpuhp_state, &h->cpuhp_node);
	if (err)
		goto err_free;
	return 0;

err_free:
	for_each_possible_cpu(cpu)
		kfree(per_cpu_ptr(h->pcpu, cpu)->slots);
	free_percpu(h->pcpu);
	h->pcpu = NULL;
	return -ENOMEM;
}

/**
 * gh_pcpu_destroy() - drain and free the per-CPU caches of a heap.
 * @h: heap nobody uses any more.
 *
 * Context: process; may sleep.
 */
void gh_pcpu_destroy(struct gh_heap *h)
{
	unsigned int cpu;

	if (!h->pcpu)
		return;
	cpuhp_state_remove_instance_nocalls(gh_cpuhp_state, &h->cpuhp_node);
	/*
	 * Unpinning a CPU's tiny block may free the block into the cache of
	 * the CPU we run on, which may already be drained: drain everything
	 * once more before any slot array goes.
	 */
	for_each_possible_cpu(cpu)
		gh_pcpu_drain_cpu(h, cpu);
	for_each_possible_cpu(cpu) {
		gh_pcpu_drain_cpu(h, cpu);
		kfree(per_cpu_ptr(h->pcpu, cpu)->slots);
	}
	free_percpu(h->pcpu);
	h->pcpu = NULL;
}

static int gh_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	gh_pcpu_drain_cpu(hlist_entry(node, struct gh_heap, cpuhp_node), cpu);
	return 0;
}

/**
 * gh_hotplug_init() - register the CPU-dead callback shared by all heaps,
 * and the drain workqueue.
 *
 * Context: module init.
 * Return: 0 or a negative errno.
 */
int gh_hotplug_init(void)
{
	int ret;

	gh_drain_wq = alloc_workqueue("goheap_drain", WQ_MEM_RECLAIM | GH_WQ_PERCPU, 0);
	if (!gh_drain_wq)
		return -ENOMEM;
	ret = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN, "mm/goheap:dead", NULL, gh_cpu_dead);
	if (ret < 0) {
		destroy_workqueue(gh_drain_wq);
		return ret;
	}
	gh_cpuhp_state = ret;
	return 0;
}

/**
 * gh_hotplug_exit() - remove the CPU-dead callback and the drain workqueue.
 *
 * Context: module exit, after every heap is destroyed.
 */
void gh_hotplug_exit(void)
{
	cpuhp_remove_multi_state(gh_cpuhp_state);
	destroy_workqueue(gh_drain_wq);
}
