// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_fuzz: a bounded, model-checking fuzzer of /dev/goheap.
 *
 * It issues random sequences of goheap ioctls, mmaps, munmaps, mremaps,
 * mprotects, madvises, page touches, forks, closes and signals, with random
 * and boundary values, and checks every result against its own model of the
 * ABI (uapi/linux/goheap.h, Documentation/userspace-api.rst) and of how the
 * 6.1 core treats goheap's VMAs. The model holds:
 *
 *   - open files and their descriptors (dup, close), each file's handle
 *     cursor (handles are predicted exactly) and heap pages;
 *   - spans: handle, size, flags, RLIMIT_MEMLOCK charge, the page faults
 *     they served (an interval: exact unless a killed child or an injected
 *     failure makes it uncertain) and the content of every hardware page
 *     (a stamp: 0 is zeroed, any other value a pattern the fuzzer wrote);
 *   - VMAs: range, protection, the span pages they map, and which of those
 *     have a PTE (so that faults, mincore() and fork() can be predicted).
 *
 * Every errno is predicted from the documented rules (EINVAL, ENOENT,
 * EBUSY, EPERM, EFAULT, ENOTTY, EACCES, EOVERFLOW, EEXIST, EOPNOTSUPP,
 * EAGAIN), ENOMEM exactly where max_file_pages or RLIMIT_MEMLOCK require it;
 * ENOMEM where the model expects success is tolerated (memory may be short)
 * and counted. SPAN_INFO's maps and faults, GET_INFO's file_pages,
 * /proc/self/maps, mincore(), VmPin and HeapInuse are compared with the
 * model. fork() children check and change the inherited mappings, or are
 * killed with SIGKILL in the middle of their work; a timer interrupts
 * everything with SIGALRM, and no call may fail with EINTR for it. With
 * /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION), allocation failures
 * are injected into SPAN_ALLOC, into mmap() (prefaulted spans fill the
 * page tables with vm_insert_pages()) and into first touches, and each
 * must fail cleanly and leave the model intact. At the end everything is
 * unmapped and closed, and goheap must hold what it held at the start.
 *
 *   goheap_fuzz [-s SEED] [-t SECONDS] [-n MAXOPS] [-m MIB] [-I] [-v]
 *
 *   -s SEED     random seed (default: from the clock); printed at start
 *   -t SECONDS  time bound (default 10)
 *   -n MAXOPS   stop after this many operations (default: no limit)
 *   -m MIB      most span memory to hold at once (default 64)
 *   -I          no fault injection
 *   -v          print every operation
 *
 * Exit status: 0 when every result matched the model; 1 at the first
 * mismatch (printed with the operation, the ones before it and how to
 * replay it); 2 for a usage or set-up error; 4 when /dev/goheap is missing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include <linux/goheap.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif
#ifndef MADV_COLD
#define MADV_COLD		20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED	24
#endif

/* MAP_32BIT is x86's; elsewhere it is 0, as in the kernel's linux/mman.h. */
#ifndef MAP_32BIT
#define MAP_32BIT		0
#endif

/* The flags MAP_SHARED keeps and MAP_SHARED_VALIDATE accepts (linux/mman.h). */
#define LEGACY_MAP_MASK	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | \
			 MAP_DENYWRITE | MAP_EXECUTABLE | 0x4000000 | MAP_GROWSDOWN | \
			 MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | \
			 MAP_STACK | MAP_HUGETLB | MAP_32BIT | (21 << 26) | (30 << 26))

#define DEV		"/dev/goheap"
/* The hardware page size, from sysconf(); PAGE_MAX bounds it (arm64 64 KiB). */
#define PAGE		page_size
#define PAGE_MAX	65536UL
static unsigned long page_size;
#define MAX_FILES	10
#define MAX_FDS		16
#define MAX_SPANS	48
#define MAX_HW		1024		/* hardware pages of the longest span */
#define MAX_VMAS	80
#define MAX_PIPES	4
#define MAX_GHOSTS	64
#define ARENA_PAGES	8192		/* 32 MiB of placeholders for MAP_FIXED */
#define MAX_HANDLE	((1U << 20) - 1)
#define OFF_SHIFT	22		/* each handle owns 4 MiB of offsets */
#define PGOFF_SHIFT	(OFF_SHIFT - 12)
#define UNKNOWN		0xffffffffu	/* stamp of a page whose content is unknown */
#define INF		UINT64_MAX
#define GHOST_SECS	15.0		/* a freed, pinned span is back by then */
#define ALL_FEATURES	(GOHEAP_FEAT_SPAN_CONTIGUOUS | GOHEAP_FEAT_SPAN_PREFAULT | \
			 GOHEAP_FEAT_SPAN_SCATTERED | GOHEAP_FEAT_SPAN_INFO | \
			 GOHEAP_FEAT_MEMSTATS)
#define SPAN_FLAGS	(GOHEAP_SPAN_CONTIGUOUS | GOHEAP_SPAN_PREFAULT | \
			 GOHEAP_SPAN_SCATTERED | GOHEAP_SPAN_ZEROED)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

/* ---------------------------------------------------------------------
 * Options, random numbers, time
 */

static uint64_t seed;
static unsigned long maxops = ULONG_MAX;
static double secs = 10;
static uint64_t budget = 64ULL << 20;
static bool verbose, no_inject;

static uint64_t rng;

static uint64_t rnd64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0 .. n - 1 (0 when n is 0). */
static uint32_t rnd(uint32_t n)
{
	return n ? rnd64() % n : 0;
}

