// SPDX-License-Identifier: GPL-2.0
/*
 * The sampling heap profiler, as Go's MemProfileRate and TCMalloc's
 * sampler: on average one allocation is recorded per profile_rate bytes
 * allocated, whatever the sizes.
 *
 * Sampling. Each CPU counts the bytes it allocates down from a gap drawn
 * from an exponential distribution of mean profile_rate (profile.h:
 * gh_profile_due()); the allocation that crosses zero is a sample, and a
 * new gap is drawn. The byte stream is thus sampled as a Poisson process:
 * an allocation of s bytes is sampled with probability
 * 1 - exp(-s / profile_rate), which is how the figures are scaled back up
 * (by the reader: goheap profile, as Go's pprof does). The gap's
 * logarithm is computed in fixed point, so nothing here uses the FPU.
 *
 * Records. A sample saves its stack (stack_trace_save(), without goheap's
 * own frames) into the stack depot and counts into a bucket keyed by
 * (stack, object size, rate), as Go's memory profile buckets: samples
 * taken and their bytes, samples freed and theirs. The heap marks the
 * sampled object GH_OBJ_SAMPLED and keeps a record of it, so that its free,
 * which finds that state on its way (heap.c: find_live()), can count it
 * back: the free path of an unsampled object is unchanged.
 *
 * What a sample cannot get (a stack depot or record allocation failing,
 * GFP_NOWAIT) is counted as dropped, never guessed.
 *
 * Locking: one spinlock per heap (irqsave), taken by samples, by frees of
 * sampled objects and by readers of the profile; nothing is taken under
 * it but the slab allocator's own locks (GFP_NOWAIT).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stackdepot.h>
#include <linux/stacktrace.h>
#include <linux/vmalloc.h>

#include "internal.h"
#include "pcpu.h"
#include "profile.h"

DEFINE_STATIC_KEY_FALSE(gh_profile_key);

/* Heaps whose rate is not 0, and the writers of any rate. */
static DEFINE_MUTEX(gh_profile_rate_lock);

/*
 * struct gh_profile_bucket - the samples of one stack, size and rate.
 * @node:	link in gh_profile.buckets.
 * @stack:	the stack, in the stack depot.
 * @size:	bytes per object.
 * @rate:	profile rate the samples were taken at.
 * @c:		figures, unscaled.
 */
struct gh_profile_bucket {
	struct hlist_node node;
	depot_stack_handle_t stack;
	unsigned long size;
	unsigned long rate;
	struct gh_profile_counts c;
};

/*
 * struct gh_profile_live - a sampled object the caller still holds.
 * @node:	link in gh_profile.live.
 * @p:		the object.
 * @bucket:	where its free is counted.
 */
struct gh_profile_live {
	struct hlist_node node;
	const void *p;
	struct gh_profile_bucket *bucket;
};

/**
 * struct gh_profile - a heap's profile.
 * @lock:	protects everything below.
 * @rate:	bytes per sample on average; 0: off. Written under
 *		gh_profile_rate_lock too, read locklessly by samples.
 * @nbuckets:	buckets in @buckets.
 * @nlive:	records in @live.
 * @dropped:	samples lost to a failed allocation or the bucket limit.
 * @buckets:	struct gh_profile_bucket, by stack, size and rate.
 * @live:	struct gh_profile_live, by object address.
 */
struct gh_profile {
	spinlock_t lock;	/* see the kernel-doc above */
	unsigned long rate;
	unsigned long nbuckets;
	unsigned long nlive;
	unsigned long dropped;
	DECLARE_HASHTABLE(buckets, 8);
	DECLARE_HASHTABLE(live, 10);
};

/*
 * log2(@x) in 16.16 fixed point, for 1 <= @x < 2^32: the integer part
 * from ilog2(), each fraction bit from squaring the mantissa (kept in
 * 1.31 fixed point, so a square fits 64 bits).
 */
static u32 log2_q16(u32 x)
{
	unsigned int ip = ilog2(x), i;
	u64 m = (u64)x << (31 - ip);
	u32 frac = 0;

	for (i = 1; i <= 16; i++) {
		m = (m * m) >> 31;
		if (m >= (1ULL << 32)) {
			m >>= 1;
			frac |= 1U << (16 - i);
		}
	}
	return (ip << 16) | frac;
}

