// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_concurrency: the allocator used from many CPUs and contexts at once.
 *
 * Each case runs on a private heap (8 KiB heap pages, created by the suite's
 * init and destroyed by its exit) and checks, besides its own property,
 * that the heap counted no bad free and that, once every object is freed
 * and every cache drained (gh_pcpu_drain_all() and gh_central_release() on
 * every class), no heap page is left in a span: an object lost on the way
 * keeps its span, and so does an empty span a central list failed to give
 * back; pages_inuse then stays above zero and the check lists what each
 * class still holds.
 *
 * How objects are checked. Every object is stamped over its whole
 * requested size when it is allocated: one of 16 bytes or more starts with
 * a header (a unique 64-bit id, then the id xor a magic number) and the
 * rest is filled with a byte derived from the id; a smaller one is filled
 * with that byte only. The stamp is verified just before the object is
 * freed and the header is then poisoned, so a fresh object that already
 * carries an intact header was handed out while still live somewhere else.
 * Such a duplicate also shows as a stamp overwritten by the other owner,
 * or as a double free counted by the heap. gh_usable_size() must cover the
 * request at allocation and still do so just before the free.
 *
 * The cases:
 *
 * - cross_cpu_random_alloc_free: one thread bound to each online CPU does
 *   random allocations (small classes and some large objects) and frees;
 *   objects pass between threads through a locked exchange ring, so many
 *   are freed on a CPU other than the one that allocated them.
 * - alloc_from_hardirq, alloc_from_softirq: an irq_work raised by an
 *   hrtimer (hardirq) or a self-rescheduling tasklet (softirq) allocates
 *   and frees with GFP_ATOMIC while the test thread does the same with
 *   GFP_KERNEL on the same heap; objects pass between the two contexts
 *   both ways. The irq_work, not the hrtimer callback, allocates: an
 *   irq_work without IRQ_WORK_HARD_IRQ is an interrupt handler that
 *   PREEMPT_RT would run in a thread, like an ordinary request_irq()
 *   handler, which is where goheap (like kmalloc) may be called from hard
 *   IRQ context; a hard hrtimer is hard IRQ context on PREEMPT_RT too,
 *   and lockdep (CONFIG_PROVE_RAW_LOCK_NESTING) rightly rejects the
 *   spinlock_t goheap takes there.
 * - cpu_offline_online_while_allocating: CPUs go offline and online while
 *   threads allocate; once a CPU is dead its cache must be empty.
 * - tiny_cross_cpu: tiny objects allocated on each CPU, freed on others.
 * - concurrent_first_refill_returns_all_spans: two CPUs grow an empty
 *   class at once; no span may be left once everything is freed (the
 *   other cases catch the same bug only now and then).
 *
 * Threads and interrupt handlers never call KUnit assertions (a failed
 * assertion may only be raised by the test's own thread): they count
 * failures in a struct conc_report, which the test checks once the
 * concurrent part is over.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "internal.h"
#include "pcpu.h"
#include "kunit_heap.h"

#define CONC_MAGIC		0x21706165686f6721ULL	/* "!goheap!" */
#define CONC_POISON		0x6b	/* header of an object being freed */
#define CONC_HDR		16	/* id + check word */
#define CONC_LARGE_MAX		(256 * 1024)

#define CONC_RING		256	/* objects in the exchange ring */
#define CONC_LOCAL		64	/* objects one thread holds at most */
#define CONC_OPS		20000	/* operations per thread */
#define CONC_TINY_OPS		20000

#define CONC_IRQ_RUNS		2000	/* timer expirations / tasklet runs */
#define CONC_IRQ_PERIOD_NS	(100 * NSEC_PER_USEC)
#define CONC_IRQ_KEEP		16	/* objects kept across runs */
#define CONC_IRQ_PASS		32	/* hand-off slots in each direction */
#define CONC_IRQ_TIMEOUT	(20 * HZ)

#define CONC_HP_ROUNDS		6	/* offline/online cycles */
#define CONC_HP_SEED		8	/* objects per class cached on the victim */
#define CONC_HP_TINY		3	/* live tiny objects on the victim */
#define CONC_HP_TINY_MAX	32	/* ... until one is the CPU's current block */

/* One object as its owner sees it. */
struct conc_obj {
	void *p;
	u64 id;
	u32 size;
	u16 cpu;	/* CPU it was allocated on */
	bool tiny;	/* from gh_tiny_alloc() */
};

/* Failures seen outside the test thread, checked by the test thread. */
struct conc_report {
	atomic_t errors;
	atomic_t logged;	/* @first is (being) written */
	char first[200];	/* the first failure, for the KUnit message */
};

static __printf(2, 3) void conc_error(struct conc_report *rep, const char *fmt, ...)
{
	va_list args;

	atomic_inc(&rep->errors);
	if (atomic_xchg(&rep->logged, 1))
		return;
	va_start(args, fmt);
	vsnprintf(rep->first, sizeof(rep->first), fmt, args);
	va_end(args);
}

static void conc_expect_no_errors(struct kunit *test, struct conc_report *rep)
{
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&rep->errors), 0, "first: %s", rep->first);
}

static u32 conc_rand(struct rnd_state *rnd, u32 n)
{
	return prandom_u32_state(rnd) % n;
}

/*
 * A request size: mostly small, over every small class, and 3% large
 * objects up to 256 KiB (spans of their own from the page heap).
 */
static size_t conc_rand_size(struct rnd_state *rnd)
{
	u32 r = conc_rand(rnd, 100);

	if (r < 40)
		return 1 + conc_rand(rnd, 256);
	if (r < 70)
		return 257 + conc_rand(rnd, 2048 - 256);
	if (r < 88)
		return 2049 + conc_rand(rnd, 16384 - 2048);
	if (r < 97)
		return 16385 + conc_rand(rnd, GH_MAX_SMALL_SIZE - 16384);
	return GH_MAX_SMALL_SIZE + 1 + conc_rand(rnd, CONC_LARGE_MAX - GH_MAX_SMALL_SIZE);
}

