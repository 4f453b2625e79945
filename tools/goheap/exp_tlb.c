// SPDX-License-Identifier: GPL-2.0
/*
 * goheap exp tlb: a pointer chase over working sets of growing size, built
 * from each kind of memory, to find where the latency per access rises
 * (the reach of the TLB, and of the caches).
 *
 * For a working set of S bytes the chase visits nodes in one random cycle:
 * one node per 4 KiB page (at a random 64 B line of it, so that the nodes
 * do not all fall in the same cache sets) in "page" mode, one per 64 B line
 * in "line" mode. Each load depends on the previous one, so the time per
 * access is the latency of the translation and the load. Sizes double from
 * --min to --max; each kind is one region of --max bytes (region.c) whose
 * prefixes are the smaller working sets. Spans are prefaulted, and
 * anonymous memory is written before timing, so no page fault is timed.
 *
 * Each chase is timed in CHUNKS equal pieces and the median piece counts,
 * so that an interrupt or a host preemption does not make a spike.
 *
 * The knee of a series is the first size at which the latency reaches 1.5
 * times the series' baseline (its lowest latency over working sets up to
 * 32 KiB, which fit any L1 cache and TLB); the steepest step is the size
 * whose latency rose most over the size half as large. The first shows
 * where the smallest structure (L1 TLB, L1 cache) overflows, the second
 * the biggest cliff (the last-level TLB's reach, or the caches').
 *
 * Under emulation (QEMU's TCG has no hardware TLB counters, and its
 * software TLB is not the CPU's) the timings are labelled "emulated": read
 * them as ratios within one run. The structural figures (pages and 2 MiB
 * regions per working set, huge pages backing anon-thp) hold anywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

#define MAX_SIZES	24
#define KNEE_RATIO	1.5
#define CHUNKS		5	/* timed pieces of a chase; the median one counts */

static const enum mem_kind all_kinds[] = {
	MK_SPAN, MK_SPAN_CONTIG, MK_SPAN_SCATTERED, MK_ANON_4K, MK_ANON_THP,
};

enum { MODE_PAGE, MODE_LINE, MODE_NR };
static const char *const mode_name[MODE_NR] = { "page", "line" };
static const size_t mode_stride[MODE_NR] = { 4096, 64 };

struct series {
	enum mem_kind kind;
	bool ok;
	char err[160];
	uint64_t huge_kib;
	double ns[MODE_NR][MAX_SIZES];	/* < 0: not measured */
	uint64_t accesses[MODE_NR][MAX_SIZES];
};

static void *volatile sink;

/* chase - follow @n pointers from @p (n a multiple of 8). */
static void *chase(void *p, uint64_t n)
{
	void **q = p;

	for (; n; n -= 8) {
		q = *q; q = *q; q = *q; q = *q;
		q = *q; q = *q; q = *q; q = *q;
	}
	return q;
}

/*
 * node - the node in slot @k of @order: one node per @stride bytes, at a
 * cache line of its stride that varies from node to node.
 */
static inline char *node(char *base, const uint32_t *order, size_t stride, size_t k)
{
	size_t o = order[k];

	return base + o * stride + (stride > 64 ? (o * 37 % (stride / 64)) * 64 : 0);
}

/*
 * build - link the nodes of the first @size bytes of @base into one random
 * cycle; returns the first node. @order is scratch for @n entries.
 */
