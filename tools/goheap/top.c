// SPDX-License-Identifier: GPL-2.0
/*
 * goheap top: a live view of the heap, one frame every second (or -i
 * SECONDS): the memstats figures (GOHEAP_IOC_GET_MEMSTATS) with malloc,
 * free and allocation rates; and, when debugfs is readable (root), each
 * CPU's cache and the size classes that hold or move objects, through the
 * debugfs parser of stats.c.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

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

	n = ms_nfields;
	if (g.heap ? df_memstats(&ms) : dev_memstats(fd, &ms, &n))
		return -1;
	have_pc = df_readable("percpu") && !df_read("percpu", &pc);
	have_cl = df_readable("classes") && !df_read("classes", &cl);

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
			df_json_rows(&pc, "percpu", 0, pc.nlines);
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
		       fmt_bytes(c, sizeof(c), ms.heap_alloc),
		       fmt_bytes(d, sizeof(d), ms.heap_idle),
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
				uint64_t m = df_num(df_cell(&pc, r, 0, "mallocs"));
				uint64_t f = df_num(df_cell(&pc, r, 0, "frees"));
				uint64_t rf = df_num(df_cell(&pc, r, 0, "refills"));
				uint64_t fl = df_num(df_cell(&pc, r, 0, "flushes"));
				uint64_t cb = df_num(df_cell(&pc, r, 0, "cached_bytes"));

				tbl_cell(&tb, row, 0, "%s", df_cell(&pc, r, 0, "cpu"));
				tbl_cell(&tb, row, 1, "%s", df_cell(&pc, r, 0, "online"));
				tbl_cell(&tb, row, 2, "%s", df_cell(&pc, r, 0, "cached"));
				tbl_cell(&tb, row, 3, "%s", fmt_bytes(a, sizeof(a), cb));
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
			tbl_init(&tb, "",
				 "class|size|live|live_bytes|mallocs/s|frees/s|frag_bytes");
			for (r = 1; r < cl.nlines && r < 80; r++) {
				uint64_t m = df_num(df_cell(&cl, r, 0, "mallocs"));
				uint64_t f = df_num(df_cell(&cl, r, 0, "frees"));
				uint64_t live = df_num(df_cell(&cl, r, 0, "live"));
				unsigned int row;

				/*
				 * Active classes only: something live, or moving
				 * since the last frame.
				 */
				if (!strcmp(cl.tok[r][0], "total") ||
				    (!live && (!p->valid || (m == p->cls_mallocs[r] &&
							     f == p->cls_frees[r])))) {
					p->cls_mallocs[r] = m;
					p->cls_frees[r] = f;
					continue;
				}
				if (shown++ < 12) {
					uint64_t lb = df_num(df_cell(&cl, r, 0, "live_bytes"));
					uint64_t fb = df_num(df_cell(&cl, r, 0, "frag_bytes"));

					row = tbl_add(&tb);
					tbl_cell(&tb, row, 0, "%s", cl.tok[r][0]);
					tbl_cell(&tb, row, 1, "%s", df_cell(&cl, r, 0, "size"));
					tbl_cell(&tb, row, 2, "%llu", (unsigned long long)live);
					tbl_cell(&tb, row, 3, "%s", fmt_bytes(a, sizeof(a), lb));
					tbl_cell(&tb, row, 4, "%.0f",
						 rate(m, p->cls_mallocs[r], secs));
					tbl_cell(&tb, row, 5, "%.0f",
						 rate(f, p->cls_frees[r], secs));
					tbl_cell(&tb, row, 6, "%s", fmt_bytes(b, sizeof(b), fb));
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
				die_usage("-i: '%s' is not a number of seconds from 0.1 to 3600",
					  s);
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