static u8 conc_fill(u64 id)
{
	return (u8)(id ^ (id >> 8) ^ 0xa5);
}

static void conc_stamp(const struct conc_obj *o)
{
	u64 *hdr = o->p;

	if (o->size < CONC_HDR) {
		memset(o->p, conc_fill(o->id), o->size);
		return;
	}
	hdr[0] = o->id;
	hdr[1] = o->id ^ CONC_MAGIC;
	memset(o->p + CONC_HDR, conc_fill(o->id), o->size - CONC_HDR);
}

/* Check the stamp of @o, just before it is freed. */
static void conc_verify(const struct conc_obj *o, struct conc_report *rep)
{
	unsigned int skip = o->size < CONC_HDR ? 0 : CONC_HDR;
	const u64 *hdr = o->p;
	const u8 *bad;

	if (skip && (hdr[0] != o->id || hdr[1] != (o->id ^ CONC_MAGIC))) {
		conc_error(rep, "object %p (%u B, id %llu) has header %llx %llx: handed out twice?",
			   o->p, o->size, o->id, hdr[0], hdr[1]);
		return;
	}
	bad = memchr_inv(o->p + skip, conc_fill(o->id), o->size - skip);
	if (bad)
		conc_error(rep, "object %p (%u B, id %llu): byte %td is %#x, not %#x",
			   o->p, o->size, o->id, bad - (const u8 *)o->p, *bad, conc_fill(o->id));
}

/*
 * Allocate and stamp one object. Small and large objects come from
 * gh_alloc(), tiny ones (@tiny, @size 1..15) from gh_tiny_alloc().
 */
static bool conc_alloc(struct gh_heap *h, struct conc_obj *o, size_t size, bool tiny,
		       gfp_t gfp, atomic64_t *ids, struct conc_report *rep)
{
	const u64 *hdr;
	size_t usable;

	o->p = tiny ? gh_tiny_alloc(h, size, gfp) : gh_alloc(h, size, gfp);
	if (!o->p)
		return false;
	o->id = atomic64_inc_return(ids);
	o->size = size;
	o->cpu = raw_smp_processor_id();
	o->tiny = tiny;

	/* Freed objects have a poisoned header: an intact one is live. */
	hdr = o->p;
	if (size >= CONC_HDR && (hdr[0] ^ CONC_MAGIC) == hdr[1])
		conc_error(rep, "object %p (%zu B) handed out while live as id %llu",
			   o->p, size, hdr[0]);
	usable = gh_usable_size(h, o->p);
	if (usable < size || (tiny && usable != size))
		conc_error(rep, "object %p: usable size %zu for a request of %zu%s",
			   o->p, usable, size, tiny ? " (tiny)" : "");
	/* Tiny objects are aligned to their size's lowest set bit. */
	if (tiny && !IS_ALIGNED((unsigned long)o->p, size & -size))
		conc_error(rep, "tiny object %p of %zu B misaligned", o->p, size);
	conc_stamp(o);
	return true;
}

/* Verify and free one object; count it in @remote if freed on another CPU. */
static void conc_free(struct gh_heap *h, struct conc_obj *o, struct conc_report *rep,
		      unsigned long *remote)
{
	conc_verify(o, rep);
	if (gh_usable_size(h, o->p) < o->size)
		conc_error(rep, "object %p (%u B, id %llu) no longer live before its free",
			   o->p, o->size, o->id);
	if (o->size >= CONC_HDR)
		memset(o->p, CONC_POISON, CONC_HDR);
	if (remote && o->cpu != raw_smp_processor_id())
		(*remote)++;
	gh_free(h, o->p);
	o->p = NULL;
}

static void conc_expect_no_misuse(struct kunit *test, struct gh_heap *h)
{
	unsigned int i;

	for (i = 0; i < GH_MISUSE_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&h->misuse[i]), 0L,
				    "misuse counter %u", i);
}

/*
 * Objects still out of the spans on @list after a full drain: their state
 * says who lost them (live: never freed; cached: a cache lost it; free: the
 * span's accounting is wrong), and a live object's header names the
 * allocation it came from.
 */
static void conc_report_spans(struct kunit *test, struct list_head *list)
{
	unsigned int idx, shown = 0;
	struct gh_span *s;

	list_for_each_entry(s, list, node) {
		kunit_info(test, "span %p: class %u, %u of %u objects out\n",
			   (void *)s->base, s->cls, s->allocated, s->nelems);
		for_each_set_bit(idx, s->allocbits, s->nelems) {
			const u64 *hdr = (void *)(s->base + (unsigned long)idx * s->elemsize);

			if (shown++ == 8)
				return;
			kunit_info(test, "  object %u: state %u, header %llx %llx\n",
				   idx, s->objstate[idx], hdr[0], hdr[1]);
		}
	}
}

/* Drain every CPU cache and every transfer cache; return the heap pages left in spans. */
static unsigned long conc_drain(struct gh_heap *h)
{
	unsigned long inuse, flags;

	gh_drain_caches(h);

	spin_lock_irqsave(&h->lock, flags);
	inuse = h->pages_inuse;
	spin_unlock_irqrestore(&h->lock, flags);
	return inuse;
}

