/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goheap internal declarations: the heap, its three tiers and their locks.
 *
 * A heap (struct gh_heap) is a complete, independent allocator: the module
 * creates one default heap behind the exported API, and the KUnit suites
 * create private heaps so they can test both heap page sizes and exact
 * counter values without disturbing anything else.
 *
 * Locks and contexts, outermost first. lockdep sees every one of them
 * (the per-CPU claim through a lockdep map of its own, pcpu.h), so a debug
 * kernel checks this order on every run:
 *
 *   per-CPU claim        gh_pcpu_claim(): a trylock, never waited for, with
 *                        preemption (on PREEMPT_RT migration) disabled. One
 *                        CPU's object arrays, tiny block and span cache
 *                        (pcpu.h). Held while the central lock is taken to
 *                        move a batch (gh_central_take_cached/put_cached,
 *                        gh_central_flush) and while the heap lock is taken
 *                        to evict a cached span (spancache.c). An interrupt,
 *                        or on RT a task, that finds it held goes to the
 *                        central list instead.
 *   gh_central.lock      spinlock per size class, irqsave: the class's
 *                        transfer cache, span lists, and each span's
 *                        allocation bitmap and allocated count (central.c).
 *                        Dropped before the page heap is called to grow.
 *   gh_heap.lock         spinlock, irqsave: the page heap (chunks, their
 *                        bitmaps and span maps, the summary tree, the
 *                        limit; pageheap.c). Innermost of the allocator.
 *
 * A lock may be taken while holding one above it, never the reverse. No
 * lock is held across a call into the buddy or slab allocator: the slow
 * paths drop their locks, allocate with the caller's gfp, and retake them.
 *
 * Around the allocator:
 *
 *   mmap_lock -> gf->spans xa_lock    /dev/goheap: the fault and mmap paths
 *                        look spans up in the file's xarray under the
 *                        caller's mmap_lock (dev.c, devmap.c); no allocator
 *                        lock is taken under xa_lock.
 *   gh_uspan_deferred_lock   spinlock, process context: the list of freed
 *                        user spans whose pages are still pinned (devspan.c);
 *                        nothing is taken under it.
 *   gh_dev_users_lock    spinlock, process context: the users charged for
 *                        /dev/goheap spans and their span counts
 *                        (devcharge.c). Taken by ioctls and where a span's
 *                        memory goes back (vm_ops->close under mmap_lock,
 *                        ->release, the deferred-free work), after the
 *                        allocator's locks are dropped; nothing is taken
 *                        under it (free_uid() and kfree() come after).
 *   gh_heaps_lock        spinlock, irqsave: the list of every heap
 *                        (heap.c); held only to walk it in gh_heap_find()
 *                        (lockless span lookups) and to add or remove a
 *                        heap. Nothing is taken under it.
 *   CPU hotplug          not a lock of goheap's: gh_pcpu_drain_all() runs
 *                        from reclaim (the shrinker), where cpus_read_lock()
 *                        would close a cycle with CPU bring-up, which
 *                        allocates under the hotplug lock. It queues and
 *                        flushes one work item per online CPU (the
 *                        goheap_drain workqueue) without it; each work item
 *                        claims the cache of the CPU it runs on. The CPU-dead
 *                        callback drains a dead CPU's cache without the
 *                        claim: nothing runs there.
 *   RCU-sched            pointer lookups (gh_span_lookup()) read the map and the
 *                        chunks' span arrays with preemption disabled and no
 *                        lock; chunk descriptors are freed with kfree_rcu().
 *
 * No IPI is sent: drains run as work items, so every lock above is taken
 * in process or (threadable) interrupt context only, as PREEMPT_RT needs.
 *
 * Per-object state bytes (gh_span.objstate) are written without a lock by
 * whoever owns the object at the time (see enum gh_objstate); they exist so
 * that a double or invalid free is detected without an atomic operation on
 * the fast path.
 */
#ifndef _GOHEAP_INTERNAL_H
#define _GOHEAP_INTERNAL_H

#include <linux/cpuhotplug.h>
#include <linux/export.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <linux/shrinker.h>
#include <linux/sizes.h>
#include <linux/stackdepot.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "debug.h"

/*
 * The internals that goheap's own other modules call, the benchmark
 * (goheap_bench.ko) and the KUnit suites, are exported GPL-only into the
 * GOHEAP_INTERNAL namespace, which only those modules import (as mm/kfence
 * exports for its test). They are not an API and change with goheap.
 */
