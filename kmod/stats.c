// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics, read without stopping the allocator.
 *
 * Counters of the object paths are per CPU (mallocs, frees, refills,
 * flushes per class; large and tiny bytes) and are summed here; page-heap
 * figures are read together under the heap lock; list lengths under each
 * class's lock. Consequences:
 *
 * At every instant (any read, under any load):
 *   HeapSys = HeapInuse + HeapIdle, HeapIdle >= HeapReleased,
 *   Sys = HeapSys + MSpanSys + MCacheSys + OtherSys, MSpanInuse <= MSpanSys,
 *   Mallocs and Frees never decrease between two reads.
 *
 * When the heap is quiescent (no allocation or free in flight):
 *   HeapObjects = Mallocs - Frees,
 *   HeapAlloc <= HeapInuse, and HeapInuse - HeapAlloc is the memory in
 *   spans not holding live objects: cached objects, free objects in
 *   partial spans, span tails, and /dev/goheap spans (in use, but not
 *   objects).
 *
 * While CPUs allocate and free, a sum may see a free on one CPU before the
 * matching allocation on another, so live counts are clamped at zero.
 */
#include <linux/cpumask.h>
#include <linux/percpu.h>

#include "internal.h"
#include "pcpu.h"
#include "stats.h"

const char *const gh_ms_names[GH_MS_NR] = {
	[GH_MS_SYS] = "Sys",
	[GH_MS_HEAP_SYS] = "HeapSys",
	[GH_MS_HEAP_ALLOC] = "HeapAlloc",
	[GH_MS_HEAP_INUSE] = "HeapInuse",
	[GH_MS_HEAP_IDLE] = "HeapIdle",
	[GH_MS_HEAP_RELEASED] = "HeapReleased",
	[GH_MS_HEAP_OBJECTS] = "HeapObjects",
	[GH_MS_MALLOCS] = "Mallocs",
	[GH_MS_FREES] = "Frees",
	[GH_MS_TOTAL_ALLOC] = "TotalAlloc",
	[GH_MS_MSPAN_INUSE] = "MSpanInuse",
	[GH_MS_MSPAN_SYS] = "MSpanSys",
	[GH_MS_MCACHE_INUSE] = "MCacheInuse",
	[GH_MS_MCACHE_SYS] = "MCacheSys",
	[GH_MS_OTHER_SYS] = "OtherSys",
	[GH_MS_LARGE_OBJECTS] = "LargeObjects",
	[GH_MS_LARGE_ALLOC] = "LargeAlloc",
	[GH_MS_TINY_OBJECTS] = "TinyObjects",
	[GH_MS_TINY_ALLOC] = "TinyAlloc",
	[GH_MS_TINY_BLOCKS] = "TinyBlocks",
	[GH_MS_PCPU_CACHED] = "PerCPUCachedObjects",
	[GH_MS_PCPU_CACHED_BYTES] = "PerCPUCachedBytes",
	[GH_MS_CENTRAL_CACHED] = "CentralCachedObjects",
	[GH_MS_CENTRAL_CACHED_BYTES] = "CentralCachedBytes",
	[GH_MS_CHUNKS] = "Chunks",
	[GH_MS_GROWS] = "Grows",
	[GH_MS_GROW_FALLBACKS] = "GrowFallbacks",
	[GH_MS_RELEASES] = "Releases",
	[GH_MS_RELEASED_BYTES] = "ReleasedBytes",
	[GH_MS_SCAVENGES] = "Scavenges",
	[GH_MS_HEAP_LIMIT] = "HeapLimit",
	[GH_MS_INVALID_FREES] = "InvalidFrees",
	[GH_MS_INTERIOR_FREES] = "InteriorFrees",
	[GH_MS_DOUBLE_FREES] = "DoubleFrees",
	[GH_MS_POISON_ERRORS] = "PoisonErrors",
	[GH_MS_REDZONE_ERRORS] = "RedzoneErrors",
	[GH_MS_PCPU_SPAN_BYTES] = "PerCPUSpanBytes",
};
EXPORT_SYMBOL_GH_INTERNAL(gh_ms_names);
static_assert(ARRAY_SIZE(gh_ms_names) == GH_MS_NR);

