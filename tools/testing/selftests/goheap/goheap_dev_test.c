// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest-harness tests of /dev/goheap (uapi/linux/goheap.h).
 *
 * Every command's success path, then one test per way each command or
 * mmap can be rejected, each starting from a valid request and spoiling
 * exactly one thing (Documentation/process/botching-up-ioctls.rst), then
 * the lifetime rules: mappings shared between mappings and processes, spans
 * kept alive by mappings after free attempts, close() and fork().
 *
 * Run as root and as an unprivileged user (the device must then be opened
 * up, e.g. insmod goheap.ko dev_mode=0666). Tests that need CAP_SYS_ADMIN
 * skip without it; tests about unprivileged callers drop to uid/gid 1000
 * in a child when run as root. Without /dev/goheap every test skips. The
 * accounting rule (who is charged for span memory, and until when) has its
 * own tests, goheap_charge_test.c.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/goheap.h>

#include "dev.h"
#include "kselftest_harness.h"

#define DEV		"/dev/goheap"
#define UNPRIV_ID	1000
#define FILL		0xA5

static_assert(sizeof(struct goheap_info) == 88, "goheap_info layout");
static_assert(sizeof(struct goheap_span_alloc) == 48, "goheap_span_alloc layout");
static_assert(sizeof(struct goheap_span_free) == 16, "goheap_span_free layout");
static_assert(sizeof(struct goheap_span_info) == 88, "goheap_span_info layout");
static_assert(sizeof(struct goheap_memstats_req) == 40, "goheap_memstats_req layout");
static_assert(sizeof(struct goheap_memstats) % 8 == 0, "goheap_memstats layout");

static int span_info(int fd, __u32 handle, struct goheap_span_info *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->handle = handle;
	return gh_ioctl(fd, GOHEAP_IOC_SPAN_INFO, rep);
}

/* mmap() of a span's bytes [off, off + len) as the address or NULL (errno). */
static char *map(int fd, const struct goheap_span_alloc *sa, size_t off, size_t len,
		 int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, (off_t)(sa->offset + off));

	return p == MAP_FAILED ? NULL : p;
}

/* -errno of a failed mmap(), or 0 (and unmapped) if it succeeded. */
static int map_err(int fd, __u64 offset, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, (off_t)offset);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

static int all_bytes(const void *p, int c, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)c)
			return 0;
	return 1;
}

/* HeapInuse from GOHEAP_IOC_GET_MEMSTATS, or 0 on error. */
static __u64 heap_inuse(int fd)
{
	struct goheap_memstats ms;
	struct goheap_memstats_req r = { .ptr = (uintptr_t)&ms, .size = sizeof(ms) };

	return gh_ioctl(fd, GOHEAP_IOC_GET_MEMSTATS, &r) ? 0 : ms.heap_inuse;
}

/* Become uid/gid 1000 without capabilities, if root. 0 or -errno. */
static int drop_privileges(void)
{
	if (geteuid() != 0)
		return 0;
	if (setgroups(0, NULL) || setresgid(UNPRIV_ID, UNPRIV_ID, UNPRIV_ID) ||
	    setresuid(UNPRIV_ID, UNPRIV_ID, UNPRIV_ID))
		return -errno;
	return 0;
}

/* Wait for @pid; its exit status, or 255 if it did not exit normally. */
static int wait_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 255;
	return WEXITSTATUS(status);
}

FIXTURE(dev) {
	int fd;
	struct goheap_info info;
	size_t hw;		/* hardware page size */
	size_t hp;		/* heap page size */
	unsigned int hw_per_hp;
	int privileged;		/* GOHEAP_CAP_PFNS granted */
	int heap_stats;		/* GOHEAP_CAP_HEAP_STATS granted */
	int param_fd;		/* a module parameter to restore, or 0 */
	char param_old[32];
	int param_len;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (self->fd < 0 && errno == ENOENT)
		SKIP(_exit(255), DEV " not present (goheap.ko not loaded)");
	ASSERT_LE(0, self->fd) TH_LOG("open " DEV ": %s", strerror(errno));
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_GET_INFO, &self->info));
	self->hw = self->info.hw_page_size;
	self->hp = self->info.heap_page_size;
	ASSERT_EQ((size_t)sysconf(_SC_PAGESIZE), self->hw);
	self->hw_per_hp = self->hp / self->hw;
	self->privileged = !!(self->info.caps & GOHEAP_CAP_PFNS);
	self->heap_stats = !!(self->info.caps & GOHEAP_CAP_HEAP_STATS);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->param_fd > 0) {
		if (pwrite(self->param_fd, self->param_old, self->param_len, 0) != self->param_len)
			TH_LOG("could not restore a module parameter");
		close(self->param_fd);
	}
}

/* ---------------------------------------------------------------------
 * GOHEAP_IOC_GET_INFO
 */

TEST_F(dev, get_info)
{
	const struct goheap_info *i = &self->info;

	ASSERT_EQ(GOHEAP_ABI_VERSION, i->abi_version);
	ASSERT_EQ(0, i->flags);
	ASSERT_EQ((__u64)(GOHEAP_FEAT_SPAN_CONTIGUOUS | GOHEAP_FEAT_SPAN_PREFAULT |
			  GOHEAP_FEAT_SPAN_SCATTERED | GOHEAP_FEAT_SPAN_INFO |
			  GOHEAP_FEAT_MEMSTATS | GOHEAP_FEAT_CHARGES), i->features);
	/* 4 or 8 KiB heap pages; on kernels with larger pages, those pages. */
	ASSERT_EQ((__u32)sysconf(_SC_PAGESIZE), i->hw_page_size);
	ASSERT_TRUE(i->hw_page_size > 8192 ? i->heap_page_size == i->hw_page_size :
		    i->heap_page_size == 4096 || i->heap_page_size == 8192);
	ASSERT_EQ(66, i->nr_size_classes);
	ASSERT_EQ((4u << 20) / i->heap_page_size, i->max_span_pages);
	ASSERT_LE(1, i->max_file_pages);
	ASSERT_EQ(0, i->file_pages);
	ASSERT_EQ(sizeof(struct goheap_memstats), i->memstats_size);
	/* PFNs and heap-wide figures for root (CAP_SYS_ADMIN) only. */
	ASSERT_EQ(geteuid() == 0 ? GOHEAP_CAP_PFNS | GOHEAP_CAP_HEAP_STATS : 0, i->caps);
	if (!(i->caps & GOHEAP_CAP_HEAP_STATS))
		ASSERT_EQ(0, i->dev_charged);
	ASSERT_LE(i->user_charged, geteuid() == 0 ? i->dev_charged : ~0ULL);
	ASSERT_EQ(0, i->reserved);
}

