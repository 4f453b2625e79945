// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest-harness tests of the /dev/goheap accounting rule
 * (Documentation/userspace-api.rst, "Accounting"): span memory is charged
 * to the user that allocated it, against RLIMIT_MEMLOCK, and to the
 * module, against dev_max_bytes, from the allocation until the memory is
 * back, whatever path it takes there.
 *
 * One test per way around the limit: children that allocate on a shared
 * file and exit, a file passed over a unix socket, pages pinned by a pipe
 * (vmsplice) or by io_uring's fixed buffers (a long-term GUP pin) while the
 * span is freed, process_vm_readv() across the free, many files, and
 * threads racing the limit. Then the module-wide cap, and what an
 * unprivileged caller may read.
 *
 * The scenarios run in a worker process that is uid/gid 1000 without
 * capabilities, with a small RLIMIT_MEMLOCK: dropped from root when the
 * test runs as root, the caller itself (with its limit lowered, which needs
 * no privilege) when it runs as uid 1000. The worker checks its user's
 * charge (GET_INFO's user_charged) at every step and that it is back where
 * it started at the end; a failed check prints why and exits 1. As root,
 * the test also checks around the worker the module-wide charge
 * (dev_charged) and HeapInuse from /sys/kernel/debug/goheap/memstats:
 * back where they were, nothing left charged, no page left in a span.
 * Tests that need root skip otherwise, and so do tests whose kernel lacks
 * what they use (AF_UNIX, process_vm_readv(), io_uring).
 */
#define _GNU_SOURCE
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
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/goheap.h>
#include <linux/io_uring.h>

#include "dev.h"
#include "kselftest_harness.h"

#define DEV		"/dev/goheap"
#define MEMSTATS	"/sys/kernel/debug/goheap/memstats"
#define DEV_MAX_PARAM	"/sys/module/goheap/parameters/dev_max_bytes"
#define UNPRIV_ID	1000
#define SPAN_PAGES	4	/* heap pages of the spans most tests allocate */
#define NO_VALUE	(~0ULL)

/* ---------------------------------------------------------------------
 * The device
 */

/* Bytes charged for all users (0 without GOHEAP_CAP_HEAP_STATS), or NO_VALUE. */
static __u64 dev_charged(int fd)
{
	struct goheap_info info;

	return get_info(fd, &info) ? NO_VALUE : info.dev_charged;
}

static int get_memstats(int fd, struct goheap_memstats *ms)
{
	struct goheap_memstats_req r = { .ptr = (uintptr_t)ms, .size = sizeof(*ms) };

	memset(ms, 0xA5, sizeof(*ms));
	return gh_ioctl(fd, GOHEAP_IOC_GET_MEMSTATS, &r);
}

/* HeapInuse from debugfs (root only), or NO_VALUE. */
static __u64 debugfs_heap_inuse(void)
{
	unsigned long long v = NO_VALUE;
	char line[128];
	FILE *f = fopen(MEMSTATS, "r");

	if (!f)
		return NO_VALUE;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "HeapInuse %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static __u64 inuse_of(int fd)
{
	(void)fd;
	return debugfs_heap_inuse();
}

/* Poll @get(@fd) for up to @ms until it equals @want; the last value. */
static __u64 wait_for(__u64 (*get)(int), int fd, __u64 want, unsigned int ms)
{
	__u64 v = get(fd);
	unsigned int t;

	for (t = 0; v != want && t < ms; t += 50) {
		sleep_ms(50);
		v = get(fd);
	}
	return v;
}

/* ---------------------------------------------------------------------
 * Workers: uid 1000 processes with a small RLIMIT_MEMLOCK
 */

/* A failed check in a worker (or its children): say where and why, exit 1. */
#define WCHECK(cond, fmt, ...) do {						\
	if (!(cond)) {								\
		fprintf(stderr, "# %s:%d: worker %d: %s: " fmt "\n", __FILE__,	\
			__LINE__, (int)getpid(), #cond, ##__VA_ARGS__);	\
		fflush(stderr);							\
		_exit(1);							\
	}									\
} while (0)

/* Become uid/gid 1000 without capabilities, if root; stay dumpable. */
static int drop_privileges(void)
{
	if (geteuid() == 0 &&
	    (setgroups(0, NULL) || setresgid(UNPRIV_ID, UNPRIV_ID, UNPRIV_ID) ||
	     setresuid(UNPRIV_ID, UNPRIV_ID, UNPRIV_ID)))
		return -errno;
	/* Changing ids cleared it: process_vm_readv() of our children needs it. */
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ? -errno : 0;
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) != pid)
		if (errno != EINTR)
			return 255;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * A step the worker and the test's own process meet at: the worker says
 * it is there and waits until it is told to go on, so that the test (as
 * root) can look at the module-wide figures meanwhile.
 */
struct meet {
	int up[2];		/* worker -> test */
	int down[2];		/* test -> worker */
};

static void worker_meet(struct meet *m)
{
	char c = 'm';

	WCHECK(write(m->up[1], &c, 1) == 1, "%s", strerror(errno));
	WCHECK(read(m->down[0], &c, 1) == 1, "the test went away");
}

/* In the test: wait for the worker at its next meeting; false if it exited. */
static bool test_meets(struct meet *m)
{
	char c;

	return read(m->up[0], &c, 1) == 1;
}

static void test_releases(struct meet *m)
{
	char c = 'g';

	if (write(m->down[1], &c, 1) != 1)
		perror("releasing the worker");
}

struct worker {
	pid_t pid;
	struct meet meet;
};

/*
 * Start @fn(@arg, meet) in a worker: uid 1000 (if root), RLIMIT_MEMLOCK of
 * @memlock bytes. The worker's exit status is @fn's return value.
 */
static int worker_start(struct worker *w, int (*fn)(void *, struct meet *), void *arg,
			rlim_t memlock)
{
	struct rlimit rl = { memlock, memlock };

	if (pipe2(w->meet.up, O_CLOEXEC) || pipe2(w->meet.down, O_CLOEXEC))
		return -errno;
	w->pid = fork();
	if (w->pid < 0)
		return -errno;
	if (w->pid == 0) {
		close(w->meet.up[0]);
		close(w->meet.down[1]);
		/* The limit first: as root it may be raised past the hard one. */
		if (setrlimit(RLIMIT_MEMLOCK, &rl) || drop_privileges()) {
			fprintf(stderr, "# worker set-up: %s\n", strerror(errno));
			_exit(2);
		}
		_exit(fn(arg, &w->meet));
	}
	close(w->meet.up[1]);
	close(w->meet.down[0]);
	return 0;
}

static int worker_end(struct worker *w)
{
	close(w->meet.up[0]);
	close(w->meet.down[1]);
	return wait_status(w->pid);
}

/* Run a worker with no meetings to its end; its exit status. */
static int run_worker(int (*fn)(void *, struct meet *), void *arg, rlim_t memlock)
{
	struct worker w;
	int err = worker_start(&w, fn, arg, memlock);

	if (err)
		return 200;
	while (test_meets(&w.meet))
		test_releases(&w.meet);
	return worker_end(&w);
}

/* What every worker is given: the geometry, and a descriptor opened by the test. */
struct job {
	int test_fd;		/* opened by the test (root, when run as root) */
	__u64 span;		/* bytes of a SPAN_PAGES span */
	__u64 hp;		/* heap page size */
	__u64 hw;		/* hardware page size */
	unsigned int nspans;	/* RLIMIT_MEMLOCK in spans */
};

static int open_dev(void)
{
	return open(DEV, O_RDWR | O_CLOEXEC);
}

/* ---------------------------------------------------------------------
 * The fixture
 */

/* What a test starts from, and must end at. */
struct base {
	int fd;
	bool stats;		/* GOHEAP_CAP_HEAP_STATS: dev_charged is shown */
	__u64 user0;		/* user_charged of the test's own user */
	__u64 dev0;		/* dev_charged */
	__u64 inuse0;		/* HeapInuse, or NO_VALUE */
};

/*
 * The starting figures, once they have held still for 1.5 s (at most 10 s):
 * freed spans whose pages a pipe held in an earlier test go back from a
 * work item that runs every second. As root, dev_charged covers every
 * user, the workers' too.
 */
static void settle(struct base *b)
{
	__u64 u, d, h;
	int same = 0, i;

	b->user0 = user_charged(b->fd);
	b->dev0 = b->stats ? dev_charged(b->fd) : 0;
	b->inuse0 = debugfs_heap_inuse();
	for (i = 0; i < 40 && same < 6; i++) {
		sleep_ms(250);
		u = user_charged(b->fd);
		d = b->stats ? dev_charged(b->fd) : 0;
		h = debugfs_heap_inuse();
		same = u == b->user0 && d == b->dev0 && h == b->inuse0 ? same + 1 : 0;
		b->user0 = u;
		b->dev0 = d;
		b->inuse0 = h;
	}
}

/* A module parameter to restore at the end. */
struct param {
	int fd;			/* or -1 */
	char old[32];
	int len;
};

FIXTURE(charge) {
	int fd;
	struct goheap_info info;
	struct job job;
	bool root;		/* may read debugfs and write parameters */
	bool stats;
	struct base base;
	struct param param;	/* dev_max_bytes */
};

FIXTURE_SETUP(charge)
{
	self->param.fd = -1;
	self->fd = open_dev();
	/* A SKIP in the set-up must end the test process itself: 255 is a skip. */
	if (self->fd < 0 && errno == ENOENT)
		SKIP(_exit(255), DEV " not present (goheap.ko not loaded)");
	ASSERT_LE(0, self->fd) TH_LOG("open " DEV ": %s", strerror(errno));
	ASSERT_EQ(0, get_info(self->fd, &self->info));
	if (!(self->info.features & GOHEAP_FEAT_CHARGES))
		SKIP(_exit(255), "goheap without per-user charges (GOHEAP_FEAT_CHARGES)");
	self->job.test_fd = self->fd;
	self->job.hp = self->info.heap_page_size;
	self->job.hw = self->info.hw_page_size;
	self->job.span = SPAN_PAGES * self->job.hp;
	self->job.nspans = 4;
	self->root = geteuid() == 0;
	self->stats = self->info.caps & GOHEAP_CAP_HEAP_STATS;
	self->base = (struct base){ .fd = self->fd, .stats = self->stats };
	settle(&self->base);
}

FIXTURE_TEARDOWN(charge)
{
	if (self->param.fd >= 0) {
		if (pwrite(self->param.fd, self->param.old, self->param.len, 0) != self->param.len)
			TH_LOG("could not restore dev_max_bytes");
		close(self->param.fd);
	}
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * After the scenario: nothing left charged for anyone, no page left in a
 * span (what root can see; the worker checked its own user already).
 */
static void check_clean(struct __test_metadata *_metadata, const struct base *b)
{
	ASSERT_EQ(b->user0, wait_for(user_charged, b->fd, b->user0, 5000))
		TH_LOG("the test's own user's charge not back");
	if (b->stats) {
		ASSERT_EQ(b->dev0, wait_for(dev_charged, b->fd, b->dev0, 5000))
			TH_LOG("module-wide charge not back");
	}
	if (b->inuse0 != NO_VALUE) {
		ASSERT_EQ(b->inuse0, wait_for(inuse_of, -1, b->inuse0, 5000))
			TH_LOG("HeapInuse not back");
	}
	if (!b->stats)
		TH_LOG("module-wide figures need CAP_PERFMON or CAP_SYS_ADMIN: not checked");
}

/* Run @fn as a worker with the fixture's job, then check_clean(). */
#define RUN_WORKER(fn) do {							\
	ASSERT_EQ(0, run_worker(fn, &self->job,				\
				(rlim_t)self->job.nspans * self->job.span));	\
	check_clean(_metadata, &self->base);					\
} while (0)

/* ---------------------------------------------------------------------
 * What GET_INFO says
 */

/* user_charged and dev_charged follow the caller's spans, byte for byte. */
TEST_F(charge, info_follows_spans)
{
	struct goheap_span_alloc a, b;
	__u64 u0 = self->base.user0;
	struct goheap_info i;
	char buf[32] = "";
	int pfd;

	ASSERT_EQ(0, span_alloc(self->fd, 3, 0, &a));
	ASSERT_EQ(0, span_alloc(self->fd, 2, GOHEAP_SPAN_SCATTERED, &b));
	ASSERT_EQ(0, get_info(self->fd, &i));
	ASSERT_EQ(u0 + 5 * self->job.hp, i.user_charged);
	ASSERT_EQ(self->stats ? self->base.dev0 + 5 * self->job.hp : 0, i.dev_charged);
	ASSERT_EQ(0, i.reserved);
	pfd = open(DEV_MAX_PARAM, O_RDONLY | O_CLOEXEC);
	if (pfd >= 0) {
		ASSERT_LT(0, read(pfd, buf, sizeof(buf) - 1));
		ASSERT_EQ(strtoull(buf, NULL, 0), i.dev_max_bytes);
		close(pfd);
	}
	ASSERT_EQ(0, span_free(self->fd, a.handle));
	ASSERT_EQ(u0 + 2 * self->job.hp, user_charged(self->fd));
	ASSERT_EQ(0, span_free(self->fd, b.handle));
	ASSERT_EQ(u0, user_charged(self->fd));
	check_clean(_metadata, &self->base);
}

/* CAP_IPC_LOCK lifts the limit, but its pages count all the same. */
TEST_F(charge, cap_ipc_lock_counts_beyond_rlimit)
{
	struct rlimit rl = { self->job.span, self->job.span };
	struct goheap_span_alloc a[3];
	__u64 u0;
	int k;

	if (!self->root)
		SKIP(return, "needs CAP_IPC_LOCK (root)");
	u0 = self->base.user0;
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	for (k = 0; k < 3; k++)
		ASSERT_EQ(0, span_alloc(self->fd, SPAN_PAGES, 0, &a[k]));
	ASSERT_EQ(u0 + 3 * self->job.span, user_charged(self->fd));
	for (k = 0; k < 3; k++)
		ASSERT_EQ(0, span_free(self->fd, a[k].handle));
	ASSERT_EQ(u0, user_charged(self->fd));
	check_clean(_metadata, &self->base);
}

/* ---------------------------------------------------------------------
 * fork() and exit: the charge stays with the user, and so does the limit
 */

static int fork_exit_worker(void *arg, struct meet *m)
{
	const struct job *j = arg;
	struct goheap_span_alloc a;
	__u32 handles[8];
	int fd = open_dev(), hp[2], k, status;
	__u64 u0, want;
	pid_t pid;

	WCHECK(fd >= 0, "open: %s", strerror(errno));
	WCHECK(!pipe(hp), "pipe");
	u0 = user_charged(fd);
	/* Each child allocates one span on the shared file and exits. */
	for (k = 0; k <= (int)j->nspans; k++) {
		pid = fork();
		WCHECK(pid >= 0, "fork");
		if (pid == 0) {
			int err = span_alloc(fd, SPAN_PAGES, k & 1 ? GOHEAP_SPAN_SCATTERED : 0, &a);

			if (k < (int)j->nspans) {
				WCHECK(!err, "child %d: %s", k, strerror(-err));
				WCHECK(write(hp[1], &a.handle, sizeof(a.handle)) ==
				       sizeof(a.handle), "pipe");
			} else {
				/* The limit holds across the children. */
				WCHECK(err == -ENOMEM, "child %d: %s, want ENOMEM", k,
				       strerror(-err));
			}
			_exit(0);
		}
		status = wait_status(pid);
		WCHECK(status == 0, "child %d: status %d", k, status);
		if (k < (int)j->nspans)
			WCHECK(read(hp[0], &handles[k], sizeof(handles[k])) ==
			       sizeof(handles[k]), "pipe");
		/* The child is gone; its spans stay with the file, and so does the charge. */
		want = u0 + (__u64)(k < (int)j->nspans ? k + 1 : k) * j->span;
		WCHECK(user_charged(fd) == want, "after child %d: %llu, want %llu", k,
		       (unsigned long long)user_charged(fd), (unsigned long long)want);
	}
	/* Neither the parent nor a new file of the same user gets more. */
	WCHECK(span_alloc(fd, 1, 0, &a) == -ENOMEM, "parent on the shared file");
	k = open_dev();
	WCHECK(k >= 0, "open");
	WCHECK(span_alloc(k, 1, 0, &a) == -ENOMEM, "parent on a new file");
	close(k);
	worker_meet(m);		/* the test looks at dev_charged */
	/* Freeing one span makes room for one more. */
	WCHECK(!span_free(fd, handles[0]), "free");
	WCHECK(user_charged(fd) == u0 + (j->nspans - 1) * j->span, "after one free");
	WCHECK(!span_alloc(fd, SPAN_PAGES, 0, &a), "after one free: %s", strerror(errno));
	/* Closing the file gives everything back at once: nothing pins it. */
	close(fd);
	fd = open_dev();
	WCHECK(fd >= 0, "open");
	WCHECK(user_charged(fd) == u0, "after close: %llu, want %llu",
	       (unsigned long long)user_charged(fd), (unsigned long long)u0);
	close(fd);
	return 0;
}

TEST_F(charge, fork_exit_children_keep_charge)
{
	struct worker w;

	ASSERT_EQ(0, worker_start(&w, fork_exit_worker, &self->job,
				  (rlim_t)self->job.nspans * self->job.span));
	ASSERT_TRUE(test_meets(&w.meet)) TH_LOG("worker ended early");
	if (self->stats) {
		ASSERT_EQ(self->base.dev0 + self->job.nspans * self->job.span,
			  dev_charged(self->fd))
			TH_LOG("the exited children's spans are not charged module-wide");
	}
	test_releases(&w.meet);
	ASSERT_EQ(0, worker_end(&w));
	check_clean(_metadata, &self->base);
}

/* The charge goes to the user of the caller, not to the file's opener. */
static int opener_worker(void *arg, struct meet *m)
{
	const struct job *j = arg;
	struct goheap_span_alloc a;
	__u64 u0 = user_charged(j->test_fd);
	unsigned int k;

	for (k = 0; k < j->nspans; k++)
		WCHECK(!span_alloc(j->test_fd, SPAN_PAGES, 0, &a), "span %u: %s", k,
		       strerror(errno));
	WCHECK(span_alloc(j->test_fd, 1, 0, &a) == -ENOMEM, "beyond the limit");
	WCHECK(user_charged(j->test_fd) == u0 + j->nspans * j->span, "charged");
	worker_meet(m);		/* the test (root) checks its own charge */
	return 0;
}

TEST_F(charge, opener_is_not_charged)
{
	__u64 u0;
	struct worker w;

	if (!self->root)
		SKIP(return, "needs root to open the file for another user");
	u0 = self->base.user0;
	ASSERT_EQ(0, worker_start(&w, opener_worker, &self->job,
				  (rlim_t)self->job.nspans * self->job.span));
	ASSERT_TRUE(test_meets(&w.meet));
	/* The spans are in root's file, charged to uid 1000. */
	ASSERT_EQ(u0, user_charged(self->fd));
	ASSERT_EQ(self->base.dev0 + self->job.nspans * self->job.span, dev_charged(self->fd));
	test_releases(&w.meet);
	ASSERT_EQ(0, worker_end(&w));
	/* The file still holds them; closing it gives them back. */
	ASSERT_EQ(self->base.dev0 + self->job.nspans * self->job.span, dev_charged(self->fd));
	close(self->fd);
	self->fd = open_dev();
	ASSERT_LE(0, self->fd);
	check_clean(_metadata, &self->base);
}

/* ---------------------------------------------------------------------
 * A file passed over a unix socket (SCM_RIGHTS)
 */

static int send_fd(int sock, int fd)
{
	char byte = 'f', cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char byte, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static int fd_passing_worker(void *arg, struct meet *m)
{
	const struct job *j = arg;
	struct goheap_span_alloc a;
	int sv[2], fd, fd2, status;
	unsigned int k, half = j->nspans / 2, own = 0;
	__u64 u0;
	pid_t pid;

	(void)m;
	fd = open_dev();
	WCHECK(fd >= 0, "open");
	u0 = user_charged(fd);
	close(fd);
	WCHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair");
	/* A child allocates half the limit, passes its file on and exits. */
	pid = fork();
	WCHECK(pid >= 0, "fork");
	if (pid == 0) {
		fd = open_dev();
		WCHECK(fd >= 0, "open");
		for (k = 0; k < half; k++)
			WCHECK(!span_alloc(fd, SPAN_PAGES, 0, &a), "child span %u", k);
		WCHECK(!send_fd(sv[1], fd), "send");
		_exit(0);
	}
	status = wait_status(pid);
	WCHECK(status == 0, "child: status %d", status);
	/* The file is in flight, its sender gone: still charged. */
	fd2 = open_dev();
	WCHECK(fd2 >= 0, "open");
	WCHECK(user_charged(fd2) == u0 + half * j->span, "in flight: %llu",
	       (unsigned long long)user_charged(fd2));
	fd = recv_fd(sv[0]);
	WCHECK(fd >= 0, "recv");
	WCHECK(user_charged(fd) == u0 + half * j->span, "received");
	/* The rest of the limit, on the received file and on a file of our own. */
	for (k = half; k < j->nspans; k++) {
		WCHECK(!span_alloc(k & 1 ? fd : fd2, SPAN_PAGES, 0, &a), "span %u", k);
		own += !(k & 1);
	}
	WCHECK(span_alloc(fd, 1, 0, &a) == -ENOMEM, "received file beyond the limit");
	WCHECK(span_alloc(fd2, 1, 0, &a) == -ENOMEM, "own file beyond the limit");
	/* A file passed and never received goes back when the socket goes. */
	WCHECK(!send_fd(sv[1], fd), "send again");
	close(fd);
	WCHECK(user_charged(fd2) == u0 + j->nspans * j->span, "in flight again");
	close(sv[0]);
	close(sv[1]);
	WCHECK(wait_for(user_charged, fd2, u0 + own * j->span, 5000) == u0 + own * j->span,
	       "after the socket: %llu, want %llu (the spans of our own file)",
	       (unsigned long long)user_charged(fd2), (unsigned long long)(u0 + own * j->span));
	close(fd2);
	fd = open_dev();
	WCHECK(user_charged(fd) == u0, "at the end: %llu", (unsigned long long)user_charged(fd));
	close(fd);
	return 0;
}

TEST_F(charge, fd_passing_scm_rights)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		SKIP(return, "no unix sockets (%s)", strerror(errno));
	close(sv[0]);
	close(sv[1]);
	RUN_WORKER(fd_passing_worker);
}

/* ---------------------------------------------------------------------
 * Pins that outlive the free: a pipe's (vmsplice), io_uring's fixed buffers
 */

/* A span of @flags on @fd, mapped, written, one page of it spliced into a new pipe. */
static char *span_spliced(const struct job *j, int fd, __u32 flags, struct goheap_span_alloc *a,
			  int pipefd[2])
{
	struct iovec iov;
	char *p;

	WCHECK(!span_alloc(fd, SPAN_PAGES, flags, a), "alloc: %s", strerror(errno));
	p = mmap(NULL, a->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)a->offset);
	WCHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	memset(p, 'P', a->size);
	WCHECK(!pipe2(pipefd, O_CLOEXEC), "pipe");
	iov.iov_base = p + j->hw;
	iov.iov_len = 64;
	WCHECK(vmsplice(pipefd[1], &iov, 1, 0) == 64, "vmsplice: %s", strerror(errno));
	WCHECK(!munmap(p, a->size), "munmap");
	return p;
}

