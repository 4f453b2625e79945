// SPDX-License-Identifier: GPL-2.0
/*
 * goheap span: allocate, map, touch, inspect and free spans by hand.
 *
 * Spans belong to the open file (Documentation/userspace-api.rst), so they
 * cannot outlive the process that allocated them: one invocation runs a
 * sequence of steps against one open /dev/goheap, separated by a lone ","
 * on the command line, or one per line from a file:
 *
 *   goheap span alloc 4 --contig , map , touch , info --pfns , unmap , free
 *   goheap span -f steps.txt          ("-" reads standard input)
 *   goheap span run --pages 4 --touch --info
 *
 * A step without a handle works on the most recently allocated span.
 * Whatever is still mapped or allocated when the steps end is unmapped and
 * freed (and said so). The first step that fails ends the sequence with
 * exit status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tool.h"

#define MAX_SPANS	64
#define MAX_ARGS	16

struct uspan {
	uint32_t handle;
	uint64_t npages;
	uint64_t size;
	uint64_t offset;
	uint32_t flags;
	char *map;		/* mapping, or NULL */
	bool ro;		/* mapped without PROT_WRITE */
	bool freed;
};

static struct {
	int fd;
	struct goheap_info info;
	struct uspan s[MAX_SPANS];
	unsigned int n;
	struct uspan *cur;	/* most recently allocated */
} st;

static const char span_usage_text[] =
"usage: goheap span STEP [, STEP]...\n"
"       goheap span -f FILE              (one step per line; - is stdin)\n"
"       goheap span run --pages N [--contig|--scattered] [--prefault]\n"
"                       [--touch] [--info] [--pfns] [--hold SECONDS]\n"
"\n"
"Steps run in one process, on one open /dev/goheap (spans belong to it):\n"
"  alloc N [--contig|--scattered] [--prefault]   a span of N heap pages\n"
"  map [H] [--ro]        mmap the whole span (MAP_SHARED)\n"
"  touch [H] [--read]    write (or read) one byte of every 4 KiB page; report\n"
"                        the faults taken and the cost per page\n"
"  info [H] [--pfns]     pages, physically contiguous runs, faults, mappings;\n"
"                        --pfns lists the PFNs (needs CAP_SYS_ADMIN)\n"
"  unmap [H]             munmap\n"
"  free [H]              GOHEAP_IOC_SPAN_FREE (EBUSY while mapped)\n"
"  list                  the spans of this run\n"
"  sleep SECONDS         pause (look at /proc/PID/maps or debugfs meanwhile)\n"
"H is a handle printed by alloc; without it, the last span allocated.\n"
"run is alloc, map, [touch], [info], unmap and free in one go.\n";

/*
 * step_target - parse "STEP [H] [@flag]": @set tells whether @flag was
 * given (@flag may be NULL: no flag). Returns the span, or NULL after
 * printing why.
 */
static struct uspan *step_target(int argc, char **argv, const char *flag, bool *set)
{
	uint64_t h = 0;
	unsigned int k;
	int i;

	if (set)
		*set = false;
	for (i = 1; i < argc; i++) {
		if (flag && !strcmp(argv[i], flag))
			*set = true;
		else if (argv[i][0] >= '0' && argv[i][0] <= '9' && !h)
			h = parse_count("handle", argv[i], 1, UINT32_MAX);
		else
			die_usage("%s: unexpected argument '%s'%s%s", argv[0], argv[i],
				  flag ? " (takes a handle and " : " (takes a handle)",
				  flag ? flag : "");
	}
	if (h) {
		for (k = 0; k < st.n; k++)
			if (st.s[k].handle == h && !st.s[k].freed)
				return &st.s[k];
		warnx_("span: %s: no span with handle %llu in this run", argv[0],
		       (unsigned long long)h);
		return NULL;
	}
	if (!st.cur || st.cur->freed) {
		warnx_("span: %s: no span allocated (start with: alloc N)", argv[0]);
		return NULL;
	}
	return st.cur;
}

static void step_begin(const char *name, const struct uspan *s)
{
	if (g.json) {
		json_obj(NULL, true);
		json_str("step", name);
		if (s)
			json_u64("handle", s->handle);
	}
}

