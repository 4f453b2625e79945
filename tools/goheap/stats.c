// SPDX-License-Identifier: GPL-2.0
/*
 * goheap info, goheap stats and goheap top: the module and its heap.
 *
 * memstats comes from GOHEAP_IOC_GET_MEMSTATS, so any user who may open
 * /dev/goheap can read it; classes, pageheap and percpu are parsed from
 * /sys/kernel/debug/goheap (root only), whose formats are documented in
 * Documentation/debugfs.rst. The parser is generic: "Name value" lines
 * become key/value pairs and a header line followed by rows becomes a
 * table, so columns that debugfs adds later show up without a change here.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "goheap.h"

/* ---- debugfs parsing ---------------------------------------------------- */

#define DF_MAXLINES	512
#define DF_MAXTOK	24

struct dfile {
	unsigned int nlines;
	char *line[DF_MAXLINES];
	char *copy[DF_MAXLINES];	/* what tok[] points into */
	unsigned int ntok[DF_MAXLINES];
	char *tok[DF_MAXLINES][DF_MAXTOK];
};

/* df_read - read and tokenise /sys/kernel/debug/goheap/@name. */
static int df_read(const char *name, struct dfile *d)
{
	char path[256], buf[1024];
	FILE *f;
	int e;

	memset(d, 0, sizeof(*d));
	snprintf(path, sizeof(path), "%s/%s", GH_DEBUGFS, name);
	f = fopen(path, "r");
	if (!f) {
		e = errno;
		if (e == EACCES || e == EPERM)
			warnx_("%s: %s (debugfs is root-only; memstats works for any user "
			       "through /dev/goheap: goheap stats memstats)", path, strerror(e));
		else if (e == ENOENT)
			warnx_("%s: %s (is goheap.ko loaded and debugfs mounted? "
			       "mount -t debugfs none /sys/kernel/debug)", path, strerror(e));
		else
			warnx_("%s: %s", path, strerror(e));
		return -1;
	}
	while (d->nlines < DF_MAXLINES && fgets(buf, sizeof(buf), f)) {
		unsigned int i = d->nlines++;
		char *s, *save = NULL, *tok;

		buf[strcspn(buf, "\n")] = '\0';
		d->line[i] = strdup(buf);
		s = d->copy[i] = strdup(buf);
		if (!d->line[i] || !s)
			break;
		for (tok = strtok_r(s, " \t", &save); tok && d->ntok[i] < DF_MAXTOK;
		     tok = strtok_r(NULL, " \t", &save))
			d->tok[i][d->ntok[i]++] = tok;
	}
	fclose(f);
	return 0;
}