static void pipe_drain(int pipefd[2])
{
	char buf[64];

	WCHECK(read(pipefd[0], buf, sizeof(buf)) == sizeof(buf), "read the pipe");
	WCHECK(buf[0] == 'P' && buf[63] == 'P', "the pipe's page changed");
	close(pipefd[0]);
	close(pipefd[1]);
}

static int vmsplice_worker(void *arg, struct meet *m)
{
	const struct job *j = arg;
	struct goheap_span_alloc a, b, c;
	int fd = open_dev(), fd2 = open_dev(), pa[2], pb[2];
	struct goheap_info info;
	__u64 u0;

	WCHECK(fd >= 0 && fd2 >= 0, "open");
	u0 = user_charged(fd);
	/* A heap span freed by SPAN_FREE, a scattered one by closing its file. */
	span_spliced(j, fd, 0, &a, pa);
	span_spliced(j, fd2, GOHEAP_SPAN_SCATTERED, &b, pb);
	WCHECK(!span_free(fd, a.handle), "free");
	close(fd2);
	WCHECK(!get_info(fd, &info), "info");
	WCHECK(info.file_pages == 0, "the handle table still has %llu pages",
	       (unsigned long long)info.file_pages);
	/* Freed, but the pipes hold their memory: still charged, still limited. */
	WCHECK(info.user_charged == u0 + 2 * j->span, "pinned: %llu, want %llu",
	       (unsigned long long)info.user_charged, (unsigned long long)(u0 + 2 * j->span));
	WCHECK(span_alloc(fd, SPAN_PAGES, 0, &c) == -ENOMEM, "beyond the limit while pinned");
	sleep_ms(1500);		/* the deferred free runs: the pins still hold */
	WCHECK(user_charged(fd) == u0 + 2 * j->span, "pinned, later");
	worker_meet(m);		/* the test looks at dev_charged and HeapInuse */
	/* The pipe lets go: the heap span and its charge go back. */
	pipe_drain(pa);
	WCHECK(wait_for(user_charged, fd, u0 + j->span, 5000) == u0 + j->span,
	       "heap span unpinned: %llu", (unsigned long long)user_charged(fd));
	WCHECK(!span_alloc(fd, SPAN_PAGES, 0, &c), "room again: %s", strerror(errno));
	WCHECK(!span_free(fd, c.handle), "free");
	pipe_drain(pb);
	WCHECK(wait_for(user_charged, fd, u0, 5000) == u0, "scattered span unpinned: %llu",
	       (unsigned long long)user_charged(fd));
	close(fd);
	return 0;
}

