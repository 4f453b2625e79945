// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_fuzz: the operations on mappings. mmap() with its errno predicted
 * as do_mmap() and goheap's ->mmap give it, munmap(), mremap(), mprotect(),
 * madvise(), mlock(), reads and writes of mapped pages, and
 * remap_file_pages().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "fuzz.h"

struct mmreq {
	int fi, f;		/* descriptor index and file */
	uint64_t off;
	size_t len;
	int prot, flags;
	uintptr_t addr;		/* with MAP_FIXED */
	bool fixed_in_use;	/* MAP_FIXED_NOREPLACE target is mapped */
};

/* Does [pgoff, pgoff + npg) lie in one span of file @f? Which (or -1). */
static int span_fits(int f, uint64_t pgoff, uint64_t npg, uint32_t *idx)
{
	uint64_t h = pgoff >> PGOFF_SHIFT;
	int s;

	if (h > MAX_HANDLE)
		return -1;
	s = span_by_handle(f, h);
	if (s < 0)
		return -1;
	*idx = pgoff - (h << PGOFF_SHIFT);
	if (*idx >= spans[s].nr_hw || npg > spans[s].nr_hw - *idx)
		return -1;
	return s;
}

/*
 * The errno of mmap() (0: success) as do_mmap() and goheap's ->mmap give it.
 * *stage: 0 nothing happened, 1 the MAP_FIXED range was unmapped first.
 */
static int mmap_predict(const struct mmreq *r, int *stage, int *span, uint32_t *idx)
{
	uint64_t pgoff = r->off / PAGE, npg = (r->len + PAGE - 1) / PAGE, maxsize;
	int type = r->flags & MAP_TYPE, fl = r->flags;
	bool locked = r->flags & MAP_LOCKED;

	*stage = 0;
	*span = -1;
	if (r->flags & MAP_HUGETLB)
		return EINVAL;
	if (r->off % PAGE || !r->len)
		return EINVAL;
	if (pgoff + npg < pgoff)
		return EOVERFLOW;
	if ((r->flags & MAP_FIXED_NOREPLACE) && r->fixed_in_use)
		return EEXIST;
	if (locked && !cap_ipc_lock && memlock_pages() == 0)
		return EPERM;
	if (locked && !cap_ipc_lock && npg > memlock_pages())
		return EAGAIN;
	maxsize = UINT64_MAX - npg * PAGE;
	if (pgoff > maxsize / PAGE)
		return EOVERFLOW;
	switch (type) {
	case MAP_SHARED:
		fl &= LEGACY_MAP_MASK;
		fallthrough;
	case MAP_SHARED_VALIDATE:
		if ((fl | (r->flags & MAP_FIXED_NOREPLACE ? MAP_FIXED : 0)) & ~LEGACY_MAP_MASK)
			return EOPNOTSUPP;
		if ((r->prot & PROT_WRITE) && !file_writable(r->f))
			return EACCES;
		fallthrough;
	case MAP_PRIVATE:
		if (!file_readable(r->f))
			return EACCES;
		if (dev_noexec && (r->prot & PROT_EXEC))
			return EPERM;
		if (r->flags & MAP_GROWSDOWN)
			return EINVAL;
		break;
	default:
		return EINVAL;
	}
	*stage = 1;
	if (type == MAP_PRIVATE)
		return EINVAL;
	if (r->prot & PROT_EXEC)
		return EPERM;
	*span = span_fits(r->f, pgoff, npg, idx);
	return *span < 0 ? EINVAL : 0;
}

/* A new mapping of span @s succeeded: enter it, prefaulted or populated. */
int mapped(uintptr_t addr, uint32_t npg, int s, uint32_t idx, int prot, int flags)
{
	int v = vma_add(addr, npg, s, idx, prot, prot & PROT_WRITE);
	uint32_t k;

	if (spans[s].flags & GOHEAP_SPAN_PREFAULT)
		memset(vmas[v].present, 1, npg);
	if (((flags & MAP_LOCKED) || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE) &&
	    (prot & (PROT_READ | PROT_WRITE)))
		for (k = 0; k < npg; k++)
			touched(v, k);
	return v;
}

