// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel benchmark, the module goheap_bench: goheap side by side with
 * kmalloc/SLUB, a dedicated kmem_cache, alloc_pages and vmalloc, in the
 * same boot.
 *
 * Loaded after goheap.ko, whose default heap and internals it uses (so
 * goheap cannot be unloaded while it is loaded), it adds the file
 * /sys/kernel/debug/goheap/bench (root only) to goheap's debugfs
 * directory, and takes it away when it is unloaded. Writing
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
 *                heap's search) on private heaps that already hold one
 *                span, or 16 MiB, 256 MiB, 4 GiB of spans of 1 .. 8 pages
 *                (as memory allows), packed or with a one-page hole after
 *                each [loops]
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
 *
 * Files. This one holds the module and its debugfs file, the parsing, the
 * run and its measurement (bench_measure()), the helpers every workload
 * shares, the empty loop and the calibration; object.c the pair, batch and
 * bulk workloads, span.c spans and spanscale, memory.c memory, and mt.c the
 * kthread workloads crosscpu and scaling. bench.h holds what they share:
 * the cases, and the allocators as always-inline functions.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/goheap.h>
#include <linux/local_lock.h>
#include <linux/lockdep.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include "bench.h"
#include "compat.h"
#include "internal.h"
#include "profile.h"

#define BENCH_BUF_SIZE		(64 * 1024)	/* results of the last run */
#define BENCH_CMD_MAX		128
#define BENCH_MIN_CHUNKS	5	/* timed chunks per case, at least */

const char *const ba_names[BA_NR] = {
	[BA_NONE] = "none",
	[BA_GOHEAP] = "goheap",
	[BA_KMALLOC] = "kmalloc",
	[BA_CACHE] = "kmem_cache",
	[BA_PAGES] = "pages",
	[BA_VMALLOC] = "vmalloc",
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

/* One line of results: "bench=<workload> ", then @fmt; dropped when full. */
void bench_line(struct bench_run *r, const char *fmt, ...)
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
	pr_warn_once("results buffer full, lines dropped\n");
}

/* Times are in tenths of a nanosecond, printed as "123.4". */
void bench_print_result(struct bench_run *r, const char *what, const struct bench_result *res)
{
	bench_line(r, "%s n=%llu ns_per_op=%llu.%llu min=%llu.%llu", what, res->n,
		   res->med / 10, res->med % 10, res->min / 10, res->min % 10);
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* The median of @v[0 .. @n - 1], which it sorts. */
u64 bench_median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	return v[n / 2];
}

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
int bench_measure(struct bench_case *cs, unsigned int ncases, bench_fn fn, u64 total,
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
		res[k].med = bench_median(samples[k], nchunks);
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
		bench_print_result(r, "alloc=none op=empty_loop", &res);
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
		bench_print_result(r, what, &res);
	}
	free_page((unsigned long)page);
	return err;
}

/* Dedicated caches must not be merged with kmalloc's: SLAB_NOLEAKTRACE
 * keeps them apart and changes nothing else on a kernel without kmemleak.
 */
struct kmem_cache *bench_cache_create(size_t size)
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
int bench_cases_run(struct bench_run *r, struct bench_case *cs, unsigned int ncases,
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
		bench_print_result(r, line, &res[k]);
	}
	return 0;
}

/* Operations for a size: fewer for big objects, which take longer to clear. */
u64 bench_scaled_loops(unsigned int loops, size_t bytes)
{
	if (bytes <= PAGE_SIZE)
		return loops;
	return max_t(u64, div_u64((u64)loops * PAGE_SIZE, bytes), 5 * BENCH_CHUNKS);
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
 * reps=1..BENCH_MAX_REPS, each only where the workload uses it; and for
 * every workload profile_rate=0..GH_PROFILE_RATE_MAX, the default heap's
 * heap profile rate while it runs (0: off).
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
	r->profile_rate = -1;
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
		} else if (!strcmp(tok, "profile_rate") && v <= GH_PROFILE_RATE_MAX) {
			arg = w->args;
			r->profile_rate = v;
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
	unsigned long old_rate;
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
	old_rate = gh_profile_rate(r.h);
	err = r.profile_rate < 0 ? 0 : gh_profile_set_rate(r.h, r.profile_rate);
	if (err) {
		mutex_unlock(&bench_lock);
		return err;
	}
	bench_len = 0;
	r.name = "info";
	bench_line(&r,
		   "workload=%s cpus=%u init_on_alloc=%d init_on_free=%d heap_page_size=%lu page_size=%lu kernel=%s loops=%u ms=%u reps=%u size=%u profile_rate=%lu",
		   w->name, num_online_cpus(), want_init_on_alloc(GFP_KERNEL),
		   want_init_on_free(), gh_page_bytes(r.h), PAGE_SIZE, utsname()->release,
		   r.loops, r.ms, r.reps, r.size, gh_profile_rate(r.h));
	r.name = w->name;
	err = bench_empty_loop(&r, max(r.loops, 1000U));
	if (!err)
		err = w->run(&r);
	if (err)
		bench_line(&r, "error=%d", err);
	if (r.profile_rate >= 0)
		gh_profile_set_rate(r.h, old_rate);
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

/*
 * The file, in the debugfs directory goheap.ko made. goheap cannot be
 * unloaded while this module uses its symbols, so the directory outlives
 * the file; and while the file is open (a run), the fops' owner keeps this
 * module loaded.
 */
static struct dentry *bench_dentry;

/* Fails, with nothing created, without goheap's default heap or directory. */
static int __init goheap_bench_init(void)
{
	struct dentry *root;

	bench_heap = goheap_default_heap;
	if (!bench_heap) {
		pr_err("goheap has no default heap\n");
		return -ENODEV;
	}
	root = debugfs_lookup("goheap", NULL);
	if (IS_ERR_OR_NULL(root)) {
		pr_err("no debugfs directory goheap/\n");
		return -ENODEV;
	}
	bench_dentry = debugfs_create_file("bench", 0600, root, NULL, &bench_fops);
	dput(root);
	if (IS_ERR(bench_dentry)) {
		pr_err("cannot create goheap/bench: %ld\n", PTR_ERR(bench_dentry));
		return PTR_ERR(bench_dentry);
	}
	return 0;
}

static void __exit goheap_bench_exit(void)
{
	debugfs_remove(bench_dentry);
}

module_init(goheap_bench_init);
module_exit(goheap_bench_exit);

MODULE_DESCRIPTION("In-kernel benchmark of goheap against kmalloc/SLUB, alloc_pages and vmalloc");
MODULE_AUTHOR("goheap developers");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));
