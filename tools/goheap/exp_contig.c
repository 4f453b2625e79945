// SPDX-License-Identifier: GPL-2.0
/*
 * goheap exp contig: how spans sit in physical memory.
 *
 * It allocates, without mapping them, a span of --pages heap pages of each
 * kind (as the heap gives it, GOHEAP_SPAN_CONTIGUOUS, GOHEAP_SPAN_SCATTERED)
 * and --singles spans of one heap page, and reports for each the number of
 * physically contiguous runs (GOHEAP_IOC_SPAN_INFO, any caller) and, for a
 * caller with CAP_SYS_ADMIN, what the PFNs show: the longest run, the
 * alignment of the first page, and whether every heap page is a pair of
 * adjacent hardware pages starting on an even PFN (an 8 KiB heap page) or a
 * single one (a 4 KiB heap page).
 *
 * The heap page size is goheap.ko's heap_page_size parameter, fixed while
 * the module is loaded: this experiment reports the loaded one. To compare
 * 4 KiB and 8 KiB heap pages, run it once in each mode (rmmod goheap;
 * insmod goheap.ko heap_page_size=4096); Documentation/tools.rst shows both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

struct contig_row {
	const char *kind;
	const char *what;
	uint32_t flags;
	unsigned int nspans;	/* spans of npages each, concatenated */
	uint64_t npages;
	bool ok;
	char err[128];
	uint64_t hw_pages;
	uint64_t runs;		/* kernel's count, summed over the spans */
	uint64_t *pfns;		/* NULL without CAP_SYS_ADMIN */
	uint64_t pfn_runs;	/* runs over the concatenation, from the PFNs */
	uint64_t longest;
	uint64_t align;		/* bytes: largest power of two dividing the first address */
	uint64_t pairs_adjacent;	/* heap pages whose hw pages are consecutive */
	uint64_t pairs_aligned;		/* ... and start on a heap-page boundary */
};

static void measure(int fd, struct contig_row *r, const struct goheap_info *info, bool pfns)
{
	uint64_t per = info->heap_page_size / HW_PAGE, i, hp = r->npages * per;
	uint32_t handles[64];
	unsigned int s, n = 0;

	if (pfns) {
		r->pfns = calloc(hp * r->nspans, sizeof(uint64_t));
		pfns = !!r->pfns;
	}
	for (s = 0; s < r->nspans; s++) {
		struct goheap_span_alloc sa;
		struct goheap_span_info si;

		if (dev_span_alloc(fd, r->npages, r->flags, &sa)) {
			snprintf(r->err, sizeof(r->err), "span allocation failed");
			goto free_spans;
		}
		handles[n++] = sa.handle;
		if (dev_span_info(fd, sa.handle, pfns ? r->pfns + s * hp : NULL, pfns ? hp : 0,
				  &si)) {
			snprintf(r->err, sizeof(r->err), "span info failed");
			goto free_spans;
		}
		r->hw_pages += si.hw_pages;
		r->runs += si.runs;
	}
	r->ok = true;
	if (!pfns)
		goto free_spans;
	r->pfn_runs = 1;
	for (i = 0; i < r->hw_pages; ) {
		uint64_t j = i + 1;

		while (j < r->hw_pages && r->pfns[j] == r->pfns[j - 1] + 1)
			j++;
		if (j - i > r->longest)
			r->longest = j - i;
		if (i)
			r->pfn_runs++;
		i = j;
	}
	r->align = HW_PAGE;
	while (r->align < (1ULL << 30) && !((r->pfns[0] * HW_PAGE) & (r->align * 2 - 1)))
		r->align *= 2;
	for (i = 0; i + per <= r->hw_pages; i += per) {
		uint64_t j;
		bool adj = true;

		for (j = 1; j < per; j++)
			adj = adj && r->pfns[i + j] == r->pfns[i] + j;
		r->pairs_adjacent += adj;
		r->pairs_aligned += adj && r->pfns[i] % per == 0;
	}
free_spans:
	for (s = 0; s < n; s++)
		dev_span_free(fd, handles[s]);
}

