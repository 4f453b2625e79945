// SPDX-License-Identifier: GPL-2.0
/*
 * Page heap: owns every page goheap holds and hands out runs of them.
 *
 * It knows spans only as the owners of runs: span.c builds a span's
 * metadata and asks gh_pages_alloc() for its pages, which records the span
 * in the pointer map so that any address inside it leads back to it. The
 * file is in sections: the summaries that find a free run, the memory
 * limit, chunks (blocks from the buddy allocator), the pointer map, chunks
 * joining and leaving the heap, runs for spans, and release.
 *
 * The heap grows by taking chunks from the buddy allocator: 2 MiB
 * (order 9, or the heap's chunk_order) blocks, up to 4 MiB (order 10) for
 * a span that needs one, or smaller ones down to 128 KiB when memory is
 * too fragmented. Each chunk is split into order-0 pages so that any
 * page can later be mapped to user space or given back on its own.
 *
 * Inside a chunk one bit per heap page says whether it belongs to a span;
 * a span is any run of free heap pages, so sizes no buddy order gives (3,
 * 5, 6, 7, 9, 10 pages) cost nothing extra, and freeing a span makes its
 * pages part of whatever free run surrounds them (coalescing is implicit).
 * Summaries of the free runs (of each bitmap word, of each chunk, and a
 * tree over the chunks: Go's pageAlloc summaries, see their section) find
 * the first fit of any length without scanning pages.
 *
 * Pointer -> span lookup is O(1): a flat map from each 128 KiB of physical
 * memory (the smallest chunk) to its chunk, sized to the direct map at
 * heap creation, then the chunk's per-page span array. Both are written
 * under the heap lock and read without it, and chunk descriptors are freed
 * after an RCU grace period. Span metadata is freed at once: a lookup of a
 * pointer whose span is being freed concurrently (a free racing the free
 * that empties the span, a caller bug) may read freed metadata. Released
 * holes of a chunk may come back from the buddy allocator as part of a
 * newer chunk, which then owns their granules of the map (chunk_map()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "internal.h"
#include "sanitize.h"
#include "trace.h"

#define GH_TREE_MIN	16

/* === Summaries: runs of free pages in each word, chunk and the heap ===== */

/*
 * Three levels, as Go's pageAlloc summaries, each a bound on the one below
 * so that a first fit descends without scanning pages:
 *
 *  - every word of a chunk's page bitmap has a struct gh_runsum (Go's
 *    pallocSum): the free pages at its start, its longest free run and the
 *    free pages at its end. Pages past the chunk's end count as in use, and
 *    an all-zero summary is an all-used word;
 *  - a chunk's maxrun, its longest run, follows from its words' summaries
 *    (a run may cross words, never chunks: chunks are not contiguous);
 *  - the tree over the chunks' slots holds every chunk's maxrun.
 *
 * A first fit of n pages takes the leftmost chunk whose maxrun is at least
 * n (O(log chunks)), then the first of that chunk's words where a run of n
 * ends, carrying the free pages at each word's end into the next, then the
 * run's place inside that word with a few shifts (Go's findBitRange64). An
 * allocation or free recomputes the summaries of the words it touches and
 * the chunk's maxrun from its words, and the tree path when that changes.
 * Runs must start at a multiple of their alignment for an aligned request,
 * which the summaries cannot say: those walk the bitmap (chunk_find()).
 */

/* The bitmap word @w of @ch, with the pages past the chunk's end set. */
static unsigned long word_used(const struct gh_chunk *ch, unsigned int w)
{
	unsigned long used = ch->inuse[w];

	if ((w + 1) * BITS_PER_LONG > ch->npages)
		used |= ~BITMAP_LAST_WORD_MASK(ch->npages);
	return used;
}

/* The longest run of set bits in @free. */
static __always_inline unsigned int word_maxrun(unsigned long free)
{
	unsigned int best = 0, s, len;

	while (free) {
		s = __ffs(free);
		len = ~(free >> s) ? __ffs(~(free >> s)) : BITS_PER_LONG - s;
		best = max(best, len);
		if (s + len >= BITS_PER_LONG)
			break;
		free &= ~0UL << (s + len);
	}
	return best;
}

/*
 * The first bit of @free that starts @n set bits in a row (Go's
 * findBitRange64): each step ANDs the word with itself shifted, doubling
 * the run that a set bit stands for, until it stands for @n.
 */