#define EXPORT_SYMBOL_GH_INTERNAL(sym)	EXPORT_SYMBOL_NS_GPL(sym, GH_NS(GOHEAP_INTERNAL))

/*
 * Data structures first, bottom-up (each tier after those it builds on),
 * then the functions of each file in the same order. The per-CPU cache
 * has its own header, pcpu.h; debug mode and misuse kinds are in debug.h.
 */

struct gh_chunk;
struct gh_pcpu;
struct gh_profile;
struct gh_shrinker;
struct gh_span;

/* === Size classes ========================================================= */

/* Go's table: 66 small classes, class 0 means large. */
#define GH_NR_SMALL		66
/* A pseudo class of 16 B blocks that back the tiny allocator. */
#define GH_TINY_CLASS		(GH_NR_SMALL + 1)
#define GH_NR_CLASSES		(GH_TINY_CLASS + 1)
#define GH_MAX_SMALL_SIZE	32768
#define GH_TINY_SIZE		16

/**
 * struct gh_class - one size class, as used by a heap.
 * @size:	object size in bytes (0 for class 0, large).
 * @npages:	span size in heap pages.
 * @nelems:	objects per span.
 * @tail:	bytes left over at the end of each span.
 * @align:	span alignment in heap pages (power of two; 1 for most).
 * @batch:	objects moved between per-CPU cache and central at once.
 * @capacity:	bound on objects in one CPU's array for this class.
 * @slot_base:	offset of this class's array in a CPU's slot area.
 * @div_mul:	reciprocal of @size: offset * div_mul >> 32 == offset / size.
 */
struct gh_class {
	u32 size;
	u16 npages;
	u16 nelems;
	u32 tail;
	u16 align;
	u16 batch;
	u16 capacity;
	u16 slot_base;
	u32 div_mul;
};

/* === Page heap: chunks and the pointer map ================================ */

/*
 * Chunks: the blocks the page heap takes from the buddy allocator, sized in
 * bytes whatever the hardware page size; their buddy orders follow from it
 * (on x86-64: orders 10, 9 and 5; with arm64's 64 KiB pages: 6, 5 and 1).
 */
#define GH_CHUNK_SHIFT		22	/* 4 MiB: the largest chunk */
#define GH_DEFAULT_CHUNK_SHIFT	21	/* 2 MiB: what a heap grows by first */
#define GH_MIN_CHUNK_SHIFT	17	/* 128 KiB: smallest fallback block */
#define GH_CHUNK_ORDER		(GH_CHUNK_SHIFT - PAGE_SHIFT)
#define GH_DEFAULT_CHUNK_ORDER	(GH_DEFAULT_CHUNK_SHIFT - PAGE_SHIFT)
#define GH_MIN_CHUNK_ORDER	(GH_MIN_CHUNK_SHIFT - PAGE_SHIFT)
#define GH_CHUNK_BYTES		BIT(GH_CHUNK_SHIFT)
#define GH_MAX_CHUNK_PAGES	BIT(GH_CHUNK_ORDER)	/* in hardware pages */

/* The largest object goheap hands out: one whole chunk, as for kmalloc. */
#define GH_MAX_ALLOC		GH_CHUNK_BYTES

/**
 * enum gh_release_reason - why free memory went back to the kernel.
 * @GH_RELEASE_SCAVENGER:	idle long enough (scavenge.c's worker).
 * @GH_RELEASE_SHRINKER:	memory pressure (the shrinker).
 * @GH_RELEASE_LIMIT:		room needed under the heap's memory limit.
 * @GH_RELEASE_EXPLICIT:	gh_reclaim() asked for it.
 */
enum gh_release_reason {
	GH_RELEASE_SCAVENGER,
	GH_RELEASE_SHRINKER,
	GH_RELEASE_LIMIT,
	GH_RELEASE_EXPLICIT,
};

/**
 * struct gh_runsum - the free runs of one word of a chunk's page bitmap.
 * @start:	free heap pages at the word's start (its low bits).
 * @max:	its longest run of free heap pages.
 * @end:	free heap pages at its end (its high bits).
 *
 * Each is at most BITS_PER_LONG; all three are when the word is free. An
 * all-zero summary is a word with every page in use (pageheap.c).
 */
struct gh_runsum {
	u8 start;
	u8 max;
	u8 end;
};

/* Words in a chunk's page bitmaps. */
#define GH_CHUNK_WORDS		BITS_TO_LONGS(GH_MAX_CHUNK_PAGES)

