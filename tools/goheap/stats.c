// SPDX-License-Identifier: GPL-2.0
/*
 * goheap stats: the heap's statistics; and the debugfs parser that goheap
 * top (top.c) and goheap info (info.c) use too.
 *
 * memstats comes from GOHEAP_IOC_GET_MEMSTATS: the heap's figures for a
 * caller with CAP_PERFMON or CAP_SYS_ADMIN, for any other only what the
 * tool's own (empty) open file holds, which it says; classes, pageheap and
 * percpu are parsed from
 * /sys/kernel/debug/goheap (root only), whose formats are documented in
 * Documentation/debugfs.rst. The parser is generic: "Name value" lines
 * become key/value pairs and a header line followed by rows becomes a
 * table, so columns that debugfs adds later show up without a change here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

/* ---- debugfs parsing ---------------------------------------------------- */

/*
 * df_path - the path of debugfs file @name: the default heap's, or --heap's.
 * $GOHEAP_DEBUGFS replaces /sys/kernel/debug/goheap (a copy of its files,
 * for tests of the tool itself).
 */
void df_path(const char *name, char *path, size_t len)
{
	const char *root = getenv("GOHEAP_DEBUGFS");

	if (!root || !*root)
		root = GH_DEBUGFS;
	if (g.heap)
		snprintf(path, len, "%s/heaps/%s/%s", root, g.heap, name);
	else
		snprintf(path, len, "%s/%s", root, name);
}

/* df_readable - whether debugfs file @name can be read (quietly). */
bool df_readable(const char *name)
{
	char path[256];

	df_path(name, path, sizeof(path));
	return access(path, R_OK) == 0;
}

/* df_read - read and tokenise debugfs file @name (see df_path()). */
int df_read(const char *name, struct dfile *d)
{
	char path[256], buf[1024];
	FILE *f;
	int e;

	memset(d, 0, sizeof(*d));
	df_path(name, path, sizeof(path));
	f = fopen(path, "r");
	if (!f) {
		e = errno;
		if (e == EACCES || e == EPERM)
			warnx_("%s: %s (debugfs is root-only; memstats works for any user "
			       "through /dev/goheap: goheap stats memstats)", path, strerror(e));
		else if (e == ENOENT && g.heap)
			warnx_("%s: %s (no private heap '%s'; ls %s/heaps)", path, strerror(e),
			       g.heap, GH_DEBUGFS);
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
		d->copy[i] = strdup(buf);
		s = d->copy[i];
		if (!d->line[i] || !s)
			break;
		for (tok = strtok_r(s, " \t", &save); tok && d->ntok[i] < DF_MAXTOK;
		     tok = strtok_r(NULL, " \t", &save))
			d->tok[i][d->ntok[i]++] = tok;
	}
	fclose(f);
	return 0;
}

void df_free(struct dfile *d)
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

uint64_t df_num(const char *s)
{
	return strtoull(s, NULL, 10);
}

