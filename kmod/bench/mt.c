// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_bench's multi-threaded workloads, run by kthreads bound to CPUs
 * for a fixed time: crosscpu (producers allocate, consumers on other CPUs
 * free, through single-producer single-consumer rings) and scaling
 * (alloc+free pairs on 1 .. all online CPUs at once). Each reports the
 * median of its repetitions, the allocators interleaved within each one.
 */
#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>

#include "bench.h"
#include "internal.h"

#define BENCH_RING		1024	/* cross-CPU ring slots, power of two */
#define BENCH_RING_SPINS	1024	/* spins on a full or empty ring ... */
#define BENCH_RING_SLEEP_US	20	/* ... before sleeping this long */
#define BENCH_SLICE		64	/* ops between checks in kthread loops */

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
		th->err = bench_pair_fn(&c, BENCH_SLICE);
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
		bench_touch(p);
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

int bench_crosscpu(struct bench_run *r)
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
			   bench_median(rates[k], r->reps));
out:
	kvfree(rings);
	kfree(th);
	kfree(mt);
	return err;
}

int bench_scaling(struct bench_run *r)
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
				   div_u64(bench_median(rates[k], r->reps), n));
	}
out:
	kfree(th);
	kfree(mt);
	return err;
}
