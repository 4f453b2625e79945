// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_fuzz: fork() children. A child runs operations on the inherited
 * mappings and must exit cleanly, or is killed with SIGKILL in the middle of
 * its work while the parent drops its own mappings; the largest scattered
 * spans are allocated in killable children.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "fuzz.h"

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
	for (s = 0; s < MAX_SPANS; s++)
		spans[s].ext_vmas = killable ? -1 : spans[s].nvmas;
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

bool op_fork(void)
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

bool op_fork_kill(void)
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
bool op_big(void)
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
	err = xioctl(fds[i].fd, GOHEAP_IOC_SPAN_FREE,
		     &(struct goheap_span_free){ .handle = req.handle });
	if (err)
		fail("SPAN_FREE of the big span: %s", errname(err));
	span_gone(s);
	return true;
}