static int step_alloc(int argc, char **argv)
{
	char b1[32], b2[32], fl[64];
	struct goheap_span_alloc sa;
	uint32_t flags = 0;
	uint64_t npages = 0;
	struct uspan *s;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--contig") || !strcmp(argv[i], "--contiguous"))
			flags |= GOHEAP_SPAN_CONTIGUOUS;
		else if (!strcmp(argv[i], "--scattered"))
			flags |= GOHEAP_SPAN_SCATTERED;
		else if (!strcmp(argv[i], "--prefault"))
			flags |= GOHEAP_SPAN_PREFAULT;
		else if (!strcmp(argv[i], "--pages"))
			npages = parse_count("alloc --pages", opt_arg(argc, argv, &i), 1,
					     st.info.max_span_pages);
		else if (argv[i][0] != '-' && !npages)
			npages = parse_count("alloc N", argv[i], 1, st.info.max_span_pages);
		else
			die_usage("alloc: unexpected argument '%s'", argv[i]);
	}
	if (!npages)
		die_usage("alloc: how many heap pages? (alloc N, 1 to %u)",
			  st.info.max_span_pages);
	if ((flags & GOHEAP_SPAN_CONTIGUOUS) && (flags & GOHEAP_SPAN_SCATTERED))
		die_usage("alloc: --contig and --scattered exclude each other");
	if (st.n == MAX_SPANS) {
		warnx_("span: at most %d spans per run", MAX_SPANS);
		return -1;
	}
	if (dev_span_alloc(st.fd, npages, flags, &sa))
		return -1;
	s = &st.s[st.n++];
	memset(s, 0, sizeof(*s));
	s->handle = sa.handle;
	s->npages = npages;
	s->size = sa.size;
	s->offset = sa.offset;
	s->flags = flags;
	st.cur = s;
	step_begin("alloc", s);
	if (g.json) {
		json_u64("npages", npages);
		json_u64("size", sa.size);
		json_u64("hw_pages", sa.size / HW_PAGE);
		json_u64("offset", sa.offset);
		json_str("flags", span_flags_str(flags, fl, sizeof(fl)));
		json_obj_end();
	} else {
		printf("alloc  span %u: %llu heap pages of %s = %s (%llu hardware pages), "
		       "flags %s, mmap offset %#llx\n", s->handle, (unsigned long long)npages,
		       fmt_bytes(b1, sizeof(b1), st.info.heap_page_size),
		       fmt_bytes(b2, sizeof(b2), sa.size),
		       (unsigned long long)(sa.size / HW_PAGE),
		       span_flags_str(flags, fl, sizeof(fl)), (unsigned long long)sa.offset);
	}
	return 0;
}

static int step_map(int argc, char **argv)
{
	bool ro;
	struct uspan *s = step_target(argc, argv, "--ro", &ro);
	uint64_t t0, t;
	char b[32], tb[32];

	if (!s)
		return -1;
	if (s->map) {
		warnx_("span: map: span %u is already mapped by this run", s->handle);
		return -1;
	}
	t0 = now_ns();
	s->map = mmap(NULL, s->size, PROT_READ | (ro ? 0 : PROT_WRITE), MAP_SHARED, st.fd,
		      (off_t)s->offset);
	t = now_ns() - t0;
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		warn_errno("mmap of span %u", s->handle);
		return -1;
	}
	s->ro = ro;
	step_begin("map", s);
	if (g.json) {
		json_u64("length", s->size);
		json_bool("read_only", ro);
		json_bool("prefaulted", s->flags & GOHEAP_SPAN_PREFAULT);
		json_u64("mmap_ns", t);
		json_obj_end();
	} else {
		printf("map    span %u: %s at %p%s, %s (mmap took %s, %s)\n", s->handle,
		       fmt_bytes(b, sizeof(b), s->size), (void *)s->map, ro ? " read-only" : "",
		       s->flags & GOHEAP_SPAN_PREFAULT ? "prefaulted" : "mapped on demand",
		       fmt_ns(tb, sizeof(tb), (double)t), timing_label());
	}
	return 0;
}

static uint64_t faults_of(struct uspan *s)
{
	struct goheap_span_info si;

	if (dev_span_info(st.fd, s->handle, NULL, 0, &si))
		return 0;
	return si.faults;
}