static bool chance(unsigned int pct)
{
	return rnd(100) < pct;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep @us microseconds, through SIGALRM. */
static void sleep_us(unsigned long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---------------------------------------------------------------------
 * Operations and their statistics
 */

enum {
	OP_OPEN, OP_DUP, OP_CLOSE, OP_GET_INFO, OP_SPAN_ALLOC, OP_SPAN_FREE,
	OP_SPAN_INFO, OP_MEMSTATS, OP_BAD_IOCTL, OP_MMAP, OP_MUNMAP, OP_MREMAP,
	OP_MPROTECT, OP_MADVISE, OP_MLOCK, OP_TOUCH, OP_PROCMEM, OP_PIPE_IO,
	OP_VMSPLICE, OP_PIPE_CLOSE, OP_REMAP, OP_FORK, OP_FORK_KILL, OP_SIGNAL,
	OP_LIMIT, OP_CHECK, OP_BIG, OP_INJ_ALLOC, OP_INJ_MMAP, OP_INJ_TOUCH,
	NR_OPS
};

/* Results: 0 is success, 1..133 errno values, then two signals. */
#define E_SEGV		134
#define E_BUS		135
#define NERR		136

struct opstat {
	unsigned long n;
	unsigned long res[NERR];
};

static struct opstat stats[NR_OPS];
static int cur_op;
static unsigned long opno;

/* Injected failures: calls made with fail-nth set, and how they ended. */
enum { INJ_ALLOC, INJ_MMAP, INJ_TOUCH, NR_INJ };
static const char *const inj_name[NR_INJ] = { "span_alloc", "mmap", "touch" };
static unsigned long inj_calls[NR_INJ], inj_failed[NR_INJ], inj_absorbed[NR_INJ];
static unsigned long inj_signals, inj_handle_wraps, enomem_tolerated, orphan_reads;
static volatile unsigned long nsigalrm, nsigusr1;

static const char *errname(int e)
{
	const char *s;

	if (e == 0)
		return "ok";
	if (e == E_SEGV)
		return "SIGSEGV";
	if (e == E_BUS)
		return "SIGBUS";
	s = strerrorname_np(e);
	return s ? s : "E?";
}

static void result(int e)
{
	if (e < 0 || e >= NERR)
		e = NERR - 1;
	stats[cur_op].res[e]++;
}

/* ---------------------------------------------------------------------
 * Reporting: the current operation, a short history, mismatches
 */

#define HIST 16
static char cur[320];
static char hist[HIST][320];
static unsigned long hist_no[HIST];
static bool in_child, kill_child;
static pid_t child_pid;		/* a killable child, while it runs */
static int param_fd = -1;
static char param_orig[32];

static void desc(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cur, sizeof(cur), fmt, ap);
	va_end(ap);
	if (verbose) {
		printf("fuzz:%s #%lu %s\n", in_child ? " child" : "", opno, cur);
		fflush(stdout);
	}
}

static void hist_push(void)
{
	unsigned int i = opno % HIST;

	memcpy(hist[i], cur, sizeof(cur));
	hist_no[i] = opno;
}

static void restore_param(void)
{
	if (param_fd >= 0 && !in_child) {
		if (pwrite(param_fd, param_orig, strlen(param_orig), 0) < 0)
			perror("restore max_file_pages");
	}
}

static void __attribute__((format(printf, 1, 2), noreturn)) fail(const char *fmt, ...)
{
	const char *who = in_child ? (kill_child ? " (child, to be killed)" : " (child)") : "";
	unsigned long i;
	va_list ap;

	printf("fuzz: MISMATCH%s at op #%lu, seed %" PRIu64 ": %s\n", who, opno, seed, cur);
	printf("fuzz:   ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	printf("fuzz:   last operations:\n");
	for (i = opno > HIST ? opno - HIST + 1 : 1; i < opno; i++)
		if (hist_no[i % HIST] == i)
			printf("fuzz:     #%lu %s\n", i, hist[i % HIST]);
	if (!in_child)
		printf("fuzz:   replay: goheap_fuzz -s %" PRIu64 " -n %lu -t 100000\n", seed, opno);
	fflush(stdout);
	if (in_child)
		_exit(1);
	if (child_pid > 0)
		kill(child_pid, SIGKILL);
	restore_param();
	exit(1);
}

static void __attribute__((noreturn)) die(const char *what)
{
	printf("fuzz: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	if (in_child)
		_exit(2);
	if (child_pid > 0)
		kill(child_pid, SIGKILL);
	restore_param();
	exit(2);
}

/* A call's result against the prediction; ENOMEM may stand in for success. */
static void expect(const char *what, int got, int want, bool enomem_ok)
{
	if (got == want)
		return;
	if (want == 0 && got == ENOMEM && enomem_ok) {
		enomem_tolerated++;
		return;
	}
	if (got == EINTR)
		fail("%s: EINTR, but no fatal signal was sent (SIGALRM interrupted it?)", what);
	fail("%s: got %s, want %s", what, errname(got), errname(want));
}

/* ---------------------------------------------------------------------
 * The model
 */

struct mfile {
	bool used;
	int id;			/* open sequence number, for messages */
	int mode;		/* O_RDONLY, O_WRONLY or O_RDWR */
	int nfds;		/* descriptors in this process */
	int ext;		/* held by another process too (fork) */
	uint32_t next;		/* the file's cyclic handle cursor */
	uint64_t pages;		/* heap pages in its handle table */
};

struct mspan {
	bool used;
	int file;
	uint32_t handle;
	uint32_t npages;	/* heap pages */
	uint32_t nr_hw;		/* hardware pages */
	uint32_t flags;
	int nvmas;		/* VMAs mapping it in this process */
	int ext_vmas;		/* VMAs in another process; -1: unknown */
	bool charged;		/* charged to this process's RLIMIT_MEMLOCK */
};

struct mvma {
	bool used;
	uintptr_t addr;
	uint32_t npg;		/* hardware pages */
	int span;
	uint32_t idx;		/* first span page it maps */
	int prot;
	bool maywrite;		/* VM_MAYWRITE */
	bool dontfork;		/* VM_DONTCOPY (MADV_DONTFORK) */
	uint8_t present[MAX_HW];	/* a PTE is installed */
};

struct mfd {
	bool used;
	int fd;
	int file;
};

/* A pipe holding a page of a span through vmsplice(). */
struct mpipe {
	bool used;
	int rfd, wfd;
	int span;		/* or -1 once the span is gone */
	int ghost;		/* the freed span it pins, or -1 */
	uint32_t page;		/* span page */
	size_t len;
};

/* A freed heap span whose memory a pipe may still hold. */
struct ghost {
	bool used;
	uint64_t bytes;
	int npipes;
	double since;		/* last pipe closed */
};

/* What parent and child both update: page contents and fault counts. */
struct shared {
	uint32_t stamps[MAX_SPANS][MAX_HW];
	uint64_t faults_lo[MAX_SPANS];
	uint64_t faults_hi[MAX_SPANS];
};

static struct mfile files[MAX_FILES];
static struct mspan spans[MAX_SPANS];
static struct mvma vmas[MAX_VMAS];
static struct mfd fds[MAX_FDS];
static struct mpipe pipes[MAX_PIPES];
static struct ghost ghosts[MAX_GHOSTS];
static struct shared *sh;
static int file_seq;
static uint32_t stamp_seq;

/* The environment */
static struct goheap_info info;
static size_t hp;			/* heap page size */
static unsigned int hw_per_hp, max_span;
static bool cap_admin, cap_ipc_lock, dev_noexec, mincore_ok, have_madvise;
static uint64_t cap_pages;		/* max_file_pages */
static uint64_t memlock;		/* RLIMIT_MEMLOCK soft limit, bytes */
static uint64_t base_inuse;
static int statfd = -1, nullfd = -1, memfd = -1, nthfd = -1;
static int scratch[2] = { -1, -1 };
static char *guard;			/* [RW page][PROT_NONE page][RO page] */
static char *arena;
static uint8_t arena_used[ARENA_PAGES];
static struct goheap_memstats msbuf;

static inline uint64_t pattern(uint32_t stamp, unsigned int i)
{
	if (!stamp)
		return 0;
	return ((uint64_t)stamp << 32 | (uint32_t)(i * 2654435761u)) ^ 0x5bd1e9955bd1e995ULL;
}

static void fill_pattern(void *p, uint32_t stamp)
{
	uint64_t *w = p;
	unsigned int i;

	for (i = 0; i < PAGE / 8; i++)
		w[i] = pattern(stamp, i);
}

/* 0, or 1 + the index of the first word of @p that is not @stamp's. */
static unsigned int check_pattern(const void *p, uint32_t stamp)
{
	const uint64_t *w = p;
	unsigned int i;

	if (stamp == UNKNOWN)
		return 0;
	for (i = 0; i < PAGE / 8; i++)
		if (w[i] != pattern(stamp, i))
			return i + 1;
	return 0;
}

static uint32_t new_stamp(void)
{
	uint32_t s = ++stamp_seq & 0x7fffffff;

	if (!s)
		s = ++stamp_seq & 0x7fffffff;
	return in_child ? s | 0x80000000u : s;
}

static uint64_t memlock_pages(void)
{
	return memlock == RLIM_INFINITY ? INF : memlock / PAGE;
}

static uint64_t span_bytes(int s)
{
	return (uint64_t)spans[s].npages * hp;
}

static bool heap_span(int s)
{
	return !(spans[s].flags & GOHEAP_SPAN_SCATTERED);
}

static uint64_t live_bytes(bool heap_only)
{
	uint64_t n = 0;
	int s;

	for (s = 0; s < MAX_SPANS; s++)
		if (spans[s].used && (!heap_only || heap_span(s)))
			n += span_bytes(s);
	return n;
}

/* Hardware pages charged to this process's pinned_vm. */
static uint64_t pinned_pages(void)
{
	uint64_t n = 0;
	int s;

	for (s = 0; s < MAX_SPANS; s++)
		if (spans[s].used && spans[s].charged)
			n += spans[s].nr_hw;
	return n;
}

/* Bytes of freed heap spans a pipe may still keep from the heap. */
static uint64_t ghost_bytes(void)
{
	double t = now();
	uint64_t n = 0;
	int g;

	for (g = 0; g < MAX_GHOSTS; g++) {
		if (!ghosts[g].used)
			continue;
		if (!ghosts[g].npipes && t - ghosts[g].since > GHOST_SECS) {
			ghosts[g].used = false;
			continue;
		}
		n += ghosts[g].bytes;
	}
	return n;
}

static int file_vmas(int f)
{
	int s, n = 0;

	for (s = 0; s < MAX_SPANS; s++)
		if (spans[s].used && spans[s].file == f)
			n += spans[s].nvmas;
	return n;
}

static int span_by_handle(int f, uint64_t h)
{
	int s;

	for (s = 0; s < MAX_SPANS; s++)
		if (spans[s].used && spans[s].file == f && spans[s].handle == h)
			return s;
	return -1;
}

/* The handle xa_alloc_cyclic() gives next: the first free one from the cursor. */
static uint32_t predict_handle(int f)
{
	uint32_t h = MAX(files[f].next, 1), i;

	for (i = 0; i <= MAX_HANDLE; i++, h++) {
		if (h > MAX_HANDLE)
			h = 1;
		if (span_by_handle(f, h) < 0)
			return h;
	}
	return 0;
}

static uint32_t lowest_free_handle(int f)
{
	uint32_t h;

	for (h = 1; h <= MAX_HANDLE; h++)
		if (span_by_handle(f, h) < 0)
			return h;
	return 0;
}

static int span_maps(int s)
{
	return spans[s].ext_vmas < 0 ? -1 : spans[s].nvmas + spans[s].ext_vmas;
}

static uint64_t span_offset(int s)
{
	return (uint64_t)spans[s].handle << OFF_SHIFT;
}

static bool file_readable(int f)
{
	return files[f].mode != O_WRONLY;
}

static bool file_writable(int f)
{
	return files[f].mode != O_RDONLY;
}

/* A span leaves the model: freed, or its file released. */
static void span_gone(int s)
{
	int p, g = -1, npipes = 0;

	for (p = 0; p < MAX_PIPES; p++)
		if (pipes[p].used && pipes[p].span == s)
			npipes++;
	if (npipes && heap_span(s)) {
		ghost_bytes();		/* drop the ghosts that have gone */
		for (g = 0; g < MAX_GHOSTS && ghosts[g].used; g++)
			;
		if (g < MAX_GHOSTS) {
			ghosts[g] = (struct ghost){ .used = true, .bytes = span_bytes(s),
						    .npipes = npipes };
		} else {
			/* all in use: share one (the bound only gets looser) */
			g = rnd(MAX_GHOSTS);
			ghosts[g].bytes += span_bytes(s);
			ghosts[g].npipes += npipes;
		}
	}
	for (p = 0; p < MAX_PIPES; p++) {
		if (pipes[p].used && pipes[p].span == s) {
			pipes[p].span = -1;
			pipes[p].ghost = g;
		}
	}
	files[spans[s].file].pages -= spans[s].npages;
	spans[s].used = false;
}

/* ->release runs once the last descriptor and the last mapping are gone. */
static void maybe_release(int f)
{
	int s;

	if (!files[f].used || files[f].nfds || files[f].ext || file_vmas(f))
		return;
	for (s = 0; s < MAX_SPANS; s++)
		if (spans[s].used && spans[s].file == f)
			span_gone(s);
	files[f].used = false;
}

static void release_all(void)
{
	int f;

	for (f = 0; f < MAX_FILES; f++)
		maybe_release(f);
}

/* ---- picking ---- */

static int pick_fd(void)
{
	int i, n = 0, pick = -1;

	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].used && !rnd(++n))
			pick = i;
	return pick;
}

static int fd_of_file(int f)
{
	int i;

	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].used && fds[i].file == f)
			return i;
	return -1;
}