static unsigned int word_find(unsigned long free, unsigned int n)
{
	unsigned int p = n - 1, k = 1;

	while (p) {
		if (p <= k) {
			free &= free >> p;
			break;
		}
		free &= free >> k;
		if (!free)
			return BITS_PER_LONG;
		p -= k;
		k *= 2;
	}
	return free ? __ffs(free) : BITS_PER_LONG;
}

/* The summary of word @w of @ch, computed from the bitmap. */
static __always_inline struct gh_runsum word_sum(const struct gh_chunk *ch, unsigned int w)
{
	unsigned long free = ~word_used(ch, w);
	struct gh_runsum sum;

	if (!~free)
		return (struct gh_runsum){ BITS_PER_LONG, BITS_PER_LONG, BITS_PER_LONG };
	sum.start = __ffs(~free);
	sum.end = BITS_PER_LONG - 1 - __fls(~free);
	sum.max = word_maxrun(free);
	return sum;
}

/**
 * gh_chunk_word_sum() - the summary of one word of a chunk's page bitmap.
 * @ch: chunk.
 * @w: word index, below BITS_TO_LONGS(ch->npages).
 *
 * Computed from the bitmap, not read from ch->sums[] (validate compares
 * the two).
 *
 * Return: the word's free pages at its start, longest run, pages at its end.
 */
struct gh_runsum gh_chunk_word_sum(const struct gh_chunk *ch, unsigned int w)
{
	return word_sum(ch, w);
}

/*
 * The pages [@first, @first + @n) just became all in use (@used) or all
 * free: recompute the summaries of the two words at the run's ends; the
 * words wholly inside it are full words, now all used or all free.
 */
static void sums_update(struct gh_chunk *ch, unsigned int first, unsigned int n, bool used)
{
	unsigned int w = first / BITS_PER_LONG, last = (first + n - 1) / BITS_PER_LONG;
	const struct gh_runsum inner = used ? (struct gh_runsum){ 0, 0, 0 } :
		(struct gh_runsum){ BITS_PER_LONG, BITS_PER_LONG, BITS_PER_LONG };

	ch->sums[w] = word_sum(ch, w);
	if (last == w)
		return;
	for (w++; w < last; w++)
		ch->sums[w] = inner;
	ch->sums[last] = word_sum(ch, last);
}

/* A chunk's longest free run, from its words' summaries. */
static unsigned int sums_maxrun(const struct gh_chunk *ch)
{
	unsigned int w, nwords = BITS_TO_LONGS(ch->npages), run = 0, best = 0;
	const struct gh_runsum *sum;

	for (w = 0; w < nwords; w++) {
		sum = &ch->sums[w];
		best = max3(best, run + sum->start, (unsigned int)sum->max);
		run = sum->start == BITS_PER_LONG ? run + BITS_PER_LONG : sum->end;
	}
	return max(best, run);
}

/* First run of @need free pages of @ch, from its summaries; -1 if none. */
static long sums_find(const struct gh_chunk *ch, unsigned int need)
{
	unsigned int w, nwords = BITS_TO_LONGS(ch->npages), run = 0;
	const struct gh_runsum *sum;

	for (w = 0; w < nwords; w++) {
		sum = &ch->sums[w];
		/* A run that ends in this word's start, perhaps begun before it. */
		if (run + sum->start >= need)
			return (long)w * BITS_PER_LONG - run;
		/* Else one inside it: it comes before the run at its end. */
		if (sum->max >= need)
			return (long)w * BITS_PER_LONG + word_find(~word_used(ch, w), need);
		run = sum->start == BITS_PER_LONG ? run + BITS_PER_LONG : sum->end;
	}
	return -1;
}

/**
 * gh_chunk_maxrun() - recompute a chunk's longest free run from its bitmap.
 * @ch: chunk.
 *
 * A walk over the bitmap, independent of the summaries (validate checks
 * ch->maxrun against it).
 *
 * Context: the heap lock held (or the chunk not yet in the heap).
 * Return: the run's length in heap pages (bounded by the chunk's size).
 */
unsigned int gh_chunk_maxrun(const struct gh_chunk *ch)
{
	unsigned long s = 0, e, best = 0;

	while (s < ch->npages) {
		s = find_next_zero_bit(ch->inuse, ch->npages, s);
		if (s >= ch->npages)
			break;
		e = find_next_bit(ch->inuse, ch->npages, s);
		best = max(best, e - s);
		s = e;
	}
	return best;
}