TEST_F_TIMEOUT(charge, vmsplice_pin_outlives_free, 60)
{
	struct worker w;

	/* Room for the two pinned spans, and not one more. */
	self->job.nspans = 2;
	ASSERT_EQ(0, worker_start(&w, vmsplice_worker, &self->job, 2 * self->job.span));
	ASSERT_TRUE(test_meets(&w.meet)) TH_LOG("worker ended early");
	if (self->stats)
		ASSERT_EQ(self->base.dev0 + 2 * self->job.span, dev_charged(self->fd));
	if (self->base.inuse0 != NO_VALUE) {
		ASSERT_LE(self->base.inuse0 + self->job.span, debugfs_heap_inuse())
			TH_LOG("the pinned heap span is not in HeapInuse");
	}
	test_releases(&w.meet);
	ASSERT_EQ(0, worker_end(&w));
	check_clean(_metadata, &self->base);
}

static int io_uring_worker(void *arg, struct meet *m)
{
	const struct job *j = arg;
	struct io_uring_params params;
	struct goheap_span_alloc a;
	int fd = open_dev(), ring, err;
	struct iovec iov;
	__u64 u0;
	char *p;

	(void)m;
	WCHECK(fd >= 0, "open");
	u0 = user_charged(fd);
	memset(&params, 0, sizeof(params));
	ring = syscall(__NR_io_uring_setup, 4, &params);
	if (ring < 0)
		return errno == ENOSYS ? 4 : errno == EPERM ? 5 : 6;
	WCHECK(!span_alloc(fd, SPAN_PAGES, 0, &a), "alloc");
	p = mmap(NULL, a.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)a.offset);
	WCHECK(p != MAP_FAILED, "mmap");
	memset(p, 1, a.size);
	iov.iov_base = p;
	iov.iov_len = a.size;
	/* A long-term GUP pin of every page (pin_user_pages(FOLL_LONGTERM)). */
	err = syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS, &iov, 1);
	if (err && errno == EOPNOTSUPP)
		return 7;	/* 6.1: io_uring refuses file-backed buffers */
	if (err && errno == EFAULT)
		return 8;	/* GUP refuses a long-term pin of this mapping */
	WCHECK(!err, "IORING_REGISTER_BUFFERS: %s", strerror(errno));
	WCHECK(!munmap(p, a.size), "munmap");
	WCHECK(!span_free(fd, a.handle), "free");
	sleep_ms(1500);
	WCHECK(user_charged(fd) == u0 + j->span, "pinned by io_uring: %llu",
	       (unsigned long long)user_charged(fd));
	WCHECK(!syscall(__NR_io_uring_register, ring, IORING_UNREGISTER_BUFFERS, NULL, 0),
	       "IORING_UNREGISTER_BUFFERS: %s", strerror(errno));
	close(ring);
	WCHECK(wait_for(user_charged, fd, u0, 10000) == u0, "unpinned: %llu",
	       (unsigned long long)user_charged(fd));
	close(fd);
	return 0;
}

