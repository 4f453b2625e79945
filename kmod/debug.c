// SPDX-License-Identifier: GPL-2.0
/*
 * Debug mode: catch the bugs of goheap's users, as SLUB's slab_debug does.
 *
 * Off by default; a heap gets it at creation (gh_heap_params.debug, the
 * module parameter "debug" for the default heap). Its options:
 *
 *   P  poison: a freed small object is filled with POISON_FREE (0x6b);
 *      when it is handed out again the poison is checked, so a write after
 *      free is found and reported.
 *   Z  red zones: each object gets bytes after its end, filled with
 *      SLUB_RED_ACTIVE (0xcc) and checked when it is freed; a write past
 *      the end is found and reported. To make room the object comes from
 *      a larger class: size + 8 bytes, or twice the size for powers of two
 *      (which keep their natural alignment). A large object whose size is
 *      a whole number of heap pages has no room for one.
 *   U  user tracking: the stacks of each object's last allocation and free
 *      are kept in the stack depot and printed in every report, including
 *      goheap's double and invalid free reports.
 *
 * The records live outside the objects, one struct gh_track per object in
 * the span's metadata. In debug mode the tiny allocator is bypassed (tiny
 * objects become small ones, so each has a record) and bulk allocation
 * goes object by object.
 *
 * Every corruption found is counted (PoisonErrors and RedzoneErrors in
 * memstats) and reported once, rate-limited; the heap then carries on.
 * The debugfs file "validate" (validate.c) checks every object's poison
 * and red zone on demand.
 *
 * On a KASAN kernel the bytes checked here are also poisoned in KASAN's
 * shadow (sanitize.h): debug mode reads and writes them with KASAN's
 * reports held off for the current task, as SLUB does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kasan.h>
#include <linux/log2.h>
#include <linux/poison.h>
#include <linux/ratelimit.h>
#include <linux/stackdepot.h>
#include <linux/stacktrace.h>
#include <linux/string.h>

#include "internal.h"
#include "sanitize.h"
#include "trace.h"

#define GH_REDZONE_MIN	8	/* bytes, at least one KASAN granule */
#define GH_TRACK_DEPTH	16	/* stack entries kept per event */

static const char *const misuse_names[] = {
	[GH_MISUSE_INVALID] = "invalid free",
	[GH_MISUSE_INTERIOR] = "interior-pointer free",
	[GH_MISUSE_DOUBLE] = "double free",
};

static_assert(ARRAY_SIZE(misuse_names) == GH_MISUSE_NR);

/**
 * gh_report_misuse() - count and report a bad free.
 * @h: heap.
 * @kind: what was wrong.
 * @p: the pointer passed in.
 * @ip: the caller of the API that was given @p.
 *
 * A pointer into another heap (a free into the wrong heap) is an invalid
 * free of @h, and the report names the heap it belongs to. In debug mode
 * with call sites tracked, the report also gives the stacks of the
 * object's last allocation and free.
 *
 * Context: any.
 */
void gh_report_misuse(struct gh_heap *h, enum gh_misuse kind, const void *p, unsigned long ip)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST);
	struct gh_heap *owner;

	atomic_long_inc(&h->misuse[kind]);
	trace_goheap_invalid_free(h, ip, p, kind);
	if (!__ratelimit(&rs))
		return;
	owner = kind == GH_MISUSE_INVALID ? gh_heap_find(p) : NULL;
	if (owner && owner != h)
		pr_err("%s: invalid free of %p from %pS: it belongs to heap %s\n", h->name, p,
		       (void *)ip, owner->name);
	else
		pr_err("%s: %s of %p from %pS\n", h->name, misuse_names[kind], p, (void *)ip);
	if (h->debug & GH_DEBUG_TRACK && kind != GH_MISUSE_INVALID)
		gh_debug_report_object(h, p);
}

static DEFINE_RATELIMIT_STATE(gh_debug_rs, DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST);

/**
 * gh_debug_parse() - read debug mode options.
 * @opts: any of the letters P, Z and U (either case), or "all"; NULL or
 *	  empty for none.
 * @flags: the GH_DEBUG_* flags, set on success.
 *
 * Return: 0, or -EINVAL for anything else.
 */
int gh_debug_parse(const char *opts, unsigned int *flags)
{
	unsigned int f = 0;

	if (opts && !strcmp(opts, "all")) {
		*flags = GH_DEBUG_ALL;
		return 0;
	}
	for (; opts && *opts; opts++) {
		switch (*opts) {
		case 'p': case 'P':
			f |= GH_DEBUG_POISON;
			break;
		case 'z': case 'Z':
			f |= GH_DEBUG_REDZONE;
			break;
		case 'u': case 'U':
			f |= GH_DEBUG_TRACK;
			break;
		default:
			return -EINVAL;
		}
	}
	*flags = f;
	return 0;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_debug_parse);