/**
 * gh_profile_next_gap() - draw the bytes until the next sample.
 * @rate: mean of the distribution (the profile rate); not 0.
 *
 * As Go's fastexprand(): for a uniform q in (0, 2^26], the gap is
 * -ln(q / 2^26) * @rate = (26 - log2 q) * ln 2 * @rate, plus one byte.
 * A rate of 1 samples every allocation (gap 0), as Go's does.
 *
 * Context: any.
 * Return: a gap from an exponential distribution of mean @rate.
 */
unsigned long gh_profile_next_gap(unsigned long rate)
{
	u32 q = (get_random_u32() & (BIT(26) - 1)) + 1;
	/* ln 2 in 16.16 fixed point. */
	u64 t = (u64)((26U << 16) - log2_q16(q)) * 45426;

	if (rate == 1)
		return 0;
	return mul_u64_u64_shr(rate, t, 32) + 1;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_profile_next_gap);

/* Start every CPU's count again for @rate (none: LONG_MAX, never reached). */
static void reset_gaps(struct gh_heap *h, unsigned long rate)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu_ptr(h->pcpu, cpu)->sample_left,
			   rate ? gh_profile_next_gap(rate) : LONG_MAX);
}

/**
 * gh_profile_set_rate() - change how often a heap samples.
 * @h: heap.
 * @rate: bytes per sample on average, up to GH_PROFILE_RATE_MAX; 0 stops
 *	  sampling (what was recorded stays, and frees are still counted).
 *
 * Samples taken at the old rate keep it: each bucket is scaled by its own.
 *
 * Context: process; sleeps (the stack depot, the static branch).
 * Return: 0; -EINVAL for a rate above GH_PROFILE_RATE_MAX, -EOPNOTSUPP for
 * a rate on a kernel without CONFIG_STACKDEPOT, -ENOMEM: nothing changes.
 */
int gh_profile_set_rate(struct gh_heap *h, unsigned long rate)
{
	struct gh_profile *prof = h->profile;

	if (rate > GH_PROFILE_RATE_MAX)
		return -EINVAL;
	if (rate && !IS_ENABLED(CONFIG_STACKDEPOT))
		return -EOPNOTSUPP;
	/* The depot allocates its table on first use, where it may sleep. */
	if (rate && stack_depot_init())
		return -ENOMEM;
	mutex_lock(&gh_profile_rate_lock);
	if (rate && !prof->rate)
		static_branch_inc(&gh_profile_key);
	else if (!rate && prof->rate)
		static_branch_dec(&gh_profile_key);
	WRITE_ONCE(prof->rate, rate);
	reset_gaps(h, rate);
	mutex_unlock(&gh_profile_rate_lock);
	return 0;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_profile_set_rate);

/**
 * gh_profile_rate() - how often a heap samples.
 * @h: heap.
 *
 * Context: any.
 * Return: bytes per sample on average; 0 when off.
 */
unsigned long gh_profile_rate(struct gh_heap *h)
{
	return READ_ONCE(h->profile->rate);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_profile_rate);

/**
 * gh_profile_init() - give a new heap its profile.
 * @h: heap, with its per-CPU caches.
 * @rate: initial rate (gh_profile_set_rate()).
 *
 * Context: process; sleeps.
 * Return: 0, or as gh_profile_set_rate().
 */
int gh_profile_init(struct gh_heap *h, unsigned long rate)
{
	struct gh_profile *prof;
	int err;

	prof = kzalloc(sizeof(*prof), GFP_KERNEL);
	if (!prof)
		return -ENOMEM;
	spin_lock_init(&prof->lock);
	hash_init(prof->buckets);
	hash_init(prof->live);
	h->profile = prof;
	err = gh_profile_set_rate(h, rate);
	if (err) {
		h->profile = NULL;
		kfree(prof);
	}
	return err;
}

/**
 * gh_profile_destroy() - free a heap's profile.
 * @h: heap nobody allocates from any more.
 *
 * Records of sampled objects never freed go too (the heap reports such
 * objects itself).
 *
 * Context: process; sleeps.
 */
