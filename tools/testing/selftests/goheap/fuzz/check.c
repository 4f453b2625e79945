// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_fuzz: the kernel's views against the model. The ioctl wrapper,
 * HeapInuse from GET_MEMSTATS (when it is the heap's), the goheap VMAs of
 * /proc/self/maps, mincore(), VmPin (always 0: nothing is charged to an
 * mm), SPAN_INFO's maps and faults and GET_INFO's file_pages and
 * user_charged, all compared by check_all() (and the "check" operation).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "fuzz.h"

int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static struct goheap_memstats msbuf;

uint64_t heap_inuse(int fd)
{
	struct goheap_memstats_req r = { .ptr = (uintptr_t)&msbuf, .size = sizeof(msbuf) };
	int err = xioctl(fd, GOHEAP_IOC_GET_MEMSTATS, &r);

	if (err)
		fail("GET_MEMSTATS for HeapInuse: %s", errname(err));
	return msbuf.heap_inuse;
}

/*
 * HeapInuse within what the model allows (only without a child alive, and
 * only when GET_MEMSTATS shows the heap's).
 */
void check_heap(const char *when, uint64_t inuse)
{
	uint64_t lo = base_inuse + live_bytes(true), hi = lo + ghost_bytes();

	if (in_child || !heap_stats)
		return;
	if (inuse < lo || inuse > hi)
		fail("%s: HeapInuse %" PRIu64 " B, want %" PRIu64 " B (start %" PRIu64
		     " + live heap spans %" PRIu64 ")%s", when, inuse, lo, base_inuse,
		     lo - base_inuse, hi > lo ? " + pinned by pipes" : "");
}

uint64_t user_charged(int fd)
{
	struct goheap_info gi;
	int err = xioctl(fd, GOHEAP_IOC_GET_INFO, &gi);

	if (err)
		fail("GET_INFO, for the user's charge: %s", errname(err));
	return gi.user_charged;
}

/*
 * The user's charge within what the model allows: every live span, plus
 * freed ones a pipe may still hold (only without a child alive).
 */
void check_user(const char *when, uint64_t charged)
{
	uint64_t lo = base_user + user_pages() * PAGE, hi = lo + ghost_charge();

	if (in_child)
		return;
	if (charged < lo || charged > hi)
		fail("%s: user_charged %" PRIu64 " B, want %" PRIu64 " B (start %" PRIu64
		     " + live spans %" PRIu64 ")%s", when, charged, lo, base_user,
		     lo - base_user, hi > lo ? " + pinned by pipes" : "");
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

long vmpin_kb(void)
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

void span_info_raw(int fdnum, int s, struct goheap_span_info *si)
{
	int err;

	memset(si, 0, sizeof(*si));
	si->handle = spans[s].handle;
	err = xioctl(fdnum, GOHEAP_IOC_SPAN_INFO, si);
	if (err)
		fail("SPAN_INFO of span %d (handle %u): %s", s, spans[s].handle, errname(err));
}

/* SPAN_INFO's figures that change: mappings and faults. */
void check_span_counts(int s, const struct goheap_span_info *si)
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
	sh->faults_lo[s] = si->faults;
	sh->faults_hi[s] = si->faults;
}

/* Everything the kernel shows, against the model. */
void check_all(const char *when)
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
			fail("%s: /proc/self/maps has %#lx-%#lx %s %#llx, model %#lx-%#lx "
			     "prot %#x offset %#llx",
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
					fail("%s: VMA %#lx page %d (span %d page %u, flags %#x, "
					     "prot %#x): mincore says %s, model %s",
					     when, (unsigned long)vmas[v].addr, i, vmas[v].span,
					     vmas[v].idx + i, spans[vmas[v].span].flags,
					     vmas[v].prot, vec[i] & 1 ? "mapped" : "not mapped",
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

	/* The charge is the user's, never the mm's. */
	pin = vmpin_kb();
	if (pin > 0)
		fail("%s: VmPin %ld kB, want 0", when, pin);

	if (!in_child) {
		check_user(when, user_charged(statfd));
		check_heap(when, heap_inuse(statfd));
	}
}

bool op_check(void)
{
	desc("check /proc/self/maps, mincore, SPAN_INFO, GET_INFO, VmPin, user_charged, "
	     "HeapInuse");
	check_all("check");
	result(0);
	return true;
}