static void contig_usage(void)
{
	puts("usage: goheap exp contig [--pages N] [--singles M] [--json]\n\n"
	     "Allocate a span of N heap pages (default 16) as the heap gives it,\n"
	     "physically contiguous and scattered, and M (default 8) spans of one heap\n"
	     "page, and report their physically contiguous runs; with CAP_SYS_ADMIN\n"
	     "also the PFNs: longest run, alignment, and heap pages made of adjacent\n"
	     "hardware pages. Reports the loaded heap page size (heap_page_size).");
}

int exp_contig(int argc, char **argv)
{
	struct contig_row rows[4] = {
		{ .kind = "span", .what = "as the heap gives it", .nspans = 1 },
		{ .kind = "span-contig", .what = "GOHEAP_SPAN_CONTIGUOUS",
		  .flags = GOHEAP_SPAN_CONTIGUOUS, .nspans = 1 },
		{ .kind = "span-scattered", .what = "GOHEAP_SPAN_SCATTERED",
		  .flags = GOHEAP_SPAN_SCATTERED, .nspans = 1 },
		{ .kind = "span-1page", .what = "1-page spans, in allocation order",
		  .nspans = 8, .npages = 1 },
	};
	struct goheap_info info;
	uint64_t npages = 16, per, k;
	unsigned int singles = 8, i;
	bool pfns;
	char b1[32], b2[32];
	struct table t;
	int a, fd, rc = EXIT_OK;

	for (a = 1; a < argc; a++) {
		if (is_help(argv[a])) {
			contig_usage();
			return EXIT_OK;
		} else if (!strcmp(argv[a], "--pages") || !strcmp(argv[a], "-p")) {
			npages = parse_count("--pages", opt_arg(argc, argv, &a), 1, 1024);
		} else if (!strcmp(argv[a], "--singles")) {
			singles = parse_count("--singles", opt_arg(argc, argv, &a), 1, 64);
		} else {
			die_usage("unexpected argument '%s'", argv[a]);
		}
	}
	fd = dev_open();
	if (fd < 0 || dev_info(fd, &info))
		return EXIT_FAIL;
	if (npages > info.max_span_pages)
		die_usage("--pages: at most %u (one chunk)", info.max_span_pages);
	pfns = info.caps & GOHEAP_CAP_PFNS;
	per = info.heap_page_size / HW_PAGE;
	rows[3].nspans = singles;
	for (i = 0; i < 3; i++)
		rows[i].npages = npages;
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		progress("exp contig: %s", rows[i].kind);
		measure(fd, &rows[i], &info, pfns);
		if (!rows[i].ok)
			rc = EXIT_FAIL;
	}
	progress_done();
	close(fd);

	if (g.json) {
		json_begin();
		json_str("experiment", "contig");
		json_u64("heap_page_size", info.heap_page_size);
		json_u64("hw_page_size", HW_PAGE);
		json_u64("hw_pages_per_heap_page", per);
		json_bool("pfns_visible", pfns);
		json_arr("rows", false);
		for (i = 0; i < ARRAY_SIZE(rows); i++) {
			struct contig_row *r = &rows[i];

			json_obj(NULL, true);
			json_str("kind", r->kind);
			json_bool("ok", r->ok);
			json_u64("spans", r->nspans);
			json_u64("npages", r->npages * r->nspans);
			json_u64("hw_pages", r->hw_pages);
			json_u64("runs", r->runs);
			/* PFN figures for CAP_SYS_ADMIN; pairs only mean something at 8 KiB. */
			if (pfns && r->ok) {
				json_u64("pfn_runs", r->pfn_runs);
				json_u64("longest_run", r->longest);
				json_u64("first_pfn", r->pfns[0]);
				json_u64("align", r->align);
			} else {
				json_null("pfn_runs");
				json_null("longest_run");
				json_null("first_pfn");
				json_null("align");
			}
			if (pfns && r->ok && per > 1) {
				json_u64("heap_pages_adjacent", r->pairs_adjacent);
				json_u64("heap_pages_aligned", r->pairs_aligned);
			} else {
				json_null("heap_pages_adjacent");
				json_null("heap_pages_aligned");
			}
			json_obj_end();
		}
		json_arr_end();
		json_end();
		goto out;
	}

	printf("exp contig: heap pages of %s (goheap.ko heap_page_size=%u): one heap page = "
	       "%llu hardware page%s of 4 KiB\n", fmt_bytes(b1, sizeof(b1), info.heap_page_size),
	       info.heap_page_size, (unsigned long long)per, per == 1 ? "" : "s");
	if (!pfns)
		printf("(PFNs withheld: they need CAP_SYS_ADMIN; runs are for everyone)\n");
	printf("\n");
	tbl_init(&t, "  ", "<kind|spans|heap pages|hw pages|runs|longest|first PFN|aligned|"
		 "heap pages = 2 adjacent hw pages");
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct contig_row *r = &rows[i];
		unsigned int row = tbl_add(&t);

		tbl_cell(&t, row, 0, "%s", r->kind);
		tbl_cell(&t, row, 1, "%u", r->nspans);
		tbl_cell(&t, row, 2, "%llu", (unsigned long long)(r->npages * r->nspans));
		if (!r->ok) {
			tbl_cell(&t, row, 3, "failed: %s", r->err);
			continue;
		}
		tbl_cell(&t, row, 3, "%llu", (unsigned long long)r->hw_pages);
		if (pfns && r->nspans > 1)
			tbl_cell(&t, row, 4, "%llu", (unsigned long long)r->pfn_runs);
		else if (r->nspans > 1 && r->runs == r->nspans)
			tbl_cell(&t, row, 4, "1 each");
		else
			tbl_cell(&t, row, 4, "%llu", (unsigned long long)r->runs);
		if (!pfns) {
			tbl_cell(&t, row, 5, "-");
			tbl_cell(&t, row, 6, "-");
			tbl_cell(&t, row, 7, "-");
			tbl_cell(&t, row, 8, "-");
			continue;
		}
		tbl_cell(&t, row, 5, "%llu", (unsigned long long)r->longest);
		tbl_cell(&t, row, 6, "%#llx", (unsigned long long)r->pfns[0]);
		tbl_cell(&t, row, 7, "%s", fmt_bytes(b1, sizeof(b1), r->align));
		if (per > 1)
			tbl_cell(&t, row, 8, "%llu of %llu", (unsigned long long)r->pairs_aligned,
				 (unsigned long long)(r->npages * r->nspans));
		else
			tbl_cell(&t, row, 8, "-");
	}
	tbl_print(&t, stdout);
	tbl_free(&t);

	printf("\n  runs: maximal runs of physically consecutive hardware pages (1 = "
	       "contiguous); for span-1page,\n  %s\n", pfns ?
	       "over the spans side by side in allocation order" :
	       "each span's own (runs across spans need the PFNs)");
	if (pfns && rows[0].ok) {
		printf("  span, first heap pages:\n");
		for (k = 0; k < rows[0].npages && k < 4; k++) {
			uint64_t j;

			printf("    heap page %llu = PFN", (unsigned long long)k);
			for (j = 0; j < per; j++)
				printf(" %#llx", (unsigned long long)rows[0].pfns[k * per + j]);
			if (per > 1)
				printf("  (%s, %s aligned)",
				       rows[0].pfns[k * per + 1] == rows[0].pfns[k * per] + 1 ?
				       "adjacent" : "NOT adjacent",
				       rows[0].pfns[k * per] % per ? "not" :
				       fmt_size(b2, sizeof(b2), info.heap_page_size));
			printf("\n");
		}
	}
	if (per > 1)
		printf("  an 8 KiB heap page is two adjacent 4 KiB hardware pages; a scattered "
		       "span (the\n  baseline, not from the heap) has none. With heap_page_size="
		       "4096 a heap page is one.\n");
	else
		printf("  a 4 KiB heap page is one hardware page; with heap_page_size=8192 "
		       "(the default)\n  each heap page is two adjacent ones.\n");
out:
	for (i = 0; i < ARRAY_SIZE(rows); i++)
		free(rows[i].pfns);
	return rc;
}