static void df_free(struct dfile *d)
{
	unsigned int i;

	for (i = 0; i < d->nlines; i++) {
		free(d->line[i]);
		free(d->copy[i]);
	}
	d->nlines = 0;
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static uint64_t num(const char *s)
{
	return strtoull(s, NULL, 10);
}

/* A JSON value from a debugfs token: a number when it is one. */
static void json_tok(const char *key, const char *tok)
{
	if (is_number(tok))
		json_u64(key, num(tok));
	else
		json_str(key, tok);
}

/* df_col - index of column @name in header line @h, or -1. */
static int df_col(const struct dfile *d, unsigned int h, const char *name)
{
	unsigned int c;

	for (c = 0; c < d->ntok[h]; c++)
		if (!strcmp(d->tok[h][c], name))
			return (int)c;
	return -1;
}

static const char *df_cell(const struct dfile *d, unsigned int row, unsigned int h,
			   const char *name)
{
	int c = df_col(d, h, name);

	return c >= 0 && (unsigned int)c < d->ntok[row] ? d->tok[row][c] : "0";
}

/* ---- goheap info -------------------------------------------------------- */

static int not_dot(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

static void free_params(struct dirent **params, int n)
{
	while (n > 0)
		free(params[--n]);
	free(params);
}

static const char *const feature_names[] = {
	"span-contiguous", "span-prefault", "span-scattered", "span-info", "memstats",
};

int cmd_info(int argc, char **argv)
{
	struct goheap_info info;
	char buf[64], b2[64], thp[32], pval[64];
	const struct hv *hv = hypervisor();
	struct dirent **params = NULL;
	unsigned int i;
	int fd, np;

	if (argc > 1) {
		if (is_help(argv[1])) {
			puts("usage: goheap info [--json]\n\n"
			     "The module's ABI version, features, heap page size and limits\n"
			     "(GOHEAP_IOC_GET_INFO), its parameters, and the machine.");
			return EXIT_OK;
		}
		die_usage("unexpected argument '%s'", argv[1]);
	}
	fd = dev_open();
	if (fd < 0 || dev_info(fd, &info))
		return EXIT_FAIL;
	close(fd);
	thp_mode(thp, sizeof(thp));
	np = scandir(GH_PARAMS, &params, not_dot, alphasort);

	if (g.json) {
		json_begin();
		json_u64("abi_version", info.abi_version);
		json_arr("features", true);
		for (i = 0; i < ARRAY_SIZE(feature_names); i++)
			if (info.features & (1ULL << i))
				json_str(NULL, feature_names[i]);
		json_arr_end();
		json_u64("heap_page_size", info.heap_page_size);
		json_u64("hw_page_size", info.hw_page_size);
		json_u64("nr_size_classes", info.nr_size_classes);
		json_u64("max_span_pages", info.max_span_pages);
		json_u64("max_file_pages", info.max_file_pages);
		json_u64("memstats_size", info.memstats_size);
		json_bool("cap_pfns", info.caps & GOHEAP_CAP_PFNS);
		json_obj("parameters", false);
		for (i = 0; i < (unsigned int)(np > 0 ? np : 0); i++)
			if (!read_param(params[i]->d_name, pval, sizeof(pval)))
				json_tok(params[i]->d_name, pval);
		json_obj_end();
		json_str("timing", timing_label());
		json_str("hypervisor", hv->virt ? hv->name : NULL);
		json_str("thp", thp);
		json_end();
		free_params(params, np);
		return EXIT_OK;
	}

	printf("goheap module (%s)\n", g.dev);
	printf("  ABI version      %u\n", info.abi_version);
	printf("  features        ");
	for (i = 0; i < ARRAY_SIZE(feature_names); i++)
		if (info.features & (1ULL << i))
			printf(" %s", feature_names[i]);
	printf("\n");
	printf("  heap page        %s", fmt_bytes(buf, sizeof(buf), info.heap_page_size));
	if (info.heap_page_size > info.hw_page_size)
		printf(" = %u hardware pages (Go's)", info.heap_page_size / info.hw_page_size);
	printf("\n  hardware page    %s\n", fmt_bytes(buf, sizeof(buf), info.hw_page_size));
	printf("  size classes     %u (plus class 0, large)\n", info.nr_size_classes);
	printf("  largest span     %u heap pages (%s)\n", info.max_span_pages,
	       fmt_bytes(buf, sizeof(buf), (uint64_t)info.max_span_pages * info.heap_page_size));
	printf("  per open file    %llu heap pages (%s)\n",
	       (unsigned long long)info.max_file_pages,
	       fmt_bytes(b2, sizeof(b2), info.max_file_pages * info.heap_page_size));
	printf("  PFNs             %s\n", info.caps & GOHEAP_CAP_PFNS ?
	       "shown to this caller (CAP_SYS_ADMIN)" : "withheld (needs CAP_SYS_ADMIN)");
	printf("  memstats         %u figures\n", info.memstats_size / 8);
	printf("parameters (%s)\n", GH_PARAMS);
	for (i = 0; i < (unsigned int)(np > 0 ? np : 0); i++)
		if (!read_param(params[i]->d_name, pval, sizeof(pval))) {
			printf("  %-18s %s", params[i]->d_name, pval);
			if (!strcmp(params[i]->d_name, "dev_mode"))
				printf(" (%#lo)", strtoul(pval, NULL, 10));
			printf("\n");
		}
	printf("machine\n");
	printf("  timings          %s%s%s%s\n", timing_label(), hv->virt ? " (" : "",
	       hv->virt ? hv->name : "", hv->virt ? ")" : "");
	printf("  THP              %s\n", thp);
	free_params(params, np);
	return EXIT_OK;
}

/* ---- goheap stats ------------------------------------------------------- */

static void print_value(char *buf, size_t len, enum ms_unit unit, uint64_t v)
{
	if (unit == MS_BYTES)
		fmt_bytes(buf, len, v);
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

static int stats_memstats(void)
{
	struct goheap_memstats ms;
	unsigned int i, n;
	struct table t;
	const char *group = "";
	char v[32], b1[32], b2[32];
	uint64_t inuse, alloc, idle, rel;
	int fd = dev_open();

	if (fd < 0 || dev_memstats(fd, &ms, &n))
		return EXIT_FAIL;
	close(fd);
	if (g.json) {
		json_begin();
		json_str("source", "GOHEAP_IOC_GET_MEMSTATS");
		for (i = 0; i < n; i++)
			json_u64(ms_fields[i].name, ms_get(&ms, i));
		json_end();
		return EXIT_OK;
	}
	tbl_init(&t, "", "<group|<figure|value|<meaning");
	for (i = 0; i < n; i++) {
		unsigned int r = tbl_add(&t);

		if (strcmp(group, ms_fields[i].group))
			tbl_cell(&t, r, 0, "%s", ms_fields[i].group);
		group = ms_fields[i].group;
		tbl_cell(&t, r, 1, "%s", ms_fields[i].name);
		print_value(v, sizeof(v), ms_fields[i].unit, ms_get(&ms, i));
		tbl_cell(&t, r, 2, "%s", v);
		tbl_cell(&t, r, 3, "%s", ms_fields[i].what);
	}
	tbl_print(&t, stdout);
	tbl_free(&t);
	inuse = ms_by_name(&ms, "HeapInuse");
	alloc = ms_by_name(&ms, "HeapAlloc");
	idle = ms_by_name(&ms, "HeapIdle");
	rel = ms_by_name(&ms, "HeapReleased");
	printf("\nin spans but not in live objects (HeapInuse - HeapAlloc): %s",
	       fmt_bytes(b1, sizeof(b1), inuse > alloc ? inuse - alloc : 0));
	if (inuse)
		printf(" (%.1f%% of HeapInuse)",
		       100.0 * (double)(inuse > alloc ? inuse - alloc : 0) / (double)inuse);
	printf("\nidle and not yet returned (HeapIdle - HeapReleased): %s\n",
	       fmt_bytes(b2, sizeof(b2), idle > rel ? idle - rel : 0));
	return EXIT_OK;
}

/* Columns of "classes" shown in bytes. */
static bool bytes_col(const char *name)
{
	return !strcmp(name, "live_bytes") || !strcmp(name, "frag_bytes") ||
	       !strcmp(name, "span") || !strcmp(name, "cached_bytes");
}

/* A debugfs table (header line @h, rows up to @end) as JSON rows. */
static void json_rows(const struct dfile *d, const char *key, unsigned int h, unsigned int end)
{
	unsigned int r, c;

	json_arr(key, false);
	for (r = h + 1; r < end; r++) {
		if (!d->ntok[r])
			break;
		json_obj(NULL, true);
		for (c = 0; c < d->ntok[h] && c < d->ntok[r]; c++)
			json_tok(d->tok[h][c], d->tok[r][c]);
		json_obj_end();
	}
	json_arr_end();
}

/* A debugfs table as an aligned text table, with byte columns in units. */
static void text_rows(const struct dfile *d, unsigned int h, unsigned int end, bool all,
		      const char *keep_col, unsigned int *hidden)
{
	char cols[512] = "", v[32];
	unsigned int r, c;
	struct table t;
	size_t n = 0;

	for (c = 0; c < d->ntok[h]; c++)
		n += snprintf(cols + n, sizeof(cols) - n, "%s%s", c ? "|" : "", d->tok[h][c]);
	tbl_init(&t, "", cols);
	*hidden = 0;
	for (r = h + 1; r < end && d->ntok[r]; r++) {
		unsigned int row;

		/* Idle rows: nothing ever allocated in the class and no spans. */
		if (!all && keep_col && is_number(d->tok[r][0]) &&
		    !num(df_cell(d, r, h, keep_col)) && !num(df_cell(d, r, h, "partial")) &&
		    !num(df_cell(d, r, h, "full"))) {
			++*hidden;
			continue;
		}
		row = tbl_add(&t);
		for (c = 0; c < d->ntok[h] && c < d->ntok[r]; c++) {
			const char *s = d->tok[r][c];

			if (bytes_col(d->tok[h][c]) && is_number(s) && num(s))
				s = fmt_bytes(v, sizeof(v), num(s));
			tbl_cell(&t, row, c, "%s", s);
		}
	}
	tbl_print(&t, stdout);
	tbl_free(&t);
}

static int stats_table(const char *name, bool all)
{
	struct dfile d;
	unsigned int hidden = 0;
	bool classes = !strcmp(name, "classes");

	if (df_read(name, &d))
		return EXIT_FAIL;
	if (!d.nlines) {
		df_free(&d);
		warnx_("%s/%s is empty", GH_DEBUGFS, name);
		return EXIT_FAIL;
	}
	if (g.json) {
		json_begin();
		json_str("source", classes ? GH_DEBUGFS "/classes" : GH_DEBUGFS "/percpu");
		json_rows(&d, name, 0, d.nlines);
		json_end();
		df_free(&d);
		return EXIT_OK;
	}
	text_rows(&d, 0, d.nlines, all, classes ? "mallocs" : NULL, &hidden);
	df_free(&d);
	if (classes) {
		printf("\nsize, span: bytes per object and per span; live_bytes, frag_bytes: "
		       "in live objects and\nin the class's spans but not in live objects");
		if (hidden)
			printf(" (%u classes never used are hidden: --all shows them)", hidden);
		printf("\n");
	}
	return EXIT_OK;
}

static int stats_pageheap(void)
{
	struct dfile d;
	uint64_t psz = 0;
	unsigned int i, h = 0, hidden;
	char v[32];

	if (df_read("pageheap", &d))
		return EXIT_FAIL;
	for (i = 0; i < d.nlines; i++) {
		if (d.ntok[i] == 2 && !strcmp(d.tok[i][0], "HeapPageSize"))
			psz = num(d.tok[i][1]);
		if (d.ntok[i] >= 2 && !is_number(d.tok[i][1]) && !h)
			h = i;
	}
	if (g.json) {
		json_begin();
		json_str("source", GH_DEBUGFS "/pageheap");
		for (i = 0; i < d.nlines; i++)
			if (d.ntok[i] == 2 && is_number(d.tok[i][1]) && !is_number(d.tok[i][0]))
				json_u64(d.tok[i][0], num(d.tok[i][1]));
		if (h)
			json_rows(&d, "free_runs", h, d.nlines);
		json_end();
		df_free(&d);
		return EXIT_OK;
	}
	for (i = 0; i < d.nlines && i < h; i++) {
		if (d.ntok[i] != 2)
			continue;
		printf("%-16s %12s", d.tok[i][0], d.tok[i][1]);
		if (!strncmp(d.tok[i][0], "Pages", 5) || !strcmp(d.tok[i][0], "LargestFreeRun"))
			printf("  pages = %s", fmt_bytes(v, sizeof(v), num(d.tok[i][1]) * psz));
		else if (strstr(d.tok[i][0], "Bytes") || !strcmp(d.tok[i][0], "HeapPageSize"))
			printf("  %s", fmt_bytes(v, sizeof(v), num(d.tok[i][1])));
		printf("\n");
	}
	if (h) {
		printf("\nfree runs by length (heap pages):\n");
		text_rows(&d, h, d.nlines, true, NULL, &hidden);
	}
	df_free(&d);
	return EXIT_OK;
}

static void stats_usage(void)
{
	puts("usage: goheap stats [memstats|classes|pageheap|percpu] [--all] [--json]\n\n"
	     "  memstats   Go's runtime.MemStats figures (GOHEAP_IOC_GET_MEMSTATS; any\n"
	     "             user who can open /dev/goheap)\n"
	     "  classes    one row per size class (debugfs, root); --all keeps unused ones\n"
	     "  pageheap   page counts and free runs of the page heap (debugfs, root)\n"
	     "  percpu     each CPU's cache (debugfs, root)");
}

int cmd_stats(int argc, char **argv)
{
	const char *what = "memstats";
	bool all = false, named = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			stats_usage();
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--all") || !strcmp(argv[i], "-a")) {
			all = true;
		} else if (argv[i][0] != '-' && !named) {
			what = argv[i];
			named = true;
		} else {
			die_usage("unexpected argument '%s'", argv[i]);
		}
	}
	if (!strcmp(what, "memstats"))
		return stats_memstats();
	if (!strcmp(what, "classes") || !strcmp(what, "percpu"))
		return stats_table(what, all);
	if (!strcmp(what, "pageheap"))
		return stats_pageheap();
	die_usage("unknown statistics '%s' (memstats, classes, pageheap or percpu)", what);
}

/* ---- goheap top --------------------------------------------------------- */

static volatile sig_atomic_t top_stop;

static void on_sigint(int sig)
{
	(void)sig;
	top_stop = 1;
}

struct top_prev {
	bool valid;
	uint64_t t;
	struct goheap_memstats ms;
	uint64_t cpu_mallocs[256], cpu_frees[256], cpu_refills[256], cpu_flushes[256];
	uint64_t cls_mallocs[80], cls_frees[80];
};

static double rate(uint64_t now, uint64_t then, double secs)
{
	return secs > 0 && now >= then ? (double)(now - then) / secs : 0;
}

/* top_frame - print one frame; -1 if the statistics cannot be read. */
static int top_frame(int fd, unsigned long frame, struct top_prev *p)
{
	struct goheap_memstats ms;
	struct dfile pc, cl;
	unsigned int n, r, i;
	uint64_t t = now_ns();
	double secs = p->valid ? (double)(t - p->t) / 1e9 : 0;
	bool have_pc, have_cl;
	char a[32], b[32], c[32], d[32], e[32];
	struct table tb;

	if (dev_memstats(fd, &ms, &n))
		return -1;
	have_pc = access(GH_DEBUGFS "/percpu", R_OK) == 0 && !df_read("percpu", &pc);
	have_cl = access(GH_DEBUGFS "/classes", R_OK) == 0 && !df_read("classes", &cl);

	if (g.json) {
		json_begin();
		json_u64("frame", frame);
		json_dbl("interval_s", secs, 3);
		json_obj("memstats", false);
		for (i = 0; i < n; i++)
			json_u64(ms_fields[i].name, ms_get(&ms, i));
		json_obj_end();
		json_obj("rates", false);
		json_dbl("mallocs_per_s", rate(ms.mallocs, p->ms.mallocs, secs), 1);
		json_dbl("frees_per_s", rate(ms.frees, p->ms.frees, secs), 1);
		json_dbl("alloc_bytes_per_s", rate(ms.total_alloc, p->ms.total_alloc, secs), 1);
		json_obj_end();
		if (have_pc)
			json_rows(&pc, "percpu", 0, pc.nlines);
		json_end();
	} else {
		if (is_terminal(STDOUT_FILENO))
			fputs("\033[H\033[2J", stdout);
		else if (frame > 1)
			putchar('\n');
		printf("goheap top: frame %lu, every %.1f s (Ctrl-C quits)\n", frame,
		       secs > 0 ? secs : 1.0);
		printf("heap     Sys %s  HeapInuse %s  HeapAlloc %s  HeapIdle %s  Released %s\n",
		       fmt_bytes(a, sizeof(a), ms.sys), fmt_bytes(b, sizeof(b), ms.heap_inuse),
		       fmt_bytes(c, sizeof(c), ms.heap_alloc), fmt_bytes(d, sizeof(d), ms.heap_idle),
		       fmt_bytes(e, sizeof(e), ms.heap_released));
		printf("objects  live %llu  mallocs %llu (%.0f/s)  frees %llu (%.0f/s)  "
		       "allocating %s/s\n",
		       (unsigned long long)ms.heap_objects, (unsigned long long)ms.mallocs,
		       rate(ms.mallocs, p->ms.mallocs, secs), (unsigned long long)ms.frees,
		       rate(ms.frees, p->ms.frees, secs),
		       fmt_bytes(a, sizeof(a), (uint64_t)rate(ms.total_alloc, p->ms.total_alloc,
							      secs)));
		printf("caches   per-CPU %llu objects (%s)  central %llu objects (%s)  "
		       "chunks %llu\n",
		       (unsigned long long)ms.pcpu_cached, fmt_bytes(a, sizeof(a),
								     ms.pcpu_cached_bytes),
		       (unsigned long long)ms.central_cached,
		       fmt_bytes(b, sizeof(b), ms.central_cached_bytes),
		       (unsigned long long)ms.chunks);
		if (have_pc) {
			printf("\n");
			tbl_init(&tb, "", "cpu|online|cached|cached_bytes|mallocs/s|frees/s|"
				 "refills/s|flushes/s");
			for (r = 1; r < pc.nlines && r - 1 < 256; r++) {
				unsigned int row = tbl_add(&tb), k = r - 1;
				uint64_t m = num(df_cell(&pc, r, 0, "mallocs"));
				uint64_t f = num(df_cell(&pc, r, 0, "frees"));
				uint64_t rf = num(df_cell(&pc, r, 0, "refills"));
				uint64_t fl = num(df_cell(&pc, r, 0, "flushes"));

				tbl_cell(&tb, row, 0, "%s", df_cell(&pc, r, 0, "cpu"));
				tbl_cell(&tb, row, 1, "%s", df_cell(&pc, r, 0, "online"));
				tbl_cell(&tb, row, 2, "%s", df_cell(&pc, r, 0, "cached"));
				tbl_cell(&tb, row, 3, "%s", fmt_bytes(a, sizeof(a),
					 num(df_cell(&pc, r, 0, "cached_bytes"))));
				tbl_cell(&tb, row, 4, "%.0f", rate(m, p->cpu_mallocs[k], secs));
				tbl_cell(&tb, row, 5, "%.0f", rate(f, p->cpu_frees[k], secs));
				tbl_cell(&tb, row, 6, "%.0f", rate(rf, p->cpu_refills[k], secs));
				tbl_cell(&tb, row, 7, "%.0f", rate(fl, p->cpu_flushes[k], secs));
				p->cpu_mallocs[k] = m;
				p->cpu_frees[k] = f;
				p->cpu_refills[k] = rf;
				p->cpu_flushes[k] = fl;
			}
			tbl_print(&tb, stdout);
			tbl_free(&tb);
		}
		if (have_cl) {
			unsigned int shown = 0;

			printf("\n");
			tbl_init(&tb, "", "class|size|live|live_bytes|mallocs/s|frees/s|frag_bytes");
			for (r = 1; r < cl.nlines && r < 80; r++) {
				uint64_t m = num(df_cell(&cl, r, 0, "mallocs"));
				uint64_t f = num(df_cell(&cl, r, 0, "frees"));
				uint64_t live = num(df_cell(&cl, r, 0, "live"));
				unsigned int row;

				/* Active classes only: something live, or moving since the last frame. */
				if (!strcmp(cl.tok[r][0], "total") ||
				    (!live && (!p->valid || (m == p->cls_mallocs[r] &&
							     f == p->cls_frees[r])))) {
					p->cls_mallocs[r] = m;
					p->cls_frees[r] = f;
					continue;
				}
				if (shown++ < 12) {
					row = tbl_add(&tb);
					tbl_cell(&tb, row, 0, "%s", cl.tok[r][0]);
					tbl_cell(&tb, row, 1, "%s", df_cell(&cl, r, 0, "size"));
					tbl_cell(&tb, row, 2, "%llu", (unsigned long long)live);
					tbl_cell(&tb, row, 3, "%s", fmt_bytes(a, sizeof(a),
						 num(df_cell(&cl, r, 0, "live_bytes"))));
					tbl_cell(&tb, row, 4, "%.0f",
						 rate(m, p->cls_mallocs[r], secs));
					tbl_cell(&tb, row, 5, "%.0f", rate(f, p->cls_frees[r], secs));
					tbl_cell(&tb, row, 6, "%s", fmt_bytes(b, sizeof(b),
						 num(df_cell(&cl, r, 0, "frag_bytes"))));
				}
				p->cls_mallocs[r] = m;
				p->cls_frees[r] = f;
			}
			if (tb.nrows)
				tbl_print(&tb, stdout);
			else
				printf("no class holds or moves objects\n");
			if (shown > 12)
				printf("(%u more active classes: goheap stats classes)\n",
				       shown - 12);
			tbl_free(&tb);
		}
		if (!have_pc)
			printf("\n(per-CPU and class rows need root: debugfs)\n");
		fflush(stdout);
	}
	if (have_pc)
		df_free(&pc);
	if (have_cl)
		df_free(&cl);
	p->valid = true;
	p->t = t;
	p->ms = ms;
	return 0;
}

int cmd_top(int argc, char **argv)
{
	unsigned long count = 0, frame;
	double interval = 1.0;
	struct top_prev *prev;
	struct sigaction sa;
	int i, fd, rc = EXIT_OK;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			puts("usage: goheap top [-n COUNT] [-i SECONDS] [--json]\n\n"
			     "Refresh the heap's figures and rates every second (or -i SECONDS)\n"
			     "until interrupted, or COUNT times. --json prints one JSON object\n"
			     "per frame.");
			return EXIT_OK;
		} else if (!strcmp(argv[i], "-n") || !strcmp(argv[i], "--count")) {
			count = parse_count("-n", opt_arg(argc, argv, &i), 1, 1000000);
		} else if (!strcmp(argv[i], "-i") || !strcmp(argv[i], "--interval")) {
			const char *s = opt_arg(argc, argv, &i);
			char *end;

			interval = strtod(s, &end);
			if (end == s || *end || !(interval >= 0.1 && interval <= 3600))
				die_usage("-i: '%s' is not a number of seconds from 0.1 to 3600", s);
		} else {
			die_usage("unexpected argument '%s'", argv[i]);
		}
	}
	fd = dev_open();
	if (fd < 0)
		return EXIT_FAIL;
	prev = calloc(1, sizeof(*prev));
	if (!prev)
		return EXIT_FAIL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (frame = 1; !top_stop && (!count || frame <= count); frame++) {
		struct timespec ts = { (time_t)interval,
				       (long)((interval - (time_t)interval) * 1e9) };

		if (top_frame(fd, frame, prev)) {
			rc = EXIT_FAIL;
			break;
		}
		if (count && frame == count)
			break;
		while (nanosleep(&ts, &ts) && !top_stop)
			;
	}
	free(prev);
	close(fd);
	return rc;
}