void gh_profile_destroy(struct gh_heap *h)
{
	struct gh_profile *prof = h->profile;
	struct gh_profile_bucket *b;
	struct gh_profile_live *l;
	struct hlist_node *tmp;
	unsigned int i;

	if (!prof)
		return;
	gh_profile_set_rate(h, 0);
	hash_for_each_safe(prof->live, i, tmp, l, node)
		kfree(l);
	hash_for_each_safe(prof->buckets, i, tmp, b, node)
		kfree(b);
	kfree(prof);
	h->profile = NULL;
}

static u32 bucket_key(depot_stack_handle_t stack, unsigned long size, unsigned long rate)
{
	return stack ^ hash_long(size ^ (rate << 1), 32);
}

static struct gh_profile_bucket *bucket_find(struct gh_profile *prof,
					     depot_stack_handle_t stack,
					     unsigned long size, unsigned long rate)
{
	struct gh_profile_bucket *b;

	hash_for_each_possible(prof->buckets, b, node, bucket_key(stack, size, rate))
		if (b->stack == stack && b->size == size && b->rate == rate)
			return b;
	return NULL;
}

/* The stack of the allocation, from its caller on: goheap's frames go. */
static depot_stack_handle_t save_caller_stack(void)
{
	unsigned long entries[GH_PROFILE_DEPTH + 8];
	unsigned int nr, skip = 0;

	if (!IS_ENABLED(CONFIG_STACKDEPOT))
		return 0;
	nr = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	while (skip + 1 < nr && within_module(entries[skip], THIS_MODULE))
		skip++;
	return stack_depot_save(entries + skip, min(nr - skip, GH_PROFILE_DEPTH), GFP_NOWAIT);
}

static void count_dropped(struct gh_profile *prof)
{
	unsigned long flags;

	spin_lock_irqsave(&prof->lock, flags);
	prof->dropped++;
	spin_unlock_irqrestore(&prof->lock, flags);
}

/**
 * gh_profile_sample() - record a sampled allocation.
 * @h: heap.
 * @p: the object, just allocated (small or large), not yet handed out.
 * @bytes: bytes it takes (its slot or span).
 *
 * Draws this CPU's next gap first, so that a sample that cannot be
 * recorded does not bias the next.
 *
 * Context: any an allocation is; allocates with GFP_NOWAIT.
 * Return: @p, so that the allocation path need not keep it across the
 * call (one callee-saved register fewer on the fast path).
 */
void *gh_profile_sample(struct gh_heap *h, void *p, size_t bytes)
{
	struct gh_profile_bucket *b, *nb = NULL;
	struct gh_profile *prof = h->profile;
	unsigned long rate = READ_ONCE(prof->rate), flags;
	depot_stack_handle_t stack;
	struct gh_profile_live *l;
	struct gh_span *s;
	unsigned int idx;
	bool interior;

	this_cpu_write(h->pcpu->sample_left, rate ? gh_profile_next_gap(rate) : LONG_MAX);
	s = gh_span_lookup(h, p);
	if (!rate || WARN_ON_ONCE(!s || s->kind == GH_SPAN_RAW || s->cls == GH_TINY_CLASS))
		return p;
	idx = gh_span_obj_index(s, p, &interior);
	stack = save_caller_stack();
	l = kmalloc(sizeof(*l), GFP_NOWAIT | __GFP_NOWARN);
	if (!stack || !l)
		goto drop;

	spin_lock_irqsave(&prof->lock, flags);
	b = bucket_find(prof, stack, bytes, rate);
	if (!b) {
		/* New stacks are rare: allocate outside the lock, then look again. */
		spin_unlock_irqrestore(&prof->lock, flags);
		nb = kzalloc(sizeof(*nb), GFP_NOWAIT | __GFP_NOWARN);
		if (!nb)
			goto drop;
		spin_lock_irqsave(&prof->lock, flags);
		b = bucket_find(prof, stack, bytes, rate);
		if (!b && prof->nbuckets < GH_PROFILE_MAX_BUCKETS) {
			b = nb;
			nb = NULL;
			b->stack = stack;
			b->size = bytes;
			b->rate = rate;
			hash_add(prof->buckets, &b->node, bucket_key(stack, bytes, rate));
			prof->nbuckets++;
		}
		if (!b) {
			spin_unlock_irqrestore(&prof->lock, flags);
			goto drop;
		}
	}
	b->c.allocs++;
	b->c.alloc_bytes += bytes;
	l->p = p;
	l->bucket = b;
	hash_add(prof->live, &l->node, (unsigned long)p);
	prof->nlive++;
	/* Under the lock, so that a free that finds the state finds the record. */
	WRITE_ONCE(s->objstate[idx], GH_OBJ_SAMPLED);
	spin_unlock_irqrestore(&prof->lock, flags);
	kfree(nb);
	return p;
drop:
	kfree(nb);
	kfree(l);
	count_dropped(prof);
	return p;
}

