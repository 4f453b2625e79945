// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_fuzz: fault injection through /proc/thread-self/fail-nth
 * (CONFIG_FAULT_INJECTION). Sweeps over SPAN_ALLOC, over mmap() (prefaulted
 * spans fill the page tables there) and over first touches: each injected
 * failure must fail cleanly and leave the model intact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"

static void fail_nth_set(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	if (pwrite(nthfd, buf, len, 0) != len)
		die("fail-nth");
}

/* Read back what is left of fail-nth (0: the failure was injected) and clear it. */
static int fail_nth_left(void)
{
	char buf[16];
	int n;

	n = pread(nthfd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		die("fail-nth");
	buf[n] = 0;
	n = atoi(buf);
	if (pwrite(nthfd, "0", 1, 0) != 1)
		die("fail-nth");
	return n;
}

/*
 * An address range for @npg pages where nothing was ever mapped, so that
 * the page tables are allocated fresh: it straddles a 2 MiB boundary (two
 * PTE tables) and, with @gig, opens a 1 GiB region of its own (a PMD table
 * too).
 */
static uintptr_t fresh_zone(uint32_t npg, bool gig)
{
	size_t size = gig ? 3UL << 30 : 16UL << 20, align = gig ? 1UL << 30 : 2UL << 20;
	void *r = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (r == MAP_FAILED)
		die("reserving a fresh zone");
	a = ((uintptr_t)r + align - 1) / align * align + align;
	a += (2UL << 20) - (1 + rnd(MAX(npg - 1, 1))) * PAGE;
	if (npg == 1)
		a = ((uintptr_t)r + align - 1) / align * align + align +
		    (gig ? 0 : rnd(512) * PAGE);
	munmap(r, size);
	return a;
}

static bool inj_ready(void)
{
	return nthfd >= 0 && !in_child;
}

bool op_inj_alloc(void)
{
	struct goheap_span_alloc req = { 0 }, rep;
	int i = pick_fd(), f, n, left, err, s;
	uint32_t pred, low;

	if (!inj_ready() || i < 0 || free_span_slot() < 0)
		return false;
	f = fds[i].file;
	req.npages = 1 + rnd(8);
	req.flags = valid_flags[rnd(ARRAY_SIZE(valid_flags))];
	if (alloc_predict(f, &req) || live_bytes(false) + req.npages * hp > budget)
		return false;
	desc("fail-nth sweep over SPAN_ALLOC(fd %d of file %d, npages %llu, flags %#x)",
	     fds[i].fd, files[f].id, (unsigned long long)req.npages, req.flags);
	for (n = 1; n <= 64; n++) {
		pred = predict_handle(f);
		low = lowest_free_handle(f);
		rep = req;
		fail_nth_set(n);
		err = xioctl(fds[i].fd, GOHEAP_IOC_SPAN_ALLOC, &rep);
		left = fail_nth_left();
		inj_calls[INJ_ALLOC]++;
		result(err);
		if (err) {
			if (err != ENOMEM)
				fail("SPAN_ALLOC with fail-nth %d: %s, want ENOMEM", n,
				     errname(err));
			if (left)
				enomem_tolerated++;
			else
				inj_failed[INJ_ALLOC]++;
			continue;
		}
		if (!left)
			inj_absorbed[INJ_ALLOC]++;
		if (rep.handle != pred && !left && rep.handle == low) {
			/* xa_alloc_cyclic() retries from 1 after -ENOMEM */
			inj_handle_wraps++;
			pred = low;
		}
		check_alloc_reply(&req, &rep, pred);
		s = span_new(f, &rep);
		err = xioctl(fds[i].fd, GOHEAP_IOC_SPAN_FREE,
			     &(struct goheap_span_free){ .handle = rep.handle });
		if (err)
			fail("SPAN_FREE after fail-nth %d: %s", n, errname(err));
		span_gone(s);
		if (left)
			break;
	}
	check_heap("after a SPAN_ALLOC fail-nth sweep", heap_inuse(statfd));
	return true;
}

bool op_inj_mmap(void)
{
	int i, f, s = -1, n, left, err, v, o, sig;
	uint32_t idx, npg, pg;
	struct goheap_span_info si;
	uint64_t lo0;
	unsigned int bad;
	int prot, flags;
	uintptr_t a;
	void *p;

	if (!inj_ready() || free_vma_slots() < 4)
		return false;
	for (o = 0; o < MAX_SPANS; o++)
		if (spans[o].used && fd_of_file(spans[o].file) >= 0 &&
		    file_readable(spans[o].file) && spans[o].nr_hw >= 2 &&
		    (s < 0 || ((spans[o].flags & GOHEAP_SPAN_PREFAULT) && chance(70)) ||
		     chance(20)))
			s = o;
	if (s < 0)
		return false;
	f = spans[s].file;
	i = fd_of_file(f);
	npg = 2 + rnd(MIN(spans[s].nr_hw, 64) - 1);
	idx = rnd(spans[s].nr_hw - npg + 1);
	prot = file_writable(f) && chance(70) ? PROT_READ | PROT_WRITE : PROT_READ;
	flags = MAP_SHARED | MAP_FIXED | (chance(20) ? MAP_POPULATE : 0);
	desc("fail-nth sweep over mmap(%u pages of span %d handle %u flags %#x, %s%s)", npg, s,
	     spans[s].handle, spans[s].flags, prot_name(prot),
	     flags & MAP_POPULATE ? ", MAP_POPULATE" : "");
	for (n = 1; n <= 64; n++) {
		a = fresh_zone(npg, chance(40));
		fail_nth_set(n);
		p = mmap((void *)a, (size_t)npg * PAGE, prot, flags, fds[i].fd,
			 span_offset(s) + (uint64_t)idx * PAGE);
		err = p == MAP_FAILED ? errno : 0;
		left = fail_nth_left();
		inj_calls[INJ_MMAP]++;
		result(err);
		if (err) {
			if (err != ENOMEM && err != EAGAIN)
				fail("mmap of span %d (flags %#x) at %#lx with fail-nth %d: %s, "
				     "want ENOMEM", s, spans[s].flags, (unsigned long)a, n,
				     errname(err));
			if (left)
				enomem_tolerated++;
			else
				inj_failed[INJ_MMAP]++;
			/* nothing mapped, nothing counted */
			span_info_raw(fds[i].fd, s, &si);
			check_span_counts(s, &si);
			sig = probe(a, false, UNKNOWN, &bad);
			if (sig != SIGSEGV)
				fail("after a failed mmap at %#lx: %s, want SIGSEGV",
				     (unsigned long)a,
				     sig ? errname(sig_result(sig)) : "the range is mapped");
			continue;
		}
		if (p != (void *)a)
			fail("mmap MAP_FIXED at %#lx returned %p", (unsigned long)a, p);
		lo0 = sh->faults_lo[s];
		v = mapped(a, npg, s, idx, prot, flags);
		if (!left) {
			/* absorbed (by MAP_POPULATE): which pages got PTEs is unknown */
			inj_absorbed[INJ_MMAP]++;
			if (mincore((void *)a, (size_t)npg * PAGE, vmas[v].present))
				fail("mincore: %s", errname(errno));
			sh->faults_lo[s] = lo0;
			for (pg = 0; pg < npg; pg++) {
				vmas[v].present[pg] &= 1;
				if (!(spans[s].flags & GOHEAP_SPAN_PREFAULT))
					sh->faults_lo[s] += vmas[v].present[pg];
			}
			sh->faults_hi[s] = INF;
		}
		span_info_raw(fds[i].fd, s, &si);
		check_span_counts(s, &si);
		read_check(v, rnd(npg), "read after an mmap under fail-nth");
		if (munmap((void *)a, (size_t)npg * PAGE))
			fail("munmap: %s", errname(errno));
		model_unmap(a, (size_t)npg * PAGE);
		if (left)
			break;
	}
	return true;
}

bool op_inj_touch(void)
{
	int i, f, s = -1, n, left, err, v, o, sig;
	uint32_t pg, ns;
	struct goheap_span_info si;
	unsigned int bad;
	bool write;
	uintptr_t a;
	void *p;

	if (!inj_ready() || free_vma_slots() < 2)
		return false;
	for (o = 0; o < MAX_SPANS; o++)
		if (spans[o].used && fd_of_file(spans[o].file) >= 0 &&
		    file_readable(spans[o].file) && !(spans[o].flags & GOHEAP_SPAN_PREFAULT) &&
		    (s < 0 || chance(30)))
			s = o;
	if (s < 0)
		return false;
	f = spans[s].file;
	i = fd_of_file(f);
	pg = rnd(spans[s].nr_hw);
	write = file_writable(f) && chance(50);
	desc("fail-nth sweep over the first %s of span %d handle %u page %u",
	     write ? "write" : "read", s, spans[s].handle, pg);
	for (n = 1; n <= 32; n++) {
		a = fresh_zone(1, chance(40));
		p = mmap((void *)a, PAGE, write ? PROT_READ | PROT_WRITE : PROT_READ,
			 MAP_SHARED | MAP_FIXED, fds[i].fd, span_offset(s) + (uint64_t)pg * PAGE);
		if (p == MAP_FAILED) {
			err = errno;
			expect("mmap for a touch", err, 0, true);
			return true;
		}
		v = mapped(a, 1, s, pg, write ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED);
		ns = new_stamp();
		if (write)
			*stamp_of(v, 0) = UNKNOWN;
		fail_nth_set(n);
		sig = probe(a, write, write ? ns : sh->stamps[s][pg], &bad);
		left = fail_nth_left();
		inj_calls[INJ_TOUCH]++;
		result(sig_result(sig));
		if (!left)
			inj_failed[INJ_TOUCH]++;
		if (sig) {
			/* a clean error for an injected failure: SIGBUS, never corruption */
			if (left)
				fail("%s of span %d page %u took %s without an injected failure",
				     write ? "write" : "read", s, pg, errname(sig_result(sig)));
			inj_signals++;
			sig = probe(a, write, write ? ns : sh->stamps[s][pg], &bad);
			if (sig)
				fail("retrying after %s: %s", errname(sig_result(sig)),
				     errname(sig_result(sig)));
		}
		/* a VM_FAULT_OOM is retried: one ->fault, maybe two */
		vmas[v].present[0] = 1;
		sh->faults_lo[s]++;
		if (sh->faults_hi[s] != INF)
			sh->faults_hi[s] += 2;
		if (write)
			*stamp_of(v, 0) = ns;
		else if (bad)
			content_fail(v, 0, bad, "read under fail-nth");
		span_info_raw(fds[i].fd, s, &si);
		check_span_counts(s, &si);
		if (munmap(p, PAGE))
			fail("munmap: %s", errname(errno));
		model_unmap(a, PAGE);
		if (left)
			break;
	}
	return true;
}