const char *prot_name(int prot)
{
	static char buf[8][8];
	static int n;
	char *b = buf[n++ % 8];

	snprintf(b, 8, "%s%s%s%s", prot & PROT_READ ? "r" : "", prot & PROT_WRITE ? "w" : "",
		 prot & PROT_EXEC ? "x" : "", prot ? "" : "none");
	return b;
}

bool op_mmap(void)
{
	struct mmreq r = { 0 };
	int i = pick_fd(), s, stage, want, span, v, o, err = 0;
	uint32_t idx = 0, npg = 1, k;
	uint32_t t = rnd(100), pf = rnd(100), pl = rnd(100);
	void *p;

	if (i < 0 || free_vma_slots() < 4)
		return false;
	r.fi = i;
	r.f = fds[i].file;
	s = pick_span_of(r.f);
	if (s >= 0 && t < 72) {
		if (chance(40)) {
			idx = 0;
			npg = spans[s].nr_hw;
		} else {
			idx = rnd(spans[s].nr_hw);
			npg = 1 + rnd(spans[s].nr_hw - idx);
		}
		r.off = span_offset(s) + (uint64_t)idx * PAGE;
		r.len = (size_t)npg * PAGE;
		if (chance(10))
			r.len -= rnd(PAGE);	/* rounded up to the page */
	} else {
		o = pick_span_of(-1);
		npg = 1 + rnd(4);
		r.len = npg * PAGE;
		switch (rnd(11)) {
		case 0:
			r.off = 0;
			break;
		case 1:
			/* another file's? */
			r.off = o >= 0 ? span_offset(o) : 1ULL << OFF_SHIFT;
			break;
		case 2:
			r.off = (uint64_t)(1 + rnd(files[r.f].next + 3)) << OFF_SHIFT;
			break;
		case 3:
			r.off = s >= 0 ? span_offset(s) + (uint64_t)spans[s].nr_hw * PAGE : PAGE;
			break;
		case 4:
			if (s >= 0) {
				r.off = span_offset(s) + (uint64_t)rnd(spans[s].nr_hw) * PAGE;
				npg = spans[s].nr_hw + 1;
				r.len = npg * PAGE;
			}
			break;
		case 5:
			r.off = 1ULL << 62;
			break;
		case 6:
			r.off = 0x7ffffffffffff000ULL;
			break;
		case 7:
			r.off = -(uint64_t)PAGE * npg / 2 - PAGE;	/* offset + length wraps */
			break;
		case 8:
			r.off = (s >= 0 ? span_offset(s) : 1ULL << OFF_SHIFT) + 1 + rnd(PAGE - 1);
			break;
		case 9:
			r.off = s >= 0 ? span_offset(s) : 1ULL << OFF_SHIFT;
			r.len = 0;
			break;
		default:
			r.off = (uint64_t)(MAX_HANDLE + 1 + rnd(4)) << OFF_SHIFT;
			break;
		}
	}
	r.prot = pf < 45 ? PROT_READ | PROT_WRITE : pf < 70 ? PROT_READ : pf < 78 ? PROT_NONE :
		 pf < 85 ? PROT_WRITE : pf < 90 ? PROT_READ | PROT_EXEC : pf < 95 ? PROT_EXEC :
		 PROT_READ | PROT_WRITE | PROT_EXEC;
	t = rnd(100);
	r.flags = t < 70 ? MAP_SHARED : t < 80 ? MAP_SHARED_VALIDATE : t < 86 ? MAP_PRIVATE :
		  t < 92 ? MAP_SHARED | MAP_POPULATE : t < 95 ? MAP_SHARED | MAP_LOCKED :
		  t < 96 ? MAP_SHARED_VALIDATE | MAP_SYNC : t < 97 ? MAP_SHARED | MAP_HUGETLB :
		  t < 98 ? MAP_SHARED | MAP_GROWSDOWN : t < 99 ? 0 :
		  MAP_SHARED | MAP_POPULATE | MAP_NONBLOCK;
	npg = (r.len + PAGE - 1) / PAGE;
	if (!npg)
		npg = 1;
	if (pl < 35 && npg <= ARENA_PAGES) {
		r.addr = arena_slot(npg);
		if (r.addr) {
			r.flags |= chance(85) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
			r.fixed_in_use = true;	/* placeholders */
		}
	} else if (pl < 45) {
		/* over an existing goheap mapping in the arena, maybe beyond it */
		v = pick_vma();
		if (v >= 0 && in_arena(vmas[v].addr)) {
			r.addr = vmas[v].addr + rnd(vmas[v].npg) * PAGE;
			if (r.addr + npg * PAGE > (uintptr_t)arena + ARENA_PAGES * PAGE)
				r.addr = 0;
		}
		if (r.addr) {
			r.flags |= chance(85) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
			r.fixed_in_use = true;
		}
	}
	want = mmap_predict(&r, &stage, &span, &idx);
	desc("mmap(%#lx, %#zx, %s, %#x, fd %d of file %d (%s), off %#llx): want %s",
	     (unsigned long)r.addr, r.len, prot_name(r.prot), r.flags, fds[i].fd,
	     files[r.f].id, mode_name(files[r.f].mode), (unsigned long long)r.off, errname(want));
	p = mmap((void *)r.addr, r.len, r.prot, r.flags, fds[i].fd, r.off);
	if (p == MAP_FAILED)
		err = errno;
	result(err);
	if (r.addr && (r.flags & MAP_FIXED) && (stage == 1 || (!err && !want))) {
		model_unmap(r.addr, npg * PAGE);
		if (err)
			arena_refill(r.addr, npg * PAGE);
	}
	expect("mmap", err, want, true);
	if (err)
		return true;
	if (r.addr && p != (void *)r.addr)
		fail("mmap MAP_FIXED at %#lx returned %p", (unsigned long)r.addr, p);
	if ((uintptr_t)p % PAGE ||
	    (!r.addr && (in_arena((uintptr_t)p) || vma_at((uintptr_t)p) >= 0)))
		fail("mmap returned %p, inside the arena or a live VMA", p);
	v = mapped((uintptr_t)p, npg, span, idx, r.prot, r.flags);
	/* read a page back: zeroed or what was written */
	if (cpu_readable(v) && chance(30)) {
		k = rnd(npg);
		read_check(v, k, "read after mmap");
	}
	return true;
}

