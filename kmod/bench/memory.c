// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_bench's memory workload: the same churn of a log-normal-ish size
 * mix (and a few large objects) through a private goheap heap and through
 * kmalloc, comparing the bytes requested with the pages each allocator
 * holds, at the peak, after everything is freed and after reclaim.
 */
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmstat.h>

#include "bench.h"
#include "internal.h"
#include "stats.h"

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
	bench_touch(p);
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

int bench_memory(struct bench_run *r)
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