TEST_F(dev, get_info_reply_zeroed)
{
	struct goheap_info i;

	memset(&i, FILL, sizeof(i));
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_GET_INFO, &i));
	ASSERT_EQ(0, i.flags);
	ASSERT_EQ(0, i.caps & ~(GOHEAP_CAP_PFNS | GOHEAP_CAP_HEAP_STATS));
	ASSERT_EQ(0, i.reserved);
	if (!(i.caps & GOHEAP_CAP_HEAP_STATS))
		ASSERT_EQ(0, i.dev_charged);
}

TEST_F(dev, get_info_counts_file_pages)
{
	struct goheap_span_alloc a, b;
	struct goheap_info i;

	ASSERT_EQ(0, span_alloc(self->fd, 3, 0, &a));
	ASSERT_EQ(0, span_alloc(self->fd, 2, 0, &b));
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_GET_INFO, &i));
	ASSERT_EQ(5, i.file_pages);
	ASSERT_EQ(0, span_free(self->fd, a.handle));
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_GET_INFO, &i));
	ASSERT_EQ(2, i.file_pages);
}

/* ---------------------------------------------------------------------
 * GOHEAP_IOC_SPAN_ALLOC / GOHEAP_IOC_SPAN_FREE
 */

TEST_F(dev, span_alloc_free)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	ASSERT_NE(0, a.handle);
	ASSERT_NE(0, a.offset);
	ASSERT_EQ(0, a.offset % self->hw);
	ASSERT_EQ(self->hp, a.size);
	ASSERT_EQ(0, span_free(self->fd, a.handle));
}

TEST_F(dev, span_alloc_reply_zeroed)
{
	struct goheap_span_alloc a;

	memset(&a, FILL, sizeof(a));
	a.npages = 2;
	a.flags = 0;
	memset(a.reserved, 0, sizeof(a.reserved));
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_ALLOC, &a));
	ASSERT_EQ(2, a.npages);
	ASSERT_EQ(0, a.flags);
	ASSERT_NE(0, a.handle);
	ASSERT_EQ(2 * self->hp, a.size);
	ASSERT_EQ(0, a.reserved[0]);
	ASSERT_EQ(0, a.reserved[1]);
}

TEST_F(dev, span_alloc_largest)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(0, span_alloc(self->fd, self->info.max_span_pages, 0, &a));
	ASSERT_EQ(4u << 20, a.size);
}

TEST_F(dev, span_alloc_each_flag)
{
	const __u32 flags[] = { 0, GOHEAP_SPAN_CONTIGUOUS, GOHEAP_SPAN_PREFAULT,
				GOHEAP_SPAN_SCATTERED, GOHEAP_SPAN_ZEROED,
				GOHEAP_SPAN_CONTIGUOUS | GOHEAP_SPAN_PREFAULT,
				GOHEAP_SPAN_SCATTERED | GOHEAP_SPAN_PREFAULT };
	struct goheap_span_alloc a;
	struct goheap_span_info si;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(flags); k++) {
		ASSERT_EQ(0, span_alloc(self->fd, 3, flags[k], &a)) TH_LOG("flags %#x", flags[k]);
		ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
		ASSERT_EQ(flags[k] | GOHEAP_SPAN_ZEROED, si.span_flags);
		ASSERT_EQ(0, span_free(self->fd, a.handle));
	}
}

/*
 * Fault injection: fail the N-th allocation of SPAN_ALLOC through
 * /proc/thread-self/fail-nth, for N = 1, 2, ... until the call succeeds with
 * injections to spare. Each failure is -ENOMEM and changes nothing (file
 * pages, HeapInuse); each success is a normal span. Needs a kernel with
 * fault injection whose failslab and fail_page_alloc do not ignore
 * sleeping allocations (the debug guest job sets ignore-gfp-wait to N).
 */
/*
 * Set (@n >= 0) or read back and clear (@n < 0) this thread's fail-nth
 * through @fd, opened once beforehand: opening the file allocates, which
 * would consume an injection meant for the ioctl.
 */
static int fail_nth(int fd, int n)
{
	char buf[16];
	int len;

	if (n >= 0) {
		len = snprintf(buf, sizeof(buf), "%d", n);
		return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
	}
	len = pread(fd, buf, sizeof(buf) - 1, 0);
	if (len <= 0)
		return -EIO;
	buf[len] = 0;
	n = atoi(buf);
	return pwrite(fd, "0", 1, 0) == 1 ? n : -errno;
}

static void fault_every_point(struct __test_metadata *_metadata, int fd, __u32 flags)
{
	struct goheap_span_alloc a;
	struct goheap_info i;
	__u64 inuse = heap_inuse(fd);
	int n, rc, left, failed = 0, nth;

	nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth < 0)
		SKIP(return, "no fault injection (/proc/thread-self/fail-nth)");
	if (access("/sys/kernel/debug/failslab", F_OK)) {
		close(nth);
		SKIP(return, "no failslab");
	}
	for (n = 1; n <= 64; n++) {
		ASSERT_EQ(0, fail_nth(nth, n));
		rc = span_alloc(fd, 4, flags, &a);
		left = fail_nth(nth, -1);
		ASSERT_LE(0, left);
		if (rc) {
			ASSERT_EQ(-ENOMEM, rc) TH_LOG("fail-nth %d", n);
			failed++;
		} else {
			ASSERT_EQ(0, span_free(fd, a.handle));
		}
		ASSERT_EQ(0, gh_ioctl(fd, GOHEAP_IOC_GET_INFO, &i));
		ASSERT_EQ(0, i.file_pages) TH_LOG("fail-nth %d", n);
		ASSERT_EQ(inuse, heap_inuse(fd)) TH_LOG("fail-nth %d", n);
		if (!rc && left)
			break;
	}
	close(nth);
	ASSERT_GE(64, n);
	ASSERT_LT(0, failed) TH_LOG("no allocation point was failed");
	TH_LOG("%d allocation points, %d failed cleanly", n - 1, failed);
}

TEST_F(dev, span_alloc_fault_injection_heap)
{
	fault_every_point(_metadata, self->fd, 0);
}

TEST_F(dev, span_alloc_fault_injection_scattered)
{
	fault_every_point(_metadata, self->fd, GOHEAP_SPAN_SCATTERED);
}