/**
 * struct gh_chunk - a block taken from the buddy allocator.
 * @base:	direct-map address of the block.
 * @order:	buddy order of the block.
 * @fallback:	smaller than the heap's chunk order (memory was fragmented).
 * @npages:	heap pages in the block.
 * @nfree:	free heap pages (not counting released ones); heap lock.
 * @nreleased:	heap pages given back to the buddy allocator; heap lock.
 * @maxrun:	longest free run in heap pages, from @sums; heap lock.
 * @slot:	leaf index in the heap's summary tree.
 * @idle_since:	jiffies of the chunk's last allocation or free; heap lock.
 * @node:	link on the heap's chunk list.
 * @rcu:	defers freeing the descriptor past lockless lookups.
 * @inuse:	bit set = heap page unavailable: in a span, or released;
 *		heap lock.
 * @released:	bit set = heap page given back to the buddy allocator
 *		(a hole: its physical page can never come back); heap lock.
 * @sums:	summary of each word of @inuse; heap lock.
 * @spans:	span owning each heap page (NULL when free); written under
 *		the heap lock, read locklessly by pointer lookups.
 */
struct gh_chunk {
	unsigned long base;
	u8 order;
	u8 fallback;
	u16 npages;
	u16 nfree;
	u16 nreleased;
	u16 maxrun;
	u32 slot;
	unsigned long idle_since;
	struct list_head node;
	struct rcu_head rcu;
	DECLARE_BITMAP(inuse, GH_MAX_CHUNK_PAGES);
	DECLARE_BITMAP(released, GH_MAX_CHUNK_PAGES);
	struct gh_runsum sums[GH_CHUNK_WORDS];
	struct gh_span *spans[];
};

/* === Spans and the objects in them ======================================== */

/**
 * enum gh_objstate - lifecycle of one small object, one byte per object.
 * @GH_OBJ_FREE:	in its span's free set (allocation bit clear).
 * @GH_OBJ_CACHED:	out of the span, held by a per-CPU or central cache.
 * @GH_OBJ_LIVE:	handed out to a caller.
 * @GH_OBJ_SAMPLED:	handed out to a caller, and recorded by the heap
 *			profiler (profile.c): its free goes by the profile.
 */
enum gh_objstate {
	GH_OBJ_FREE = 0,
	GH_OBJ_CACHED,
	GH_OBJ_LIVE,
	GH_OBJ_SAMPLED,
};

/* Whether a state byte (enum gh_objstate) says the caller holds the object. */
static __always_inline bool gh_obj_live(u8 state)
{
	return state >= GH_OBJ_LIVE;
}

/**
 * struct gh_obj - a cached object and where its state byte is.
 * @p:		the object.
 * @state:	its byte in gh_span.objstate.
 *
 * Caches hold objects as these pairs, filled in where the span is at hand
 * (carving a span, or the free path's own lookup), so that handing an
 * object out needs no pointer-to-span lookup to mark it live.
 */
struct gh_obj {
	void *p;
	u8 *state;
};

/**
 * enum gh_span_kind - what a span of the page heap is used for.
 * @GH_SPAN_SMALL:	cut into objects of one size class.
 * @GH_SPAN_LARGE:	one large object.
 * @GH_SPAN_RAW:	handed out whole (to /dev/goheap, or a test).
 */
enum gh_span_kind {
	GH_SPAN_SMALL = 1,
	GH_SPAN_LARGE,
	GH_SPAN_RAW,
};

/**
 * struct gh_span - metadata of one span, kept outside the span's memory.
 * @base:	kernel (direct map) address of the first byte.
 * @chunk:	chunk the span was carved from.
 * @node:	link on a central list, or the owner's list for raw spans.
 * @first:	index of the first heap page in @chunk.
 * @npages:	length in heap pages.
 * @kind:	enum gh_span_kind.
 * @cls:	size class index (0 for large and raw spans).
 * @nelems:	number of objects (1 for large and raw spans).
 * @bucket:	central partial-list bucket it sits on, or -1.
 * @cached:	sits in a CPU's span cache (large and raw spans only).
 * @allocated:	objects out of the span (cached or live); central lock.
 * @freeindex:	hint: no free object below this index; central lock.
 * @elemsize:	object size (span bytes for large spans).
 * @div_mul:	copy of gh_class.div_mul for the span's class.
 * @tiny:	per-block state for tiny-class spans (see tiny.c), else NULL.
 * @track:	per-object records of a debug heap (see debug.c), else NULL;
 *		written by the object's owner.
 * @allocbits:	bit set = object out of the span; central lock.
 * @objstate:	one enum gh_objstate per object; see the top of this file.
 *
 * @allocbits, @objstate, @tiny and @track point into the same allocation
 * as the span.
 */