static int step_touch(int argc, char **argv)
{
	bool rd;
	struct uspan *s = step_target(argc, argv, "--read", &rd);
	uint64_t f0, f1, t0, t, pages, off;
	long m0, m1;
	char tb[32];

	if (!s)
		return -1;
	if (!s->map) {
		warnx_("span: touch: span %u is not mapped (map it first)", s->handle);
		return -1;
	}
	if (s->ro && !rd) {
		warnx_("span: touch: span %u is mapped read-only (touch --read)", s->handle);
		return -1;
	}
	pages = s->size / HW_PAGE;
	f0 = faults_of(s);
	m0 = minflt_self();
	t0 = now_ns();
	for (off = 0; off < s->size; off += HW_PAGE) {
		if (rd)
			(void)*(volatile char *)(s->map + off);
		else
			*(volatile char *)(s->map + off) = 1;
	}
	t = now_ns() - t0;
	m1 = minflt_self();
	f1 = faults_of(s);
	step_begin("touch", s);
	if (g.json) {
		json_str("access", rd ? "read" : "write");
		json_u64("hw_pages", pages);
		json_u64("span_faults", f1 - f0);
		json_i64("minflt", m1 - m0);
		json_dbl("faults_per_page", (double)(f1 - f0) / (double)pages, 3);
		json_dbl("ns_per_page", (double)t / (double)pages, 1);
		json_str("timing", timing_label());
		json_obj_end();
	} else {
		printf("touch  span %u: %s %llu hardware pages: %llu span faults (%.2f per page), "
		       "%ld minor faults (rusage), %s per page (%s)\n", s->handle,
		       rd ? "read" : "wrote", (unsigned long long)pages,
		       (unsigned long long)(f1 - f0), (double)(f1 - f0) / (double)pages, m1 - m0,
		       fmt_ns(tb, sizeof(tb), (double)t / (double)pages), timing_label());
	}
	return 0;
}

/* Print PFNs as runs "0x3800-0x3807 (8)", at most @max runs. */
static void print_runs(const uint64_t *pfn, uint64_t n, unsigned int max)
{
	uint64_t i = 0, shown = 0;

	while (i < n) {
		uint64_t j = i + 1;

		while (j < n && pfn[j] == pfn[j - 1] + 1)
			j++;
		if (shown++ == max) {
			printf(" ...");
			break;
		}
		if (j - i == 1)
			printf(" %#llx", (unsigned long long)pfn[i]);
		else
			printf(" %#llx-%#llx(%llu)", (unsigned long long)pfn[i],
			       (unsigned long long)pfn[j - 1], (unsigned long long)(j - i));
		i = j;
	}
	printf("\n");
}

static int step_info(int argc, char **argv)
{
	bool want_pfns, have_pfns = false;
	struct goheap_span_info si;
	uint64_t *pfns = NULL, k;
	struct uspan *s = step_target(argc, argv, "--pfns", &want_pfns);
	char fl[64], b[32];

	if (!s)
		return -1;
	if (want_pfns && !(st.info.caps & GOHEAP_CAP_PFNS)) {
		warnx_("span %u: PFNs withheld: they need CAP_SYS_ADMIN", s->handle);
	} else if (want_pfns) {
		pfns = calloc(s->size / HW_PAGE, sizeof(*pfns));
		have_pfns = !!pfns;
	}
	if (dev_span_info(st.fd, s->handle, pfns, have_pfns ? s->size / HW_PAGE : 0, &si)) {
		free(pfns);
		return -1;
	}
	step_begin("info", s);
	if (g.json) {
		json_u64("npages", si.npages);
		json_u64("page_size", si.page_size);
		json_u64("hw_pages", si.hw_pages);
		json_u64("runs", si.runs);
		json_str("flags", span_flags_str(si.span_flags, fl, sizeof(fl)));
		json_u64("faults", si.faults);
		json_u64("maps", si.maps);
		json_bool("pfns_visible", st.info.caps & GOHEAP_CAP_PFNS);
		if (have_pfns) {
			json_arr("pfns", true);
			for (k = 0; k < si.hw_pages; k++)
				json_u64(NULL, pfns[k]);
			json_arr_end();
		} else {
			json_null("pfns");
		}
		json_obj_end();
	} else {
		printf("info   span %u: %llu heap pages of %s, %u hardware pages in %u "
		       "physically contiguous run%s, flags %s, %llu faults, %llu mapping%s\n",
		       s->handle, (unsigned long long)si.npages,
		       fmt_bytes(b, sizeof(b), si.page_size), si.hw_pages, si.runs,
		       si.runs == 1 ? "" : "s", span_flags_str(si.span_flags, fl, sizeof(fl)),
		       (unsigned long long)si.faults, (unsigned long long)si.maps,
		       si.maps == 1 ? "" : "s");
		if (have_pfns) {
			uint64_t per = si.page_size / HW_PAGE;

			printf("       PFN runs:");
			print_runs(pfns, si.hw_pages, 16);
			for (k = 0; k < si.npages && k < 8; k++) {
				uint64_t j;

				printf("       heap page %llu:", (unsigned long long)k);
				for (j = 0; j < per; j++)
					printf(" %#llx", (unsigned long long)pfns[k * per + j]);
				if (per == 2)
					printf("  %s", pfns[k * 2 + 1] == pfns[k * 2] + 1 ?
					       "(adjacent)" : "(NOT adjacent)");
				printf("\n");
			}
			if (si.npages > 8)
				printf("       ... %llu more heap pages (--json lists every PFN)\n",
				       (unsigned long long)(si.npages - 8));
		}
	}
	free(pfns);
	return 0;
}

