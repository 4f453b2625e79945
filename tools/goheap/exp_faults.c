// SPDX-License-Identifier: GPL-2.0
/*
 * goheap exp faults: what first touching memory costs, by kind of memory.
 *
 * For each kind (a span mapped on demand, a prefaulted span, anonymous
 * memory in 4 KiB pages, anonymous memory with transparent huge pages) the
 * experiment maps --size bytes, writes one byte of every 4 KiB page once,
 * and counts the page faults that took: the span's own fault counter
 * (GOHEAP_IOC_SPAN_INFO, spans only) and the process's minor faults
 * (getrusage). It times mmap and the touch loop, and reads how much of the
 * range the kernel backed with huge pages (AnonHugePages in smaps).
 *
 * Facts it shows: a span mapped on demand takes one fault per hardware page
 * (heap pages x heap page size / 4 KiB: there is no fault-around); a
 * prefaulted span takes none, its cost moved into mmap; anonymous 4 KiB
 * memory takes one per page; THP one per 2 MiB. Each kind is measured
 * --repeat times on fresh memory: counts come from the last run (they do not
 * vary), times are medians.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

static const enum mem_kind kinds[] = { MK_SPAN, MK_SPAN_PREFAULT, MK_ANON_4K, MK_ANON_THP };

struct fault_row {
	enum mem_kind kind;
	bool ok;
	char err[160];
	uint64_t pages;		/* 4 KiB pages touched */
	uint64_t span_faults;
	long minflt;
	uint64_t huge_kib;	/* AnonHugePages of the range after the touch */
	uint64_t mmap_ns, touch_ns;	/* medians */
};

static int measure(struct fault_row *row, size_t size, unsigned int repeat,
		   const struct goheap_info *info)
{
	uint64_t mm[16], tt[16];
	unsigned int r;

	for (r = 0; r < repeat; r++) {
		struct region reg;
		uint64_t t0, off;
		long m0;

		progress("exp faults: %s, run %u of %u", mem_kind_name[row->kind], r + 1, repeat);
		if (region_create(&reg, row->kind, size, info)) {
			snprintf(row->err, sizeof(row->err), "%s", reg.err);
			return -1;
		}
		row->pages = reg.len / HW_PAGE;
		m0 = minflt_self();
		t0 = now_ns();
		for (off = 0; off < reg.len; off += HW_PAGE)
			*(volatile char *)(reg.base + off) = 1;
		tt[r] = now_ns() - t0;
		row->minflt = minflt_self() - m0;
		mm[r] = reg.mmap_ns;
		row->span_faults = region_span_faults(&reg);
		row->huge_kib = mem_kind_is_span(row->kind) ? 0 :
				smaps_kib_range(reg.base, reg.len, "AnonHugePages");
		region_destroy(&reg);
	}
	row->mmap_ns = median_u64(mm, repeat);
	row->touch_ns = median_u64(tt, repeat);
	row->ok = true;
	return 0;
}

static void faults_usage(void)
{
	puts("usage: goheap exp faults [--size SIZE] [--repeat N] [--json]\n\n"
	     "Map SIZE (default 4M, at least 64K) of each kind of memory, write one byte\n"
	     "per 4 KiB page, and report page faults per page (the span's own counter\n"
	     "and getrusage) and the first-touch cost per page. Each kind is run N\n"
	     "times (default 3) on fresh memory; times are medians.");
}