struct gh_span {
	unsigned long base;
	struct gh_chunk *chunk;
	struct list_head node;
	u16 first;
	u16 npages;
	u8 kind;
	u8 cls;
	u16 nelems;
	s8 bucket;
	u8 cached;
	u16 allocated;
	u16 freeindex;
	u32 elemsize;
	u32 div_mul;
	atomic64_t *tiny;
	struct gh_track *track;
	unsigned long *allocbits;
	u8 *objstate;
};

/* === Per-CPU caches (struct gh_pcpu: pcpu.h) ============================== */

/* Per-CPU cache: most objects moved per refill/flush (capacity is 2x). */
#define GH_MAX_BATCH		32
/* The shrinker drains the caches at most this often (jiffies). */
#define GH_SHRINK_DRAIN_INTERVAL	(HZ / 10)

/*
 * Per-CPU span cache: freed large-object and raw spans of up to
 * GH_SPAN_CACHE_PAGES heap pages, at most GH_SPAN_CACHE_DEPTH of each
 * length and GH_SPAN_CACHE_MAX heap pages in all per CPU (spancache.c).
 */
#define GH_SPAN_CACHE_PAGES	8
#define GH_SPAN_CACHE_DEPTH	2
#define GH_SPAN_CACHE_MAX	16

/* === Central lists ======================================================== */

/*
 * Central transfer cache: whole batches kept per class, GH_XFER_BATCHES at
 * first, doubled by each flush that finds it full up to GH_XFER_MAX_BATCHES
 * and GH_XFER_MAX_BYTES of objects (never below GH_XFER_BATCHES), and back
 * to GH_XFER_BATCHES when the caches are drained (central.c).
 */
#define GH_XFER_BATCHES		8
#define GH_XFER_MAX_BATCHES	64
#define GH_XFER_MAX_BYTES	SZ_1M

/* Objects in a class's first transfer cache array: GH_XFER_BATCHES batches. */
#define gh_xfer_base_cap(h, cls)	(GH_XFER_BATCHES * (h)->classes[cls].batch)

/**
 * struct gh_central - the central list of one size class.
 * @lock:	protects everything below, and the bitmaps and allocated
 *		counts of the class's spans.
 * @xfer:	transfer cache: objects flushed by one CPU, ready to refill
 *		another without touching spans; @xfer_base or a larger array.
 * @nxfer:	objects in @xfer.
 * @xfer_cap:	capacity of @xfer, in objects.
 * @xfer_max:	largest @xfer_cap, in objects; set at creation.
 * @xfer_base:	the transfer cache's first array, GH_XFER_BATCHES batches,
 *		kept for the life of the heap.
 * @partial:	spans with free objects, bucketed by occupancy; refills take
 *		from the fullest bucket first.
 * @full:	spans with no free object.
 * @nr_partial:	spans on @partial lists.
 * @nr_full:	spans on @full.
 * @nr_spans_freed: spans handed back to the page heap (statistic).
 */
struct gh_central {
	spinlock_t lock;	/* see the kernel-doc above and the lock order */
	struct gh_obj *xfer;
	unsigned int nxfer;
	unsigned int xfer_cap;
	unsigned int xfer_max;
	struct gh_obj *xfer_base;
	struct list_head partial[4];
	struct list_head full;
	unsigned long nr_partial;
	unsigned long nr_full;
	unsigned long nr_spans_freed;
} ____cacheline_aligned_in_smp;

/* === The heap ============================================================= */

/**
 * enum gh_class_stat - per-CPU, per-class counters.
 * @GH_CS_MALLOCS:	objects handed to callers.
 * @GH_CS_FREES:	objects taken back from callers.
 * @GH_CS_REFILLS:	array empty on allocation: batch taken from central
 *			(TCMalloc's underflow).
 * @GH_CS_FLUSHES:	array full on free: batch returned to central
 *			(TCMalloc's overflow).
 * @GH_CS_NR:		number of counters.
 */
enum gh_class_stat {
	GH_CS_MALLOCS,
	GH_CS_FREES,
	GH_CS_REFILLS,
	GH_CS_FLUSHES,
	GH_CS_NR,
};

/**
 * enum gh_stat - per-CPU counters that are not per class.
 * @GH_ST_LARGE_BYTES_ALLOC:	bytes of large spans handed out.
 * @GH_ST_LARGE_BYTES_FREED:	bytes of large spans taken back.
 * @GH_ST_TINY_MALLOCS:		tiny objects handed out.
 * @GH_ST_TINY_FREES:		tiny objects taken back.
 * @GH_ST_TINY_BYTES_ALLOC:	bytes of tiny objects handed out.
 * @GH_ST_TINY_BYTES_FREED:	bytes of tiny objects taken back.
 * @GH_ST_DRAINS:		whole-cache drains (hotplug, shrinker).
 * @GH_ST_NR:			number of counters.
 */