TEST_F(dev, span_handles_are_per_file)
{
	struct goheap_span_alloc a, b;
	int fd2 = open(DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	ASSERT_EQ(0, span_alloc(fd2, 1, 0, &b));
	ASSERT_EQ(a.handle, b.handle);	/* private namespaces, same first handle */
	ASSERT_EQ(0, span_free(fd2, b.handle));
	ASSERT_EQ(-ENOENT, span_free(fd2, a.handle));
	ASSERT_EQ(0, span_free(self->fd, a.handle));
	close(fd2);
}

/* ---------------------------------------------------------------------
 * GOHEAP_IOC_SPAN_INFO
 */

TEST_F(dev, span_info)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;

	ASSERT_EQ(0, span_alloc(self->fd, 5, 0, &a));
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(a.handle, si.handle);
	ASSERT_EQ(5, si.npages);
	ASSERT_EQ(self->hp, si.page_size);
	ASSERT_EQ(5 * self->hw_per_hp, si.hw_pages);
	ASSERT_EQ(1, si.runs);		/* heap spans lie inside one chunk */
	ASSERT_EQ(GOHEAP_SPAN_ZEROED, si.span_flags);
	ASSERT_EQ(0, si.faults);
	ASSERT_EQ(0, si.maps);
	ASSERT_EQ(a.offset, si.offset);
}

TEST_F(dev, span_info_reply_zeroed)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	memset(&si, FILL, sizeof(si));
	si.handle = a.handle;
	si.flags = 0;
	si.pfns = 0;
	si.pfn_count = 0;
	memset(si.reserved, 0, sizeof(si.reserved));
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_INFO, &si));
	ASSERT_EQ(0, si.flags);
	ASSERT_EQ(0, si.pfns);
	ASSERT_EQ(0, si.pfn_count);
	ASSERT_EQ(1, si.npages);
	ASSERT_EQ(0, si.faults);
	ASSERT_EQ(0, si.reserved[0]);
	ASSERT_EQ(0, si.reserved[1]);
}

TEST_F(dev, span_contiguous_is_one_aligned_run)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;
	__u64 pfns[16];
	unsigned int k, n;

	ASSERT_EQ(0, span_alloc(self->fd, 4, GOHEAP_SPAN_CONTIGUOUS, &a));
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	n = si.hw_pages;
	ASSERT_EQ(1, si.runs);
	if (!self->privileged)
		return;		/* the PFN check below needs CAP_SYS_ADMIN */
	ASSERT_GE(16, n);
	si.pfns = (uintptr_t)pfns;
	si.pfn_count = n;
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_INFO, &si));
	for (k = 1; k < n; k++)
		ASSERT_EQ(pfns[0] + k, pfns[k]);
	ASSERT_EQ(0, pfns[0] % n);	/* aligned like a buddy block */
}

TEST_F(dev, span_scattered_has_no_neighbours)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;
	__u64 pfns[32];
	unsigned int k, n;

	ASSERT_EQ(0, span_alloc(self->fd, 8, GOHEAP_SPAN_SCATTERED, &a));
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	n = si.hw_pages;
	ASSERT_EQ(8 * self->hw_per_hp, n);
	ASSERT_EQ(n, si.runs);
	if (!self->privileged)
		return;
	si.pfns = (uintptr_t)pfns;
	si.pfn_count = n;
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_INFO, &si));
	for (k = 1; k < n; k++)
		ASSERT_NE(pfns[k - 1] + 1, pfns[k]);
}

TEST_F(dev, span_info_pfns)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;
	__u64 pfns[64];
	unsigned int k, n, runs = 1;

	if (!self->privileged)
		SKIP(return, "needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, span_alloc(self->fd, 7, 0, &a));
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	n = si.hw_pages;
	memset(pfns, 0, sizeof(pfns));
	si.pfns = (uintptr_t)pfns;
	si.pfn_count = n;
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_INFO, &si));
	for (k = 0; k < n; k++)
		ASSERT_NE(0, pfns[k]);
	for (k = 1; k < n; k++)
		runs += pfns[k] != pfns[k - 1] + 1;
	ASSERT_EQ(si.runs, runs);
}

TEST_F(dev, span_info_pfns_short_array)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;
	__u64 pfns[4];

	if (!self->privileged)
		SKIP(return, "needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, span_alloc(self->fd, 2, 0, &a));
	memset(pfns, FILL, sizeof(pfns));
	memset(&si, 0, sizeof(si));
	si.handle = a.handle;
	si.pfns = (uintptr_t)pfns;
	si.pfn_count = 1;
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_INFO, &si));
	ASSERT_NE(0, pfns[0]);
	ASSERT_TRUE(all_bytes(&pfns[1], FILL, 3 * sizeof(pfns[0])));
}

/* PFNs need CAP_SYS_ADMIN at the call too: a privileged opener's fd is not enough. */
TEST_F(dev, span_info_pfns_unprivileged_eperm)
{
	struct goheap_span_alloc a;
	pid_t pid;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct goheap_span_info si;
		struct goheap_info i;
		__u64 pfns[2];

		if (drop_privileges())
			_exit(2);
		if (gh_ioctl(self->fd, GOHEAP_IOC_GET_INFO, &i) || i.caps)
			_exit(3);
		memset(pfns, FILL, sizeof(pfns));
		memset(&si, 0, sizeof(si));
		si.handle = a.handle;
		si.pfns = (uintptr_t)pfns;
		si.pfn_count = 2;
		if (gh_ioctl(self->fd, GOHEAP_IOC_SPAN_INFO, &si) != -EPERM)
			_exit(4);
		if (!all_bytes(pfns, FILL, sizeof(pfns)))
			_exit(5);
		/* Everything else still works. */
		_exit(span_info(self->fd, a.handle, &si) ? 6 : 0);
	}
	ASSERT_EQ(0, wait_status(pid));
}

/* ---------------------------------------------------------------------
 * GOHEAP_IOC_GET_MEMSTATS
 */

TEST_F(dev, memstats)
{
	struct goheap_memstats ms;
	struct goheap_memstats_req r = { 0 };
	struct goheap_span_alloc a;

	ASSERT_EQ(0, span_alloc(self->fd, self->info.max_span_pages, 0, &a));
	r.ptr = (uintptr_t)&ms;
	r.size = sizeof(ms);
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_GET_MEMSTATS, &r));
	ASSERT_EQ(sizeof(ms), r.written);
	ASSERT_EQ(sizeof(ms), r.avail);
	if (!self->heap_stats) {
		/* Unprivileged: the file's own heap spans, and nothing else. */
		ASSERT_EQ(a.size, ms.heap_inuse);
		ASSERT_EQ(0, ms.sys);
		ASSERT_EQ(0, ms.chunks);
		return;
	}
	ASSERT_LE(a.size, ms.heap_inuse);
	ASSERT_LE(ms.heap_inuse, ms.heap_sys);
	ASSERT_LE(ms.heap_sys, ms.sys);
	ASSERT_LE(1, ms.chunks);
}

