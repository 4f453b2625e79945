// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_fuzz: the operations that reach span pages through
 * get_user_pages(): /proc/self/mem, read() and write() between a mapping and
 * a pipe, and vmsplice(), whose pipe keeps a reference to the page beyond
 * munmap() and SPAN_FREE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <unistd.h>
#include <sys/uio.h>

#include "fuzz.h"

/* /proc/self/mem: get_user_pages() with FOLL_FORCE. */
bool op_procmem(void)
{
	static uint64_t buf[PAGE_MAX / 8];
	int v = pick_vma(), err = 0, want;
	bool write = chance(40);
	uint32_t pg, ns = 0, old;
	unsigned int bad;
	ssize_t n;

	if (v < 0 || memfd < 0)
		return false;
	pg = rnd(vmas[v].npg);
	/*
	 * With FOLL_FORCE reads take anything (VM_MAYREAD); writes need
	 * VM_WRITE in a shared VMA either way. Without it (mem_force false),
	 * reads need VM_READ too.
	 */
	if (write)
		want = !(vmas[v].prot & PROT_WRITE) ? EIO : 0;
	else
		want = !mem_force && !(vmas[v].prot & PROT_READ) ? EIO : 0;
	desc("%s /proc/self/mem at VMA %#lx page %u (%s, span %d): want %s",
	     write ? "pwrite" : "pread", (unsigned long)vmas[v].addr, pg,
	     prot_name(vmas[v].prot), vmas[v].span, errname(want));
	old = *stamp_of(v, pg);
	if (write) {
		ns = new_stamp();
		fill_pattern(buf, ns);
		if (!want)
			*stamp_of(v, pg) = UNKNOWN;
		n = pwrite(memfd, buf, PAGE, vmas[v].addr + pg * PAGE);
	} else {
		n = pread(memfd, buf, PAGE, vmas[v].addr + pg * PAGE);
	}
	if (n < 0)
		err = errno;
	else if (n != PAGE)
		fail("/proc/self/mem: %zd bytes, want %lu", n, PAGE);
	result(err);
	expect("/proc/self/mem", err, want, false);
	if (err)
		return true;
	touched(v, pg);
	if (write) {
		*stamp_of(v, pg) = ns;
		return true;
	}
	bad = check_pattern(buf, old);
	if (bad)
		fail("/proc/self/mem read of span %d page %u: word %u is %#" PRIx64
		     ", want %#" PRIx64,
		     vmas[v].span, vmas[v].idx + pg, bad - 1, buf[bad - 1], pattern(old, bad - 1));
	return true;
}

/* write() from a mapping into a pipe, or read() from a pipe into one. */
bool op_pipe_io(void)
{
	static uint64_t buf[PAGE_MAX / 8];
	int v = pick_vma(), err = 0, want;
	bool into = chance(50);
	uint32_t pg, ns = 0, old;
	unsigned int bad;
	ssize_t n;
	void *a;

	if (v < 0)
		return false;
	pg = rnd(vmas[v].npg);
	a = (void *)(vmas[v].addr + pg * PAGE);
	want = into ? (cpu_writable(v) ? 0 : EFAULT) : (cpu_readable(v) ? 0 : EFAULT);
	desc("%s VMA %#lx page %u (%s, span %d): want %s", into ? "read() pipe into" :
	     "write() pipe from", (unsigned long)vmas[v].addr, pg, prot_name(vmas[v].prot),
	     vmas[v].span, errname(want));
	old = *stamp_of(v, pg);
	if (into) {
		ns = new_stamp();
		fill_pattern(buf, ns);
		if (write(scratch[1], buf, PAGE) != PAGE)
			die("pipe write");
		if (!want)
			*stamp_of(v, pg) = UNKNOWN;
		n = read(scratch[0], a, PAGE);
	} else {
		n = write(scratch[1], a, PAGE);
	}
	if (n < 0)
		err = errno;
	else if (n != PAGE)
		fail("pipe: %zd bytes, want %lu", n, PAGE);
	result(err);
	if (err && into && read(scratch[0], buf, PAGE) != PAGE)
		die("pipe drain");
	expect("pipe I/O", err, want, false);
	if (err)
		return true;
	touched(v, pg);
	if (into) {
		*stamp_of(v, pg) = ns;
		return true;
	}
	if (read(scratch[0], buf, PAGE) != PAGE)
		die("pipe read");
	bad = check_pattern(buf, old);
	if (bad)
		fail("write() from span %d page %u: word %u is %#" PRIx64 ", want %#" PRIx64,
		     vmas[v].span, vmas[v].idx + pg, bad - 1, buf[bad - 1], pattern(old, bad - 1));
	return true;
}

