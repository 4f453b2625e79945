// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_fuzz: memory probes. Reads and writes of a page that may take
 * SIGSEGV or SIGBUS (caught with sigsetjmp()), the signal handlers, and the
 * checks of a page's content against the model.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>

#include "fuzz.h"

static sigjmp_buf probe_env;
static volatile sig_atomic_t probing;

void on_fault(int sig)
{
	if (probing) {
		probing = 0;
		siglongjmp(probe_env, sig);
	}
	signal(sig, SIG_DFL);	/* a real crash: let it happen */
}

void on_tick(int sig)
{
	if (sig == SIGALRM)
		nsigalrm++;
	else
		nsigusr1++;
}

int sig_result(int sig)
{
	return !sig ? 0 : sig == SIGSEGV ? E_SEGV : sig == SIGBUS ? E_BUS : NERR - 1;
}

/*
 * Read one page at @p and compare it with @stamp's pattern (*bad: 1 + the
 * first wrong word, or 0), or write @stamp's pattern there. Returns 0 or the
 * signal taken.
 */
int probe(uintptr_t p, bool write, uint32_t stamp, unsigned int *bad)
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

void content_fail(int v, uint32_t pg, unsigned int bad, const char *how)
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
void read_check(int v, uint32_t pg, const char *how)
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
int other_reader(int s, uint32_t i, int not, uint32_t *pg)
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
