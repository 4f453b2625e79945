/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goheap_fuzz's internal header: the limits and constants, the operations
 * and their statistics, the model's types, and the globals (each defined
 * in exactly one file, named below) and functions the files share.
 *
 * The files:
 *   main.c    options, random numbers, time, the operation table, main()
 *   report.c  statistics, the current operation and its history, mismatches
 *             (with the command line that replays them)
 *   model.c   the model: files, spans, VMAs, pipes; picking; the arena
 *   probe.c   memory accesses that may take SIGSEGV or SIGBUS
 *   check.c   the kernel's views (ioctls, /proc/self/maps, mincore(),
 *             VmPin, HeapInuse) against the model
 *   ioctl.c   open, dup, close and the ioctls, with arguments anywhere
 *   vma.c     mmap, munmap, mremap, mprotect, madvise, mlock, touches,
 *             remap_file_pages
 *   gup.c     get_user_pages() users: /proc/self/mem, pipes, vmsplice()
 *   inject.c  fault injection through /proc/thread-self/fail-nth
 *   fork.c    fork() children, checked or killed
 *   setup.c   set-up, signals and limits, the end and the summary
 *
 * main.c's comment is the manual.
 */
#ifndef GOHEAP_FUZZ_H
#define GOHEAP_FUZZ_H

/* Each file defines _GNU_SOURCE before its first #include. */
#ifndef _GNU_SOURCE
#error "_GNU_SOURCE must be defined before any #include"
#endif
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>

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
extern unsigned long page_size;	/* main.c */
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
			 GOHEAP_FEAT_MEMSTATS | GOHEAP_FEAT_CHARGES)
#define SPAN_FLAGS	(GOHEAP_SPAN_CONTIGUOUS | GOHEAP_SPAN_PREFAULT | \
			 GOHEAP_SPAN_SCATTERED | GOHEAP_SPAN_ZEROED)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* Each argument once, in a local of its own type; the result as with ?: */
#define MIN(a, b)	({ typeof(a) _mn_a = (a); typeof(b) _mn_b = (b); \
			   _mn_a < _mn_b ? _mn_a : _mn_b; })
#define MAX(a, b)	({ typeof(a) _mx_a = (a); typeof(b) _mx_b = (b); \
			   _mx_a > _mx_b ? _mx_a : _mx_b; })
/* As the kernel's <linux/compiler_attributes.h> has it (GCC 7 and later). */
#define fallthrough	__attribute__((__fallthrough__))

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

/* Injected failures: calls made with fail-nth set, and how they ended. */
enum { INJ_ALLOC, INJ_MMAP, INJ_TOUCH, NR_INJ };

struct opdef {
	const char *name;
	bool (*fn)(void);
	unsigned int w, wchild, wkill;	/* weights: parent, child, killable child */
};

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

/* Freed spans whose memory a pipe may still hold. */
struct ghost {
	bool used;
	uint64_t bytes;		/* of heap spans: in HeapInuse */
	uint64_t charge;	/* of all of them: charged to the user */
	int npipes;
	double since;		/* last pipe closed */
};

/* What parent and child both update: page contents and fault counts. */
struct shared {
	uint32_t stamps[MAX_SPANS][MAX_HW];
	uint64_t faults_lo[MAX_SPANS];
	uint64_t faults_hi[MAX_SPANS];
};

static inline uint64_t pattern(uint32_t stamp, unsigned int i)
{
	if (!stamp)
		return 0;
	return ((uint64_t)stamp << 32 | (uint32_t)(i * 2654435761u)) ^ 0x5bd1e9955bd1e995ULL;
}

/* main.c: options, random numbers, time, the operation table */
extern uint64_t seed;
extern uint64_t budget;
extern bool verbose, no_inject;
extern uint64_t rng;
extern const struct opdef opdefs[NR_OPS];
uint64_t rnd64(void);
uint32_t rnd(uint32_t n);
bool chance(unsigned int pct);
double now(void);
void sleep_us(unsigned long us);
int pick_op(void);
bool run_op(int op);

/* report.c: statistics, the current operation, mismatches */
extern struct opstat stats[NR_OPS];
extern int cur_op;
extern unsigned long opno;
extern const char *const inj_name[NR_INJ];
extern unsigned long inj_calls[NR_INJ], inj_failed[NR_INJ], inj_absorbed[NR_INJ];
extern unsigned long inj_signals, inj_handle_wraps, enomem_tolerated, orphan_reads;
extern volatile unsigned long nsigalrm, nsigusr1;
extern char cur[320];
extern bool in_child, kill_child;
extern pid_t child_pid;
extern int param_fd;
extern char param_orig[32];
const char *errname(int e);
void result(int e);
void desc(const char *fmt, ...);
void hist_push(void);
void restore_param(void);
void __attribute__((format(printf, 1, 2), noreturn)) fail(const char *fmt, ...);
void __attribute__((noreturn)) die(const char *what);
void expect(const char *what, int got, int want, bool enomem_ok);