static int pick_span_of(int f)
{
	int s, n = 0, pick = -1;

	for (s = 0; s < MAX_SPANS; s++)
		if (spans[s].used && (f < 0 || spans[s].file == f) && !rnd(++n))
			pick = s;
	return pick;
}

static int pick_vma(void)
{
	int v, n = 0, pick = -1;

	for (v = 0; v < MAX_VMAS; v++)
		if (vmas[v].used && !rnd(++n))
			pick = v;
	return pick;
}

static int pick_vma_prot(int need)
{
	int v, n = 0, pick = -1;

	for (v = 0; v < MAX_VMAS; v++)
		if (vmas[v].used && (vmas[v].prot & need) == need && !rnd(++n))
			pick = v;
	return pick;
}

static int free_span_slot(void)
{
	int s;

	for (s = 0; s < MAX_SPANS; s++)
		if (!spans[s].used)
			return s;
	return -1;
}

static int free_vma_slots(void)
{
	int v, n = 0;

	for (v = 0; v < MAX_VMAS; v++)
		n += !vmas[v].used;
	return n;
}

/* ---- the arena: PROT_NONE placeholders where MAP_FIXED may land ---- */

static bool in_arena(uintptr_t a)
{
	return a >= (uintptr_t)arena && a < (uintptr_t)arena + ARENA_PAGES * PAGE;
}

static void arena_mark(uintptr_t a, uint32_t npg, uint8_t val)
{
	uint32_t i;

	for (i = 0; i < npg; i++, a += PAGE)
		if (in_arena(a))
			arena_used[(a - (uintptr_t)arena) / PAGE] = val;
}

/* A free run of @npg arena pages, or 0. */
static uintptr_t arena_slot(uint32_t npg)
{
	uint32_t start, i, tries;

	if (!npg || npg > ARENA_PAGES)
		return 0;
	for (tries = 0; tries < 16; tries++) {
		start = rnd(ARENA_PAGES - npg + 1);
		for (i = 0; i < npg && !arena_used[start + i]; i++)
			;
		if (i == npg)
			return (uintptr_t)arena + (uintptr_t)start * PAGE;
	}
	return 0;
}

/* Put placeholders back over the arena pages of [a, a + len) that hold no goheap VMA. */
static void arena_refill(uintptr_t a, size_t len)
{
	uintptr_t lo = MAX(a, (uintptr_t)arena);
	uintptr_t hi = MIN(a + len, (uintptr_t)arena + ARENA_PAGES * PAGE);
	uint32_t i, j;

	if (lo >= hi)
		return;
	for (i = (lo - (uintptr_t)arena) / PAGE; i < (hi - (uintptr_t)arena) / PAGE; i = j) {
		for (; i < (hi - (uintptr_t)arena) / PAGE && arena_used[i]; i++)
			;
		for (j = i; j < (hi - (uintptr_t)arena) / PAGE && !arena_used[j]; j++)
			;
		if (j > i && mmap(arena + (uintptr_t)i * PAGE, (j - i) * PAGE, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
				  -1, 0) == MAP_FAILED)
			die("arena placeholder");
	}
}

/* ---- VMAs ---- */

static int vma_add(uintptr_t addr, uint32_t npg, int s, uint32_t idx, int prot, bool maywrite)
{
	int v;

	for (v = 0; v < MAX_VMAS && vmas[v].used; v++)
		;
	if (v == MAX_VMAS)
		fail("model: out of VMA slots");
	memset(&vmas[v], 0, sizeof(vmas[v]));
	vmas[v] = (struct mvma){ .used = true, .addr = addr, .npg = npg, .span = s,
				 .idx = idx, .prot = prot, .maywrite = maywrite };
	spans[s].nvmas++;
	arena_mark(addr, npg, 1);
	return v;
}

static void vma_free(int v)
{
	arena_mark(vmas[v].addr, vmas[v].npg, 0);
	spans[vmas[v].span].nvmas--;
	vmas[v].used = false;
}

/* Split @v at @at (inside it): @v keeps the front, the new VMA (returned) the rest. */
static int vma_split(int v, uintptr_t at)
{
	uint32_t k = (at - vmas[v].addr) / PAGE;
	int w;

	for (w = 0; w < MAX_VMAS && vmas[w].used; w++)
		;
	if (w == MAX_VMAS)
		fail("model: out of VMA slots");
	vmas[w] = vmas[v];
	vmas[w].addr = at;
	vmas[w].npg = vmas[v].npg - k;
	vmas[w].idx = vmas[v].idx + k;
	memmove(vmas[w].present, vmas[v].present + k, vmas[w].npg);
	memset(vmas[w].present + vmas[w].npg, 0, MAX_HW - vmas[w].npg);
	vmas[v].npg = k;
	memset(vmas[v].present + k, 0, MAX_HW - k);
	spans[vmas[v].span].nvmas++;
	return w;
}

/* Split so that one VMA covers exactly [a, a + len) of @v; return it. */
static int vma_isolate(int v, uintptr_t a, size_t len)
{
	if (a > vmas[v].addr)
		v = vma_split(v, a);
	if (a + len < vmas[v].addr + vmas[v].npg * PAGE)
		vma_split(v, a + len);
	return v;
}

static uintptr_t vma_end(int v)
{
	return vmas[v].addr + vmas[v].npg * PAGE;
}

