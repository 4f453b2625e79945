/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sampling heap profiler (profile.c): the allocation paths' hook.
 *
 * Each CPU of a heap counts down the bytes it hands out
 * (gh_pcpu.sample_left); the allocation that takes the count below zero
 * is sampled, and the count starts again from a new exponentially
 * distributed gap whose mean is the heap's profile rate. While no heap
 * profiles, a static branch skips even the count.
 */
#ifndef _GOHEAP_PROFILE_H
#define _GOHEAP_PROFILE_H

#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <linux/sizes.h>

#include "internal.h"
#include "pcpu.h"

/* Go's MemProfileRate: one sample per 512 KiB allocated, on average. */
#define GH_PROFILE_RATE_DEFAULT	SZ_512K
/* The largest rate a heap takes (a gap is drawn in 64-bit arithmetic). */
#define GH_PROFILE_RATE_MAX	SZ_1G
/* Stack frames kept per sample. */
#define GH_PROFILE_DEPTH	32
/* Distinct (stack, size, rate) records a heap keeps; later ones are dropped. */
#define GH_PROFILE_MAX_BUCKETS	4096

DECLARE_STATIC_KEY_FALSE(gh_profile_key);

/**
 * gh_profile_due() - count an allocation against this CPU's sampling gap.
 * @h: heap.
 * @bytes: bytes the allocation takes.
 *
 * Context: any; takes no lock.
 * Return: true when the allocation is to be sampled (gh_profile_sample()).
 */
static __always_inline bool gh_profile_due(struct gh_heap *h, size_t bytes)
{
	return static_branch_unlikely(&gh_profile_key) &&
	       unlikely(this_cpu_sub_return(h->pcpu->sample_left, bytes) < 0);
}

int gh_profile_init(struct gh_heap *h, unsigned long rate);
void gh_profile_destroy(struct gh_heap *h);
int gh_profile_set_rate(struct gh_heap *h, unsigned long rate);
unsigned long gh_profile_rate(struct gh_heap *h);
unsigned long gh_profile_next_gap(unsigned long rate);
void *gh_profile_sample(struct gh_heap *h, void *p, size_t bytes);
bool gh_profile_free(struct gh_heap *h, const void *p, u8 *state);
void gh_profile_debugfs_init(struct gh_heap *h, struct dentry *dir);

/**
 * struct gh_profile_counts - one profile record's figures, unscaled.
 * @allocs:	samples taken.
 * @alloc_bytes: bytes of those samples.
 * @frees:	samples freed.
 * @free_bytes:	bytes of those.
 */
struct gh_profile_counts {
	u64 allocs;
	u64 alloc_bytes;
	u64 frees;
	u64 free_bytes;
};

typedef bool (*gh_profile_match_t)(const unsigned long *entries, unsigned int nr,
				   void *arg);
void gh_profile_sum(struct gh_heap *h, gh_profile_match_t match, void *arg,
		    struct gh_profile_counts *sum);
unsigned long gh_profile_live_samples(struct gh_heap *h);

#endif /* _GOHEAP_PROFILE_H */
