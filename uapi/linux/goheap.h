/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * goheap user-space ABI: the /dev/goheap character device.
 *
 * A process opens /dev/goheap, asks for spans of goheap's page heap with
 * GOHEAP_IOC_SPAN_ALLOC, maps them with mmap(2) at the offset the kernel
 * returns, and asks how they sit in physical memory with
 * GOHEAP_IOC_SPAN_INFO. Spans belong to the open file: they go back to the
 * heap on GOHEAP_IOC_SPAN_FREE, or when the file is released (after its
 * last descriptor is closed and its last mapping is gone), but only once
 * no pipe or pin holds one of their pages any more. Until then their
 * memory is charged to the user that allocated them (struct goheap_info's
 * @user_charged), against RLIMIT_MEMLOCK.
 *
 * Rules every command follows (Documentation/process/botching-up-ioctls.rst):
 *
 *  - Structures hold only fixed-size, naturally aligned fields, with explicit
 *    padding; their sizes are multiples of 8 bytes; user pointers are __u64.
 *  - Fields marked (in) are read by the kernel, (out) are written by it and
 *    ignored on input. Every @flags field accepts only the flags defined
 *    here and every @reserved field must be zero on input, or the command
 *    fails with EINVAL; both are zero in every reply.
 *  - An unknown command, or a known number with a different size or
 *    direction, fails with ENOTTY.
 *  - Nothing the kernel returns reveals a kernel address; physical frame
 *    numbers only reach callers with CAP_SYS_ADMIN (GOHEAP_IOC_SPAN_INFO),
 *    and figures about other users and the heap as a whole only callers
 *    with CAP_PERFMON or CAP_SYS_ADMIN (GOHEAP_CAP_HEAP_STATS).
 *
 * The ABI evolves by new commands, new flags and new fields taken from
 * @reserved, announced in struct goheap_info's @features; never by changing
 * the meaning of an existing field. Documentation/userspace-api.rst has
 * every command with its errors and an example program.
 */
#ifndef _UAPI_LINUX_GOHEAP_H
#define _UAPI_LINUX_GOHEAP_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/* Version of the ABI described here (struct goheap_info's @abi_version). */
#define GOHEAP_ABI_VERSION		1

/*
 * ioctl type byte. 0xB9 is unused in the ioctl-number.rst table of 6.1 and
 * of later kernels (0xB8, free in 6.1, went to Marvell's CN10K DPI driver in
 * 6.11). goheap uses command numbers 0x00-0x1f of it.
 */
#define GOHEAP_IOC_MAGIC		0xB9

/* struct goheap_info's @features: what this kernel supports. */
#define GOHEAP_FEAT_SPAN_CONTIGUOUS	_BITUL(0)	/* GOHEAP_SPAN_CONTIGUOUS */
#define GOHEAP_FEAT_SPAN_PREFAULT	_BITUL(1)	/* GOHEAP_SPAN_PREFAULT */
#define GOHEAP_FEAT_SPAN_SCATTERED	_BITUL(2)	/* GOHEAP_SPAN_SCATTERED */
#define GOHEAP_FEAT_SPAN_INFO		_BITUL(3)	/* GOHEAP_IOC_SPAN_INFO */
#define GOHEAP_FEAT_MEMSTATS		_BITUL(4)	/* GOHEAP_IOC_GET_MEMSTATS */
#define GOHEAP_FEAT_CHARGES		_BITUL(5)	/* per-user charges, the cap */

/* struct goheap_info's @caps: what this caller, on this file, may do. */
#define GOHEAP_CAP_PFNS			_BITUL(0)	/* read PFNs of spans */
#define GOHEAP_CAP_HEAP_STATS		_BITUL(1)	/* read heap-wide figures */

