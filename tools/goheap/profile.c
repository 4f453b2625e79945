// SPDX-License-Identifier: GPL-2.0
/*
 * goheap profile: the heap profile of the default heap (or --heap NAME).
 *
 * The kernel keeps samples (debugfs "profile", Documentation/debugfs.rst):
 * per stack, object size and rate, the samples taken and freed. This
 * command scales them back to estimates as Go's pprof does, with
 * 1 / (1 - exp(-size / rate)) for each record, and prints the allocation
 * sites (the first frame outside goheap) by in-use bytes; with -o FILE
 * it writes the whole profile in pprof's format (pprof.c), whose frames
 * are the kernel's kallsyms names with each module as a mapping, and
 * whose addresses come from /proc/kallsyms when it shows them.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool.h"

#define PROF_MAXFRAMES	64

struct frame {
	char *text;		/* "sym+0x1c/0x60 [mod]" as the kernel printed it */
	char *func;		/* "sym" */
	char *mod;		/* "mod", or "vmlinux" */
	uint64_t off;		/* 0x1c */
	uint64_t addr;		/* from /proc/kallsyms, or 0 */
	unsigned int func_id, map_id;
};

struct record {
	uint64_t inuse_objs, inuse_bytes, allocs, alloc_bytes, size, rate;
	unsigned int nframes;
	unsigned int frame[PROF_MAXFRAMES];	/* indices into prof.frames */
};

struct prof {
	uint64_t rate, dropped;
	struct record *recs;
	unsigned int nrecs;
	struct frame *frames;
	unsigned int nframes;
};

/* The four figures, scaled: alloc_objects, alloc_space, inuse_objects, inuse_space. */
struct scaled {
	double v[4];
};

/* Go's scaleHeapSample() for one record's count and bytes. */
static void scale_pair(uint64_t count, uint64_t bytes, uint64_t rate, double *c, double *b)
{
	double scale;

	if (!count || !bytes) {
		*c = *b = 0;
		return;
	}
	scale = rate <= 1 ? 1 : 1 / (1 - exp(-((double)bytes / count) / rate));
	*c = count * scale;
	*b = bytes * scale;
}

/* An estimate, rounded to a whole count or byte. */
static uint64_t est(double v)
{
	return (uint64_t)llround(v);
}

static struct scaled scale_record(const struct record *r)
{
	struct scaled s;

	scale_pair(r->allocs, r->alloc_bytes, r->rate, &s.v[0], &s.v[1]);
	scale_pair(r->inuse_objs, r->inuse_bytes, r->rate, &s.v[2], &s.v[3]);
	return s;
}

static unsigned int frame_index(struct prof *p, const char *text)
{
	struct frame *f;
	char *plus, *mod;
	unsigned int i;

	for (i = 0; i < p->nframes; i++)
		if (!strcmp(p->frames[i].text, text))
			return i;
	p->frames = xrealloc(p->frames, (p->nframes + 1) * sizeof(*p->frames));
	f = &p->frames[p->nframes];
	memset(f, 0, sizeof(*f));
	f->text = xstrdup(text);
	f->func = xstrdup(text);
	f->func[strcspn(f->func, "+ ")] = '\0';
	plus = strchr(text, '+');
	if (plus)
		f->off = strtoull(plus + 1, NULL, 16);
	/* A bare address: no symbol (freed init code, say), so no module either. */
	mod = strchr(text, '[');
	f->mod = xstrdup(mod ? mod + 1 : strncmp(text, "0x", 2) ? "vmlinux" : "unknown");
	f->mod[strcspn(f->mod, "]")] = '\0';
	if (!mod && !strncmp(text, "0x", 2))
		f->addr = strtoull(text, NULL, 16);
	return p->nframes++;
}

