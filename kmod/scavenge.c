// SPDX-License-Identifier: GPL-2.0
/*
 * Giving memory back: the background scavenger, the shrinker, and the
 * reclaim both share.
 *
 * The scavenger (Go's background scavenger) wakes every quarter of the
 * idle time, empties the central transfer caches into their spans, and
 * gives the buddy allocator every chunk, and every free run of at least
 * GH_SCAVENGE_MIN_RUN heap pages inside chunks, that has seen no
 * allocation or free for the idle time. It runs on an unbound workqueue
 * and never holds the heap lock for more than one walk over the chunks.
 *
 * The shrinker reports what could go (free heap pages plus objects cached
 * per CPU and centrally) and, when asked to scan, releases free memory at
 * once, idle or not: under memory pressure the kernel's needs come first.
 * When free pages are not enough it drains every cache first, but at most
 * once per GH_SHRINK_DRAIN_INTERVAL: a drop_caches or a reclaim pass calls
 * it many times over, and a drain on each call, under load, kept
 * drop_caches busy for minutes.
 *
 * The memory limit (gh_heap_params.limit_bytes) is enforced where chunks
 * are taken (pageheap.c), which calls gh_limit_reclaim() before it fails.
 */
#include <linux/jiffies.h>
#include <linux/shrinker.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "internal.h"
#include "pcpu.h"
#include "trace.h"

/* Smallest free run the scavenger cuts out of a chunk still in use. */
#define GH_SCAVENGE_MIN_RUN	8

static void central_release_all(struct gh_heap *h)
{
	unsigned int cls;

	for (cls = 1; cls < GH_NR_CLASSES; cls++)
		gh_central_release(h, cls);
}

/**
 * gh_drain_caches() - move every cached object back into its span.
 * @h: heap.
 *
 * Empties every online CPU's cache, then every central transfer cache;
 * spans left with no object out go back to the page heap. On a quiescent
 * heap no page is in a span afterwards unless an object is live.
 *
 * Context: process; sleeps (a work item drains each CPU).
 */
void gh_drain_caches(struct gh_heap *h)
{
	gh_pcpu_drain_all(h);
	central_release_all(h);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_drain_caches);

/**
 * gh_reclaim() - give back as much memory as possible, now.
 * @h: heap.
 * @goal: hardware pages wanted; more may be released.
 *
 * Drains every CPU's cache and the central transfer caches, then releases
 * free memory regardless of how long it has been idle.
 *
 * Context: process; sleeps (a work item drains each CPU).
 * Return: hardware pages given back.
 */
unsigned long gh_reclaim(struct gh_heap *h, unsigned long goal)
{
	unsigned long n;

	gh_drain_caches(h);
	n = gh_pageheap_release(h, 0, 1, goal ?: ULONG_MAX);
	trace_goheap_release(h, n, GH_RELEASE_EXPLICIT);
	return n;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_reclaim);

/**
 * gh_limit_reclaim() - make room under the memory limit.
 * @h: heap whose growth the limit just stopped.
 * @gfp: the allocation's context.
 *
 * Gives back whole free chunks. A caller that may sleep first has every
 * cache drained, so that objects cached per CPU or centrally do not keep
 * chunks from being free.
 *
 * Context: any; drains caches only if @gfp allows blocking.
 * Return: hardware pages given back.
 */
unsigned long gh_limit_reclaim(struct gh_heap *h, gfp_t gfp)
{
	unsigned long n;

	if (gfpflags_allow_blocking(gfp))
		gh_drain_caches(h);
	n = gh_pageheap_release(h, 0, GH_MAX_CHUNK_PAGES, ULONG_MAX);
	trace_goheap_release(h, n, GH_RELEASE_LIMIT);
	return n;
}

static void scavenge_work(struct work_struct *work)
{
	struct gh_heap *h = container_of(to_delayed_work(work), struct gh_heap, scavenger);
	unsigned long n;

	central_release_all(h);
	n = gh_pageheap_release(h, h->scavenge_idle, GH_SCAVENGE_MIN_RUN, ULONG_MAX);
	if (n) {
		WRITE_ONCE(h->scavenges, h->scavenges + 1);
		trace_goheap_release(h, n, GH_RELEASE_SCAVENGER);
	}
	queue_delayed_work(system_unbound_wq, &h->scavenger,
			   max_t(unsigned long, h->scavenge_idle / 4, HZ));
}

/**
 * gh_scavenger_init() - prepare a heap's scavenger (not started).
 * @h: heap.
 */