/**
 * gh_profile_free() - count the free of a sampled object.
 * @h: heap.
 * @p: the object, whose state byte reads GH_OBJ_SAMPLED.
 * @state: that byte.
 *
 * On success the object is GH_OBJ_LIVE again, and is freed as any other.
 *
 * Context: any; never sleeps.
 * Return: true if @p had a record; false if not (a second free of it that
 * raced with the first): the caller reports it.
 */
bool gh_profile_free(struct gh_heap *h, const void *p, u8 *state)
{
	struct gh_profile *prof = h->profile;
	struct gh_profile_live *l;
	unsigned long flags;

	spin_lock_irqsave(&prof->lock, flags);
	hash_for_each_possible(prof->live, l, node, (unsigned long)p) {
		if (l->p != p)
			continue;
		hash_del(&l->node);
		prof->nlive--;
		l->bucket->c.frees++;
		l->bucket->c.free_bytes += l->bucket->size;
		WRITE_ONCE(*state, GH_OBJ_LIVE);
		spin_unlock_irqrestore(&prof->lock, flags);
		kfree(l);
		return true;
	}
	spin_unlock_irqrestore(&prof->lock, flags);
	return false;
}

/**
 * gh_profile_live_samples() - sampled objects not yet freed.
 * @h: heap.
 *
 * Context: any.
 * Return: the number of records of live sampled objects.
 */
unsigned long gh_profile_live_samples(struct gh_heap *h)
{
	unsigned long flags, n;

	spin_lock_irqsave(&h->profile->lock, flags);
	n = h->profile->nlive;
	spin_unlock_irqrestore(&h->profile->lock, flags);
	return n;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_profile_live_samples);

/* A bucket as read out: the lock is not held while its stack is printed. */
struct bucket_copy {
	depot_stack_handle_t stack;
	unsigned long size;
	unsigned long rate;
	struct gh_profile_counts c;
};

/*
 * Copy every bucket out, into a kvmalloc()ed array in *@out (NULL when
 * there is none), with the dropped count in *@dropped.
 */