/**
 * struct goheap_info - the handshake: version, features and limits.
 * @abi_version: (out) GOHEAP_ABI_VERSION of the running module.
 * @flags: (out) zero; reserved for informational flags.
 * @features: (out) GOHEAP_FEAT_* bits.
 * @heap_page_size: (out) bytes in a heap page (8192, Go's, or 4096): the
 *	unit of every page count in this ABI.
 * @hw_page_size: (out) bytes in a hardware page (4096 on x86-64): the unit
 *	of mmap offsets and lengths within a span, and of PFNs.
 * @nr_size_classes: (out) small-object size classes of the heap (66, Go's
 *	table; class 0, "large", is not counted).
 * @max_span_pages: (out) largest @npages GOHEAP_IOC_SPAN_ALLOC accepts.
 * @max_file_pages: (out) heap pages one open file may hold at once (the
 *	max_file_pages module parameter).
 * @file_pages: (out) heap pages of the spans in this open file's handle
 *	table now (a freed span leaves it at once).
 * @memstats_size: (out) bytes of struct goheap_memstats in this kernel.
 * @caps: (out) GOHEAP_CAP_* bits granted to the caller on this file.
 * @user_charged: (out) bytes charged to the calling task's user: every span
 *	it allocated, through any file, in any process, from allocation until
 *	the span's memory is back (after GOHEAP_IOC_SPAN_FREE or the file's
 *	release, once no pipe or pin holds a page). RLIMIT_MEMLOCK applies to
 *	it (GOHEAP_FEAT_CHARGES).
 * @dev_charged: (out) bytes charged for all users together, which
 *	@dev_max_bytes caps; 0 without GOHEAP_CAP_HEAP_STATS.
 * @dev_max_bytes: (out) the dev_max_bytes module parameter.
 * @reserved: (out) zero.
 *
 * GOHEAP_IOC_GET_INFO reads nothing from user space: the whole structure is
 * output.
 */
struct goheap_info {
	__u32 abi_version;
	__u32 flags;
	__u64 features;
	__u32 heap_page_size;
	__u32 hw_page_size;
	__u32 nr_size_classes;
	__u32 max_span_pages;
	__u64 max_file_pages;
	__u64 file_pages;
	__u32 memstats_size;
	__u32 caps;
	__u64 user_charged;
	__u64 dev_charged;
	__u64 dev_max_bytes;
	__u64 reserved;
};

/*
 * GOHEAP_IOC_SPAN_ALLOC flags (struct goheap_span_alloc's @flags).
 *
 * GOHEAP_SPAN_CONTIGUOUS: physically contiguous and aligned like one buddy
 *	block: to the largest power of two not above @npages heap pages.
 *	(Spans without it come from one contiguous heap chunk too, but with no
 *	alignment promise; GOHEAP_SPAN_SCATTERED gives the opposite.)
 * GOHEAP_SPAN_PREFAULT: every mmap of the span is populated at mmap time,
 *	so touching it takes no page fault; without it, pages are mapped on
 *	first touch and each fault is counted (struct goheap_span_info). A
 *	prefaulted mapping whose page tables are zapped (MADV_DONTNEED) is
 *	mapped again on touch, one counted fault per hardware page.
 * GOHEAP_SPAN_SCATTERED: an experiment's baseline: the span is built from
 *	individually allocated hardware pages, not from the heap, laid out in
 *	descending physical order so that no two neighbours are physically
 *	adjacent (@runs equals @hw_pages). Excludes GOHEAP_SPAN_CONTIGUOUS.
 * GOHEAP_SPAN_ZEROED: accepted for clarity; span memory is always zeroed
 *	before user space can see it, with or without this flag.
 */
#define GOHEAP_SPAN_CONTIGUOUS		_BITUL(0)
#define GOHEAP_SPAN_PREFAULT		_BITUL(1)
#define GOHEAP_SPAN_SCATTERED		_BITUL(2)
#define GOHEAP_SPAN_ZEROED		_BITUL(3)

/**
 * struct goheap_span_alloc - allocate a span.
 * @npages: (in) length in heap pages, 1 .. goheap_info.max_span_pages.
 * @flags: (in) GOHEAP_SPAN_* flags.
 * @handle: (out) the span's handle in this open file (never 0).
 * @offset: (out) mmap(2) offset of the span's first byte on this file;
 *	@offset + k * hw_page_size maps from the span's k-th hardware page.
 * @size: (out) span bytes: @npages * heap_page_size.
 * @reserved: (in/out) zero.
 */