/* prof_read - parse debugfs "profile"; 0 or -1 (with a message). */
static int prof_read(struct prof *p)
{
	char path[256], *line = NULL;
	struct record *r = NULL;
	size_t cap = 0;
	FILE *f;

	memset(p, 0, sizeof(*p));
	df_path("profile", path, sizeof(path));
	f = fopen(path, "r");
	if (!f) {
		warn_errno("%s%s", path, errno == ENOENT ?
			   " (is goheap.ko loaded, debugfs mounted, and the heap there?)" : "");
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		unsigned long long v[6];
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (sscanf(line, "heap profile: %*u: %*u [%*u: %*u] @ heap/%llu", &v[0]) == 1) {
			p->rate = v[0];
		} else if (sscanf(line, "# heap=%*s buckets=%*u dropped=%llu", &v[0]) == 1) {
			p->dropped = v[0];
		} else if (sscanf(line, "%llu: %llu [%llu: %llu] @ size=%llu rate=%llu",
				  &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) == 6) {
			p->recs = xrealloc(p->recs, (p->nrecs + 1) * sizeof(*p->recs));
			r = &p->recs[p->nrecs++];
			memset(r, 0, sizeof(*r));
			r->inuse_objs = v[0];
			r->inuse_bytes = v[1];
			r->allocs = v[2];
			r->alloc_bytes = v[3];
			r->size = v[4];
			r->rate = v[5];
		} else if (r && line[0] == '#' && line[1] == '\t') {
			if (r->nframes < PROF_MAXFRAMES)
				r->frame[r->nframes++] = frame_index(p, line + 2);
		} else if (!line[0]) {
			r = NULL;
		}
	}
	free(line);
	fclose(f);
	return 0;
}

static int cmp_frame_func(const void *a, const void *b)
{
	const struct frame *const *x = a, *const *y = b;
	int c = strcmp((*x)->func, (*y)->func);

	return c ? c : strcmp((*x)->mod, (*y)->mod);
}

/*
 * Addresses of the frames from /proc/kallsyms, one pass over it: zero
 * everywhere when it hides them (kptr_restrict, not root).
 */
static void resolve_addrs(struct prof *p)
{
	struct frame **by = xcalloc(p->nframes ? p->nframes : 1, sizeof(*by));
	char line[512], name[256], mod[128];
	unsigned long long addr;
	unsigned int i, lo, hi, mid;
	FILE *f;

	for (i = 0; i < p->nframes; i++)
		by[i] = &p->frames[i];
	qsort(by, p->nframes, sizeof(*by), cmp_frame_func);
	f = fopen("/proc/kallsyms", "r");
	while (f && fgets(line, sizeof(line), f)) {
		struct frame key = { .func = name, .mod = mod }, *k = &key;

		mod[0] = '\0';
		if (sscanf(line, "%llx %*c %255s [%127[^]]]", &addr, name, mod) < 2 || !addr)
			continue;
		if (!mod[0])
			snprintf(mod, sizeof(mod), "vmlinux");
		lo = 0;
		hi = p->nframes;
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (cmp_frame_func(&by[mid], &k) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < p->nframes && !cmp_frame_func(&by[lo], &k); lo++)
			by[lo]->addr = addr + by[lo]->off;
	}
	if (f)
		fclose(f);
	free(by);
}

/* ---- pprof -------------------------------------------------------------- */

struct strtab {
	char **s;
	unsigned int n;
};

static uint64_t str_id(struct strtab *t, const char *s)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->s[i], s))
			return i;
	t->s = xrealloc(t->s, (t->n + 1) * sizeof(*t->s));
	t->s[t->n] = xstrdup(s);
	return t->n++;
}

static void value_type(struct pb *b, unsigned int field, struct strtab *st, const char *type,
		       const char *unit)
{
	struct pb m = { 0 };

	pb_uint(&m, 1, str_id(st, type));
	pb_uint(&m, 2, str_id(st, unit));
	pb_message(b, field, &m);
}