/* model.c: the model and the environment */
extern struct mfile files[MAX_FILES];
extern struct mspan spans[MAX_SPANS];
extern struct mvma vmas[MAX_VMAS];
extern struct mfd fds[MAX_FDS];
extern struct mpipe pipes[MAX_PIPES];
extern struct ghost ghosts[MAX_GHOSTS];
extern struct shared *sh;
extern size_t hp;
extern unsigned int hw_per_hp, max_span;
extern bool cap_admin, cap_ipc_lock, heap_stats, dev_noexec, mincore_ok, have_madvise, mem_force,
	mremap_multi;
extern uint64_t cap_pages;
extern uint64_t memlock;
extern uint64_t base_inuse, base_user;
extern int statfd, nullfd, memfd, nthfd;
extern int scratch[2];
extern char *guard;
extern char *arena;
extern uint8_t arena_used[ARENA_PAGES];
void fill_pattern(void *p, uint32_t stamp);
unsigned int check_pattern(const void *p, uint32_t stamp);
uint32_t new_stamp(void);
uint64_t memlock_pages(void);
bool heap_span(int s);
uint64_t live_bytes(bool heap_only);
uint64_t user_pages(void);
uint64_t file_heap_bytes(int f);
uint64_t ghost_bytes(void);
uint64_t ghost_charge(void);
int file_vmas(int f);
int span_by_handle(int f, uint64_t h);
uint32_t predict_handle(int f);
uint32_t lowest_free_handle(int f);
int span_maps(int s);
uint64_t span_offset(int s);
bool file_readable(int f);
bool file_writable(int f);
void span_gone(int s);
void maybe_release(int f);
void release_all(void);
int pick_fd(void);
int fd_of_file(int f);
int pick_span_of(int f);
int pick_vma(void);
int pick_vma_prot(int need);
int free_span_slot(void);
int free_vma_slots(void);
bool in_arena(uintptr_t a);
void arena_mark(uintptr_t a, uint32_t npg, uint8_t val);
uintptr_t arena_slot(uint32_t npg);
void arena_refill(uintptr_t a, size_t len);
int vma_add(uintptr_t addr, uint32_t npg, int s, uint32_t idx, int prot, bool maywrite);
void vma_free(int v);
int vma_isolate(int v, uintptr_t a, size_t len);
uintptr_t vma_end(int v);
int vma_at(uintptr_t a);
void model_unmap(uintptr_t a, size_t len);
void touched(int v, uint32_t pg);
uint32_t *stamp_of(int v, uint32_t pg);
bool cpu_readable(int v);
bool cpu_writable(int v);

/* probe.c: memory probes */
void on_fault(int sig);
void on_tick(int sig);
int sig_result(int sig);
int probe(uintptr_t p, bool write, uint32_t stamp, unsigned int *bad);
void content_fail(int v, uint32_t pg, unsigned int bad, const char *how);
void read_check(int v, uint32_t pg, const char *how);
int other_reader(int s, uint32_t i, int not, uint32_t *pg);

/* check.c: the kernel's views */
int xioctl(int fd, unsigned long cmd, void *arg);
uint64_t heap_inuse(int fd);
void check_heap(const char *when, uint64_t inuse);
uint64_t user_charged(int fd);
void check_user(const char *when, uint64_t charged);
long vmpin_kb(void);
void span_info_raw(int fdnum, int s, struct goheap_span_info *si);
void check_span_counts(int s, const struct goheap_span_info *si);
void check_all(const char *when);

/* ioctl.c: descriptors and ioctls; valid_flags[] (SPAN_ALLOC's flag choices) has 12 */
#define NR_VALID_FLAGS	12
extern const uint32_t valid_flags[NR_VALID_FLAGS];
const char *mode_name(int mode);
int alloc_predict(int f, const struct goheap_span_alloc *req);
int span_new(int f, const struct goheap_span_alloc *rep);
void check_alloc_reply(const struct goheap_span_alloc *req,
		       const struct goheap_span_alloc *rep, uint32_t handle);

/* vma.c: mappings */
int mapped(uintptr_t addr, uint32_t npg, int s, uint32_t idx, int prot, int flags);
const char *prot_name(int prot);

/* gup.c: get_user_pages() */
void pipe_close(int p);

/* setup.c */
void setup(void);
void finish(double t0);

/* The operations (opdefs[] in main.c), by file. */
bool op_open(void);		/* ioctl.c */
bool op_dup(void);
bool op_close(void);
bool op_get_info(void);
bool op_span_alloc(void);
bool op_span_free(void);
bool op_span_info(void);
bool op_memstats(void);
bool op_bad_ioctl(void);
bool op_mmap(void);		/* vma.c */
bool op_munmap(void);
bool op_mremap(void);
bool op_mprotect(void);
bool op_madvise(void);
bool op_mlock(void);
bool op_touch(void);
bool op_remap(void);
bool op_procmem(void);		/* gup.c */
bool op_pipe_io(void);
bool op_vmsplice(void);
bool op_pipe_close(void);
bool op_fork(void);		/* fork.c */
bool op_fork_kill(void);
bool op_big(void);
bool op_signal(void);		/* setup.c */
bool op_limit(void);
bool op_check(void);		/* check.c */
bool op_inj_alloc(void);	/* inject.c */
bool op_inj_mmap(void);
bool op_inj_touch(void);

#endif /* GOHEAP_FUZZ_H */