enum gh_stat {
	GH_ST_LARGE_BYTES_ALLOC,
	GH_ST_LARGE_BYTES_FREED,
	GH_ST_TINY_MALLOCS,
	GH_ST_TINY_FREES,
	GH_ST_TINY_BYTES_ALLOC,
	GH_ST_TINY_BYTES_FREED,
	GH_ST_DRAINS,
	GH_ST_NR,
};

/**
 * struct gh_heap_params - how to build a heap.
 * @page_shift:	heap page size: 12 (4 KiB) or 13 (8 KiB, Go's); PAGE_SHIFT
 *		on kernels with larger pages (gh_page_shift_valid()).
 * @chunk_order: buddy order of the chunks to grow by first, from
 *		GH_MIN_CHUNK_ORDER to GH_CHUNK_ORDER; 0 means
 *		GH_DEFAULT_CHUNK_ORDER.
 * @limit_bytes: most memory the heap may hold for pages (0: no limit).
 * @debug:	debug mode options (GH_DEBUG_*; 0: off).
 * @profile_rate: bytes allocated per heap profile sample, on average
 *		(profile.c; 0: off).
 * @name:	short name for messages.
 */
struct gh_heap_params {
	unsigned int page_shift;
	unsigned int chunk_order;
	unsigned long limit_bytes;
	unsigned int debug;
	unsigned long profile_rate;
	const char *name;
};

/**
 * struct gh_heap - one complete allocator instance.
 * @name:	for messages.
 * @page_shift:	log2 of the heap page size.
 * @hw_per_page: hardware pages per heap page (1 or 2).
 * @chunk_order: order of the chunks the heap tries first when growing.
 * @classes:	size classes for this page size.
 * @nslots:	total per-CPU array slots over all classes.
 * @size_to_class8:	class of sizes 0..1024, indexed by (size + 7) / 8.
 * @size_to_class128:	class of sizes 1025..32768, by (size - 897) / 128.
 * @central:	central list per class.
 * @pcpu:	per-CPU caches.
 * @lock:	page heap lock (see top of file).
 * @chunks:	all chunks; heap lock.
 * @nr_chunks:	chunks held; heap lock.
 * @tree:	summary tree: tree[i] = longest free run below node i; leaves
 *		at tree_cap + slot; heap lock.
 * @tree_cap:	number of leaves (power of two); heap lock.
 * @slot_used:	slots in use (bitmap of tree_cap bits); heap lock.
 * @slot_chunk:	chunk at each slot; heap lock.
 * @map:	chunk containing each 128 KiB of physical memory, indexed by
 *		pfn >> GH_MIN_CHUNK_ORDER: written under the heap lock, read
 *		without it.
 * @map_len:	entries in @map.
 * @pages_total: heap pages held from the buddy allocator; heap lock.
 * @pages_inuse: heap pages in spans; heap lock.
 * @pages_released: free heap pages given back to the kernel; heap lock.
 * @chunk_meta_bytes: bytes of chunk descriptors; heap lock.
 * @nr_spans:	spans in existence (statistic).
 * @span_bytes:	bytes of span metadata in existence (statistic).
 * @grows:	chunks taken from the buddy allocator (statistic).
 * @grow_fallbacks: chunks smaller than the order first tried (statistic).
 * @releases:	chunks given back to the buddy allocator (statistic).
 * @released_bytes: bytes given back, whole chunks and holes (statistic).
 * @limit_pages: cap on hardware pages held (0: none); set at creation.
 * @pages_pending: hardware pages being allocated for new chunks, counted
 *		against @limit_pages before they arrive; heap lock.
 * @debug:	debug mode options (GH_DEBUG_*), fixed at creation.
 * @misuse:	bad frees detected, by kind.
 * @dbg_errors:	corruption found by debug mode, by kind.
 * @cpuhp_node:	instance on the CPU-dead hotplug state.
 * @scavenger:	background release of idle memory (scavenge.c).
 * @scavenge_idle: jiffies memory must stay idle before release; 0: off.
 * @scavenges:	scavenger passes that released something (statistic).
 * @last_drain:	jiffies of the shrinker's last cache drain.
 * @shrinker:	memory-pressure callbacks (compat.h), or NULL.
 * @link:	on the list of every heap (heap.c: gh_heap_find()).
 * @rcu_pending: objects of this heap queued by gh_free_rcu() and not yet
 *		freed (rcufree.c).
 * @profile:	the heap profiler's samples and rate (profile.c).
 */