/* The profile.proto message of @p (field numbers from profile.proto). */
static void build_pprof(struct prof *p, struct pb *b)
{
	static const char *const types[4] = {
		"alloc_objects", "alloc_space", "inuse_objects", "inuse_space"
	};
	struct strtab st = { 0 };
	char **maps = NULL;
	unsigned int nmaps = 0, i, j, k;
	struct pb m;

	str_id(&st, "");
	for (i = 0; i < 4; i++)
		value_type(b, 1, &st, types[i], i % 2 ? "bytes" : "count");
	for (i = 0; i < p->nrecs; i++) {
		const struct record *r = &p->recs[i];
		struct scaled s = scale_record(r);
		uint64_t loc[PROF_MAXFRAMES], val[4];
		struct pb label = { 0 };

		m = (struct pb){ 0 };
		for (j = 0; j < r->nframes; j++)
			loc[j] = r->frame[j] + 1;
		for (j = 0; j < 4; j++)
			val[j] = est(s.v[j]);
		pb_packed(&m, 1, loc, r->nframes);
		pb_packed(&m, 2, val, 4);
		pb_uint(&label, 1, str_id(&st, "bytes"));
		pb_uint(&label, 3, r->size);
		pb_message(&m, 3, &label);
		pb_message(b, 2, &m);
	}
	/*
	 * Mappings: one per module, spanning its frames' addresses; the
	 * kernel's first, as pprof takes the first for the main binary.
	 */
	for (i = 0; i < p->nframes && !nmaps; i++)
		if (!strcmp(p->frames[i].mod, "vmlinux")) {
			maps = xrealloc(maps, sizeof(*maps));
			maps[nmaps++] = p->frames[i].mod;
		}
	for (i = 0; i < p->nframes; i++) {
		for (j = 0; j < nmaps && strcmp(maps[j], p->frames[i].mod); j++)
			;
		if (j == nmaps) {
			maps = xrealloc(maps, (nmaps + 1) * sizeof(*maps));
			maps[nmaps++] = p->frames[i].mod;
		}
		p->frames[i].map_id = j + 1;
	}
	for (j = 0; j < nmaps; j++) {
		uint64_t lo = UINT64_MAX, hi = 0;

		for (i = 0; i < p->nframes; i++) {
			if (p->frames[i].map_id != j + 1 || !p->frames[i].addr)
				continue;
			lo = p->frames[i].addr < lo ? p->frames[i].addr : lo;
			hi = p->frames[i].addr > hi ? p->frames[i].addr : hi;
		}
		m = (struct pb){ 0 };
		pb_uint(&m, 1, j + 1);
		if (hi) {
			pb_uint(&m, 2, lo);
			pb_uint(&m, 3, hi + 1);
		}
		pb_uint(&m, 5, str_id(&st, maps[j]));
		pb_uint(&m, 7, 1);	/* has_functions */
		pb_message(b, 3, &m);
	}
	/* Locations, one per frame; functions, one per (symbol, module). */
	for (i = 0; i < p->nframes; i++) {
		struct pb line = { 0 };

		for (k = 0; k < i; k++)
			if (!strcmp(p->frames[k].func, p->frames[i].func) &&
			    !strcmp(p->frames[k].mod, p->frames[i].mod))
				break;
		p->frames[i].func_id = k < i ? p->frames[k].func_id : i + 1;
		m = (struct pb){ 0 };
		pb_uint(&m, 1, i + 1);
		pb_uint(&m, 2, p->frames[i].map_id);
		pb_uint(&m, 3, p->frames[i].addr);
		pb_uint(&line, 1, p->frames[i].func_id);
		pb_message(&m, 4, &line);
		pb_message(b, 4, &m);
		if (k < i)
			continue;
		m = (struct pb){ 0 };
		pb_uint(&m, 1, i + 1);
		pb_uint(&m, 2, str_id(&st, p->frames[i].func));
		pb_uint(&m, 3, str_id(&st, p->frames[i].func));
		pb_uint(&m, 4, str_id(&st, p->frames[i].mod));
		pb_message(b, 5, &m);
	}
	pb_uint(b, 9, (uint64_t)time(NULL) * 1000000000ULL);
	value_type(b, 11, &st, "space", "bytes");
	pb_uint(b, 12, p->rate);
	for (i = 0; i < st.n; i++) {
		pb_lenfield(b, 6, st.s[i], strlen(st.s[i]));
		free(st.s[i]);
	}
	free(st.s);
	free(maps);
}

