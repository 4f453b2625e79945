// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_span_stress: user-space load on /dev/goheap for the stress test
 * (tools/testing/vm/guest/stress.sh), which runs several of these at once,
 * over and over, while goheap_stress.ko loads the kernel side.
 *
 *   goheap_span_stress [-t SECONDS] [-p MAX_PAGES] [-s SEED]
 *
 * For SECONDS (default 3) it allocates spans of 1 to MAX_PAGES heap pages
 * (default 32) with random flags, maps them shared, writes a tag into every
 * hardware page, and then, at random:
 *
 *   plain    checks the tags, unmaps, frees;
 *   fork     a child checks the tags, writes its own, unmaps a middle page
 *            (splitting its copy of the mapping) and exits; the parent
 *            sees the child's tags through its own mapping, then unmaps
 *            and frees;
 *   busy     the parent unmaps and frees while a child may still have the
 *            span mapped (EBUSY then, and the free after the child is
 *            gone must succeed);
 *   kill     a child keeps writing to the span until the parent kills it
 *            (SIGKILL), then the parent unmaps and frees;
 *   leave    the span stays mapped and allocated; every 16 spans the file
 *            is closed with such spans still mapped, and they are
 *            unmapped afterwards (the last unmap releases the file);
 *            whatever is left at the end goes at exit;
 *   orphans  (besides a plain one) children allocate spans on the shared
 *            file and exit without freeing them: the spans stay with the
 *            file, GET_INFO's user_charged must count them still, and the
 *            parent frees them.
 *
 * The file is reopened every 16 spans. ENOMEM from GOHEAP_IOC_SPAN_ALLOC
 * (memory pressure, the per-file cap, RLIMIT_MEMLOCK of a user whose
 * processes hold too much between them, dev_max_bytes) is counted, not an
 * error. Prints one line, "goheap_span_stress: ... errors N", and exits 1
 * if N > 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/goheap.h>

/* The hardware page size (goheap_info.hw_page_size): 4 KiB, or 64 KiB on arm64. */
#define HW_PAGE		hw_page
static unsigned long hw_page;
#define LEFT_MAX	8	/* "leave" spans held by one open file */
#define ORPHANS_MAX	4	/* children of one "orphans" round */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* As the kernel's <linux/compiler_attributes.h> has it (GCC 7 and later). */
#define fallthrough	__attribute__((__fallthrough__))

struct span {
	uint32_t handle;
	size_t size;
	unsigned char *map;
};

static unsigned long n_spans, n_pages, n_forks, n_kills, n_ebusy, n_enomem, n_left;
static unsigned long n_reopens, n_orphans, errors;
static uint64_t rnd_state;

static uint32_t rnd(uint32_t n)
{
	/* xorshift64* */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (uint32_t)((rnd_state * 0x2545f4914f6cdd1dULL) >> 32) % n;
}

