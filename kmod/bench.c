// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel benchmark: goheap side by side with kmalloc/SLUB, a dedicated
 * kmem_cache, alloc_pages and vmalloc, in the same boot.
 *
 * /sys/kernel/debug/goheap/bench (root only). Writing
 *
 *   <workload> [key=value ...]
 *
 * runs a workload synchronously in the writer's context and the write
 * returns when it is done (-EINVAL, with nothing run, for an unknown
 * workload or a bad argument; -EINTR when a fatal signal stopped it).
 * Reading returns the results of the last run, one line per case, each a
 * list of key=value fields:
 *
 *   bench=info workload=pair cpus=2 init_on_alloc=1 init_on_free=0 ...
 *   bench=pair alloc=none op=empty_loop n=40000 ns_per_op=1.2 min=1.1
 *   bench=pair alloc=goheap size=64 n=40000 ns_per_op=812.3 min=790.0
 *
 * Workloads (arguments in brackets, defaults in bench_workloads[]):
 *
 *   calibration  cost of the primitives allocators are built from: empty
 *                loop, ktime_get_ns, preempt off/on, IRQ save/restore,
 *                local_lock, this_cpu_inc, cmpxchg_double (locked),
 *                atomic_inc, uncontended spin lock, clear_page [loops]
 *   pair         alloc+free of one object per size: 8 B .. 32 KiB, odd Go
 *                classes, 64 KiB .. 1 MiB [loops, size]
 *   batch        allocate N then free N, N = 10 .. 10000, freed LIFO, FIFO
 *                or in random order; 64 B and 1 KiB [loops, size]
 *   bulk         goheap_alloc_bulk/free_bulk against kmem_cache_alloc_bulk/
 *                free_bulk, N = 16 .. 1024 [loops, size]
 *   spans        spans of 1 .. 512 heap pages on the default heap, taken
 *                as large objects and /dev/goheap take them (through the
 *                per-CPU span cache), against alloc_pages of the order that
 *                covers them, and vmalloc where no order fits exactly [loops]
 *   spanscale    one page-heap span alloc+free (no span cache: the page
 *                heap's search) on a private heap that already holds
 *                L = 1, 16, 256, 4096 spans of 1 .. 8 pages, packed or with
 *                a one-page hole after each [loops]
 *   crosscpu     producer kthreads allocate 64 B objects, consumer kthreads
 *                on other CPUs free them, through a ring [ms, reps, size]
 *   scaling      alloc+free pairs on 1 .. all online CPUs at once, ops/s
 *                per CPU [ms, reps, size]
 *   memory       a churn of a log-normal-ish size mix up to 1 KiB plus some
 *                large objects: bytes requested against pages held, at peak,
 *                after freeing everything and after reclaim [loops]
 *
 * Method. Each case runs the same loop body through every allocator: the
 * body is an always-inline function whose allocator argument is a constant
 * at each call site, so no indirect call is timed. A case runs one chunk
 * untimed (warm caches, grow heaps), then 5 to 20 chunks, each timed with
 * ktime_get_ns() with preemption enabled and cond_resched() in between;
 * ns_per_op is the median chunk, min the fastest. A size case applies the
 * same policy to everything: with init_on_alloc, goheap and SLUB clear
 * objects, the buddy allocator clears pages, and the spans workload clears
 * raw spans itself (the page heap does not) so that spans compare with
 * alloc_pages() like for like. An empty loop is timed
 * first in every run and reported, not subtracted. Objects are written to
 * (one byte) between alloc and free. Throughput workloads run kthreads
 * bound to CPUs for a fixed time and report the median of their
 * repetitions, the allocators interleaved within each repetition.
 *
 * Under emulation (QEMU TCG) absolute times are inflated, unevenly per
 * primitive: compare allocators only by ratios from the same boot.
 *
 * Every object a workload allocates is freed before it returns, on error
 * paths too, and a fatal signal to the writer stops the run between cases.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/goheap.h>
#include <linux/kthread.h>
#include <linux/local_lock.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "bench.h"
#include "compat.h"
#include "goheap.h"
#include "stats.h"

#define BENCH_BUF_SIZE		(64 * 1024)	/* results of the last run */
#define BENCH_CMD_MAX		128
#define BENCH_CHUNKS		20	/* timed chunks per case, at most */
#define BENCH_MIN_CHUNKS	5	/* and at least */
#define BENCH_MAX_CASES		4	/* allocators compared side by side */
#define BENCH_MAX_BATCH		10000
#define BENCH_MAX_BULK		1024
#define BENCH_RING		1024	/* cross-CPU ring slots, power of two */
#define BENCH_RING_SPINS	1024	/* spins on a full or empty ring ... */
#define BENCH_RING_SLEEP_US	20	/* ... before sleeping this long */
#define BENCH_MAX_REPS		15
#define BENCH_SEED		0x9e3779b97f4a7c15ULL
#define BENCH_SLICE		64	/* ops between checks in kthread loops */

/* Span-scaling table: live spans, and spans of 1..8 pages. */
static const unsigned int spanscale_live[] = { 1, 16, 256, 4096 };
#define BENCH_SCALE_MAXPAGES	8

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

static const char *const ba_names[BA_NR] = {
	[BA_NONE] = "none",
	[BA_GOHEAP] = "goheap",
	[BA_KMALLOC] = "kmalloc",
	[BA_CACHE] = "kmem_cache",
	[BA_PAGES] = "pages",
	[BA_VMALLOC] = "vmalloc",
};

/* Free orders of the batch workload. */
enum bench_order {
	BO_LIFO,
	BO_FIFO,
	BO_RANDOM,
	BO_NR,
};

static const char *const bo_names[BO_NR] = { "lifo", "fifo", "random" };

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
 * @h:		the module's default heap.
 * @name:	workload name, printed as bench=<name>.
 * @loops:	operations per case (workload-specific meaning).
 * @ms:		duration of one throughput measurement.
 * @reps:	repetitions of throughput measurements.
 * @size:	object size, or 0 for the workload's own list.
 */
struct bench_run {
	struct gh_heap *h;
	const char *name;
	unsigned int loops;
	unsigned int ms;
	unsigned int reps;
	unsigned int size;
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

static DEFINE_MUTEX(bench_lock);	/* one run at a time; guards what follows */
static char bench_buf[BENCH_BUF_SIZE];
static size_t bench_len;
/* bench_measure()'s chunk times, off the stack (runs hold bench_lock). */
static u64 bench_samples[BENCH_MAX_CASES][BENCH_CHUNKS];
static struct gh_heap *bench_heap;

/* Calibration targets. */
static DEFINE_PER_CPU(unsigned long, bench_pcpu_count);
static DEFINE_SPINLOCK(bench_spin);
static atomic_long_t bench_atomic;

struct bench_llock {
	local_lock_t lock;
	unsigned long count;
};

static DEFINE_PER_CPU(struct bench_llock, bench_llock) = {
	.lock = INIT_LOCAL_LOCK(lock),
};

/*
 * SLUB's fast path is an unlocked per-CPU cmpxchg16b, but that one is an
 * alternative with a per-CPU relocation, which objtool refuses in a
 * module: time the locked cmpxchg16b of its slow path instead.
 */
#ifdef system_has_cmpxchg_double
static struct {
	unsigned long lo;
	unsigned long hi;
} bench_dword __aligned(2 * sizeof(unsigned long));
#endif

/* Output. */

static __printf(2, 3) void bench_line(struct bench_run *r, const char *fmt, ...)
{
	size_t start = bench_len, room;
	va_list args;
	int n;

	room = BENCH_BUF_SIZE - bench_len;
	n = snprintf(bench_buf + bench_len, room, "bench=%s ", r->name);
	if (n >= room)
		goto full;
	bench_len += n;
	room -= n;
	va_start(args, fmt);
	n = vsnprintf(bench_buf + bench_len, room, fmt, args);
	va_end(args);
	if (n + 1 >= room)
		goto full;
	bench_len += n;
	bench_buf[bench_len++] = '\n';
	return;
full:
	bench_len = start;
	pr_warn_once("bench: results buffer full, lines dropped\n");
}

/* Times are in tenths of a nanosecond, printed as "123.4". */
static void print_result(struct bench_run *r, const char *what, const struct bench_result *res)
{
	bench_line(r, "%s n=%llu ns_per_op=%llu.%llu min=%llu.%llu", what, res->n,
		   res->med / 10, res->med % 10, res->min / 10, res->min % 10);
}

/* Deterministic pseudo-random numbers (xorshift64*): same sequence for every allocator. */
static u32 bench_rand(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (x * 0x2545f4914f6cdd1dULL) >> 32;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median_u64(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	return v[n / 2];
}

static bool bench_stopped(void)
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

static __always_inline void touch(void *p)
{
	WRITE_ONCE(*(u8 *)p, 1);
}

/*
 * Each workload's chunk function runs @n operations of its case and
 * returns 0 or a negative errno, with everything it allocated freed.
 */
typedef int (*bench_fn)(struct bench_case *c, unsigned int n);

/**
 * bench_measure() - time cases side by side.
 * @cs: the cases (allocators) to compare, at most BENCH_MAX_CASES.
 * @ncases: how many.
 * @fn: runs @n operations of a case.
 * @total: operations to time per case (at least BENCH_MIN_CHUNKS calls).
 * @per_call: operations that one unit of @fn's @n stands for (a batch
 *	round counts as its number of objects).
 * @res: one result per case, filled in on success.
 *
 * Splits @total into BENCH_CHUNKS chunks (fewer, down to BENCH_MIN_CHUNKS,
 * when one unit is a large share of @total). Every case first runs one
 * untimed chunk; then the timed chunks of all cases are interleaved, the
 * order rotating from one round to the next, so that a change in the
 * machine's speed during the measurement (other work on the host of an
 * emulator) affects every case alike and their ratio stays fair. Chunks
 * run with preemption enabled and cond_resched() between them.
 *
 * Context: process; sleeps.
 * Return: 0, -EINTR on a fatal signal, or @fn's error.
 */
static int bench_measure(struct bench_case *cs, unsigned int ncases, bench_fn fn, u64 total,
			 unsigned int per_call, struct bench_result *res)
{
	u64 (*samples)[BENCH_CHUNKS] = bench_samples, t0, dt;
	unsigned int nchunks, chunk, i, j, k;
	int err;

	lockdep_assert_held(&bench_lock);
	if (WARN_ON_ONCE(ncases > BENCH_MAX_CASES))
		return -EINVAL;
	nchunks = clamp_t(u64, div_u64(total, per_call), BENCH_MIN_CHUNKS, BENCH_CHUNKS);
	chunk = max_t(u64, 1, div_u64(total, (u64)nchunks * per_call));
	for (k = 0; k < ncases; k++) {
		err = fn(&cs[k], chunk);
		if (err)
			return err;
		cond_resched();
	}
	for (i = 0; i < nchunks; i++) {
		for (j = 0; j < ncases; j++) {
			k = (i + j) % ncases;
			cond_resched();
			if (bench_stopped())
				return -EINTR;
			t0 = ktime_get_ns();
			err = fn(&cs[k], chunk);
			dt = ktime_get_ns() - t0;
			if (err)
				return err;
			samples[k][i] = div_u64(dt * 10, (u64)chunk * per_call);
		}
	}
	for (k = 0; k < ncases; k++) {
		res[k].n = (u64)chunk * per_call * nchunks;
		res[k].min = samples[k][0];
		for (i = 1; i < nchunks; i++)
			res[k].min = min(res[k].min, samples[k][i]);
		res[k].med = median_u64(samples[k], nchunks);
	}
	return 0;
}

static int empty_fn(struct bench_case *c, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		barrier();
	return 0;
}

/* Every run starts with the cost of the loop itself. */
static int bench_empty_loop(struct bench_run *r, u64 n)
{
	struct bench_case c = { .a = BA_NONE };
	struct bench_result res;
	int err;

	err = bench_measure(&c, 1, empty_fn, n, 1, &res);
	if (!err)
		print_result(r, "alloc=none op=empty_loop", &res);
	return err;
}

/* calibration */

enum calib_op {
	CAL_KTIME,
	CAL_PREEMPT,
	CAL_IRQSAVE,
	CAL_LOCAL_LOCK,
	CAL_THIS_CPU_INC,
	CAL_CMPXCHG_DOUBLE,
	CAL_ATOMIC_INC,
	CAL_SPIN_LOCK,
	CAL_CLEAR_PAGE,
	CAL_NR,
};

static const char *const calib_names[CAL_NR] = {
	[CAL_KTIME] = "ktime_get_ns",
	[CAL_PREEMPT] = "preempt_disable_enable",
	[CAL_IRQSAVE] = "local_irq_save_restore",
	[CAL_LOCAL_LOCK] = "local_lock_irqsave",
	[CAL_THIS_CPU_INC] = "this_cpu_inc",
	[CAL_CMPXCHG_DOUBLE] = "cmpxchg_double",
	[CAL_ATOMIC_INC] = "atomic_inc",
	[CAL_SPIN_LOCK] = "spin_lock_unlock",
	[CAL_CLEAR_PAGE] = "clear_page",
};

static noinline void bench_clear_pages(void *page, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		gh_clear_page(page);
}

static int calib_fn(struct bench_case *c, unsigned int n)
{
	unsigned long flags, sink = 0;
	unsigned int i;

	switch (c->op) {
	case CAL_KTIME:
		for (i = 0; i < n; i++)
			sink += ktime_get_ns();
		break;
	case CAL_PREEMPT:
		for (i = 0; i < n; i++) {
			preempt_disable();
			barrier();
			preempt_enable();
		}
		break;
	case CAL_IRQSAVE:
		for (i = 0; i < n; i++) {
			local_irq_save(flags);
			barrier();
			local_irq_restore(flags);
		}
		break;
	case CAL_LOCAL_LOCK:
		for (i = 0; i < n; i++) {
			local_lock_irqsave(&bench_llock.lock, flags);
			this_cpu_ptr(&bench_llock)->count++;
			local_unlock_irqrestore(&bench_llock.lock, flags);
		}
		break;
	case CAL_THIS_CPU_INC:
		for (i = 0; i < n; i++)
			this_cpu_inc(bench_pcpu_count);
		break;
#ifdef system_has_cmpxchg_double
	case CAL_CMPXCHG_DOUBLE:
		for (i = 0; i < n; i++) {
			unsigned long lo = READ_ONCE(bench_dword.lo);
			unsigned long hi = READ_ONCE(bench_dword.hi);

			sink += cmpxchg_double(&bench_dword.lo, &bench_dword.hi, lo, hi,
					       lo + 1, hi);
		}
		break;
#endif
	case CAL_ATOMIC_INC:
		for (i = 0; i < n; i++)
			atomic_long_inc(&bench_atomic);
		break;
	case CAL_SPIN_LOCK:
		for (i = 0; i < n; i++) {
			spin_lock(&bench_spin);
			barrier();
			spin_unlock(&bench_spin);
		}
		break;
	case CAL_CLEAR_PAGE:
		bench_clear_pages(c->objs[0], n);
		break;
	}
	OPTIMIZER_HIDE_VAR(sink);
	return 0;
}

static bool calib_supported(unsigned int op)
{
#ifdef system_has_cmpxchg_double
	return op != CAL_CMPXCHG_DOUBLE || system_has_cmpxchg_double();
#else
	return op != CAL_CMPXCHG_DOUBLE;
#endif
}

static int bench_calibration(struct bench_run *r)
{
	struct bench_case c = { .a = BA_NONE };
	struct bench_result res;
	void *page;
	char what[64];
	int err = 0;

	page = (void *)__get_free_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	c.objs = &page;
	for (c.op = 0; c.op < CAL_NR; c.op++) {
		u64 n = r->loops;

		if (!calib_supported(c.op))
			continue;
		/* Pages are expensive to clear: a tenth as many. */
		if (c.op == CAL_CLEAR_PAGE)
			n = max_t(u64, n / 10, BENCH_CHUNKS);
		err = bench_measure(&c, 1, calib_fn, n, 1, &res);
		if (err)
			break;
		snprintf(what, sizeof(what), "alloc=none op=%s", calib_names[c.op]);
		print_result(r, what, &res);
	}
	free_page((unsigned long)page);
	return err;
}

/* pair */

static __always_inline int pair_body(struct bench_case *c, enum bench_alloc a, unsigned int n)
{
	unsigned int i;
	void *p;

	for (i = 0; i < n; i++) {
		p = ba_alloc(c, a);
		if (unlikely(!p))
			return -ENOMEM;
		touch(p);
		ba_free(c, a, p);
	}
	return 0;
}

static int pair_fn(struct bench_case *c, unsigned int n)
{
	switch (c->a) {
	case BA_GOHEAP:
		return pair_body(c, BA_GOHEAP, n);
	case BA_KMALLOC:
		return pair_body(c, BA_KMALLOC, n);
	case BA_CACHE:
		return pair_body(c, BA_CACHE, n);
	case BA_PAGES:
		return pair_body(c, BA_PAGES, n);
	case BA_VMALLOC:
		return pair_body(c, BA_VMALLOC, n);
	default:
		return -EINVAL;
	}
}

/* Dedicated caches must not be merged with kmalloc's: SLAB_NOLEAKTRACE
 * keeps them apart and changes nothing else on a kernel without kmemleak.
 */
static struct kmem_cache *bench_cache_create(size_t size)
{
	char name[32];

	snprintf(name, sizeof(name), "goheap_bench_%zu", size);
	return kmem_cache_create(name, size, 0, SLAB_NOLEAKTRACE, NULL);
}

/**
 * bench_cases_run() - set up, time side by side and print cases.
 * @r: the run.
 * @cs: the cases, allocator and size set; a kmem_cache is created for each
 *	BA_CACHE case and destroyed afterwards.
 * @ncases: how many.
 * @fn: chunk function.
 * @total: operations to time per case.
 * @per_call: operations per unit of @fn's count.
 * @what: the cases' fields after bench=<workload>, without alloc=.
 *
 * Context: process; sleeps.
 * Return: 0 or a negative errno.
 */
static int bench_cases_run(struct bench_run *r, struct bench_case *cs, unsigned int ncases,
			   bench_fn fn, u64 total, unsigned int per_call, const char *what)
{
	struct bench_result res[BENCH_MAX_CASES];
	unsigned int k;
	char line[160];
	int err = 0;

	for (k = 0; k < ncases && !err; k++) {
		cs[k].cache = NULL;
		if (cs[k].a == BA_CACHE) {
			cs[k].cache = bench_cache_create(cs[k].size);
			if (!cs[k].cache)
				err = -ENOMEM;
		}
	}
	if (!err)
		err = bench_measure(cs, ncases, fn, total, per_call, res);
	for (k = 0; k < ncases; k++) {
		kmem_cache_destroy(cs[k].cache);
		cs[k].cache = NULL;
	}
	if (err)
		return err;
	for (k = 0; k < ncases; k++) {
		snprintf(line, sizeof(line), "alloc=%s %s", cs[k].label ?: ba_names[cs[k].a],
			 what);
		print_result(r, line, &res[k]);
	}
	return 0;
}

/* One case per allocator, each a copy of @tmpl. */
static unsigned int cases_of(struct bench_case *cs, const struct bench_case *tmpl,
			     const enum bench_alloc *allocs, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		cs[k] = *tmpl;
		cs[k].a = allocs[k];
	}
	return n;
}

static const unsigned int pair_sizes[] = {
	8, 16, 32, 48, 64, 112, 128, 256, 512, 1024, 1408, 2048, 4096, 8192, 16384,
	27264, 32768, 65536, 131072, 262144, 524288, 1048576,
};

/* Operations for a size: fewer for big objects, which take longer to clear. */
static u64 scaled_loops(unsigned int loops, size_t bytes)
{
	if (bytes <= PAGE_SIZE)
		return loops;
	return max_t(u64, div_u64((u64)loops * PAGE_SIZE, bytes), 5 * BENCH_CHUNKS);
}

static int bench_pair_size(struct bench_run *r, size_t size)
{
	static const enum bench_alloc allocs[] = { BA_GOHEAP, BA_KMALLOC, BA_CACHE, BA_PAGES };
	struct bench_case cs[BENCH_MAX_CASES] = { };
	unsigned int i, n = 0;
	char what[32];

	for (i = 0; i < ARRAY_SIZE(allocs); i++) {
		/* kmem_cache up to the small-object limit, pages from a page up. */
		if (allocs[i] == BA_CACHE && size > GH_MAX_SMALL_SIZE)
			continue;
		if (allocs[i] == BA_PAGES && size < PAGE_SIZE)
			continue;
		cs[n].a = allocs[i];
		cs[n].size = size;
		cs[n].order = get_order(size);
		n++;
	}
	snprintf(what, sizeof(what), "size=%zu", size);
	return bench_cases_run(r, cs, n, pair_fn, scaled_loops(r->loops, size), 1, what);
}

static int bench_pair(struct bench_run *r)
{
	unsigned int i;
	int err;

	if (r->size)
		return bench_pair_size(r, r->size);
	for (i = 0; i < ARRAY_SIZE(pair_sizes); i++) {
		err = bench_pair_size(r, pair_sizes[i]);
		if (err)
			return err;
	}
	return 0;
}

/* batch */

static __always_inline void batch_free(struct bench_case *c, enum bench_alloc a, unsigned int n)
{
	unsigned int i;

	switch (c->free_order) {
	case BO_LIFO:
		for (i = n; i-- > 0;)
			ba_free(c, a, c->objs[i]);
		break;
	case BO_FIFO:
		for (i = 0; i < n; i++)
			ba_free(c, a, c->objs[i]);
		break;
	default:
		for (i = 0; i < n; i++)
			ba_free(c, a, c->objs[c->perm[i]]);
		break;
	}
}

static __always_inline int batch_body(struct bench_case *c, enum bench_alloc a,
				      unsigned int rounds)
{
	unsigned int i, round;
	void *p;

	for (round = 0; round < rounds; round++) {
		for (i = 0; i < c->batch; i++) {
			p = ba_alloc(c, a);
			if (unlikely(!p)) {
				while (i--)
					ba_free(c, a, c->objs[i]);
				return -ENOMEM;
			}
			touch(p);
			c->objs[i] = p;
		}
		batch_free(c, a, c->batch);
	}
	return 0;
}

static int batch_fn(struct bench_case *c, unsigned int n)
{
	switch (c->a) {
	case BA_GOHEAP:
		return batch_body(c, BA_GOHEAP, n);
	case BA_KMALLOC:
		return batch_body(c, BA_KMALLOC, n);
	case BA_CACHE:
		return batch_body(c, BA_CACHE, n);
	default:
		return -EINVAL;
	}
}

/* A random permutation of 0..n-1 (Fisher-Yates), the same in every run. */
static void bench_shuffle(u32 *perm, unsigned int n)
{
	u64 rng = BENCH_SEED;
	unsigned int i, j;

	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = bench_rand(&rng) % (i + 1);
		swap(perm[i], perm[j]);
	}
}

static int bench_batch(struct bench_run *r)
{
	static const unsigned int batches[] = { 10, 100, 1000, 10000 };
	static const unsigned int sizes[] = { 64, 1024 };
	static const enum bench_alloc allocs[] = { BA_GOHEAP, BA_KMALLOC, BA_CACHE };
	struct bench_case c = { }, cs[BENCH_MAX_CASES];
	unsigned int b, s, o, n, nsizes = ARRAY_SIZE(sizes);
	char what[64];
	u32 *perm;
	int err = 0;

	/* One scratch array: the cases run one after the other. */
	c.objs = kvmalloc_array(BENCH_MAX_BATCH, sizeof(*c.objs), GFP_KERNEL);
	perm = kvmalloc_array(BENCH_MAX_BATCH, sizeof(*perm), GFP_KERNEL);
	if (!c.objs || !perm) {
		err = -ENOMEM;
		goto out;
	}
	c.perm = perm;
	if (r->size)
		nsizes = 1;
	for (s = 0; s < nsizes && !err; s++) {
		c.size = r->size ?: sizes[s];
		for (b = 0; b < ARRAY_SIZE(batches) && !err; b++) {
			c.batch = batches[b];
			bench_shuffle(perm, c.batch);
			for (o = 0; o < BO_NR && !err; o++) {
				c.free_order = o;
				snprintf(what, sizeof(what), "size=%zu batch=%u order=%s", c.size,
					 c.batch, bo_names[o]);
				n = cases_of(cs, &c, allocs, ARRAY_SIZE(allocs));
				err = bench_cases_run(r, cs, n, batch_fn, r->loops, c.batch, what);
			}
		}
	}
out:
	kvfree(perm);
	kvfree(c.objs);
	return err;
}

/* bulk */

static int bulk_fn(struct bench_case *c, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (c->a == BA_GOHEAP) {
			if (goheap_alloc_bulk(c->size, GFP_KERNEL, c->batch, c->objs) !=
			    c->batch)
				return -ENOMEM;
			goheap_free_bulk(c->batch, c->objs);
		} else {
			if (kmem_cache_alloc_bulk(c->cache, GFP_KERNEL, c->batch, c->objs) !=
			    c->batch)
				return -ENOMEM;
			kmem_cache_free_bulk(c->cache, c->batch, c->objs);
		}
	}
	return 0;
}