struct goheap_span_alloc {
	__u64 npages;
	__u32 flags;
	__u32 handle;
	__u64 offset;
	__u64 size;
	__u64 reserved[2];
};

/**
 * struct goheap_span_free - give a span back.
 * @handle: (in) handle from GOHEAP_IOC_SPAN_ALLOC.
 * @flags: (in) zero.
 * @reserved: (in) zero.
 */
struct goheap_span_free {
	__u32 handle;
	__u32 flags;
	__u64 reserved;
};

/**
 * struct goheap_span_info - how a span sits in memory and how it was used.
 * @handle: (in) handle from GOHEAP_IOC_SPAN_ALLOC.
 * @flags: (in) zero.
 * @pfns: (in) user address of a __u64 array that receives the page frame
 *	number of each hardware page of the span, in span order; 0 when
 *	@pfn_count is 0.
 * @pfn_count: (in) entries at @pfns; the kernel writes
 *	min(@pfn_count, @hw_pages) of them. Non-zero needs CAP_SYS_ADMIN
 *	(GOHEAP_CAP_PFNS), or the command fails with EPERM.
 * @npages: (out) length in heap pages.
 * @page_size: (out) heap page size in bytes.
 * @hw_pages: (out) length in hardware pages.
 * @runs: (out) maximal runs of physically consecutive hardware pages:
 *	1 for a contiguous span, @hw_pages for a scattered one.
 * @span_flags: (out) GOHEAP_SPAN_* flags the span was allocated with,
 *	plus GOHEAP_SPAN_ZEROED.
 * @faults: (out) page faults served through the span's mappings, by every
 *	process, since allocation (prefaulted mappings take none until their
 *	page tables are zapped).
 * @maps: (out) mappings (VMAs, in any process) of the span now.
 * @offset: (out) mmap offset of the span, as GOHEAP_IOC_SPAN_ALLOC returned.
 * @reserved: (in/out) zero.
 */
struct goheap_span_info {
	__u32 handle;
	__u32 flags;
	__u64 pfns;
	__u64 pfn_count;
	__u64 npages;
	__u32 page_size;
	__u32 hw_pages;
	__u32 runs;
	__u32 span_flags;
	__u64 faults;
	__u64 maps;
	__u64 offset;
	__u64 reserved[2];
};

/**
 * struct goheap_memstats - the heap in Go's runtime.MemStats terms.
 * @sys: Sys: bytes taken from the kernel (heap pages and metadata).
 * @heap_sys: HeapSys: bytes of heap chunks held (in use and idle).
 * @heap_alloc: HeapAlloc: bytes of live objects.
 * @heap_inuse: HeapInuse: bytes of spans in use (including user spans).
 * @heap_idle: HeapIdle: bytes of free heap pages.
 * @heap_released: HeapReleased: idle bytes given back to the kernel.
 * @heap_objects: HeapObjects: live objects.
 * @mallocs: Mallocs: objects allocated, cumulative.
 * @frees: Frees: objects freed, cumulative.
 * @total_alloc: TotalAlloc: bytes allocated, cumulative.
 * @mspan_inuse: MSpanInuse: bytes of span metadata in use.
 * @mspan_sys: MSpanSys: bytes of span metadata obtained.
 * @mcache_inuse: MCacheInuse: bytes of per-CPU cache structures.
 * @mcache_sys: MCacheSys: bytes obtained for per-CPU caches.
 * @other_sys: OtherSys: other metadata (chunks, central lists, maps).
 * @large_objects: live large objects.
 * @large_alloc: bytes of live large objects.
 * @tiny_objects: live tiny objects.
 * @tiny_alloc: bytes of live tiny objects.
 * @tiny_blocks: live 16-byte tiny blocks.
 * @pcpu_cached: objects in per-CPU caches.
 * @pcpu_cached_bytes: bytes of those objects.
 * @central_cached: objects in the central transfer caches.
 * @central_cached_bytes: bytes of those objects.
 * @chunks: chunks held.
 * @grows: chunks taken from the kernel, cumulative.
 * @grow_fallbacks: of those, chunks smaller than the preferred order.
 * @releases: chunks given back, cumulative.
 * @released_bytes: bytes given back (chunks and runs), cumulative.
 * @scavenges: scavenger passes that released memory, cumulative.
 * @heap_limit: the heap's memory limit in bytes (0: none).
 * @invalid_frees: frees of pointers goheap never handed out.
 * @interior_frees: frees of pointers inside an object.
 * @double_frees: frees of objects already free.
 * @poison_errors: debug mode: freed objects found written to.
 * @redzone_errors: debug mode: objects found written past their end.
 * @pcpu_span_bytes: bytes of freed spans kept in CPUs' span caches (idle).
 *
 * One __u64 per figure of goheap's debugfs file "memstats", in the same
 * order. The order is ABI: figures are only ever appended, and a program
 * built against an older header reads a prefix (struct
 * goheap_memstats_req). Values are a snapshot taken without stopping the
 * allocator, so figures may disagree by what changed while they were read.
 *
 * They describe the whole heap, kernel users' objects included, only for
 * callers with GOHEAP_CAP_HEAP_STATS. For any other caller every figure is
 * 0 except @heap_inuse, which is the bytes of the heap spans (not
 * scattered ones) in the handle table of the file the command is called on.
 */