static int step_unmap(int argc, char **argv)
{
	struct uspan *s = step_target(argc, argv, NULL, NULL);

	if (!s)
		return -1;
	if (!s->map) {
		warnx_("span: unmap: span %u is not mapped", s->handle);
		return -1;
	}
	munmap(s->map, s->size);
	s->map = NULL;
	step_begin("unmap", s);
	if (g.json)
		json_obj_end();
	else
		printf("unmap  span %u\n", s->handle);
	return 0;
}

static int step_free(int argc, char **argv)
{
	struct uspan *s = step_target(argc, argv, NULL, NULL);

	if (!s)
		return -1;
	if (dev_span_free(st.fd, s->handle))
		return -1;
	s->freed = true;
	step_begin("free", s);
	if (g.json)
		json_obj_end();
	else
		printf("free   span %u\n", s->handle);
	return 0;
}

static int step_list(int argc, char **argv)
{
	char fl[64], b[32];
	unsigned int k;

	if (argc > 1)
		die_usage("list: unexpected argument '%s'", argv[1]);
	step_begin("list", NULL);
	if (g.json)
		json_arr("spans", true);
	for (k = 0; k < st.n; k++) {
		struct uspan *s = &st.s[k];

		if (s->freed)
			continue;
		if (g.json) {
			json_obj(NULL, true);
			json_u64("handle", s->handle);
			json_u64("npages", s->npages);
			json_bool("mapped", s->map);
			json_obj_end();
		} else {
			printf("list   span %u: %llu heap pages (%s), flags %s, %s\n", s->handle,
			       (unsigned long long)s->npages, fmt_bytes(b, sizeof(b), s->size),
			       span_flags_str(s->flags, fl, sizeof(fl)),
			       s->map ? "mapped" : "not mapped");
		}
	}
	if (g.json) {
		json_arr_end();
		json_obj_end();
	}
	return 0;
}

static int step_sleep(int argc, char **argv)
{
	uint64_t secs;

	if (argc != 2)
		die_usage("sleep: how many seconds? (sleep SECONDS)");
	secs = parse_count("sleep", argv[1], 0, 86400);
	if (!g.json) {
		printf("sleep  %llu s (pid %d)\n", (unsigned long long)secs, (int)getpid());
		fflush(stdout);
	}
	sleep((unsigned int)secs);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} steps[] = {
	{ "alloc", step_alloc }, { "map", step_map }, { "touch", step_touch },
	{ "info", step_info }, { "unmap", step_unmap }, { "free", step_free },
	{ "list", step_list }, { "sleep", step_sleep },
};

static int (*step_fn(const char *name))(int, char **)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(steps); k++)
		if (!strcmp(steps[k].name, name))
			return steps[k].fn;
	return NULL;
}

/* One sequence of steps: (argv[i]...) groups separated by ",". */
struct seq {
	int nsteps;
	int argc[64];
	char **argv[64];
};

static void seq_check(const struct seq *q)
{
	int k;

	if (!q->nsteps)
		die_usage("no step given (alloc N , map , touch , info , free)");
	for (k = 0; k < q->nsteps; k++) {
		if (!q->argc[k])
			die_usage("empty step (two ',' in a row?)");
		if (!step_fn(q->argv[k][0]))
			die_usage("unknown step '%s' (alloc, map, touch, info, unmap, free, "
				  "list, sleep)", q->argv[k][0]);
	}
}

static void seq_add(struct seq *q, char **argv, int argc)
{
	if (q->nsteps == (int)ARRAY_SIZE(q->argc))
		die_usage("at most %zu steps", ARRAY_SIZE(q->argc));
	q->argv[q->nsteps] = argv;
	q->argc[q->nsteps++] = argc;
}

/* Split argv on lone "," arguments. */
static void seq_from_args(struct seq *q, int argc, char **argv)
{
	int i, start = 0;

	for (i = 0; i <= argc; i++)
		if (i == argc || !strcmp(argv[i], ",")) {
			argv[i == argc ? argc : i] = NULL;
			seq_add(q, argv + start, i - start);
			start = i + 1;
		}
}