bool op_munmap(void)
{
	int v = pick_vma(), err, want = 0;
	uintptr_t a, end;
	size_t len;
	uint32_t npg, k, r = rnd(100);

	if (v < 0 || free_vma_slots() < 2)
		return false;
	npg = vmas[v].npg;
	a = vmas[v].addr;
	len = npg * PAGE;
	if (r < 40 || npg == 1) {
		/* all of it */
	} else if (r < 55) {
		len = (1 + rnd(npg - 1)) * PAGE;		/* head */
	} else if (r < 70) {
		k = 1 + rnd(npg - 1);
		a += k * PAGE;					/* tail */
		len -= k * PAGE;
	} else if (r < 85 && npg > 2) {
		k = 1 + rnd(npg - 2);				/* middle: a split */
		a += k * PAGE;
		len = (1 + rnd(npg - k - 1)) * PAGE;
	} else if (r < 95 && in_arena(a)) {
		/* with its neighbours, placeholders or other goheap VMAs */
		k = rnd(4);
		a = MAX(a - k * PAGE, (uintptr_t)arena);
		/*
		 * Up to 3 pages past the VMA, meant to stay in the arena. Like
		 * the MIN() macro this was written with, this draws rnd(4)
		 * again when the first draw stays in the arena, and does not
		 * check the second draw: kept so that seeds replay the same.
		 */
		end = (uintptr_t)arena + ARENA_PAGES * PAGE;
		if (vma_end(v) + rnd(4) * PAGE < end)
			end = vma_end(v) + rnd(4) * PAGE;
		len = end - a;
	} else if (r < 97) {
		a += 1 + rnd(PAGE - 1);
		want = EINVAL;
	} else {
		len = 0;
		want = EINVAL;
	}
	desc("munmap(%#lx, %#zx) of VMA %#lx-%#lx (span %d handle %u): want %s",
	     (unsigned long)a, len, (unsigned long)vmas[v].addr, (unsigned long)vma_end(v),
	     vmas[v].span, spans[vmas[v].span].handle, errname(want));
	err = munmap((void *)a, len) ? errno : 0;
	result(err);
	expect("munmap", err, want, false);
	if (err)
		return true;
	model_unmap(a, len);
	arena_refill(a, len);
	return true;
}