TEST_F_TIMEOUT(charge, io_uring_fixed_buffer_pin_outlives_free, 60)
{
	/* io_uring charges its pinned pages to the same locked_vm: room for both. */
	int status = run_worker(io_uring_worker, &self->job, 4 * self->job.span);

	switch (status) {
	case 4:
		SKIP(return, "no io_uring in this kernel");
	case 5:
		SKIP(return, "io_uring disabled for this user (kernel.io_uring_disabled)");
	case 6:
		SKIP(return, "io_uring_setup() failed");
	case 7:
		SKIP(return, "io_uring refuses file-backed fixed buffers (before 6.5)");
	case 8:
		SKIP(return, "the kernel refuses a long-term pin of this mapping (EFAULT)");
	}
	ASSERT_EQ(0, status);
	check_clean(_metadata, &self->base);
}

/* ---------------------------------------------------------------------
 * process_vm_readv(): its pin ends with the call
 */

struct vmr {
	pid_t pid;
	struct iovec remote;
	int stop;		/* __atomic */
	unsigned long reads;
};

static void *vmr_reader(void *arg)
{
	struct vmr *v = arg;
	char buf[256];
	struct iovec local = { buf, sizeof(buf) };

	while (!__atomic_load_n(&v->stop, __ATOMIC_RELAXED))
		if (process_vm_readv(v->pid, &local, 1, &v->remote, 1, 0) > 0)
			v->reads++;
	return NULL;
}