/* A JSON value from a debugfs token: a number when it is one. */
void df_json_tok(const char *key, const char *tok)
{
	if (is_number(tok))
		json_u64(key, df_num(tok));
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

const char *df_cell(const struct dfile *d, unsigned int row, unsigned int h,
		    const char *name)
{
	int c = df_col(d, h, name);

	return c >= 0 && (unsigned int)c < d->ntok[row] ? d->tok[row][c] : "0";
}

/* ---- goheap stats ------------------------------------------------------- */

static void print_value(char *buf, size_t len, enum ms_unit unit, uint64_t v)
{
	if (unit == MS_BYTES)
		fmt_bytes(buf, len, v);
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

/*
 * A private heap's memstats, from its debugfs file (--heap): the figures
 * GOHEAP_IOC_GET_MEMSTATS gives for the default heap, by name.
 */
int df_memstats(struct goheap_memstats *ms)
{
	struct dfile d;
	unsigned int i, l;

	memset(ms, 0, sizeof(*ms));
	if (df_read("memstats", &d))
		return -1;
	for (i = 0; i < ms_nfields; i++)
		for (l = 0; l < d.nlines; l++)
			if (d.ntok[l] == 2 && !strcmp(d.tok[l][0], ms_fields[i].name))
				*(uint64_t *)((char *)ms + ms_fields[i].off) = df_num(d.tok[l][1]);
	df_free(&d);
	return 0;
}

static int stats_memstats(void)
{
	struct goheap_memstats ms;
	unsigned int i, n;
	struct table t;
	const char *group = "";
	char v[32], b1[32], b2[32];
	uint64_t inuse, alloc, idle, rel;
	struct goheap_info info;
	bool heap;
	int fd;

	if (g.heap) {
		if (df_memstats(&ms))
			return EXIT_FAIL;
		n = ms_nfields;
		heap = true;
	} else {
		fd = dev_open();
		if (fd < 0 || dev_info(fd, &info) || dev_memstats(fd, &ms, &n))
			return EXIT_FAIL;
		close(fd);
		heap = info.caps & GOHEAP_CAP_HEAP_STATS;
		if (!heap)
			fprintf(stderr, "goheap: stats: the heap's figures need CAP_PERFMON or "
				"CAP_SYS_ADMIN; these are an empty open file's (all 0)\n");
	}
	if (g.json) {
		json_begin();
		json_str("source", g.heap ? "debugfs" : "GOHEAP_IOC_GET_MEMSTATS");
		if (g.heap)
			json_str("heap", g.heap);
		json_str("scope", heap ? "heap" : "file");
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
void df_json_rows(const struct dfile *d, const char *key, unsigned int h, unsigned int end)
{
	unsigned int r, c;

	json_arr(key, false);
	for (r = h + 1; r < end; r++) {
		if (!d->ntok[r])
			break;
		json_obj(NULL, true);
		for (c = 0; c < d->ntok[h] && c < d->ntok[r]; c++)
			df_json_tok(d->tok[h][c], d->tok[r][c]);
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
		    !df_num(df_cell(d, r, h, keep_col)) && !df_num(df_cell(d, r, h, "partial")) &&
		    !df_num(df_cell(d, r, h, "full"))) {
			++*hidden;
			continue;
		}
		row = tbl_add(&t);
		for (c = 0; c < d->ntok[h] && c < d->ntok[r]; c++) {
			const char *s = d->tok[r][c];

			if (bytes_col(d->tok[h][c]) && is_number(s) && df_num(s))
				s = fmt_bytes(v, sizeof(v), df_num(s));
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
		df_json_rows(&d, name, 0, d.nlines);
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
			psz = df_num(d.tok[i][1]);
		if (d.ntok[i] >= 2 && !is_number(d.tok[i][1]) && !h)
			h = i;
	}
	if (g.json) {
		json_begin();
		json_str("source", GH_DEBUGFS "/pageheap");
		for (i = 0; i < d.nlines; i++)
			if (d.ntok[i] == 2 && is_number(d.tok[i][1]) && !is_number(d.tok[i][0]))
				json_u64(d.tok[i][0], df_num(d.tok[i][1]));
		if (h)
			df_json_rows(&d, "free_runs", h, d.nlines);
		json_end();
		df_free(&d);
		return EXIT_OK;
	}
	for (i = 0; i < d.nlines && i < h; i++) {
		if (d.ntok[i] != 2)
			continue;
		printf("%-16s %12s", d.tok[i][0], d.tok[i][1]);
		if (!strncmp(d.tok[i][0], "Pages", 5) || !strcmp(d.tok[i][0], "LargestFreeRun"))
			printf("  pages = %s", fmt_bytes(v, sizeof(v), df_num(d.tok[i][1]) * psz));
		else if (strstr(d.tok[i][0], "Bytes") || !strcmp(d.tok[i][0], "HeapPageSize"))
			printf("  %s", fmt_bytes(v, sizeof(v), df_num(d.tok[i][1])));
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