static int vma_at(uintptr_t a)
{
	int v;

	for (v = 0; v < MAX_VMAS; v++)
		if (vmas[v].used && a >= vmas[v].addr && a < vma_end(v))
			return v;
	return -1;
}

/* [a, a + len) was unmapped: drop or trim every VMA in it. */
static void model_unmap(uintptr_t a, size_t len)
{
	bool again = true;
	int v;

	while (again) {
		again = false;
		for (v = 0; v < MAX_VMAS; v++) {
			if (!vmas[v].used || vmas[v].addr >= a + len || vma_end(v) <= a)
				continue;
			vma_free(vma_isolate(v, MAX(a, vmas[v].addr),
					     MIN(a + len, vma_end(v)) - MAX(a, vmas[v].addr)));
			again = true;
		}
	}
	release_all();
}

/* A successful access to page @pg of @v: a fault if it had no PTE yet. */
static void touched(int v, uint32_t pg)
{
	int s = vmas[v].span;

	if (vmas[v].present[pg])
		return;
	vmas[v].present[pg] = 1;
	sh->faults_lo[s]++;
	if (sh->faults_hi[s] != INF)
		sh->faults_hi[s]++;
}

static uint32_t *stamp_of(int v, uint32_t pg)
{
	return &sh->stamps[vmas[v].span][vmas[v].idx + pg];
}

/* The CPU may read a page of @v (x86: PROT_WRITE implies read). */
static bool cpu_readable(int v)
{
	return vmas[v].prot & (PROT_READ | PROT_WRITE);
}

static bool cpu_writable(int v)
{
	return vmas[v].prot & PROT_WRITE;
}

/* ---------------------------------------------------------------------
 * Memory probes: accesses that may take SIGSEGV or SIGBUS
 */

static sigjmp_buf probe_env;
static volatile sig_atomic_t probing;

static void on_fault(int sig)
{
	if (probing) {
		probing = 0;
		siglongjmp(probe_env, sig);
	}
	signal(sig, SIG_DFL);	/* a real crash: let it happen */
}

static void on_tick(int sig)
{
	if (sig == SIGALRM)
		nsigalrm++;
	else
		nsigusr1++;
}

static int sig_result(int sig)
{
	return !sig ? 0 : sig == SIGSEGV ? E_SEGV : sig == SIGBUS ? E_BUS : NERR - 1;
}

/*
 * Read one page at @p and compare it with @stamp's pattern (*bad: 1 + the
 * first wrong word, or 0), or write @stamp's pattern there. Returns 0 or the
 * signal taken.
 */
static int probe(uintptr_t p, bool write, uint32_t stamp, unsigned int *bad)
{
	volatile uint64_t *w = (volatile uint64_t *)p;
	unsigned int i;
	int sig;

	*bad = 0;
	sig = sigsetjmp(probe_env, 1);
	if (sig)
		return sig;
	probing = 1;
	if (write) {
		for (i = 0; i < PAGE / 8; i++)
			w[i] = pattern(stamp, i);
	} else if (stamp == UNKNOWN) {
		(void)w[0];
	} else {
		for (i = 0; i < PAGE / 8; i++) {
			if (w[i] != pattern(stamp, i)) {
				*bad = i + 1;
				break;
			}
		}
	}
	probing = 0;
	return 0;
}

static void content_fail(int v, uint32_t pg, unsigned int bad, const char *how)
{
	int s = vmas[v].span;
	uint32_t st = *stamp_of(v, pg);
	uint64_t got = ((volatile uint64_t *)(vmas[v].addr + pg * PAGE))[bad - 1];

	fail("%s: span %u (handle %u, flags %#x) page %u through VMA %#lx: word %u is %#" PRIx64
	     ", want %#" PRIx64 " (stamp %#x)", how, s, spans[s].handle, spans[s].flags,
	     vmas[v].idx + pg, (unsigned long)vmas[v].addr, bad - 1, got,
	     pattern(st, bad - 1), st);
}

/* Read page @pg of @v through the CPU, expecting success and the model's content. */
static void read_check(int v, uint32_t pg, const char *how)
{
	unsigned int bad;
	int sig;

	sig = probe(vmas[v].addr + pg * PAGE, false, *stamp_of(v, pg), &bad);
	if (sig)
		fail("%s: reading VMA %#lx page %u (prot %#x) took %s", how,
		     (unsigned long)vmas[v].addr, pg, vmas[v].prot, errname(sig_result(sig)));
	touched(v, pg);
	if (bad)
		content_fail(v, pg, bad, how);
}

/* Another VMA mapping span page @i of span @s that the CPU can read, or -1. */
static int other_reader(int s, uint32_t i, int not, uint32_t *pg)
{
	int v, n = 0, pick = -1;

	for (v = 0; v < MAX_VMAS; v++) {
		if (!vmas[v].used || v == not || vmas[v].span != s || !cpu_readable(v) ||
		    i < vmas[v].idx || i >= vmas[v].idx + vmas[v].npg)
			continue;
		if (!rnd(++n))
			pick = v;
	}
	if (pick >= 0)
		*pg = i - vmas[pick].idx;
	return pick;
}

/* ---------------------------------------------------------------------
 * Kernel views: ioctl wrapper, memstats, /proc/self/maps, status
 */

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static uint64_t heap_inuse(int fd)
{
	struct goheap_memstats_req r = { .ptr = (uintptr_t)&msbuf, .size = sizeof(msbuf) };
	int err = xioctl(fd, GOHEAP_IOC_GET_MEMSTATS, &r);

	if (err)
		fail("GET_MEMSTATS for HeapInuse: %s", errname(err));
	return msbuf.heap_inuse;
}

/* HeapInuse within what the model allows (only without a child alive). */
static void check_heap(const char *when, uint64_t inuse)
{
	uint64_t lo = base_inuse + live_bytes(true), hi = lo + ghost_bytes();

	if (in_child)
		return;
	if (inuse < lo || inuse > hi)
		fail("%s: HeapInuse %" PRIu64 " B, want %" PRIu64 " B (start %" PRIu64
		     " + live heap spans %" PRIu64 ")%s", when, inuse, lo, base_inuse,
		     lo - base_inuse, hi > lo ? " + pinned by pipes" : "");
}

static char mapsbuf[1 << 18];

struct kvma {
	uintptr_t start, end;
	uint64_t off;
	char perms[5];
};

/* The goheap VMAs of /proc/self/maps. */
static int read_maps(struct kvma *k, int max)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t r;
	char *line, *save;
	int n = 0;

	if (fd < 0)
		die("/proc/self/maps");
	while ((r = read(fd, mapsbuf + len, sizeof(mapsbuf) - 1 - len)) > 0)
		len += r;
	close(fd);
	mapsbuf[len] = 0;
	for (line = strtok_r(mapsbuf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long s, e;
		unsigned long long off;
		char perms[5], path[64] = "";

		if (sscanf(line, "%lx-%lx %4s %llx %*s %*s %63s", &s, &e, perms, &off, path) < 4)
			continue;
		if (strcmp(path, DEV))
			continue;
		if (n == max)
			fail("/proc/self/maps: more than %d goheap VMAs", max);
		k[n] = (struct kvma){ s, e, off };
		memcpy(k[n].perms, perms, 5);
		n++;
	}
	return n;
}

static long vmpin_kb(void)
{
	char buf[4096], *p;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		die("/proc/self/status");
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "VmPin:");
	return p ? strtol(p + 6, NULL, 10) : -1;
}

static void span_info_raw(int fdnum, int s, struct goheap_span_info *si)
{
	int err;

	memset(si, 0, sizeof(*si));
	si->handle = spans[s].handle;
	err = xioctl(fdnum, GOHEAP_IOC_SPAN_INFO, si);
	if (err)
		fail("SPAN_INFO of span %d (handle %u): %s", s, spans[s].handle, errname(err));
}

/* SPAN_INFO's figures that change: mappings and faults. */
static void check_span_counts(int s, const struct goheap_span_info *si)
{
	int maps = span_maps(s);

	if (maps >= 0 && si->maps != (uint64_t)maps)
		fail("span %d (handle %u): SPAN_INFO maps %llu, want %d (%d here + %d in a child)",
		     s, spans[s].handle, (unsigned long long)si->maps, maps, spans[s].nvmas,
		     spans[s].ext_vmas);
	if (si->faults < sh->faults_lo[s] || si->faults > sh->faults_hi[s])
		fail("span %d (handle %u, flags %#x): SPAN_INFO faults %llu, want %" PRIu64
		     "..%" PRIu64, s, spans[s].handle, spans[s].flags,
		     (unsigned long long)si->faults, sh->faults_lo[s], sh->faults_hi[s]);
	/* within the interval: exact again from here on */
	sh->faults_lo[s] = sh->faults_hi[s] = si->faults;
}