static void seq_from_file(struct seq *q, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[512];

	if (!f) {
		warn_errno("%s", path);
		exit(EXIT_USAGE);
	}
	while (fgets(line, sizeof(line), f)) {
		char **av = calloc(MAX_ARGS + 1, sizeof(char *));
		char *save = NULL, *tok, *copy;
		int ac = 0;

		line[strcspn(line, "#\n")] = '\0';
		copy = strdup(line);
		if (!av || !copy)
			exit(EXIT_FAIL);
		for (tok = strtok_r(copy, " \t", &save); tok && ac < MAX_ARGS;
		     tok = strtok_r(NULL, " \t", &save))
			av[ac++] = tok;
		if (ac)
			seq_add(q, av, ac);
	}
	if (f != stdin)
		fclose(f);
}

/* "run": the steps alloc, map, [touch], [info], unmap, free. */
static void seq_from_run(struct seq *q, int argc, char **argv)
{
	static char *alloc[8], *map[2] = { "map" }, *touch[2] = { "touch" };
	static char *info[3] = { "info" }, *unmap[2] = { "unmap" }, *fre[2] = { "free" };
	static char *hold[3] = { "sleep" };
	static char pages[24];
	bool do_touch = false, do_info = false;
	int i, na = 0;

	alloc[na++] = "alloc";
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pages") || !strcmp(argv[i], "-p")) {
			snprintf(pages, sizeof(pages), "%llu", (unsigned long long)
				 parse_count("--pages", opt_arg(argc, argv, &i), 1, 1U << 30));
		} else if (!strcmp(argv[i], "--contig") || !strcmp(argv[i], "--contiguous") ||
			   !strcmp(argv[i], "--scattered") || !strcmp(argv[i], "--prefault")) {
			if (na < 6)
				alloc[na++] = argv[i];
		} else if (!strcmp(argv[i], "--touch")) {
			do_touch = true;
		} else if (!strcmp(argv[i], "--info")) {
			do_info = true;
		} else if (!strcmp(argv[i], "--pfns")) {
			do_info = true;
			info[1] = "--pfns";
		} else if (!strcmp(argv[i], "--hold")) {
			hold[1] = (char *)opt_arg(argc, argv, &i);
		} else {
			die_usage("run: unexpected argument '%s'", argv[i]);
		}
	}
	if (!pages[0])
		die_usage("run: how many heap pages? (--pages N)");
	alloc[na++] = pages;
	seq_add(q, alloc, na);
	seq_add(q, map, 1);
	if (do_touch)
		seq_add(q, touch, 1);
	if (do_info)
		seq_add(q, info, info[1] ? 2 : 1);
	if (hold[1])
		seq_add(q, hold, 2);
	seq_add(q, unmap, 1);
	seq_add(q, fre, 1);
}

int cmd_span(int argc, char **argv)
{
	struct seq q = { 0 };
	int k, rc = EXIT_OK;
	unsigned int j;

	if (argc < 2 || is_help(argv[1])) {
		fputs(span_usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "run"))
		seq_from_run(&q, argc - 1, argv + 1);
	else if (!strcmp(argv[1], "-f"))
		argc == 3 ? seq_from_file(&q, argv[2]) :
			die_usage("-f takes one file (or - for standard input)");
	else
		seq_from_args(&q, argc - 1, argv + 1);
	seq_check(&q);

	st.fd = dev_open();
	if (st.fd < 0 || dev_info(st.fd, &st.info))
		return EXIT_FAIL;
	if (g.json) {
		json_begin();
		json_u64("heap_page_size", st.info.heap_page_size);
		json_u64("hw_page_size", st.info.hw_page_size);
		json_bool("cap_pfns", st.info.caps & GOHEAP_CAP_PFNS);
		json_arr("steps", false);
	}
	for (k = 0; k < q.nsteps && rc == EXIT_OK; k++) {
		int (*fn)(int argc, char **argv);

		fflush(stdout);
		fn = step_fn(q.argv[k][0]);
		if (fn(q.argc[k], q.argv[k]))
			rc = EXIT_FAIL;
	}
	/* Leave nothing behind, and say so. */
	for (j = 0; j < st.n; j++) {
		struct uspan *s = &st.s[j];

		if (s->freed)
			continue;
		if (s->map)
			munmap(s->map, s->size);
		s->map = NULL;
		if (!dev_span_free(st.fd, s->handle)) {
			s->freed = true;
			step_begin("free", s);
			if (g.json) {
				json_bool("at_exit", true);
				json_obj_end();
			} else {
				printf("free   span %u (left allocated by the steps: "
				       "freed at exit)\n", s->handle);
			}
		}
	}
	if (g.json) {
		json_arr_end();
		json_bool("ok", rc == EXIT_OK);
		json_end();
	}
	close(st.fd);
	return rc;
}