static int write_pprof(struct prof *p, const char *file)
{
	struct pb b = { 0 };
	FILE *f;
	int rc = 0;

	resolve_addrs(p);
	build_pprof(p, &b);
	if (b.failed) {
		warnx_("profile: out of memory");
		pb_free(&b);
		return -1;
	}
	f = fopen(file, "wb");
	if (!f || gzip_write(f, b.buf, b.len) || fclose(f)) {
		warn_errno("%s", file);
		rc = -1;
	}
	pb_free(&b);
	return rc;
}

/* ---- sites -------------------------------------------------------------- */

struct site {
	const struct frame *f;
	struct scaled s;
};

static int cmp_site(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	if (x->s.v[3] != y->s.v[3])
		return x->s.v[3] < y->s.v[3] ? 1 : -1;
	return x->s.v[1] < y->s.v[1] ? 1 : x->s.v[1] > y->s.v[1] ? -1 : 0;
}

/* The figures of each allocation site (first frame), largest in use first. */
static unsigned int sites(const struct prof *p, struct site *out, struct scaled *total)
{
	unsigned int n = 0, i, j, k;

	memset(total, 0, sizeof(*total));
	for (i = 0; i < p->nrecs; i++) {
		const struct record *r = &p->recs[i];
		struct scaled s = scale_record(r);
		const struct frame *f = r->nframes ? &p->frames[r->frame[0]] : NULL;

		for (j = 0; j < n; j++)
			if (out[j].f == f || (f && out[j].f && !strcmp(out[j].f->func, f->func) &&
					      !strcmp(out[j].f->mod, f->mod)))
				break;
		if (j == n)
			out[n++] = (struct site){ .f = f };
		for (k = 0; k < 4; k++) {
			out[j].s.v[k] += s.v[k];
			total->v[k] += s.v[k];
		}
	}
	qsort(out, n, sizeof(*out), cmp_site);
	return n;
}

static void print_sites(const struct prof *p, unsigned int max)
{
	struct site *s = xcalloc(p->nrecs ? p->nrecs : 1, sizeof(*s));
	unsigned int n, i, row;
	struct scaled total;
	char b1[32], b2[32], c1[32], c2[32];
	struct table t;

	n = sites(p, s, &total);
	if (g.json) {
		json_begin();
		json_str("heap", g.heap ? g.heap : "default");
		json_u64("profile_rate", p->rate);
		json_u64("records", p->nrecs);
		json_u64("dropped", p->dropped);
		json_u64("inuse_space", est(total.v[3]));
		json_u64("inuse_objects", est(total.v[2]));
		json_u64("alloc_space", est(total.v[1]));
		json_u64("alloc_objects", est(total.v[0]));
		json_arr("sites", false);
		for (i = 0; i < n && i < max; i++) {
			json_obj(NULL, true);
			json_str("site", s[i].f ? s[i].f->func : "?");
			json_str("module", s[i].f ? s[i].f->mod : "?");
			json_u64("inuse_space", est(s[i].s.v[3]));
			json_u64("inuse_objects", est(s[i].s.v[2]));
			json_u64("alloc_space", est(s[i].s.v[1]));
			json_u64("alloc_objects", est(s[i].s.v[0]));
			json_obj_end();
		}
		json_arr_end();
		json_end();
		free(s);
		return;
	}
	printf("heap %s: profile_rate %llu B, %u records, %llu samples dropped; "
	       "figures are estimates (samples scaled as pprof does)\n",
	       g.heap ? g.heap : "default", (unsigned long long)p->rate, p->nrecs,
	       (unsigned long long)p->dropped);
	printf("in use %s in %s objects; allocated %s in %s objects\n\n",
	       fmt_bytes(b1, sizeof(b1), est(total.v[3])),
	       fmt_count(c1, sizeof(c1), est(total.v[2])),
	       fmt_bytes(b2, sizeof(b2), est(total.v[1])),
	       fmt_count(c2, sizeof(c2), est(total.v[0])));
	tbl_init(&t, "", "inuse_space|inuse%|inuse_objects|alloc_space|alloc_objects|<site");
	for (i = 0; i < n && i < max; i++) {
		row = tbl_add(&t);
		tbl_cell(&t, row, 0, "%s", fmt_bytes(b1, sizeof(b1), est(s[i].s.v[3])));
		tbl_cell(&t, row, 1, "%.1f", total.v[3] ? 100 * s[i].s.v[3] / total.v[3] : 0.0);
		tbl_cell(&t, row, 2, "%llu", (unsigned long long)est(s[i].s.v[2]));
		tbl_cell(&t, row, 3, "%s", fmt_bytes(b2, sizeof(b2), est(s[i].s.v[1])));
		tbl_cell(&t, row, 4, "%llu", (unsigned long long)est(s[i].s.v[0]));
		tbl_cell(&t, row, 5, "%s [%s]", s[i].f ? s[i].f->func : "?",
			 s[i].f ? s[i].f->mod : "?");
	}
	tbl_print(&t, stdout);
	tbl_free(&t);
	free(s);
}

