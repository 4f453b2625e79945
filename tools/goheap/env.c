// SPDX-License-Identifier: GPL-2.0
/*
 * What the tool needs to know about the machine it runs on: a monotonic
 * clock, the process's minor-fault count, whether it runs under a
 * hypervisor or an emulator (so that timings can be labelled "emulated"),
 * the transparent huge page mode, smaps figures of a mapping, goheap's
 * module parameters, progress lines on a terminal, and a seeded PRNG (so
 * that pointer-chase orders are the same from run to run).
 *
 * Emulation is detected from the CPUID hypervisor bit and its vendor leaf
 * (0x40000000: "TCGTCGTCGTCG" for QEMU's TCG, "KVMKVMKVM" for KVM, ...),
 * or failing that from /proc/cpuinfo's "hypervisor" flag and
 * /sys/class/dmi/id/sys_vendor ("QEMU").
 */
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

long minflt_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

#if defined(__x86_64__) || defined(__i386__)
static bool cpuinfo_has_flag(const char *flag)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *tok, *save = NULL;

		if (strncmp(line, "flags", 5))
			continue;
		for (tok = strtok_r(strchr(line, ':') ? strchr(line, ':') + 1 : line, "\n ", &save);
		     tok; tok = strtok_r(NULL, "\n ", &save))
			if (!strcmp(tok, flag)) {
				found = true;
				break;
			}
		break;
	}
	fclose(f);
	return found;
}

/* The CPUID hypervisor bit and vendor signature. */
static void hv_probe(struct hv *hv)
{
	static const struct {
		const char *sig, *name;
	} sigs[] = {
		{ "TCGTCGTCGTCG", "QEMU TCG" },
		{ "KVMKVMKVM", "KVM" },
		{ "Microsoft Hv", "Hyper-V" },
		{ "VMwareVMware", "VMware" },
		{ "XenVMMXenVMM", "Xen" },
		{ "VBoxVBoxVBox", "VirtualBox" },
		{ "bhyve bhyve ", "bhyve" },
	};
	unsigned int a, b, c, d;

	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1U << 31))) {
		char sig[13] = "";
		size_t i;

		hv->virt = true;
		__cpuid(0x40000000, a, b, c, d);
		memcpy(sig, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
		for (i = 0; i < ARRAY_SIZE(sigs); i++)
			if (!strncmp(sig, sigs[i].sig, strlen(sigs[i].sig)))
				snprintf(hv->name, sizeof(hv->name), "%s", sigs[i].name);
	} else if (cpuinfo_has_flag("hypervisor")) {
		hv->virt = true;
	}
}
#else
/*
 * No CPUID: QEMU's arm64 "virt" board names itself in the device tree
 * (whether TCG or KVM runs it, nothing in the guest tells).
 */
static void hv_probe(struct hv *hv)
{
	char compat[64];

	if (!read_line("/proc/device-tree/compatible", compat, sizeof(compat)) &&
	    strstr(compat, "linux,dummy-virt")) {
		hv->virt = true;
		snprintf(hv->name, sizeof(hv->name), "QEMU virt");
	}
}
#endif

/* hv_detect - the hypervisor or emulator this runs under, if any (probed once). */
const struct hv *hv_detect(void)
{
	static struct hv hv;
	static bool done;
	char vendor[64] = "";

	if (done)
		return &hv;
	done = true;
	hv_probe(&hv);
	if (!read_line("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor)) &&
	    (strstr(vendor, "QEMU") || strstr(vendor, "VMware") || strstr(vendor, "Xen") ||
	     strstr(vendor, "innotek"))) {
		hv.virt = true;
		if (!hv.name[0])
			snprintf(hv.name, sizeof(hv.name), "%s", vendor);
	}
	if (hv.virt && !hv.name[0])
		snprintf(hv.name, sizeof(hv.name), "unknown hypervisor");
	return &hv;
}

/* timing_label - how to label a timing taken on this machine. */
const char *timing_label(void)
{
	return hv_detect()->virt ? "emulated" : "native";
}

/* thp_available - the kernel has transparent huge pages at all. */
bool thp_available(void)
{
	return !access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK);
}

/* thp_mode - the bracketed word of /sys/kernel/mm/transparent_hugepage/enabled. */
const char *thp_mode(char *buf, size_t len)
{
	char line[128], *l, *r;

	if (read_line("/sys/kernel/mm/transparent_hugepage/enabled", line, sizeof(line))) {
		snprintf(buf, len, "unavailable");
		return buf;
	}
	l = strchr(line, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!r) {
		snprintf(buf, len, "unavailable");
		return buf;
	}
	*r = '\0';
	snprintf(buf, len, "%s", l + 1);
	return buf;
}

/*
 * smaps_kib - the sum of smaps field @field ("AnonHugePages", "Rss", ...)
 * over the mappings of this process that overlap [@addr, @addr + @len).
 */
uint64_t smaps_kib_range(const void *addr, size_t len, const char *field)
{
	uintptr_t lo = (uintptr_t)addr, hi = lo + len;
	char line[512];
	bool in = false;
	uint64_t sum = 0;
	size_t flen = strlen(field);
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		unsigned long long v;

		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = s < hi && e > lo;
			continue;
		}
		if (in && !strncmp(line, field, flen) && line[flen] == ':' &&
		    sscanf(line + flen + 1, "%llu", &v) == 1)
			sum += v;
	}
	fclose(f);
	return sum;
}

uint64_t smaps_kib(const void *addr, const char *field)
{
	return smaps_kib_range(addr, 1, field);
}

/*
 * is_terminal - a terminal a person watches: a tty with a window size. A
 * serial line (the guests' result channel) is a tty too, but reports 0x0,
 * and escape sequences would only clutter its log.
 */
bool is_terminal(int fd)
{
	struct winsize ws;

	return isatty(fd) && !ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col > 0;
}

/* Progress lines go to stderr, only on a terminal and without --json/--quiet. */
bool progress_on(void)
{
	return !g.quiet && is_terminal(STDERR_FILENO);
}

static bool progress_shown;

void progress(const char *fmt, ...)
{
	va_list ap;

	if (!progress_on())
		return;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	progress_shown = true;
}

void progress_done(void)
{
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		progress_shown = false;
	}
}

/* read_param - a goheap module parameter, from /sys/module/goheap/parameters. */
int read_param(const char *name, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", GH_PARAMS, name);
	return read_line(path, buf, len);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* rand64 - xorshift64*, fixed seed: the same chase order on every run. */
uint64_t rand64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void sort_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
}

uint64_t median_u64(uint64_t *v, size_t n)
{
	if (!n)
		return 0;
	sort_u64(v, n);
	return v[n / 2];
}