/* Everything the kernel shows, against the model. */
static void check_all(const char *when)
{
	static struct kvma k[MAX_VMAS + 8];
	static unsigned char vec[MAX_HW];
	struct goheap_span_info si;
	struct goheap_info gi;
	int n, i, v, s, f, fi, nv = 0;
	long pin;

	/* /proc/self/maps: exactly the model's VMAs */
	n = read_maps(k, ARRAY_SIZE(k));
	for (v = 0; v < MAX_VMAS; v++) {
		if (!vmas[v].used)
			continue;
		nv++;
		for (i = 0; i < n && k[i].start != vmas[v].addr; i++)
			;
		if (i == n)
			fail("%s: VMA %#lx-%#lx (span %d, handle %u) not in /proc/self/maps", when,
			     (unsigned long)vmas[v].addr, (unsigned long)vma_end(v), vmas[v].span,
			     spans[vmas[v].span].handle);
		if (k[i].end != vma_end(v) ||
		    k[i].off != span_offset(vmas[v].span) + (uint64_t)vmas[v].idx * PAGE ||
		    k[i].perms[0] != (vmas[v].prot & PROT_READ ? 'r' : '-') ||
		    k[i].perms[1] != (vmas[v].prot & PROT_WRITE ? 'w' : '-') ||
		    k[i].perms[2] != '-' || k[i].perms[3] != 's')
			fail("%s: /proc/self/maps has %#lx-%#lx %s %#llx, model %#lx-%#lx prot %#x offset %#llx",
			     when, (unsigned long)k[i].start, (unsigned long)k[i].end, k[i].perms,
			     (unsigned long long)k[i].off, (unsigned long)vmas[v].addr,
			     (unsigned long)vma_end(v), vmas[v].prot,
			     (unsigned long long)(span_offset(vmas[v].span) + vmas[v].idx * PAGE));
		/* mincore(): which pages have a PTE */
		if (mincore_ok) {
			if (mincore((void *)vmas[v].addr, vmas[v].npg * PAGE, vec))
				fail("%s: mincore(%#lx): %s", when, (unsigned long)vmas[v].addr,
				     errname(errno));
			for (i = 0; i < (int)vmas[v].npg; i++)
				if ((vec[i] & 1) != vmas[v].present[i])
					fail("%s: VMA %#lx page %d (span %d page %u, flags %#x, prot %#x): mincore says %s, model %s",
					     when, (unsigned long)vmas[v].addr, i, vmas[v].span,
					     vmas[v].idx + i, spans[vmas[v].span].flags, vmas[v].prot,
					     vec[i] & 1 ? "mapped" : "not mapped",
					     vmas[v].present[i] ? "mapped" : "not mapped");
		}
	}
	if (n != nv)
		fail("%s: /proc/self/maps has %d goheap VMAs, the model %d", when, n, nv);

	/* SPAN_INFO and GET_INFO through every file that has a descriptor */
	for (s = 0; s < MAX_SPANS; s++) {
		fi = spans[s].used ? fd_of_file(spans[s].file) : -1;
		if (fi < 0)
			continue;
		span_info_raw(fds[fi].fd, s, &si);
		check_span_counts(s, &si);
	}
	for (f = 0; f < MAX_FILES; f++) {
		fi = files[f].used ? fd_of_file(f) : -1;
		if (fi < 0)
			continue;
		if (xioctl(fds[fi].fd, GOHEAP_IOC_GET_INFO, &gi))
			fail("%s: GET_INFO: %s", when, errname(errno));
		if (gi.file_pages != files[f].pages)
			fail("%s: file %d: file_pages %llu, want %" PRIu64, when, files[f].id,
			     (unsigned long long)gi.file_pages, files[f].pages);
	}

	/* RLIMIT_MEMLOCK charge */
	pin = vmpin_kb();
	if (pin >= 0 && (uint64_t)pin != pinned_pages() * (PAGE / 1024))
		fail("%s: VmPin %ld kB, want %" PRIu64 " kB", when, pin,
		     pinned_pages() * (PAGE / 1024));

	if (!in_child)
		check_heap(when, heap_inuse(statfd));
}

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

static const char *mode_name(int mode)
{
	return mode == O_RDONLY ? "O_RDONLY" : mode == O_WRONLY ? "O_WRONLY" : "O_RDWR";
}

static bool op_open(void)
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

static bool op_dup(void)
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

static bool op_close(void)
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

static bool op_get_info(void)
{
	struct goheap_info gi, buf;
	struct argp a;
	int i = pick_fd(), f, err, want, k;

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
	    gi.caps != (cap_admin ? GOHEAP_CAP_PFNS : 0))
		fail("GET_INFO: abi %u flags %#x features %#llx page %u/%u classes %u max_span %u "
		     "max_file %llu file_pages %llu (want %" PRIu64 ", cap %" PRIu64 ") memstats %u caps %#x",
		     gi.abi_version, gi.flags, (unsigned long long)gi.features, gi.heap_page_size,
		     gi.hw_page_size, gi.nr_size_classes, gi.max_span_pages,
		     (unsigned long long)gi.max_file_pages, (unsigned long long)gi.file_pages,
		     files[f].pages, cap_pages, gi.memstats_size, gi.caps);
	for (k = 0; k < 4; k++)
		if (gi.reserved[k])
			fail("GET_INFO: reserved[%d] = %#llx", k, (unsigned long long)gi.reserved[k]);
	return true;
}

static const uint32_t valid_flags[] = {
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
static int alloc_predict(int f, const struct goheap_span_alloc *req)
{
	if (req->flags & ~SPAN_FLAGS || req->reserved[0] || req->reserved[1])
		return EINVAL;
	if ((req->flags & GOHEAP_SPAN_CONTIGUOUS) && (req->flags & GOHEAP_SPAN_SCATTERED))
		return EINVAL;
	if (!req->npages || req->npages > max_span)
		return EINVAL;
	if (files[f].pages + req->npages > cap_pages)
		return ENOMEM;
	if (!cap_ipc_lock && pinned_pages() + req->npages * hw_per_hp > memlock_pages())
		return ENOMEM;
	return 0;
}

/* Enter a new span in the model. */
static int span_new(int f, const struct goheap_span_alloc *rep)
{
	int s = free_span_slot();

	if (s < 0)
		fail("model: out of span slots");
	spans[s] = (struct mspan){ .used = true, .file = f, .handle = rep->handle,
				   .npages = rep->npages, .nr_hw = rep->npages * hw_per_hp,
				   .flags = rep->flags, .charged = !cap_ipc_lock };
	memset(sh->stamps[s], 0, sizeof(sh->stamps[s]));
	sh->faults_lo[s] = sh->faults_hi[s] = 0;
	files[f].pages += rep->npages;
	files[f].next = rep->handle + 1;
	return s;
}

static void check_alloc_reply(const struct goheap_span_alloc *req,
			      const struct goheap_span_alloc *rep, uint32_t handle)
{
	if (rep->npages != req->npages || rep->flags != req->flags || rep->handle != handle ||
	    rep->offset != (uint64_t)handle << OFF_SHIFT || rep->size != req->npages * hp ||
	    rep->reserved[0] || rep->reserved[1])
		fail("SPAN_ALLOC reply: npages %llu flags %#x handle %u (want %u) offset %#llx size %llu reserved %#llx %#llx",
		     (unsigned long long)rep->npages, rep->flags, rep->handle, handle,
		     (unsigned long long)rep->offset, (unsigned long long)rep->size,
		     (unsigned long long)rep->reserved[0], (unsigned long long)rep->reserved[1]);
}

static bool op_span_alloc(void)
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
	desc("SPAN_ALLOC(fd %d of file %d, npages %llu, flags %#x, reserved %#llx %#llx, arg %s): want %s%s",
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

static bool op_span_free(void)
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
				fail("SPAN_INFO: heap span %d: PFN %" PRIu64 " is %#" PRIx64 ", want %#" PRIx64,
				     s, i, pfns[i], pfns[0] + i);
	} else {
		for (i = 1; i < n; i++)
			if (pfns[i] == pfns[i - 1] + 1)
				fail("SPAN_INFO: scattered span %d: PFNs %" PRIu64 " and %" PRIu64 " adjacent",
				     s, i - 1, i);
	}
	if (spans[s].flags & GOHEAP_SPAN_CONTIGUOUS) {
		for (align = 1; align * 2 <= spans[s].npages; align *= 2)
			;
		align *= hw_per_hp;
		if (pfns[0] % align)
			fail("SPAN_INFO: contiguous span %d of %u pages: first PFN %#" PRIx64
			     " not aligned to %" PRIu64 " pages", s, spans[s].npages, pfns[0], align);
	}
}