bool op_mremap(void)
{
	int v = pick_vma(), err = 0, want, flags = 0, w;
	uint32_t s0, avail, oldp, newp, r = rnd(100);
	uintptr_t start, dst = 0;
	void *q;

	if (v < 0 || free_vma_slots() < 4)
		return false;
	s0 = rnd(vmas[v].npg);
	avail = vmas[v].npg - s0;
	start = vmas[v].addr + s0 * PAGE;
	oldp = 1 + rnd(avail);
	newp = oldp;
	if (r < 30) {
		if (avail < 2)
			return false;
		oldp = 2 + rnd(avail - 1);
		newp = 1 + rnd(oldp - 1);
		want = 0;				/* shrink in place */
	} else if (r < 42) {
		newp = oldp + 1 + rnd(4);
		flags = chance(50) ? MREMAP_MAYMOVE : 0;
		want = EFAULT;				/* VM_DONTEXPAND */
	} else if (r < 74) {
		newp = chance(70) ? oldp : 1 + rnd(oldp);
		dst = arena_slot(newp);
		flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		want = 0;				/* move */
	} else if (r < 80) {
		newp = oldp + 1 + rnd(3);
		dst = arena_slot(newp);
		flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		want = EFAULT;				/* move and grow */
	} else if (r < 85) {
		/* A kernel that moves several VMAs at once may take this. */
		if (mremap_multi)
			return false;
		oldp = avail + 1 + rnd(3);
		newp = oldp;
		dst = arena_slot(newp);
		flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		want = EFAULT;				/* across the VMA's end */
	} else if (r < 90) {
		oldp = 0;
		newp = 1 + rnd(4);
		flags = MREMAP_MAYMOVE;
		want = EFAULT;				/* duplicate */
	} else if (r < 96) {
		flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
		if (chance(50)) {
			dst = arena_slot(newp);
			flags |= MREMAP_FIXED;
		}
		want = EINVAL;
	} else {
		flags = chance(50) ? 8 : MREMAP_FIXED;
		dst = arena_slot(newp);
		want = EINVAL;
	}
	if ((flags & MREMAP_FIXED) && !dst)
		return false;
	/*
	 * A source range that runs past its VMA may reach the target slot:
	 * mremap() refuses overlapping ranges before it looks at any VMA.
	 */
	if (dst && dst < start + (uintptr_t)oldp * PAGE && start < dst + (uintptr_t)newp * PAGE)
		want = EINVAL;
	desc("mremap(%#lx, %u pages, %u pages, %#x, %#lx) of VMA %#lx-%#lx (span %d): want %s",
	     (unsigned long)start, oldp, newp, flags, (unsigned long)dst,
	     (unsigned long)vmas[v].addr, (unsigned long)vma_end(v), vmas[v].span, errname(want));
	q = mremap((void *)start, (size_t)oldp * PAGE, (size_t)newp * PAGE, flags, (void *)dst);
	if (q == MAP_FAILED)
		err = errno;
	result(err);
	if (err && (flags & MREMAP_FIXED) && (flags & MREMAP_MAYMOVE))
		arena_refill(dst, (size_t)newp * PAGE);	/* unmapped before the check */
	expect("mremap", err, want, false);
	if (err)
		return true;
	if (q != (void *)(dst ? dst : start))
		fail("mremap returned %p, want %#lx", q, (unsigned long)(dst ? dst : start));
	if (newp < oldp)
		model_unmap(start + (uintptr_t)newp * PAGE, (size_t)(oldp - newp) * PAGE);
	if (dst) {
		v = vma_at(start);
		w = vma_isolate(v, start, (size_t)newp * PAGE);
		arena_mark(start, newp, 0);
		vmas[w].addr = dst;
		arena_mark(dst, newp, 1);
		arena_refill(start, (size_t)oldp * PAGE);
		if (cpu_readable(w) && chance(50))
			read_check(w, rnd(newp), "read after mremap move");
	} else {
		arena_refill(start, (size_t)oldp * PAGE);
	}
	return true;
}