TEST_F(dev, memstats_reply_zeroed)
{
	struct goheap_memstats ms;
	struct goheap_memstats_req r;

	memset(&r, FILL, sizeof(r));
	r.ptr = (uintptr_t)&ms;
	r.size = sizeof(ms);
	r.flags = 0;
	memset(r.reserved, 0, sizeof(r.reserved));
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_GET_MEMSTATS, &r));
	ASSERT_EQ(sizeof(ms), r.written);
	ASSERT_EQ(0, r.flags);
	ASSERT_EQ(0, r.reserved[0]);
	ASSERT_EQ(0, r.reserved[1]);
}

TEST_F(dev, memstats_prefix)
{
	__u64 buf[4];
	struct goheap_memstats_req r = { 0 };

	memset(buf, FILL, sizeof(buf));
	r.ptr = (uintptr_t)buf;
	r.size = 8;
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_GET_MEMSTATS, &r));
	ASSERT_EQ(8, r.written);
	ASSERT_EQ(sizeof(struct goheap_memstats), r.avail);
	/* Sys, withheld from callers without GOHEAP_CAP_HEAP_STATS */
	ASSERT_EQ(!!self->heap_stats, buf[0] != 0);
	ASSERT_TRUE(all_bytes(&buf[1], FILL, 3 * sizeof(buf[0])));
}

TEST_F(dev, memstats_larger_buffer)
{
	size_t n = sizeof(struct goheap_memstats) + 16;
	struct goheap_memstats_req r = { 0 };
	unsigned char *buf = malloc(n);

	ASSERT_NE(NULL, buf);
	memset(buf, FILL, n);
	r.ptr = (uintptr_t)buf;
	r.size = n;
	ASSERT_EQ(0, gh_ioctl(self->fd, GOHEAP_IOC_GET_MEMSTATS, &r));
	ASSERT_EQ(sizeof(struct goheap_memstats), r.written);
	ASSERT_TRUE(all_bytes(buf + r.written, FILL, 16));
	free(buf);
}

/* ---------------------------------------------------------------------
 * ioctl rejections common to every command
 */

TEST_F(dev, ioctl_unknown_nr_enotty)
{
	ASSERT_EQ(-ENOTTY, gh_ioctl(self->fd, _IO(GOHEAP_IOC_MAGIC, 0x1f), NULL));
}

TEST_F(dev, ioctl_wrong_size_enotty)
{
	__u64 x[8] = { 0 };

	ASSERT_EQ(-ENOTTY, gh_ioctl(self->fd, _IOWR(GOHEAP_IOC_MAGIC, 0x01, __u64), x));
}

TEST_F(dev, ioctl_wrong_direction_enotty)
{
	struct goheap_info i;

	ASSERT_EQ(-ENOTTY, gh_ioctl(self->fd, _IOW(GOHEAP_IOC_MAGIC, 0x00, struct goheap_info),
				    &i));
}

TEST_F(dev, ioctl_other_magic_enotty)
{
	struct goheap_info i;

	ASSERT_EQ(-ENOTTY, gh_ioctl(self->fd, _IOR(0xB8, 0x00, struct goheap_info), &i));
}

TEST_F(dev, ioctl_null_arg_efault)
{
	ASSERT_EQ(-EFAULT, gh_ioctl(self->fd, GOHEAP_IOC_GET_INFO, NULL));
}

/* ---------------------------------------------------------------------
 * GOHEAP_IOC_SPAN_ALLOC rejections
 */

TEST_F(dev, alloc_npages_zero_einval)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(-EINVAL, span_alloc(self->fd, 0, 0, &a));
}

TEST_F(dev, alloc_npages_over_max_einval)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(-EINVAL, span_alloc(self->fd, self->info.max_span_pages + 1, 0, &a));
}

TEST_F(dev, alloc_npages_huge_einval)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(-EINVAL, span_alloc(self->fd, 1ULL << 32, 0, &a));
}

TEST_F(dev, alloc_npages_overflowing_einval)
{
	struct goheap_span_alloc a;

	/* npages * heap page size wraps around 2^64 */
	ASSERT_EQ(-EINVAL, span_alloc(self->fd, (1ULL << 52) + 1, 0, &a));
	ASSERT_EQ(-EINVAL, span_alloc(self->fd, ~0ULL, 0, &a));
}

TEST_F(dev, alloc_unknown_flags_einval)
{
	struct goheap_span_alloc a;
	unsigned int bit;

	for (bit = 4; bit < 32; bit++)
		ASSERT_EQ(-EINVAL, span_alloc(self->fd, 1, 1U << bit, &a)) TH_LOG("bit %u", bit);
}

TEST_F(dev, alloc_contiguous_and_scattered_einval)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(-EINVAL, span_alloc(self->fd, 1,
				      GOHEAP_SPAN_CONTIGUOUS | GOHEAP_SPAN_SCATTERED, &a));
}

TEST_F(dev, alloc_reserved0_einval)
{
	struct goheap_span_alloc a = { .npages = 1, .reserved = { 1, 0 } };

	ASSERT_EQ(-EINVAL, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_ALLOC, &a));
}

TEST_F(dev, alloc_reserved1_einval)
{
	struct goheap_span_alloc a = { .npages = 1, .reserved = { 0, 1ULL << 63 } };

	ASSERT_EQ(-EINVAL, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_ALLOC, &a));
}

TEST_F(dev, alloc_null_arg_efault)
{
	ASSERT_EQ(-EFAULT, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_ALLOC, NULL));
}

/* The per-file cap (module parameter max_file_pages), lowered for the test. */
TEST_F(dev, alloc_over_file_cap_enomem)
{
	const char *param = "/sys/module/goheap/parameters/max_file_pages";
	struct goheap_span_alloc a, b, c;
	int pfd;

	pfd = open(param, O_RDWR | O_CLOEXEC);
	if (pfd < 0)
		SKIP(return, "cannot write %s (needs root)", param);
	self->param_len = read(pfd, self->param_old, sizeof(self->param_old) - 1);
	ASSERT_LT(0, self->param_len);
	self->param_fd = pfd;		/* teardown restores it */
	ASSERT_EQ(2, pwrite(pfd, "8\n", 2, 0));
	ASSERT_EQ(0, span_alloc(self->fd, 5, 0, &a));
	ASSERT_EQ(-ENOMEM, span_alloc(self->fd, 4, 0, &b));
	ASSERT_EQ(0, span_alloc(self->fd, 3, 0, &c));
	ASSERT_EQ(-ENOMEM, span_alloc(self->fd, 1, 0, &b));
	ASSERT_EQ(0, span_free(self->fd, a.handle));
	ASSERT_EQ(0, span_alloc(self->fd, 5, 0, &a));
}