static void *build(char *base, size_t size, size_t stride, uint32_t *order)
{
	size_t n = size / stride, i;
	char *first;

	for (i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	for (i = n - 1; i > 0; i--) {
		size_t j = rand64() % (i + 1);
		uint32_t x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
	for (i = 0; i < n; i++)
		*(void **)node(base, order, stride, i) = node(base, order, stride, (i + 1) % n);
	first = node(base, order, stride, 0);
	return first;
}

static uint64_t accesses_for(size_t nodes, uint64_t forced)
{
	uint64_t a = forced ? forced : 4 * (uint64_t)nodes;

	if (!forced) {
		if (a < (1 << 16))
			a = 1 << 16;
		if (a > (1 << 21))
			a = 1 << 21;
	}
	return (a + 8 * CHUNKS - 1) / (8 * CHUNKS) * (8 * CHUNKS);
}

static int run_series(struct series *s, const size_t *sizes, unsigned int nsizes,
		      const bool *modes, uint64_t forced, const struct goheap_info *info,
		      uint32_t *order, unsigned int *step, unsigned int nsteps)
{
	size_t max = sizes[nsizes - 1], off;
	struct region reg;
	unsigned int m, i;

	progress("exp tlb: %s: mapping %zu MiB", mem_kind_name[s->kind], max >> 20);
	if (region_create_flags(&reg, s->kind, max, info,
				mem_kind_is_span(s->kind) ? GOHEAP_SPAN_PREFAULT : 0)) {
		snprintf(s->err, sizeof(s->err), "%s", reg.err);
		*step += nsizes * (modes[0] + modes[1]);
		return -1;
	}
	/* Populate anonymous memory now: no fault may land in a timed chase. */
	for (off = 0; off < reg.len; off += HW_PAGE)
		reg.base[off] = 0;
	if (s->kind == MK_ANON_THP)
		s->huge_kib = smaps_kib_range(reg.base, reg.len, "AnonHugePages");
	for (m = 0; m < MODE_NR; m++) {
		for (i = 0; i < nsizes; i++) {
			size_t n = sizes[i] / mode_stride[m];
			uint64_t a, t0, t[CHUNKS];
			unsigned int r;
			void *p;

			s->ns[m][i] = -1;
			if (!modes[m] || !n)
				continue;
			++*step;
			progress("exp tlb: %s, one access per %s, %zu KiB  [%u/%u]",
				 mem_kind_name[s->kind], m == MODE_PAGE ? "page" : "line",
				 sizes[i] >> 10, *step, nsteps);
			p = build(reg.base, sizes[i], mode_stride[m], order);
			a = accesses_for(n, forced);
			p = chase(p, (n + 7) & ~7ULL);	/* warm up: one lap */
			for (r = 0; r < CHUNKS; r++) {
				t0 = now_ns();
				p = chase(p, a / CHUNKS);
				t[r] = now_ns() - t0;
			}
			s->ns[m][i] = (double)median_u64(t, CHUNKS) / (double)(a / CHUNKS);
			s->accesses[m][i] = a;
			sink = p;
		}
	}
	region_destroy(&reg);
	s->ok = true;
	return 0;
}

/* knee - index of the first size at KNEE_RATIO x the baseline, or -1. */
static int knee(const double *ns, const size_t *sizes, unsigned int nsizes, double *base)
{
	unsigned int i;

	*base = -1;
	for (i = 0; i < nsizes && sizes[i] <= (32 << 10); i++)
		if (ns[i] > 0 && (*base < 0 || ns[i] < *base))
			*base = ns[i];
	if (*base <= 0)
		return -1;
	for (i = 0; i < nsizes; i++)
		if (ns[i] >= KNEE_RATIO * *base)
			return (int)i;
	return -1;
}

/* steepest - index of the size with the largest rise over the size before it. */
static int steepest(const double *ns, unsigned int nsizes)
{
	double best = 0;
	int at = -1;
	unsigned int i;

	for (i = 1; i < nsizes; i++)
		if (ns[i - 1] > 0 && ns[i] / ns[i - 1] > best) {
			best = ns[i] / ns[i - 1];
			at = (int)i;
		}
	return best > 1 ? at : -1;
}

static void tlb_usage(void)
{
	puts("usage: goheap exp tlb [--max SIZE] [--min SIZE] [--mode page|line|both]\n"
	     "                      [--kinds K,K,...] [--accesses N] [--json]\n\n"
	     "Pointer chase in random order, one access per 4 KiB page and/or per 64 B\n"
	     "line, over working sets doubling from --min (default 4K) to --max\n"
	     "(default 64M, at most 1G), built from each kind of memory: span,\n"
	     "span-contig, span-scattered, anon-4k, anon-thp (default: all). Reports\n"
	     "ns per access and the knee where it reaches 1.5x its small-set baseline.\n"
	     "Timings under a hypervisor or emulator are labelled \"emulated\".");
}

static bool parse_kinds(const char *s, bool *want)
{
	char *copy = strdup(s), *tok, *save = NULL;
	unsigned int k;
	bool any = false;

	if (!copy)
		return false;
	memset(want, 0, MK_NR * sizeof(bool));
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < ARRAY_SIZE(all_kinds); k++)
			if (!strcmp(tok, mem_kind_name[all_kinds[k]]))
				break;
		if (k == ARRAY_SIZE(all_kinds)) {
			free(copy);
			die_usage("--kinds: unknown kind '%s' (span, span-contig, span-scattered, "
				  "anon-4k, anon-thp)", tok);
		}
		want[all_kinds[k]] = any = true;
	}
	free(copy);
	return any;
}