static int bench_bulk(struct bench_run *r)
{
	static const unsigned int batches[] = { 16, 32, 64, 128, 256, 512, 1024 };
	static const unsigned int sizes[] = { 64, 1024 };
	static const enum bench_alloc allocs[] = { BA_GOHEAP, BA_CACHE };
	struct bench_case c = { }, cs[BENCH_MAX_CASES];
	unsigned int b, s, n, nsizes = ARRAY_SIZE(sizes);
	char what[48];
	int err = 0;

	c.objs = kvmalloc_array(BENCH_MAX_BULK, sizeof(*c.objs), GFP_KERNEL);
	if (!c.objs)
		return -ENOMEM;
	if (r->size)
		nsizes = 1;
	for (s = 0; s < nsizes && !err; s++) {
		c.size = r->size ?: sizes[s];
		for (b = 0; b < ARRAY_SIZE(batches) && !err; b++) {
			c.batch = batches[b];
			snprintf(what, sizeof(what), "size=%zu batch=%u", c.size, c.batch);
			n = cases_of(cs, &c, allocs, ARRAY_SIZE(allocs));
			err = bench_cases_run(r, cs, n, bulk_fn, r->loops, c.batch, what);
		}
	}
	kvfree(c.objs);
	return err;
}

/* spans */