/* Say which caches and lists still hold objects or spans after a drain. */
static void conc_dump_heap(struct kunit *test, struct gh_heap *h)
{
	unsigned int cls, cpu;

	/* Nothing runs on the heap any more: plain reads are stable. */
	for_each_possible_cpu(cpu) {
		struct gh_pcpu *cc = per_cpu_ptr(h->pcpu, cpu);

		for (cls = 1; cls < GH_NR_CLASSES; cls++) {
			if (cc->count[cls])
				kunit_info(test, "cpu %u class %u: %u objects cached after drain\n",
					   cpu, cls, cc->count[cls]);
		}
		if (cc->tiny_block)
			kunit_info(test, "cpu %u: tiny block still current after drain\n", cpu);
	}
	for (cls = 1; cls < GH_NR_CLASSES; cls++) {
		struct gh_central *c = &h->central[cls];
		unsigned int b;

		if (c->nxfer || c->nr_partial || c->nr_full)
			kunit_info(test, "class %u: %u in transfer cache, %lu partial, %lu full spans\n",
				   cls, c->nxfer, c->nr_partial, c->nr_full);
		for (b = 0; b < ARRAY_SIZE(c->partial); b++)
			conc_report_spans(test, &c->partial[b]);
		conc_report_spans(test, &c->full);
	}
}

/*
 * The leak check: with every object freed, drain every CPU cache and every
 * transfer cache; each span must then have gone back to the page heap.
 * On failure, say which caches still hold objects.
 */
static void conc_expect_heap_empty(struct kunit *test, struct gh_heap *h)
{
	unsigned long inuse = conc_drain(h);

	KUNIT_EXPECT_EQ_MSG(test, inuse, 0UL, "heap pages still in spans after a full drain");
	if (inuse)
		conc_dump_heap(test, h);
}

/* === Threads and the exchange ring ======================================= */

/* FIFO of objects in transit between threads. */
struct conc_ring {
	spinlock_t lock;	/* protects everything below */
	unsigned int head;
	unsigned int count;
	struct conc_obj slot[CONC_RING];
};

/* Put @o at the tail; when the ring is full, the oldest object comes back in @o. */
static bool conc_ring_put(struct conc_ring *r, struct conc_obj *o)
{
	struct conc_obj old;
	bool full;

	spin_lock(&r->lock);
	full = r->count == CONC_RING;
	if (full) {
		old = r->slot[r->head];
		r->slot[r->head] = *o;
		r->head = (r->head + 1) % CONC_RING;
	} else {
		r->slot[(r->head + r->count) % CONC_RING] = *o;
		r->count++;
	}
	spin_unlock(&r->lock);
	if (full)
		*o = old;
	return full;
}

static bool conc_ring_take(struct conc_ring *r, struct conc_obj *o)
{
	bool got;

	spin_lock(&r->lock);
	got = r->count;
	if (got) {
		*o = r->slot[r->head];
		r->head = (r->head + 1) % CONC_RING;
		r->count--;
	}
	spin_unlock(&r->lock);
	return got;
}

/* What the threads of one case share. */
struct conc_ctx {
	struct gh_heap *h;
	struct conc_report rep;
	struct conc_ring ring;
	struct completion start;	/* all threads go at once */
	atomic64_t ids;
	unsigned int ops;	/* operations per thread; 0: until @stop */
	bool tiny;		/* tiny objects only */
	bool stop;
};

struct conc_worker {
	struct conc_ctx *ctx;
	struct task_struct *task;
	struct completion done;
	int cpu;		/* bound to this CPU, or -1 */
	struct rnd_state rnd;
	unsigned int nlive;
	struct conc_obj live[CONC_LOCAL];
	unsigned long ops, allocs, alloc_failures, remote_frees;
};

static void conc_worker_free(struct conc_worker *w, struct conc_obj *o)
{
	conc_free(w->ctx->h, o, &w->ctx->rep, &w->remote_frees);
}

/* Take live[i] out of the thread's set (the last one moves into its slot). */
static struct conc_obj conc_worker_take(struct conc_worker *w, unsigned int i)
{
	struct conc_obj o = w->live[i];

	w->live[i] = w->live[--w->nlive];
	return o;
}

/* One random operation: allocate, free, give to the ring or take from it. */
static void conc_worker_step(struct conc_worker *w)
{
	struct conc_ctx *ctx = w->ctx;
	u32 r = conc_rand(&w->rnd, 100);
	struct conc_obj o;
	size_t size;

	if (r < 45) {
		if (w->nlive == CONC_LOCAL) {
			o = conc_worker_take(w, conc_rand(&w->rnd, w->nlive));
			conc_worker_free(w, &o);
		}
		if (ctx->tiny)
			size = 1 + conc_rand(&w->rnd, GH_TINY_SIZE - 1);
		else
			size = conc_rand_size(&w->rnd);
		if (conc_alloc(ctx->h, &w->live[w->nlive], size, ctx->tiny, GFP_KERNEL,
			       &ctx->ids, &ctx->rep)) {
			w->nlive++;
			w->allocs++;
		} else {
			w->alloc_failures++;
		}
	} else if (r < 63) {
		if (!w->nlive)
			return;
		o = conc_worker_take(w, conc_rand(&w->rnd, w->nlive));
		conc_worker_free(w, &o);
	} else if (r < 82) {
		if (!w->nlive)
			return;
		o = conc_worker_take(w, conc_rand(&w->rnd, w->nlive));
		if (conc_ring_put(&ctx->ring, &o))
			conc_worker_free(w, &o);
	} else {
		if (!conc_ring_take(&ctx->ring, &o))
			return;
		/* Mostly freed at once; some stay with their new owner a while. */
		if (r < 92 || w->nlive == CONC_LOCAL)
			conc_worker_free(w, &o);
		else
			w->live[w->nlive++] = o;
	}
}

static int conc_worker_fn(void *arg)
{
	struct conc_worker *w = arg;
	struct conc_ctx *ctx = w->ctx;

	wait_for_completion(&ctx->start);
	while (ctx->ops ? w->ops < ctx->ops : !READ_ONCE(ctx->stop)) {
		conc_worker_step(w);
		/* PREEMPT_NONE: give the CPU away now and then. */
		if (!(++w->ops % 16))
			cond_resched();
	}
	while (w->nlive) {
		struct conc_obj o = conc_worker_take(w, w->nlive - 1);

		conc_worker_free(w, &o);
	}
	kthread_complete_and_exit(&w->done, 0);
}

