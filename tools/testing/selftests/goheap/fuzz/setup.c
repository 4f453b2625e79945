// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_fuzz: the environment. Set-up (the shared model, guard pages, the
 * arena, the device's geometry, capabilities, limits, fail-nth, signal
 * handlers and the timer, the HeapInuse baseline); the operations that
 * change it (signals, max_file_pages, RLIMIT_MEMLOCK); and the end: unmap
 * and close everything, check that goheap is back where it started, print
 * the summary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <linux/capability.h>

#include "fuzz.h"

static struct goheap_info info;

static bool have_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return geteuid() == 0;
	return d[cap / 32].effective & (1U << (cap % 32));
}

/*
 * Whether /proc/self/mem forces access (FOLL_FORCE) for the process itself,
 * so reads a PROT_NONE page: always on 6.1; from 6.12 a choice of the
 * kernel's configuration (CONFIG_PROC_MEM_*) and proc_mem.force_override.
 */
static bool probe_mem_force(void)
{
	static uint64_t buf[PAGE_MAX / 8];
	bool force = false;
	void *p;
	int fd;

	p = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	if (p != MAP_FAILED && fd >= 0)
		force = pread(fd, buf, PAGE, (uintptr_t)p) == (ssize_t)PAGE;
	if (fd >= 0)
		close(fd);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	return force;
}

/*
 * Whether mremap(MREMAP_MAYMOVE | MREMAP_FIXED) moves a range that spans
 * more than one VMA (6.17 and later) instead of failing with EFAULT.
 */
static bool probe_mremap_multi(void)
{
	char *a, *dst;
	bool multi;

	a = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED || dst == MAP_FAILED || mprotect(a + PAGE, PAGE, PROT_READ))
		die("mremap probe");
	multi = mremap(a, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst) == dst;
	munmap(a, 2 * PAGE);
	munmap(dst, 2 * PAGE);
	return multi;
}

