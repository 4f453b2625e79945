/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goheap's trace events (system "goheap"), read with perf, trace-cmd,
 * bpftrace or tracefs (Documentation/tracing.rst). Fields follow kmem:'s
 * where they mean the same thing (call_site, ptr, bytes_req, bytes_alloc,
 * gfp_flags, node); every event names its heap, and the object events the
 * size class and the CPU.
 *
 * Object events are counted the way memstats counts: one goheap_alloc per
 * object of gh_alloc()/gh_tiny_alloc() (Mallocs), one goheap_free per
 * object freed (Frees), one goheap_alloc_bulk or goheap_free_bulk per bulk
 * call with its count, one goheap_grow per chunk taken (Grows). A bad free
 * is a goheap_invalid_free, not a goheap_free. The page heap's events are
 * about spans it carves and merges: a span that a CPU's span cache hands
 * out again never reaches it.
 *
 * Disabled, each event is a static branch: a no-op instruction.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM goheap

#if !defined(_GOHEAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _GOHEAP_TRACE_H

#include <linux/tracepoint.h>
#include <trace/events/mmflags.h>

#include "compat.h"
#include "internal.h"

/* The enum values below, resolved for perf and trace-cmd. */
TRACE_DEFINE_ENUM(GH_SPAN_SMALL);
TRACE_DEFINE_ENUM(GH_SPAN_LARGE);
TRACE_DEFINE_ENUM(GH_SPAN_RAW);
TRACE_DEFINE_ENUM(GH_MISUSE_INVALID);
TRACE_DEFINE_ENUM(GH_MISUSE_INTERIOR);
TRACE_DEFINE_ENUM(GH_MISUSE_DOUBLE);
TRACE_DEFINE_ENUM(GH_RELEASE_SCAVENGER);
TRACE_DEFINE_ENUM(GH_RELEASE_SHRINKER);
TRACE_DEFINE_ENUM(GH_RELEASE_LIMIT);
TRACE_DEFINE_ENUM(GH_RELEASE_EXPLICIT);

#define gh_show_span_kind(kind)						\
	__print_symbolic(kind, { GH_SPAN_SMALL, "small" }, { GH_SPAN_LARGE, "large" },	\
			 { GH_SPAN_RAW, "raw" })

#define gh_show_misuse(kind)						\
	__print_symbolic(kind, { GH_MISUSE_INVALID, "invalid" },		\
			 { GH_MISUSE_INTERIOR, "interior" }, { GH_MISUSE_DOUBLE, "double" })

#define gh_show_release(reason)						\
	__print_symbolic(reason, { GH_RELEASE_SCAVENGER, "scavenger" },		\
			 { GH_RELEASE_SHRINKER, "shrinker" }, { GH_RELEASE_LIMIT, "limit" },	\
			 { GH_RELEASE_EXPLICIT, "explicit" })

TRACE_EVENT(goheap_alloc,
	    TP_PROTO(struct gh_heap *h, unsigned long call_site, const void *ptr, size_t bytes_req,
		     size_t bytes_alloc, gfp_t gfp_flags, unsigned int cls),
	    TP_ARGS(h, call_site, ptr, bytes_req, bytes_alloc, gfp_flags, cls),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, call_site)
			     __field(const void *, ptr)
			     __field(size_t, bytes_req)
			     __field(size_t, bytes_alloc)
			     __field(unsigned long, gfp_flags)
			     __field(int, node)
			     __field(unsigned int, cls)
			     __field(int, cpu)),
	    TP_fast_assign(gh_assign_heap_name();
			   __entry->call_site = call_site;
			   __entry->ptr = ptr;
			   __entry->bytes_req = bytes_req;
			   __entry->bytes_alloc = bytes_alloc;
			   __entry->gfp_flags = (__force unsigned long)gfp_flags;
			   __entry->node = NUMA_NO_NODE;
			   __entry->cls = cls;
			   __entry->cpu = raw_smp_processor_id();),
	    TP_printk("heap=%s call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu gfp_flags=%s node=%d cls=%u cpu=%d",
		      __get_str(heap), (void *)__entry->call_site, __entry->ptr, __entry->bytes_req,
		      __entry->bytes_alloc, show_gfp_flags(__entry->gfp_flags), __entry->node,
		      __entry->cls, __entry->cpu)
);