static int vm_readv_worker(void *arg, struct meet *m)
{
	int fd = open_dev(), to_child[2], from_child[2], status;
	struct goheap_span_alloc a;
	struct vmr v = { 0 };
	char buf[256], c;
	struct iovec local = { buf, sizeof(buf) };
	pthread_t t;
	__u64 u0;
	char *p;

	(void)arg;
	(void)m;
	WCHECK(fd >= 0, "open");
	u0 = user_charged(fd);
	WCHECK(!pipe(to_child) && !pipe(from_child), "pipe");
	WCHECK(!span_alloc(fd, SPAN_PAGES, 0, &a), "alloc");
	p = mmap(NULL, a.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)a.offset);
	WCHECK(p != MAP_FAILED, "mmap");
	v.pid = fork();
	WCHECK(v.pid >= 0, "fork");
	if (v.pid == 0) {
		/* The child: fill the span, then let go of it when told to. */
		memset(p, 'R', a.size);
		WCHECK(write(from_child[1], "r", 1) == 1, "pipe");
		WCHECK(read(to_child[0], &c, 1) == 1, "pipe");
		WCHECK(!munmap(p, a.size), "munmap");
		_exit(0);
	}
	WCHECK(!munmap(p, a.size), "munmap");
	WCHECK(read(from_child[0], &c, 1) == 1, "pipe");
	/* Read the child's mapping; each call pins the pages for its length only. */
	v.remote.iov_base = p + a.size - sizeof(buf);
	v.remote.iov_len = sizeof(buf);
	WCHECK(process_vm_readv(v.pid, &local, 1, &v.remote, 1, 0) == sizeof(buf),
	       "process_vm_readv: %s", strerror(errno));
	WCHECK(buf[0] == 'R' && buf[sizeof(buf) - 1] == 'R', "read back");
	WCHECK(span_free(fd, a.handle) == -EBUSY, "free while the child maps it");
	/*
	 * Keep reading while the child unmaps and exits, and free the span
	 * meanwhile: a call in flight may still pin a page when the last
	 * reference goes.
	 */
	WCHECK(!pthread_create(&t, NULL, vmr_reader, &v), "thread");
	sleep_ms(100);
	WCHECK(write(to_child[1], "u", 1) == 1, "pipe");
	status = wait_status(v.pid);
	WCHECK(status == 0, "child: status %d", status);
	WCHECK(!span_free(fd, a.handle), "free: %s", strerror(errno));
	__atomic_store_n(&v.stop, 1, __ATOMIC_RELAXED);
	WCHECK(!pthread_join(t, NULL), "join");
	WCHECK(v.reads > 0, "no read while the child was there");
	/* No pin outlives process_vm_readv(): back within one deferred pass at most. */
	WCHECK(wait_for(user_charged, fd, u0, 3000) == u0, "after the free: %llu, want %llu",
	       (unsigned long long)user_charged(fd), (unsigned long long)u0);
	close(fd);
	return 0;
}