struct gh_heap {
	const char *name;
	unsigned int page_shift;
	unsigned int hw_per_page;
	unsigned int chunk_order;
	struct gh_class classes[GH_NR_CLASSES];
	unsigned int nslots;
	u8 size_to_class8[1024 / 8 + 1];
	u8 size_to_class128[(GH_MAX_SMALL_SIZE - 1024) / 128 + 1];

	struct gh_central *central;
	struct gh_pcpu __percpu *pcpu;

	spinlock_t lock;	/* the page heap: see the lock order at the top */
	struct list_head chunks;
	unsigned long nr_chunks;
	u16 *tree;
	unsigned int tree_cap;
	unsigned long *slot_used;
	struct gh_chunk **slot_chunk;
	struct gh_chunk **map;
	unsigned long map_len;
	unsigned long pages_total;
	unsigned long pages_inuse;
	unsigned long pages_released;
	unsigned long chunk_meta_bytes;
	atomic_long_t nr_spans;
	atomic_long_t span_bytes;
	unsigned long grows;
	unsigned long grow_fallbacks;
	unsigned long releases;
	unsigned long released_bytes;
	unsigned long limit_pages;
	unsigned long pages_pending;

	unsigned int debug;
	atomic_long_t misuse[GH_MISUSE_NR];
	atomic_long_t dbg_errors[GH_DBG_NR];
	struct hlist_node cpuhp_node;
	struct delayed_work scavenger;
	unsigned long scavenge_idle;
	unsigned long scavenges;
	unsigned long last_drain;
	struct gh_shrinker *shrinker;
	struct list_head link;
	atomic_long_t rcu_pending;
	struct gh_profile *profile;
};

static inline unsigned long gh_page_bytes(const struct gh_heap *h)
{
	return 1UL << h->page_shift;
}

/* === sizeclass.c ========================================================== */

bool gh_page_shift_valid(unsigned int shift);
int gh_classes_init(struct gh_heap *h);
u32 gh_div_mul(u32 size);

/**
 * gh_size_to_class() - size class for an allocation size.
 * @h: heap.
 * @size: requested bytes.
 *
 * Return: the smallest small class whose objects hold @size bytes, or 0
 * when @size is above GH_MAX_SMALL_SIZE (a large object). Size 0 maps to
 * class 1; callers handle it before asking.
 */
static __always_inline unsigned int gh_size_to_class(const struct gh_heap *h, size_t size)
{
	if (size <= 1024)
		return h->size_to_class8[(size + 7) >> 3];
	if (size <= GH_MAX_SMALL_SIZE)
		return h->size_to_class128[(size - 1024 + 127) >> 7];
	return 0;
}

/* === pageheap.c =========================================================== */

/*
 * Flags of a caller's gfp that make sense for our own allocations.
 * __GFP_NOFAIL is not among them: chunks are order 5 and up, for which the
 * buddy allocator warns about it, and the memory limit can fail anyway.
 */
#define GH_GFP_MASK	(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HIGH | \
			 __GFP_NOWARN | __GFP_RETRY_MAYFAIL | \
			 __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC)

int gh_pageheap_init(struct gh_heap *h);
void gh_pageheap_destroy(struct gh_heap *h);
int gh_pages_alloc(struct gh_heap *h, struct gh_span *s, unsigned int align, gfp_t gfp, int nid);
void gh_pages_free(struct gh_heap *h, struct gh_span *s);
unsigned int gh_chunk_maxrun(const struct gh_chunk *ch);
struct gh_runsum gh_chunk_word_sum(const struct gh_chunk *ch, unsigned int w);
bool gh_granule_released(const struct gh_chunk *ch, unsigned long addr);
bool gh_chunk_insert(struct gh_heap *h, struct gh_chunk *ch);
void gh_chunk_remove(struct gh_heap *h, struct gh_chunk *ch);
unsigned long gh_pageheap_release(struct gh_heap *h, unsigned long min_idle,
				  unsigned int min_run, unsigned long goal);
unsigned long gh_pageheap_reclaimable(struct gh_heap *h);

/* Index in gh_heap.map of the 128 KiB of physical memory holding @addr. */
static __always_inline unsigned long gh_map_index(unsigned long addr)
{
	return (__pa(addr) >> PAGE_SHIFT) >> GH_MIN_CHUNK_ORDER;
}