void setup(void)
{
	struct sigaction sa = { 0 };
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	struct statvfs sv;
	struct rlimit rl;
	uint64_t prev, prev_user;
	char buf[32];
	int n, i;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("shared model");
	guard = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	arena = mmap(NULL, ARENA_PAGES * PAGE, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (guard == MAP_FAILED || arena == MAP_FAILED ||
	    mprotect(guard + PAGE, PAGE, PROT_NONE) || mprotect(guard + 2 * PAGE, PAGE, PROT_READ))
		die("guard pages");
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	memfd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (nullfd < 0 || pipe2(scratch, O_CLOEXEC))
		die("set-up");

	statfd = open(DEV, O_RDWR | O_CLOEXEC);
	if (statfd < 0) {
		printf("fuzz: %s: %s\n", DEV, strerror(errno));
		exit(errno == ENOENT ? 4 : 2);
	}
	if (xioctl(statfd, GOHEAP_IOC_GET_INFO, &info))
		die("GET_INFO");
	if (info.hw_page_size != PAGE || sysconf(_SC_PAGESIZE) != (long)PAGE ||
	    (uint64_t)info.max_span_pages * info.heap_page_size / PAGE != MAX_HW) {
		printf("fuzz: unexpected geometry: hw page %u, heap page %u, max span %u\n",
		       info.hw_page_size, info.heap_page_size, info.max_span_pages);
		exit(2);
	}
	hp = info.heap_page_size;
	hw_per_hp = hp / PAGE;
	max_span = info.max_span_pages;
	cap_pages = info.max_file_pages;
	cap_admin = have_cap(CAP_SYS_ADMIN);
	cap_ipc_lock = have_cap(CAP_IPC_LOCK);
	/* The heap's figures: for CAP_PERFMON or CAP_SYS_ADMIN only. */
	heap_stats = cap_admin || have_cap(CAP_PERFMON);
	if (!!(info.caps & GOHEAP_CAP_HEAP_STATS) != heap_stats) {
		printf("fuzz: GET_INFO caps %#x, but CAP_SYS_ADMIN %d, CAP_PERFMON %d\n",
		       info.caps, cap_admin, have_cap(CAP_PERFMON));
		exit(1);
	}
	dev_noexec = !statvfs(DEV, &sv) && (sv.f_flag & ST_NOEXEC);
	mincore_ok = !access(DEV, W_OK) || cap_admin;
	/* tinyconfig kernels may have no madvise() (CONFIG_ADVISE_SYSCALLS) */
	have_madvise = !madvise(guard, PAGE, MADV_NORMAL) || errno != ENOSYS;
	mem_force = probe_mem_force();
	mremap_multi = probe_mremap_multi();

	/* Root: vary max_file_pages (restored at the end). */
	param_fd = open("/sys/module/goheap/parameters/max_file_pages", O_RDWR | O_CLOEXEC);
	if (param_fd >= 0) {
		n = pread(param_fd, param_orig, sizeof(param_orig) - 1, 0);
		if (n <= 0) {
			close(param_fd);
			param_fd = -1;
		} else {
			param_orig[n] = 0;
		}
	}
	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		die("getrlimit");
	memlock = rl.rlim_cur;

	if (!no_inject) {
		nthfd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
		if (nthfd >= 0 && (pwrite(nthfd, "0", 1, 0) != 1 ||
				   pread(nthfd, buf, sizeof(buf), 0) <= 0)) {
			close(nthfd);
			nthfd = -1;
		}
	}

	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sa.sa_handler = on_tick;
	sa.sa_flags = 0;		/* no SA_RESTART: nothing may come back EINTR */
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	it.it_interval.tv_usec = 500 + rnd(3000);
	it.it_value = it.it_interval;
	setitimer(ITIMER_REAL, &it, NULL);

	/*
	 * The baseline. Spans a previous process freed while a pipe held a
	 * page go back from a work item that runs every second: wait until
	 * HeapInuse and our user's charge hold still for 1.5 s (at most 10 s).
	 */
	base_inuse = heap_inuse(statfd);
	base_user = user_charged(statfd);
	for (n = 0, i = 0; (base_inuse || base_user) && n < 6 && i < 40; i++) {
		sleep_us(250000);
		prev = base_inuse;
		prev_user = base_user;
		base_inuse = heap_inuse(statfd);
		base_user = user_charged(statfd);
		n = base_inuse == prev && base_user == prev_user ? n + 1 : 0;
	}
}

/* ---- operations on the environment: signals and limits ---- */

bool op_signal(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	if (chance(70)) {
		desc("raise(SIGUSR1)");
		result(raise(SIGUSR1) ? errno : 0);
		return true;
	}
	if (in_child)
		return false;
	it.it_interval.tv_usec = 300 + rnd(5000);
	it.it_value = it.it_interval;
	desc("SIGALRM every %ld us", (long)it.it_interval.tv_usec);
	result(setitimer(ITIMER_REAL, &it, NULL) ? errno : 0);
	return true;
}

/* Root: lower or raise max_file_pages. Others: RLIMIT_MEMLOCK. */
bool op_limit(void)
{
	static const uint64_t caps[] = { 8, 64, 256, 1024, 4096, 16384 };
	static const uint64_t locks[] = { 0, 4096, 65536, 1 << 20, 4 << 20, 8 << 20, 64 << 20 };
	struct rlimit rl;
	char buf[32];
	int len;

	if (in_child)
		return false;
	if (param_fd >= 0) {
		cap_pages = chance(20) ? strtoull(param_orig, NULL, 10) :
			    caps[rnd(ARRAY_SIZE(caps))];
		len = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", cap_pages);
		desc("max_file_pages = %" PRIu64, cap_pages);
		if (pwrite(param_fd, buf, len, 0) != len)
			die("max_file_pages");
		result(0);
		return true;
	}
	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		die("getrlimit");
	rl.rlim_cur = locks[rnd(ARRAY_SIZE(locks))];
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	desc("RLIMIT_MEMLOCK = %llu (our spans: %" PRIu64 " pages)",
	     (unsigned long long)rl.rlim_cur, user_pages());
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		die("setrlimit");
	memlock = rl.rlim_cur;
	result(0);
	return true;
}

/* ---- the end ---- */

/* Unmap and close everything; goheap must be back where it started. */
void finish(double t0)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	struct goheap_info gi;
	uint64_t inuse = 0, charged = 0;
	int v, i, p, fd, tries, err;
	char line[128];
	FILE *f;

	cur_op = OP_CHECK;
	opno++;
	desc("end: check, then unmap and close everything");
	check_all("end");
	setitimer(ITIMER_REAL, &it, NULL);
	for (p = 0; p < MAX_PIPES; p++)
		if (pipes[p].used)
			pipe_close(p);
	for (v = 0; v < MAX_VMAS; v++) {
		if (!vmas[v].used)
			continue;
		if (munmap((void *)vmas[v].addr, vmas[v].npg * PAGE))
			fail("munmap at the end: %s", errname(errno));
		model_unmap(vmas[v].addr, vmas[v].npg * PAGE);
	}
	for (i = 0; i < MAX_FDS; i++) {
		if (!fds[i].used)
			continue;
		close(fds[i].fd);
		fds[i].used = false;
		files[fds[i].file].nfds--;
		maybe_release(fds[i].file);
	}
	for (i = 0; i < MAX_SPANS; i++)
		if (spans[i].used)
			fail("model: span %d (handle %u) still alive at the end", i,
			     spans[i].handle);
	check_all("everything closed");
	restore_param();
	close(statfd);

	/* A fresh file: no pages; the heap back at its starting HeapInuse. */
	fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(DEV);
	err = xioctl(fd, GOHEAP_IOC_GET_INFO, &gi);
	if (err || gi.file_pages)
		fail("fresh file at the end: GET_INFO %s, file_pages %llu", errname(err),
		     (unsigned long long)gi.file_pages);
	for (tries = 0; tries < 300; tries++) {
		inuse = heap_inuse(fd);
		charged = user_charged(fd);
		if (inuse == base_inuse && charged == base_user)
			break;
		sleep_us(100000);	/* spans pinned by pipes go back within a second or two */
	}
	close(fd);
	if (inuse != base_inuse)
		fail("at the end, after %d s: HeapInuse %" PRIu64 " B, at the start %" PRIu64 " B",
		     tries / 10, inuse, base_inuse);
	if (charged != base_user)
		fail("at the end, after %d s: user_charged %" PRIu64 " B, at the start %" PRIu64
		     " B", tries / 10, charged, base_user);

	printf("fuzz: seed %" PRIu64 ": %lu ops in %.1f s, %lu SIGALRM, %lu SIGUSR1, "
	       "%lu ENOMEM tolerated, %lu reads through mappings of closed files\n",
	       seed, opno - 1, now() - t0, nsigalrm, nsigusr1, enomem_tolerated, orphan_reads);
	for (i = 0; i < NR_OPS; i++) {
		char out[512];
		int len = 0, e, first = 1;

		if (!opdefs[i].w)
			continue;
		len += snprintf(out + len, sizeof(out) - len, "fuzz:   %s %lu", opdefs[i].name,
				stats[i].n);
		for (e = 0; e < NERR; e++) {
			if (!stats[i].res[e])
				continue;
			len += snprintf(out + len, sizeof(out) - len, "%s%s %lu",
					first ? " (" : ", ", errname(e), stats[i].res[e]);
			first = 0;
			if (len > (int)sizeof(out) - 40)
				break;
		}
		printf("%s%s\n", out, first ? "" : ")");
	}
	if (nthfd >= 0) {
		printf("fuzz: fault injection:");
		for (i = 0; i < NR_INJ; i++)
			printf("%s %s %lu calls, %lu failed cleanly, %lu absorbed", i ? ";" : "",
			       inj_name[i], inj_calls[i], inj_failed[i], inj_absorbed[i]);
		printf("; %lu signals on touch, %lu handle wraps\n", inj_signals, inj_handle_wraps);
	} else {
		printf("fuzz: fault injection: %s\n", no_inject ? "off (-I)" :
		       "not available (no /proc/thread-self/fail-nth)");
	}
	printf("fuzz: end: HeapInuse %" PRIu64 " B%s, user_charged %" PRIu64 " B, as at the "
	       "start; no span, file or mapping left; VmPin %ld kB\n", inuse,
	       heap_stats ? "" : " (this file's)", charged, vmpin_kb());
	f = fopen("/sys/kernel/debug/goheap/memstats", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "HeapInuse ", 10) || !strncmp(line, "HeapSys ", 8))
				printf("fuzz: debugfs memstats: %s", line);
		fclose(f);
	}
}