static void tree_set(struct gh_heap *h, unsigned int slot, unsigned int val)
{
	unsigned int i = h->tree_cap + slot;

	lockdep_assert_held(&h->lock);
	h->tree[i] = val;
	for (i >>= 1; i; i >>= 1)
		h->tree[i] = max(h->tree[2 * i], h->tree[2 * i + 1]);
}

/*
 * The pages [@first, @first + @n) of @ch became all in use (@used) or all
 * free: bring the summaries of their words, the chunk's maxrun and its
 * tree leaf up to date. Heap lock held.
 */
static void chunk_update(struct gh_heap *h, struct gh_chunk *ch, unsigned int first,
			 unsigned int n, bool used)
{
	unsigned int run;

	lockdep_assert_held(&h->lock);
	sums_update(ch, first, n, used);
	run = sums_maxrun(ch);
	if (run != ch->maxrun) {
		ch->maxrun = run;
		tree_set(h, ch->slot, run);
	}
}

/* Leftmost chunk whose longest free run is at least @need heap pages. */
static struct gh_chunk *tree_find(struct gh_heap *h, unsigned int need)
{
	unsigned int i = 1;

	lockdep_assert_held(&h->lock);
	if (h->tree[1] < need)
		return NULL;
	while (i < h->tree_cap) {
		i *= 2;
		if (h->tree[i] < need)
			i++;
	}
	return h->slot_chunk[i - h->tree_cap];
}

/*
 * First run of @need free pages of @ch starting at a multiple of @align:
 * from the summaries when any start will do, else a walk of the bitmap.
 */
static long chunk_find(const struct gh_chunk *ch, unsigned int need, unsigned int align)
{
	unsigned long start = 0, end;

	if (align == 1)
		return sums_find(ch, need);

	for (;;) {
		start = find_next_zero_bit(ch->inuse, ch->npages, start);
		start = ALIGN(start, align);
		if (start + need > ch->npages)
			return -1;
		end = find_next_bit(ch->inuse, start + need, start);
		if (end >= start + need)
			return start;
		start = end + 1;
	}
}

/*
 * Make room for one more chunk in the summary tree. Called without the
 * heap lock; the arrays are swapped in under it.
 */
static int tree_reserve(struct gh_heap *h, gfp_t gfp)
{
	unsigned int cap, old_cap;
	unsigned long *used, flags;
	struct gh_chunk **chunks;
	void *old[3] = { NULL, NULL, NULL };
	u16 *tree;

	spin_lock_irqsave(&h->lock, flags);
	old_cap = h->tree_cap;
	cap = h->nr_chunks;
	spin_unlock_irqrestore(&h->lock, flags);
	if (cap < old_cap)
		return 0;

	cap = old_cap * 2;
	tree = kcalloc(2 * cap, sizeof(*tree), gfp);
	used = bitmap_zalloc(cap, gfp);
	chunks = kcalloc(cap, sizeof(*chunks), gfp);
	if (!tree || !used || !chunks) {
		kfree(tree);
		bitmap_free(used);
		kfree(chunks);
		return -ENOMEM;
	}

	spin_lock_irqsave(&h->lock, flags);
	if (h->tree_cap == old_cap) {
		unsigned int i;

		memcpy(chunks, h->slot_chunk, old_cap * sizeof(*chunks));
		bitmap_copy(used, h->slot_used, old_cap);
		for (i = 0; i < old_cap; i++)
			tree[cap + i] = h->tree[old_cap + i];
		old[0] = h->tree;
		old[1] = h->slot_used;
		old[2] = h->slot_chunk;
		h->tree = tree;
		h->slot_used = used;
		h->slot_chunk = chunks;
		h->tree_cap = cap;
		for (i = cap - 1; i; i--)
			h->tree[i] = max(h->tree[2 * i], h->tree[2 * i + 1]);
	} else {
		/* Someone else grew it meanwhile. */
		old[0] = tree;
		old[1] = used;
		old[2] = chunks;
	}
	spin_unlock_irqrestore(&h->lock, flags);
	kfree(old[0]);
	bitmap_free(old[1]);
	kfree(old[2]);
	return 0;
}