static struct conc_ctx *conc_ctx_alloc(struct kunit *test)
{
	struct conc_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return NULL;
	ctx->h = test->priv;
	spin_lock_init(&ctx->ring.lock);
	init_completion(&ctx->start);
	return ctx;
}

/*
 * Create @n workers (each bound to its ->cpu unless that is -1) and let
 * them all go. Either all run or none does.
 */
static int conc_start_workers(struct kunit *test, struct conc_ctx *ctx,
			      struct conc_worker *ws, unsigned int n)
{
	u64 seed = get_random_u64();
	unsigned int i, j;

	kunit_info(test, "%u threads, seed %llu\n", n, seed);
	for (i = 0; i < n; i++) {
		struct conc_worker *w = &ws[i];

		w->ctx = ctx;
		init_completion(&w->done);
		prandom_seed_state(&w->rnd, seed + i);
		if (w->cpu >= 0)
			w->task = kthread_create_on_cpu(conc_worker_fn, w, w->cpu, "gh_conc/%u");
		else
			w->task = kthread_create(conc_worker_fn, w, "gh_conc/u%u", i);
		if (IS_ERR(w->task)) {
			int err = PTR_ERR(w->task);

			/* Never woken: kthread_stop() ends them before they run. */
			for (j = 0; j < i; j++)
				kthread_stop(ws[j].task);
			return err;
		}
	}
	for (i = 0; i < n; i++)
		wake_up_process(ws[i].task);
	complete_all(&ctx->start);
	return 0;
}

/* Wait for the workers, then free what is left in the ring. */
static void conc_finish_workers(struct conc_ctx *ctx, struct conc_worker *ws, unsigned int n)
{
	struct conc_obj o;
	unsigned int i;

	for (i = 0; i < n; i++)
		wait_for_completion(&ws[i].done);
	while (conc_ring_take(&ctx->ring, &o))
		conc_free(ctx->h, &o, &ctx->rep, NULL);
}

/* Sum the workers' counters and check them. */
static void conc_expect_workers_ok(struct kunit *test, struct conc_ctx *ctx,
				   struct conc_worker *ws, unsigned int n, ktime_t start)
{
	unsigned long ops = 0, allocs = 0, failures = 0, remote = 0, chunks, flags;
	unsigned int i;

	for (i = 0; i < n; i++) {
		ops += ws[i].ops;
		allocs += ws[i].allocs;
		failures += ws[i].alloc_failures;
		remote += ws[i].remote_frees;
	}
	spin_lock_irqsave(&ctx->h->lock, flags);
	chunks = ctx->h->nr_chunks;
	spin_unlock_irqrestore(&ctx->h->lock, flags);
	kunit_info(test, "%lu ops, %lu allocations, %lu freed on another CPU, %lu chunks, %lld ms\n",
		   ops, allocs, remote, chunks, ktime_ms_delta(ktime_get(), start));
	conc_expect_no_errors(test, &ctx->rep);
	KUNIT_EXPECT_EQ_MSG(test, failures, 0UL, "GFP_KERNEL allocations failed");
	KUNIT_EXPECT_GT(test, allocs, 0UL);
	if (n > 1 && num_online_cpus() > 1)
		KUNIT_EXPECT_GT_MSG(test, remote, 0UL, "no object was freed on another CPU");
}

/* One thread per online CPU, bound to it. */
static void conc_run_per_cpu(struct kunit *test, bool tiny, unsigned int ops)
{
	struct conc_worker *ws;
	struct conc_ctx *ctx;
	unsigned int n = 0;
	ktime_t start;
	int cpu;

	ctx = conc_ctx_alloc(test);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->ops = ops;
	ctx->tiny = tiny;
	ws = kunit_kcalloc(test, nr_cpu_ids, sizeof(*ws), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ws);
	for_each_online_cpu(cpu)
		ws[n++].cpu = cpu;

	start = ktime_get();
	KUNIT_ASSERT_EQ(test, conc_start_workers(test, ctx, ws, n), 0);
	conc_finish_workers(ctx, ws, n);
	conc_expect_workers_ok(test, ctx, ws, n, start);
	conc_expect_no_misuse(test, ctx->h);
	conc_expect_heap_empty(test, ctx->h);
	conc_expect_no_misuse(test, ctx->h);
}

static void cross_cpu_random_alloc_free(struct kunit *test)
{
	conc_run_per_cpu(test, false, CONC_OPS);
}

static void tiny_cross_cpu(struct kunit *test)
{
	conc_run_per_cpu(test, true, CONC_TINY_OPS);
}

/* === Interrupt context =================================================== */

/*
 * The interrupt side (hrtimer callback or tasklet) and the test thread on
 * one heap. Callbacks of one hrtimer, and runs of one tasklet, never
 * overlap, so the fields marked "callback" need no lock; the test thread
 * reads them only once the callback can no longer run.
 */
struct conc_irq {
	struct gh_heap *h;
	struct conc_report rep;
	atomic64_t ids;
	bool hardirq;		/* the callback must run in hardirq, else softirq */
	bool stop;
	bool irq_done;		/* the irq_work ran its last run */
	struct hrtimer timer;	/* raises @work (hardirq case) */
	struct irq_work work;
	struct tasklet_struct tasklet;
	struct completion done;	/* CONC_IRQ_RUNS runs happened */

	/* callback */
	struct rnd_state rnd;
	unsigned int runs;
	unsigned int nkept;
	struct conc_obj kept[CONC_IRQ_KEEP];
	unsigned long irq_allocs, irq_failures, wrong_context, freed_task_objs;