/*
 * A raw span is never cleared by the page heap; clear it when the policy
 * says allocations are cleared, as alloc_pages() and vmalloc() do, so that
 * both boots compare like with like.
 */
static int span_fn(struct bench_case *c, unsigned int n)
{
	bool init = want_init_on_alloc(GFP_KERNEL);
	struct gh_span *s;
	unsigned int i;

	if (c->a != BA_GOHEAP)
		return pair_fn(c, n);
	for (i = 0; i < n; i++) {
		s = gh_span_cache_alloc(c->h, c->npages, 1, GH_SPAN_RAW, GFP_KERNEL);
		if (unlikely(!s))
			return -ENOMEM;
		if (init)
			memset((void *)s->base, 0, c->size);
		touch((void *)s->base);
		gh_span_cache_free(c->h, s);
	}
	return 0;
}

/**
 * bench_spans() - spans of 1 .. 512 heap pages against the buddy allocator.
 * @r: the run.
 *
 * goheap is timed twice: on the default heap as the workloads before left
 * it (chunks shared with small-object spans), and as "goheap_empty" on a
 * private heap that holds nothing else. Spans are taken and given back
 * with gh_span_cache_alloc()/gh_span_cache_free(), as large objects and
 * /dev/goheap do, so spans of up to GH_SPAN_CACHE_PAGES come from the
 * per-CPU span cache. Each against __get_free_pages() of the covering
 * order, and vmalloc() where that order is larger than the span.
 *
 * Context: process; sleeps.
 * Return: 0 or a negative errno.
 */