/* Unprivileged callers are held to RLIMIT_MEMLOCK. */
TEST_F(dev, alloc_over_memlock_enomem)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rlimit rl = { 4 * self->hp, 4 * self->hp };
		struct goheap_span_alloc a, b;

		if (drop_privileges() || setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(2);
		if (span_alloc(self->fd, 5, 0, &a) != -ENOMEM)
			_exit(3);
		if (span_alloc(self->fd, 3, GOHEAP_SPAN_SCATTERED, &a))
			_exit(4);
		if (span_alloc(self->fd, 2, 0, &b) != -ENOMEM)
			_exit(5);
		if (span_free(self->fd, a.handle) || span_alloc(self->fd, 4, 0, &b))
			_exit(6);
		_exit(0);
	}
	ASSERT_EQ(0, wait_status(pid));
}

/* ---------------------------------------------------------------------
 * GOHEAP_IOC_SPAN_FREE rejections
 */

TEST_F(dev, free_unknown_handle_enoent)
{
	ASSERT_EQ(-ENOENT, span_free(self->fd, 12345));
}

TEST_F(dev, free_handle_zero_enoent)
{
	ASSERT_EQ(-ENOENT, span_free(self->fd, 0));
}

TEST_F(dev, free_twice_enoent)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	ASSERT_EQ(0, span_free(self->fd, a.handle));
	ASSERT_EQ(-ENOENT, span_free(self->fd, a.handle));
}

TEST_F(dev, free_flags_einval)
{
	struct goheap_span_alloc a;
	struct goheap_span_free f;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	f = (struct goheap_span_free){ .handle = a.handle, .flags = 1 };
	ASSERT_EQ(-EINVAL, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_FREE, &f));
	ASSERT_EQ(0, span_free(self->fd, a.handle));
}

TEST_F(dev, free_reserved_einval)
{
	struct goheap_span_alloc a;
	struct goheap_span_free f;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	f = (struct goheap_span_free){ .handle = a.handle, .reserved = 1 };
	ASSERT_EQ(-EINVAL, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_FREE, &f));
	ASSERT_EQ(0, span_free(self->fd, a.handle));
}

TEST_F(dev, free_while_mapped_ebusy)
{
	struct goheap_span_alloc a;
	char *p;

	ASSERT_EQ(0, span_alloc(self->fd, 2, 0, &a));
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	p[0] = 1;
	ASSERT_EQ(-EBUSY, span_free(self->fd, a.handle));
	ASSERT_EQ(1, p[0]);		/* still there */
	ASSERT_EQ(0, munmap(p, a.size));
	ASSERT_EQ(0, span_free(self->fd, a.handle));
}

/* ---------------------------------------------------------------------
 * GOHEAP_IOC_SPAN_INFO rejections
 */

TEST_F(dev, info_unknown_handle_enoent)
{
	struct goheap_span_info si;

	ASSERT_EQ(-ENOENT, span_info(self->fd, 777, &si));
}

TEST_F(dev, info_flags_einval)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si = { 0 };

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	si.handle = a.handle;
	si.flags = 1U << 31;
	ASSERT_EQ(-EINVAL, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_INFO, &si));
}

TEST_F(dev, info_reserved0_einval)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si = { 0 };

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	si.handle = a.handle;
	si.reserved[0] = 1;
	ASSERT_EQ(-EINVAL, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_INFO, &si));
}

TEST_F(dev, info_reserved1_einval)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si = { 0 };

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	si.handle = a.handle;
	si.reserved[1] = 1;
	ASSERT_EQ(-EINVAL, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_INFO, &si));
}

TEST_F(dev, info_pfns_without_count_einval)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si = { 0 };
	__u64 pfn;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	si.handle = a.handle;
	si.pfns = (uintptr_t)&pfn;
	ASSERT_EQ(-EINVAL, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_INFO, &si));
}

TEST_F(dev, info_pfns_unprivileged_eperm)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si = { 0 };
	__u64 pfn = 0;

	if (self->privileged)
		SKIP(return, "privileged caller (see span_info_pfns_unprivileged_eperm)");
	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	si.handle = a.handle;
	si.pfns = (uintptr_t)&pfn;
	si.pfn_count = 1;
	ASSERT_EQ(-EPERM, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_INFO, &si));
	ASSERT_EQ(0, pfn);
}

TEST_F(dev, info_pfns_bad_pointer_efault)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si = { 0 };

	if (!self->privileged)
		SKIP(return, "needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	si.handle = a.handle;
	si.pfns = 8;
	si.pfn_count = 1;
	ASSERT_EQ(-EFAULT, gh_ioctl(self->fd, GOHEAP_IOC_SPAN_INFO, &si));
}

/* ---------------------------------------------------------------------
 * GOHEAP_IOC_GET_MEMSTATS rejections
 */

TEST_F(dev, memstats_flags_einval)
{
	struct goheap_memstats ms;
	struct goheap_memstats_req r = { .ptr = (uintptr_t)&ms, .size = sizeof(ms), .flags = 1 };

	ASSERT_EQ(-EINVAL, gh_ioctl(self->fd, GOHEAP_IOC_GET_MEMSTATS, &r));
}

TEST_F(dev, memstats_reserved_einval)
{
	struct goheap_memstats ms;
	struct goheap_memstats_req r = { .ptr = (uintptr_t)&ms, .size = sizeof(ms) };

	r.reserved[1] = 1;
	ASSERT_EQ(-EINVAL, gh_ioctl(self->fd, GOHEAP_IOC_GET_MEMSTATS, &r));
}

TEST_F(dev, memstats_size_zero_einval)
{
	struct goheap_memstats ms;
	struct goheap_memstats_req r = { .ptr = (uintptr_t)&ms, .size = 0 };

	ASSERT_EQ(-EINVAL, gh_ioctl(self->fd, GOHEAP_IOC_GET_MEMSTATS, &r));
}

TEST_F(dev, memstats_size_unaligned_einval)
{
	struct goheap_memstats ms;
	struct goheap_memstats_req r = { .ptr = (uintptr_t)&ms, .size = 12 };

	ASSERT_EQ(-EINVAL, gh_ioctl(self->fd, GOHEAP_IOC_GET_MEMSTATS, &r));
}

TEST_F(dev, memstats_null_ptr_efault)
{
	struct goheap_memstats_req r = { .ptr = 0, .size = 8 };

	ASSERT_EQ(-EFAULT, gh_ioctl(self->fd, GOHEAP_IOC_GET_MEMSTATS, &r));
}