	/*
	 * Protects the hand-offs. Always taken irqsave, in the callback too:
	 * both cases init it at one site, so lockdep sees one lock class,
	 * used in hardirq by one case and in softirq by the other.
	 */
	spinlock_t lock;
	unsigned int nto_task, nto_irq;
	struct conc_obj to_task[CONC_IRQ_PASS];	/* allocated by the callback */
	struct conc_obj to_irq[CONC_IRQ_PASS];	/* allocated by the thread */

	/* test thread */
	struct rnd_state task_rnd;
	unsigned int nlive;
	struct conc_obj live[CONC_LOCAL];
	unsigned long task_ops, task_allocs, task_failures, freed_irq_objs;
};

/* Verify and free an object in the callback. */
static void conc_irq_free(struct conc_irq *ci, struct conc_obj *o)
{
	conc_free(ci->h, o, &ci->rep, NULL);
}

/*
 * One run of the interrupt side: allocate two objects with GFP_ATOMIC and
 * free each at once, keep it for a later run or hand it to the thread;
 * free one object the thread allocated. __GFP_NOWARN: an atomic failure is
 * tolerated (counted), it is not what is tested here.
 * Return: false once CONC_IRQ_RUNS runs are done or the test said stop.
 */
static bool conc_irq_run(struct conc_irq *ci)
{
	unsigned long flags;
	struct conc_obj o;
	unsigned int i, k;
	size_t size;
	bool passed;

	if (ci->runs >= CONC_IRQ_RUNS || READ_ONCE(ci->stop))
		return false;
	if (ci->hardirq ? !in_hardirq() : !in_serving_softirq())
		ci->wrong_context++;

	for (i = 0; i < 2; i++) {
		/* One in 16 is large: a span straight from the page heap. */
		if (conc_rand(&ci->rnd, 16))
			size = 1 + conc_rand(&ci->rnd, 4096);
		else
			size = GH_MAX_SMALL_SIZE + 1 + conc_rand(&ci->rnd, 32768);
		if (!conc_alloc(ci->h, &o, size, false, GFP_ATOMIC | __GFP_NOWARN,
				&ci->ids, &ci->rep)) {
			ci->irq_failures++;
			continue;
		}
		ci->irq_allocs++;
		switch (conc_rand(&ci->rnd, 3)) {
		case 0:
			conc_irq_free(ci, &o);
			break;
		case 1:
			if (ci->nkept == CONC_IRQ_KEEP) {
				/* swap() evaluates its arguments twice. */
				k = conc_rand(&ci->rnd, CONC_IRQ_KEEP);
				swap(o, ci->kept[k]);
				conc_irq_free(ci, &o);
			} else {
				ci->kept[ci->nkept++] = o;
			}
			break;
		default:
			spin_lock_irqsave(&ci->lock, flags);
			passed = ci->nto_task < CONC_IRQ_PASS;
			if (passed)
				ci->to_task[ci->nto_task++] = o;
			spin_unlock_irqrestore(&ci->lock, flags);
			if (!passed)
				conc_irq_free(ci, &o);
			break;
		}
	}

	spin_lock_irqsave(&ci->lock, flags);
	passed = ci->nto_irq;
	if (passed)
		o = ci->to_irq[--ci->nto_irq];
	spin_unlock_irqrestore(&ci->lock, flags);
	if (passed) {
		conc_irq_free(ci, &o);
		ci->freed_task_objs++;
	}

	if (++ci->runs < CONC_IRQ_RUNS)
		return true;
	complete(&ci->done);
	return false;
}

static void conc_irq_work_fn(struct irq_work *work)
{
	struct conc_irq *ci = container_of(work, struct conc_irq, work);

	if (!conc_irq_run(ci))
		WRITE_ONCE(ci->irq_done, true);
}

/*
 * The timer is pinned, so the irq_work is always queued on, and run by,
 * one CPU: its runs never overlap.
 */
static enum hrtimer_restart conc_hrtimer_fn(struct hrtimer *timer)
{
	struct conc_irq *ci = container_of(timer, struct conc_irq, timer);

	if (READ_ONCE(ci->irq_done) || READ_ONCE(ci->stop))
		return HRTIMER_NORESTART;
	irq_work_queue(&ci->work);
	hrtimer_forward_now(timer, ns_to_ktime(CONC_IRQ_PERIOD_NS));
	return HRTIMER_RESTART;
}

static void conc_tasklet_fn(struct tasklet_struct *t)
{
	struct conc_irq *ci = from_tasklet(ci, t, tasklet);

	/* Run again as soon as softirqs are next handled on this CPU. */
	if (conc_irq_run(ci))
		tasklet_schedule(t);
}

/* Give a thread object to the interrupt side; false if its slots are full. */
static bool conc_irq_pass_to_irq(struct conc_irq *ci, const struct conc_obj *o)
{
	unsigned long flags;
	bool passed;

	spin_lock_irqsave(&ci->lock, flags);
	passed = ci->nto_irq < CONC_IRQ_PASS;
	if (passed)
		ci->to_irq[ci->nto_irq++] = *o;
	spin_unlock_irqrestore(&ci->lock, flags);
	return passed;
}

static bool conc_irq_take_from_irq(struct conc_irq *ci, struct conc_obj *o)
{
	unsigned long flags;
	bool got;

	spin_lock_irqsave(&ci->lock, flags);
	got = ci->nto_task;
	if (got)
		*o = ci->to_task[--ci->nto_task];
	spin_unlock_irqrestore(&ci->lock, flags);
	return got;
}

static void conc_irq_task_free(struct conc_irq *ci, unsigned int i)
{
	struct conc_obj o = ci->live[i];

	ci->live[i] = ci->live[--ci->nlive];
	conc_free(ci->h, &o, &ci->rep, NULL);
}

