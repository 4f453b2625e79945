// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_stress: a stress load on goheap through its exported API only, as
 * another module would use it.
 *
 * Loading the module runs the load for duration_s seconds, then frees
 * everything, prints one summary line ("goheap_stress: ... errors 0") and
 * stays loaded, holding nothing; if any check failed, the load fails with
 * -EINVAL instead. The checks run everywhere the load does:
 *
 *  - Workers: threads_per_cpu kthreads for each present CPU, each keeping
 *    its CPU as its home. A CPU going offline pushes its threads elsewhere
 *    (they are ordinary kthreads, not per-CPU ones); they bind to their home
 *    again once it is back. Each worker keeps a table of live objects of
 *    random sizes (tiny, small classes, large up to max_size) and random
 *    lifetimes, allocated with GFP_KERNEL, __GFP_ZERO, and GFP_NOWAIT or
 *    GFP_ATOMIC with preemption, softirqs or interrupts disabled, and now
 *    and then a goheap_alloc_bulk() batch, part of it freed with
 *    goheap_free_bulk().
 *  - Cross-CPU frees: a retiring object is often handed to another worker
 *    (a locked mailbox per worker), which checks and frees it on its CPU.
 *  - Interrupts: each worker starts an hrtimer on its CPU (every irq_us
 *    microseconds; 0 turns this off) which raises an irq_work that
 *    allocates with GFP_ATOMIC in hardirq context and schedules a tasklet
 *    that does the same in softirq context. Both keep some objects a while, free some at
 *    once, hand some to the workers, and free objects the workers hand them.
 *
 * Every object is stamped over its whole requested size when allocated: a
 * header (sequence number; sequence xor address xor a magic number) then a
 * byte derived from both; a tiny object (below 16 bytes) gets the byte only.
 * The stamp is checked just before the free (and now and then while the
 * object lives), and the header is then poisoned: an object handed out
 * while still live elsewhere shows as an intact header at allocation or as
 * a stamp overwritten by its other owner. Also checked: usable size (at
 * least the request; exactly it for packed tiny objects, the class size
 * for one the profiler sampled), alignment (power-of-two sizes naturally,
 * others to 8 bytes; tiny objects to their size's lowest set bit),
 * zeroing with __GFP_ZERO, the context the callbacks run in, and that
 * every object allocated was freed.
 *
 * Failed allocations are counted, not errors: an atomic one may fail, and
 * so may a sleeping one under memory pressure (__GFP_NOWARN everywhere).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/goheap.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "compat.h"

static unsigned int duration_s = 10;
module_param(duration_s, uint, 0444);
MODULE_PARM_DESC(duration_s, "seconds of load, run at module load (default 10)");

static unsigned int threads_per_cpu = 1;
module_param(threads_per_cpu, uint, 0444);
MODULE_PARM_DESC(threads_per_cpu, "worker kthreads per present CPU (default 1)");

static unsigned long max_size = 256 * 1024;
module_param(max_size, ulong, 0444);
MODULE_PARM_DESC(max_size, "largest object, 16 B .. GOHEAP_MAX_ALLOC (default 256 KiB)");

static ulong seed;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "random seed; 0 picks one (printed in the summary)");

static unsigned int irq_us = 2000;
module_param(irq_us, uint, 0444);
MODULE_PARM_DESC(irq_us, "hrtimer period of the hardirq/softirq allocators in us; 0: none");

#define STRESS_MAGIC	0x7373657274736867ULL	/* "ghstress" */
#define STRESS_POISON	0x6b	/* header of an object being freed */
#define STRESS_HDR	16	/* sequence number + check word */
#define STRESS_LIVE	256	/* objects a worker holds at most */
#define STRESS_BOX	64	/* objects in transit to one worker or its irqs */
#define STRESS_KEEP	16	/* objects an interrupt context keeps across runs */
#define STRESS_LONG	32	/* of those, slots for long-lived objects */
#define STRESS_BULK	16	/* objects per bulk call at most */
#define STRESS_IRQ_MAX	(32 * 1024)	/* largest atomic allocation */
#define STRESS_ERR_PRINT 10	/* errors printed; the rest are only counted */

