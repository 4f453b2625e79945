// SPDX-License-Identifier: GPL-2.0
/*
 * Working memory for the experiments: one virtually contiguous range of a
 * given kind, whatever its size.
 *
 *   span            heap spans as the page heap hands them out
 *   span-prefault   the same, populated at mmap time (GOHEAP_SPAN_PREFAULT)
 *   span-contig     GOHEAP_SPAN_CONTIGUOUS spans (aligned buddy blocks)
 *   span-scattered  GOHEAP_SPAN_SCATTERED spans (no two pages adjacent)
 *   anon-4k         anonymous memory with MADV_NOHUGEPAGE
 *   anon-thp        anonymous memory, 2 MiB aligned, with MADV_HUGEPAGE
 *
 * A span is at most one chunk (4 MiB), and an open file holds at most
 * max_file_pages heap pages, so a large range of span memory is several
 * spans, from as many open files as needed, mapped side by side with
 * MAP_FIXED into one reservation. Every range starts on a 2 MiB boundary,
 * so that the kinds differ only in what backs them.
 *
 * region_create() does not print: it leaves the reason of a failure in
 * struct region's @err, so that an experiment can report the kind as
 * skipped and go on with the others.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tool.h"

const char *const mem_kind_name[MK_NR] = {
	[MK_SPAN] = "span",
	[MK_SPAN_PREFAULT] = "span-prefault",
	[MK_SPAN_CONTIG] = "span-contig",
	[MK_SPAN_SCATTERED] = "span-scattered",
	[MK_ANON_4K] = "anon-4k",
	[MK_ANON_THP] = "anon-thp",
};

const char *const mem_kind_what[MK_NR] = {
	[MK_SPAN] = "goheap span, mapped on demand",
	[MK_SPAN_PREFAULT] = "goheap span, GOHEAP_SPAN_PREFAULT",
	[MK_SPAN_CONTIG] = "goheap span, GOHEAP_SPAN_CONTIGUOUS",
	[MK_SPAN_SCATTERED] = "goheap span, GOHEAP_SPAN_SCATTERED",
	[MK_ANON_4K] = "anonymous mmap, MADV_NOHUGEPAGE",
	[MK_ANON_THP] = "anonymous mmap, MADV_HUGEPAGE",
};

bool mem_kind_is_span(enum mem_kind k)
{
	return k <= MK_SPAN_SCATTERED;
}

static uint32_t kind_flags(enum mem_kind k)
{
	switch (k) {
	case MK_SPAN_PREFAULT:
		return GOHEAP_SPAN_PREFAULT;
	case MK_SPAN_CONTIG:
		return GOHEAP_SPAN_CONTIGUOUS;
	case MK_SPAN_SCATTERED:
		return GOHEAP_SPAN_SCATTERED;
	default:
		return 0;
	}
}

static int fail(struct region *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct region *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	region_destroy(r);
	return -1;
}

/* An open file with room for @npages more heap pages, opening one if needed. */
static int file_for(struct region *r, uint64_t npages, uint64_t *used,
		    const struct goheap_info *info)
{
	int fd;

	if (r->nfds && used[r->nfds - 1] + npages <= info->max_file_pages)
		return (int)r->nfds - 1;
	if (r->nfds == ARRAY_SIZE(r->fds))
		return -1;
	fd = open(g.dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r->fds[r->nfds] = fd;
	used[r->nfds] = 0;
	return (int)r->nfds++;
}

static int add_spans(struct region *r, uint32_t flags, const struct goheap_info *info)
{
	uint64_t hp = info->heap_page_size, total = r->len / hp, done = 0;
	uint64_t used[ARRAY_SIZE(r->fds)];
	unsigned int max = info->max_span_pages;

	r->spans = calloc(total / max + 1, sizeof(*r->spans));
	if (!r->spans)
		return fail(r, "out of memory");
	while (done < total) {
		uint64_t n = total - done < max ? total - done : max;
		struct goheap_span_alloc sa;
		struct region_span *s;
		uint64_t t0;
		void *p;
		int fi = file_for(r, n, used, info);

		if (fi < 0)
			return fail(r, "%s: %s", g.dev, r->nfds == ARRAY_SIZE(r->fds) ?
				    "too many open files needed" : strerror(errno));
		memset(&sa, 0, sizeof(sa));
		sa.npages = n;
		sa.flags = flags;
		if (ioctl(r->fds[fi], GOHEAP_IOC_SPAN_ALLOC, &sa))
			return fail(r, "span of %llu pages: %s%s", (unsigned long long)n,
				    strerror(errno), errno == ENOMEM ?
				    " (RLIMIT_MEMLOCK, dev_max_bytes, max_file_pages or memory)" :
				    "");
		used[fi] += n;
		s = &r->spans[r->nspans++];
		s->fd = r->fds[fi];
		s->handle = sa.handle;
		s->npages = n;
		s->len = sa.size;
		t0 = now_ns();
		p = mmap(r->base + done * hp, sa.size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, s->fd, (off_t)sa.offset);
		r->mmap_ns += now_ns() - t0;
		if (p == MAP_FAILED) {
			s->len = 0;	/* not mapped: nothing to unmap */
			return fail(r, "mmap of span %u: %s", sa.handle, strerror(errno));
		}
		done += n;
	}
	return 0;
}

/*
 * region_create - @len bytes (rounded up to whole heap pages for spans) of
 * memory of @kind, at a 2 MiB aligned address. Span kinds take the extra
 * GOHEAP_SPAN_* flags @extra (GOHEAP_SPAN_PREFAULT, for the TLB chase).
 */
int region_create_flags(struct region *r, enum mem_kind kind, size_t len,
			const struct goheap_info *info, uint32_t extra)
{
	uintptr_t a;
	uint64_t t0;

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	if (mem_kind_is_span(kind))
		len = (len + info->heap_page_size - 1) / info->heap_page_size *
		      info->heap_page_size;
	r->len = len;
	r->resv_len = len + HUGE_PAGE;
	r->resv = mmap(NULL, r->resv_len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->resv == MAP_FAILED) {
		r->resv = NULL;
		return fail(r, "reserving %zu bytes: %s", r->resv_len, strerror(errno));
	}
	a = ((uintptr_t)r->resv + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	r->base = (char *)a;
	if (mem_kind_is_span(kind))
		return add_spans(r, kind_flags(kind) | extra, info);

	t0 = now_ns();
	if (mmap(r->base, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		return fail(r, "anonymous mmap of %zu bytes: %s", len, strerror(errno));
	r->mmap_ns = now_ns() - t0;
	/*
	 * A kernel without CONFIG_TRANSPARENT_HUGEPAGE (PREEMPT_RT before
	 * 6.13) refuses both advices: the memory is then 4 KiB pages anyway,
	 * and the experiments report that no huge page backed it.
	 */
	if (madvise(r->base, len, kind == MK_ANON_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) &&
	    !(errno == EINVAL && !thp_available()))
		return fail(r, "madvise(%s): %s",
			    kind == MK_ANON_THP ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE",
			    strerror(errno));
	return 0;
}

int region_create(struct region *r, enum mem_kind kind, size_t len,
		  const struct goheap_info *info)
{
	return region_create_flags(r, kind, len, info, 0);
}

/* region_destroy - unmap everything, free the spans, close the files. */
void region_destroy(struct region *r)
{
	unsigned int i;

	if (r->resv)
		munmap(r->resv, r->resv_len);
	r->resv = NULL;
	for (i = 0; i < r->nspans; i++) {
		struct goheap_span_free sf;

		memset(&sf, 0, sizeof(sf));
		sf.handle = r->spans[i].handle;
		if (ioctl(r->spans[i].fd, GOHEAP_IOC_SPAN_FREE, &sf))
			warn_errno("free span %u", sf.handle);
	}
	for (i = 0; i < r->nfds; i++)
		close(r->fds[i]);
	free(r->spans);
	r->spans = NULL;
	r->nspans = 0;
	r->nfds = 0;
}

/* region_span_faults - faults taken through the region's spans so far. */
uint64_t region_span_faults(struct region *r)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < r->nspans; i++) {
		struct goheap_span_info si;

		if (!dev_span_info(r->spans[i].fd, r->spans[i].handle, NULL, 0, &si))
			sum += si.faults;
	}
	return sum;
}

/* region_span_runs - physically contiguous runs, summed over the spans. */
uint64_t region_span_runs(struct region *r, uint64_t *hw_pages)
{
	uint64_t sum = 0;
	unsigned int i;

	*hw_pages = 0;
	for (i = 0; i < r->nspans; i++) {
		struct goheap_span_info si;

		if (!dev_span_info(r->spans[i].fd, r->spans[i].handle, NULL, 0, &si)) {
			sum += si.runs;
			*hw_pages += si.hw_pages;
		}
	}
	return sum;
}
