/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goheap_bench internals, shared by the files of kmod/bench/: the cases and
 * runs every workload is made of, the allocators as always-inline switches
 * (so that a measured loop makes direct calls only), the helpers of
 * harness.c, and the workloads that harness.c's table lists. harness.c
 * describes the benchmark as a whole.
 */
#ifndef _GOHEAP_BENCH_H
#define _GOHEAP_BENCH_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/goheap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/types.h>
#include <linux/vmalloc.h>

struct gh_heap;

#define BENCH_CHUNKS		20	/* timed chunks per case, at most */
#define BENCH_MAX_CASES		4	/* allocators compared side by side */
#define BENCH_MAX_REPS		15
#define BENCH_SEED		0x9e3779b97f4a7c15ULL

/**
 * enum bench_alloc - the allocators a case runs through.
 * @BA_NONE:	no allocator (calibration, empty loop).
 * @BA_GOHEAP:	goheap's exported API, or its page heap for spans.
 * @BA_KMALLOC:	kmalloc()/kfree().
 * @BA_CACHE:	a kmem_cache created for the case's size.
 * @BA_PAGES:	__get_free_pages()/free_pages() of the covering order.
 * @BA_VMALLOC:	vmalloc()/vfree().
 * @BA_NR:	number of allocators.
 */
enum bench_alloc {
	BA_NONE,
	BA_GOHEAP,
	BA_KMALLOC,
	BA_CACHE,
	BA_PAGES,
	BA_VMALLOC,
	BA_NR,
};

/* What each allocator is printed as, alloc=<name> (harness.c). */
extern const char *const ba_names[BA_NR];

/**
 * struct bench_case - one allocator on one configuration.
 * @a:		allocator.
 * @label:	name printed as alloc=, or NULL for the allocator's name.
 * @h:		goheap heap (spans).
 * @size:	object size in bytes.
 * @order:	page order for BA_PAGES.
 * @npages:	span length in heap pages (spans, spanscale).
 * @cache:	dedicated cache for BA_CACHE.
 * @batch:	objects per round (batch, bulk).
 * @free_order:	enum bench_order (batch).
 * @perm:	random free order of @batch indices (batch).
 * @objs:	scratch pointer array of at least @batch entries.
 * @op:		calibration primitive index.
 * @iter:	running counter (spanscale picks span sizes with it).
 */
struct bench_case {
	enum bench_alloc a;
	const char *label;
	struct gh_heap *h;
	size_t size;
	unsigned int order;
	unsigned int npages;
	struct kmem_cache *cache;
	unsigned int batch;
	unsigned int free_order;
	const u32 *perm;
	void **objs;
	unsigned int op;
	unsigned long iter;
};

/**
 * struct bench_run - one write to the bench file.
 * @h:		goheap's default heap.
 * @name:	workload name, printed as bench=<name>.
 * @loops:	operations per case (workload-specific meaning).
 * @ms:		duration of one throughput measurement.
 * @reps:	repetitions of throughput measurements.
 * @size:	object size, or 0 for the workload's own list.
 * @profile_rate: the default heap's profile rate during the run, or -1 to
 *		leave it as it is.
 */
struct bench_run {
	struct gh_heap *h;
	const char *name;
	unsigned int loops;
	unsigned int ms;
	unsigned int reps;
	unsigned int size;
	long profile_rate;
};

/**
 * struct bench_result - timing of one case.
 * @n:		operations timed.
 * @med:	median chunk, in tenths of a nanosecond per operation.
 * @min:	fastest chunk, same unit.
 */
struct bench_result {
	u64 n;
	u64 med;
	u64 min;
};

/*
 * Each workload's chunk function runs @n operations of its case and
 * returns 0 or a negative errno, with everything it allocated freed.
 */
typedef int (*bench_fn)(struct bench_case *c, unsigned int n);

/* Deterministic pseudo-random numbers (xorshift64*): same sequence for every allocator. */
static inline u32 bench_rand(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (x * 0x2545f4914f6cdd1dULL) >> 32;
}

static inline bool bench_stopped(void)
{
	return fatal_signal_pending(current);
}

/* The allocators: always inline, @a a constant at each call site. */

static __always_inline void *ba_alloc(const struct bench_case *c, enum bench_alloc a)
{
	switch (a) {
	case BA_GOHEAP:
		return goheap_alloc(c->size, GFP_KERNEL);
	case BA_KMALLOC:
		return kmalloc(c->size, GFP_KERNEL);
	case BA_CACHE:
		return kmem_cache_alloc(c->cache, GFP_KERNEL);
	case BA_PAGES:
		return (void *)__get_free_pages(GFP_KERNEL, c->order);
	case BA_VMALLOC:
		return vmalloc(c->size);
	default:
		return NULL;
	}
}

static __always_inline void ba_free(const struct bench_case *c, enum bench_alloc a, void *p)
{
	switch (a) {
	case BA_GOHEAP:
		goheap_free(p);
		break;
	case BA_KMALLOC:
		kfree(p);
		break;
	case BA_CACHE:
		kmem_cache_free(c->cache, p);
		break;
	case BA_PAGES:
		free_pages((unsigned long)p, c->order);
		break;
	case BA_VMALLOC:
		vfree(p);
		break;
	default:
		break;
	}
}

static __always_inline void bench_touch(void *p)
{
	WRITE_ONCE(*(u8 *)p, 1);
}

/* harness.c: output, measurement and the helpers of every workload. */
__printf(2, 3) void bench_line(struct bench_run *r, const char *fmt, ...);
void bench_print_result(struct bench_run *r, const char *what, const struct bench_result *res);
u64 bench_median(u64 *v, unsigned int n);
int bench_measure(struct bench_case *cs, unsigned int ncases, bench_fn fn, u64 total,
		  unsigned int per_call, struct bench_result *res);
struct kmem_cache *bench_cache_create(size_t size);
int bench_cases_run(struct bench_run *r, struct bench_case *cs, unsigned int ncases,
		    bench_fn fn, u64 total, unsigned int per_call, const char *what);
u64 bench_scaled_loops(unsigned int loops, size_t bytes);

/* object.c: alloc+free pairs, also run by the spans and scaling workloads. */
int bench_pair_fn(struct bench_case *c, unsigned int n);

/* The workloads of harness.c's table, each in the file of its kind. */
int bench_pair(struct bench_run *r);		/* object.c */
int bench_batch(struct bench_run *r);
int bench_bulk(struct bench_run *r);
int bench_spans(struct bench_run *r);		/* span.c */
int bench_spanscale(struct bench_run *r);
int bench_memory(struct bench_run *r);		/* memory.c */
int bench_crosscpu(struct bench_run *r);	/* mt.c */
int bench_scaling(struct bench_run *r);

#endif /* _GOHEAP_BENCH_H */
