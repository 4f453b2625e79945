// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_fuzz: the model. What the fuzzer believes goheap and the core hold:
 * open files and descriptors, spans and their handles, VMAs and their PTEs,
 * vmsplice() pipes and the freed spans they may pin, page contents and fault
 * counts (shared with fork() children); the environment found at set-up;
 * random picks among them; the arena of PROT_NONE placeholders MAP_FIXED
 * lands in; and the VMA bookkeeping (split, isolate, unmap) of the core.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>

#include "fuzz.h"

struct mfile files[MAX_FILES];
struct mspan spans[MAX_SPANS];
struct mvma vmas[MAX_VMAS];
struct mfd fds[MAX_FDS];
struct mpipe pipes[MAX_PIPES];
struct ghost ghosts[MAX_GHOSTS];
struct shared *sh;
static uint32_t stamp_seq;

/* The environment */
size_t hp;			/* heap page size */
unsigned int hw_per_hp, max_span;
bool cap_admin, cap_ipc_lock, heap_stats, dev_noexec, mincore_ok, have_madvise, mem_force,
	mremap_multi;
uint64_t cap_pages;		/* max_file_pages */
uint64_t memlock;		/* RLIMIT_MEMLOCK soft limit, bytes */
uint64_t base_inuse, base_user;
int statfd = -1, nullfd = -1, memfd = -1, nthfd = -1;
int scratch[2] = { -1, -1 };
char *guard;			/* [RW page][PROT_NONE page][RO page] */
char *arena;
uint8_t arena_used[ARENA_PAGES];
void fill_pattern(void *p, uint32_t stamp)
{
	uint64_t *w = p;
	unsigned int i;

	for (i = 0; i < PAGE / 8; i++)
		w[i] = pattern(stamp, i);
}

/* 0, or 1 + the index of the first word of @p that is not @stamp's. */
unsigned int check_pattern(const void *p, uint32_t stamp)
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

uint32_t new_stamp(void)
{
	uint32_t s = ++stamp_seq & 0x7fffffff;

	if (!s)
		s = ++stamp_seq & 0x7fffffff;
	return in_child ? s | 0x80000000u : s;
}

uint64_t memlock_pages(void)
{
	return memlock == RLIM_INFINITY ? INF : memlock / PAGE;
}

static uint64_t span_bytes(int s)
{
	return (uint64_t)spans[s].npages * hp;
}

bool heap_span(int s)
{
	return !(spans[s].flags & GOHEAP_SPAN_SCATTERED);
}

uint64_t live_bytes(bool heap_only)
{
	uint64_t n = 0;
	int s;

	for (s = 0; s < MAX_SPANS; s++)
		if (spans[s].used && (!heap_only || heap_span(s)))
			n += span_bytes(s);
	return n;
}

/*
 * Hardware pages of the live spans, all charged to our user (with
 * CAP_IPC_LOCK too); a child's view includes its parent's, which stay
 * alive while it runs.
 */
uint64_t user_pages(void)
{
	uint64_t n = 0;
	int s;

	for (s = 0; s < MAX_SPANS; s++)
		if (spans[s].used)
			n += spans[s].nr_hw;
	return n;
}

/* Bytes of the heap spans (not scattered) in file @f's handle table. */
uint64_t file_heap_bytes(int f)
{
	uint64_t n = 0;
	int s;

	for (s = 0; s < MAX_SPANS; s++)
		if (spans[s].used && spans[s].file == f && heap_span(s))
			n += span_bytes(s);
	return n;
}

/* Sum of @heap ? bytes : charge over the ghosts still possibly held. */
static uint64_t ghost_sum(bool heap)
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
		n += heap ? ghosts[g].bytes : ghosts[g].charge;
	}
	return n;
}

/* Bytes of freed heap spans a pipe may still keep from the heap. */
uint64_t ghost_bytes(void)
{
	return ghost_sum(true);
}

/* Bytes of freed spans (heap or scattered) a pipe may still keep charged. */
uint64_t ghost_charge(void)
{
	return ghost_sum(false);
}

int file_vmas(int f)
{
	int s, n = 0;

	for (s = 0; s < MAX_SPANS; s++)
		if (spans[s].used && spans[s].file == f)
			n += spans[s].nvmas;
	return n;
}

int span_by_handle(int f, uint64_t h)
{
	int s;

	for (s = 0; s < MAX_SPANS; s++)
		if (spans[s].used && spans[s].file == f && spans[s].handle == h)
			return s;
	return -1;
}

/* The handle xa_alloc_cyclic() gives next: the first free one from the cursor. */
uint32_t predict_handle(int f)
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

uint32_t lowest_free_handle(int f)
{
	uint32_t h;

	for (h = 1; h <= MAX_HANDLE; h++)
		if (span_by_handle(f, h) < 0)
			return h;
	return 0;
}

int span_maps(int s)
{
	return spans[s].ext_vmas < 0 ? -1 : spans[s].nvmas + spans[s].ext_vmas;
}

uint64_t span_offset(int s)
{
	return (uint64_t)spans[s].handle << OFF_SHIFT;
}

bool file_readable(int f)
{
	return files[f].mode != O_WRONLY;
}