TRACE_EVENT(goheap_free,
	    TP_PROTO(struct gh_heap *h, unsigned long call_site, const void *ptr, unsigned int cls),
	    TP_ARGS(h, call_site, ptr, cls),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, call_site)
			     __field(const void *, ptr)
			     __field(unsigned int, cls)
			     __field(int, cpu)),
	    TP_fast_assign(gh_assign_heap_name();
			   __entry->call_site = call_site;
			   __entry->ptr = ptr;
			   __entry->cls = cls;
			   __entry->cpu = raw_smp_processor_id();),
	    TP_printk("heap=%s call_site=%pS ptr=%p cls=%u cpu=%d", __get_str(heap),
		      (void *)__entry->call_site, __entry->ptr, __entry->cls, __entry->cpu)
);

/* allocated < nr: the call failed, and a goheap_free_bulk of them follows. */
TRACE_EVENT(goheap_alloc_bulk,
	    TP_PROTO(struct gh_heap *h, unsigned long call_site, size_t bytes_req, gfp_t gfp_flags,
		     size_t nr, size_t allocated),
	    TP_ARGS(h, call_site, bytes_req, gfp_flags, nr, allocated),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, call_site)
			     __field(size_t, bytes_req)
			     __field(unsigned long, gfp_flags)
			     __field(size_t, nr)
			     __field(size_t, allocated)),
	    TP_fast_assign(gh_assign_heap_name();
			   __entry->call_site = call_site;
			   __entry->bytes_req = bytes_req;
			   __entry->gfp_flags = (__force unsigned long)gfp_flags;
			   __entry->nr = nr;
			   __entry->allocated = allocated;),
	    TP_printk("heap=%s call_site=%pS bytes_req=%zu gfp_flags=%s nr=%zu allocated=%zu",
		      __get_str(heap), (void *)__entry->call_site, __entry->bytes_req,
		      show_gfp_flags(__entry->gfp_flags), __entry->nr, __entry->allocated)
);

TRACE_EVENT(goheap_free_bulk,
	    TP_PROTO(struct gh_heap *h, unsigned long call_site, size_t nr, size_t freed),
	    TP_ARGS(h, call_site, nr, freed),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, call_site)
			     __field(size_t, nr)
			     __field(size_t, freed)),
	    TP_fast_assign(gh_assign_heap_name();
			   __entry->call_site = call_site;
			   __entry->nr = nr;
			   __entry->freed = freed;),
	    TP_printk("heap=%s call_site=%pS nr=%zu freed=%zu", __get_str(heap),
		      (void *)__entry->call_site, __entry->nr, __entry->freed)
);

DECLARE_EVENT_CLASS(goheap_batch,
		    TP_PROTO(struct gh_heap *h, unsigned int cls, unsigned int objs),
		    TP_ARGS(h, cls, objs),
		    TP_STRUCT__entry(__string(heap, h->name)
				     __field(unsigned int, cls)
				     __field(unsigned int, objs)
				     __field(int, cpu)),
		    TP_fast_assign(gh_assign_heap_name();
				   __entry->cls = cls;
				   __entry->objs = objs;
				   __entry->cpu = raw_smp_processor_id();),
		    TP_printk("heap=%s cls=%u objs=%u cpu=%d", __get_str(heap), __entry->cls,
			      __entry->objs, __entry->cpu)
);

/* A CPU's array of a class was empty: objects taken from the central list. */
DEFINE_EVENT(goheap_batch, goheap_refill,
	     TP_PROTO(struct gh_heap *h, unsigned int cls, unsigned int objs),
	     TP_ARGS(h, cls, objs)
);