/* Who allocated an object. */
enum stress_from { FROM_THREAD, FROM_HARDIRQ, FROM_SOFTIRQ };

struct stress_obj {
	void *p;
	u64 seq;
	u32 size;
	u16 cpu;	/* CPU it was allocated on */
	u8 tiny;	/* from goheap_alloc_tiny() */
	u8 from;	/* enum stress_from */
};

/* Objects in transit: a FIFO taken and filled from any context. */
struct stress_box {
	spinlock_t lock;	/* protects everything below */
	unsigned int head;
	unsigned int count;
	struct stress_obj slot[STRESS_BOX];
};

struct stress_worker;

/*
 * The hrtimer runs in hard IRQ context and raises an irq_work that
 * allocates, also in hard IRQ context. The irq_work, not the timer: an
 * irq_work without IRQ_WORK_HARD_IRQ is an interrupt handler PREEMPT_RT
 * would run in a thread, like an ordinary request_irq() handler, and that
 * is the hard IRQ context goheap (like kmalloc) may be called from; a hard
 * hrtimer stays hard IRQ context on PREEMPT_RT, where goheap's spinlock_t
 * sleeps, and lockdep (CONFIG_PROVE_RAW_LOCK_NESTING) rejects it. On
 * PREEMPT_RT itself the timer is a soft hrtimer, run by the timer
 * softirq's thread, and allocates itself.
 */
#define STRESS_HRTIMER_MODE	(IS_ENABLED(CONFIG_PREEMPT_RT) ? HRTIMER_MODE_REL_PINNED : \
				 HRTIMER_MODE_REL_PINNED_HARD)

/* One interrupt context of a worker: its irq_work (hardirq) or its tasklet. */
struct stress_irq {
	struct stress_worker *w;
	struct rnd_state rnd;
	u64 seq;
	enum stress_from from;
	unsigned int nkept;
	struct stress_obj kept[STRESS_KEEP];
	unsigned long runs, allocs, failures, frees, wrong_context;
};

struct stress_live {
	struct stress_obj o;
	u64 expires;	/* retire once the worker's ops reach this */
};

struct stress_worker {
	struct task_struct *task;
	unsigned int idx;
	int home;	/* the CPU it belongs to */
	struct rnd_state rnd;
	u64 seq;
	struct stress_box in;		/* from other workers and interrupts */
	struct stress_box to_irq;	/* for this worker's interrupt contexts */
	struct hrtimer timer;
	struct irq_work irq_work;	/* raised by @timer, not on PREEMPT_RT */
	struct tasklet_struct tasklet;
	struct stress_irq hard, soft;
	unsigned long ops, allocs, tiny, zeroed, atomic, bulk_calls, bulk_objs, frees;
	unsigned long remote_frees, passed, checks, kernel_failures, atomic_failures;
	unsigned long bulk_failures, away, rebinds;
	bool pinned_once;
	void *bulk_p[STRESS_BULK];
	struct stress_obj bulk[STRESS_BULK];
	struct stress_live live[STRESS_LIVE];
};

static struct stress_worker **workers;
static unsigned int nworkers;
static DECLARE_COMPLETION(stress_go);
static bool stress_stop;
static atomic_t stress_errors = ATOMIC_INIT(0);
static atomic_long_t stress_out = ATOMIC_LONG_INIT(0);	/* objects allocated, not freed */

static __printf(1, 2) void stress_error(const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (atomic_inc_return(&stress_errors) > STRESS_ERR_PRINT)
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("error: %pV\n", &vaf);
	va_end(args);
}

static u32 stress_rand(struct rnd_state *rnd, u32 n)
{
	return prandom_u32_state(rnd) % n;
}

/*
 * A request size: mostly small, over every small class, 5% large objects
 * (a span each) up to @max, now and then a power of two.
 */
static size_t stress_size(struct rnd_state *rnd, size_t max)
{
	u32 r = stress_rand(rnd, 100);
	size_t size;

	if (r < 5)
		size = 1UL << stress_rand(rnd, ilog2(max) + 1);
	else if (r < 35)
		size = 1 + stress_rand(rnd, 256);
	else if (r < 62)
		size = 257 + stress_rand(rnd, 2048 - 256);
	else if (r < 80)
		size = 2049 + stress_rand(rnd, 16384 - 2048);
	else if (r < 95 || max <= 32768)
		size = 16385 + stress_rand(rnd, 32768 - 16384);
	else
		size = 32769 + stress_rand(rnd, max - 32768);
	return min(size, max);
}