void gh_scavenger_init(struct gh_heap *h)
{
	INIT_DELAYED_WORK(&h->scavenger, scavenge_work);
	h->last_drain = jiffies - GH_SHRINK_DRAIN_INTERVAL - 1;
}

/**
 * scavenger_start() - release memory idle for a while, in the background.
 * @h: heap.
 * @idle_secs: how long memory must be idle before it goes; 0: never start.
 *
 * Context: process.
 */
static void scavenger_start(struct gh_heap *h, unsigned int idle_secs)
{
	if (!idle_secs)
		return;
	h->scavenge_idle = (unsigned long)idle_secs * HZ;
	queue_delayed_work(system_unbound_wq, &h->scavenger,
			   max_t(unsigned long, h->scavenge_idle / 4, HZ));
}

/**
 * scavenger_stop() - stop the scavenger and wait for a running pass.
 * @h: heap.
 *
 * Context: process; sleeps.
 */
static void scavenger_stop(struct gh_heap *h)
{
	cancel_delayed_work_sync(&h->scavenger);
}

static unsigned long shrink_count(struct shrinker *s, struct shrink_control *sc)
{
	struct gh_heap *h = gh_shrinker_priv(s);
	unsigned long bytes = 0, n;
	unsigned int cls, cpu;

	for (cls = 1; cls < GH_NR_CLASSES; cls++) {
		n = gh_central_cached(h, cls);
		for_each_possible_cpu(cpu)
			n += READ_ONCE(per_cpu_ptr(h->pcpu, cpu)->count[cls]);
		bytes += n * h->classes[cls].size;
	}
	n = gh_pageheap_reclaimable(h) + bytes / PAGE_SIZE;
	return n ?: SHRINK_EMPTY;
}

/*
 * Free pages first; drain the caches (a work item on every CPU, and every
 * central list) only when that is not enough, and at most once per
 * GH_SHRINK_DRAIN_INTERVAL: one pass of reclaim calls the shrinker many
 * times, and under load the caches fill again at once.
 */
static unsigned long shrink_scan(struct shrinker *s, struct shrink_control *sc)
{
	struct gh_heap *h = gh_shrinker_priv(s);
	unsigned long goal = sc->nr_to_scan, freed, last;

	freed = gh_pageheap_release(h, 0, 1, goal);
	last = READ_ONCE(h->last_drain);
	if (freed < goal && time_after(jiffies, last + GH_SHRINK_DRAIN_INTERVAL) &&
	    cmpxchg(&h->last_drain, last, jiffies) == last) {
		gh_drain_caches(h);
		freed += gh_pageheap_release(h, 0, 1, goal - freed);
	}
	if (freed)
		trace_goheap_release(h, freed, GH_RELEASE_SHRINKER);
	return freed ?: SHRINK_STOP;
}

/**
 * heap_shrinker_add() - let memory pressure shrink the heap.
 * @h: heap.
 *
 * Context: process.
 * Return: 0 or a negative errno.
 */
static int heap_shrinker_add(struct gh_heap *h)
{
	struct gh_shrinker *s = gh_shrinker_create(h->name, shrink_count, shrink_scan, h);

	if (IS_ERR(s))
		return PTR_ERR(s);
	h->shrinker = s;
	return 0;
}

/**
 * heap_shrinker_remove() - remove the heap's shrinker, if registered.
 * @h: heap.
 *
 * Context: process; sleeps.
 */
static void heap_shrinker_remove(struct gh_heap *h)
{
	if (h->shrinker)
		gh_shrinker_destroy(h->shrinker);
	h->shrinker = NULL;
}

/**
 * gh_release_start() - give a heap's idle memory back on its own: register
 * its shrinker and start its scavenger.
 * @h: heap.
 * @idle_secs: seconds memory must stay idle before the scavenger releases
 *	       it; 0: no scavenger, only the shrinker.
 *
 * The one owner of both; gh_release_stop() undoes it.
 *
 * Context: process.
 * Return: 0 or a negative errno, with nothing started.
 */
int gh_release_start(struct gh_heap *h, unsigned int idle_secs)
{
	int err = heap_shrinker_add(h);

	if (err)
		return err;
	scavenger_start(h, idle_secs);
	return 0;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_release_start);

/**
 * gh_release_stop() - undo gh_release_start(): no shrinker and no
 * scavenger pass runs on @h once it returns.
 * @h: heap (it is fine if gh_release_start() never ran).
 *
 * Context: process; sleeps.
 */
void gh_release_stop(struct gh_heap *h)
{
	heap_shrinker_remove(h);
	scavenger_stop(h);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_release_stop);