static bool op_span_info(void)
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
		if (!req.pfn_count)
			req.pfn_count = s >= 0 ? (chance(50) ? spans[s].nr_hw : 1 + rnd(spans[s].nr_hw)) : 3;
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
	desc("SPAN_INFO(fd %d of file %d, handle %u, flags %#x, pfns %#llx, pfn_count %llu, arg %s): want %s",
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
		fail("SPAN_INFO reply of span %d: handle %u flags %#x pfns %#llx count %llu npages %llu page %u hw %u runs %u span_flags %#x offset %#llx reserved %#llx %#llx",
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
				fail("SPAN_INFO wrote PFN entry %" PRIu64 " beyond min(pfn_count, hw_pages) = %" PRIu64,
				     k, n);
	}
	return true;
}

static unsigned char msbig[sizeof(struct goheap_memstats) + 64];

static bool op_memstats(void)
{
	struct goheap_memstats_req req = { 0 }, rep, buf;
	struct argp a;
	int i = pick_fd(), err, want, pv = -1;
	uint32_t r = rnd(100), avail = sizeof(struct goheap_memstats), written;
	uint64_t room = sizeof(msbig), k;
	bool reach;

	if (i < 0)
		return false;
	req.size = r < 60 ? avail : r < 70 ? 8 * (1 + rnd(avail / 8)) : r < 78 ? avail + 8 * (1 + rnd(8)) :
		   r < 83 ? 0 : r < 88 ? 8 * rnd(avail / 8) + 1 + rnd(7) : 0xfffffff8u;
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
	desc("GET_MEMSTATS(fd %d, size %u, ptr %#llx, flags %#x, reserved %#llx %#llx, arg %s): want %s",
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
		fail("GET_MEMSTATS reply: ptr %#llx size %u flags %#x written %u (want %u) avail %u (want %u) reserved %#llx %#llx",
		     (unsigned long long)rep.ptr, rep.size, rep.flags, rep.written, written,
		     rep.avail, avail, (unsigned long long)rep.reserved[0],
		     (unsigned long long)rep.reserved[1]);
	if (req.ptr == (uintptr_t)msbig) {
		for (k = written; k < sizeof(msbig); k++)
			if (msbig[k] != 0xA5)
				fail("GET_MEMSTATS wrote byte %" PRIu64 " beyond written = %u", k, written);
		if (written == avail)
			check_heap("GET_MEMSTATS", ((struct goheap_memstats *)msbig)->heap_inuse);
	}
	return true;
}

static bool op_bad_ioctl(void)
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

/* ---------------------------------------------------------------------
 * mmap and friends
 */

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
		/* fall through */
	case MAP_SHARED_VALIDATE:
		if ((fl | (r->flags & MAP_FIXED_NOREPLACE ? MAP_FIXED : 0)) & ~LEGACY_MAP_MASK)
			return EOPNOTSUPP;
		if ((r->prot & PROT_WRITE) && !file_writable(r->f))
			return EACCES;
		/* fall through */
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
static int mapped(uintptr_t addr, uint32_t npg, int s, uint32_t idx, int prot, int flags)
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

static const char *prot_name(int prot)
{
	static char buf[8][8];
	static int n;
	char *b = buf[n++ % 8];

	snprintf(b, 8, "%s%s%s%s", prot & PROT_READ ? "r" : "", prot & PROT_WRITE ? "w" : "",
		 prot & PROT_EXEC ? "x" : "", prot ? "" : "none");
	return b;
}

static bool op_mmap(void)
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
			r.off = o >= 0 ? span_offset(o) : 1ULL << OFF_SHIFT;	/* another file's? */
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
		  t < 98 ? MAP_SHARED | MAP_GROWSDOWN : t < 99 ? 0 : MAP_SHARED | MAP_POPULATE | MAP_NONBLOCK;
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
	if ((uintptr_t)p % PAGE || (!r.addr && (in_arena((uintptr_t)p) || vma_at((uintptr_t)p) >= 0)))
		fail("mmap returned %p, inside the arena or a live VMA", p);
	v = mapped((uintptr_t)p, npg, span, idx, r.prot, r.flags);
	/* read a page back: zeroed or what was written */
	if (cpu_readable(v) && chance(30)) {
		k = rnd(npg);
		read_check(v, k, "read after mmap");
	}
	return true;
}

static bool op_munmap(void)
{
	int v = pick_vma(), err, want = 0;
	uintptr_t a;
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
		len = MIN(vma_end(v) + rnd(4) * PAGE, (uintptr_t)arena + ARENA_PAGES * PAGE) - a;
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

static bool op_mremap(void)
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

static bool op_mprotect(void)
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

static bool op_madvise(void)
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

static bool op_mlock(void)
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

static bool op_touch(void)
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

/* /proc/self/mem: get_user_pages() with FOLL_FORCE. */
static bool op_procmem(void)
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
	/* FOLL_FORCE reads anything (VM_MAYREAD); writes need VM_WRITE in a shared VMA. */
	want = write && !(vmas[v].prot & PROT_WRITE) ? EIO : 0;
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
		fail("/proc/self/mem read of span %d page %u: word %u is %#" PRIx64 ", want %#" PRIx64,
		     vmas[v].span, vmas[v].idx + pg, bad - 1, buf[bad - 1], pattern(old, bad - 1));
	return true;
}

/* write() from a mapping into a pipe, or read() from a pipe into one. */
static bool op_pipe_io(void)
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
static bool op_vmsplice(void)
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

static void pipe_close(int p)
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
				fail("vmsplice()d page %u of span %d: word %u is %#" PRIx64 ", want %#" PRIx64,
				     pipes[p].page, s, i, buf[i], pattern(st, i));
	}
	close(pipes[p].rfd);
	close(pipes[p].wfd);
	pipes[p].used = false;
	if (g >= 0 && !--ghosts[g].npipes)
		ghosts[g].since = now();
}

static bool op_pipe_close(void)
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

/* remap_file_pages(): mmap(MAP_FIXED | MAP_POPULATE) of the same file over a VMA. */
static bool op_remap(void)
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
	desc("remap_file_pages(%#lx, %u pages, pgoff %#llx) of VMA %#lx-%#lx (%s, span %d, file %d %s): want %s",
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

static bool op_signal(void)
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
static bool op_limit(void)
{
	static const uint64_t caps[] = { 8, 64, 256, 1024, 4096, 16384 };
	static const uint64_t locks[] = { 0, 4096, 65536, 1 << 20, 4 << 20, 8 << 20, 64 << 20 };
	struct rlimit rl;
	char buf[32];
	int len;

	if (in_child)
		return false;
	if (param_fd >= 0) {
		cap_pages = chance(20) ? strtoull(param_orig, NULL, 10) : caps[rnd(ARRAY_SIZE(caps))];
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
	desc("RLIMIT_MEMLOCK = %llu (charged now: %" PRIu64 " pages)",
	     (unsigned long long)rl.rlim_cur, pinned_pages());
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		die("setrlimit");
	memlock = rl.rlim_cur;
	result(0);
	return true;
}

static bool op_check(void)
{
	desc("check /proc/self/maps, mincore, SPAN_INFO, GET_INFO, VmPin, HeapInuse");
	check_all("check");
	result(0);
	return true;
}

/* ---------------------------------------------------------------------
 * Fault injection: /proc/thread-self/fail-nth
 */

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
		a = ((uintptr_t)r + align - 1) / align * align + align + (gig ? 0 : rnd(512) * PAGE);
	munmap(r, size);
	return a;
}

static bool inj_ready(void)
{
	return nthfd >= 0 && !in_child;
}

static bool op_inj_alloc(void)
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
				fail("SPAN_ALLOC with fail-nth %d: %s, want ENOMEM", n, errname(err));
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
		err = xioctl(fds[i].fd, GOHEAP_IOC_SPAN_FREE, &(struct goheap_span_free){ .handle = rep.handle });
		if (err)
			fail("SPAN_FREE after fail-nth %d: %s", n, errname(err));
		span_gone(s);
		if (left)
			break;
	}
	check_heap("after a SPAN_ALLOC fail-nth sweep", heap_inuse(statfd));
	return true;
}