bool op_mprotect(void)
{
	static const int prots[] = {
		PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE, PROT_READ | PROT_EXEC,
		PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC, PROT_READ, PROT_READ | PROT_WRITE,
	};
	int v = pick_vma(), prot, err, want;
	uint32_t s0, k;
	uintptr_t a;

	if (v < 0 || free_vma_slots() < 3)
		return false;
	s0 = chance(50) ? 0 : rnd(vmas[v].npg);
	k = chance(50) ? vmas[v].npg - s0 : 1 + rnd(vmas[v].npg - s0);
	a = vmas[v].addr + s0 * PAGE;
	prot = prots[rnd(ARRAY_SIZE(prots))];
	want = (prot & PROT_EXEC) || ((prot & PROT_WRITE) && !vmas[v].maywrite) ? EACCES : 0;
	desc("mprotect(%#lx, %u pages, %s) of VMA %#lx-%#lx (%s, maywrite %d): want %s",
	     (unsigned long)a, k, prot_name(prot), (unsigned long)vmas[v].addr,
	     (unsigned long)vma_end(v), prot_name(vmas[v].prot), vmas[v].maywrite, errname(want));
	err = mprotect((void *)a, (size_t)k * PAGE, prot) ? errno : 0;
	result(err);
	expect("mprotect", err, want, false);
	if (!err && prot != vmas[v].prot) {
		v = vma_isolate(v, a, (size_t)k * PAGE);
		vmas[v].prot = prot;
	}
	return true;
}

bool op_madvise(void)
{
	static const struct { int advice; const char *name; int want; } advs[] = {
		{ MADV_DONTNEED, "DONTNEED", 0 }, { MADV_DONTNEED, "DONTNEED", 0 },
		{ MADV_DONTNEED, "DONTNEED", 0 }, { MADV_DONTNEED_LOCKED, "DONTNEED_LOCKED", 0 },
		{ MADV_COLD, "COLD", 0 }, { MADV_PAGEOUT, "PAGEOUT", 0 },
		{ MADV_DONTFORK, "DONTFORK", 0 }, { MADV_DOFORK, "DOFORK", 0 },
		{ MADV_DONTFORK, "DONTFORK", 0 }, { MADV_WIPEONFORK, "WIPEONFORK", EINVAL },
		{ MADV_FREE, "FREE", EINVAL }, { 999, "999", EINVAL },
	};
	int v = pick_vma(), err, j = rnd(ARRAY_SIZE(advs)), adv = advs[j].advice;
	uint32_t s0, k;
	uintptr_t a;

	if (v < 0 || free_vma_slots() < 3 || !have_madvise)
		return false;
	s0 = chance(50) ? 0 : rnd(vmas[v].npg);
	k = chance(50) ? vmas[v].npg - s0 : 1 + rnd(vmas[v].npg - s0);
	a = vmas[v].addr + s0 * PAGE;
	desc("madvise(%#lx, %u pages, MADV_%s) of VMA %#lx-%#lx (span %d): want %s",
	     (unsigned long)a, k, advs[j].name, (unsigned long)vmas[v].addr,
	     (unsigned long)vma_end(v), vmas[v].span, errname(advs[j].want));
	err = madvise((void *)a, (size_t)k * PAGE, adv) ? errno : 0;
	result(err);
	expect("madvise", err, advs[j].want, false);
	if (err)
		return true;
	if (adv == MADV_DONTNEED || adv == MADV_DONTNEED_LOCKED) {
		memset(vmas[v].present + s0, 0, k);	/* zapped; the span keeps the data */
	} else if ((adv == MADV_DONTFORK) != vmas[v].dontfork &&
		   (adv == MADV_DONTFORK || adv == MADV_DOFORK)) {
		v = vma_isolate(v, a, (size_t)k * PAGE);
		vmas[v].dontfork = adv == MADV_DONTFORK;
	}
	return true;
}

