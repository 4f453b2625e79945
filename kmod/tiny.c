// SPDX-License-Identifier: GPL-2.0
/*
 * Tiny objects: requests under 16 bytes packed into 16 B blocks, as Go's
 * mcache tiny allocator does.
 *
 * Each CPU bump-allocates from its current block, aligning each object to
 * its size's natural alignment (8 if size is a multiple of 8, else 4, 2 or
 * 1), so packed objects may be less than 8-byte aligned: this path is only
 * reached through goheap_alloc_tiny(), never by default.
 *
 * Unlike Go, goheap frees explicitly, so every block carries a 64-bit state
 * word kept outside the block (gh_span.tiny, blocks come from spans of
 * their own class, GH_TINY_CLASS):
 *
 *   bits  0..15  an object starts at this offset and is live
 *   bits 16..31  a live object ends at this offset (so its size is known)
 *   bit  32      the block is some CPU's current block (pinned)
 *
 * Objects of one block may be freed on any CPU at once, so the word is
 * updated with atomic compare-and-exchange. Whoever turns it to zero (last
 * object freed and no longer pinned) frees the block itself back to the
 * tiny class; that happens exactly once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/mm.h>

#include "internal.h"
#include "pcpu.h"
#include "profile.h"
#include "sanitize.h"
#include "trace.h"

#define TINY_PIN	BIT_ULL(32)
#define TINY_END_SHIFT	16

static u64 tiny_bits(unsigned int off, size_t size)
{
	return BIT_ULL(off) | BIT_ULL(TINY_END_SHIFT + off + size - 1);
}

static unsigned int tiny_align(size_t size)
{
	if (!(size & 7))
		return 8;
	if (!(size & 3))
		return 4;
	if (!(size & 1))
		return 2;
	return 1;
}

/* Free a whole block whose state word just became zero. */
static void tiny_release_block(struct gh_heap *h, void *block)
{
	struct gh_span *s = gh_span_lookup(h, block);
	bool interior;
	u8 *state = &s->objstate[gh_span_obj_index(s, block, &interior)];

	gh_san_free(block, GH_TINY_SIZE);
	WRITE_ONCE(*state, GH_OBJ_CACHED);
	gh_pcpu_free(h, GH_TINY_CLASS, block, state);
}

/**
 * gh_tiny_unpin() - a CPU gives up its current tiny block.
 * @h: heap.
 * @block: the block.
 * @state: its state word.
 *
 * Context: any; no goheap lock held.
 */
void gh_tiny_unpin(struct gh_heap *h, void *block, atomic64_t *state)
{
	if (atomic64_fetch_andnot(TINY_PIN, state) == TINY_PIN)
		tiny_release_block(h, block);
}

static void tiny_count(struct gh_heap *h, enum gh_stat objs, enum gh_stat bytes, size_t size)
{
	this_cpu_inc(h->pcpu->stat[objs]);
	this_cpu_add(h->pcpu->stat[bytes], size);
}

/* __gh_tiny_alloc() itself; a traced allocation is a goheap_alloc event. */
static __always_inline void *tiny_alloc(struct gh_heap *h, size_t size, gfp_t gfp,
					unsigned long ip, bool trace)
{
	void *old = NULL, *block, *p = NULL;
	atomic64_t *old_state = NULL, *state;
	struct gh_pcpu *cc;
	unsigned int off;
	struct gh_span *s;
	bool interior;

	if (unlikely(h->debug))
		return trace ? gh_alloc_traced(h, size, gfp, ip) : __gh_alloc(h, size, gfp);
	/* A sample is an object of its own (gh_alloc_sampled()). */
	if (gh_profile_due(h, size))
		return gh_alloc_sampled(h, size, gfp, ip);
	cc = gh_pcpu_claim(h);
	if (likely(cc)) {
		off = ALIGN(cc->tiny_off, tiny_align(size));
		if (cc->tiny_block && off + size <= GH_TINY_SIZE) {
			p = cc->tiny_block + off;
			cc->tiny_off = off + size;
			atomic64_or(tiny_bits(off, size), cc->tiny_state);
		} else {
			old = cc->tiny_block;
			old_state = cc->tiny_state;
			cc->tiny_block = NULL;
			cc->tiny_state = NULL;
		}
		gh_pcpu_release(cc);
	}
	if (old)
		gh_tiny_unpin(h, old, old_state);
	if (p)
		goto out;

	block = gh_pcpu_alloc(h, GH_TINY_CLASS, gfp);
	if (!block)
		return NULL;
	gh_san_alloc(block, GH_TINY_SIZE, GH_TINY_SIZE, gfp);
	s = gh_span_lookup(h, block);
	off = gh_span_obj_index(s, block, &interior);
	state = &s->tiny[off];
	atomic64_set(state, TINY_PIN | tiny_bits(0, size));
	p = block;

	/*
	 * Make it this CPU's current block. An interrupt that found the
	 * cache claimed keeps the block to itself: it just unpins it.
	 */
	old = block;
	old_state = state;
	cc = gh_pcpu_claim(h);
	if (cc) {
		old = cc->tiny_block;
		old_state = cc->tiny_state;
		cc->tiny_block = block;
		cc->tiny_state = state;
		cc->tiny_off = size;
		gh_pcpu_release(cc);
	}
	/* Another block may have been installed meanwhile: ours wins. */
	if (old)
		gh_tiny_unpin(h, old, old_state);
out:
	tiny_count(h, GH_ST_TINY_MALLOCS, GH_ST_TINY_BYTES_ALLOC, size);
	if (want_init_on_alloc(gfp))
		memset(p, 0, size);
	if (trace)
		trace_goheap_alloc(h, ip, p, size, size, gfp, GH_TINY_CLASS);
	return p;
}