static bool op_inj_mmap(void)
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
		    (s < 0 || ((spans[o].flags & GOHEAP_SPAN_PREFAULT) && chance(70)) || chance(20)))
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
				fail("mmap of span %d (flags %#x) at %#lx with fail-nth %d: %s, want ENOMEM",
				     s, spans[s].flags, (unsigned long)a, n, errname(err));
			if (left)
				enomem_tolerated++;
			else
				inj_failed[INJ_MMAP]++;
			/* nothing mapped, nothing counted */
			span_info_raw(fds[i].fd, s, &si);
			check_span_counts(s, &si);
			sig = probe(a, false, UNKNOWN, &bad);
			if (sig != SIGSEGV)
				fail("after a failed mmap at %#lx: %s, want SIGSEGV", (unsigned long)a,
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

static bool op_inj_touch(void)
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
		if (spans[o].used && fd_of_file(spans[o].file) >= 0 && file_readable(spans[o].file) &&
		    !(spans[o].flags & GOHEAP_SPAN_PREFAULT) && (s < 0 || chance(30)))
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

/* ---------------------------------------------------------------------
 * fork()
 */

static bool run_op(int op);
static int pick_op(void);

/* In a new child: its view of the model. */
static void become_child(bool killable)
{
	int v, s, f, p;

	in_child = true;
	kill_child = killable;
	rng = seed ^ rnd64() ^ (uint64_t)getpid() << 32;
	if (memfd >= 0)
		close(memfd);
	memfd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	close(scratch[0]);
	close(scratch[1]);
	if (pipe2(scratch, O_CLOEXEC))
		die("pipe");
	for (p = 0; p < MAX_PIPES; p++) {
		if (pipes[p].used) {
			close(pipes[p].rfd);
			close(pipes[p].wfd);
			pipes[p].used = false;
		}
	}
	memset(ghosts, 0, sizeof(ghosts));
	if (nthfd >= 0)
		close(nthfd);
	nthfd = -1;
	for (f = 0; f < MAX_FILES; f++)
		if (files[f].used)
			files[f].ext = 1;
	for (s = 0; s < MAX_SPANS; s++) {
		spans[s].ext_vmas = killable ? -1 : spans[s].nvmas;
		spans[s].charged = false;
	}
	for (v = 0; v < MAX_VMAS; v++) {
		if (!vmas[v].used)
			continue;
		if (vmas[v].dontfork) {
			uintptr_t a = vmas[v].addr;
			size_t len = vmas[v].npg * PAGE;

			vma_free(v);	/* VM_DONTCOPY: not in the child */
			arena_refill(a, len);
		} else if (!(spans[vmas[v].span].flags & GOHEAP_SPAN_PREFAULT)) {
			/* PTEs are copied for VM_MIXEDMAP (prefaulted) VMAs only */
			memset(vmas[v].present, 0, sizeof(vmas[v].present));
		}
	}
}

static void __attribute__((noreturn)) child_run(bool killable, unsigned long nops)
{
	unsigned long k;

	become_child(killable);
	check_all(killable ? "child (killable) start" : "child start");
	for (k = 0; killable || k < nops; k++) {
		opno++;
		if (!run_op(pick_op()))
			opno--;
		else
			hist_push();
	}
	desc("child end");
	check_all("child end");
	fflush(stdout);
	_exit(0);
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) != pid)
		if (errno != EINTR)
			die("waitpid");
	return status;
}

static bool op_fork(void)
{
	unsigned long nops = 5 + rnd(40);
	int status;
	pid_t pid;

	if (in_child)
		return false;
	desc("fork: a child runs %lu operations on the inherited mappings", nops);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		child_run(false, nops);
	status = wait_child(pid);
	result(0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("child %d: %s %d", pid, WIFEXITED(status) ? "exit status" : "killed by signal",
		     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	check_all("after the child exited");
	return true;
}

static bool op_fork_kill(void)
{
	unsigned long delay = rnd(20000);
	int status, s, f, k, v, i;
	pid_t pid;

	if (in_child)
		return false;
	desc("fork: a child works on the inherited mappings until SIGKILL after %lu us", delay);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		child_run(true, 0);
	child_pid = pid;
	/* Meanwhile: drop some of our own mappings and descriptors; the child keeps the spans. */
	for (f = 0; f < MAX_FILES; f++)
		if (files[f].used)
			files[f].ext = 1;
	for (s = 0; s < MAX_SPANS; s++)
		spans[s].ext_vmas = -1;
	for (k = rnd(4); k > 0; k--) {
		v = pick_vma();
		if (v >= 0) {
			uintptr_t a = vmas[v].addr;
			size_t len = vmas[v].npg * PAGE;

			if (munmap((void *)a, len))
				fail("munmap during a child's life: %s", errname(errno));
			model_unmap(a, len);
			arena_refill(a, len);
		}
		i = chance(40) ? pick_fd() : -1;
		if (i >= 0) {
			close(fds[i].fd);
			fds[i].used = false;
			files[fds[i].file].nfds--;
		}
	}
	sleep_us(delay);
	if (kill(pid, SIGKILL))
		die("kill");
	status = wait_child(pid);
	child_pid = 0;
	result(0);
	if (WIFEXITED(status))
		fail("killable child %d exited with status %d", pid, WEXITSTATUS(status));
	if (WTERMSIG(status) != SIGKILL)
		fail("killable child %d died of signal %d", pid, WTERMSIG(status));
	/* Its mappings are gone; how often it faulted is not known. */
	for (f = 0; f < MAX_FILES; f++)
		files[f].ext = 0;
	for (s = 0; s < MAX_SPANS; s++) {
		spans[s].ext_vmas = 0;
		sh->faults_hi[s] = INF;
	}
	release_all();
	check_all("after SIGKILL");
	return true;
}

/* Killable child: allocate, map, touch and free the largest scattered spans. */
static bool op_big(void)
{
	struct goheap_span_alloc req = { .npages = max_span, .flags = GOHEAP_SPAN_SCATTERED };
	int i = pick_fd(), f, err, s, v;
	uint32_t k;
	void *p;

	if (i < 0 || files[fds[i].file].ext || files[fds[i].file].mode != O_RDWR)
		return false;
	f = fds[i].file;
	if (alloc_predict(f, &req) || free_span_slot() < 0 || free_vma_slots() < 2)
		return false;
	desc("big scattered span (%u pages) on file %d", max_span, files[f].id);
	err = xioctl(fds[i].fd, GOHEAP_IOC_SPAN_ALLOC, &req);
	result(err);
	expect("SPAN_ALLOC of the largest scattered span", err, 0, true);
	if (err)
		return true;
	s = span_new(f, &req);
	p = mmap(NULL, spans[s].nr_hw * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i].fd,
		 span_offset(s));
	if (p == MAP_FAILED) {
		expect("mmap of the largest scattered span", errno, 0, true);
	} else {
		v = mapped((uintptr_t)p, spans[s].nr_hw, s, 0, PROT_READ | PROT_WRITE, MAP_SHARED);
		for (k = 0; k < 8; k++)
			read_check(v, rnd(spans[s].nr_hw), "read of a big span");
		munmap(p, spans[s].nr_hw * PAGE);
		model_unmap((uintptr_t)p, spans[s].nr_hw * PAGE);
	}
	err = xioctl(fds[i].fd, GOHEAP_IOC_SPAN_FREE, &(struct goheap_span_free){ .handle = req.handle });
	if (err)
		fail("SPAN_FREE of the big span: %s", errname(err));
	span_gone(s);
	return true;
}

/* ---------------------------------------------------------------------
 * The operation table
 */

struct opdef {
	const char *name;
	bool (*fn)(void);
	unsigned int w, wchild, wkill;	/* weights: parent, child, killable child */
};

static const struct opdef opdefs[NR_OPS] = {
	[OP_OPEN]	= { "open",		op_open,	30, 10, 5 },
	[OP_DUP]	= { "dup",		op_dup,		10, 5, 0 },
	[OP_CLOSE]	= { "close",		op_close,	20, 10, 5 },
	[OP_GET_INFO]	= { "get_info",		op_get_info,	25, 10, 5 },
	[OP_SPAN_ALLOC]	= { "span_alloc",	op_span_alloc,	130, 20, 0 },
	[OP_SPAN_FREE]	= { "span_free",	op_span_free,	70, 10, 0 },
	[OP_SPAN_INFO]	= { "span_info",	op_span_info,	50, 20, 10 },
	[OP_MEMSTATS]	= { "get_memstats",	op_memstats,	25, 5, 0 },
	[OP_BAD_IOCTL]	= { "bad_ioctl",	op_bad_ioctl,	20, 5, 5 },
	[OP_MMAP]	= { "mmap",		op_mmap,	110, 30, 20 },
	[OP_MUNMAP]	= { "munmap",		op_munmap,	60, 20, 10 },
	[OP_MREMAP]	= { "mremap",		op_mremap,	35, 10, 10 },
	[OP_MPROTECT]	= { "mprotect",		op_mprotect,	35, 10, 10 },
	[OP_MADVISE]	= { "madvise",		op_madvise,	25, 10, 10 },
	[OP_MLOCK]	= { "mlock",		op_mlock,	8, 3, 3 },
	[OP_TOUCH]	= { "touch",		op_touch,	160, 60, 80 },
	[OP_PROCMEM]	= { "proc_mem",		op_procmem,	20, 10, 10 },
	[OP_PIPE_IO]	= { "pipe_io",		op_pipe_io,	20, 10, 10 },
	[OP_VMSPLICE]	= { "vmsplice",		op_vmsplice,	8, 0, 0 },
	[OP_PIPE_CLOSE]	= { "pipe_close",	op_pipe_close,	6, 0, 0 },
	[OP_REMAP]	= { "remap_file_pages",	op_remap,	8, 3, 3 },
	[OP_FORK]	= { "fork",		op_fork,	3, 0, 0 },
	[OP_FORK_KILL]	= { "fork_kill",	op_fork_kill,	2, 0, 0 },
	[OP_SIGNAL]	= { "signal",		op_signal,	5, 2, 2 },
	[OP_LIMIT]	= { "limit",		op_limit,	4, 0, 0 },
	[OP_CHECK]	= { "check",		op_check,	6, 2, 1 },
	[OP_BIG]	= { "big_span",		op_big,		0, 0, 15 },
	[OP_INJ_ALLOC]	= { "inject_alloc",	op_inj_alloc,	2, 0, 0 },
	[OP_INJ_MMAP]	= { "inject_mmap",	op_inj_mmap,	3, 0, 0 },
	[OP_INJ_TOUCH]	= { "inject_touch",	op_inj_touch,	2, 0, 0 },
};

static unsigned int weight(int op)
{
	return in_child ? (kill_child ? opdefs[op].wkill : opdefs[op].wchild) : opdefs[op].w;
}

static int pick_op(void)
{
	unsigned int total = 0, r;
	int op;

	for (op = 0; op < NR_OPS; op++)
		total += weight(op);
	r = rnd(total);
	for (op = 0; op < NR_OPS; op++) {
		if (r < weight(op))
			return op;
		r -= weight(op);
	}
	return OP_TOUCH;
}

static bool run_op(int op)
{
	cur_op = op;
	cur[0] = 0;
	if (!opdefs[op].fn())
		return false;
	stats[op].n++;
	return true;
}

/* ---------------------------------------------------------------------
 * Set-up, the end, the summary
 */

static bool have_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return geteuid() == 0;
	return d[cap / 32].effective & (1U << (cap % 32));
}