/**
 * gh_debug_init() - set a new heap's debug mode.
 * @h: heap being created.
 * @flags: GH_DEBUG_* options.
 *
 * Context: process; may sleep (the stack depot's first use allocates it).
 * Return: 0, -EINVAL for unknown flags or tracking without a stack depot
 * in this kernel, -ENOMEM.
 */
int gh_debug_init(struct gh_heap *h, unsigned int flags)
{
	if (flags & ~GH_DEBUG_ALL)
		return -EINVAL;
	if (flags & GH_DEBUG_TRACK) {
		if (!IS_ENABLED(CONFIG_STACKDEPOT))
			return -EINVAL;
		if (stack_depot_init())
			return -ENOMEM;
	}
	h->debug = flags;
	return 0;
}

static depot_stack_handle_t save_stack(void)
{
	unsigned long entries[GH_TRACK_DEPTH];
	unsigned int n;

	if (!IS_ENABLED(CONFIG_STACKDEPOT))
		return 0;
	n = stack_trace_save(entries, ARRAY_SIZE(entries), 2);
	return stack_depot_save(entries, n, GFP_NOWAIT);
}

static void print_stack(const char *what, depot_stack_handle_t handle)
{
	if (!IS_ENABLED(CONFIG_STACKDEPOT) || !handle)
		return;
	pr_err(" %s:\n", what);
	stack_depot_print(handle);
}

static void *obj_addr(struct gh_span *s, unsigned int idx)
{
	return (void *)(s->base + (unsigned long)idx * s->elemsize);
}

/* First byte of @p[0..@n) that is not @c, or NULL; KASAN held off. */
static u8 *find_not(const void *p, u8 c, size_t n)
{
	u8 *bad;

	kasan_disable_current();
	bad = memchr_inv(p, c, n);
	kasan_enable_current();
	return bad;
}

static void fill(void *p, u8 c, size_t n)
{
	kasan_disable_current();
	memset(p, c, n);
	kasan_enable_current();
}

static void report(struct gh_heap *h, enum gh_debug_error kind, struct gh_span *s,
		   unsigned int idx, const u8 *bad, u8 want)
{
	static const char *const what[] = {
		[GH_DBG_POISON] = "poison overwritten in freed",
		[GH_DBG_REDZONE] = "red zone overwritten after",
	};
	const struct gh_track *t = &s->track[idx];
	const u8 *p = obj_addr(s, idx);
	u8 got;

	atomic_long_inc(&h->dbg_errors[kind]);
	if (!__ratelimit(&gh_debug_rs))
		return;
	kasan_disable_current();
	got = *bad;
	kasan_enable_current();
	pr_err("%s: %s object %p (%u B slot, %u B asked): byte %td is 0x%02x, not 0x%02x\n",
	       h->name, what[kind], p, s->elemsize, t->size, bad - p, got, want);
	print_stack("last allocated by", t->alloc);
	print_stack("last freed by", t->free);
}

/* Bytes to allocate for @size: with room for a red zone when wanted. */
/**
 * gh_debug_slot_size() - the slot a debug heap gives an object of @size.
 * @h: heap with debug mode on.
 * @size: bytes asked for, at least 1.
 *
 * With red zones, a slot big enough to leave at least GH_REDZONE_MIN
 * bytes (or, for powers of two, a slot of twice the size) after the
 * object.
 *
 * Return: the bytes to allocate.
 */
size_t gh_debug_slot_size(struct gh_heap *h, size_t size)
{
	if (!(h->debug & GH_DEBUG_REDZONE))
		return size;
	if (is_power_of_2(size))
		return size <= GH_MAX_SMALL_SIZE / 2 ? size * 2 : size;
	return size + GH_REDZONE_MIN;
}

/**
 * gh_debug_alloc_hook() - debug mode's part of an allocation.
 * @h: heap with debug mode on.
 * @p: the object just taken from a slot of gh_debug_slot_size() bytes.
 * @size: bytes asked for.
 * @usable: bytes of the slot.
 * @gfp: the allocation's flags.
 *
 * Checks a recycled object's poison, tells the sanitizers, fills the red
 * zone and records the call site. Calls nothing of the allocator.
 *
 * Context: as gh_alloc().
 */