/* === The memory limit ===================================================== */

/*
 * Count @hw hardware pages against the heap's limit before taking them
 * from the buddy allocator; gh_chunk_insert() or limit_unreserve() settles it.
 */
static bool limit_reserve(struct gh_heap *h, unsigned long hw)
{
	unsigned long flags, held;
	bool ok = true;

	spin_lock_irqsave(&h->lock, flags);
	held = (h->pages_total - h->pages_released) * h->hw_per_page + h->pages_pending;
	if (h->limit_pages && held + hw > h->limit_pages) {
		trace_goheap_limit_hit(h, hw, held);
		ok = false;
	} else {
		h->pages_pending += hw;
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return ok;
}

static void limit_unreserve(struct gh_heap *h, unsigned long hw)
{
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	h->pages_pending -= hw;
	spin_unlock_irqrestore(&h->lock, flags);
}

/* === Chunks: blocks from the buddy allocator ============================== */

/* Give @n order-0 pages from @addr back to the buddy allocator. */
static void pages_free(unsigned long addr, unsigned long n)
{
	struct page *page = virt_to_page((void *)addr);
	unsigned long i;

	for (i = 0; i < n; i++)
		__free_page(page + i);
}

/* Free every page of a chunk that is not already released. */
static void chunk_free_pages(struct gh_chunk *ch)
{
	unsigned int hw = (1U << ch->order) / ch->npages;
	unsigned long s = 0, e;

	while (s < ch->npages) {
		s = find_next_zero_bit(ch->released, ch->npages, s);
		if (s >= ch->npages)
			break;
		e = find_next_bit(ch->released, ch->npages, s);
		pages_free(ch->base + s * hw * PAGE_SIZE, (e - s) * hw);
		s = e;
	}
}

/*
 * Take a new chunk from the buddy allocator, big enough for @need heap
 * pages aligned to @align: the heap's chunk order, or the order the span
 * needs if that is larger; smaller when memory is fragmented. On node @nid
 * if it is not NUMA_NO_NODE (preferred: another node if @nid has nothing,
 * unless @gfp has __GFP_THISNODE). Called without locks; the chunk is not
 * yet in the heap.
 */
static struct gh_chunk *chunk_create(struct gh_heap *h, unsigned int need,
				     unsigned int align, gfp_t gfp, int nid)
{
	unsigned int min_order, first_order, order, npages;
	gfp_t meta = gfp & GH_GFP_MASK;
	struct page *page = NULL;
	struct gh_chunk *ch;

	min_order = order_base_2(max(need, align) * h->hw_per_page);
	min_order = max_t(unsigned int, min_order, GH_MIN_CHUNK_ORDER);
	if (min_order > GH_CHUNK_ORDER)
		return NULL;

	first_order = max(h->chunk_order, min_order);
	for (order = first_order; order >= min_order; order--) {
		gfp_t g = meta;

		/* Only the last, smallest attempt may reclaim hard and warn. */
		if (order > min_order)
			g = (g | __GFP_NORETRY | __GFP_NOWARN) & ~__GFP_NOFAIL;
		if (!limit_reserve(h, 1UL << order))
			continue;
		/*
		 * A node asked for is preferred, as by kmalloc_node(), or
		 * required with __GFP_THISNODE (which GH_GFP_MASK leaves out).
		 */
		if (nid == NUMA_NO_NODE)
			page = alloc_pages(g, order);
		else
			page = alloc_pages_node(nid, g | (gfp & __GFP_THISNODE), order);
		if (page)
			break;
		limit_unreserve(h, 1UL << order);
	}
	if (!page)
		return NULL;

	npages = (1U << order) / h->hw_per_page;
	ch = kzalloc(struct_size(ch, spans, npages), meta);
	if (!ch) {
		__free_pages(page, order);
		limit_unreserve(h, 1UL << order);
		return NULL;
	}
	gh_san_meta(ch);
	split_page(page, order);
	ch->base = (unsigned long)page_address(page);
	gh_san_pages_free((void *)ch->base, PAGE_SIZE << order);
	ch->order = order;
	ch->npages = npages;
	ch->nfree = npages;
	ch->idle_since = jiffies;
	ch->fallback = order < first_order;
	sums_update(ch, 0, npages, false);
	ch->maxrun = npages;
	return ch;
}

static void chunk_destroy(struct gh_chunk *ch)
{
	chunk_free_pages(ch);
	kfree_rcu(ch, rcu);
}

/* === Pointer map: from an address to its chunk ============================ */

static unsigned long map_index(unsigned long addr)
{
	return gh_map_index(addr);
}

/**
 * gh_granule_released() - is a map granule of a chunk all holes?
 * @ch: chunk.
 * @addr: address inside @ch.
 *
 * A granule (128 KiB, one entry of gh_heap.map) is one heap page or more:
 * GH_MIN_CHUNK_ORDER is at least the order of the largest heap page.
 *
 * Context: the heap lock held.
 * Return: true if every heap page of @ch in @addr's granule is released.
 */
bool gh_granule_released(const struct gh_chunk *ch, unsigned long addr)
{
	unsigned int per = ch->npages / gh_chunk_granules(ch);
	unsigned int first = (addr - ch->base) / GH_GRANULE_BYTES * per;

	return find_next_zero_bit(ch->released, first + per, first) >= first + per;
}

/*
 * Point the map granules of a new chunk at it. A granule may still name an
 * older chunk: pages that chunk released (its holes) belong to the buddy
 * allocator again, which may hand them back to us as part of a new chunk.
 * Then every page of the granule is such a hole (the new chunk is aligned
 * to its own size, at least a granule, and all of its pages were free), so
 * the new chunk takes the granule over; chunk_unmap() of the older chunk
 * leaves it alone.
 */
static void chunk_map(struct gh_heap *h, struct gh_chunk *ch)
{
	unsigned long idx = map_index(ch->base), addr = ch->base;
	unsigned int i, n = gh_chunk_granules(ch);
	struct gh_chunk *old;

	lockdep_assert_held(&h->lock);
	/*
	 * Publish the complete descriptor: pairs with the READ_ONCE() of
	 * h->map[] in gh_span_lookup(), which reads @ch's span array through
	 * the pointer (an address dependency).
	 */
	smp_wmb();
	for (i = 0; i < n; i++, addr += GH_GRANULE_BYTES) {
		old = h->map[idx + i];
		WARN_ON_ONCE(old && !gh_granule_released(old, addr));
		WRITE_ONCE(h->map[idx + i], ch);
	}
}

/* Clear the map granules that still name @ch. Heap lock held. */
static void chunk_unmap(struct gh_heap *h, struct gh_chunk *ch)
{
	unsigned long idx = map_index(ch->base);
	unsigned int i, n = gh_chunk_granules(ch);

	lockdep_assert_held(&h->lock);
	/* Pairs with gh_span_lookup(): the descriptor outlives it (kfree_rcu). */
	for (i = 0; i < n; i++)
		if (h->map[idx + i] == ch)
			WRITE_ONCE(h->map[idx + i], NULL);
}

/* === Chunks joining and leaving the heap ================================== */

/*
 * Make a new chunk part of the heap, settling its limit reservation.
 * Heap lock held.
 * Return: false if the summary tree has no free slot (lost a race with
 * another grower since tree_reserve()) or the chunk lies above the map.
 */
bool gh_chunk_insert(struct gh_heap *h, struct gh_chunk *ch)
{
	unsigned long idx = map_index(ch->base);
	unsigned int n = gh_chunk_granules(ch);

	lockdep_assert_held(&h->lock);
	h->pages_pending -= 1UL << ch->order;
	if (h->nr_chunks >= h->tree_cap || idx + n > h->map_len)
		return false;
	if (ch->fallback)
		h->grow_fallbacks++;
	ch->slot = find_first_zero_bit(h->slot_used, h->tree_cap);
	__set_bit(ch->slot, h->slot_used);
	h->slot_chunk[ch->slot] = ch;
	tree_set(h, ch->slot, ch->maxrun);
	chunk_map(h, ch);
	list_add_tail(&ch->node, &h->chunks);
	h->nr_chunks++;
	h->pages_total += ch->npages;
	h->chunk_meta_bytes += struct_size(ch, spans, ch->npages);
	h->grows++;
	trace_goheap_grow(h, ch->base, ch->order);
	return true;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_chunk_insert);

/* Take a chunk with no page in use out of the heap. Heap lock held. */
void gh_chunk_remove(struct gh_heap *h, struct gh_chunk *ch)
{
	lockdep_assert_held(&h->lock);
	tree_set(h, ch->slot, 0);
	__clear_bit(ch->slot, h->slot_used);
	h->slot_chunk[ch->slot] = NULL;
	chunk_unmap(h, ch);
	list_del(&ch->node);
	h->nr_chunks--;
	h->pages_total -= ch->npages;
	h->pages_released -= ch->nreleased;
	h->chunk_meta_bytes -= struct_size(ch, spans, ch->npages);
	h->releases++;
	h->released_bytes += (unsigned long)(ch->npages - ch->nreleased) << h->page_shift;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_chunk_remove);

/* === Runs of pages for spans ============================================== */

/* Give @npages at @first of @ch to span @s. Heap lock held. */
static void run_take(struct gh_heap *h, struct gh_chunk *ch, unsigned int first,
		     unsigned int npages, struct gh_span *s)
{
	unsigned int i;

	lockdep_assert_held(&h->lock);
	bitmap_set(ch->inuse, first, npages);
	/*
	 * Publish @s, which is complete, to lockless lookups: pairs with the
	 * READ_ONCE() of ch->spans[] in gh_span_lookup(), whose callers read
	 * the span's fields through the pointer they got (an address
	 * dependency), as with rcu_assign_pointer()/rcu_dereference(). A stray
	 * pointer's lookup that races with this sees NULL or the whole span.
	 */
	smp_wmb();
	for (i = 0; i < npages; i++)
		WRITE_ONCE(ch->spans[first + i], s);
	ch->nfree -= npages;
	ch->idle_since = jiffies;
	chunk_update(h, ch, first, npages, true);
	h->pages_inuse += npages;
}

/*
 * Find a free run for a span in the chunks the heap has. A run of
 * npages + align - 1 always holds an aligned one; failing that, an
 * aligned request also tries the first chunk with npages free in a row.
 */
static long run_find(struct gh_heap *h, unsigned int npages, unsigned int align,
		     struct gh_chunk **chp, int nid)
{
	struct gh_chunk *ch;
	long first;

	if (nid != NUMA_NO_NODE) {
		/* The chunks of one node, in the order they came: a walk, not the tree. */
		list_for_each_entry(ch, &h->chunks, node) {
			if (ch->maxrun < npages || page_to_nid(virt_to_page(ch->base)) != nid)
				continue;
			first = chunk_find(ch, npages, align);
			if (first >= 0) {
				*chp = ch;
				return first;
			}
		}
		*chp = NULL;
		return -1;
	}
	ch = tree_find(h, npages + align - 1);
	if (!ch && align > 1)
		ch = tree_find(h, npages);
	*chp = ch;
	return ch ? chunk_find(ch, npages, align) : -1;
}

/**
 * gh_pages_alloc() - give a span a run of free heap pages.
 * @h: heap.
 * @s: complete span but for where it lies: s->npages is the run's length.
 * @align: alignment of the run's first page, in heap pages (power of two).
 * @gfp: allocation context; the heap grows only as @gfp allows
 *	 (__GFP_NOFAIL is not honoured).
 * @nid: NUMA node wanted, or NUMA_NO_NODE for the first fit anywhere.
 *
 * Sets s->chunk, s->first and s->base, then publishes @s in the pointer
 * map, where lockless lookups find it at once. For a node, the first fit
 * among the chunks of that node (a walk over the chunks, under the heap
 * lock), else a new chunk taken on that node (preferred, as kmalloc_node()
 * does: elsewhere if the node has no memory, unless @gfp has
 * __GFP_THISNODE).
 *
 * Context: any; sleeps only if @gfp allows it. No locks held on entry.
 * Return: 0, or -ENOMEM with @s untouched.
 */
int gh_pages_alloc(struct gh_heap *h, struct gh_span *s, unsigned int align, gfp_t gfp, int nid)
{
	unsigned int npages = s->npages, tries = 0;
	struct gh_chunk *ch;
	unsigned long flags;
	long first;

	spin_lock_irqsave(&h->lock, flags);
	first = run_find(h, npages, align, &ch, nid);
	while (first < 0) {
		struct gh_chunk *fresh;

		spin_unlock_irqrestore(&h->lock, flags);
		fresh = NULL;
		if (!tree_reserve(h, gfp & GH_GFP_MASK))
			fresh = chunk_create(h, npages, align, gfp, nid);
		/* At the limit: give back what is free, then try once more. */
		if (!fresh && h->limit_pages && !tries++ && gh_limit_reclaim(h, gfp))
			fresh = chunk_create(h, npages, align, gfp, nid);
		if (!fresh)
			return -ENOMEM;
		spin_lock_irqsave(&h->lock, flags);
		if (!gh_chunk_insert(h, fresh)) {
			spin_unlock_irqrestore(&h->lock, flags);
			chunk_destroy(fresh);
			if (++tries > 8)
				return -ENOMEM;
			spin_lock_irqsave(&h->lock, flags);
			first = run_find(h, npages, align, &ch, nid);
			continue;
		}
		/* A new chunk is aligned to its own size: the run fits at 0. */
		ch = fresh;
		first = chunk_find(ch, npages, align);
	}
	/* Complete before run_take() publishes it to lockless lookups. */
	s->chunk = ch;
	s->first = first;
	s->base = ch->base + ((unsigned long)first << h->page_shift);
	run_take(h, ch, first, npages, s);
	spin_unlock_irqrestore(&h->lock, flags);
	return 0;
}

/**
 * gh_pages_free() - give a span's run of pages back to the page heap.
 * @h: heap.
 * @s: span from gh_pages_alloc(), no longer referenced by anything.
 *
 * The pages join the free runs around them at once; @s leaves the pointer
 * map, and its caller frees it.
 *
 * Context: any. No locks held on entry.
 */
void gh_pages_free(struct gh_heap *h, struct gh_span *s)
{
	struct gh_chunk *ch = s->chunk;
	unsigned int i;
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	/*
	 * Unpublish: pairs with the READ_ONCE() in gh_span_lookup(). No object
	 * of @s is live, so only a bad free (a double or stray pointer) can
	 * look @s up now; one that races with this very moment may read @s
	 * after its caller's kfree(). Bad frees before a span's end and after
	 * it are caught; one that races with its end is not (as a double
	 * kfree() racing with slab reuse is not).
	 */
	for (i = 0; i < s->npages; i++)
		WRITE_ONCE(ch->spans[s->first + i], NULL);
	bitmap_clear(ch->inuse, s->first, s->npages);
	ch->nfree += s->npages;
	ch->idle_since = jiffies;
	chunk_update(h, ch, s->first, s->npages, false);
	h->pages_inuse -= s->npages;
	spin_unlock_irqrestore(&h->lock, flags);
}

/* === Release: giving idle memory back ===================================== */

#define GH_RELEASE_BATCH	32

/**
 * gh_pageheap_release() - give idle free memory back to the buddy allocator.
 * @h: heap.
 * @min_idle: only chunks with no allocation or free for this many jiffies.
 * @min_run: in chunks still in use, release free runs of at least this many
 *	     heap pages; a chunk with no page in use goes back whole.
 * @goal: stop after about this many hardware pages.
 *
 * A released run becomes a hole in its chunk: its physical pages belong to
 * the buddy allocator again (which may hand them back to us inside a new
 * chunk) and can never be part of a span of this chunk, so it counts in
 * HeapReleased until the whole chunk goes back. The heap lock is held for
 * one walk over the chunks at a time, and pages are freed with it dropped,
 * at most GH_RELEASE_BATCH runs per walk.
 *
 * Context: any; never sleeps.
 * Return: hardware pages released.
 */
unsigned long gh_pageheap_release(struct gh_heap *h, unsigned long min_idle,
				  unsigned int min_run, unsigned long goal)
{
	struct { unsigned long addr, n; } runs[GH_RELEASE_BATCH];
	unsigned long flags, done = 0, now = jiffies, st, e;
	unsigned int nruns, i, hw = h->hw_per_page;
	struct gh_chunk *ch, *tmp;
	LIST_HEAD(whole);

	do {
		nruns = 0;
		spin_lock_irqsave(&h->lock, flags);
		list_for_each_entry_safe(ch, tmp, &h->chunks, node) {
			if (done >= goal || nruns == GH_RELEASE_BATCH)
				break;
			if (time_before(now, ch->idle_since + min_idle))
				continue;
			if (ch->nfree + ch->nreleased == ch->npages) {
				gh_chunk_remove(h, ch);
				list_add(&ch->node, &whole);
				done += (unsigned long)(ch->npages - ch->nreleased) * hw;
				continue;
			}
			for (st = 0; nruns < GH_RELEASE_BATCH && done < goal; st = e) {
				st = find_next_zero_bit(ch->inuse, ch->npages, st);
				if (st >= ch->npages)
					break;
				e = find_next_bit(ch->inuse, ch->npages, st);
				if (e - st < min_run)
					continue;
				bitmap_set(ch->inuse, st, e - st);
				bitmap_set(ch->released, st, e - st);
				ch->nfree -= e - st;
				ch->nreleased += e - st;
				h->pages_released += e - st;
				h->released_bytes += (e - st) << h->page_shift;
				runs[nruns].addr = ch->base + (st << h->page_shift);
				runs[nruns].n = (e - st) * hw;
				nruns++;
				done += (e - st) * hw;
				chunk_update(h, ch, st, e - st, true);
			}
		}
		spin_unlock_irqrestore(&h->lock, flags);

		/*
		 * The runs are marked released, so nothing else frees their
		 * pages, even if their chunk goes back whole meanwhile.
		 */
		for (i = 0; i < nruns; i++)
			pages_free(runs[i].addr, runs[i].n);
	} while (nruns == GH_RELEASE_BATCH && done < goal);

	list_for_each_entry_safe(ch, tmp, &whole, node)
		chunk_destroy(ch);
	return done;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_pageheap_release);

/**
 * gh_pageheap_reclaimable() - free memory the heap could give back now.
 * @h: heap.
 *
 * Context: any; reads without the heap lock (an estimate).
 * Return: hardware pages free in chunks and not yet released.
 */
unsigned long gh_pageheap_reclaimable(struct gh_heap *h)
{
	long free = READ_ONCE(h->pages_total) - READ_ONCE(h->pages_inuse) -
		    READ_ONCE(h->pages_released);

	return free > 0 ? free * h->hw_per_page : 0;
}

/* === Setup and teardown =================================================== */

/**
 * gh_pageheap_init() - set up an empty page heap.
 * @h: heap with page_shift set.
 *
 * Context: process; may sleep.
 * Return: 0 or -ENOMEM.
 */
int gh_pageheap_init(struct gh_heap *h)
{
	spin_lock_init(&h->lock);
	INIT_LIST_HEAD(&h->chunks);
	h->hw_per_page = 1U << (h->page_shift - PAGE_SHIFT);
	h->map_len = map_index((unsigned long)high_memory - 1) + 1;
	h->map = kvcalloc(h->map_len, sizeof(*h->map), GFP_KERNEL);
	h->tree_cap = GH_TREE_MIN;
	h->tree = kcalloc(2 * h->tree_cap, sizeof(*h->tree), GFP_KERNEL);
	h->slot_used = bitmap_zalloc(h->tree_cap, GFP_KERNEL);
	h->slot_chunk = kcalloc(h->tree_cap, sizeof(*h->slot_chunk), GFP_KERNEL);
	if (!h->map || !h->tree || !h->slot_used || !h->slot_chunk) {
		gh_pageheap_destroy(h);
		return -ENOMEM;
	}
	return 0;
}

/**
 * gh_pageheap_destroy() - give every chunk back to the buddy allocator.
 * @h: heap whose upper tiers are already gone.
 *
 * Spans still in use at this point are leaks by the heap's users: they are
 * reported and their metadata freed with the pages.
 *
 * Context: process; nothing else may use @h.
 */
void gh_pageheap_destroy(struct gh_heap *h)
{
	struct gh_chunk *ch, *tmp;
	unsigned long leaked = 0;
	unsigned int i;

	list_for_each_entry_safe(ch, tmp, &h->chunks, node) {
		/* Walk span by span: a span's metadata is freed once. */
		for (i = 0; i < ch->npages; ) {
			struct gh_span *s = ch->spans[i];

			if (!s) {
				i++;
				continue;
			}
			i += s->npages;
			leaked++;
			gh_san_span_gone(s);
			kfree(s);
		}
		list_del(&ch->node);
		chunk_destroy(ch);
	}
	if (leaked)
		pr_err("%s: %lu spans still in use at destruction\n", h->name, leaked);
	kvfree(h->map);
	kfree(h->tree);
	bitmap_free(h->slot_used);
	kfree(h->slot_chunk);
	h->map = NULL;
	h->tree = NULL;
	h->slot_used = NULL;
	h->slot_chunk = NULL;
}
