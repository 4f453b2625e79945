/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goheap statistics: Go's runtime.MemStats vocabulary, per class, per CPU.
 *
 * Everything is read without stopping the allocator: per-CPU counters are
 * summed, page-heap figures are read under the heap lock, class list
 * lengths under each class's lock. See stats.c for which invariants hold
 * at every instant and which only when the heap is quiescent.
 */
#ifndef _GOHEAP_STATS_H
#define _GOHEAP_STATS_H

#include <linux/seq_file.h>
#include <linux/types.h>

struct gh_heap;

/*
 * memstats fields, in the order they are printed and copied to user space.
 * Names in gh_ms_names[] (stats.c) are kept in step by a static_assert.
 */
enum gh_ms {
	GH_MS_SYS,		/* all bytes taken from the kernel (heap + metadata) */
	GH_MS_HEAP_SYS,		/* bytes of chunks held (in use + idle) */
	GH_MS_HEAP_ALLOC,	/* bytes of live objects */
	GH_MS_HEAP_INUSE,	/* bytes of spans in use */
	GH_MS_HEAP_IDLE,	/* bytes of free heap pages */
	GH_MS_HEAP_RELEASED,	/* idle bytes given back to the kernel */
	GH_MS_HEAP_OBJECTS,	/* live objects */
	GH_MS_MALLOCS,		/* objects allocated, cumulative */
	GH_MS_FREES,		/* objects freed, cumulative */
	GH_MS_TOTAL_ALLOC,	/* bytes allocated, cumulative */
	GH_MS_MSPAN_INUSE,	/* bytes of span metadata in use */
	GH_MS_MSPAN_SYS,	/* bytes of span metadata obtained */
	GH_MS_MCACHE_INUSE,	/* bytes of per-CPU cache structures */
	GH_MS_MCACHE_SYS,	/* bytes obtained for per-CPU caches */
	GH_MS_OTHER_SYS,	/* other metadata: chunks, central, maps */
	GH_MS_LARGE_OBJECTS,	/* live large objects */
	GH_MS_LARGE_ALLOC,	/* bytes of live large objects */
	GH_MS_TINY_OBJECTS,	/* live tiny objects */
	GH_MS_TINY_ALLOC,	/* bytes of live tiny objects */
	GH_MS_TINY_BLOCKS,	/* live 16 B tiny blocks */
	GH_MS_PCPU_CACHED,	/* objects in per-CPU caches */
	GH_MS_PCPU_CACHED_BYTES,
	GH_MS_CENTRAL_CACHED,	/* objects in central transfer caches */
	GH_MS_CENTRAL_CACHED_BYTES,
	GH_MS_CHUNKS,		/* chunks held */
	GH_MS_GROWS,		/* chunks taken, cumulative */
	GH_MS_GROW_FALLBACKS,	/* of which smaller than the chunk order */
	GH_MS_RELEASES,		/* chunks given back, cumulative */
	GH_MS_RELEASED_BYTES,	/* bytes given back (chunks and runs), cumulative */
	GH_MS_SCAVENGES,	/* scavenger passes that released memory */
	GH_MS_HEAP_LIMIT,	/* memory limit in bytes (0: none) */
	GH_MS_INVALID_FREES,
	GH_MS_INTERIOR_FREES,
	GH_MS_DOUBLE_FREES,
	GH_MS_POISON_ERRORS,	/* debug mode: writes after free found */
	GH_MS_REDZONE_ERRORS,	/* debug mode: writes past the end found */
	GH_MS_PCPU_SPAN_BYTES,	/* bytes of spans in CPUs' span caches */
	GH_MS_NR,
};

extern const char *const gh_ms_names[GH_MS_NR];

/**
 * struct gh_class_stats - figures of one size class.
 * @mallocs:	objects handed out, cumulative.
 * @frees:	objects taken back, cumulative.
 * @refills:	per-CPU underflows served from central.
 * @flushes:	per-CPU overflows returned to central.
 * @pcpu_cached: objects in per-CPU arrays.
 * @central_cached: objects in the transfer cache.
 * @spans_partial: spans with free objects.
 * @spans_full:	spans with none.
 * @spans_freed: spans returned to the page heap, cumulative.
 */
struct gh_class_stats {
	u64 mallocs;
	u64 frees;
	u64 refills;
	u64 flushes;
	u64 pcpu_cached;
	u64 central_cached;
	u64 spans_partial;
	u64 spans_full;
	u64 spans_freed;
};

/**
 * struct gh_cpu_stats - figures of one CPU's cache.
 * @cached:	objects in its arrays.
 * @cached_bytes: their bytes.
 * @mallocs:	objects handed out through it.
 * @frees:	objects freed into it.
 * @refills:	underflows.
 * @flushes:	overflows.
 * @drains:	whole-cache drains.
 */
struct gh_cpu_stats {
	u64 cached;
	u64 cached_bytes;
	u64 mallocs;
	u64 frees;
	u64 refills;
	u64 flushes;
	u64 drains;
};

#define GH_RUN_BUCKETS	11	/* free runs of 1, 2-3, 4-7, ... 1024 pages */

/**
 * struct gh_pageheap_stats - page heap figures, one consistent snapshot.
 * @chunks:	chunks held.
 * @pages_total: heap pages in them.
 * @pages_inuse: heap pages in spans.
 * @pages_free:	heap pages free (including released).
 * @pages_released: free heap pages given back to the kernel.
 * @largest_run: longest free run, in heap pages.
 * @runs:	free runs by length: runs[i] counts runs of 2^i .. 2^(i+1)-1.
 * @grows:	chunks taken, cumulative.
 * @grow_fallbacks: of which smaller than the chunk order.
 * @releases:	chunks given back, cumulative.
 * @released_bytes: bytes given back (chunks and runs), cumulative.
 * @page_size:	heap page size in bytes.
 */
struct gh_pageheap_stats {
	u64 chunks;
	u64 pages_total;
	u64 pages_inuse;
	u64 pages_free;
	u64 pages_released;
	u64 largest_run;
	u64 runs[GH_RUN_BUCKETS];
	u64 grows;
	u64 grow_fallbacks;
	u64 releases;
	u64 released_bytes;
	u64 page_size;
};

void gh_read_memstats(struct gh_heap *h, u64 *ms);
u64 gh_large_live_bytes(struct gh_heap *h);
void gh_read_class_stats(struct gh_heap *h, unsigned int cls, struct gh_class_stats *cs);
void gh_read_cpu_stats(struct gh_heap *h, unsigned int cpu, struct gh_cpu_stats *st);
void gh_read_pageheap_stats(struct gh_heap *h, struct gh_pageheap_stats *ps);

void gh_debugfs_init(struct gh_heap *h, struct dentry *root);

#endif /* _GOHEAP_STATS_H */