int exp_faults(int argc, char **argv)
{
	struct fault_row rows[ARRAY_SIZE(kinds)];
	struct goheap_info info;
	unsigned int repeat = 3, k;
	size_t size = 4UL << 20;
	const struct hv *hv = hv_detect();
	char thp[32], b1[32], b2[32], b3[32], b4[32];
	struct table t;
	int i, fd, rc = EXIT_OK;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			faults_usage();
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--size") || !strcmp(argv[i], "-s")) {
			size = parse_size("--size", opt_arg(argc, argv, &i), 64 << 10, 1ULL << 30);
		} else if (!strcmp(argv[i], "--repeat") || !strcmp(argv[i], "-r")) {
			repeat = parse_count("--repeat", opt_arg(argc, argv, &i), 1, 15);
		} else {
			die_usage("unexpected argument '%s'", argv[i]);
		}
	}
	fd = dev_open();
	if (fd < 0 || dev_info(fd, &info))
		return EXIT_FAIL;
	close(fd);
	size = (size + info.heap_page_size - 1) / info.heap_page_size * info.heap_page_size;
	thp_mode(thp, sizeof(thp));

	memset(rows, 0, sizeof(rows));
	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		rows[k].kind = kinds[k];
		if (measure(&rows[k], size, repeat, &info))
			rc = EXIT_FAIL;
	}
	progress_done();

	if (g.json) {
		json_begin();
		json_str("experiment", "faults");
		json_u64("size", size);
		json_u64("hw_pages", size / HW_PAGE);
		json_u64("heap_page_size", info.heap_page_size);
		json_u64("repeat", repeat);
		json_str("timing", timing_label());
		json_str("hypervisor", hv->virt ? hv->name : NULL);
		json_str("thp", thp);
		json_arr("rows", false);
		for (k = 0; k < ARRAY_SIZE(kinds); k++) {
			struct fault_row *r = &rows[k];
			bool span = mem_kind_is_span(r->kind);

			json_obj(NULL, true);
			json_str("kind", mem_kind_name[r->kind]);
			json_bool("ok", r->ok);
			if (!r->ok) {
				json_str("error", r->err);
				json_obj_end();
				continue;
			}
			json_u64("pages", r->pages);
			if (span)
				json_u64("span_faults", r->span_faults);
			else
				json_null("span_faults");
			json_i64("minflt", r->minflt);
			json_dbl("faults_per_page",
				 (double)(span ? (long)r->span_faults : r->minflt) /
				 (double)r->pages, 4);
			json_u64("huge_kib", r->huge_kib);
			json_u64("mmap_ns", r->mmap_ns);
			json_dbl("touch_ns_per_page", (double)r->touch_ns / (double)r->pages, 1);
			json_dbl("total_ns_per_page",
				 (double)(r->mmap_ns + r->touch_ns) / (double)r->pages, 1);
			json_obj_end();
		}
		json_arr_end();
		json_end();
		return rc;
	}

	printf("exp faults: %s of each kind (%llu pages of 4 KiB), one write per page, "
	       "median of %u runs\n", fmt_bytes(b1, sizeof(b1), size),
	       (unsigned long long)(size / HW_PAGE), repeat);
	printf("heap pages of %s; THP mode %s; timings %s%s%s%s\n\n",
	       fmt_bytes(b2, sizeof(b2), info.heap_page_size), thp, timing_label(),
	       hv->virt ? " (" : "", hv->virt ? hv->name : "", hv->virt ? ")" : "");
	tbl_init(&t, "  ", "<kind|pages|span faults|minflt|faults/page|huge|mmap|"
		 "touch/page|total/page");
	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct fault_row *r = &rows[k];
		bool span = mem_kind_is_span(r->kind);
		unsigned int row = tbl_add(&t);

		tbl_cell(&t, row, 0, "%s", mem_kind_name[r->kind]);
		if (!r->ok) {
			tbl_cell(&t, row, 1, "failed: %s", r->err);
			continue;
		}
		tbl_cell(&t, row, 1, "%llu", (unsigned long long)r->pages);
		tbl_cell(&t, row, 2, span ? "%llu" : "-", (unsigned long long)r->span_faults);
		tbl_cell(&t, row, 3, "%ld", r->minflt);
		tbl_cell(&t, row, 4, "%.3f", (double)(span ? (long)r->span_faults : r->minflt) /
			 (double)r->pages);
		tbl_cell(&t, row, 5, "%s", r->huge_kib ?
			 fmt_bytes(b1, sizeof(b1), r->huge_kib << 10) : "-");
		tbl_cell(&t, row, 6, "%s", fmt_ns(b2, sizeof(b2), (double)r->mmap_ns));
		tbl_cell(&t, row, 7, "%s", fmt_ns(b3, sizeof(b3),
						  (double)r->touch_ns / (double)r->pages));
		tbl_cell(&t, row, 8, "%s", fmt_ns(b4, sizeof(b4),
						  (double)(r->mmap_ns + r->touch_ns) /
						  (double)r->pages));
	}
	tbl_print(&t, stdout);
	tbl_free(&t);

	printf("\n");
	if (rows[0].ok)
		printf("  span: %llu faults for %llu heap pages of %s: one per 4 KiB hardware page "
		       "(%u per heap page), no fault-around\n",
		       (unsigned long long)rows[0].span_faults,
		       (unsigned long long)(size / info.heap_page_size),
		       fmt_bytes(b1, sizeof(b1), info.heap_page_size),
		       info.heap_page_size / (unsigned int)HW_PAGE);
	if (rows[1].ok)
		printf("  span-prefault: %llu faults; mapping the pages moved into mmap "
		       "(vm_insert_pages)\n", (unsigned long long)rows[1].span_faults);
	if (rows[3].ok && rows[3].huge_kib)
		printf("  anon-thp: %ld faults, %s of the range in 2 MiB pages: one fault per "
		       "huge page\n", rows[3].minflt,
		       fmt_bytes(b1, sizeof(b1), rows[3].huge_kib << 10));
	else if (rows[3].ok)
		printf("  anon-thp: no huge pages (THP mode %s, or none free)\n", thp);
	printf("  faults/page: span faults per page for spans, minor faults (getrusage) for "
	       "anonymous memory\n");
	return rc;
}
