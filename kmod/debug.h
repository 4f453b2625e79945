/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Debug mode and misuse reports (debug.c): the options a heap can be built
 * with, the kinds of bad free and of corruption counted per heap, and the
 * hooks the object paths call. The hooks report and count; they never call
 * back into the allocator's object paths.
 */
#ifndef _GOHEAP_DEBUG_H
#define _GOHEAP_DEBUG_H

#include <linux/bits.h>
#include <linux/stackdepot.h>
#include <linux/types.h>

struct gh_heap;
struct gh_span;

/**
 * struct gh_track - what debug mode knows of one object (debug.c).
 * @alloc:	stack of its last allocation (0: not recorded).
 * @free:	stack of its last free (0: not recorded).
 * @size:	bytes asked for at its last allocation.
 * @poisoned:	its bytes were filled with GH_POISON_FREE when it was freed.
 */
struct gh_track {
	depot_stack_handle_t alloc;
	depot_stack_handle_t free;
	u32 size;
	u32 poisoned;
};

/**
 * enum gh_misuse - kinds of bad free, counted per heap.
 * @GH_MISUSE_INVALID:	pointer goheap never handed out.
 * @GH_MISUSE_INTERIOR:	pointer inside an object, not its start.
 * @GH_MISUSE_DOUBLE:	object already free.
 * @GH_MISUSE_NR:	number of kinds.
 */
enum gh_misuse {
	GH_MISUSE_INVALID,
	GH_MISUSE_INTERIOR,
	GH_MISUSE_DOUBLE,
	GH_MISUSE_NR,
};

/**
 * enum gh_debug_error - kinds of corruption debug mode detects, per heap.
 * @GH_DBG_POISON:	a freed object was written to (poison overwritten).
 * @GH_DBG_REDZONE:	a live object was written past its end.
 * @GH_DBG_NR:		number of kinds.
 */
enum gh_debug_error {
	GH_DBG_POISON,
	GH_DBG_REDZONE,
	GH_DBG_NR,
};

/* Debug mode options (gh_heap_params.debug), like SLUB's slab_debug. */
#define GH_DEBUG_POISON		BIT(0)	/* P: poison freed objects */
#define GH_DEBUG_REDZONE	BIT(1)	/* Z: red zone after each object */
#define GH_DEBUG_TRACK		BIT(2)	/* U: allocation and free call sites */
#define GH_DEBUG_ALL		(GH_DEBUG_POISON | GH_DEBUG_REDZONE | GH_DEBUG_TRACK)

/* debug.c */
void gh_report_misuse(struct gh_heap *h, enum gh_misuse kind, const void *p, unsigned long ip);
int gh_debug_parse(const char *opts, unsigned int *flags);
int gh_debug_init(struct gh_heap *h, unsigned int flags);
size_t gh_debug_slot_size(struct gh_heap *h, size_t size);
void gh_debug_alloc_hook(struct gh_heap *h, void *p, size_t size, size_t usable, gfp_t gfp);
void gh_debug_check_free(struct gh_heap *h, struct gh_span *s, unsigned int idx);
void gh_debug_poison(struct gh_heap *h, struct gh_span *s, unsigned int idx);
size_t gh_debug_usable_size(struct gh_heap *h, struct gh_span *s, unsigned int idx);
void gh_debug_report_object(struct gh_heap *h, const void *p);
bool gh_debug_object_ok(struct gh_heap *h, struct gh_span *s, unsigned int idx, u8 state);

#endif /* _GOHEAP_DEBUG_H */
