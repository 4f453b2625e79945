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
 *   - spans: handle, size, flags (each charged to the user), the page faults
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
 * and counted. SPAN_INFO's maps and faults, GET_INFO's file_pages and
 * user_charged (every live span, plus freed ones a pipe may still hold),
 * /proc/self/maps, mincore(), VmPin (always 0) and HeapInuse (the heap's
 * with CAP_PERFMON or CAP_SYS_ADMIN, else the file's) are compared with
 * the model. fork() children check and change the inherited mappings, or are
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
 *
 * This file holds the options, the random numbers and the clock, the
 * operation table (op order and weights: a seed replays only with the same
 * table) and main(). fuzz.h says where the rest is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include "fuzz.h"

/* ---------------------------------------------------------------------
 * Options, random numbers, time
 */

uint64_t seed;
static unsigned long maxops = ULONG_MAX;
static double secs = 10;
uint64_t budget = 64ULL << 20;
bool verbose, no_inject;

uint64_t rng;
unsigned long page_size;		/* PAGE: the hardware page size */

uint64_t rnd64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0 .. n - 1 (0 when n is 0). */
uint32_t rnd(uint32_t n)
{
	return n ? rnd64() % n : 0;
}

bool chance(unsigned int pct)
{
	return rnd(100) < pct;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep @us microseconds, through SIGALRM. */
void sleep_us(unsigned long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---------------------------------------------------------------------
 * The operation table
 */

const struct opdef opdefs[NR_OPS] = {
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

int pick_op(void)
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

bool run_op(int op)
{
	cur_op = op;
	cur[0] = 0;
	if (!opdefs[op].fn())
		return false;
	stats[op].n++;
	return true;
}

/* ---------------------------------------------------------------------
 * The command line
 */

static void die_usage(const char *prog)
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
			die_usage(argv[0]);
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
	printf("fuzz: heap page %zu B, max span %u pages, max_file_pages %" PRIu64 ", "
	       "RLIMIT_MEMLOCK %s, CAP_SYS_ADMIN %d, CAP_IPC_LOCK %d, fail-nth %s, madvise %s, "
	       "/proc/self/mem forced %s, multi-VMA mremap %s, HeapInuse at start %" PRIu64 " B%s, "
	       "user_charged %" PRIu64 " B\n",
	       hp, max_span, cap_pages, cur, cap_admin, cap_ipc_lock, nthfd >= 0 ? "yes" : "no",
	       have_madvise ? "yes" : "no", mem_force ? "yes" : "no", mremap_multi ? "yes" : "no",
	       base_inuse, heap_stats ? "" : " (a file's)", base_user);
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
