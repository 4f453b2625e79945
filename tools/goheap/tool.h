/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the files of the goheap tool.
 *
 * The tool is split by concern: main.c parses the command line and
 * dispatches; dev.c wraps /dev/goheap; region.c builds the working memory of
 * every kind the experiments compare (spans, anonymous 4 KiB pages, THP);
 * env.c knows the machine (clocks, emulation, THP mode, rusage, smaps);
 * json.c and table.c print; info.c, stats.c, top.c, span.c, exp_*.c,
 * profile.c and demo.c are the commands (stats.c also parses debugfs, for
 * top.c and info.c too; pprof.c writes profile.c's pprof file).
 * Documentation/tools.rst is the manual.
 *
 * Error convention: functions that can fail print one line naming what
 * failed and why ("goheap: <what>: <strerror>") and return -1 (or NULL);
 * commands return an exit status: 0 success, 1 failure, 2 usage error.
 */
#ifndef GOHEAP_TOOL_H
#define GOHEAP_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/goheap.h>

#define GH_DEV_PATH	"/dev/goheap"
#define GH_DEBUGFS	"/sys/kernel/debug/goheap"
#define GH_PARAMS	"/sys/module/goheap/parameters"
#define HW_PAGE		4096UL
#define HUGE_PAGE	(2UL << 20)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit statuses of every command. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Options every command accepts (main.c fills them). */
struct gopts {
	bool json;		/* --json: machine-readable output on stdout */
	bool quiet;		/* --quiet: no progress on stderr */
	const char *dev;	/* --dev PATH (default /dev/goheap) */
	const char *heap;	/* --heap NAME: a private heap's debugfs files */
};

extern struct gopts g;

/* main.c: argument helpers for the commands. */
void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t parse_size(const char *opt, const char *s, uint64_t min, uint64_t max);
uint64_t parse_count(const char *opt, const char *s, uint64_t min, uint64_t max);
/* Next option value: argv[*i + 1], or a usage error naming @opt. */
const char *opt_arg(int argc, char **argv, int *i);
bool is_help(const char *arg);
void set_cmd_name(const char *name);

/* dev.c: /dev/goheap. */
int dev_open(void);
int dev_info(int fd, struct goheap_info *info);
int dev_memstats(int fd, struct goheap_memstats *ms, unsigned int *nfields);
int dev_span_alloc(int fd, uint64_t npages, uint32_t flags, struct goheap_span_alloc *sa);
int dev_span_free(int fd, uint32_t handle);
int dev_span_info(int fd, uint32_t handle, uint64_t *pfns, uint64_t npfns,
		  struct goheap_span_info *si);
const char *span_flags_str(uint32_t flags, char *buf, size_t len);

/* The memstats figures: debugfs name, struct offset, unit, meaning. */
enum ms_unit { MS_BYTES, MS_COUNT };

struct ms_field {
	const char *name;	/* as in debugfs "memstats" */
	size_t off;		/* in struct goheap_memstats */
	enum ms_unit unit;
	const char *group;
	const char *what;
};

extern const struct ms_field ms_fields[];
extern const unsigned int ms_nfields;

static inline uint64_t ms_get(const struct goheap_memstats *ms, unsigned int i)
{
	return *(const uint64_t *)((const char *)ms + ms_fields[i].off);
}

uint64_t ms_by_name(const struct goheap_memstats *ms, const char *name);
/* stats.c: a private heap's memstats from its debugfs file (--heap). */
int df_memstats(struct goheap_memstats *ms);

/* stats.c: a file of /sys/kernel/debug/goheap, in lines and tokens. */
#define DF_MAXLINES	512
#define DF_MAXTOK	24

struct dfile {
	unsigned int nlines;
	char *line[DF_MAXLINES];
	char *copy[DF_MAXLINES];	/* what tok[] points into */
	unsigned int ntok[DF_MAXLINES];
	char *tok[DF_MAXLINES][DF_MAXTOK];
};

int df_read(const char *name, struct dfile *d);
void df_path(const char *name, char *path, size_t len);
bool df_readable(const char *name);
void df_free(struct dfile *d);
/* The token of line @row in the column called @name in header line @h, or "0". */
const char *df_cell(const struct dfile *d, unsigned int row, unsigned int h,
		    const char *name);
uint64_t df_num(const char *s);
void df_json_tok(const char *key, const char *tok);
void df_json_rows(const struct dfile *d, const char *key, unsigned int h, unsigned int end);

/* env.c: the machine. */
uint64_t now_ns(void);
long minflt_self(void);
struct hv {
	bool virt;		/* CPUID hypervisor bit, or a DMI vendor of one */
	char name[48];		/* "QEMU TCG", "KVM", ... or "" */
};

const struct hv *hv_detect(void);
const char *timing_label(void);	/* "emulated" or "native" */
const char *thp_mode(char *buf, size_t len);	/* "always", "madvise", "never", "unavailable" */
bool thp_available(void);			/* CONFIG_TRANSPARENT_HUGEPAGE */
uint64_t smaps_kib(const void *addr, const char *field);
uint64_t smaps_kib_range(const void *addr, size_t len, const char *field);
bool is_terminal(int fd);
bool progress_on(void);
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void progress_done(void);
int read_param(const char *name, char *buf, size_t len);
uint64_t rand64(void);
void sort_u64(uint64_t *v, size_t n);
uint64_t median_u64(uint64_t *v, size_t n);

/* region.c: working memory of one kind, in one virtually contiguous range. */
enum mem_kind {
	MK_SPAN,		/* heap span(s), as the heap gives them */
	MK_SPAN_PREFAULT,	/* the same, populated at mmap */
	MK_SPAN_CONTIG,		/* GOHEAP_SPAN_CONTIGUOUS span(s) */
	MK_SPAN_SCATTERED,	/* GOHEAP_SPAN_SCATTERED span(s) */
	MK_ANON_4K,		/* anonymous, MADV_NOHUGEPAGE */
	MK_ANON_THP,		/* anonymous, 2 MiB aligned, MADV_HUGEPAGE */
	MK_NR,
};

struct region_span {
	int fd;
	uint32_t handle;
	uint64_t npages;
	size_t len;		/* bytes mapped at its place in the region */
};

struct region {
	enum mem_kind kind;
	char *base;		/* user address of the first byte */
	size_t len;
	char *resv;		/* the reservation around it (for spans, THP) */
	size_t resv_len;
	uint64_t mmap_ns;	/* time spent in mmap (prefault happens here) */
	struct region_span *spans;
	unsigned int nspans;
	int fds[64];
	unsigned int nfds;
	char err[160];		/* why region_create() failed */
};

extern const char *const mem_kind_name[MK_NR];
extern const char *const mem_kind_what[MK_NR];
bool mem_kind_is_span(enum mem_kind k);
int region_create(struct region *r, enum mem_kind kind, size_t len, const struct goheap_info *info);
int region_create_flags(struct region *r, enum mem_kind kind, size_t len,
			const struct goheap_info *info, uint32_t extra);
void region_destroy(struct region *r);
uint64_t region_span_faults(struct region *r);
uint64_t region_span_runs(struct region *r, uint64_t *hw_pages);

/* json.c: JSON with one key per line; "inline" containers stay on one line. */
void json_begin(void);
void json_end(void);
void json_nest(const char *key);
void json_obj(const char *key, bool inl);
void json_obj_end(void);
void json_arr(const char *key, bool inl);
void json_arr_end(void);
void json_u64(const char *key, uint64_t v);
void json_i64(const char *key, int64_t v);
void json_dbl(const char *key, double v, int prec);
void json_str(const char *key, const char *s);
void json_bool(const char *key, bool v);
void json_null(const char *key);

/* table.c: aligned text tables and units. */
#define TBL_MAXCOL	16
struct table {
	unsigned int ncols;
	const char *head[TBL_MAXCOL];
	bool left[TBL_MAXCOL];
	unsigned int nrows, cap;
	char **cells;		/* nrows * ncols strings */
	const char *indent;
};

/* Allocation that exits with a message when memory runs out. */
void *xrealloc(void *p, size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);

void tbl_init(struct table *t, const char *indent, const char *cols);
void tbl_cell(struct table *t, unsigned int row, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
unsigned int tbl_add(struct table *t);
void tbl_print(struct table *t, FILE *f);
void tbl_free(struct table *t);
const char *fmt_bytes(char *buf, size_t len, uint64_t bytes);
const char *fmt_size(char *buf, size_t len, uint64_t bytes);
const char *fmt_count(char *buf, size_t len, uint64_t n);
const char *fmt_ns(char *buf, size_t len, double ns);

/* pprof.c: protocol buffers' wire encoding, and a gzip member. */
struct pb {
	uint8_t *buf;
	size_t len, cap;
	bool failed;		/* out of memory: everything after is dropped */
};

void pb_uint(struct pb *b, unsigned int field, uint64_t v);
void pb_lenfield(struct pb *b, unsigned int field, const void *p, size_t n);
void pb_packed(struct pb *b, unsigned int field, const uint64_t *v, size_t n);
void pb_message(struct pb *b, unsigned int field, struct pb *m);
void pb_free(struct pb *b);
int gzip_write(FILE *f, const uint8_t *p, size_t n);

/* The commands. */
int cmd_info(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_span(int argc, char **argv);
int cmd_exp(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int exp_faults(int argc, char **argv);
int exp_contig(int argc, char **argv);
int exp_tlb(int argc, char **argv);

#endif /* GOHEAP_TOOL_H */