static noinline void *tiny_alloc_traced(struct gh_heap *h, size_t size, gfp_t gfp,
					unsigned long ip)
{
	return tiny_alloc(h, size, gfp, ip, true);
}

/**
 * __gh_tiny_alloc() - allocate a tiny object, naming the caller in events.
 * @h: heap.
 * @size: 1..15 bytes.
 * @gfp: allocation context.
 * @ip: return address of the API entry point's caller.
 *
 * A debug heap gives a small object instead, which has a debug record of
 * its own.
 *
 * Context: any; sleeps only if @gfp allows.
 * Return: the object (aligned to its size's natural alignment), or NULL.
 */
void *__gh_tiny_alloc(struct gh_heap *h, size_t size, gfp_t gfp, unsigned long ip)
{
	if (trace_goheap_alloc_enabled())
		return tiny_alloc_traced(h, size, gfp, ip);
	return tiny_alloc(h, size, gfp, ip, false);
}

/**
 * gh_tiny_alloc() - allocate a tiny object.
 * @h: heap.
 * @size: 1..15 bytes.
 * @gfp: allocation context.
 *
 * Context: any; sleeps only if @gfp allows.
 * Return: the object, or NULL.
 */
void *gh_tiny_alloc(struct gh_heap *h, size_t size, gfp_t gfp)
{
	return __gh_tiny_alloc(h, size, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GH_INTERNAL(gh_tiny_alloc);

/* Size of the live tiny object at @off, from the state word, or 0. */
static unsigned int tiny_size(u64 v, unsigned int off)
{
	unsigned long ends;

	if (!(v & BIT_ULL(off)))
		return 0;
	ends = (v >> TINY_END_SHIFT) & 0xffff;
	return find_next_bit(&ends, GH_TINY_SIZE, off) - off + 1;
}

/**
 * gh_tiny_usable_size() - bytes of a live tiny object.
 * @s: tiny-class span holding @p.
 * @p: the object.
 *
 * Return: the size it was allocated with, or 0 if it is not live.
 */
size_t gh_tiny_usable_size(struct gh_span *s, const void *p)
{
	unsigned long off = (unsigned long)p - s->base;

	return tiny_size(atomic64_read(&s->tiny[off / GH_TINY_SIZE]), off % GH_TINY_SIZE);
}

/**
 * gh_tiny_free() - free a tiny object.
 * @h: heap.
 * @s: tiny-class span holding @p.
 * @p: the object.
 * @ip: caller, for reports.
 *
 * A pointer that is not the start of a live tiny object is reported as a
 * double or invalid free and changes nothing.
 *
 * Context: any; never sleeps.
 * Return: true if the object was freed, false if it was a misuse.
 */
bool gh_tiny_free(struct gh_heap *h, struct gh_span *s, const void *p, unsigned long ip)
{
	unsigned long off = (unsigned long)p - s->base;
	unsigned int blk = off / GH_TINY_SIZE, o = off % GH_TINY_SIZE, size;
	atomic64_t *state = &s->tiny[blk];
	u64 v, nv;

	v = atomic64_read(state);
	size = READ_ONCE(s->objstate[blk]) == GH_OBJ_LIVE ? tiny_size(v, o) : 0;
	if (!size) {
		gh_report_misuse(h, GH_MISUSE_DOUBLE, p, ip);
		return false;
	}
	/* Still ours until the exchange below: the block cannot go away. */
	if (want_init_on_free())
		memset((void *)p, 0, size);
	do {
		if (tiny_size(v, o) != size) {
			gh_report_misuse(h, GH_MISUSE_DOUBLE, p, ip);
			return false;
		}
		nv = v & ~tiny_bits(o, size);
	} while (!atomic64_try_cmpxchg(state, &v, nv));

	tiny_count(h, GH_ST_TINY_FREES, GH_ST_TINY_BYTES_FREED, size);
	if (!nv)
		tiny_release_block(h, (void *)(s->base + blk * GH_TINY_SIZE));
	return true;
}