static u64 live(u64 in, u64 out)
{
	return in > out ? in - out : 0;
}

/**
 * gh_read_cpu_stats() - figures of one CPU's cache.
 * @h: heap.
 * @cpu: possible CPU.
 * @st: filled in.
 *
 * Context: any.
 */
void gh_read_cpu_stats(struct gh_heap *h, unsigned int cpu, struct gh_cpu_stats *st)
{
	struct gh_pcpu *cc = per_cpu_ptr(h->pcpu, cpu);
	unsigned int cls;

	memset(st, 0, sizeof(*st));
	for (cls = 0; cls < GH_NR_CLASSES; cls++) {
		u64 n = cls ? READ_ONCE(cc->count[cls]) : 0;

		st->cached += n;
		st->cached_bytes += n * h->classes[cls].size;
		st->mallocs += READ_ONCE(cc->cstat[cls][GH_CS_MALLOCS]);
		st->frees += READ_ONCE(cc->cstat[cls][GH_CS_FREES]);
		st->refills += READ_ONCE(cc->cstat[cls][GH_CS_REFILLS]);
		st->flushes += READ_ONCE(cc->cstat[cls][GH_CS_FLUSHES]);
	}
	st->drains = READ_ONCE(cc->stat[GH_ST_DRAINS]);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_read_cpu_stats);

/**
 * gh_read_class_stats() - figures of one size class.
 * @h: heap.
 * @cls: class 0 (large objects) .. GH_TINY_CLASS.
 * @cs: filled in.
 *
 * Context: any; takes the class's central lock briefly.
 */
void gh_read_class_stats(struct gh_heap *h, unsigned int cls, struct gh_class_stats *cs)
{
	unsigned long flags;
	unsigned int cpu;

	memset(cs, 0, sizeof(*cs));
	for_each_possible_cpu(cpu) {
		struct gh_pcpu *cc = per_cpu_ptr(h->pcpu, cpu);

		cs->mallocs += READ_ONCE(cc->cstat[cls][GH_CS_MALLOCS]);
		cs->frees += READ_ONCE(cc->cstat[cls][GH_CS_FREES]);
		cs->refills += READ_ONCE(cc->cstat[cls][GH_CS_REFILLS]);
		cs->flushes += READ_ONCE(cc->cstat[cls][GH_CS_FLUSHES]);
		if (cls)
			cs->pcpu_cached += READ_ONCE(cc->count[cls]);
	}
	if (!cls)
		return;
	spin_lock_irqsave(&h->central[cls].lock, flags);
	cs->central_cached = h->central[cls].nxfer;
	cs->spans_partial = h->central[cls].nr_partial;
	cs->spans_full = h->central[cls].nr_full;
	cs->spans_freed = h->central[cls].nr_spans_freed;
	spin_unlock_irqrestore(&h->central[cls].lock, flags);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_read_class_stats);

/**
 * gh_read_pageheap_stats() - one consistent snapshot of the page heap.
 * @h: heap.
 * @ps: filled in.
 *
 * Walks every chunk's bitmap under the heap lock to build the free-run
 * histogram: cost grows with the heap, so this is for debugfs, not for
 * hot paths.
 *
 * Context: process or softirq; takes the heap lock.
 */