static void setup(void)
{
	struct sigaction sa = { 0 };
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	struct statvfs sv;
	struct rlimit rl;
	uint64_t prev;
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
	dev_noexec = !statvfs(DEV, &sv) && (sv.f_flag & ST_NOEXEC);
	mincore_ok = !access(DEV, W_OK) || cap_admin;
	/* tinyconfig kernels may have no madvise() (CONFIG_ADVISE_SYSCALLS) */
	have_madvise = !madvise(guard, PAGE, MADV_NORMAL) || errno != ENOSYS;

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
	 * HeapInuse holds still for 1.5 s (at most 10 s).
	 */
	base_inuse = heap_inuse(statfd);
	for (n = 0, i = 0; base_inuse && n < 6 && i < 40; i++) {
		sleep_us(250000);
		prev = base_inuse;
		base_inuse = heap_inuse(statfd);
		n = base_inuse == prev ? n + 1 : 0;
	}
}

/* Unmap and close everything; goheap must be back where it started. */
static void finish(double t0)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	struct goheap_info gi;
	uint64_t inuse = 0;
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
			fail("model: span %d (handle %u) still alive at the end", i, spans[i].handle);
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
		if (inuse == base_inuse)
			break;
		sleep_us(100000);	/* spans pinned by pipes go back within a second or two */
	}
	close(fd);
	if (inuse != base_inuse)
		fail("at the end, after %d s: HeapInuse %" PRIu64 " B, at the start %" PRIu64 " B",
		     tries / 10, inuse, base_inuse);

	printf("fuzz: seed %" PRIu64 ": %lu ops in %.1f s, %lu SIGALRM, %lu SIGUSR1, %lu ENOMEM tolerated, "
	       "%lu reads through mappings of closed files\n", seed, opno - 1, now() - t0, nsigalrm,
	       nsigusr1, enomem_tolerated, orphan_reads);
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
			len += snprintf(out + len, sizeof(out) - len, "%s%s %lu", first ? " (" : ", ",
					errname(e), stats[i].res[e]);
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
	printf("fuzz: end: HeapInuse %" PRIu64 " B, as at the start; no span, file or mapping left; VmPin %ld kB\n",
	       inuse, vmpin_kb());
	f = fopen("/sys/kernel/debug/goheap/memstats", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "HeapInuse ", 10) || !strncmp(line, "HeapSys ", 8))
				printf("fuzz: debugfs memstats: %s", line);
		fclose(f);
	}
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-s SEED] [-t SECONDS] [-n MAXOPS] [-m MIB] [-I] [-v]\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	double t0;
	int c;

	page_size = sysconf(_SC_PAGESIZE);
	if (page_size > PAGE_MAX) {
		fprintf(stderr, "page size %lu above %lu\n", page_size, PAGE_MAX);
		return 2;
	}
	seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 16;
	while ((c = getopt(argc, argv, "s:t:n:m:Iv")) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		case 'n':
			maxops = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			budget = strtoull(optarg, NULL, 0) << 20;
			break;
		case 'I':
			no_inject = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rng = seed;
	if (maxops == ULONG_MAX)
		snprintf(cur, sizeof(cur), "no operation limit");
	else
		snprintf(cur, sizeof(cur), "at most %lu operations", maxops);
	printf("fuzz: seed %" PRIu64 ", %.0f s, %s, uid %d%s\n", seed, secs, cur, (int)geteuid(),
	       no_inject ? ", no fault injection" : "");
	setup();
	if (memlock == RLIM_INFINITY)
		snprintf(cur, sizeof(cur), "unlimited");
	else
		snprintf(cur, sizeof(cur), "%" PRIu64, memlock);
	printf("fuzz: heap page %zu B, max span %u pages, max_file_pages %" PRIu64 ", RLIMIT_MEMLOCK %s, "
	       "CAP_SYS_ADMIN %d, CAP_IPC_LOCK %d, fail-nth %s, madvise %s, HeapInuse at start %" PRIu64 " B\n",
	       hp, max_span, cap_pages, cur, cap_admin, cap_ipc_lock, nthfd >= 0 ? "yes" : "no",
	       have_madvise ? "yes" : "no", base_inuse);
	t0 = now();
	while (opno < maxops && now() - t0 < secs) {
		opno++;
		if (!run_op(pick_op()))
			opno--;
		else
			hist_push();
	}
	finish(t0);
	return 0;
}
