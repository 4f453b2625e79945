// SPDX-License-Identifier: GPL-2.0
/*
 * The tool's side of /dev/goheap (uapi/linux/goheap.h): opening the device
 * with an error that says what to do, one wrapper per ioctl that zeroes its
 * argument (the kernel rejects non-zero reserved fields), and the table of
 * memstats figures in ABI order with their debugfs names and units.
 *
 * Every wrapper prints its own error and returns -1 with errno kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tool.h"

/* dev_open - open /dev/goheap read-write; explain the usual failures. */
int dev_open(void)
{
	int fd = open(g.dev, O_RDWR | O_CLOEXEC);
	int e = errno;

	if (fd >= 0)
		return fd;
	if (e == ENOENT)
		warnx_("%s: %s (is goheap.ko loaded? insmod goheap.ko)", g.dev, strerror(e));
	else if (e == EACCES || e == EPERM)
		warnx_("%s: %s (the node is root-only unless goheap.ko is loaded "
		       "with dev_mode=0666)", g.dev, strerror(e));
	else
		warnx_("%s: %s", g.dev, strerror(e));
	errno = e;
	return -1;
}

int dev_info(int fd, struct goheap_info *info)
{
	memset(info, 0, sizeof(*info));
	if (ioctl(fd, GOHEAP_IOC_GET_INFO, info)) {
		warn_errno("GOHEAP_IOC_GET_INFO");
		return -1;
	}
	if (info->abi_version != GOHEAP_ABI_VERSION) {
		warnx_("goheap ABI version %u, this tool speaks %u", info->abi_version,
		       GOHEAP_ABI_VERSION);
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/*
 * dev_memstats - read the statistics; @nfields gets the number of figures
 * the kernel filled in (a kernel older than this header fills a prefix).
 */
int dev_memstats(int fd, struct goheap_memstats *ms, unsigned int *nfields)
{
	struct goheap_memstats_req req;

	memset(ms, 0, sizeof(*ms));
	memset(&req, 0, sizeof(req));
	req.ptr = (uintptr_t)ms;
	req.size = sizeof(*ms);
	if (ioctl(fd, GOHEAP_IOC_GET_MEMSTATS, &req)) {
		warn_errno("GOHEAP_IOC_GET_MEMSTATS");
		return -1;
	}
	*nfields = req.written / sizeof(uint64_t);
	if (*nfields > ms_nfields)
		*nfields = ms_nfields;
	return 0;
}

int dev_span_alloc(int fd, uint64_t npages, uint32_t flags, struct goheap_span_alloc *sa)
{
	int e;

	memset(sa, 0, sizeof(*sa));
	sa->npages = npages;
	sa->flags = flags;
	if (!ioctl(fd, GOHEAP_IOC_SPAN_ALLOC, sa))
		return 0;
	e = errno;
	if (e == ENOMEM)
		warnx_("span of %llu heap pages: %s (limits: max_file_pages per open file, "
		       "RLIMIT_MEMLOCK per user without CAP_IPC_LOCK, dev_max_bytes, "
		       "max_heap_bytes)",
		       (unsigned long long)npages, strerror(e));
	else
		warnx_("span of %llu heap pages: %s", (unsigned long long)npages, strerror(e));
	errno = e;
	return -1;
}

int dev_span_free(int fd, uint32_t handle)
{
	struct goheap_span_free sf;
	int e;

	memset(&sf, 0, sizeof(sf));
	sf.handle = handle;
	if (!ioctl(fd, GOHEAP_IOC_SPAN_FREE, &sf))
		return 0;
	e = errno;
	if (e == EBUSY)
		warnx_("free span %u: %s (it is mapped: unmap it first)", handle, strerror(e));
	else
		warnx_("free span %u: %s", handle, strerror(e));
	errno = e;
	return -1;
}

/* dev_span_info - GOHEAP_IOC_SPAN_INFO; PFNs only when @npfns is non-zero. */
int dev_span_info(int fd, uint32_t handle, uint64_t *pfns, uint64_t npfns,
		  struct goheap_span_info *si)
{
	int e;

	memset(si, 0, sizeof(*si));
	si->handle = handle;
	if (npfns) {
		si->pfns = (uintptr_t)pfns;
		si->pfn_count = npfns;
	}
	if (!ioctl(fd, GOHEAP_IOC_SPAN_INFO, si))
		return 0;
	e = errno;
	warnx_("info of span %u: %s", handle, strerror(e));
	errno = e;
	return -1;
}

const char *span_flags_str(uint32_t flags, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ GOHEAP_SPAN_CONTIGUOUS, "contiguous" },
		{ GOHEAP_SPAN_PREFAULT, "prefault" },
		{ GOHEAP_SPAN_SCATTERED, "scattered" },
		{ GOHEAP_SPAN_ZEROED, "zeroed" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & names[i].bit)
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "," : "",
				      names[i].name);
	if (!n)
		snprintf(buf, len, "-");
	return buf;
}