int exp_tlb(int argc, char **argv)
{
	size_t min = 4 << 10, max = 64 << 20, sizes[MAX_SIZES], sz;
	bool modes[MODE_NR] = { true, true }, want[MK_NR];
	struct series ser[ARRAY_SIZE(all_kinds)];
	const struct hv *hv = hv_detect();
	unsigned int nsizes = 0, nser = 0, step = 0, nsteps, i, k, m;
	uint64_t forced = 0;
	struct goheap_info info;
	uint32_t *order;
	char b1[32], b2[32], b3[32], thp[32];
	int a, fd, rc = EXIT_OK;

	for (k = 0; k < MK_NR; k++)
		want[k] = true;
	for (a = 1; a < argc; a++) {
		if (is_help(argv[a])) {
			tlb_usage();
			return EXIT_OK;
		} else if (!strcmp(argv[a], "--max")) {
			max = parse_size("--max", opt_arg(argc, argv, &a), 4 << 10, 1 << 30);
		} else if (!strcmp(argv[a], "--min")) {
			min = parse_size("--min", opt_arg(argc, argv, &a), 4 << 10, 1 << 30);
		} else if (!strcmp(argv[a], "--mode")) {
			const char *mo = opt_arg(argc, argv, &a);

			modes[MODE_PAGE] = !strcmp(mo, "page") || !strcmp(mo, "both");
			modes[MODE_LINE] = !strcmp(mo, "line") || !strcmp(mo, "both");
			if (!modes[MODE_PAGE] && !modes[MODE_LINE])
				die_usage("--mode: '%s' is not page, line or both", mo);
		} else if (!strcmp(argv[a], "--kinds")) {
			if (!parse_kinds(opt_arg(argc, argv, &a), want))
				die_usage("--kinds: no kind given");
		} else if (!strcmp(argv[a], "--accesses")) {
			forced = parse_count("--accesses", opt_arg(argc, argv, &a), 8, 1ULL << 32);
		} else {
			die_usage("unexpected argument '%s'", argv[a]);
		}
	}
	if (min > max)
		die_usage("--min %zu KiB is above --max %zu KiB", min >> 10, max >> 10);
	if ((min & (min - 1)) || (max & (max - 1)))
		die_usage("--min and --max must be powers of two (4K, 64K, 2M, 64M, ...)");
	for (sz = min; sz <= max && nsizes < MAX_SIZES; sz *= 2)
		sizes[nsizes++] = sz;
	/* Anonymous memory needs no module: run without it if no span is wanted. */
	memset(&info, 0, sizeof(info));
	if (want[MK_SPAN] || want[MK_SPAN_CONTIG] || want[MK_SPAN_SCATTERED]) {
		fd = dev_open();
		if (fd < 0 || dev_info(fd, &info))
			return EXIT_FAIL;
		close(fd);
	}
	thp_mode(thp, sizeof(thp));
	order = malloc((max / 64) * sizeof(*order));
	if (!order) {
		warnx_("exp tlb: no memory for %zu chase nodes", max / 64);
		return EXIT_FAIL;
	}

	for (k = 0; k < ARRAY_SIZE(all_kinds); k++)
		if (want[all_kinds[k]])
			nser++;
	nsteps = nser * nsizes * (modes[0] + modes[1]);
	memset(ser, 0, sizeof(ser));
	nser = 0;
	for (k = 0; k < ARRAY_SIZE(all_kinds); k++) {
		if (!want[all_kinds[k]])
			continue;
		ser[nser].kind = all_kinds[k];
		if (run_series(&ser[nser], sizes, nsizes, modes, forced, &info, order, &step,
			       nsteps))
			rc = EXIT_FAIL;
		nser++;
	}
	progress_done();
	free(order);

	if (g.json) {
		json_begin();
		json_str("experiment", "tlb");
		json_u64("min", min);
		json_u64("max", max);
		json_u64("heap_page_size", info.heap_page_size);
		json_str("timing", timing_label());
		json_str("hypervisor", hv->virt ? hv->name : NULL);
		json_str("thp", thp);
		json_dbl("knee_ratio", KNEE_RATIO, 2);
		json_arr("series", false);
		for (i = 0; i < nser; i++)
			for (m = 0; m < MODE_NR; m++) {
				double base;
				int kn;

				if (!modes[m])
					continue;
				kn = ser[i].ok ? knee(ser[i].ns[m], sizes, nsizes, &base) : -1;
				json_obj(NULL, true);
				json_str("kind", mem_kind_name[ser[i].kind]);
				json_str("mode", mode_name[m]);
				json_bool("ok", ser[i].ok);
				if (!ser[i].ok)
					json_str("error", ser[i].err);
				if (ser[i].ok)
					json_dbl("baseline_ns", base, 2);
				if (kn >= 0)
					json_u64("knee", sizes[kn]);
				else
					json_null("knee");
				kn = ser[i].ok ? steepest(ser[i].ns[m], nsizes) : -1;
				if (kn >= 0) {
					json_u64("steepest", sizes[kn]);
					json_dbl("steepest_ratio",
						 ser[i].ns[m][kn] / ser[i].ns[m][kn - 1], 2);
				} else {
					json_null("steepest");
				}
				if (ser[i].kind == MK_ANON_THP)
					json_u64("huge_kib", ser[i].huge_kib);
				json_obj_end();
			}
		json_arr_end();
		json_arr("rows", false);
		for (m = 0; m < MODE_NR; m++)
			for (k = 0; k < nsizes && modes[m]; k++)
				for (i = 0; i < nser; i++) {
					if (!ser[i].ok || ser[i].ns[m][k] < 0)
						continue;
					json_obj(NULL, true);
					json_str("mode", mode_name[m]);
					json_u64("size", sizes[k]);
					json_u64("pages",
						 sizes[k] / HW_PAGE ? sizes[k] / HW_PAGE : 1);
					json_u64("regions_2m",
						 (sizes[k] + HUGE_PAGE - 1) / HUGE_PAGE);
					json_str("kind", mem_kind_name[ser[i].kind]);
					json_dbl("ns", ser[i].ns[m][k], 2);
					json_u64("accesses", ser[i].accesses[m][k]);
					json_obj_end();
				}
		json_arr_end();
		json_end();
		return rc;
	}

	printf("exp tlb: pointer chase in random order, working sets %s to %s",
	       fmt_size(b1, sizeof(b1), min), fmt_size(b2, sizeof(b2), max));
	if (info.heap_page_size)
		printf(", heap pages of %s", fmt_bytes(b3, sizeof(b3), info.heap_page_size));
	printf("\n");
	if (hv->virt && strstr(hv->name, "TCG"))
		printf("timings emulated (%s): ns per access through QEMU's software TLB and "
		       "the host's\ncaches, not a CPU's TLB; compare them as ratios within "
		       "this run\n", hv->name);
	else if (hv->virt)
		printf("timings emulated (%s): under a hypervisor, a TLB miss also walks the "
		       "host's\npage tables; compare them as ratios within this run\n",
		       hv->name);
	else
		printf("timings native: ns per dependent load\n");
	for (m = 0; m < MODE_NR; m++) {
		char cols[256];
		size_t n;
		struct table t;

		if (!modes[m])
			continue;
		n = (size_t)snprintf(cols, sizeof(cols), "working set|4K pages|2M regions");
		for (i = 0; i < nser; i++)
			n += (size_t)snprintf(cols + n, sizeof(cols) - n, "|%s",
					      mem_kind_name[ser[i].kind]);
		printf("\none access per %s, ns per access (%s):\n",
		       m == MODE_PAGE ? "4 KiB page" : "64 B line", timing_label());
		tbl_init(&t, "  ", cols);
		for (k = 0; k < nsizes; k++) {
			unsigned int row = tbl_add(&t);

			tbl_cell(&t, row, 0, "%s", fmt_size(b1, sizeof(b1), sizes[k]));
			tbl_cell(&t, row, 1, "%zu", sizes[k] / HW_PAGE);
			tbl_cell(&t, row, 2, "%zu", (sizes[k] + HUGE_PAGE - 1) / HUGE_PAGE);
			for (i = 0; i < nser; i++) {
				if (!ser[i].ok)
					tbl_cell(&t, row, 3 + i, "-");
				else if (ser[i].ns[m][k] >= 0)
					tbl_cell(&t, row, 3 + i, "%.1f", ser[i].ns[m][k]);
			}
		}
		k = tbl_add(&t);
		tbl_cell(&t, k, 0, "knee");
		for (i = 0; i < nser; i++) {
			double base;
			int kn = ser[i].ok ? knee(ser[i].ns[m], sizes, nsizes, &base) : -1;

			tbl_cell(&t, k, 3 + i, "%s", kn >= 0 ?
				 fmt_size(b1, sizeof(b1), sizes[kn]) : "none");
		}
		k = tbl_add(&t);
		tbl_cell(&t, k, 0, "steepest");
		for (i = 0; i < nser; i++) {
			int kn = ser[i].ok ? steepest(ser[i].ns[m], nsizes) : -1;

			if (kn >= 0)
				tbl_cell(&t, k, 3 + i, "%s x%.1f",
					 fmt_size(b1, sizeof(b1), sizes[kn]),
					 ser[i].ns[m][kn] / ser[i].ns[m][kn - 1]);
			else
				tbl_cell(&t, k, 3 + i, "none");
		}
		tbl_print(&t, stdout);
		tbl_free(&t);
	}
	printf("\n  knee: first working set at %.1fx the latency of the smallest ones "
	       "(up to 32 KiB)\n  steepest: the working set with the largest rise over "
	       "the one half its size\n", KNEE_RATIO);
	for (i = 0; i < nser; i++) {
		if (!ser[i].ok)
			printf("  %s: skipped: %s\n", mem_kind_name[ser[i].kind], ser[i].err);
		else if (ser[i].kind == MK_ANON_THP)
			printf("  anon-thp: %s of %s in 2 MiB pages (THP mode %s)\n",
			       fmt_bytes(b1, sizeof(b1), ser[i].huge_kib << 10),
			       fmt_bytes(b2, sizeof(b2), max), thp);
	}
	printf("  spans are mapped with 4 KiB page table entries, contiguous or not; "
	       "only THP gets\n  2 MiB entries, so only it can extend the TLB's reach\n");
	return rc;
}