/* ---------------------------------------------------------------------
 * mmap: success paths
 */

TEST_F(dev, mmap_demand_faults_once_per_page)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;
	size_t off;
	char *p;

	ASSERT_EQ(0, span_alloc(self->fd, 4, 0, &a));
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(0, si.faults);
	ASSERT_EQ(1, si.maps);
	for (off = 0; off < a.size; off += self->hw)
		p[off] = 1;
	for (off = 0; off < a.size; off += self->hw)
		p[off + 1] = 2;		/* touching again costs nothing */
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(4 * self->hw_per_hp, si.faults);
	ASSERT_EQ(0, munmap(p, a.size));
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(0, si.maps);
}

TEST_F(dev, mmap_prefault_takes_no_fault)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;
	size_t off;
	char *p;

	ASSERT_EQ(0, span_alloc(self->fd, 4, GOHEAP_SPAN_PREFAULT, &a));
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	for (off = 0; off < a.size; off += self->hw) {
		ASSERT_EQ(0, p[off]);
		p[off] = 1;
	}
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(0, si.faults);
	ASSERT_EQ(0, munmap(p, a.size));
}

/*
 * MADV_DONTNEED zaps a prefaulted mapping's page tables: the pages stay
 * the span's (the mapping is shared), and each hardware page touched again
 * is mapped by one counted fault, as in a demand mapping.
 */
TEST_F(dev, mmap_prefault_refaults_after_dontneed)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;
	size_t off, hw = 0;
	char *p;

	ASSERT_EQ(0, span_alloc(self->fd, 4, GOHEAP_SPAN_PREFAULT, &a));
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	for (off = 0; off < a.size; off += self->hw)
		p[off] = (char)(off / self->hw + 1);
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(0, si.faults);
	if (madvise(p, a.size, MADV_DONTNEED)) {
		ASSERT_EQ(ENOSYS, errno);
		SKIP(return, "no madvise() (CONFIG_ADVISE_SYSCALLS)");
	}
	for (off = 0; off < a.size; off += self->hw, hw++)
		ASSERT_EQ((char)(off / self->hw + 1), p[off]);
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(hw, si.faults);
	/* Mapped again: touching costs nothing more. */
	for (off = 0; off < a.size; off += self->hw)
		p[off] = 0;
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(hw, si.faults);
	ASSERT_EQ(0, munmap(p, a.size));
}

TEST_F(dev, mmap_new_span_is_zeroed)
{
	struct goheap_span_alloc a;
	unsigned int round;
	char *p;

	/* Dirty a span, give it back, and get the same memory again. */
	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, span_alloc(self->fd, self->info.max_span_pages, 0, &a));
		p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
		ASSERT_NE(NULL, p);
		ASSERT_TRUE(all_bytes(p, 0, a.size)) TH_LOG("round %u", round);
		memset(p, 0x5A, a.size);
		ASSERT_EQ(0, munmap(p, a.size));
		ASSERT_EQ(0, span_free(self->fd, a.handle));
	}
}

TEST_F(dev, mmap_two_mappings_share_data)
{
	struct goheap_span_alloc a;
	char *p, *q;

	ASSERT_EQ(0, span_alloc(self->fd, 2, 0, &a));
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	q = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, q);
	ASSERT_NE(p, q);
	snprintf(p + a.size - 64, 64, "written through p");
	ASSERT_STREQ("written through p", q + a.size - 64);
	q[5] = 'q';
	ASSERT_EQ('q', p[5]);
}

TEST_F(dev, mmap_partial)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;
	char *full, *part;

	ASSERT_EQ(0, span_alloc(self->fd, 4, 0, &a));
	/* hardware pages 1 and 2 of the span */
	part = map(self->fd, &a, self->hw, 2 * self->hw, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, part);
	full = map(self->fd, &a, 0, a.size, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, full);
	part[0] = 'a';
	part[2 * self->hw - 1] = 'z';
	ASSERT_EQ('a', full[self->hw]);
	ASSERT_EQ('z', full[3 * self->hw - 1]);
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(2, si.maps);
}

TEST_F(dev, mmap_last_hw_page)
{
	struct goheap_span_alloc a;
	char *p;

	ASSERT_EQ(0, span_alloc(self->fd, 3, 0, &a));
	p = map(self->fd, &a, a.size - self->hw, self->hw, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	p[self->hw - 1] = 1;
}

TEST_F(dev, mmap_read_only)
{
	struct goheap_span_alloc a;
	char *p, *w;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	w = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	p = map(self->fd, &a, 0, a.size, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, w);
	ASSERT_NE(NULL, p);
	w[100] = 7;
	ASSERT_EQ(7, p[100]);
}

/* MAP_SHARED of a read-only file: VM_MAYSHARE without VM_SHARED. */
TEST_F(dev, mmap_read_only_file)
{
	struct goheap_span_alloc a;
	int fd = open(DEV, O_RDONLY | O_CLOEXEC);
	char *p;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, span_alloc(fd, 1, 0, &a));
	p = map(fd, &a, 0, a.size, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, p[0]);
	ASSERT_EQ(-EACCES, map_err(fd, a.offset, a.size, PROT_READ | PROT_WRITE, MAP_SHARED));
	ASSERT_EQ(-EACCES, mprotect(p, a.size, PROT_READ | PROT_WRITE) ? -errno : 0);
	ASSERT_EQ(0, munmap(p, a.size));
	close(fd);
}

TEST_F(dev, munmap_middle_splits_mapping)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;
	char *p;

	ASSERT_EQ(0, span_alloc(self->fd, 2, 0, &a));
	ASSERT_LE(2 * self->hw, a.size);
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	memset(p, 3, a.size);
	ASSERT_EQ(0, munmap(p + self->hw, self->hw));
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(a.size / self->hw == 2 ? 1 : 2, si.maps);
	ASSERT_EQ(-EBUSY, span_free(self->fd, a.handle));
	ASSERT_EQ(3, p[0]);
	ASSERT_EQ(0, munmap(p, a.size));
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(0, si.maps);
	ASSERT_EQ(0, span_free(self->fd, a.handle));
}

TEST_F(dev, mremap_shrink)
{
	struct goheap_span_alloc a;
	char *p, *q;

	ASSERT_EQ(0, span_alloc(self->fd, 2, 0, &a));
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	p[0] = 9;
	q = mremap(p, a.size, self->hw, 0);
	ASSERT_EQ(p, q);
	ASSERT_EQ(9, q[0]);
}