/* One random operation of the test thread, GFP_KERNEL. */
static void conc_irq_task_step(struct conc_irq *ci)
{
	u32 r = conc_rand(&ci->task_rnd, 100);
	struct conc_obj o;

	if (r < 45) {
		if (ci->nlive == CONC_LOCAL)
			conc_irq_task_free(ci, conc_rand(&ci->task_rnd, ci->nlive));
		if (conc_alloc(ci->h, &ci->live[ci->nlive], conc_rand_size(&ci->task_rnd),
			       false, GFP_KERNEL, &ci->ids, &ci->rep)) {
			ci->nlive++;
			ci->task_allocs++;
		} else {
			ci->task_failures++;
		}
	} else if (r < 70) {
		if (ci->nlive)
			conc_irq_task_free(ci, conc_rand(&ci->task_rnd, ci->nlive));
	} else if (r < 85) {
		if (ci->nlive && conc_irq_pass_to_irq(ci, &ci->live[ci->nlive - 1]))
			ci->nlive--;
	} else if (conc_irq_take_from_irq(ci, &o)) {
		conc_free(ci->h, &o, &ci->rep, NULL);
		ci->freed_irq_objs++;
	}
}

static void conc_irq_case(struct kunit *test, bool hardirq)
{
	struct conc_irq *ci;
	unsigned long deadline;
	struct conc_obj o;
	u64 seed = get_random_u64();
	ktime_t start;
	unsigned int i;

	ci = kunit_kzalloc(test, sizeof(*ci), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ci);
	ci->h = test->priv;
	ci->hardirq = hardirq;
	spin_lock_init(&ci->lock);
	init_completion(&ci->done);
	prandom_seed_state(&ci->rnd, seed);
	prandom_seed_state(&ci->task_rnd, seed + 1);
	kunit_info(test, "seed %llu\n", seed);

	/* Some thread objects for the interrupt side to free from its first runs. */
	for (i = 0; i < CONC_IRQ_PASS / 2; i++) {
		KUNIT_ASSERT_TRUE(test, conc_alloc(ci->h, &o, conc_rand_size(&ci->task_rnd),
						   false, GFP_KERNEL, &ci->ids, &ci->rep));
		KUNIT_ASSERT_TRUE(test, conc_irq_pass_to_irq(ci, &o));
	}

	start = ktime_get();
	if (hardirq) {
		init_irq_work(&ci->work, conc_irq_work_fn);
		gh_hrtimer_setup(&ci->timer, conc_hrtimer_fn, CLOCK_MONOTONIC,
				 HRTIMER_MODE_REL_PINNED_HARD);
		hrtimer_start(&ci->timer, ns_to_ktime(CONC_IRQ_PERIOD_NS),
			      HRTIMER_MODE_REL_PINNED_HARD);
	} else {
		tasklet_setup(&ci->tasklet, conc_tasklet_fn);
		tasklet_schedule(&ci->tasklet);
	}

	deadline = jiffies + CONC_IRQ_TIMEOUT;
	while (!completion_done(&ci->done) && time_before(jiffies, deadline)) {
		conc_irq_task_step(ci);
		ci->task_ops++;
		cond_resched();
	}

	/* From here on the callback cannot run: its state is ours. */
	WRITE_ONCE(ci->stop, true);
	if (hardirq) {
		hrtimer_cancel(&ci->timer);
		irq_work_sync(&ci->work);
	} else {
		tasklet_kill(&ci->tasklet);
	}

	kunit_info(test, "%u runs, %lu atomic allocations (%lu failed), %lu thread ops, %lld ms\n",
		   ci->runs, ci->irq_allocs, ci->irq_failures, ci->task_ops,
		   ktime_ms_delta(ktime_get(), start));
	KUNIT_EXPECT_EQ_MSG(test, ci->runs, CONC_IRQ_RUNS, "the callback stopped running");
	KUNIT_EXPECT_EQ_MSG(test, ci->wrong_context, 0UL, "callback not in %s context",
			    hardirq ? "hardirq" : "softirq");
	KUNIT_EXPECT_GT(test, ci->irq_allocs, 0UL);
	KUNIT_EXPECT_GT_MSG(test, ci->freed_task_objs, 0UL,
			    "the interrupt side freed no thread object");
	KUNIT_EXPECT_EQ(test, ci->task_failures, 0UL);

	for (i = 0; i < ci->nkept; i++)
		conc_free(ci->h, &ci->kept[i], &ci->rep, NULL);
	while (conc_irq_take_from_irq(ci, &o)) {
		conc_free(ci->h, &o, &ci->rep, NULL);
		ci->freed_irq_objs++;
	}
	for (i = 0; i < ci->nto_irq; i++)
		conc_free(ci->h, &ci->to_irq[i], &ci->rep, NULL);
	while (ci->nlive)
		conc_irq_task_free(ci, ci->nlive - 1);
	KUNIT_EXPECT_GT_MSG(test, ci->freed_irq_objs, 0UL,
			    "the thread freed no object of the interrupt side");

	conc_expect_no_errors(test, &ci->rep);
	conc_expect_no_misuse(test, ci->h);
	conc_expect_heap_empty(test, ci->h);
}

static void alloc_from_hardirq(struct kunit *test)
{
	/* On PREEMPT_RT goheap, like SLUB, is not for hard IRQ context. */
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test, "PREEMPT_RT: goheap is not called from hard IRQ context");
	conc_irq_case(test, true);
}

static void alloc_from_softirq(struct kunit *test)
{
	conc_irq_case(test, false);
}

/* === CPU hotplug ========================================================= */

/* Objects left in a CPU's cache (and live tiny objects) just before it dies. */
struct conc_seed {
	struct gh_heap *h;
	struct conc_report *rep;
	atomic64_t *ids;
	unsigned int cpu;	/* where the seeding ran */
	unsigned int cached;	/* objects in that CPU's cache afterwards */
	bool tiny_pinned;	/* it had a current tiny block afterwards */
	unsigned int ntiny;
	struct conc_obj tiny[CONC_HP_TINY_MAX];
};