#define MS(field, name, unit, group, what) \
	{ name, offsetof(struct goheap_memstats, field), unit, group, what }

/* In ABI order: struct goheap_memstats, and the lines of debugfs "memstats". */
const struct ms_field ms_fields[] = {
	MS(sys, "Sys", MS_BYTES, "heap", "all memory taken from the kernel"),
	MS(heap_sys, "HeapSys", MS_BYTES, "heap", "chunks held: HeapInuse + HeapIdle"),
	MS(heap_alloc, "HeapAlloc", MS_BYTES, "heap", "live objects"),
	MS(heap_inuse, "HeapInuse", MS_BYTES, "heap", "spans in use (user spans too)"),
	MS(heap_idle, "HeapIdle", MS_BYTES, "heap", "free heap pages"),
	MS(heap_released, "HeapReleased", MS_BYTES, "heap", "idle pages given back"),
	MS(heap_objects, "HeapObjects", MS_COUNT, "objects", "live objects"),
	MS(mallocs, "Mallocs", MS_COUNT, "objects", "objects allocated, cumulative"),
	MS(frees, "Frees", MS_COUNT, "objects", "objects freed, cumulative"),
	MS(total_alloc, "TotalAlloc", MS_BYTES, "objects", "bytes allocated, cumulative"),
	MS(mspan_inuse, "MSpanInuse", MS_BYTES, "metadata", "span descriptors in use"),
	MS(mspan_sys, "MSpanSys", MS_BYTES, "metadata", "span descriptors obtained"),
	MS(mcache_inuse, "MCacheInuse", MS_BYTES, "metadata", "per-CPU caches"),
	MS(mcache_sys, "MCacheSys", MS_BYTES, "metadata", "per-CPU caches obtained"),
	MS(other_sys, "OtherSys", MS_BYTES, "metadata", "chunks, summaries, central lists"),
	MS(large_objects, "LargeObjects", MS_COUNT, "breakdown", "live objects over 32 KiB"),
	MS(large_alloc, "LargeAlloc", MS_BYTES, "breakdown", "their spans"),
	MS(tiny_objects, "TinyObjects", MS_COUNT, "breakdown", "live tiny objects"),
	MS(tiny_alloc, "TinyAlloc", MS_BYTES, "breakdown", "their bytes as requested"),
	MS(tiny_blocks, "TinyBlocks", MS_COUNT, "breakdown", "live 16 B tiny blocks"),
	MS(pcpu_cached, "PerCPUCachedObjects", MS_COUNT, "breakdown", "objects in per-CPU arrays"),
	MS(pcpu_cached_bytes, "PerCPUCachedBytes", MS_BYTES, "breakdown", "their bytes"),
	MS(central_cached, "CentralCachedObjects", MS_COUNT, "breakdown",
	   "objects in transfer caches"),
	MS(central_cached_bytes, "CentralCachedBytes", MS_BYTES, "breakdown", "their bytes"),
	MS(chunks, "Chunks", MS_COUNT, "page heap", "chunks held"),
	MS(grows, "Grows", MS_COUNT, "page heap", "chunks taken, cumulative"),
	MS(grow_fallbacks, "GrowFallbacks", MS_COUNT, "page heap", "of those, smaller than asked"),
	MS(releases, "Releases", MS_COUNT, "page heap", "chunks given back, cumulative"),
	MS(released_bytes, "ReleasedBytes", MS_BYTES, "page heap", "bytes given back, cumulative"),
	MS(scavenges, "Scavenges", MS_COUNT, "page heap", "scavenger passes that released"),
	MS(heap_limit, "HeapLimit", MS_BYTES, "page heap", "max_heap_bytes (0: none)"),
	MS(invalid_frees, "InvalidFrees", MS_COUNT, "bad frees", "pointers not from the heap"),
	MS(interior_frees, "InteriorFrees", MS_COUNT, "bad frees", "pointers inside an object"),
	MS(double_frees, "DoubleFrees", MS_COUNT, "bad frees", "objects already free"),
	MS(poison_errors, "PoisonErrors", MS_COUNT, "bad frees", "debug: writes after free"),
	MS(redzone_errors, "RedzoneErrors", MS_COUNT, "bad frees", "debug: writes past the end"),
	MS(pcpu_span_bytes, "PerCPUSpanBytes", MS_BYTES, "breakdown", "freed spans kept per CPU"),
};

const unsigned int ms_nfields = ARRAY_SIZE(ms_fields);

_Static_assert(ARRAY_SIZE(ms_fields) == sizeof(struct goheap_memstats) / sizeof(__u64),
	       "one ms_fields entry per figure of struct goheap_memstats");

uint64_t ms_by_name(const struct goheap_memstats *ms, const char *name)
{
	unsigned int i;

	for (i = 0; i < ms_nfields; i++)
		if (!strcmp(ms_fields[i].name, name))
			return ms_get(ms, i);
	return 0;
}
