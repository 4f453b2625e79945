// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_bench's object workloads: pair (alloc+free of one object per size,
 * goheap against kmalloc, a kmem_cache and the buddy allocator), batch (N
 * allocations, then N frees in LIFO, FIFO or random order) and bulk
 * (goheap_alloc_bulk() against kmem_cache_alloc_bulk()). Each chunk
 * function switches once on the allocator, then runs a loop body inlined
 * for that allocator, so that no indirect call is timed.
 */
#include <linux/goheap.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "bench.h"
#include "internal.h"

#define BENCH_MAX_BATCH		10000
#define BENCH_MAX_BULK		1024

/* Free orders of the batch workload. */
enum bench_order {
	BO_LIFO,
	BO_FIFO,
	BO_RANDOM,
	BO_NR,
};

static const char *const bo_names[BO_NR] = { "lifo", "fifo", "random" };

/* pair */

static __always_inline int pair_body(struct bench_case *c, enum bench_alloc a, unsigned int n)
{
	unsigned int i;
	void *p;

	for (i = 0; i < n; i++) {
		p = ba_alloc(c, a);
		if (unlikely(!p))
			return -ENOMEM;
		bench_touch(p);
		ba_free(c, a, p);
	}
	return 0;
}

/* Also the baselines of the spans workload and the loop of the scaling threads. */
int bench_pair_fn(struct bench_case *c, unsigned int n)
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
	return bench_cases_run(r, cs, n, bench_pair_fn, bench_scaled_loops(r->loops, size), 1,
			       what);
}

int bench_pair(struct bench_run *r)
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
			bench_touch(p);
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

int bench_batch(struct bench_run *r)
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
		/*
		 * Both are all or nothing. kmem_cache_alloc_bulk() returns the
		 * count (0 or all) on 6.12 and before, true or false on 7.3:
		 * non-zero is success either way.
		 */
		if (c->a == BA_GOHEAP) {
			if (!goheap_alloc_bulk(c->size, GFP_KERNEL, c->batch, c->objs))
				return -ENOMEM;
			goheap_free_bulk(c->batch, c->objs);
		} else {
			if (!kmem_cache_alloc_bulk(c->cache, GFP_KERNEL, c->batch, c->objs))
				return -ENOMEM;
			kmem_cache_free_bulk(c->cache, c->batch, c->objs);
		}
	}
	return 0;
}

int bench_bulk(struct bench_run *r)
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