static void record_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void record_error(const char *fmt, ...)
{
	va_list ap;

	if (errors++ < 10) {
		va_start(ap, fmt);
		fprintf(stderr, "goheap_span_stress: error: ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
}

static uint64_t tag(const struct span *s, size_t page, int who)
{
	return ((uint64_t)s->handle << 32 ^ page ^ (uint64_t)who << 60) * 0x9e3779b97f4a7c15ULL;
}

/* Word @who of every hardware page: write the tag, or check it. */
static void stamp(const struct span *s, int who)
{
	size_t i;

	for (i = 0; i < s->size / HW_PAGE; i++)
		((volatile uint64_t *)(s->map + i * HW_PAGE))[who] = tag(s, i, who);
}

static int check(const struct span *s, int who, size_t skip)
{
	size_t i;

	for (i = 0; i < s->size / HW_PAGE; i++) {
		uint64_t got = ((volatile uint64_t *)(s->map + i * HW_PAGE))[who];

		if (i == skip)
			continue;
		if (got != tag(s, i, who)) {
			record_error("span %u page %zu word %d: %#llx, want %#llx", s->handle, i,
				     who, (unsigned long long)got,
				     (unsigned long long)tag(s, i, who));
			return -1;
		}
	}
	return 0;
}

static int span_free(int fd, uint32_t handle)
{
	struct goheap_span_free f = { .handle = handle };

	return ioctl(fd, GOHEAP_IOC_SPAN_FREE, &f);
}

static void span_unmap(struct span *s)
{
	if (munmap(s->map, s->size))
		record_error("munmap span %u: %s", s->handle, strerror(errno));
	s->map = NULL;
}

static void unmap_and_free(int fd, struct span *s)
{
	span_unmap(s);
	if (span_free(fd, s->handle))
		record_error("free span %u: %s", s->handle, strerror(errno));
}

/* Reap @pid; an error unless it exited 0 (or died of SIGKILL if @killed). */
static void reap(pid_t pid, int killed)
{
	int status;

	if (waitpid(pid, &status, 0) != pid) {
		record_error("waitpid: %s", strerror(errno));
		return;
	}
	if (killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		return;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		record_error("child %d: status %#x", pid, status);
}

/* fork(); on failure the span is unmapped and freed, and -1 returned. */
static pid_t fork_or_free(int fd, struct span *s)
{
	pid_t pid = fork();

	if (pid < 0) {
		record_error("fork: %s", strerror(errno));
		unmap_and_free(fd, s);
	}
	return pid;
}

static void do_fork(int fd, struct span *s)
{
	size_t middle = s->size / HW_PAGE / 2;
	pid_t pid = fork_or_free(fd, s);

	if (pid < 0)
		return;
	if (!pid) {
		int bad = check(s, 0, -1);

		stamp(s, 1);
		/* Split the child's VMA: unmap one page in the middle. */
		if (middle && munmap(s->map + middle * HW_PAGE, HW_PAGE))
			bad = 1;
		_exit(bad ? 1 : 0);
	}
	n_forks++;
	reap(pid, 0);
	check(s, 1, -1);
	unmap_and_free(fd, s);
}

static void do_busy(int fd, struct span *s)
{
	pid_t pid = fork_or_free(fd, s);

	if (pid < 0)
		return;
	if (!pid) {
		usleep(rnd(20000));
		_exit(check(s, 0, -1) ? 1 : 0);
	}
	n_forks++;
	span_unmap(s);
	if (!span_free(fd, s->handle)) {
		reap(pid, 0);	/* the child had gone already */
		return;
	}
	if (errno != EBUSY)
		record_error("free span %u mapped by a child: %s, want EBUSY", s->handle,
			     strerror(errno));
	n_ebusy++;
	reap(pid, 0);
	if (span_free(fd, s->handle))
		record_error("free span %u after its child exited: %s", s->handle, strerror(errno));
}

static void do_kill(int fd, struct span *s)
{
	pid_t pid = fork_or_free(fd, s);

	if (pid < 0)
		return;
	if (!pid) {
		for (;;)
			stamp(s, 2);
	}
	n_forks++;
	usleep(rnd(20000));
	kill(pid, SIGKILL);
	n_kills++;
	reap(pid, 1);
	check(s, 0, -1);
	unmap_and_free(fd, s);
}

/* What an "orphans" child reports: the span it left, or handle 0 after ENOMEM. */
struct orphan {
	uint32_t handle;
	uint64_t size;
};

static void do_orphans(int fd, const struct goheap_info *info)
{
	struct orphan o[ORPHANS_MAX];
	unsigned int n = 1 + rnd(ORPHANS_MAX), got = 0, i;
	struct goheap_info now;
	uint64_t bytes = 0;
	int p[2];

	if (pipe(p)) {
		record_error("pipe: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		struct goheap_span_alloc a = { .npages = 1 + rnd(4) };
		pid_t pid = fork();

		if (pid < 0) {
			record_error("fork: %s", strerror(errno));
			break;
		}
		if (!pid) {
			struct orphan mine = { 0, 0 };

			if (!ioctl(fd, GOHEAP_IOC_SPAN_ALLOC, &a))
				mine = (struct orphan){ a.handle, a.size };
			else if (errno != ENOMEM)
				_exit(1);
			/* Exit with the span allocated: it is the file's. */
			_exit(write(p[1], &mine, sizeof(mine)) == sizeof(mine) ? 0 : 1);
		}
		n_forks++;
		reap(pid, 0);
		if (read(p[0], &o[got], sizeof(o[got])) != sizeof(o[got])) {
			record_error("orphan child %d said nothing", pid);
			continue;
		}
		if (!o[got].handle) {
			n_enomem++;
			continue;
		}
		bytes += o[got++].size;
	}
	close(p[0]);
	close(p[1]);
	/* Their processes are gone; the charge is the user's and stays. */
	if (got && (info->features & GOHEAP_FEAT_CHARGES)) {
		if (ioctl(fd, GOHEAP_IOC_GET_INFO, &now))
			record_error("GOHEAP_IOC_GET_INFO: %s", strerror(errno));
		else if (now.user_charged < bytes)
			record_error("user_charged %llu B, below the %llu B of spans that "
				     "exited children left", (unsigned long long)now.user_charged,
				     (unsigned long long)bytes);
	}
	for (i = 0; i < got; i++)
		if (span_free(fd, o[i].handle))
			record_error("free span %u an exited child left: %s", o[i].handle,
				     strerror(errno));
	n_orphans += got;
}

static const uint32_t flag_choice[] = {
	0, GOHEAP_SPAN_PREFAULT, GOHEAP_SPAN_CONTIGUOUS,
	GOHEAP_SPAN_CONTIGUOUS | GOHEAP_SPAN_PREFAULT, GOHEAP_SPAN_ZEROED,
	GOHEAP_SPAN_SCATTERED,
};

static int open_dev(struct goheap_info *info)
{
	int fd = open("/dev/goheap", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		record_error("open /dev/goheap: %s", strerror(errno));
		return -1;
	}
	if (ioctl(fd, GOHEAP_IOC_GET_INFO, info)) {
		record_error("GOHEAP_IOC_GET_INFO: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	unsigned long seconds = 3, max_pages = 32, seed = 0, i;
	struct span left[LEFT_MAX];
	unsigned int nleft = 0;
	struct goheap_info info;
	time_t end;
	int fd, opt;

	while ((opt = getopt(argc, argv, "t:p:s:")) != -1) {
		switch (opt) {
		case 't':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			max_pages = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-t SECONDS] [-p MAX_PAGES] [-s SEED]\n",
				argv[0]);
			return 2;
		}
	}
	rnd_state = (seed ? seed : (unsigned long)time(NULL)) * 2654435761UL ^ getpid();
	rnd_state |= 1;
	fd = open_dev(&info);
	if (fd < 0)
		return 1;
	hw_page = info.hw_page_size;
	if (max_pages > info.max_span_pages)
		max_pages = info.max_span_pages;
	if (!max_pages)
		max_pages = 1;

	end = time(NULL) + seconds;
	for (i = 1; time(NULL) < end; i++) {
		struct goheap_span_alloc a = {
			.npages = 1 + rnd(max_pages),
			.flags = flag_choice[rnd(ARRAY_SIZE(flag_choice))],
		};
		struct span s;

		if (i % 16 == 0) {
			/* Close with "leave" spans still mapped; unmapping them releases it. */
			close(fd);
			n_reopens++;
			fd = open_dev(&info);
			while (nleft)
				span_unmap(&left[--nleft]);
			if (fd < 0)
				break;
		}
		if (ioctl(fd, GOHEAP_IOC_SPAN_ALLOC, &a)) {
			if (errno == ENOMEM) {
				n_enomem++;
				usleep(10000);
				continue;
			}
			record_error("GOHEAP_IOC_SPAN_ALLOC of %llu pages, flags %#x: %s",
				     (unsigned long long)a.npages, a.flags, strerror(errno));
			continue;
		}
		s.handle = a.handle;
		s.size = a.size;
		s.map = mmap(NULL, s.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.offset);
		if (s.map == MAP_FAILED) {
			record_error("mmap span %u: %s", s.handle, strerror(errno));
			span_free(fd, s.handle);
			continue;
		}
		n_spans++;
		n_pages += a.npages;
		stamp(&s, 0);
		switch (rnd(10)) {
		case 0:
		case 1:
			do_fork(fd, &s);
			break;
		case 2:
		case 3:
			do_busy(fd, &s);
			break;
		case 4:
			do_kill(fd, &s);
			break;
		case 5:
			if (nleft < LEFT_MAX) {
				left[nleft++] = s;
				n_left++;
				break;
			}
			fallthrough;
		case 6:
			check(&s, 0, -1);
			unmap_and_free(fd, &s);
			do_orphans(fd, &info);
			break;
		default:
			check(&s, 0, -1);
			unmap_and_free(fd, &s);
			break;
		}
	}
	printf("goheap_span_stress: %lu spans (%lu heap pages), %lu forks, %lu children killed, "
	       "%lu EBUSY, %lu ENOMEM, %lu left mapped, %lu reopens, "
	       "%lu left by exited children, errors %lu\n",
	       n_spans, n_pages, n_forks, n_kills, n_ebusy, n_enomem, n_left, n_reopens,
	       n_orphans, errors);
	/* Whatever is still mapped or allocated goes with the process. */
	return errors ? 1 : 0;
}