/* vmsplice(): a pipe holds a reference to a span page, beyond munmap and SPAN_FREE. */
bool op_vmsplice(void)
{
	int v = pick_vma(), p, err = 0, want, fd[2];
	bool either;
	struct iovec iov;
	uint32_t pg;
	ssize_t n;

	for (p = 0; p < MAX_PIPES && pipes[p].used; p++)
		;
	if (v < 0 || p == MAX_PIPES)
		return false;
	pg = rnd(vmas[v].npg);
	iov.iov_base = (void *)(vmas[v].addr + pg * PAGE);
	iov.iov_len = 8 * (1 + rnd(PAGE / 8));
	/*
	 * The slow GUP path wants VM_READ. GUP-fast takes any present PTE on
	 * 6.1; from 6.5 with CONFIG_SECRETMEM it refuses order-0 folios that
	 * have no mapping (goheap's pages) and falls back to the slow path.
	 * A write-only present page may therefore go either way, but must
	 * not do anything else.
	 */
	either = !(vmas[v].prot & PROT_READ) && (vmas[v].prot & PROT_WRITE) &&
		 vmas[v].present[pg];
	want = (vmas[v].prot & PROT_READ) || either ? 0 : EFAULT;
	desc("vmsplice(%zu bytes of VMA %#lx page %u (%s, span %d, %s))", iov.iov_len,
	     (unsigned long)vmas[v].addr, pg, prot_name(vmas[v].prot), vmas[v].span,
	     vmas[v].present[pg] ? "mapped" : "not mapped");
	if (pipe2(fd, O_CLOEXEC))
		die("pipe");
	n = vmsplice(fd[1], &iov, 1, 0);
	if (n < 0)
		err = errno;
	else if ((size_t)n != iov.iov_len)
		fail("vmsplice: %zd bytes, want %zu", n, iov.iov_len);
	result(err);
	if (err) {
		close(fd[0]);
		close(fd[1]);
	}
	if (either && err == EFAULT)
		want = EFAULT;
	expect("vmsplice", err, want, false);
	if (err)
		return true;
	if (vmas[v].prot & PROT_READ)
		touched(v, pg);		/* the slow path faults it in */
	pipes[p] = (struct mpipe){ .used = true, .rfd = fd[0], .wfd = fd[1],
				   .span = vmas[v].span, .ghost = -1, .page = vmas[v].idx + pg,
				   .len = iov.iov_len };
	return true;
}

void pipe_close(int p)
{
	static uint64_t buf[PAGE_MAX / 8];
	int s = pipes[p].span, g = pipes[p].ghost;
	uint32_t st;
	unsigned int i;
	ssize_t n;

	n = read(pipes[p].rfd, buf, pipes[p].len);
	if (n != (ssize_t)pipes[p].len)
		fail("reading back a vmsplice()d page: %zd bytes, want %zu", n, pipes[p].len);
	st = s >= 0 ? sh->stamps[s][pipes[p].page] : UNKNOWN;
	if (st != UNKNOWN) {
		/* the pipe holds the page itself: its content now */
		for (i = 0; i < pipes[p].len / 8; i++)
			if (buf[i] != pattern(st, i))
				fail("vmsplice()d page %u of span %d: word %u is %#" PRIx64
				     ", want %#" PRIx64,
				     pipes[p].page, s, i, buf[i], pattern(st, i));
	}
	close(pipes[p].rfd);
	close(pipes[p].wfd);
	pipes[p].used = false;
	if (g >= 0 && !--ghosts[g].npipes)
		ghosts[g].since = now();
}

bool op_pipe_close(void)
{
	int p, n = 0, pick = -1;

	for (p = 0; p < MAX_PIPES; p++)
		if (pipes[p].used && !rnd(++n))
			pick = p;
	if (pick < 0)
		return false;
	desc("drain and close the vmsplice pipe of span %d page %u%s", pipes[pick].span,
	     pipes[pick].page, pipes[pick].ghost >= 0 ? " (span freed)" : "");
	pipe_close(pick);
	result(0);
	return true;
}