/*
 * Runs on the victim CPU (work_on_cpu): allocate and free a few objects of
 * several classes, so they stay in this CPU's cache, and leave tiny
 * objects live in this CPU's current tiny block.
 */
static long conc_seed_fn(void *arg)
{
	static const size_t sizes[] = { 8, 64, 512, 4096, 20000 };
	struct conc_obj objs[CONC_HP_SEED];
	struct conc_seed *s = arg;
	struct gh_pcpu *cc;
	unsigned int i, j, n, cls;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (n = 0; n < CONC_HP_SEED; n++) {
			if (!conc_alloc(s->h, &objs[n], sizes[i], false, GFP_KERNEL,
					s->ids, s->rep))
				break;
		}
		for (j = 0; j < n; j++)
			conc_free(s->h, &objs[j], s->rep, NULL);
	}
	/*
	 * A bound kworker: this CPU's cache, read racily but only for a
	 * report. A tiny allocation that finds the claim held keeps its block
	 * to itself, which on PREEMPT_RT happens whenever it preempted a
	 * thread holding the claim: allocate more until this CPU has a
	 * current block, sleeping a little before each retry so that the
	 * preempted holder runs and lets the claim go.
	 */
	s->cpu = raw_smp_processor_id();
	cc = per_cpu_ptr(s->h->pcpu, s->cpu);
	for (s->ntiny = 0; s->ntiny < CONC_HP_TINY ||
	     (s->ntiny < CONC_HP_TINY_MAX && !READ_ONCE(cc->tiny_block)); s->ntiny++) {
		if (s->ntiny >= CONC_HP_TINY)
			usleep_range(1000, 2000);
		if (!conc_alloc(s->h, &s->tiny[s->ntiny], 3 + 2 * (s->ntiny % CONC_HP_TINY), true,
				GFP_KERNEL, s->ids, s->rep))
			break;
	}

	s->cached = 0;
	for (cls = 1; cls < GH_NR_CLASSES; cls++)
		s->cached += READ_ONCE(cc->count[cls]);
	s->tiny_pinned = READ_ONCE(cc->tiny_block);
	return 0;
}

/* @cpu is dead: the CPU-dead callback must have emptied its cache. */
static void conc_expect_cpu_drained(struct kunit *test, struct gh_heap *h, unsigned int cpu)
{
	struct gh_pcpu *cc = per_cpu_ptr(h->pcpu, cpu);
	unsigned int cls;

	for (cls = 1; cls < GH_NR_CLASSES; cls++)
		KUNIT_EXPECT_EQ_MSG(test, cc->count[cls], 0,
				    "dead cpu %u still caches objects of class %u", cpu, cls);
	KUNIT_EXPECT_NULL_MSG(test, cc->tiny_block, "dead cpu %u still has a tiny block", cpu);
}

static void conc_hotplug_rounds(struct kunit *test, struct conc_ctx *ctx,
				const unsigned int *victims, unsigned int nvictims)
{
	struct conc_seed *seed;
	unsigned int round, cpu, i;
	int err;

	/* Off the stack: its objects array is large for a KASAN frame. */
	seed = kunit_kzalloc(test, sizeof(*seed), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seed);
	seed->h = ctx->h;
	seed->rep = &ctx->rep;
	seed->ids = &ctx->ids;

	for (round = 0; round < CONC_HP_ROUNDS; round++) {
		cpu = victims[round % nvictims];

		work_on_cpu(cpu, conc_seed_fn, seed);
		KUNIT_EXPECT_EQ(test, seed->cpu, cpu);
		KUNIT_EXPECT_GT_MSG(test, seed->cached, 0U, "nothing cached on cpu %u", cpu);
		KUNIT_EXPECT_TRUE_MSG(test, seed->tiny_pinned, "no tiny block on cpu %u", cpu);

		err = remove_cpu(cpu);
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "remove_cpu(%u)", cpu);
		if (!err)
			conc_expect_cpu_drained(test, ctx->h, cpu);
		/* Their block was unpinned by the drain: the last free releases it. */
		for (i = 0; i < seed->ntiny; i++)
			conc_free(ctx->h, &seed->tiny[i], &ctx->rep, NULL);
		if (err)
			return;

		msleep(20);	/* the others allocate with @cpu gone */
		err = add_cpu(cpu);
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "add_cpu(%u)", cpu);
		if (err)
			return;
		msleep(20);
	}
}

static void cpu_offline_online_while_allocating(struct kunit *test)
{
	unsigned int *victims, nvictims = 0, n = 0;
	struct conc_worker *ws;
	struct conc_ctx *ctx;
	ktime_t start;
	int cpu;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU))
		kunit_skip(test, "requires CONFIG_HOTPLUG_CPU");
	if (num_online_cpus() < 2)
		kunit_skip(test, "requires at least 2 online CPUs");

	victims = kunit_kcalloc(test, nr_cpu_ids, sizeof(*victims), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, victims);
	ws = kunit_kcalloc(test, nr_cpu_ids, sizeof(*ws), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ws);
	ctx = conc_ctx_alloc(test);
	KUNIT_ASSERT_NOT_NULL(test, ctx);

	/*
	 * CPUs that can go offline are victims, in turn; a thread bound to
	 * one would lose its binding when it goes, so they get unbound
	 * threads, which migrate (in the middle of allocations, too). The
	 * other CPUs get a thread bound to them.
	 */
	for_each_online_cpu(cpu) {
		if (cpu_is_hotpluggable(cpu)) {
			victims[nvictims++] = cpu;
			ws[n++].cpu = -1;
		} else {
			ws[n++].cpu = cpu;
		}
	}
	if (!nvictims)
		kunit_skip(test, "no online CPU can be taken offline");
	if (nvictims == n)
		nvictims--;	/* keep one CPU online whatever happens */
	if (!nvictims)
		kunit_skip(test, "no online CPU can be taken offline");

	start = ktime_get();
	KUNIT_ASSERT_EQ(test, conc_start_workers(test, ctx, ws, n), 0);
	conc_hotplug_rounds(test, ctx, victims, nvictims);
	WRITE_ONCE(ctx->stop, true);
	conc_finish_workers(ctx, ws, n);

	conc_expect_workers_ok(test, ctx, ws, n, start);
	conc_expect_no_misuse(test, ctx->h);
	conc_expect_heap_empty(test, ctx->h);
	conc_expect_no_misuse(test, ctx->h);
}