struct goheap_memstats {
	__u64 sys;
	__u64 heap_sys;
	__u64 heap_alloc;
	__u64 heap_inuse;
	__u64 heap_idle;
	__u64 heap_released;
	__u64 heap_objects;
	__u64 mallocs;
	__u64 frees;
	__u64 total_alloc;
	__u64 mspan_inuse;
	__u64 mspan_sys;
	__u64 mcache_inuse;
	__u64 mcache_sys;
	__u64 other_sys;
	__u64 large_objects;
	__u64 large_alloc;
	__u64 tiny_objects;
	__u64 tiny_alloc;
	__u64 tiny_blocks;
	__u64 pcpu_cached;
	__u64 pcpu_cached_bytes;
	__u64 central_cached;
	__u64 central_cached_bytes;
	__u64 chunks;
	__u64 grows;
	__u64 grow_fallbacks;
	__u64 releases;
	__u64 released_bytes;
	__u64 scavenges;
	__u64 heap_limit;
	__u64 invalid_frees;
	__u64 interior_frees;
	__u64 double_frees;
	__u64 poison_errors;
	__u64 redzone_errors;
	__u64 pcpu_span_bytes;
};

/**
 * struct goheap_memstats_req - read the heap statistics.
 * @ptr: (in) user address of a struct goheap_memstats (or of a prefix of
 *	it, for programs built against an older header).
 * @size: (in) bytes at @ptr: a non-zero multiple of 8.
 * @flags: (in) zero.
 * @written: (out) bytes written at @ptr: min(@size, @avail).
 * @avail: (out) bytes of struct goheap_memstats in this kernel.
 * @reserved: (in/out) zero.
 */
struct goheap_memstats_req {
	__u64 ptr;
	__u32 size;
	__u32 flags;
	__u32 written;
	__u32 avail;
	__u64 reserved[2];
};

#define GOHEAP_IOC_GET_INFO	_IOR(GOHEAP_IOC_MAGIC, 0x00, struct goheap_info)
#define GOHEAP_IOC_SPAN_ALLOC	_IOWR(GOHEAP_IOC_MAGIC, 0x01, struct goheap_span_alloc)
#define GOHEAP_IOC_SPAN_FREE	_IOW(GOHEAP_IOC_MAGIC, 0x02, struct goheap_span_free)
#define GOHEAP_IOC_SPAN_INFO	_IOWR(GOHEAP_IOC_MAGIC, 0x03, struct goheap_span_info)
#define GOHEAP_IOC_GET_MEMSTATS	_IOWR(GOHEAP_IOC_MAGIC, 0x04, struct goheap_memstats_req)

#endif /* _UAPI_LINUX_GOHEAP_H */