static int bench_spans(struct bench_run *r)
{
	static const unsigned int npages[] = { 1, 2, 3, 4, 8, 16, 64, 512 };
	struct gh_heap_params params = {
		.page_shift = r->h->page_shift,
		.name = "goheap-bench",
	};
	struct bench_case cs[BENCH_MAX_CASES] = { };
	struct gh_heap *empty;
	unsigned int i, k, n;
	size_t size;
	char what[64];
	int err = 0;

	empty = gh_heap_create(&params);
	if (IS_ERR(empty))
		return PTR_ERR(empty);
	for (i = 0; i < ARRAY_SIZE(npages) && !err; i++) {
		size = (size_t)npages[i] << r->h->page_shift;
		if (get_order(size) > GH_MAX_PAGE_ORDER)
			continue;
		n = 0;
		cs[n].a = BA_GOHEAP;
		cs[n++].h = r->h;
		cs[n].a = BA_GOHEAP;
		cs[n].label = "goheap_empty";
		cs[n++].h = empty;
		cs[n++].a = BA_PAGES;
		/* vmalloc only where no buddy order gives the size. */
		if (size != PAGE_SIZE << get_order(size))
			cs[n++].a = BA_VMALLOC;
		for (k = 0; k < n; k++) {
			cs[k].npages = npages[i];
			cs[k].size = size;
			cs[k].order = get_order(size);
		}
		snprintf(what, sizeof(what), "pages=%u bytes=%zu order=%u", npages[i], size,
			 get_order(size));
		err = bench_cases_run(r, cs, n, span_fn, scaled_loops(r->loops, size), 1, what);
		memset(cs, 0, sizeof(cs));
	}
	gh_heap_destroy(empty);
	return err;
}

/* spanscale: issue 3's table */

static int spanscale_fn(struct bench_case *c, unsigned int n)
{
	struct gh_span *s;
	unsigned int i;

	for (i = 0; i < n; i++) {
		s = gh_span_alloc(c->h, 1 + c->iter++ % BENCH_SCALE_MAXPAGES, 1, GH_SPAN_RAW, 0,
				  GFP_KERNEL);
		if (unlikely(!s))
			return -ENOMEM;
		touch((void *)s->base);
		gh_span_free(c->h, s);
	}
	return 0;
}

/*
 * Allocate @live spans of 1..8 pages on @h, each followed by a one-page
 * spacer if @holes; *@nspans counts what is in @spans, even on failure.
 */
static int spanscale_fill(struct gh_heap *h, unsigned int live, bool holes,
			  struct gh_span **spans, unsigned int *nspans)
{
	u64 rng = BENCH_SEED;
	struct gh_span *s;
	unsigned int i;

	for (i = 0; i < live; i++) {
		s = gh_span_alloc(h, 1 + bench_rand(&rng) % BENCH_SCALE_MAXPAGES, 1, GH_SPAN_RAW,
				  0, GFP_KERNEL);
		if (!s)
			return -ENOMEM;
		spans[(*nspans)++] = s;
		if (!holes)
			continue;
		s = gh_span_alloc(h, 1, 1, GH_SPAN_RAW, 0, GFP_KERNEL);
		if (!s)
			return -ENOMEM;
		spans[(*nspans)++] = s;
	}
	return 0;
}

/* Out of line: keeps the stats off spanscale_layout()'s stack. */
static noinline void spanscale_print(struct bench_run *r, struct gh_heap *h, bool holes,
				     unsigned int live, const struct bench_result *res)
{
	struct gh_pageheap_stats ps;
	char what[64];

	gh_read_pageheap_stats(h, &ps);
	snprintf(what, sizeof(what), "alloc=goheap layout=%s live=%u chunks=%llu",
		 holes ? "holes" : "packed", live, ps.chunks);
	print_result(r, what, res);
}