TEST_F(charge, process_vm_readv_pin_ends_with_the_call)
{
	char b;
	struct iovec l = { &b, 1 }, r = { &b, 1 };

	if (process_vm_readv(getpid(), &l, 1, &r, 1, 0) < 0 && errno == ENOSYS)
		SKIP(return, "no process_vm_readv() (CONFIG_CROSS_MEMORY_ATTACH)");
	RUN_WORKER(vm_readv_worker);
}

/* ---------------------------------------------------------------------
 * Many files: the limit is the user's, however many files it opens
 */

static int many_files_worker(void *arg, struct meet *m)
{
	const struct job *j = arg;
	struct goheap_span_alloc a;
	struct goheap_info info;
	int fds[32], k, n = 0;
	__u64 u0;

	(void)m;
	for (n = 0; n < 32; n++) {
		fds[n] = open_dev();
		WCHECK(fds[n] >= 0, "open %d: %s", n, strerror(errno));
	}
	u0 = user_charged(fds[0]);
	for (k = 0; k < (int)j->nspans; k++)
		WCHECK(!span_alloc(fds[k], SPAN_PAGES, 0, &a), "span on file %d", k);
	/* Every other file is refused, and the refusal changes nothing. */
	for (k = j->nspans; k < n; k++) {
		WCHECK(span_alloc(fds[k], 1, 0, &a) == -ENOMEM, "file %d beyond the limit", k);
		WCHECK(!get_info(fds[k], &info), "info");
		WCHECK(info.file_pages == 0, "file %d: %llu pages after ENOMEM", k,
		       (unsigned long long)info.file_pages);
		WCHECK(info.user_charged == u0 + j->nspans * j->span, "file %d: %llu", k,
		       (unsigned long long)info.user_charged);
	}
	/* Closing a file with spans makes room on another: its first handle is still 1. */
	close(fds[0]);
	WCHECK(user_charged(fds[1]) == u0 + (j->nspans - 1) * j->span, "after close");
	WCHECK(!span_alloc(fds[n - 1], SPAN_PAGES, 0, &a), "room after close");
	WCHECK(a.handle == 1, "handle %u: a refused allocation used a handle", a.handle);
	for (k = 1; k < n; k++)
		close(fds[k]);
	k = open_dev();
	WCHECK(user_charged(k) == u0, "at the end: %llu", (unsigned long long)user_charged(k));
	close(k);
	return 0;
}

TEST_F(charge, many_files_one_limit)
{
	RUN_WORKER(many_files_worker);
}

/* ---------------------------------------------------------------------
 * Threads racing alloc and free against the limit
 */

struct racer {
	int fd;
	const struct job *j;
	int *stop;
	unsigned long ok, enomem, bad;
};