/* Bytes of physical memory behind one entry of gh_heap.map (128 KiB). */
#define GH_GRANULE_BYTES	(PAGE_SIZE << GH_MIN_CHUNK_ORDER)

/* Entries of gh_heap.map a chunk covers, from gh_map_index(ch->base). */
static inline unsigned int gh_chunk_granules(const struct gh_chunk *ch)
{
	return 1U << (ch->order - GH_MIN_CHUNK_ORDER);
}

/**
 * gh_span_lookup() - span that contains an address.
 * @h: heap.
 * @p: any address.
 *
 * The chunk descriptor is read in an RCU-sched read-side section (it is
 * freed with kfree_rcu(), whose grace period also waits for sections with
 * preemption disabled): cheaper than rcu_read_lock(), which is a call on
 * kernels with preemptible RCU. The two READ_ONCE()s pair with the
 * smp_wmb() before each publication (pageheap.c: chunk_map() for the map,
 * run_take() for a chunk's span array): what they return is complete, and
 * is read through the pointer (an address dependency).
 *
 * Context: any; takes no lock.
 * Return: the span holding @p, or NULL if @p is not inside a span of @h.
 */
static __always_inline struct gh_span *gh_span_lookup(struct gh_heap *h, const void *p)
{
	unsigned long addr = (unsigned long)p, idx;
	struct gh_chunk *ch;
	struct gh_span *s;

	if (addr < PAGE_OFFSET || addr >= (unsigned long)high_memory)
		return NULL;
	idx = gh_map_index(addr);
	if (idx >= h->map_len)
		return NULL;
	rcu_read_lock_sched();
	ch = READ_ONCE(h->map[idx]);
	s = ch ? READ_ONCE(ch->spans[(addr - ch->base) >> h->page_shift]) : NULL;
	rcu_read_unlock_sched();
	return s;
}

/* === span.c =============================================================== */

struct gh_span *gh_span_alloc(struct gh_heap *h, unsigned int npages,
			      unsigned int align, enum gh_span_kind kind,
			      unsigned int cls, gfp_t gfp);
struct gh_span *gh_span_alloc_node(struct gh_heap *h, unsigned int npages,
				   unsigned int align, enum gh_span_kind kind,
				   unsigned int cls, gfp_t gfp, int nid);
void gh_span_free(struct gh_heap *h, struct gh_span *s);
unsigned long gh_span_bytes(const struct gh_heap *h, const struct gh_span *s);
unsigned int gh_span_take(struct gh_span *s, struct gh_obj *objs, unsigned int max);
void gh_span_put(struct gh_span *s, const void *p);

/**
 * gh_span_obj_index() - index of the object holding an address.
 * @s: span containing @p.
 * @p: address inside @s.
 * @interior: set to true when @p is not the first byte of its object.
 *
 * Inline: the free path calls it for every object.
 *
 * Context: any; takes no lock.
 * Return: the object index.
 */
static __always_inline unsigned int gh_span_obj_index(const struct gh_span *s,
						      const void *p, bool *interior)
{
	unsigned long off = (unsigned long)p - s->base;
	unsigned int idx;

	if (s->kind != GH_SPAN_SMALL) {
		*interior = off != 0;
		return 0;
	}
	idx = ((u64)off * s->div_mul) >> 32;
	*interior = (unsigned long)idx * s->elemsize != off;
	return idx;
}

/* === spancache.c ========================================================== */

struct gh_span *gh_span_cache_alloc(struct gh_heap *h, unsigned int npages,
				    unsigned int align, enum gh_span_kind kind, gfp_t gfp);
void gh_span_cache_free(struct gh_heap *h, struct gh_span *s);
void gh_span_cache_drain(struct gh_heap *h, struct gh_pcpu *cc);
unsigned long gh_span_cache_pages(struct gh_heap *h);

/* === central.c ============================================================ */

#define GH_BUCKETS	ARRAY_SIZE(((struct gh_central *)0)->partial)

/*
 * The central list a small span belongs on: its partial bucket by
 * occupancy, or GH_BUCKETS when it has no free object (the full list).
 */
static inline int gh_central_bucket(const struct gh_span *s)
{
	if (s->allocated == s->nelems)
		return GH_BUCKETS;
	return s->allocated * GH_BUCKETS / s->nelems;
}

int gh_central_init(struct gh_heap *h);
void gh_central_destroy(struct gh_heap *h);
unsigned int gh_central_refill(struct gh_heap *h, unsigned int cls, struct gh_obj *objs,
			       unsigned int want, gfp_t gfp);