/**
 * spanscale_layout() - time one extra span on heaps holding L live spans.
 * @r: the run.
 * @holes: leave a one-page free hole after every live span, so that spans
 *	of two pages or more fit none of them.
 * @spans: scratch array of at least 2 * (sum of spanscale_live[]) entries.
 *
 * One private heap per L in spanscale_live[], all filled first and then
 * timed side by side (bench_measure() interleaves them), so that the
 * comparison between L values is as fair as between allocators. Every
 * span is freed and every heap destroyed afterwards.
 *
 * Context: process; sleeps.
 * Return: 0 or a negative errno.
 */
static int spanscale_layout(struct bench_run *r, bool holes, struct gh_span **spans)
{
	struct gh_heap_params params = {
		.page_shift = r->h->page_shift,
		.name = "goheap-bench",
	};
	struct bench_case cs[ARRAY_SIZE(spanscale_live)] = { };
	struct gh_span **sp[ARRAY_SIZE(spanscale_live)];
	unsigned int nsp[ARRAY_SIZE(spanscale_live)] = { };
	struct bench_result res[ARRAY_SIZE(spanscale_live)];
	unsigned int i, k, live, nheaps = 0;
	int err = 0;

	BUILD_BUG_ON(ARRAY_SIZE(spanscale_live) > BENCH_MAX_CASES);
	for (k = 0; k < ARRAY_SIZE(spanscale_live) && !err; k++) {
		live = spanscale_live[k];
		sp[k] = spans;
		spans += 2 * live;
		cs[k].a = BA_GOHEAP;
		cs[k].h = gh_heap_create(&params);
		if (IS_ERR(cs[k].h)) {
			err = PTR_ERR(cs[k].h);
			break;
		}
		nheaps++;
		err = spanscale_fill(cs[k].h, live, holes, sp[k], &nsp[k]);
		if (err || !holes)
			continue;
		/* The spacers go: one free page after each live span. */
		for (i = 1; i < nsp[k]; i += 2)
			gh_span_free(cs[k].h, sp[k][i]);
		for (i = 0; i < live; i++)
			sp[k][i] = sp[k][2 * i];
		nsp[k] = live;
	}
	if (!err)
		err = bench_measure(cs, nheaps, spanscale_fn, r->loops, 1, res);
	for (k = 0; k < nheaps; k++) {
		if (!err)
			spanscale_print(r, cs[k].h, holes, spanscale_live[k], &res[k]);
		for (i = 0; i < nsp[k]; i++)
			gh_span_free(cs[k].h, sp[k][i]);
		gh_heap_destroy(cs[k].h);
	}
	return err;
}

static int bench_spanscale(struct bench_run *r)
{
	unsigned int i, total = 0;
	struct gh_span **spans;
	int err;

	for (i = 0; i < ARRAY_SIZE(spanscale_live); i++)
		total += 2 * spanscale_live[i];
	spans = kvmalloc_array(total, sizeof(*spans), GFP_KERNEL);
	if (!spans)
		return -ENOMEM;
	err = spanscale_layout(r, false, spans);
	if (!err)
		err = spanscale_layout(r, true, spans);
	kvfree(spans);
	return err;
}

/* memory */

/* Slab pages of the whole system, per-CPU deltas included. */
static long slab_pages(void)
{
	long pages = 0;
	int nid, cpu;

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		pages += atomic_long_read(&pgdat->vm_stat[NR_SLAB_UNRECLAIMABLE_B]);
		for_each_online_cpu(cpu)
			pages += per_cpu_ptr(pgdat->per_cpu_nodestats,
					     cpu)->vm_node_stat_diff[NR_SLAB_UNRECLAIMABLE_B];
	}
	return pages;
}

/* Give SLUB's empty kmalloc slabs back, as its shrink does under pressure. */
static void slub_shrink_kmalloc(void)
{
	unsigned int i;

	for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++)
		if (kmalloc_caches[KMALLOC_NORMAL][i])
			kmem_cache_shrink(kmalloc_caches[KMALLOC_NORMAL][i]);
}

/*
 * The size mix: 0.2 % large objects of 33 .. 128 KiB, the rest between
 * 8 B and 1 KiB, log-normal-ish (the log2 of the size is the mean of four
 * uniform variables over 3 .. 10, so most objects are 64 .. 256 B).
 */
static size_t mix_size(u64 *rng)
{
	unsigned int x, lg;

	if (bench_rand(rng) % 1000 < 2)
		return 33 * 1024 + bench_rand(rng) % (95 * 1024);
	x = bench_rand(rng) & 0xff;
	x += bench_rand(rng) & 0xff;
	x += bench_rand(rng) & 0xff;
	x += bench_rand(rng) & 0xff;
	/* log2(size) in 1/256 units: 3 .. 10. */
	x = 3 * 256 + x * 7 * 256 / 1020;
	lg = min(x >> 8, 9U);
	return min_t(size_t, ((1UL << lg) * (256 + (x & 0xff))) >> 8, 1024);
}

/**
 * struct mem_fig - what one sample of the memory workload sees.
 * @requested:	bytes requested and live.
 * @held:	bytes of pages held: goheap's HeapSys - HeapReleased, or the
 *		slab pages SLUB gained since the start.
 * @inuse:	goheap's HeapInuse (pages in spans); @held for SLUB.
 * @sys:	goheap's Sys (pages and metadata); @held for SLUB.
 */
struct mem_fig {
	u64 requested;
	u64 held;
	u64 inuse;
	u64 sys;
};

/**
 * struct mem_state - one memory-efficiency run.
 * @a:		BA_GOHEAP (private heap @h) or BA_KMALLOC.
 * @h:		private heap for goheap.
 * @slab_base:	slab pages before the run (kmalloc).
 * @objs:	the live objects, NULL where a slot is empty.
 * @sizes:	requested size of each slot.
 * @requested:	bytes requested and live.
 * @peak:	the sample with the most bytes held.
 */
struct mem_state {
	enum bench_alloc a;
	struct gh_heap *h;
	long slab_base;
	void **objs;
	u32 *sizes;
	u64 requested;
	struct mem_fig peak;
};

static void mem_read(struct mem_state *m, struct mem_fig *f)
{
	u64 ms[GH_MS_NR];
	long d;

	f->requested = m->requested;
	if (m->a == BA_GOHEAP) {
		gh_read_memstats(m->h, ms);
		f->held = ms[GH_MS_HEAP_SYS] - ms[GH_MS_HEAP_RELEASED];
		f->inuse = ms[GH_MS_HEAP_INUSE];
		f->sys = ms[GH_MS_SYS];
		return;
	}
	d = slab_pages() - m->slab_base;
	f->held = d > 0 ? (u64)d * PAGE_SIZE : 0;
	f->inuse = f->held;
	f->sys = f->held;
}

static void mem_sample(struct mem_state *m)
{
	struct mem_fig f;

	mem_read(m, &f);
	if (f.held > m->peak.held || (f.held == m->peak.held && f.requested > m->peak.requested))
		m->peak = f;
}

static void mem_print(struct bench_run *r, struct mem_state *m, const char *phase,
		      const struct mem_fig *f, unsigned int nobjs)
{
	bench_line(r, "alloc=%s phase=%s objs=%u requested=%llu held=%llu inuse=%llu sys=%llu",
		   ba_names[m->a], phase, nobjs, f->requested, f->held, f->inuse, f->sys);
}