/*
 * Operations an object lives for. The first STRESS_LONG slots of a worker's
 * table hold long-lived objects (up to a million operations: the whole of a
 * short run), the others short-lived ones, mostly freed at the next visit.
 */
static u64 stress_lifetime(struct stress_worker *w, struct stress_live *l)
{
	u32 r = stress_rand(&w->rnd, 100);

	if (l - w->live < STRESS_LONG)
		return 16384 + stress_rand(&w->rnd, 1 << 20);
	if (r < 50)
		return stress_rand(&w->rnd, 8);
	if (r < 85)
		return stress_rand(&w->rnd, 512);
	return stress_rand(&w->rnd, 4096);
}

static u8 stress_fill(const struct stress_obj *o)
{
	u64 v = o->seq ^ (unsigned long)o->p;

	return (u8)(v ^ (v >> 8) ^ (v >> 16) ^ 0xa5);
}

static u64 stress_check_word(const struct stress_obj *o)
{
	return o->seq ^ (unsigned long)o->p ^ STRESS_MAGIC;
}

static void stress_stamp(const struct stress_obj *o)
{
	u64 *hdr = o->p;

	if (o->size < STRESS_HDR) {
		memset(o->p, stress_fill(o), o->size);
		return;
	}
	hdr[0] = o->seq;
	hdr[1] = stress_check_word(o);
	memset(o->p + STRESS_HDR, stress_fill(o), o->size - STRESS_HDR);
}

/* Check the stamp of a live object; false (and an error) if it changed. */
static bool stress_verify(const struct stress_obj *o)
{
	unsigned int skip = o->size < STRESS_HDR ? 0 : STRESS_HDR;
	const u64 *hdr = o->p;
	const u8 *bad;

	if (skip && (hdr[0] != o->seq || hdr[1] != stress_check_word(o))) {
		stress_error("object %p (%u B, seq %llx, cpu %u, from %u) has header %llx %llx",
			     o->p, o->size, o->seq, o->cpu, o->from, hdr[0], hdr[1]);
		return false;
	}
	bad = memchr_inv(o->p + skip, stress_fill(o), o->size - skip);
	if (bad) {
		stress_error("object %p (%u B, seq %llx, cpu %u, from %u): byte %td %#x, not %#x",
			     o->p, o->size, o->seq, o->cpu, o->from, bad - (const u8 *)o->p,
			     *bad, stress_fill(o));
		return false;
	}
	return true;
}

/* Checks of a fresh object, before it is stamped. */
static void stress_check_new(const struct stress_obj *o, bool zeroed)
{
	unsigned long align;
	const u64 *hdr = o->p;
	size_t usable;

	/* Every freed header was poisoned: an intact one is live elsewhere. */
	if (o->size >= STRESS_HDR && (hdr[0] ^ (unsigned long)o->p ^ STRESS_MAGIC) == hdr[1])
		stress_error("object %p (%u B) handed out while live as seq %llx",
			     o->p, o->size, hdr[0]);
	/*
	 * A tiny request is packed (usable: exactly the request) or, when
	 * the profiler samples it, a small object of its own (its class).
	 */
	usable = goheap_usable_size(o->p);
	if (usable < o->size ||
	    (o->tiny && usable != o->size && usable != goheap_size_roundup(o->size)))
		stress_error("object %p: usable size %zu for a request of %u%s",
			     o->p, usable, o->size, o->tiny ? " (tiny)" : "");
	if (o->tiny)
		align = o->size & -o->size;
	else if (is_power_of_2(o->size))
		align = o->size;
	else
		align = 8;
	if (!IS_ALIGNED((unsigned long)o->p, align))
		stress_error("object %p of %u B%s not aligned to %lu",
			     o->p, o->size, o->tiny ? " (tiny)" : "", align);
	if (zeroed && memchr_inv(o->p, 0, o->size))
		stress_error("object %p of %u B from __GFP_ZERO not zeroed", o->p, o->size);
}