bool file_writable(int f)
{
	return files[f].mode != O_RDONLY;
}

/* A span leaves the model: freed, or its file released. */
void span_gone(int s)
{
	int p, g = -1, npipes = 0;

	for (p = 0; p < MAX_PIPES; p++)
		if (pipes[p].used && pipes[p].span == s)
			npipes++;
	if (npipes) {
		uint64_t heap = heap_span(s) ? span_bytes(s) : 0;

		ghost_bytes();		/* drop the ghosts that have gone */
		for (g = 0; g < MAX_GHOSTS && ghosts[g].used; g++)
			;
		if (g < MAX_GHOSTS) {
			ghosts[g] = (struct ghost){ .used = true, .bytes = heap,
						    .charge = span_bytes(s), .npipes = npipes };
		} else {
			/* all in use: share one (the bound only gets looser) */
			g = rnd(MAX_GHOSTS);
			ghosts[g].bytes += heap;
			ghosts[g].charge += span_bytes(s);
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
void maybe_release(int f)
{
	int s;

	if (!files[f].used || files[f].nfds || files[f].ext || file_vmas(f))
		return;
	for (s = 0; s < MAX_SPANS; s++)
		if (spans[s].used && spans[s].file == f)
			span_gone(s);
	files[f].used = false;
}

void release_all(void)
{
	int f;

	for (f = 0; f < MAX_FILES; f++)
		maybe_release(f);
}

/* ---- picking ---- */

int pick_fd(void)
{
	int i, n = 0, pick = -1;

	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].used && !rnd(++n))
			pick = i;
	return pick;
}

int fd_of_file(int f)
{
	int i;

	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].used && fds[i].file == f)
			return i;
	return -1;
}

int pick_span_of(int f)
{
	int s, n = 0, pick = -1;

	for (s = 0; s < MAX_SPANS; s++)
		if (spans[s].used && (f < 0 || spans[s].file == f) && !rnd(++n))
			pick = s;
	return pick;
}

int pick_vma(void)
{
	int v, n = 0, pick = -1;

	for (v = 0; v < MAX_VMAS; v++)
		if (vmas[v].used && !rnd(++n))
			pick = v;
	return pick;
}

int pick_vma_prot(int need)
{
	int v, n = 0, pick = -1;

	for (v = 0; v < MAX_VMAS; v++)
		if (vmas[v].used && (vmas[v].prot & need) == need && !rnd(++n))
			pick = v;
	return pick;
}

int free_span_slot(void)
{
	int s;

	for (s = 0; s < MAX_SPANS; s++)
		if (!spans[s].used)
			return s;
	return -1;
}

int free_vma_slots(void)
{
	int v, n = 0;

	for (v = 0; v < MAX_VMAS; v++)
		n += !vmas[v].used;
	return n;
}

/* ---- the arena: PROT_NONE placeholders where MAP_FIXED may land ---- */

bool in_arena(uintptr_t a)
{
	return a >= (uintptr_t)arena && a < (uintptr_t)arena + ARENA_PAGES * PAGE;
}

void arena_mark(uintptr_t a, uint32_t npg, uint8_t val)
{
	uint32_t i;

	for (i = 0; i < npg; i++, a += PAGE)
		if (in_arena(a))
			arena_used[(a - (uintptr_t)arena) / PAGE] = val;
}

/* A free run of @npg arena pages, or 0. */
uintptr_t arena_slot(uint32_t npg)
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
void arena_refill(uintptr_t a, size_t len)
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

int vma_add(uintptr_t addr, uint32_t npg, int s, uint32_t idx, int prot, bool maywrite)
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

void vma_free(int v)
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
int vma_isolate(int v, uintptr_t a, size_t len)
{
	if (a > vmas[v].addr)
		v = vma_split(v, a);
	if (a + len < vmas[v].addr + vmas[v].npg * PAGE)
		vma_split(v, a + len);
	return v;
}

uintptr_t vma_end(int v)
{
	return vmas[v].addr + vmas[v].npg * PAGE;
}

int vma_at(uintptr_t a)
{
	int v;

	for (v = 0; v < MAX_VMAS; v++)
		if (vmas[v].used && a >= vmas[v].addr && a < vma_end(v))
			return v;
	return -1;
}

/* [a, a + len) was unmapped: drop or trim every VMA in it. */
void model_unmap(uintptr_t a, size_t len)
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
void touched(int v, uint32_t pg)
{
	int s = vmas[v].span;

	if (vmas[v].present[pg])
		return;
	vmas[v].present[pg] = 1;
	sh->faults_lo[s]++;
	if (sh->faults_hi[s] != INF)
		sh->faults_hi[s]++;
}

uint32_t *stamp_of(int v, uint32_t pg)
{
	return &sh->stamps[vmas[v].span][vmas[v].idx + pg];
}

/* The CPU may read a page of @v (x86: PROT_WRITE implies read). */
bool cpu_readable(int v)
{
	return vmas[v].prot & (PROT_READ | PROT_WRITE);
}

bool cpu_writable(int v)
{
	return vmas[v].prot & PROT_WRITE;
}