bool op_mlock(void)
{
	int v = pick_vma(), err, want;
	uint32_t s0, k, i;
	uintptr_t a;

	if (v < 0)
		return false;
	s0 = rnd(vmas[v].npg);
	k = 1 + rnd(vmas[v].npg - s0);
	a = vmas[v].addr + s0 * PAGE;
	if (!cap_ipc_lock && memlock_pages() == 0)
		want = EPERM;
	else if (!cap_ipc_lock && k > memlock_pages())
		want = ENOMEM;
	else
		want = cpu_readable(v) ? 0 : ENOMEM;	/* populating PROT_NONE: EFAULT */
	desc("mlock(%#lx, %u pages) of VMA %#lx-%#lx (%s, span %d): want %s", (unsigned long)a,
	     k, (unsigned long)vmas[v].addr, (unsigned long)vma_end(v), prot_name(vmas[v].prot),
	     vmas[v].span, errname(want));
	err = mlock((void *)a, (size_t)k * PAGE) ? errno : 0;
	result(err);
	expect("mlock", err, want, false);
	if (!err)
		for (i = 0; i < k; i++)
			touched(v, s0 + i);	/* populated; VM_LOCKED is not set on VM_SPECIAL */
	if (munlock((void *)a, (size_t)k * PAGE))
		fail("munlock: %s", errname(errno));
	return true;
}

bool op_touch(void)
{
	int v = pick_vma(), sig, w;
	uint32_t pg, i, ns, wpg, k;
	unsigned int bad;
	bool write;
	uintptr_t a;

	if (v < 0 || chance(5)) {
		/* an arena page with no goheap VMA: a placeholder, never a span */
		k = rnd(ARENA_PAGES);
		if (arena_used[k])
			return false;
		a = (uintptr_t)arena + (uintptr_t)k * PAGE;
		desc("touch arena page %#lx (no VMA): want SIGSEGV", (unsigned long)a);
		sig = probe(a, false, UNKNOWN, &bad);
		result(sig_result(sig));
		if (sig != SIGSEGV)
			fail("touching an unmapped arena page: %s, want SIGSEGV",
			     sig ? errname(sig_result(sig)) : "no signal");
		return true;
	}
	/* mostly accesses that work; now and then one that must not */
	write = cpu_writable(v) ? chance(55) : chance(12);
	if (!cpu_readable(v) && chance(70))
		return false;
	pg = rnd(vmas[v].npg);
	i = vmas[v].idx + pg;
	a = vmas[v].addr + pg * PAGE;
	desc("%s VMA %#lx page %u (%s, span %d handle %u flags %#x page %u, stamp %#x)",
	     write ? "write" : "read", (unsigned long)vmas[v].addr, pg, prot_name(vmas[v].prot),
	     vmas[v].span, spans[vmas[v].span].handle, spans[vmas[v].span].flags, i,
	     *stamp_of(v, pg));
	if (!write) {
		sig = probe(a, false, *stamp_of(v, pg), &bad);
		result(sig_result(sig));
		if (!cpu_readable(v)) {
			if (sig != SIGSEGV)
				fail("reading a PROT_NONE VMA: %s, want SIGSEGV",
				     sig ? errname(sig_result(sig)) : "no signal");
			return true;
		}
		if (sig)
			fail("reading a readable VMA: %s", errname(sig_result(sig)));
		touched(v, pg);
		if (bad)
			content_fail(v, pg, bad, "read");
		/* the file has no descriptor left: its mappings keep it and the span */
		orphan_reads += !files[spans[vmas[v].span].file].nfds;
		return true;
	}
	ns = new_stamp();
	if (cpu_writable(v))
		*stamp_of(v, pg) = UNKNOWN;
	sig = probe(a, true, ns, &bad);
	result(sig_result(sig));
	if (!cpu_writable(v)) {
		if (sig != SIGSEGV)
			fail("writing a %s VMA: %s, want SIGSEGV", prot_name(vmas[v].prot),
			     sig ? errname(sig_result(sig)) : "no signal");
		return true;
	}
	if (sig)
		fail("writing a writable VMA: %s", errname(sig_result(sig)));
	touched(v, pg);
	*stamp_of(v, pg) = ns;
	/* read it back through another mapping of the same span page */
	w = other_reader(vmas[v].span, i, v, &wpg);
	if (w >= 0)
		read_check(w, wpg, "read back through another mapping");
	return true;
}