static void stress_init_obj(struct stress_obj *o, void *p, size_t size, bool tiny,
			    u64 seq, enum stress_from from)
{
	o->p = p;
	o->seq = seq;
	o->size = size;
	o->cpu = raw_smp_processor_id();
	o->tiny = tiny;
	o->from = from;
}

/* Allocate, check and stamp one object. */
static bool stress_alloc(struct stress_obj *o, size_t size, bool tiny, gfp_t gfp, u64 seq,
			 enum stress_from from)
{
	void *p;

	gfp |= __GFP_NOWARN;
	p = tiny ? goheap_alloc_tiny(size, gfp) : goheap_alloc(size, gfp);
	if (!p)
		return false;
	atomic_long_inc(&stress_out);
	stress_init_obj(o, p, size, tiny, seq, from);
	stress_check_new(o, gfp & __GFP_ZERO);
	stress_stamp(o);
	return true;
}

/* Check the stamp, poison the header; the caller then frees. */
static void stress_retire_check(struct stress_obj *o)
{
	stress_verify(o);
	if (goheap_usable_size(o->p) < o->size)
		stress_error("object %p (%u B, seq %llx) no longer live before its free",
			     o->p, o->size, o->seq);
	if (o->size >= STRESS_HDR)
		memset(o->p, STRESS_POISON, STRESS_HDR);
	atomic_long_dec(&stress_out);
}

/* Check and free one object; count it in @remote if freed on another CPU. */
static void stress_free(struct stress_obj *o, unsigned long *remote)
{
	stress_retire_check(o);
	if (remote && o->cpu != raw_smp_processor_id())
		(*remote)++;
	goheap_free(o->p);
	o->p = NULL;
}

static void stress_box_init(struct stress_box *b)
{
	spin_lock_init(&b->lock);
	b->head = 0;
	b->count = 0;
}

static bool stress_box_put(struct stress_box *b, const struct stress_obj *o)
{
	unsigned long flags;
	bool put;

	spin_lock_irqsave(&b->lock, flags);
	put = b->count < STRESS_BOX;
	if (put)
		b->slot[(b->head + b->count++) % STRESS_BOX] = *o;
	spin_unlock_irqrestore(&b->lock, flags);
	return put;
}

static bool stress_box_take(struct stress_box *b, struct stress_obj *o)
{
	unsigned long flags;
	bool got;

	spin_lock_irqsave(&b->lock, flags);
	got = b->count;
	if (got) {
		*o = b->slot[b->head];
		b->head = (b->head + 1) % STRESS_BOX;
		b->count--;
	}
	spin_unlock_irqrestore(&b->lock, flags);
	return got;
}

static struct stress_worker *stress_other(struct rnd_state *rnd, unsigned int self)
{
	if (nworkers < 2)
		return workers[self];
	return workers[(self + 1 + stress_rand(rnd, nworkers - 1)) % nworkers];
}

/* === Interrupt contexts ================================================= */

static void stress_irq_run(struct stress_irq *ci)
{
	struct stress_worker *w = ci->w;
	struct stress_obj o;
	unsigned int i, n, k;
	size_t size;
	bool tiny;

	n = 1 + stress_rand(&ci->rnd, 2);
	for (i = 0; i < n; i++) {
		size = stress_size(&ci->rnd, min_t(size_t, max_size, STRESS_IRQ_MAX));
		tiny = size < GOHEAP_TINY_MAX && stress_rand(&ci->rnd, 2);
		if (!stress_alloc(&o, size, tiny, GFP_ATOMIC, ci->seq++, ci->from)) {
			ci->failures++;
			continue;
		}
		ci->allocs++;
		switch (stress_rand(&ci->rnd, 4)) {
		case 0:
			stress_free(&o, NULL);
			ci->frees++;
			break;
		case 1:
			if (stress_box_put(&stress_other(&ci->rnd, w->idx)->in, &o))
				break;
			fallthrough;
		default:
			if (ci->nkept == STRESS_KEEP) {
				k = stress_rand(&ci->rnd, STRESS_KEEP);
				swap(o, ci->kept[k]);
				stress_free(&o, NULL);
				ci->frees++;
			} else {
				ci->kept[ci->nkept++] = o;
			}
			break;
		}
	}
	/* Objects the threads handed over. */
	for (i = 0; i < 2 && stress_box_take(&w->to_irq, &o); i++) {
		stress_free(&o, NULL);
		ci->frees++;
	}
	ci->runs++;
}