/* A CPU's array of a class was full: objects handed to the central list. */
DEFINE_EVENT(goheap_batch, goheap_flush,
	     TP_PROTO(struct gh_heap *h, unsigned int cls, unsigned int objs),
	     TP_ARGS(h, cls, objs)
);

DECLARE_EVENT_CLASS(goheap_span,
		    TP_PROTO(struct gh_heap *h, const struct gh_span *s),
		    TP_ARGS(h, s),
		    TP_STRUCT__entry(__string(heap, h->name)
				     __field(unsigned long, pfn)
				     __field(unsigned int, npages)
				     __field(unsigned int, kind)
				     __field(unsigned int, cls)),
		    TP_fast_assign(gh_assign_heap_name();
				   __entry->pfn = PHYS_PFN(__pa(s->base));
				   __entry->npages = s->npages;
				   __entry->kind = s->kind;
				   __entry->cls = s->cls;),
		    TP_printk("heap=%s pfn=0x%lx npages=%u kind=%s cls=%u", __get_str(heap),
			      __entry->pfn, __entry->npages, gh_show_span_kind(__entry->kind),
			      __entry->cls)
);

DEFINE_EVENT(goheap_span, goheap_span_alloc,
	     TP_PROTO(struct gh_heap *h, const struct gh_span *s),
	     TP_ARGS(h, s)
);

DEFINE_EVENT(goheap_span, goheap_span_free,
	     TP_PROTO(struct gh_heap *h, const struct gh_span *s),
	     TP_ARGS(h, s)
);

TRACE_EVENT(goheap_grow,
	    TP_PROTO(struct gh_heap *h, unsigned long base, unsigned int order),
	    TP_ARGS(h, base, order),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, pfn)
			     __field(unsigned int, order)
			     __field(unsigned long, bytes)),
	    TP_fast_assign(gh_assign_heap_name();
			   __entry->pfn = PHYS_PFN(__pa(base));
			   __entry->order = order;
			   __entry->bytes = PAGE_SIZE << order;),
	    TP_printk("heap=%s pfn=0x%lx order=%u bytes=%lu", __get_str(heap), __entry->pfn,
		      __entry->order, __entry->bytes)
);

TRACE_EVENT(goheap_release,
	    TP_PROTO(struct gh_heap *h, unsigned long pages, enum gh_release_reason reason),
	    TP_ARGS(h, pages, reason),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, pages)
			     __field(unsigned int, reason)),
	    TP_fast_assign(gh_assign_heap_name();
			   __entry->pages = pages;
			   __entry->reason = reason;),
	    TP_printk("heap=%s pages=%lu bytes=%lu reason=%s", __get_str(heap), __entry->pages,
		      __entry->pages << PAGE_SHIFT, gh_show_release(__entry->reason))
);

TRACE_EVENT(goheap_limit_hit,
	    TP_PROTO(struct gh_heap *h, unsigned long want, unsigned long held),
	    TP_ARGS(h, want, held),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, want)
			     __field(unsigned long, held)
			     __field(unsigned long, limit)),
	    TP_fast_assign(gh_assign_heap_name();
			   __entry->want = want;
			   __entry->held = held;
			   __entry->limit = h->limit_pages;),
	    TP_printk("heap=%s want=%lu held=%lu limit=%lu (hardware pages)", __get_str(heap),
		      __entry->want, __entry->held, __entry->limit)
);

TRACE_EVENT(goheap_invalid_free,
	    TP_PROTO(struct gh_heap *h, unsigned long call_site, const void *ptr,
		     enum gh_misuse kind),
	    TP_ARGS(h, call_site, ptr, kind),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, call_site)
			     __field(const void *, ptr)
			     __field(unsigned int, kind)),
	    TP_fast_assign(gh_assign_heap_name();
			   __entry->call_site = call_site;
			   __entry->ptr = ptr;
			   __entry->kind = kind;),
	    TP_printk("heap=%s call_site=%pS ptr=%p kind=%s", __get_str(heap),
		      (void *)__entry->call_site, __entry->ptr, gh_show_misuse(__entry->kind))
);

#endif /* _GOHEAP_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