void gh_central_flush(struct gh_heap *h, unsigned int cls, struct gh_obj *objs, unsigned int n);
unsigned int gh_central_cached(struct gh_heap *h, unsigned int cls);
unsigned int gh_central_take_cached(struct gh_heap *h, unsigned int cls, struct gh_obj *objs,
				    unsigned int want);
bool gh_central_put_cached(struct gh_heap *h, unsigned int cls, const struct gh_obj *objs,
			   unsigned int n);
unsigned int gh_central_release(struct gh_heap *h, unsigned int cls);
size_t gh_central_meta_bytes(struct gh_heap *h, unsigned int cls);

/* === tiny.c =============================================================== */

void *__gh_tiny_alloc(struct gh_heap *h, size_t size, gfp_t gfp, unsigned long ip);
void *gh_tiny_alloc(struct gh_heap *h, size_t size, gfp_t gfp);
bool gh_tiny_free(struct gh_heap *h, struct gh_span *s, const void *p, unsigned long ip);
size_t gh_tiny_usable_size(struct gh_span *s, const void *p);
void gh_tiny_unpin(struct gh_heap *h, void *block, atomic64_t *state);

/* === heap.c, heaps.c, rcufree.c: heaps and the object paths =============== */

struct gh_heap *gh_heap_create(const struct gh_heap_params *params);
void gh_heap_destroy(struct gh_heap *h);
void *__gh_alloc(struct gh_heap *h, size_t size, gfp_t gfp);
void *gh_alloc_traced(struct gh_heap *h, size_t size, gfp_t gfp, unsigned long ip);
void *gh_alloc(struct gh_heap *h, size_t size, gfp_t gfp);
void *__gh_alloc_node(struct gh_heap *h, size_t size, gfp_t gfp, int nid, unsigned long ip);
void *gh_alloc_node(struct gh_heap *h, size_t size, gfp_t gfp, int nid);
void gh_free(struct gh_heap *h, const void *p);
void __gh_free(struct gh_heap *h, const void *p, unsigned long ip);
int __gh_alloc_bulk(struct gh_heap *h, size_t size, gfp_t gfp, size_t nr, void **p,
		    unsigned long ip);
int gh_alloc_bulk(struct gh_heap *h, size_t size, gfp_t gfp, size_t nr, void **p);
void gh_free_bulk(struct gh_heap *h, size_t nr, void **p);
void __gh_free_bulk(struct gh_heap *h, size_t nr, void **p, unsigned long ip);
extern struct gh_heap *goheap_default_heap;
size_t gh_usable_size(struct gh_heap *h, const void *p);
size_t gh_size_roundup(struct gh_heap *h, size_t size);
void *__gh_realloc(struct gh_heap *h, const void *p, size_t new_size, gfp_t gfp,
		   unsigned long ip);
void *gh_realloc(struct gh_heap *h, const void *p, size_t new_size, gfp_t gfp);
void *gh_object_start(struct gh_heap *h, const void *p, size_t *usable);
void *gh_alloc_sampled(struct gh_heap *h, size_t size, gfp_t gfp, unsigned long ip);
struct gh_heap *gh_heap_find(const void *p);

/* heaps.c: private heaps (include/linux/goheap.h) */
struct goheap_heap;
struct dentry;
struct gh_heap *gh_heap_of(struct goheap_heap *heap);
void gh_heaps_init(struct dentry *root, unsigned int idle_secs);
void gh_heaps_exit(void);

/* rcufree.c */
void __gh_free_rcu(struct gh_heap *h, const void *p, struct rcu_head *head,
		   unsigned long ip);
void gh_free_rcu(struct gh_heap *h, const void *p, struct rcu_head *head);
void gh_free_rcu_barrier(struct gh_heap *h);

/* === scavenge.c: giving memory back ======================================= */

void gh_scavenger_init(struct gh_heap *h);
int gh_release_start(struct gh_heap *h, unsigned int idle_secs);
void gh_release_stop(struct gh_heap *h);
void gh_drain_caches(struct gh_heap *h);
unsigned long gh_reclaim(struct gh_heap *h, unsigned long goal);
unsigned long gh_limit_reclaim(struct gh_heap *h, gfp_t gfp);

/* === validate.c, dev.c ==================================================== */

struct seq_file;
unsigned long gh_validate(struct gh_heap *h, struct seq_file *m);

/* dev.c: /dev/goheap (see dev.h) */
int gh_dev_init(void);
void gh_dev_exit(void);

#endif /* _GOHEAP_INTERNAL_H */
