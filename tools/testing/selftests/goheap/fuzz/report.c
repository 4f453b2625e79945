// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_fuzz: what it counts and says. The statistics of every operation
 * (each result: an errno or a signal) and of fault injection; the current
 * operation's description, the short history kept for a mismatch report;
 * fail(), which prints the mismatch and the command line that replays it,
 * and die() for set-up errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

/* ---------------------------------------------------------------------
 * Operations and their statistics
 */

struct opstat stats[NR_OPS];
int cur_op;
unsigned long opno;

/* Injected failures: calls made with fail-nth set, and how they ended. */
const char *const inj_name[NR_INJ] = { "span_alloc", "mmap", "touch" };
unsigned long inj_calls[NR_INJ], inj_failed[NR_INJ], inj_absorbed[NR_INJ];
unsigned long inj_signals, inj_handle_wraps, enomem_tolerated, orphan_reads;
volatile unsigned long nsigalrm, nsigusr1;

const char *errname(int e)
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

void result(int e)
{
	if (e < 0 || e >= NERR)
		e = NERR - 1;
	stats[cur_op].res[e]++;
}

/* ---------------------------------------------------------------------
 * Reporting: the current operation, a short history, mismatches
 */

#define HIST 16
char cur[320];
static char hist[HIST][320];
static unsigned long hist_no[HIST];
bool in_child, kill_child;
pid_t child_pid;		/* a killable child, while it runs */
int param_fd = -1;
char param_orig[32];

void desc(const char *fmt, ...)
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

void hist_push(void)
{
	unsigned int i = opno % HIST;

	memcpy(hist[i], cur, sizeof(cur));
	hist_no[i] = opno;
}

void restore_param(void)
{
	if (param_fd >= 0 && !in_child) {
		if (pwrite(param_fd, param_orig, strlen(param_orig), 0) < 0)
			perror("restore max_file_pages");
	}
}

void __attribute__((format(printf, 1, 2), noreturn)) fail(const char *fmt, ...)
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

void __attribute__((noreturn)) die(const char *what)
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
void expect(const char *what, int got, int want, bool enomem_ok)
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