void gh_read_pageheap_stats(struct gh_heap *h, struct gh_pageheap_stats *ps)
{
	struct gh_chunk *ch;
	unsigned long flags, s, e;

	memset(ps, 0, sizeof(*ps));
	ps->page_size = gh_page_bytes(h);
	spin_lock_irqsave(&h->lock, flags);
	ps->chunks = h->nr_chunks;
	ps->pages_total = h->pages_total;
	ps->pages_inuse = h->pages_inuse;
	ps->pages_released = h->pages_released;
	ps->grows = h->grows;
	ps->grow_fallbacks = h->grow_fallbacks;
	ps->releases = h->releases;
	ps->released_bytes = h->released_bytes;
	list_for_each_entry(ch, &h->chunks, node) {
		for (s = 0; s < ch->npages; s = e) {
			s = find_next_zero_bit(ch->inuse, ch->npages, s);
			if (s >= ch->npages)
				break;
			e = find_next_bit(ch->inuse, ch->npages, s);
			ps->runs[min_t(unsigned int, ilog2(e - s), GH_RUN_BUCKETS - 1)]++;
			ps->largest_run = max_t(u64, ps->largest_run, e - s);
		}
	}
	spin_unlock_irqrestore(&h->lock, flags);
	ps->pages_free = ps->pages_total - ps->pages_inuse;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_read_pageheap_stats);

static void sum_stats(struct gh_heap *h, u64 *st)
{
	unsigned int cpu, i;

	memset(st, 0, GH_ST_NR * sizeof(*st));
	for_each_possible_cpu(cpu)
		for (i = 0; i < GH_ST_NR; i++)
			st[i] += READ_ONCE(per_cpu_ptr(h->pcpu, cpu)->stat[i]);
}

/**
 * gh_large_live_bytes() - bytes of live large objects.
 * @h: heap.
 *
 * Return: a sum of per-CPU counters (see the top of this file).
 */
u64 gh_large_live_bytes(struct gh_heap *h)
{
	u64 st[GH_ST_NR];

	sum_stats(h, st);
	return live(st[GH_ST_LARGE_BYTES_ALLOC], st[GH_ST_LARGE_BYTES_FREED]);
}

/**
 * gh_read_memstats() - the heap in runtime.MemStats terms.
 * @h: heap.
 * @ms: array of GH_MS_NR values, filled in (enum gh_ms).
 *
 * Context: process or softirq.
 */
