// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_fuzz: the operations on files and spans. Where an ioctl's argument
 * lives (the stack, NULL, kernel or non-canonical addresses, PROT_NONE or
 * read-only pages, a goheap mapping); open, dup and close; and GET_INFO,
 * SPAN_ALLOC, SPAN_FREE, SPAN_INFO, GET_MEMSTATS and unknown ioctls, each
 * with its errno predicted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

/* ---------------------------------------------------------------------
 * Where an ioctl's argument lives: good, unmapped, read-only, in a span
 */

enum { A_OK, A_NULL, A_KERNEL, A_NONCANON, A_NONE, A_STRADDLE, A_RO, A_GOHEAP };
static const char *const akind[] = {
	"stack", "NULL", "kernel address", "non-canonical address", "PROT_NONE page",
	"straddling a PROT_NONE page", "read-only page", "goheap mapping",
};

struct argp {
	int kind;
	char *p;
	int v;
	uint32_t pg;
};

/* @any: a goheap mapping of any protection will do (else only writable ones). */
static void arg_choose(struct argp *a, void *stack, size_t size, bool any)
{
	uint32_t r = rnd(100);

	a->kind = r < 80 ? A_OK : r < 82 ? A_NULL : r < 84 ? A_KERNEL : r < 85 ? A_NONCANON :
		  r < 87 ? A_NONE : r < 89 ? A_STRADDLE : r < 94 ? A_RO : A_GOHEAP;
	a->p = stack;
	switch (a->kind) {
	case A_NULL:
		a->p = NULL;
		break;
	case A_KERNEL:
		a->p = (char *)0xffff888000000000UL;
		break;
	case A_NONCANON:
		a->p = (char *)0xdead000000000000UL;
		break;
	case A_NONE:
		a->p = guard + PAGE + rnd((PAGE - size) / 8) * 8;
		break;
	case A_STRADDLE:
		a->p = guard + PAGE - (size / 2 & ~7UL);
		break;
	case A_RO:
		a->p = guard + 2 * PAGE + rnd((PAGE - size) / 8) * 8;
		break;
	case A_GOHEAP:
		a->v = any ? pick_vma() : pick_vma_prot(PROT_WRITE);
		if (a->v < 0) {
			a->kind = A_OK;
			break;
		}
		a->pg = rnd(vmas[a->v].npg);
		a->p = (char *)vmas[a->v].addr + a->pg * PAGE + rnd((PAGE - size) / 8) * 8;
		break;
	}
}

static bool arg_readable(const struct argp *a)
{
	return a->kind == A_OK || a->kind == A_RO ||
	       (a->kind == A_GOHEAP && cpu_readable(a->v));
}

static bool arg_writable(const struct argp *a)
{
	return a->kind == A_OK || (a->kind == A_GOHEAP && cpu_writable(a->v));
}

/* Put the request @req there, as far as we can. */
static void arg_store(struct argp *a, const void *req, size_t size)
{
	switch (a->kind) {
	case A_OK:
		if (a->p != req)
			memcpy(a->p, req, size);
		break;
	case A_RO:
		if (mprotect(guard + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE))
			die("mprotect");
		memcpy(a->p, req, size);
		if (mprotect(guard + 2 * PAGE, PAGE, PROT_READ))
			die("mprotect");
		break;
	case A_GOHEAP:
		if (!cpu_writable(a->v))
			break;
		*stamp_of(a->v, a->pg) = UNKNOWN;
		memcpy(a->p, req, size);
		touched(a->v, a->pg);
		break;
	}
}

static void arg_load(const struct argp *a, void *rep, size_t size)
{
	if (arg_readable(a) && a->p != rep)
		memcpy(rep, a->p, size);
}

/* ---------------------------------------------------------------------
 * Descriptors and files
 */

static int file_seq;

const char *mode_name(int mode)
{
	return mode == O_RDONLY ? "O_RDONLY" : mode == O_WRONLY ? "O_WRONLY" : "O_RDWR";
}

