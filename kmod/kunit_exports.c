// SPDX-License-Identifier: GPL-2.0
/*
 * Internal symbols the KUnit suites (tests/, goheap_kunit.ko) call. They
 * are exported only in kernels built with KUnit, in the
 * EXPORTED_FOR_KUNIT_TESTING namespace; other kernels see nothing here.
 */
#include <kunit/visibility.h>
#include <linux/export.h>

#include "goheap.h"
#include "stats.h"

EXPORT_SYMBOL_IF_KUNIT(gh_heap_create);
EXPORT_SYMBOL_IF_KUNIT(gh_heap_destroy);
EXPORT_SYMBOL_IF_KUNIT(gh_alloc);
EXPORT_SYMBOL_IF_KUNIT(gh_free);
EXPORT_SYMBOL_IF_KUNIT(gh_alloc_bulk);
EXPORT_SYMBOL_IF_KUNIT(gh_free_bulk);
EXPORT_SYMBOL_IF_KUNIT(gh_usable_size);
EXPORT_SYMBOL_IF_KUNIT(gh_tiny_alloc);
EXPORT_SYMBOL_IF_KUNIT(gh_size_to_class);
EXPORT_SYMBOL_IF_KUNIT(gh_div_mul);
EXPORT_SYMBOL_IF_KUNIT(gh_span_alloc);
EXPORT_SYMBOL_IF_KUNIT(gh_span_free);
EXPORT_SYMBOL_IF_KUNIT(gh_span_lookup);
EXPORT_SYMBOL_IF_KUNIT(gh_span_obj_index);
EXPORT_SYMBOL_IF_KUNIT(gh_span_take);
EXPORT_SYMBOL_IF_KUNIT(gh_span_put);
EXPORT_SYMBOL_IF_KUNIT(gh_pcpu_alloc);
EXPORT_SYMBOL_IF_KUNIT(gh_pcpu_free);
EXPORT_SYMBOL_IF_KUNIT(gh_central_refill);
EXPORT_SYMBOL_IF_KUNIT(gh_central_flush);
EXPORT_SYMBOL_IF_KUNIT(gh_span_bytes);
EXPORT_SYMBOL_IF_KUNIT(gh_central_cached);
EXPORT_SYMBOL_IF_KUNIT(gh_central_release);
EXPORT_SYMBOL_IF_KUNIT(gh_pcpu_drain_all);
EXPORT_SYMBOL_IF_KUNIT(gh_pcpu_drain_cpu);
EXPORT_SYMBOL_IF_KUNIT(goheap_default_heap);
EXPORT_SYMBOL_IF_KUNIT(gh_read_memstats);
EXPORT_SYMBOL_IF_KUNIT(gh_read_class_stats);
EXPORT_SYMBOL_IF_KUNIT(gh_read_cpu_stats);
EXPORT_SYMBOL_IF_KUNIT(gh_read_pageheap_stats);
EXPORT_SYMBOL_IF_KUNIT(gh_ms_names);
EXPORT_SYMBOL_IF_KUNIT(gh_reclaim);
EXPORT_SYMBOL_IF_KUNIT(gh_pageheap_release);