/* === Racing first refills ================================================= */

#define CONC_RACE_TRIALS	16
/*
 * 64 B: one refill (32 objects) fills a quarter of a span (128 objects), so
 * the span the first refill took from sits on a fuller occupancy bucket
 * than the span the second one has just added.
 */
#define CONC_RACE_SIZE		64

struct conc_racer {
	struct gh_heap *h;
	struct completion *go;
	struct completion done;
	struct task_struct *task;
	bool failed;
};

static int conc_racer_fn(void *arg)
{
	struct conc_racer *rc = arg;
	void *p;

	wait_for_completion(rc->go);
	p = gh_alloc(rc->h, CONC_RACE_SIZE, GFP_KERNEL);
	rc->failed = !p;
	gh_free(rc->h, p);
	kthread_complete_and_exit(&rc->done, 0);
}

/*
 * One trial on a new heap: two threads, on two CPUs, allocate the first
 * object of a class at once and free it. Both find the central list empty
 * and grow it by a span, the slow path (the heap takes its first chunk
 * from the buddy allocator), so the two refills overlap.
 * Return: heap pages left in spans after a full drain, or -errno.
 */
static long conc_race_trial(struct kunit *test, const unsigned int *cpus, bool dump)
{
	struct conc_racer rc[2] = {};
	DECLARE_COMPLETION_ONSTACK(go);
	struct gh_heap *h;
	unsigned int i;
	long inuse;

	h = gh_heap_create(&(struct gh_heap_params){
		.page_shift = KUNIT_GH_SHIFT, .name = "kunit" });
	if (IS_ERR(h))
		return PTR_ERR(h);
	for (i = 0; i < 2; i++) {
		rc[i].h = h;
		rc[i].go = &go;
		init_completion(&rc[i].done);
		rc[i].task = kthread_create_on_cpu(conc_racer_fn, &rc[i], cpus[i], "gh_race/%u");
		if (IS_ERR(rc[i].task)) {
			inuse = PTR_ERR(rc[i].task);
			if (i)
				kthread_stop(rc[0].task);	/* never woken */
			gh_heap_destroy(h);
			return inuse;
		}
	}
	wake_up_process(rc[0].task);
	wake_up_process(rc[1].task);
	complete_all(&go);
	wait_for_completion(&rc[0].done);
	wait_for_completion(&rc[1].done);

	KUNIT_EXPECT_FALSE(test, rc[0].failed || rc[1].failed);
	inuse = conc_drain(h);
	if (inuse && dump)
		conc_dump_heap(test, h);
	conc_expect_no_misuse(test, h);
	gh_heap_destroy(h);
	return inuse;
}

/*
 * A span taken from the page heap by a refill that lost the race must
 * still be used, or given back: once both objects are freed and the caches
 * drained, no span may be left. (The case's own heap is not used: each
 * trial needs a heap without any span yet.)
 */
static void concurrent_first_refill_returns_all_spans(struct kunit *test)
{
	unsigned int cpus[2], n = 0, trial, stranded = 0;
	long inuse;
	int cpu;

	if (num_online_cpus() < 2)
		kunit_skip(test, "requires at least 2 online CPUs");
	for_each_online_cpu(cpu) {
		if (n < 2)
			cpus[n++] = cpu;
	}

	for (trial = 0; trial < CONC_RACE_TRIALS; trial++) {
		inuse = conc_race_trial(test, cpus, !stranded);
		KUNIT_ASSERT_GE_MSG(test, inuse, 0L, "trial %u could not run", trial);
		if (inuse)
			stranded++;
	}
	KUNIT_EXPECT_EQ_MSG(test, stranded, 0U,
			    "%u of %u trials left a span in the heap after a full drain",
			    stranded, CONC_RACE_TRIALS);
}

/* === Suite =============================================================== */

static int conc_test_init(struct kunit *test)
{
	struct gh_heap *h;

	h = gh_heap_create(&(struct gh_heap_params){
		.page_shift = KUNIT_GH_SHIFT, .name = "kunit" });
	if (IS_ERR(h))
		return PTR_ERR(h);
	test->priv = h;
	return 0;
}

static void conc_test_exit(struct kunit *test)
{
	gh_heap_destroy(test->priv);
}

static struct kunit_case goheap_concurrency_cases[] = {
	KUNIT_CASE(cross_cpu_random_alloc_free),
	KUNIT_CASE(alloc_from_hardirq),
	KUNIT_CASE(alloc_from_softirq),
	KUNIT_CASE(cpu_offline_online_while_allocating),
	KUNIT_CASE(tiny_cross_cpu),
	KUNIT_CASE(concurrent_first_refill_returns_all_spans),
	{}
};

static struct kunit_suite goheap_concurrency_suite = {
	.name = "goheap_concurrency",
	.init = conc_test_init,
	.exit = conc_test_exit,
	.test_cases = goheap_concurrency_cases,
};

kunit_test_suite(goheap_concurrency_suite);

MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));
MODULE_DESCRIPTION("goheap KUnit suite goheap_concurrency");
MODULE_LICENSE("GPL");