void gh_debug_alloc_hook(struct gh_heap *h, void *p, size_t size, size_t usable, gfp_t gfp)
{
	struct gh_track *t;
	struct gh_span *s;
	unsigned int idx;
	bool interior;
	u8 *bad;

	s = gh_span_lookup(h, p);
	idx = gh_span_obj_index(s, p, &interior);
	t = &s->track[idx];
	if (t->poisoned) {
		bad = find_not(p, POISON_FREE, usable);
		if (bad)
			report(h, GH_DBG_POISON, s, idx, bad, POISON_FREE);
		t->poisoned = 0;
	}
	gh_san_alloc(p, size, usable, gfp);
	if ((h->debug & GH_DEBUG_REDZONE) && size < usable)
		fill(p + size, SLUB_RED_ACTIVE, usable - size);
	t->size = size;
	if (h->debug & GH_DEBUG_TRACK)
		t->alloc = save_stack();
}

/**
 * gh_debug_check_free() - a live object of a debug heap is being freed.
 * @h: heap with debug mode on.
 * @s: the object's span (small or large).
 * @idx: its index.
 *
 * Checks its red zone and records the call site.
 *
 * Context: any.
 */
void gh_debug_check_free(struct gh_heap *h, struct gh_span *s, unsigned int idx)
{
	struct gh_track *t = &s->track[idx];
	size_t usable = s->elemsize;
	u8 *p = obj_addr(s, idx), *bad;

	if ((h->debug & GH_DEBUG_REDZONE) && t->size < usable) {
		bad = find_not(p + t->size, SLUB_RED_ACTIVE, usable - t->size);
		if (bad)
			report(h, GH_DBG_REDZONE, s, idx, bad, SLUB_RED_ACTIVE);
	}
	if (h->debug & GH_DEBUG_TRACK)
		t->free = save_stack();
}

/**
 * gh_debug_poison() - poison a freed small object of a debug heap.
 * @h: heap with GH_DEBUG_POISON.
 * @s: the object's span.
 * @idx: its index; the object is no longer live and not yet cached.
 *
 * Context: any.
 */
void gh_debug_poison(struct gh_heap *h, struct gh_span *s, unsigned int idx)
{
	fill(obj_addr(s, idx), POISON_FREE, s->elemsize);
	s->track[idx].poisoned = 1;
}

/**
 * gh_debug_usable_size() - gh_usable_size() of a live object of a debug heap.
 * @h: heap with debug mode on.
 * @s: the object's span.
 * @idx: its index.
 *
 * Return: the bytes asked for when red zones are on (the rest is the red
 * zone), else the whole slot.
 */
size_t gh_debug_usable_size(struct gh_heap *h, struct gh_span *s, unsigned int idx)
{
	if (h->debug & GH_DEBUG_REDZONE)
		return s->track[idx].size;
	return s->elemsize;
}

/**
 * gh_debug_report_object() - print what is known of the object holding @p.
 * @h: heap with debug mode on.
 * @p: an address given to a bad free.
 *
 * Adds the object's call sites to a double or interior free report. Like
 * the bad-free check itself, it relies on the span not being freed at the
 * same time by another CPU.
 *
 * Context: any.
 */
void gh_debug_report_object(struct gh_heap *h, const void *p)
{
	struct gh_span *s = gh_span_lookup(h, p);
	const struct gh_track *t;
	unsigned int idx;
	bool interior;

	if (!s || !s->track || s->kind == GH_SPAN_RAW)
		return;
	idx = gh_span_obj_index(s, p, &interior);
	t = &s->track[idx];
	pr_err("%s: object %p (%u B slot, %u B asked at its last allocation)\n",
	       h->name, obj_addr(s, idx), s->elemsize, t->size);
	print_stack("last allocated by", t->alloc);
	print_stack("last freed by", t->free);
}

/**
 * gh_debug_object_ok() - check one object's poison or red zone.
 * @h: heap with debug mode on.
 * @s: span.
 * @idx: object index.
 * @state: the object's enum gh_objstate, as read by the caller.
 *
 * Exact on a quiescent heap; under load an object may change hands while
 * it is read.
 *
 * Context: any.
 * Return: true if its poison (free objects) or red zone (live ones) is
 * intact or it has none.
 */
bool gh_debug_object_ok(struct gh_heap *h, struct gh_span *s, unsigned int idx, u8 state)
{
	const struct gh_track *t = &s->track[idx];
	size_t usable = s->elemsize;
	u8 *p = obj_addr(s, idx);

	if (!gh_obj_live(state))
		return !READ_ONCE(t->poisoned) || !find_not(p, POISON_FREE, usable);
	if ((h->debug & GH_DEBUG_REDZONE) && t->size < usable)
		return !find_not(p + t->size, SLUB_RED_ACTIVE, usable - t->size);
	return true;
}