/* The "hardirq" interrupt context: the irq_work, or the soft timer on RT. */
static void stress_hard_run(struct stress_worker *w)
{
	if (!IS_ENABLED(CONFIG_PREEMPT_RT) && !in_hardirq())
		w->hard.wrong_context++;
	stress_irq_run(&w->hard);
	tasklet_schedule(&w->tasklet);
}

static void stress_irq_work_fn(struct irq_work *work)
{
	stress_hard_run(container_of(work, struct stress_worker, irq_work));
}

static enum hrtimer_restart stress_hrtimer_fn(struct hrtimer *timer)
{
	struct stress_worker *w = container_of(timer, struct stress_worker, timer);

	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		stress_hard_run(w);
	else
		irq_work_queue(&w->irq_work);
	hrtimer_forward_now(timer, ns_to_ktime((u64)irq_us * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void stress_tasklet_fn(struct tasklet_struct *t)
{
	struct stress_worker *w = from_tasklet(w, t, tasklet);

	if (!in_serving_softirq())
		w->soft.wrong_context++;
	stress_irq_run(&w->soft);
}

/* === Workers ============================================================ */

/* Bind to the home CPU again if a hotplug round pushed the thread away. */
static void stress_rebind(struct stress_worker *w)
{
	if (raw_smp_processor_id() != w->home)
		w->away++;
	if (cpumask_equal(current->cpus_ptr, cpumask_of(w->home)) || !cpu_online(w->home))
		return;
	if (IS_ENABLED(CONFIG_PREEMPT_RT) && READ_ONCE(w->pinned_once))
		return;
	WRITE_ONCE(w->pinned_once, true);
	/* Fails harmlessly if the CPU is going down meanwhile. */
	if (!set_cpus_allowed_ptr(current, cpumask_of(w->home)))
		w->rebinds++;
}

/* Free an object on this CPU, or hand it to another worker or to interrupts. */
static void stress_retire(struct stress_worker *w, struct stress_obj *o)
{
	u32 r = stress_rand(&w->rnd, 100);

	if (r < 25 && nworkers > 1 && stress_box_put(&stress_other(&w->rnd, w->idx)->in, o)) {
		w->passed++;
	} else if (r < 35 && irq_us &&
		   stress_box_put(&stress_other(&w->rnd, w->idx)->to_irq, o)) {
		w->passed++;
	} else {
		stress_free(o, &w->remote_frees);
		w->frees++;
	}
	o->p = NULL;
}

/* Allocate into the empty slot @l, in a random context. */
static void stress_alloc_one(struct stress_worker *w, struct stress_live *l)
{
	size_t size = stress_size(&w->rnd, max_size);
	u32 r = stress_rand(&w->rnd, 100);
	gfp_t gfp = GFP_KERNEL;
	unsigned long flags;
	bool tiny, ok;

	tiny = size < GOHEAP_TINY_MAX && stress_rand(&w->rnd, 2);
	if (r < 5) {
		gfp |= __GFP_ZERO;
		w->zeroed++;
	}
	if (r >= 5 && r < 17) {
		size = min_t(size_t, size, STRESS_IRQ_MAX);
		w->atomic++;
		/*
		 * On PREEMPT_RT nothing may allocate with preemption or
		 * interrupts disabled (spinlock_t sleeps there; the same rule
		 * as for kmalloc): bottom halves off only.
		 */
		if (r < 9 && !IS_ENABLED(CONFIG_PREEMPT_RT)) {
			preempt_disable();
			ok = stress_alloc(&l->o, size, tiny, GFP_NOWAIT, w->seq++, FROM_THREAD);
			preempt_enable();
		} else if (r < 13 || IS_ENABLED(CONFIG_PREEMPT_RT)) {
			local_bh_disable();
			ok = stress_alloc(&l->o, size, tiny, GFP_ATOMIC, w->seq++, FROM_THREAD);
			local_bh_enable();
		} else {
			local_irq_save(flags);
			ok = stress_alloc(&l->o, size, tiny, GFP_ATOMIC, w->seq++, FROM_THREAD);
			local_irq_restore(flags);
		}
		if (!ok)
			w->atomic_failures++;
	} else {
		ok = stress_alloc(&l->o, size, tiny, gfp, w->seq++, FROM_THREAD);
		if (!ok)
			w->kernel_failures++;
	}
	if (!ok)
		return;
	w->allocs++;
	w->tiny += tiny;
	l->expires = w->ops + stress_lifetime(w, l);
}

static struct stress_live *stress_free_slot(struct stress_worker *w)
{
	struct stress_live *l = &w->live[stress_rand(&w->rnd, STRESS_LIVE)];

	return l->o.p ? NULL : l;
}

/* A bulk batch: part of it stays live in the table, the rest is freed in bulk. */
static void stress_bulk(struct stress_worker *w)
{
	unsigned int nr = 1 + stress_rand(&w->rnd, STRESS_BULK), i, nfree = 0;
	size_t size = stress_size(&w->rnd, min_t(size_t, max_size, 4096));
	struct stress_live *l;
	int got;

	w->bulk_calls++;
	got = goheap_alloc_bulk(size, GFP_KERNEL | __GFP_NOWARN, nr, w->bulk_p);
	if (!got) {
		w->bulk_failures++;
		return;
	}
	if (got != nr)
		stress_error("goheap_alloc_bulk(%zu, %u) returned %d", size, nr, got);
	for (i = 0; i < got; i++) {
		struct stress_obj *o = &w->bulk[i];

		atomic_long_inc(&stress_out);
		stress_init_obj(o, w->bulk_p[i], size, false, w->seq++, FROM_THREAD);
		stress_check_new(o, false);
		stress_stamp(o);
	}
	w->bulk_objs += got;
	w->allocs += got;
	for (i = 0; i < got; i++) {
		l = stress_rand(&w->rnd, 2) ? stress_free_slot(w) : NULL;
		if (l) {
			l->o = w->bulk[i];
			l->expires = w->ops + stress_lifetime(w, l);
			continue;
		}
		stress_retire_check(&w->bulk[i]);
		w->bulk_p[nfree++] = w->bulk[i].p;
	}
	goheap_free_bulk(nfree, w->bulk_p);
	w->frees += nfree;
}

/* Objects other workers and the interrupts handed over: mostly freed here. */
static void stress_take_inbox(struct stress_worker *w)
{
	struct stress_live *l;
	struct stress_obj o;
	unsigned int i;

	for (i = 0; i < 8 && stress_box_take(&w->in, &o); i++) {
		l = stress_rand(&w->rnd, 5) ? NULL : stress_free_slot(w);
		if (l) {
			l->o = o;
			l->expires = w->ops + stress_lifetime(w, l);
			continue;
		}
		stress_free(&o, &w->remote_frees);
		w->frees++;
	}
}

static void stress_step(struct stress_worker *w)
{
	struct stress_live *l = &w->live[stress_rand(&w->rnd, STRESS_LIVE)];
	u32 r = stress_rand(&w->rnd, 100);

	if (r < 1) {
		stress_bulk(w);
		return;
	}
	if (r < 20) {
		stress_take_inbox(w);
		return;
	}
	if (l->o.p) {
		if (w->ops < l->expires) {
			/* Long-lived objects are checked while they live, too. */
			if (r < 25) {
				stress_verify(&l->o);
				w->checks++;
			}
			return;
		}
		stress_retire(w, &l->o);
	}
	stress_alloc_one(w, l);
}

static int stress_worker_fn(void *arg)
{
	struct stress_worker *w = arg;
	unsigned int i;

	stress_rebind(w);
	wait_for_completion(&stress_go);
	if (irq_us)
		hrtimer_start(&w->timer, ns_to_ktime((u64)irq_us * NSEC_PER_USEC),
			      STRESS_HRTIMER_MODE);
	while (!READ_ONCE(stress_stop)) {
		stress_step(w);
		if (!(++w->ops % 16))
			cond_resched();
		if (!(w->ops % 128))
			stress_rebind(w);
	}
	for (i = 0; i < STRESS_LIVE; i++) {
		if (w->live[i].o.p) {
			stress_free(&w->live[i].o, &w->remote_frees);
			w->frees++;
		}
	}
	/* kthread_stop() collects the thread. */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static struct stress_worker *stress_worker_create(unsigned int idx, int cpu, u64 base)
{
	struct stress_worker *w = kzalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return NULL;
	w->idx = idx;
	w->home = cpu;
	w->seq = (u64)(3 * idx) << 40;
	prandom_seed_state(&w->rnd, base + 3 * idx);
	stress_box_init(&w->in);
	stress_box_init(&w->to_irq);
	w->hard = (struct stress_irq){ .w = w, .from = FROM_HARDIRQ,
				       .seq = (u64)(3 * idx + 1) << 40 };
	w->soft = (struct stress_irq){ .w = w, .from = FROM_SOFTIRQ,
				       .seq = (u64)(3 * idx + 2) << 40 };
	prandom_seed_state(&w->hard.rnd, base + 3 * idx + 1);
	prandom_seed_state(&w->soft.rnd, base + 3 * idx + 2);
	gh_hrtimer_setup(&w->timer, stress_hrtimer_fn, CLOCK_MONOTONIC, STRESS_HRTIMER_MODE);
	init_irq_work(&w->irq_work, stress_irq_work_fn);
	tasklet_setup(&w->tasklet, stress_tasklet_fn);
	w->task = kthread_create(stress_worker_fn, w, "gh_stress/%u", idx);
	if (IS_ERR(w->task)) {
		kfree(w);
		return NULL;
	}
	return w;
}

/* Everything still held by interrupt contexts or in transit, freed here. */
static void stress_worker_drain(struct stress_worker *w)
{
	struct stress_obj o;
	unsigned int i;

	for (i = 0; i < w->hard.nkept; i++)
		stress_free(&w->hard.kept[i], NULL);
	for (i = 0; i < w->soft.nkept; i++)
		stress_free(&w->soft.kept[i], NULL);
	while (stress_box_take(&w->in, &o))
		stress_free(&o, NULL);
	while (stress_box_take(&w->to_irq, &o))
		stress_free(&o, NULL);
}

struct stress_sum {
	unsigned long ops, allocs, tiny, zeroed, atomic, bulk_calls, bulk_objs, frees;
	unsigned long remote_frees, passed, checks, kernel_failures, atomic_failures;
	unsigned long bulk_failures, away, rebinds;
	unsigned long hard_runs, hard_allocs, hard_failures, soft_runs, soft_allocs;
	unsigned long soft_failures, irq_frees, wrong_context;
};

static void stress_sum_add(struct stress_sum *s, const struct stress_worker *w)
{
	s->ops += w->ops;
	s->allocs += w->allocs;
	s->tiny += w->tiny;
	s->zeroed += w->zeroed;
	s->atomic += w->atomic;
	s->bulk_calls += w->bulk_calls;
	s->bulk_objs += w->bulk_objs;
	s->frees += w->frees;
	s->remote_frees += w->remote_frees;
	s->passed += w->passed;
	s->checks += w->checks;
	s->kernel_failures += w->kernel_failures;
	s->atomic_failures += w->atomic_failures;
	s->bulk_failures += w->bulk_failures;
	s->away += w->away;
	s->rebinds += w->rebinds;
	s->hard_runs += w->hard.runs;
	s->hard_allocs += w->hard.allocs;
	s->hard_failures += w->hard.failures;
	s->soft_runs += w->soft.runs;
	s->soft_allocs += w->soft.allocs;
	s->soft_failures += w->soft.failures;
	s->irq_frees += w->hard.frees + w->soft.frees;
	s->wrong_context += w->hard.wrong_context + w->soft.wrong_context;
}

/* Sleep out the load; interruptible, so that nobody counts insmod as hung. */
static bool stress_wait(unsigned long end)
{
	while (time_before(jiffies, end)) {
		if (signal_pending(current))
			return false;
		msleep_interruptible(min(jiffies_to_msecs(end - jiffies), 1000U));
	}
	return true;
}

static int __init stress_init(void)
{
	struct stress_sum sum = {};
	unsigned int i, t, ncpus = 0;
	unsigned long start = jiffies;
	bool complete;
	int cpu, errors;
	long out;

	max_size = clamp_t(unsigned long, max_size, STRESS_HDR, GOHEAP_MAX_ALLOC);
	if (!seed)
		seed = get_random_u64() | 1;
	threads_per_cpu = max(threads_per_cpu, 1U);
	workers = kcalloc(num_present_cpus() * threads_per_cpu, sizeof(*workers), GFP_KERNEL);
	if (!workers)
		return -ENOMEM;
	for_each_present_cpu(cpu) {
		ncpus++;
		for (t = 0; t < threads_per_cpu; t++) {
			workers[nworkers] = stress_worker_create(nworkers, cpu, seed);
			if (!workers[nworkers])
				goto stop;
			nworkers++;
		}
	}

	pr_info("start: %u threads on %u CPUs, %u s, max_size %lu, irq_us %u, seed %lu\n",
		nworkers, ncpus, duration_s, max_size, irq_us, seed);
	start = jiffies;
	for (i = 0; i < nworkers; i++)
		wake_up_process(workers[i]->task);
	complete_all(&stress_go);
	complete = stress_wait(start + duration_s * HZ);
	if (!complete)
		stress_error("interrupted by a signal after %u ms",
			     jiffies_to_msecs(jiffies - start));

stop:
	WRITE_ONCE(stress_stop, true);
	complete_all(&stress_go);
	for (i = 0; i < nworkers; i++)
		kthread_stop(workers[i]->task);
	/* No thread runs: no timer is started any more. */
	for (i = 0; i < nworkers; i++) {
		hrtimer_cancel(&workers[i]->timer);
		irq_work_sync(&workers[i]->irq_work);
	}
	/* No timer or irq_work runs: no tasklet is scheduled any more. */
	for (i = 0; i < nworkers; i++)
		tasklet_kill(&workers[i]->tasklet);
	for (i = 0; i < nworkers; i++) {
		stress_worker_drain(workers[i]);
		stress_sum_add(&sum, workers[i]);
		kfree(workers[i]);
	}
	kfree(workers);
	if (nworkers < ncpus * threads_per_cpu || !ncpus) {
		pr_err("could not start the worker threads\n");
		return -ENOMEM;
	}

	out = atomic_long_read(&stress_out);
	if (out)
		stress_error("%ld objects allocated but never freed", out);
	if (duration_s && (!sum.ops || (irq_us && (!sum.hard_runs || !sum.soft_runs))))
		stress_error("no load ran: %lu ops, %lu hardirq runs, %lu softirq runs",
			     sum.ops, sum.hard_runs, sum.soft_runs);
	if (sum.wrong_context)
		stress_error("%lu interrupt callbacks ran outside hardirq/softirq context",
			     sum.wrong_context);
	errors = atomic_read(&stress_errors);
	pr_info("%u threads, %u CPUs, %u ms, seed %lu: %lu ops, %lu allocs (%lu tiny, %lu zeroed, %lu atomic, %lu in %lu bulk calls), %lu frees, %lu handed over, %lu freed on another CPU, %lu live checks; hardirq %lu runs %lu allocs, softirq %lu runs %lu allocs, %lu irq frees; alloc failures: %lu sleeping, %lu atomic, %lu bulk, %lu hardirq, %lu softirq; %lu times off home CPU, %lu rebinds; errors %d\n",
		nworkers, ncpus, jiffies_to_msecs(jiffies - start), seed, sum.ops, sum.allocs,
		sum.tiny, sum.zeroed, sum.atomic, sum.bulk_objs, sum.bulk_calls, sum.frees,
		sum.passed, sum.remote_frees, sum.checks, sum.hard_runs, sum.hard_allocs,
		sum.soft_runs, sum.soft_allocs, sum.irq_frees, sum.kernel_failures,
		sum.atomic_failures, sum.bulk_failures, sum.hard_failures, sum.soft_failures,
		sum.away, sum.rebinds, errors);
	return errors ? -EINVAL : 0;
}

static void __exit stress_exit(void)
{
}

module_init(stress_init);
module_exit(stress_exit);

MODULE_DESCRIPTION("goheap stress load through the exported API");
MODULE_LICENSE("GPL");