TEST_F(dev, mremap_move)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;
	char *p, *q, *dst;

	ASSERT_EQ(0, span_alloc(self->fd, 2, 0, &a));
	dst = mmap(NULL, a.size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, dst);
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	p[a.size - 1] = 4;
	q = mremap(p, a.size, a.size, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	ASSERT_EQ(dst, q);
	ASSERT_EQ(4, q[a.size - 1]);
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(1, si.maps);
	ASSERT_EQ(0, munmap(q, a.size));
	ASSERT_EQ(0, span_free(self->fd, a.handle));
}

/* The mmap offset in /proc/self/maps is the span's, nothing physical. */
TEST_F(dev, proc_maps_shows_span_offset)
{
	struct goheap_span_alloc a;
	unsigned long start, end, off, want;
	char line[512], perms[8];
	int found = 0;
	char *p;
	FILE *f;

	ASSERT_EQ(0, span_alloc(self->fd, 2, GOHEAP_SPAN_PREFAULT, &a));
	p = map(self->fd, &a, self->hw, self->hw, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, p);
	want = a.offset + self->hw;
	f = fopen("/proc/self/maps", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s %lx", &start, &end, perms, &off) != 4)
			continue;
		if (start != (unsigned long)p)
			continue;
		found = 1;
		ASSERT_EQ(want, off) TH_LOG("%s", line);
		ASSERT_NE(NULL, strstr(line, DEV));
		ASSERT_EQ('s', perms[3]);
	}
	fclose(f);
	ASSERT_TRUE(found);
}

TEST_F(dev, mmap_scattered_span)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;
	size_t off;
	char *p, *q;

	ASSERT_EQ(0, span_alloc(self->fd, 3, GOHEAP_SPAN_SCATTERED, &a));
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	q = map(self->fd, &a, 0, a.size, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, q);
	ASSERT_TRUE(all_bytes(p, 0, a.size));
	for (off = 0; off < a.size; off += self->hw)
		p[off] = (char)(off / self->hw + 1);
	for (off = 0; off < a.size; off += self->hw)
		ASSERT_EQ((char)(off / self->hw + 1), q[off]);
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(2 * si.hw_pages, si.faults);	/* each page, in each mapping */
}

/*
 * A page pinned by someone else (here a pipe, through vmsplice) outlives
 * the mapping and the span: the span is freed, but its memory goes back
 * to the heap, and its charge goes, only when the pin is gone. (HeapInuse
 * is the heap's only with GOHEAP_CAP_HEAP_STATS; goheap_charge_test.c has
 * the rest of the accounting.)
 */
TEST_F(dev, pinned_page_delays_return_to_heap)
{
	__u64 with_span = 0, after = 0, charged, uafter = 0;
	struct goheap_span_alloc a;
	struct iovec iov;
	char buf[64];
	int pfd[2], tries;
	char *p;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	memset(p, 'X', a.size);
	if (self->heap_stats) {
		with_span = heap_inuse(self->fd);
		ASSERT_LE(a.size, with_span);
	}
	charged = user_charged(self->fd);
	ASSERT_LE(a.size, charged);
	ASSERT_EQ(0, pipe(pfd));
	iov.iov_base = p;
	iov.iov_len = sizeof(buf);
	ASSERT_EQ((ssize_t)sizeof(buf), vmsplice(pfd[1], &iov, 1, 0));
	ASSERT_EQ(0, munmap(p, a.size));
	ASSERT_EQ(0, span_free(self->fd, a.handle));
	/* Freed, but its page is still the pipe's: not back, still charged. */
	if (self->heap_stats)
		ASSERT_EQ(with_span, heap_inuse(self->fd));
	ASSERT_EQ(charged, user_charged(self->fd));
	ASSERT_EQ((ssize_t)sizeof(buf), read(pfd[0], buf, sizeof(buf)));
	ASSERT_TRUE(all_bytes(buf, 'X', sizeof(buf)));
	close(pfd[0]);
	close(pfd[1]);
	/* The deferred free retries every second. */
	for (tries = 0; tries < 50; tries++) {
		after = self->heap_stats ? heap_inuse(self->fd) : 0;
		uafter = user_charged(self->fd);
		if (after <= with_span - a.size && uafter == charged - a.size)
			break;
		usleep(100000);
	}
	if (self->heap_stats)
		ASSERT_GE(with_span - a.size, after);
	ASSERT_EQ(charged - a.size, uafter);
}

struct race {
	int fd;
	__u64 offset;
	size_t len;
	int stop;		/* __atomic */
	int bad;
};

static void *race_mapper(void *arg)
{
	struct race *r = arg;
	char *p;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		p = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, r->offset);
		if (p == MAP_FAILED) {
			if (errno != EINVAL)
				r->bad = errno;
			continue;
		}
		p[0]++;
		munmap(p, r->len);
	}
	return NULL;
}

/* SPAN_FREE racing mmap of the same span: EBUSY or freed, never both. */
TEST_F(dev, race_free_against_mmap)
{
	struct goheap_span_alloc a;
	struct race r = { .fd = self->fd };
	unsigned int round, busy = 0;
	pthread_t t;
	int err;

	for (round = 0; round < 50; round++) {
		ASSERT_EQ(0, span_alloc(self->fd, 1, round & 1 ? GOHEAP_SPAN_PREFAULT : 0, &a));
		r.offset = a.offset;
		r.len = a.size;
		__atomic_store_n(&r.stop, 0, __ATOMIC_RELAXED);
		ASSERT_EQ(0, pthread_create(&t, NULL, race_mapper, &r));
		usleep(1000);
		while ((err = span_free(self->fd, a.handle)) == -EBUSY)
			busy++;
		__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
		ASSERT_EQ(0, pthread_join(t, NULL));
		ASSERT_EQ(0, err);
		ASSERT_EQ(0, r.bad);
		ASSERT_EQ(-EINVAL, map_err(self->fd, a.offset, a.size, PROT_READ, MAP_SHARED));
	}
	TH_LOG("%u EBUSY answers in 50 rounds", busy);
}

/* Mappings pin the module, even after the file is closed. */
TEST_F(dev, mapping_pins_module)
{
	struct goheap_span_alloc a;
	char *p;

	if (geteuid() != 0)
		SKIP(return, "needs CAP_SYS_MODULE");
	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(-1, syscall(SYS_delete_module, "goheap", O_NONBLOCK));
	ASSERT_EQ(EWOULDBLOCK, errno);
	p[0] = 1;
	ASSERT_EQ(0, munmap(p, a.size));
}

/* ---------------------------------------------------------------------
 * mmap rejections
 */