static int snapshot(struct gh_profile *prof, struct bucket_copy **out, unsigned long *nr,
		    unsigned long *dropped)
{
	struct gh_profile_bucket *b;
	struct bucket_copy *copy;
	unsigned long n, flags;
	unsigned int i;

	*out = NULL;
	*nr = 0;
	spin_lock_irqsave(&prof->lock, flags);
	n = prof->nbuckets;
	*dropped = prof->dropped;
	spin_unlock_irqrestore(&prof->lock, flags);
	if (!n)
		return 0;
	/* Buckets are only added: room for those seen, and any new ones wait. */
	copy = kvmalloc_array(n, sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	spin_lock_irqsave(&prof->lock, flags);
	hash_for_each(prof->buckets, i, b, node) {
		if (*nr == n)
			break;
		copy[*nr].stack = b->stack;
		copy[*nr].size = b->size;
		copy[*nr].rate = b->rate;
		copy[*nr].c = b->c;
		(*nr)++;
	}
	spin_unlock_irqrestore(&prof->lock, flags);
	*out = copy;
	return 0;
}

/**
 * gh_profile_sum() - add up the buckets whose stack matches.
 * @h: heap.
 * @match: says whether a stack counts; NULL: all do.
 * @arg: passed to @match.
 * @sum: the figures, unscaled.
 *
 * Context: process; sleeps.
 */
void gh_profile_sum(struct gh_heap *h, gh_profile_match_t match, void *arg,
		    struct gh_profile_counts *sum)
{
	unsigned long nr, dropped, i, *entries;
	struct bucket_copy *copy;
	unsigned int n;

	memset(sum, 0, sizeof(*sum));
	if (snapshot(h->profile, &copy, &nr, &dropped))
		return;
	for (i = 0; i < nr && IS_ENABLED(CONFIG_STACKDEPOT); i++) {
		n = stack_depot_fetch(copy[i].stack, &entries);
		if (match && !match(entries, n, arg))
			continue;
		sum->allocs += copy[i].c.allocs;
		sum->alloc_bytes += copy[i].c.alloc_bytes;
		sum->frees += copy[i].c.frees;
		sum->free_bytes += copy[i].c.free_bytes;
	}
	kvfree(copy);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_profile_sum);

/*
 * debugfs "profile": Go's legacy heap profile text, one record per
 * bucket, with the size and rate of each (Documentation/debugfs.rst):
 *
 *   heap profile: 3: 1536 [10: 5120] @ heap/524288
 *   1: 512 [4: 2048] @ size=512 rate=524288
 *   #	client_site_a+0x1c/0x60 [goheap_client]
 *   ...
 *
 * Figures are samples, not estimates; the reader scales each record by
 * 1 / (1 - exp(-size / rate)). The header's rate is the heap's now.
 */
static int profile_show(struct seq_file *m, void *v)
{
	struct gh_heap *h = m->private;
	unsigned long nr, dropped, i, *entries;
	struct gh_profile_counts t = { 0 };
	struct bucket_copy *copy;
	unsigned int n, j;
	int err;

	err = snapshot(h->profile, &copy, &nr, &dropped);
	if (err)
		return err;
	for (i = 0; i < nr; i++) {
		t.allocs += copy[i].c.allocs;
		t.alloc_bytes += copy[i].c.alloc_bytes;
		t.frees += copy[i].c.frees;
		t.free_bytes += copy[i].c.free_bytes;
	}
	seq_printf(m, "heap profile: %llu: %llu [%llu: %llu] @ heap/%lu\n",
		   t.allocs - t.frees, t.alloc_bytes - t.free_bytes, t.allocs, t.alloc_bytes,
		   gh_profile_rate(h));
	seq_printf(m, "# heap=%s buckets=%lu dropped=%lu\n", h->name, nr, dropped);
	for (i = 0; i < nr; i++) {
		const struct gh_profile_counts *c = &copy[i].c;

		seq_printf(m, "%llu: %llu [%llu: %llu] @ size=%lu rate=%lu\n",
			   c->allocs - c->frees, c->alloc_bytes - c->free_bytes, c->allocs,
			   c->alloc_bytes, copy[i].size, copy[i].rate);
		n = IS_ENABLED(CONFIG_STACKDEPOT) ? stack_depot_fetch(copy[i].stack, &entries) : 0;
		for (j = 0; j < n; j++)
			seq_printf(m, "#\t%pS\n", (void *)entries[j]);
		seq_putc(m, '\n');
	}
	kvfree(copy);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(profile);

static int rate_get(void *data, u64 *val)
{
	*val = gh_profile_rate(data);
	return 0;
}

static int rate_set(void *data, u64 val)
{
	if (val > GH_PROFILE_RATE_MAX)
		return -EINVAL;
	return gh_profile_set_rate(data, val);
}
DEFINE_DEBUGFS_ATTRIBUTE(rate_fops, rate_get, rate_set, "%llu\n");

/**
 * gh_profile_debugfs_init() - create a heap's "profile" and "profile_rate".
 * @h: heap, which must outlive the files.
 * @dir: its debugfs directory.
 *
 * Context: process.
 */
void gh_profile_debugfs_init(struct gh_heap *h, struct dentry *dir)
{
	debugfs_create_file("profile", 0400, dir, h, &profile_fops);
	debugfs_create_file_unsafe("profile_rate", 0600, dir, h, &rate_fops);
}