static int mem_alloc_slot(struct mem_state *m, unsigned int i, u64 *rng)
{
	size_t size = mix_size(rng);
	void *p;

	if (m->a == BA_GOHEAP)
		p = gh_alloc(m->h, size, GFP_KERNEL);
	else
		p = kmalloc(size, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	touch(p);
	m->objs[i] = p;
	m->sizes[i] = size;
	m->requested += size;
	return 0;
}

static void mem_free_slot(struct mem_state *m, unsigned int i)
{
	if (!m->objs[i])
		return;
	if (m->a == BA_GOHEAP)
		gh_free(m->h, m->objs[i]);
	else
		kfree(m->objs[i]);
	m->objs[i] = NULL;
	m->requested -= m->sizes[i];
}

/**
 * mem_run() - the churn for one allocator.
 * @r: the run; @r->loops is the number of slots.
 * @m: state, @a set, arrays of @r->loops entries all NULL.
 *
 * Fills every slot, then replaces random slots (four times as many
 * replacements as slots), sampling the bytes held every 256 operations;
 * prints the peak, then frees everything and prints what is still held,
 * then reclaims (gh_reclaim(), or kmem_cache_shrink() of the kmalloc
 * caches) and prints it again. The same seed gives both allocators the
 * same sequence of sizes and slots.
 *
 * Context: process; sleeps.
 * Return: 0 or a negative errno; every object is freed either way.
 */
static int mem_run(struct bench_run *r, struct mem_state *m)
{
	unsigned int i, nslots = r->loops;
	u64 rng = BENCH_SEED, ops = 0;
	struct mem_fig f;
	int err = 0;

	for (i = 0; i < nslots && !err; i++, ops++) {
		err = mem_alloc_slot(m, i, &rng);
		if (!(ops & 255))
			mem_sample(m);
	}
	for (i = 0; i < 4 * nslots && !err; i++, ops++) {
		unsigned int slot = bench_rand(&rng) % nslots;

		mem_free_slot(m, slot);
		err = mem_alloc_slot(m, slot, &rng);
		if (!(ops & 255)) {
			mem_sample(m);
			cond_resched();
			if (bench_stopped())
				err = -EINTR;
		}
	}
	if (!err) {
		mem_sample(m);
		mem_print(r, m, "peak", &m->peak, nslots);
		mem_read(m, &f);
		mem_print(r, m, "end", &f, nslots);
	}
	for (i = 0; i < nslots; i++)
		mem_free_slot(m, i);
	if (err)
		return err;
	mem_read(m, &f);
	mem_print(r, m, "after_free", &f, 0);
	if (m->a == BA_GOHEAP)
		gh_reclaim(m->h, 0);
	else
		slub_shrink_kmalloc();
	mem_read(m, &f);
	mem_print(r, m, "after_reclaim", &f, 0);
	return 0;
}

static int bench_memory(struct bench_run *r)
{
	struct gh_heap_params params = {
		.page_shift = r->h->page_shift,
		.name = "goheap-bench",
	};
	struct mem_state m = { };
	int err = 0;

	m.objs = kvcalloc(r->loops, sizeof(*m.objs), GFP_KERNEL);
	m.sizes = kvcalloc(r->loops, sizeof(*m.sizes), GFP_KERNEL);
	if (!m.objs || !m.sizes) {
		err = -ENOMEM;
		goto out;
	}
	/* goheap: a private heap, so its figures are this workload's alone. */
	m.a = BA_GOHEAP;
	m.h = gh_heap_create(&params);
	if (IS_ERR(m.h)) {
		err = PTR_ERR(m.h);
		goto out;
	}
	err = mem_run(r, &m);
	gh_heap_destroy(m.h);
	if (err)
		goto out;

	/* SLUB: the kmalloc caches, emptied first so the baseline is low. */
	m.a = BA_KMALLOC;
	m.h = NULL;
	m.requested = 0;
	memset(&m.peak, 0, sizeof(m.peak));
	slub_shrink_kmalloc();
	m.slab_base = slab_pages();
	err = mem_run(r, &m);
out:
	kvfree(m.sizes);
	kvfree(m.objs);
	return err;
}

/* kthread workloads: crosscpu and scaling */

/**
 * struct bench_ring - single-producer single-consumer pointer ring.
 * @head:	next slot the producer fills.
 * @tail:	next slot the consumer empties.
 * @done:	the producer has stopped; nothing more will come.
 * @slot:	the objects in flight.
 */
struct bench_ring {
	unsigned int head ____cacheline_aligned_in_smp;
	unsigned int tail ____cacheline_aligned_in_smp;
	int done ____cacheline_aligned_in_smp;
	void *slot[BENCH_RING];
};

/**
 * struct bench_mt - shared state of one multi-threaded measurement.
 * @c:		the case every thread runs (allocator and size).
 * @nthreads:	threads taking part.
 * @ready:	threads waiting for @go.
 * @all_ready:	completed when @ready reaches @nthreads.
 * @go:		set once to start every thread.
 * @stop:	set once to stop them.
 */
struct bench_mt {
	struct bench_case c;
	unsigned int nthreads;
	atomic_t ready;
	struct completion all_ready;
	int go;
	int stop;
};

/**
 * struct bench_thread - one kthread of a measurement.
 * @mt:		shared state.
 * @fn:		what it runs.
 * @cpu:	the CPU it is bound to.
 * @task:	the kthread.
 * @ring:	ring to a consumer (producer) or from a producer (consumer).
 * @ops:	operations done so far, written only by the thread.
 * @err:	what stopped the thread early, or 0.
 * @counted:	@ops counts toward the result (consumers, scaling threads).
 */
struct bench_thread {
	struct bench_mt *mt;
	int (*fn)(void *arg);
	unsigned int cpu;
	struct task_struct *task;
	struct bench_ring *ring;
	u64 ops;
	int err;
	bool counted;
} ____cacheline_aligned_in_smp;

static void mt_wait_go(struct bench_thread *th)
{
	struct bench_mt *mt = th->mt;

	if (atomic_inc_return(&mt->ready) == mt->nthreads)
		complete(&mt->all_ready);
	/* Pairs with the release in mt_measure(): the case is set up. */
	while (!smp_load_acquire(&mt->go)) {
		cond_resched();
		cpu_relax();
	}
}

/* A kthread must not exit before kthread_stop(): wait for it. */
static int mt_park(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static int scaling_thread(void *arg)
{
	struct bench_thread *th = arg;
	struct bench_mt *mt = th->mt;
	struct bench_case c = mt->c;
	u64 ops = 0;

	mt_wait_go(th);
	while (!READ_ONCE(mt->stop)) {
		th->err = pair_fn(&c, BENCH_SLICE);
		if (th->err)
			break;
		ops += BENCH_SLICE;
		WRITE_ONCE(th->ops, ops);
		cond_resched();
	}
	return mt_park();
}

/*
 * Waiting on the other end of a ring: spin a little, then sleep. A vCPU
 * that only spins keeps its host thread busy, and when the emulator's
 * vCPUs share a host core the ring then moves one ring-full per host time
 * slice; sleeping lets the vCPU idle so the other end gets the core. When
 * the two ends keep up, the ring never stays full or empty long enough for
 * this to happen, and it costs nothing.
 */
static void ring_wait(unsigned int *spins)
{
	if (++*spins < BENCH_RING_SPINS) {
		cpu_relax();
		return;
	}
	*spins = 0;
	usleep_range(BENCH_RING_SLEEP_US, 2 * BENCH_RING_SLEEP_US);
}

static __always_inline int produce(struct bench_thread *th, struct bench_case *c,
				   enum bench_alloc a)
{
	struct bench_ring *ring = th->ring;
	unsigned int head = ring->head, i = 0, spins = 0;
	u64 ops = 0;
	void *p;

	while (!READ_ONCE(th->mt->stop)) {
		if (!(++i % BENCH_SLICE)) {
			WRITE_ONCE(th->ops, ops);
			cond_resched();
		}
		/* Acquire: the consumer has read the slot before freeing it. */
		if (head - smp_load_acquire(&ring->tail) >= BENCH_RING) {
			ring_wait(&spins);
			continue;
		}
		spins = 0;
		p = ba_alloc(c, a);
		if (unlikely(!p))
			return -ENOMEM;
		touch(p);
		ring->slot[head % BENCH_RING] = p;
		/* Release: the slot is written before the consumer sees it. */
		smp_store_release(&ring->head, ++head);
		ops++;
	}
	WRITE_ONCE(th->ops, ops);
	return 0;
}

static int producer_thread(void *arg)
{
	struct bench_thread *th = arg;
	struct bench_case c = th->mt->c;

	mt_wait_go(th);
	switch (c.a) {
	case BA_GOHEAP:
		th->err = produce(th, &c, BA_GOHEAP);
		break;
	case BA_KMALLOC:
		th->err = produce(th, &c, BA_KMALLOC);
		break;
	case BA_CACHE:
		th->err = produce(th, &c, BA_CACHE);
		break;
	default:
		th->err = -EINVAL;
		break;
	}
	/* Release: every slot published before "done" is seen. */
	smp_store_release(&th->ring->done, 1);
	return mt_park();
}

static __always_inline void consume(struct bench_thread *th, struct bench_case *c,
				    enum bench_alloc a)
{
	struct bench_ring *ring = th->ring;
	unsigned int tail = ring->tail, i = 0, spins = 0;
	u64 ops = 0;
	void *p;

	for (;;) {
		if (!(++i % BENCH_SLICE)) {
			WRITE_ONCE(th->ops, ops);
			cond_resched();
		}
		/* Acquire: pairs with the producer's release of head. */
		if (tail == smp_load_acquire(&ring->head)) {
			/*
			 * Empty: finished once the producer is (acquire pairs
			 * with its release of done) and nothing came meanwhile.
			 */
			if (smp_load_acquire(&ring->done) &&
			    tail == smp_load_acquire(&ring->head)) /* as above */
				break;
			ring_wait(&spins);
			continue;
		}
		spins = 0;
		p = ring->slot[tail % BENCH_RING];
		/* Release: the slot is read before the producer reuses it. */
		smp_store_release(&ring->tail, ++tail);
		ba_free(c, a, p);
		ops++;
	}
	WRITE_ONCE(th->ops, ops);
}

static int consumer_thread(void *arg)
{
	struct bench_thread *th = arg;
	struct bench_case c = th->mt->c;

	mt_wait_go(th);
	switch (c.a) {
	case BA_GOHEAP:
		consume(th, &c, BA_GOHEAP);
		break;
	case BA_KMALLOC:
		consume(th, &c, BA_KMALLOC);
		break;
	case BA_CACHE:
		consume(th, &c, BA_CACHE);
		break;
	default:
		break;
	}
	return mt_park();
}

/* Whatever a consumer left in its ring (only if it never ran): free it. */
static void ring_drain(struct bench_case *c, struct bench_ring *ring)
{
	while (ring->tail != ring->head) {
		void *p = ring->slot[ring->tail++ % BENCH_RING];

		if (c->a == BA_GOHEAP)
			goheap_free(p);
		else if (c->a == BA_KMALLOC)
			kfree(p);
		else
			kmem_cache_free(c->cache, p);
	}
}

/**
 * mt_measure() - run kthreads for a while and count their operations.
 * @mt: shared state with the case set.
 * @th: the threads, function and CPU set.
 * @nth: number of threads.
 * @ms: how long to measure.
 * @rate: operations of the counted threads per second, on success.
 *
 * Creates and binds every thread, waits until all are ready, releases
 * them together, sleeps @ms, reads the counted threads' operation counts
 * and the elapsed time, then stops every thread and waits for it.
 *
 * Context: process; sleeps.
 * Return: 0 or a negative errno (a thread's error, or creation failure).
 */
static int mt_measure(struct bench_mt *mt, struct bench_thread *th, unsigned int nth,
		      unsigned int ms, u64 *rate)
{
	unsigned int i, created = 0;
	u64 t0, dt, ops = 0;
	int err = 0;

	atomic_set(&mt->ready, 0);
	init_completion(&mt->all_ready);
	mt->nthreads = nth;
	mt->go = 0;
	mt->stop = 0;
	for (i = 0; i < nth; i++) {
		th[i].mt = mt;
		th[i].ops = 0;
		th[i].err = 0;
		th[i].task = kthread_create_on_node(th[i].fn, &th[i], cpu_to_node(th[i].cpu),
						    "goheap_bench/%u", th[i].cpu);
		if (IS_ERR(th[i].task)) {
			err = PTR_ERR(th[i].task);
			break;
		}
		kthread_bind(th[i].task, th[i].cpu);
		created++;
	}
	for (i = 0; i < created; i++)
		wake_up_process(th[i].task);
	if (!err) {
		wait_for_completion(&mt->all_ready);
		t0 = ktime_get_ns();
		/* Release: pairs with the acquire in mt_wait_go(). */
		smp_store_release(&mt->go, 1);
		msleep(ms);
		for (i = 0; i < nth; i++)
			if (th[i].counted)
				ops += READ_ONCE(th[i].ops);
		dt = ktime_get_ns() - t0;
		*rate = div64_u64(ops * NSEC_PER_SEC, max_t(u64, dt, 1));
	}
	WRITE_ONCE(mt->stop, 1);
	/* Release: threads that never started see stop set. */
	smp_store_release(&mt->go, 1);
	for (i = 0; i < created; i++) {
		kthread_stop(th[i].task);
		if (th[i].err && !err)
			err = th[i].err;
	}
	return err;
}

/* Bind @n threads to the first @n online CPUs; return how many there were. */
static unsigned int online_cpus(struct bench_thread *th, unsigned int n)
{
	unsigned int cpu, i = 0;

	for_each_online_cpu(cpu) {
		if (i == n)
			break;
		th[i++].cpu = cpu;
	}
	return i;
}

static int bench_crosscpu(struct bench_run *r)
{
	static const enum bench_alloc allocs[] = { BA_GOHEAP, BA_KMALLOC, BA_CACHE };
	u64 rates[ARRAY_SIZE(allocs)][BENCH_MAX_REPS];
	unsigned int npairs = num_online_cpus() / 2, i, k, rep;
	struct bench_ring *rings = NULL;
	struct bench_thread *th = NULL;
	struct bench_mt *mt;
	int err = 0;

	if (!npairs) {
		bench_line(r, "skipped=needs_2_cpus");
		return 0;
	}
	mt = kzalloc(sizeof(*mt), GFP_KERNEL);
	th = kcalloc(2 * npairs, sizeof(*th), GFP_KERNEL);
	rings = kvcalloc(npairs, sizeof(*rings), GFP_KERNEL);
	if (!mt || !th || !rings) {
		err = -ENOMEM;
		goto out;
	}
	/* A producer on the 1st, 3rd, ... online CPU, its consumer on the next. */
	online_cpus(th, 2 * npairs);
	for (i = 0; i < npairs; i++) {
		th[2 * i].fn = producer_thread;
		th[2 * i + 1].fn = consumer_thread;
		th[2 * i].ring = &rings[i];
		th[2 * i + 1].ring = &rings[i];
		th[2 * i + 1].counted = true;
	}
	mt->c.size = r->size ?: 64;
	for (rep = 0; rep < r->reps && !err; rep++) {
		for (k = 0; k < ARRAY_SIZE(allocs) && !err; k++) {
			mt->c.a = allocs[k];
			if (mt->c.a == BA_CACHE) {
				mt->c.cache = bench_cache_create(mt->c.size);
				if (!mt->c.cache) {
					err = -ENOMEM;
					break;
				}
			}
			memset(rings, 0, npairs * sizeof(*rings));
			err = mt_measure(mt, th, 2 * npairs, r->ms, &rates[k][rep]);
			for (i = 0; i < npairs; i++)
				ring_drain(&mt->c, &rings[i]);
			if (mt->c.a == BA_CACHE) {
				kmem_cache_destroy(mt->c.cache);
				mt->c.cache = NULL;
			}
			if (!err && bench_stopped())
				err = -EINTR;
		}
	}
	for (k = 0; k < ARRAY_SIZE(allocs) && !err; k++)
		bench_line(r, "alloc=%s size=%zu pairs=%u cpus=%u ms=%u reps=%u frees_per_sec=%llu",
			   ba_names[allocs[k]], mt->c.size, npairs, 2 * npairs, r->ms, r->reps,
			   median_u64(rates[k], r->reps));
out:
	kvfree(rings);
	kfree(th);
	kfree(mt);
	return err;
}

static int bench_scaling(struct bench_run *r)
{
	static const enum bench_alloc allocs[] = { BA_GOHEAP, BA_KMALLOC, BA_CACHE };
	u64 rates[ARRAY_SIZE(allocs)][BENCH_MAX_REPS];
	unsigned int ncpu = num_online_cpus(), n, i, k, rep;
	struct bench_thread *th = NULL;
	struct bench_mt *mt;
	int err = 0;

	mt = kzalloc(sizeof(*mt), GFP_KERNEL);
	th = kcalloc(ncpu, sizeof(*th), GFP_KERNEL);
	if (!mt || !th) {
		err = -ENOMEM;
		goto out;
	}
	ncpu = online_cpus(th, ncpu);
	for (i = 0; i < ncpu; i++) {
		th[i].fn = scaling_thread;
		th[i].counted = true;
	}
	mt->c.size = r->size ?: 64;
	for (n = 1; n <= ncpu && !err; n++) {
		for (rep = 0; rep < r->reps && !err; rep++) {
			for (k = 0; k < ARRAY_SIZE(allocs) && !err; k++) {
				mt->c.a = allocs[k];
				if (mt->c.a == BA_CACHE) {
					mt->c.cache = bench_cache_create(mt->c.size);
					if (!mt->c.cache) {
						err = -ENOMEM;
						break;
					}
				}
				err = mt_measure(mt, th, n, r->ms, &rates[k][rep]);
				if (mt->c.a == BA_CACHE) {
					kmem_cache_destroy(mt->c.cache);
					mt->c.cache = NULL;
				}
				if (!err && bench_stopped())
					err = -EINTR;
			}
		}
		for (k = 0; k < ARRAY_SIZE(allocs) && !err; k++)
			bench_line(r,
				   "alloc=%s size=%zu threads=%u ms=%u reps=%u ops_per_sec_per_cpu=%llu",
				   ba_names[allocs[k]], mt->c.size, n, r->ms, r->reps,
				   div_u64(median_u64(rates[k], r->reps), n));
	}
out:
	kfree(th);
	kfree(mt);
	return err;
}

/* The debugfs file */

/* Arguments a workload accepts. */
#define ARG_LOOPS	BIT(0)
#define ARG_SIZE	BIT(1)
#define ARG_MS		BIT(2)
#define ARG_REPS	BIT(3)

/**
 * struct bench_workload - a workload and its defaults.
 * @name:	what is written to the file.
 * @run:	runs it.
 * @args:	ARG_* it accepts.
 * @loops:	default operations per case.
 * @max_size:	largest size= it accepts.
 */
struct bench_workload {
	const char *name;
	int (*run)(struct bench_run *r);
	unsigned int args;
	unsigned int loops;
	unsigned int max_size;
};

static const struct bench_workload bench_workloads[] = {
	{ "calibration", bench_calibration, ARG_LOOPS, 200000, 0 },
	{ "pair", bench_pair, ARG_LOOPS | ARG_SIZE, 40000, GOHEAP_MAX_ALLOC },
	{ "batch", bench_batch, ARG_LOOPS | ARG_SIZE, 40000, GH_MAX_SMALL_SIZE },
	{ "bulk", bench_bulk, ARG_LOOPS | ARG_SIZE, 40000, GH_MAX_SMALL_SIZE },
	{ "spans", bench_spans, ARG_LOOPS, 8000, 0 },
	{ "spanscale", bench_spanscale, ARG_LOOPS, 8000, 0 },
	{ "crosscpu", bench_crosscpu, ARG_MS | ARG_REPS | ARG_SIZE, 0, GH_MAX_SMALL_SIZE },
	{ "scaling", bench_scaling, ARG_MS | ARG_REPS | ARG_SIZE, 0, GH_MAX_SMALL_SIZE },
	{ "memory", bench_memory, ARG_LOOPS, 65536, 0 },
};

/**
 * bench_parse() - check a command and fill in a run.
 * @cmd: "<workload> [key=value ...]", NUL-terminated, modified.
 * @r: filled in.
 *
 * Keys: loops=1..10000000, size=1..the workload's maximum, ms=10..10000,
 * reps=1..BENCH_MAX_REPS; each only where the workload uses it.
 *
 * Return: the workload, or NULL if anything is wrong.
 */
static const struct bench_workload *bench_parse(char *cmd, struct bench_run *r)
{
	const struct bench_workload *w = NULL;
	char *tok, *val;
	unsigned int i, v, arg;

	tok = strsep(&cmd, " \t\n");
	for (i = 0; tok && i < ARRAY_SIZE(bench_workloads); i++)
		if (!strcmp(tok, bench_workloads[i].name))
			w = &bench_workloads[i];
	if (!w)
		return NULL;
	r->name = w->name;
	r->loops = w->loops;
	r->ms = 300;
	r->reps = 5;
	r->size = 0;
	while ((tok = strsep(&cmd, " \t\n"))) {
		if (!*tok)
			continue;
		val = strchr(tok, '=');
		if (!val)
			return NULL;
		*val++ = '\0';
		if (kstrtouint(val, 0, &v))
			return NULL;
		if (!strcmp(tok, "loops") && v >= 1 && v <= 10000000) {
			arg = ARG_LOOPS;
			r->loops = v;
		} else if (!strcmp(tok, "size") && v >= 1 && v <= w->max_size) {
			arg = ARG_SIZE;
			r->size = v;
		} else if (!strcmp(tok, "ms") && v >= 10 && v <= 10000) {
			arg = ARG_MS;
			r->ms = v;
		} else if (!strcmp(tok, "reps") && v >= 1 && v <= BENCH_MAX_REPS) {
			arg = ARG_REPS;
			r->reps = v;
		} else {
			return NULL;
		}
		if (!(w->args & arg))
			return NULL;
	}
	return w;
}

static ssize_t bench_write(struct file *file, const char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	const struct bench_workload *w;
	char cmd[BENCH_CMD_MAX];
	struct bench_run r = { .h = bench_heap };
	int err;

	if (!count || count >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, count))
		return -EFAULT;
	cmd[count] = '\0';
	w = bench_parse(strim(cmd), &r);
	if (!w)
		return -EINVAL;

	if (mutex_lock_interruptible(&bench_lock))
		return -EINTR;
	bench_len = 0;
	r.name = "info";
	bench_line(&r,
		   "workload=%s cpus=%u init_on_alloc=%d init_on_free=%d heap_page_size=%lu page_size=%lu kernel=%s loops=%u ms=%u reps=%u size=%u",
		   w->name, num_online_cpus(), want_init_on_alloc(GFP_KERNEL),
		   want_init_on_free(), gh_page_bytes(r.h), PAGE_SIZE, utsname()->release,
		   r.loops, r.ms, r.reps, r.size);
	r.name = w->name;
	err = bench_empty_loop(&r, max(r.loops, 1000U));
	if (!err)
		err = w->run(&r);
	if (err)
		bench_line(&r, "error=%d", err);
	mutex_unlock(&bench_lock);
	return err ?: count;
}

static ssize_t bench_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	ssize_t ret;

	if (mutex_lock_interruptible(&bench_lock))
		return -EINTR;
	ret = simple_read_from_buffer(ubuf, count, ppos, bench_buf, bench_len);
	mutex_unlock(&bench_lock);
	return ret;
}

static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.read = bench_read,
	.write = bench_write,
	.llseek = default_llseek,
};

/**
 * gh_bench_init() - create /sys/kernel/debug/goheap/bench.
 * @h: the module's default heap (spans are timed on it), which must
 *     outlive the file.
 * @root: goheap's debugfs directory.
 *
 * Context: process (module init).
 */
void gh_bench_init(struct gh_heap *h, struct dentry *root)
{
	bench_heap = h;
	debugfs_create_file("bench", 0600, root, NULL, &bench_fops);
}