bool op_open(void)
{
	int i, f, fd, mode, err;

	for (i = 0; i < MAX_FDS && fds[i].used; i++)
		;
	for (f = 0; f < MAX_FILES && files[f].used; f++)
		;
	if (i == MAX_FDS || f == MAX_FILES)
		return false;
	mode = chance(80) ? O_RDWR : chance(60) ? O_RDONLY : O_WRONLY;
	desc("open(%s, %s)", DEV, mode_name(mode));
	fd = open(DEV, mode | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	result(err);
	expect("open", err, 0, true);
	if (fd < 0)
		return true;
	files[f] = (struct mfile){ .used = true, .id = ++file_seq, .mode = mode, .nfds = 1 };
	fds[i] = (struct mfd){ .used = true, .fd = fd, .file = f };
	return true;
}

bool op_dup(void)
{
	int i, j, fd;

	for (i = 0; i < MAX_FDS && fds[i].used; i++)
		;
	j = pick_fd();
	if (i == MAX_FDS || j < 0)
		return false;
	desc("dup(fd %d of file %d)", fds[j].fd, files[fds[j].file].id);
	fd = fcntl(fds[j].fd, F_DUPFD_CLOEXEC, 0);
	result(fd < 0 ? errno : 0);
	if (fd < 0)
		fail("dup: %s", errname(errno));
	fds[i] = (struct mfd){ .used = true, .fd = fd, .file = fds[j].file };
	files[fds[j].file].nfds++;
	return true;
}

bool op_close(void)
{
	int i = pick_fd(), f;

	if (i < 0)
		return false;
	f = fds[i].file;
	desc("close(fd %d of file %d: %d fds, %d VMAs)", fds[i].fd, files[f].id, files[f].nfds,
	     file_vmas(f));
	result(close(fds[i].fd) ? errno : 0);
	fds[i].used = false;
	files[f].nfds--;
	maybe_release(f);
	return true;
}

/* ---------------------------------------------------------------------
 * ioctls
 */

bool op_get_info(void)
{
	struct goheap_info gi, buf;
	struct argp a;
	int i = pick_fd(), f, err, want;

	if (i < 0)
		return false;
	f = fds[i].file;
	arg_choose(&a, &buf, sizeof(buf), true);
	desc("GET_INFO(fd %d of file %d, arg %s)", fds[i].fd, files[f].id, akind[a.kind]);
	memset(&buf, 0xA5, sizeof(buf));
	arg_store(&a, &buf, sizeof(buf));
	want = arg_writable(&a) ? 0 : EFAULT;
	err = xioctl(fds[i].fd, GOHEAP_IOC_GET_INFO, a.p);
	result(err);
	expect("GET_INFO", err, want, false);
	if (err)
		return true;
	arg_load(&a, &gi, sizeof(gi));
	if (gi.abi_version != GOHEAP_ABI_VERSION || gi.flags || gi.features != ALL_FEATURES ||
	    gi.heap_page_size != hp || gi.hw_page_size != PAGE || gi.nr_size_classes != 66 ||
	    gi.max_span_pages != max_span || gi.max_file_pages != cap_pages ||
	    gi.file_pages != files[f].pages || gi.memstats_size != sizeof(struct goheap_memstats) ||
	    gi.caps != ((cap_admin ? GOHEAP_CAP_PFNS : 0) |
			(heap_stats ? GOHEAP_CAP_HEAP_STATS : 0)))
		fail("GET_INFO: abi %u flags %#x features %#llx page %u/%u classes %u max_span %u "
		     "max_file %llu file_pages %llu (want %" PRIu64 ", cap %" PRIu64 ") "
		     "memstats %u caps %#x",
		     gi.abi_version, gi.flags, (unsigned long long)gi.features, gi.heap_page_size,
		     gi.hw_page_size, gi.nr_size_classes, gi.max_span_pages,
		     (unsigned long long)gi.max_file_pages, (unsigned long long)gi.file_pages,
		     files[f].pages, cap_pages, gi.memstats_size, gi.caps);
	if (gi.reserved)
		fail("GET_INFO: reserved = %#llx", (unsigned long long)gi.reserved);
	/* All users' charge: ours at least, and only for those who may see it. */
	if (heap_stats ? gi.dev_charged < gi.user_charged : gi.dev_charged != 0)
		fail("GET_INFO: dev_charged %llu, user_charged %llu",
		     (unsigned long long)gi.dev_charged, (unsigned long long)gi.user_charged);
	check_user("GET_INFO", gi.user_charged);
	return true;
}

const uint32_t valid_flags[] = {
	0, GOHEAP_SPAN_CONTIGUOUS, GOHEAP_SPAN_PREFAULT, GOHEAP_SPAN_SCATTERED,
	GOHEAP_SPAN_ZEROED, GOHEAP_SPAN_CONTIGUOUS | GOHEAP_SPAN_PREFAULT,
	GOHEAP_SPAN_SCATTERED | GOHEAP_SPAN_PREFAULT, GOHEAP_SPAN_PREFAULT,
	GOHEAP_SPAN_CONTIGUOUS | GOHEAP_SPAN_PREFAULT | GOHEAP_SPAN_ZEROED,
	GOHEAP_SPAN_SCATTERED | GOHEAP_SPAN_ZEROED, 0, GOHEAP_SPAN_PREFAULT,
};

static uint64_t pick_npages(void)
{
	static const uint64_t wild[] = {
		1ULL << 32, (1ULL << 52) + 1, ~0ULL, 1ULL << 63, (1ULL << 32) + 1,
		0x80000000ULL, 0xffffffffULL,
	};
	uint32_t r = rnd(100);

	if (r < 55)
		return 1 + rnd(8);
	if (r < 75)
		return 1 + rnd(64);
	if (r < 79)
		return max_span;
	if (r < 83)
		return max_span - rnd(3);
	if (r < 87)
		return 0;
	if (r < 91)
		return max_span + 1 + rnd(4);
	if (r < 95)
		return wild[rnd(ARRAY_SIZE(wild))];
	return 1 + rnd(max_span);
}

/* The errno SPAN_ALLOC must give for this request in file @f (0: success). */
int alloc_predict(int f, const struct goheap_span_alloc *req)
{
	if (req->flags & ~SPAN_FLAGS || req->reserved[0] || req->reserved[1])
		return EINVAL;
	if ((req->flags & GOHEAP_SPAN_CONTIGUOUS) && (req->flags & GOHEAP_SPAN_SCATTERED))
		return EINVAL;
	if (!req->npages || req->npages > max_span)
		return EINVAL;
	if (files[f].pages + req->npages > cap_pages)
		return ENOMEM;
	/* The user's charge is at least the model's (pinned freed spans add to it). */
	if (!cap_ipc_lock && user_pages() + req->npages * hw_per_hp > memlock_pages())
		return ENOMEM;
	return 0;
}

/* Enter a new span in the model. */
int span_new(int f, const struct goheap_span_alloc *rep)
{
	int s = free_span_slot();

	if (s < 0)
		fail("model: out of span slots");
	spans[s] = (struct mspan){ .used = true, .file = f, .handle = rep->handle,
				   .npages = rep->npages, .nr_hw = rep->npages * hw_per_hp,
				   .flags = rep->flags };
	memset(sh->stamps[s], 0, sizeof(sh->stamps[s]));
	sh->faults_lo[s] = 0;
	sh->faults_hi[s] = 0;
	files[f].pages += rep->npages;
	files[f].next = rep->handle + 1;
	return s;
}

void check_alloc_reply(const struct goheap_span_alloc *req,
		       const struct goheap_span_alloc *rep, uint32_t handle)
{
	if (rep->npages != req->npages || rep->flags != req->flags || rep->handle != handle ||
	    rep->offset != (uint64_t)handle << OFF_SHIFT || rep->size != req->npages * hp ||
	    rep->reserved[0] || rep->reserved[1])
		fail("SPAN_ALLOC reply: npages %llu flags %#x handle %u (want %u) offset %#llx "
		     "size %llu reserved %#llx %#llx",
		     (unsigned long long)rep->npages, rep->flags, rep->handle, handle,
		     (unsigned long long)rep->offset, (unsigned long long)rep->size,
		     (unsigned long long)rep->reserved[0], (unsigned long long)rep->reserved[1]);
}

bool op_span_alloc(void)
{
	struct goheap_span_alloc req, rep, buf;
	struct argp a;
	int i = pick_fd(), f, err, want;
	uint32_t handle;

	if (i < 0)
		return false;
	f = fds[i].file;
	if (files[f].ext)
		return false;	/* another process's file: the parent's model must not change */
	memset(&req, 0, sizeof(req));
	req.npages = pick_npages();
	req.flags = valid_flags[rnd(ARRAY_SIZE(valid_flags))];
	if (chance(8))
		req.flags |= 1U << (4 + rnd(28));
	else if (chance(5))
		req.flags |= GOHEAP_SPAN_CONTIGUOUS | GOHEAP_SPAN_SCATTERED;
	if (chance(4))
		req.reserved[rnd(2)] = 1ULL << rnd(64);
	want = alloc_predict(f, &req);
	if (!want && (live_bytes(false) + req.npages * hp > budget || free_span_slot() < 0)) {
		req.npages = 1 + rnd(4);
		if (live_bytes(false) + req.npages * hp > budget || free_span_slot() < 0)
			return false;
		want = alloc_predict(f, &req);
	}
	handle = predict_handle(f);
	arg_choose(&a, &buf, sizeof(buf), false);
	desc("SPAN_ALLOC(fd %d of file %d, npages %llu, flags %#x, reserved %#llx %#llx, "
	     "arg %s): want %s%s",
	     fds[i].fd, files[f].id, (unsigned long long)req.npages, req.flags,
	     (unsigned long long)req.reserved[0], (unsigned long long)req.reserved[1],
	     akind[a.kind], errname(want), want ? "" : " or ENOMEM");
	buf = req;
	arg_store(&a, &req, sizeof(req));
	if (!arg_readable(&a))
		want = EFAULT;
	err = xioctl(fds[i].fd, GOHEAP_IOC_SPAN_ALLOC, a.p);
	result(err);
	if (!want && !arg_writable(&a)) {
		/* Allocated, not published: the handle is used up (or ENOMEM). */
		expect("SPAN_ALLOC, reply not writable", err, err == ENOMEM ? 0 : EFAULT, true);
		if (err == EFAULT)
			files[f].next = handle + 1;
		return true;
	}
	expect("SPAN_ALLOC", err, want, true);
	if (err)
		return true;
	arg_load(&a, &rep, sizeof(rep));
	check_alloc_reply(&req, &rep, handle);
	span_new(f, &rep);
	return true;
}

bool op_span_free(void)
{
	struct goheap_span_free req = { 0 }, buf;
	struct argp a;
	int i = pick_fd(), f, s = -1, err, want, o;
	uint32_t r = rnd(100);

	if (i < 0)
		return false;
	f = fds[i].file;
	s = pick_span_of(f);
	o = pick_span_of(-1);
	if (r < 60 && s >= 0) {
		/* prefer spans that can go */
		if (spans[s].nvmas && chance(60)) {
			for (o = 0; o < MAX_SPANS; o++)
				if (spans[o].used && spans[o].file == f && !spans[o].nvmas &&
				    spans[o].ext_vmas == 0)
					s = o;
		}
		req.handle = spans[s].handle;
	} else if (r < 70) {
		req.handle = 1 + rnd(files[f].next + 4);
	} else if (r < 75) {
		req.handle = 0;
	} else if (r < 80) {
		req.handle = rnd64();
	} else if (r < 85 && o >= 0) {
		req.handle = spans[o].handle;	/* maybe another file's */
	} else if (r < 92) {
		req.handle = s >= 0 ? spans[s].handle : 1;
		req.flags = 1U << rnd(32);
	} else {
		req.handle = s >= 0 ? spans[s].handle : 1;
		req.reserved = rnd64() | 1;
	}
	s = span_by_handle(f, req.handle);
	if (s >= 0 && span_maps(s) < 0)
		return false;	/* a child may map it: cannot tell */
	if (req.flags || req.reserved)
		want = EINVAL;
	else if (s < 0)
		want = ENOENT;
	else
		want = span_maps(s) ? EBUSY : 0;
	if (!want && files[f].ext)
		return false;	/* would change another process's file */
	arg_choose(&a, &buf, sizeof(buf), false);
	desc("SPAN_FREE(fd %d of file %d, handle %u, flags %#x, reserved %#llx, arg %s): want %s",
	     fds[i].fd, files[f].id, req.handle, req.flags, (unsigned long long)req.reserved,
	     akind[a.kind], errname(arg_readable(&a) ? want : EFAULT));
	buf = req;
	arg_store(&a, &req, sizeof(req));
	if (!arg_readable(&a))
		want = EFAULT;
	err = xioctl(fds[i].fd, GOHEAP_IOC_SPAN_FREE, a.p);
	result(err);
	expect("SPAN_FREE", err, want, false);
	if (!err)
		span_gone(s);
	return true;
}

static uint64_t pfnbuf[MAX_HW + 16];

static void check_pfns(int s, uint64_t n, const uint64_t *pfns)
{
	uint64_t i, align;

	for (i = 0; i < n; i++)
		if (!pfns[i])
			fail("SPAN_INFO: PFN %" PRIu64 " of span %d is 0", i, s);
	if (heap_span(s)) {
		for (i = 1; i < n; i++)
			if (pfns[i] != pfns[0] + i)
				fail("SPAN_INFO: heap span %d: PFN %" PRIu64 " is %#" PRIx64
				     ", want %#" PRIx64, s, i, pfns[i], pfns[0] + i);
	} else {
		for (i = 1; i < n; i++)
			if (pfns[i] == pfns[i - 1] + 1)
				fail("SPAN_INFO: scattered span %d: PFNs %" PRIu64 " and %" PRIu64
				     " adjacent", s, i - 1, i);
	}
	if (spans[s].flags & GOHEAP_SPAN_CONTIGUOUS) {
		for (align = 1; align * 2 <= spans[s].npages; align *= 2)
			;
		align *= hw_per_hp;
		if (pfns[0] % align)
			fail("SPAN_INFO: contiguous span %d of %u pages: first PFN %#" PRIx64
			     " not aligned to %" PRIu64 " pages", s, spans[s].npages, pfns[0],
			     align);
	}
}

bool op_span_info(void)
{
	struct goheap_span_info req, rep, buf;
	struct argp a;
	int i = pick_fd(), f, s, err, want, pv = -1;
	uint64_t n = 0, k, room = 0;
	bool reach, into_span = false;
	uint32_t r = rnd(100), ppg = 0;

	if (i < 0)
		return false;
	f = fds[i].file;
	memset(&req, 0, sizeof(req));
	s = pick_span_of(f);
	req.handle = s >= 0 && r < 85 ? spans[s].handle : r < 92 ? rnd(files[f].next + 3) : rnd64();
	s = span_by_handle(f, req.handle);
	if (chance(4))
		req.flags = 1U << rnd(32);
	if (chance(4))
		req.reserved[rnd(2)] = rnd64() | 1;
	if (chance(40)) {
		static const uint64_t counts[] = { 1, 2, 0, 0, 5, 1ULL << 40, ~0ULL };

		req.pfn_count = counts[rnd(ARRAY_SIZE(counts))];
		if (!req.pfn_count && s >= 0)
			req.pfn_count = chance(50) ? spans[s].nr_hw : 1 + rnd(spans[s].nr_hw);
		else if (!req.pfn_count)
			req.pfn_count = 3;
		req.pfns = (uintptr_t)pfnbuf;
		room = sizeof(pfnbuf);
		if (chance(10)) {
			/* the array runs into a PROT_NONE page */
			req.pfns = (uintptr_t)guard + PAGE - 8 * (1 + rnd(4));
			room = (uintptr_t)guard + PAGE - req.pfns;
		} else if (chance(8)) {
			req.pfns = chance(50) ? 0x10 : 0xffff888000000000ULL;
			room = 0;
		} else {
			into_span = chance(10);
		}
	} else if (chance(3)) {
		req.pfns = (uintptr_t)pfnbuf;	/* pfns without pfn_count */
	}
	if (req.flags || req.reserved[0] || req.reserved[1] || (!req.pfn_count && req.pfns))
		want = EINVAL;
	else if (req.pfn_count && !cap_admin)
		want = EPERM;
	else if (s < 0)
		want = ENOENT;
	else
		want = 0;
	if (!want && req.pfn_count) {
		n = MIN(req.pfn_count, spans[s].nr_hw);
		if (n * 8 > room)
			want = EFAULT;
	}
	pv = into_span && !want ? pick_vma_prot(PROT_WRITE) : -1;
	if (pv >= 0) {
		/* the PFNs go to a goheap mapping, if they fit in it */
		ppg = rnd(vmas[pv].npg);
		if ((vmas[pv].npg - ppg) * PAGE >= n * 8)
			req.pfns = vmas[pv].addr + ppg * PAGE;
		else
			pv = -1;
	}
	arg_choose(&a, &buf, sizeof(buf), false);
	desc("SPAN_INFO(fd %d of file %d, handle %u, flags %#x, pfns %#llx, pfn_count %llu, "
	     "arg %s): want %s",
	     fds[i].fd, files[f].id, req.handle, req.flags, (unsigned long long)req.pfns,
	     (unsigned long long)req.pfn_count, akind[a.kind],
	     errname(arg_readable(&a) ? want : EFAULT));
	memset(&buf, 0xA5, sizeof(buf));
	memcpy(&buf, &req, offsetof(struct goheap_span_info, npages));
	memset(buf.reserved, 0, sizeof(buf.reserved));
	buf.reserved[0] = req.reserved[0];
	buf.reserved[1] = req.reserved[1];
	memset(pfnbuf, 0xA5, sizeof(pfnbuf));
	arg_store(&a, &buf, sizeof(buf));
	if (!arg_readable(&a))
		want = EFAULT;
	reach = !want;			/* the kernel gets to the PFNs */
	if (!want && !arg_writable(&a))
		want = EFAULT;		/* PFNs are written, the reply is not */
	if (pv >= 0 && reach) {
		/* the kernel writes the PFNs into a goheap mapping */
		for (k = 0; k < (n * 8 + PAGE - 1) / PAGE; k++) {
			*stamp_of(pv, ppg + k) = UNKNOWN;
			touched(pv, ppg + k);
		}
	}
	err = xioctl(fds[i].fd, GOHEAP_IOC_SPAN_INFO, a.p);
	result(err);
	if (pv >= 0 && err)
		for (k = 0; k < (n * 8 + PAGE - 1) / PAGE; k++)
			*stamp_of(pv, ppg + k) = UNKNOWN;	/* partly written */
	expect("SPAN_INFO", err, want, false);
	if (err)
		return true;
	arg_load(&a, &rep, sizeof(rep));
	if (rep.handle != req.handle || rep.flags || rep.pfns != req.pfns ||
	    rep.pfn_count != req.pfn_count || rep.npages != spans[s].npages ||
	    rep.page_size != hp || rep.hw_pages != spans[s].nr_hw ||
	    rep.runs != (heap_span(s) ? 1 : spans[s].nr_hw) ||
	    rep.span_flags != (spans[s].flags | GOHEAP_SPAN_ZEROED) ||
	    rep.offset != span_offset(s) || rep.reserved[0] || rep.reserved[1])
		fail("SPAN_INFO reply of span %d: handle %u flags %#x pfns %#llx count %llu "
		     "npages %llu page %u hw %u runs %u span_flags %#x offset %#llx "
		     "reserved %#llx %#llx",
		     s, rep.handle, rep.flags, (unsigned long long)rep.pfns,
		     (unsigned long long)rep.pfn_count, (unsigned long long)rep.npages,
		     rep.page_size, rep.hw_pages, rep.runs, rep.span_flags,
		     (unsigned long long)rep.offset, (unsigned long long)rep.reserved[0],
		     (unsigned long long)rep.reserved[1]);
	check_span_counts(s, &rep);
	if (n && req.pfns == (uintptr_t)pfnbuf) {
		check_pfns(s, n, pfnbuf);
		for (k = n; k < ARRAY_SIZE(pfnbuf); k++)
			if (pfnbuf[k] != 0xA5A5A5A5A5A5A5A5ULL)
				fail("SPAN_INFO wrote PFN entry %" PRIu64
				     " beyond min(pfn_count, hw_pages) = %" PRIu64, k, n);
	}
	return true;
}

static unsigned char msbig[sizeof(struct goheap_memstats) + 64];

/* Without GOHEAP_CAP_HEAP_STATS: the file's heap spans in HeapInuse, nothing else. */
static void check_file_stats(int f, const uint64_t *ms)
{
	size_t inuse = offsetof(struct goheap_memstats, heap_inuse) / sizeof(*ms), k;

	if (ms[inuse] != file_heap_bytes(f))
		fail("GET_MEMSTATS without heap statistics: HeapInuse %" PRIu64 " B, want the "
		     "file's heap spans, %" PRIu64 " B", ms[inuse], file_heap_bytes(f));
	for (k = 0; k < sizeof(struct goheap_memstats) / sizeof(*ms); k++)
		if (k != inuse && ms[k])
			fail("GET_MEMSTATS without heap statistics: figure %zu is %" PRIu64, k,
			     ms[k]);
}

bool op_memstats(void)
{
	struct goheap_memstats_req req = { 0 }, rep, buf;
	struct argp a;
	int i = pick_fd(), err, want, pv = -1;
	uint32_t r = rnd(100), avail = sizeof(struct goheap_memstats), written;
	uint64_t room = sizeof(msbig), k;
	bool reach;

	if (i < 0)
		return false;
	req.size = r < 60 ? avail : r < 70 ? 8 * (1 + rnd(avail / 8)) :
		   r < 78 ? avail + 8 * (1 + rnd(8)) : r < 83 ? 0 :
		   r < 88 ? 8 * rnd(avail / 8) + 1 + rnd(7) : 0xfffffff8u;
	req.ptr = (uintptr_t)msbig;
	if (chance(4))
		req.flags = 1U << rnd(32);
	if (chance(4))
		req.reserved[rnd(2)] = rnd64() | 1;
	if (chance(6)) {
		req.ptr = chance(50) ? 0 : (uintptr_t)guard + PAGE - 8 * rnd(8);
		room = req.ptr ? (uintptr_t)guard + PAGE - req.ptr : 0;
	} else if (chance(8)) {
		pv = pick_vma();
		if (pv >= 0) {
			req.ptr = vmas[pv].addr + (vmas[pv].npg - 1) * PAGE;
			room = cpu_writable(pv) ? PAGE : 0;
		}
	}
	written = MIN(req.size, avail);
	if (req.flags || req.reserved[0] || req.reserved[1] || !req.size || req.size % 8)
		want = EINVAL;
	else
		want = written > room ? EFAULT : 0;
	arg_choose(&a, &buf, sizeof(buf), false);
	desc("GET_MEMSTATS(fd %d, size %u, ptr %#llx, flags %#x, reserved %#llx %#llx, "
	     "arg %s): want %s",
	     fds[i].fd, req.size, (unsigned long long)req.ptr, req.flags,
	     (unsigned long long)req.reserved[0], (unsigned long long)req.reserved[1],
	     akind[a.kind], errname(arg_readable(&a) ? want : EFAULT));
	memset(msbig, 0xA5, sizeof(msbig));
	memset(&buf, 0xA5, sizeof(buf));
	memcpy(&buf, &req, offsetof(struct goheap_memstats_req, written));
	buf.reserved[0] = req.reserved[0];
	buf.reserved[1] = req.reserved[1];
	arg_store(&a, &buf, sizeof(buf));
	if (!arg_readable(&a))
		want = EFAULT;
	reach = !want || (want == EFAULT && written > room && arg_readable(&a) && !req.flags &&
			  !req.reserved[0] && !req.reserved[1] && req.size && !(req.size % 8));
	if (!want && !arg_writable(&a))
		want = EFAULT;
	if (pv >= 0 && reach && cpu_writable(pv)) {
		*stamp_of(pv, vmas[pv].npg - 1) = UNKNOWN;
		touched(pv, vmas[pv].npg - 1);
	}
	err = xioctl(fds[i].fd, GOHEAP_IOC_GET_MEMSTATS, a.p);
	result(err);
	expect("GET_MEMSTATS", err, want, false);
	if (err)
		return true;
	arg_load(&a, &rep, sizeof(rep));
	if (rep.ptr != req.ptr || rep.size != req.size || rep.flags || rep.written != written ||
	    rep.avail != avail || rep.reserved[0] || rep.reserved[1])
		fail("GET_MEMSTATS reply: ptr %#llx size %u flags %#x written %u (want %u) "
		     "avail %u (want %u) reserved %#llx %#llx",
		     (unsigned long long)rep.ptr, rep.size, rep.flags, rep.written, written,
		     rep.avail, avail, (unsigned long long)rep.reserved[0],
		     (unsigned long long)rep.reserved[1]);
	if (req.ptr == (uintptr_t)msbig) {
		for (k = written; k < sizeof(msbig); k++)
			if (msbig[k] != 0xA5)
				fail("GET_MEMSTATS wrote byte %" PRIu64 " beyond written = %u", k,
				     written);
		if (written == avail && heap_stats)
			check_heap("GET_MEMSTATS", ((struct goheap_memstats *)msbig)->heap_inuse);
		else if (written == avail && !in_child)
			check_file_stats(fds[i].file, (const uint64_t *)msbig);
	}
	return true;
}

bool op_bad_ioctl(void)
{
	static const unsigned long good[] = {
		GOHEAP_IOC_GET_INFO, GOHEAP_IOC_SPAN_ALLOC, GOHEAP_IOC_SPAN_FREE,
		GOHEAP_IOC_SPAN_INFO, GOHEAP_IOC_GET_MEMSTATS,
	};
	static const unsigned int magics[] = { GOHEAP_IOC_MAGIC, 0xB8, 0xBA, 0xB9, 0xB9 };
	unsigned long cmd;
	char junk[64];
	void *arg = chance(50) ? (void *)junk : chance(50) ? NULL : (void *)(guard + PAGE);
	int i = pick_fd(), fd, want = ENOTTY, err, k;
	uint32_t r = rnd(100);

	if (i < 0)
		return false;
	fd = fds[i].fd;
	memset(junk, 0, sizeof(junk));
	if (r < 50) {
		do {
			cmd = _IOC(rnd(4), magics[rnd(ARRAY_SIZE(magics))], rnd(256), rnd(1 << 14));
			for (k = 0; k < (int)ARRAY_SIZE(good) && cmd != good[k]; k++)
				;
		} while (k < (int)ARRAY_SIZE(good));
	} else if (r < 80) {
		/* a known number with another size or direction */
		k = rnd(ARRAY_SIZE(good));
		cmd = good[k];
		if (chance(50))
			cmd = _IOC(_IOC_DIR(cmd) ^ (1 + rnd(3)), GOHEAP_IOC_MAGIC, _IOC_NR(cmd),
				   _IOC_SIZE(cmd));
		else
			cmd = _IOC(_IOC_DIR(cmd), GOHEAP_IOC_MAGIC, _IOC_NR(cmd),
				   _IOC_SIZE(cmd) + 8 * (chance(50) ? 1 : -1));
	} else if (r < 90) {
		cmd = good[rnd(ARRAY_SIZE(good))];	/* on /dev/null */
		fd = nullfd;
	} else {
		cmd = good[rnd(ARRAY_SIZE(good))];	/* on a closed descriptor */
		fd = 900 + rnd(100);
		want = EBADF;
	}
	desc("ioctl(fd %d, cmd %#lx, arg %p): want %s", fd, cmd, arg, errname(want));
	err = xioctl(fd, cmd, arg);
	result(err);
	expect("bad ioctl", err, want, false);
	return true;
}