/* remap_file_pages(): mmap(MAP_FIXED | MAP_POPULATE) of the same file over a VMA. */
bool op_remap(void)
{
	int v = pick_vma(), f, s, t, err, want, prot;
	uint32_t s0, k, idx = 0;
	uint64_t pgoff;
	uintptr_t a;

	if (v < 0 || free_vma_slots() < 4)
		return false;
	s = vmas[v].span;
	f = spans[s].file;
	s0 = rnd(vmas[v].npg);
	k = 1 + rnd(vmas[v].npg - s0);
	a = vmas[v].addr + s0 * PAGE;
	t = pick_span_of(f);
	if (chance(80) && spans[t].nr_hw >= k) {
		idx = rnd(spans[t].nr_hw - k + 1);
		pgoff = (span_offset(t) >> 12) + idx;
	} else {
		pgoff = (span_offset(t) >> 12) + spans[t].nr_hw - k + 1 + rnd(2);
		t = -1;
		if (chance(30))
			pgoff = (uint64_t)(files[f].next + 1 + rnd(3)) << PGOFF_SHIFT;
		t = span_fits(f, pgoff, k, &idx);
	}
	prot = vmas[v].prot & (PROT_READ | PROT_WRITE);
	/* needs VM_SHARED (not a read-only file); the new mapping is checked by ->mmap */
	if (files[f].mode == O_RDONLY)
		want = EINVAL;
	else
		want = t < 0 ? EINVAL : 0;
	desc("remap_file_pages(%#lx, %u pages, pgoff %#llx) of VMA %#lx-%#lx "
	     "(%s, span %d, file %d %s): want %s",
	     (unsigned long)a, k, (unsigned long long)pgoff, (unsigned long)vmas[v].addr,
	     (unsigned long)vma_end(v), prot_name(prot), s, files[f].id,
	     mode_name(files[f].mode), errname(want));
	err = syscall(SYS_remap_file_pages, a, (size_t)k * PAGE, 0, pgoff, 0) ? errno : 0;
	result(err);
	expect("remap_file_pages", err, want, false);
	if (files[f].mode == O_RDONLY)
		return true;
	/* the range was unmapped (VMA file still pinned by the new one, if any) */
	if (!err) {
		spans[t].nvmas++;	/* keep the file from looking released meanwhile */
		model_unmap(a, (size_t)k * PAGE);
		spans[t].nvmas--;
		v = mapped(a, k, t, idx, prot, MAP_POPULATE);
		if (cpu_readable(v) && chance(50))
			read_check(v, rnd(k), "read after remap_file_pages");
	} else {
		spans[s].nvmas++;
		model_unmap(a, (size_t)k * PAGE);
		spans[s].nvmas--;
		release_all();
		arena_refill(a, (size_t)k * PAGE);
	}
	return true;
}