static const char profile_usage[] =
"usage: goheap [--heap NAME] profile [-o FILE] [-n COUNT] [--json]\n"
"       goheap [--heap NAME] profile --rate SIZE\n"
"\n"
"The heap profile of the default heap, or of the private heap NAME, from\n"
"/sys/kernel/debug/goheap/[heaps/NAME/]profile (root only).\n"
"\n"
"  (no option)  allocation sites by estimated bytes in use\n"
"  -o FILE      write the profile for go tool pprof (gzipped protobuf)\n"
"  -n COUNT     sites to print (default 20)\n"
"  --rate SIZE  sample once per SIZE bytes allocated on average (0: off)\n";

int cmd_profile(int argc, char **argv)
{
	const char *out = NULL, *rate = NULL;
	unsigned int max = 20;
	struct prof p;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(profile_usage, stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "-o")) {
			out = opt_arg(argc, argv, &i);
		} else if (!strcmp(argv[i], "-n")) {
			max = parse_count("-n", opt_arg(argc, argv, &i), 1, 1000000);
		} else if (!strcmp(argv[i], "--rate")) {
			rate = opt_arg(argc, argv, &i);
		} else {
			die_usage("unknown argument '%s'", argv[i]);
		}
	}
	if (rate) {
		uint64_t bytes = parse_size("--rate", rate, 0, 1ULL << 30);
		char path[256];
		FILE *f;

		df_path("profile_rate", path, sizeof(path));
		f = fopen(path, "w");
		if (!f || fprintf(f, "%llu\n", (unsigned long long)bytes) < 0 || fclose(f)) {
			warn_errno("%s", path);
			return EXIT_FAIL;
		}
		return EXIT_OK;
	}
	if (prof_read(&p))
		return EXIT_FAIL;
	rc = EXIT_OK;
	if (out)
		rc = write_pprof(&p, out) ? EXIT_FAIL : EXIT_OK;
	else
		print_sites(&p, max);
	if (out && rc == EXIT_OK && !g.quiet)
		fprintf(stderr, "goheap: wrote %s: %u records, %u frames (go tool pprof -top %s)\n",
			out, p.nrecs, p.nframes, out);
	for (i = 0; i < (int)p.nframes; i++) {
		free(p.frames[i].text);
		free(p.frames[i].func);
		free(p.frames[i].mod);
	}
	free(p.frames);
	free(p.recs);
	return rc;
}