TEST_F(dev, mmap_private_einval)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	ASSERT_EQ(-EINVAL, map_err(self->fd, a.offset, a.size, PROT_READ, MAP_PRIVATE));
}

TEST_F(dev, mmap_exec_eperm)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	ASSERT_EQ(-EPERM, map_err(self->fd, a.offset, a.size, PROT_READ | PROT_EXEC, MAP_SHARED));
}

TEST_F(dev, mprotect_exec_eacces)
{
	struct goheap_span_alloc a;
	char *p;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	p = map(self->fd, &a, 0, a.size, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(-EACCES, mprotect(p, a.size, PROT_READ | PROT_EXEC) ? -errno : 0);
}

TEST_F(dev, mprotect_upgrade_read_only_eacces)
{
	struct goheap_span_alloc a;
	char *p;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	p = map(self->fd, &a, 0, a.size, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(-EACCES, mprotect(p, a.size, PROT_READ | PROT_WRITE) ? -errno : 0);
}

TEST_F(dev, mremap_grow_efault)
{
	struct goheap_span_alloc a;
	char *p, *q;

	ASSERT_EQ(0, span_alloc(self->fd, 2, 0, &a));
	p = map(self->fd, &a, 0, self->hw, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	q = mremap(p, self->hw, 2 * self->hw, 0);
	ASSERT_EQ(MAP_FAILED, q);
	ASSERT_EQ(EFAULT, errno);
	q = mremap(p, self->hw, 2 * self->hw, MREMAP_MAYMOVE);
	ASSERT_EQ(MAP_FAILED, q);
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(dev, mmap_unknown_handle_einval)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	ASSERT_EQ(-EINVAL, map_err(self->fd, a.offset * 1000, self->hw, PROT_READ, MAP_SHARED));
}

TEST_F(dev, mmap_offset_zero_einval)
{
	ASSERT_EQ(-EINVAL, map_err(self->fd, 0, self->hw, PROT_READ, MAP_SHARED));
}

TEST_F(dev, mmap_offset_past_span_einval)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(0, span_alloc(self->fd, 2, 0, &a));
	ASSERT_EQ(-EINVAL, map_err(self->fd, a.offset + a.size, self->hw, PROT_READ, MAP_SHARED));
}

TEST_F(dev, mmap_length_past_span_einval)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(0, span_alloc(self->fd, 2, 0, &a));
	ASSERT_EQ(-EINVAL, map_err(self->fd, a.offset, a.size + self->hw, PROT_READ, MAP_SHARED));
}

TEST_F(dev, mmap_offset_plus_length_past_span_einval)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(0, span_alloc(self->fd, 2, 0, &a));
	ASSERT_EQ(-EINVAL, map_err(self->fd, a.offset + self->hw, a.size, PROT_READ, MAP_SHARED));
}

TEST_F(dev, mmap_huge_offset_einval)
{
	/* Beyond every handle, but pgoff + length does not wrap. */
	ASSERT_EQ(-EINVAL, map_err(self->fd, 1ULL << 62, self->hw, PROT_READ, MAP_SHARED));
}

TEST_F(dev, mmap_largest_offset_einval)
{
	ASSERT_EQ(-EINVAL, map_err(self->fd, 0x7ffffffffffff000ULL, self->hw, PROT_READ,
				   MAP_SHARED));
}

TEST_F(dev, mmap_wrapping_offset_eoverflow)
{
	/* offset + length wraps: the core refuses before the driver sees it. */
	ASSERT_EQ(-EOVERFLOW, map_err(self->fd, -(__u64)self->hw, 2 * self->hw, PROT_READ,
				      MAP_SHARED));
}

TEST_F(dev, mmap_freed_span_einval)
{
	struct goheap_span_alloc a;

	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &a));
	ASSERT_EQ(0, span_free(self->fd, a.handle));
	ASSERT_EQ(-EINVAL, map_err(self->fd, a.offset, a.size, PROT_READ, MAP_SHARED));
}

TEST_F(dev, mmap_other_files_span_einval)
{
	struct goheap_span_alloc a;
	int fd2 = open(DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, span_alloc(fd2, 1, 0, &a));
	ASSERT_EQ(-EINVAL, map_err(self->fd, a.offset, a.size, PROT_READ, MAP_SHARED));
	close(fd2);
}

/* ---------------------------------------------------------------------
 * Lifetime: close(), fork()
 */

TEST_F(dev, close_with_mapping_alive)
{
	struct goheap_span_alloc a, b;
	char *p;
	int fd;

	ASSERT_EQ(0, span_alloc(self->fd, 2, 0, &a));
	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &b));	/* unmapped: goes with the file */
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	memset(p, 0x11, a.size);
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	/* The mapping keeps the span: touch every byte, then unmap. */
	ASSERT_TRUE(all_bytes(p, 0x11, a.size));
	memset(p, 0x22, a.size);
	ASSERT_TRUE(all_bytes(p, 0x22, a.size));
	ASSERT_EQ(0, munmap(p, a.size));
	/* The device still works for a new file. */
	fd = open(DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, span_alloc(fd, 1, 0, &a));
	close(fd);
}

TEST_F(dev, fork_child_writes_parent_sees)
{
	struct goheap_span_alloc a;
	struct goheap_span_info si;
	pid_t pid;
	char *p;

	ASSERT_EQ(0, span_alloc(self->fd, 2, 0, &a));
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	p[0] = 'p';
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (p[0] != 'p')
			_exit(1);
		snprintf(p + a.size / 2, a.size / 2, "from the child");
		_exit(0);
	}
	ASSERT_EQ(0, wait_status(pid));
	ASSERT_STREQ("from the child", p + a.size / 2);
	ASSERT_EQ(0, span_info(self->fd, a.handle, &si));
	ASSERT_EQ(1, si.maps);		/* the child's copy is gone */
}

/* A child's inherited mapping keeps the pages after the parent lets go. */
TEST_F(dev, fork_child_keeps_pages)
{
	struct goheap_span_alloc a;
	int go[2], done[2];
	char c = 0;
	pid_t pid;
	char *p;

	ASSERT_EQ(0, span_alloc(self->fd, 4, GOHEAP_SPAN_PREFAULT, &a));
	p = map(self->fd, &a, 0, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	memset(p, 0x33, a.size);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(self->fd);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		if (!all_bytes(p, 0x33, a.size))
			_exit(2);
		memset(p, 0x44, a.size);
		_exit(all_bytes(p, 0x44, a.size) ? 0 : 3);
	}
	/* Parent: drop the mapping and the file; only the child holds the span. */
	ASSERT_EQ(0, munmap(p, a.size));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(0, wait_status(pid));
}

TEST_HARNESS_MAIN