void gh_read_memstats(struct gh_heap *h, u64 *ms)
{
	u64 mallocs = 0, frees = 0, alloc_bytes = 0, live_bytes = 0;
	u64 st[GH_ST_NR], central_bytes = 0;
	struct gh_class_stats cs;
	unsigned long flags, cached, cpus = num_possible_cpus();
	unsigned int cls;
	u64 size;

	memset(ms, 0, GH_MS_NR * sizeof(*ms));
	sum_stats(h, st);

	for (cls = 1; cls < GH_NR_CLASSES; cls++) {
		gh_read_class_stats(h, cls, &cs);
		size = h->classes[cls].size;
		alloc_bytes += cs.mallocs * size;
		live_bytes += live(cs.mallocs, cs.frees) * size;
		ms[GH_MS_PCPU_CACHED] += cs.pcpu_cached;
		ms[GH_MS_PCPU_CACHED_BYTES] += cs.pcpu_cached * size;
		ms[GH_MS_CENTRAL_CACHED] += cs.central_cached;
		ms[GH_MS_CENTRAL_CACHED_BYTES] += cs.central_cached * size;
		central_bytes += gh_central_meta_bytes(h, cls);
		if (cls == GH_TINY_CLASS) {
			/* Blocks are not objects: tiny objects are counted below. */
			ms[GH_MS_TINY_BLOCKS] = live(cs.mallocs, cs.frees);
			continue;
		}
		mallocs += cs.mallocs;
		frees += cs.frees;
	}

	gh_read_class_stats(h, 0, &cs);
	ms[GH_MS_LARGE_OBJECTS] = live(cs.mallocs, cs.frees);
	ms[GH_MS_LARGE_ALLOC] = live(st[GH_ST_LARGE_BYTES_ALLOC], st[GH_ST_LARGE_BYTES_FREED]);
	mallocs += cs.mallocs + st[GH_ST_TINY_MALLOCS];
	frees += cs.frees + st[GH_ST_TINY_FREES];
	ms[GH_MS_TINY_OBJECTS] = live(st[GH_ST_TINY_MALLOCS], st[GH_ST_TINY_FREES]);
	ms[GH_MS_TINY_ALLOC] = live(st[GH_ST_TINY_BYTES_ALLOC], st[GH_ST_TINY_BYTES_FREED]);

	ms[GH_MS_MALLOCS] = mallocs;
	ms[GH_MS_FREES] = frees;
	ms[GH_MS_HEAP_OBJECTS] = live(mallocs, frees);
	ms[GH_MS_HEAP_ALLOC] = live_bytes + ms[GH_MS_LARGE_ALLOC];
	ms[GH_MS_TOTAL_ALLOC] = alloc_bytes + st[GH_ST_LARGE_BYTES_ALLOC];

	ms[GH_MS_MSPAN_INUSE] = atomic_long_read(&h->span_bytes);
	ms[GH_MS_MSPAN_SYS] = ms[GH_MS_MSPAN_INUSE];
	ms[GH_MS_MCACHE_INUSE] = cpus * (sizeof(struct gh_pcpu) +
					 h->nslots * sizeof(struct gh_obj));
	ms[GH_MS_MCACHE_SYS] = ms[GH_MS_MCACHE_INUSE];

	cached = gh_span_cache_pages(h);
	spin_lock_irqsave(&h->lock, flags);
	ms[GH_MS_HEAP_SYS] = (u64)h->pages_total << h->page_shift;
	/* Spans in CPUs' span caches are free memory, kept close at hand. */
	ms[GH_MS_HEAP_INUSE] = (u64)(h->pages_inuse - min(cached, h->pages_inuse)) << h->page_shift;
	ms[GH_MS_HEAP_RELEASED] = (u64)h->pages_released << h->page_shift;
	ms[GH_MS_OTHER_SYS] = h->chunk_meta_bytes + (u64)h->tree_cap * (2 * sizeof(*h->tree) +
			      sizeof(*h->slot_chunk)) + BITS_TO_LONGS(h->tree_cap) * sizeof(long);
	ms[GH_MS_CHUNKS] = h->nr_chunks;
	ms[GH_MS_GROWS] = h->grows;
	ms[GH_MS_GROW_FALLBACKS] = h->grow_fallbacks;
	ms[GH_MS_RELEASES] = h->releases;
	ms[GH_MS_RELEASED_BYTES] = h->released_bytes;
	spin_unlock_irqrestore(&h->lock, flags);
	ms[GH_MS_SCAVENGES] = READ_ONCE(h->scavenges);
	ms[GH_MS_HEAP_LIMIT] = (u64)h->limit_pages << PAGE_SHIFT;

	ms[GH_MS_HEAP_IDLE] = ms[GH_MS_HEAP_SYS] - ms[GH_MS_HEAP_INUSE];
	ms[GH_MS_OTHER_SYS] += h->map_len * sizeof(*h->map) +
			       GH_NR_CLASSES * sizeof(*h->central) + central_bytes;
	ms[GH_MS_SYS] = ms[GH_MS_HEAP_SYS] + ms[GH_MS_MSPAN_SYS] + ms[GH_MS_MCACHE_SYS] +
			ms[GH_MS_OTHER_SYS];
	ms[GH_MS_INVALID_FREES] = atomic_long_read(&h->misuse[GH_MISUSE_INVALID]);
	ms[GH_MS_INTERIOR_FREES] = atomic_long_read(&h->misuse[GH_MISUSE_INTERIOR]);
	ms[GH_MS_DOUBLE_FREES] = atomic_long_read(&h->misuse[GH_MISUSE_DOUBLE]);
	ms[GH_MS_POISON_ERRORS] = atomic_long_read(&h->dbg_errors[GH_DBG_POISON]);
	ms[GH_MS_REDZONE_ERRORS] = atomic_long_read(&h->dbg_errors[GH_DBG_REDZONE]);
	ms[GH_MS_PCPU_SPAN_BYTES] = (u64)cached << h->page_shift;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_read_memstats);