static void *racer_fn(void *arg)
{
	struct racer *r = arg;
	struct goheap_span_alloc a;
	__u32 held[16];
	unsigned int n = 0, seed = (unsigned int)(uintptr_t)r;
	int err;

	while (!__atomic_load_n(r->stop, __ATOMIC_RELAXED)) {
		if (n < 16 && rand_r(&seed) % 3) {
			err = span_alloc(r->fd, 1 + rand_r(&seed) % SPAN_PAGES,
					 rand_r(&seed) % 4 ? 0 : GOHEAP_SPAN_SCATTERED, &a);
			if (!err) {
				held[n++] = a.handle;
				r->ok++;
			} else if (err == -ENOMEM) {
				r->enomem++;
			} else {
				r->bad++;
			}
		} else if (n) {
			if (span_free(r->fd, held[--n]))
				r->bad++;
		}
	}
	while (n)
		if (span_free(r->fd, held[--n]))
			r->bad++;
	return NULL;
}

static int race_worker(void *arg, struct meet *m)
{
	const struct job *j = arg;
	__u64 limit = (__u64)j->nspans * j->span, u0, v, max = 0, samples = 0;
	struct racer r[4];
	pthread_t t[4];
	int stop = 0, shared = open_dev(), k, fd;
	struct timespec end, now;

	(void)m;
	WCHECK(shared >= 0, "open");
	u0 = user_charged(shared);
	for (k = 0; k < 4; k++) {
		/* Two threads share a file, two have their own. */
		r[k] = (struct racer){ .fd = k < 2 ? shared : open_dev(), .j = j, .stop = &stop };
		WCHECK(r[k].fd >= 0, "open");
		WCHECK(!pthread_create(&t[k], NULL, racer_fn, &r[k]), "thread");
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 2;
	do {
		v = user_charged(shared);
		WCHECK(v != NO_VALUE, "info");
		max = v > max ? v : max;
		samples++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (k = 0; k < 4; k++) {
		WCHECK(!pthread_join(t[k], NULL), "join");
		WCHECK(!r[k].bad, "thread %d: %lu unexpected errors", k, r[k].bad);
	}
	fprintf(stderr, "# race: %lu spans, %lu ENOMEM; charge up to %llu of %llu B (%llu reads)\n",
		r[0].ok + r[1].ok + r[2].ok + r[3].ok,
		r[0].enomem + r[1].enomem + r[2].enomem + r[3].enomem,
		(unsigned long long)(max - u0), (unsigned long long)limit,
		(unsigned long long)samples);
	WCHECK(max <= u0 + limit, "the charge went %llu B over the limit",
	       (unsigned long long)(max - u0 - limit));
	WCHECK(r[0].ok + r[1].ok + r[2].ok + r[3].ok > 0, "no allocation succeeded");
	WCHECK(r[0].enomem + r[1].enomem + r[2].enomem + r[3].enomem > 0,
	       "the limit was never hit");
	WCHECK(user_charged(shared) == u0, "after the race: %llu, want %llu",
	       (unsigned long long)user_charged(shared), (unsigned long long)u0);
	for (k = 2; k < 4; k++)
		close(r[k].fd);
	close(shared);
	fd = open_dev();
	WCHECK(user_charged(fd) == u0, "after close");
	close(fd);
	return 0;
}

TEST_F(charge, threads_race_the_limit)
{
	RUN_WORKER(race_worker);
}

/* ---------------------------------------------------------------------
 * dev_max_bytes: the module-wide cap (root)
 */

/* Open dev_max_bytes for writing and remember its value; false if not root. */
static bool param_take(struct param *p)
{
	p->fd = open(DEV_MAX_PARAM, O_RDWR | O_CLOEXEC);
	if (p->fd < 0)
		return false;
	p->len = pread(p->fd, p->old, sizeof(p->old) - 1, 0);
	if (p->len <= 0) {
		close(p->fd);
		p->fd = -1;
		return false;
	}
	p->old[p->len] = 0;
	return true;
}

/* Write @val to the parameter: 0 or -errno. */
static int param_write(const struct param *p, const char *val)
{
	ssize_t n = pwrite(p->fd, val, strlen(val), 0);

	return n == (ssize_t)strlen(val) ? 0 : -errno;
}

static __u64 param_read(const struct param *p)
{
	char buf[32] = "";

	if (pread(p->fd, buf, sizeof(buf) - 1, 0) <= 0)
		return NO_VALUE;
	return strtoull(buf, NULL, 0);
}

static int capped_worker(void *arg, struct meet *m)
{
	const struct job *j = arg;
	struct goheap_span_alloc a;
	int fd = open_dev();
	__u64 u0;

	(void)m;
	WCHECK(fd >= 0, "open");
	u0 = user_charged(fd);
	/* Well within its RLIMIT_MEMLOCK, but the module is at its cap. */
	WCHECK(span_alloc(fd, 1, 0, &a) == -ENOMEM, "uid 1000 beyond dev_max_bytes");
	WCHECK(span_alloc(fd, 1, GOHEAP_SPAN_SCATTERED, &a) == -ENOMEM, "scattered too");
	WCHECK(user_charged(fd) == u0, "a refusal charged something");
	(void)j;
	close(fd);
	return 0;
}

TEST_F(charge, dev_max_bytes_caps_everyone)
{
	struct goheap_span_alloc a[3], b;
	struct goheap_info i;
	char val[32];
	__u64 u0;
	int k;

	if (!self->root || !param_take(&self->param))
		SKIP(return, "needs root to write %s", DEV_MAX_PARAM);
	u0 = self->base.user0;
	snprintf(val, sizeof(val), "%llu\n",
		 (unsigned long long)(self->base.dev0 + 3 * self->job.span));
	ASSERT_EQ(0, param_write(&self->param, val));
	ASSERT_EQ(0, get_info(self->fd, &i));
	ASSERT_EQ(self->base.dev0 + 3 * self->job.span, i.dev_max_bytes);
	/* Root has CAP_IPC_LOCK: only the cap holds it back. */
	for (k = 0; k < 3; k++)
		ASSERT_EQ(0, span_alloc(self->fd, SPAN_PAGES, k == 1 ? GOHEAP_SPAN_SCATTERED : 0,
					&a[k]));
	ASSERT_EQ(-ENOMEM, span_alloc(self->fd, 1, 0, &b));
	ASSERT_EQ(-ENOMEM, span_alloc(self->fd, 1, GOHEAP_SPAN_SCATTERED, &b));
	ASSERT_EQ(0, get_info(self->fd, &i));
	ASSERT_EQ(u0 + 3 * self->job.span, i.user_charged);
	ASSERT_EQ(self->base.dev0 + 3 * self->job.span, i.dev_charged);
	ASSERT_EQ(3 * SPAN_PAGES, i.file_pages);
	ASSERT_EQ(0, run_worker(capped_worker, &self->job, 64 * self->job.span));
	/* Lowering it below what is charged refuses new spans, keeps the old ones. */
	ASSERT_EQ(0, param_write(&self->param, "0\n"));
	ASSERT_EQ(-ENOMEM, span_alloc(self->fd, 1, 0, &b));
	ASSERT_EQ(0, span_free(self->fd, a[0].handle));
	ASSERT_EQ(-ENOMEM, span_alloc(self->fd, 1, 0, &b));
	ASSERT_EQ(0, param_write(&self->param, self->param.old));
	ASSERT_EQ(0, span_alloc(self->fd, 1, 0, &b));
	ASSERT_EQ(0, span_free(self->fd, b.handle));
	for (k = 1; k < 3; k++)
		ASSERT_EQ(0, span_free(self->fd, a[k].handle));
	check_clean(_metadata, &self->base);
}

/* Bytes of RAM, as the kernel counts it (MemTotal), or 0. */
static __u64 ram_bytes(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

TEST_F(charge, dev_max_bytes_rejects_bad_values)
{
	static const char * const bad[] = { "\n", "abc\n", "-1\n", "12abc\n", "1M\n",
					    "99999999999999999999999\n" };
	__u64 old, ram = ram_bytes();
	char val[32];
	unsigned int k;

	if (!self->root || !param_take(&self->param))
		SKIP(return, "needs root to write %s", DEV_MAX_PARAM);
	old = param_read(&self->param);
	ASSERT_NE(NO_VALUE, old);
	ASSERT_LT(0, ram);
	for (k = 0; k < ARRAY_SIZE(bad); k++) {
		ASSERT_EQ(-EINVAL, param_write(&self->param, bad[k])) TH_LOG("\"%s\"", bad[k]);
		ASSERT_EQ(old, param_read(&self->param)) TH_LOG("\"%s\" changed it", bad[k]);
	}
	/* Up to RAM, and not one page more. */
	snprintf(val, sizeof(val), "%llu\n", (unsigned long long)(ram + self->job.hw));
	ASSERT_EQ(-EINVAL, param_write(&self->param, val));
	ASSERT_EQ(old, param_read(&self->param));
	snprintf(val, sizeof(val), "%llu\n", (unsigned long long)ram);
	ASSERT_EQ(0, param_write(&self->param, val));
	ASSERT_EQ(ram, param_read(&self->param));
	ASSERT_EQ(0, param_write(&self->param, self->param.old));
	ASSERT_EQ(old, param_read(&self->param));
}

/* ---------------------------------------------------------------------
 * What an unprivileged caller may read
 */

static int unpriv_stats_worker(void *arg, struct meet *m)
{
	const struct job *j = arg;
	struct goheap_span_alloc a, b;
	struct goheap_memstats ms;
	struct goheap_info info;
	int fd = open_dev(), other = open_dev(), k;
	__u64 *f = (__u64 *)&ms;

	(void)m;
	WCHECK(fd >= 0 && other >= 0, "open");
	WCHECK(!span_alloc(fd, 3, 0, &a), "heap span");
	WCHECK(!span_alloc(fd, 2, GOHEAP_SPAN_SCATTERED, &b), "scattered span");
	WCHECK(!span_alloc(other, 1, 0, &a), "span on the other file");
	WCHECK(!get_info(fd, &info), "info");
	WCHECK(!(info.caps & GOHEAP_CAP_HEAP_STATS), "caps %#x", info.caps);
	WCHECK(info.dev_charged == 0, "dev_charged %llu", (unsigned long long)info.dev_charged);
	/* Its own file's heap spans, and nothing else. */
	WCHECK(!get_memstats(fd, &ms), "memstats");
	WCHECK(ms.heap_inuse == 3 * j->hp, "HeapInuse %llu, want %llu",
	       (unsigned long long)ms.heap_inuse, (unsigned long long)(3 * j->hp));
	for (k = 0; k < (int)(sizeof(ms) / sizeof(*f)); k++)
		WCHECK(&f[k] == &ms.heap_inuse || !f[k], "figure %d is %llu", k,
		       (unsigned long long)f[k]);
	WCHECK(!get_memstats(other, &ms), "memstats");
	WCHECK(ms.heap_inuse == j->hp, "other file: HeapInuse %llu",
	       (unsigned long long)ms.heap_inuse);
	/* A file root opened: the caller decides too. */
	WCHECK(!get_info(j->test_fd, &info), "info");
	WCHECK(!(info.caps & (GOHEAP_CAP_HEAP_STATS | GOHEAP_CAP_PFNS)), "root's file: caps %#x",
	       info.caps);
	WCHECK(!get_memstats(j->test_fd, &ms), "memstats");
	WCHECK(!ms.sys && !ms.heap_sys && !ms.mallocs, "root's file: heap-wide figures");
	close(fd);
	close(other);
	return 0;
}

TEST_F(charge, memstats_unprivileged_sees_own_file)
{
	struct goheap_memstats ms;

	if (self->root) {
		/* Root gets the heap. */
		ASSERT_TRUE(self->stats);
		ASSERT_EQ(0, get_memstats(self->fd, &ms));
		ASSERT_LT(0, ms.sys);
		ASSERT_LE(ms.heap_inuse, ms.heap_sys);
	}
	RUN_WORKER(unpriv_stats_worker);
}

TEST_HARNESS_MAIN
