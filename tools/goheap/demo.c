// SPDX-License-Identifier: GPL-2.0
/*
 * goheap demo: a short guided run of the tool, for "make demo" (the guest
 * job tools/testing/vm/jobs/demo.sh runs it when the tool is shipped).
 *
 * Each step prints the command it stands for, one sentence on what to look
 * at, and the command's own output. The sizes are chosen to finish in well
 * under a minute under QEMU's software emulation. With --json the steps'
 * documents are collected in one: {"demo": [{"command": ..., "result":
 * {...}}, ...]}.
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"

struct demo_step {
	const char *cmdline;	/* as a user would type it */
	const char *look;	/* what to look at */
	int (*fn)(int argc, char **argv);
	char *argv[12];
};

static struct demo_step demo_steps[] = {
	{ "goheap info",
	  "the module's ABI, heap page size and limits, and whether timings are emulated",
	  cmd_info, { "info" } },
	{ "goheap stats memstats",
	  "the heap in Go's runtime.MemStats terms, read through /dev/goheap",
	  cmd_stats, { "stats", "memstats" } },
	{ "goheap span run --pages 4 --touch --pfns",
	  "a span of 4 heap pages: one fault per 4 KiB page touched, and where it is",
	  cmd_span, { "span", "run", "--pages", "4", "--touch", "--pfns" } },
	{ "goheap exp faults --repeat 1",
	  "faults per 4 KiB page: demand-mapped spans 1, prefaulted 0, THP 1 per 2 MiB",
	  exp_faults, { "faults", "--repeat", "1" } },
	{ "goheap exp contig",
	  "physically contiguous runs; with 8 KiB heap pages each is 2 adjacent pages",
	  exp_contig, { "contig" } },
	{ "goheap exp tlb --max 32M --mode page",
	  "ns per access as the working set outgrows the TLB (emulated under QEMU)",
	  exp_tlb, { "tlb", "--max", "32M", "--mode", "page" } },
};

int cmd_demo(int argc, char **argv)
{
	unsigned int i, failed = 0;
	uint64_t t0 = now_ns();

	if (argc > 1) {
		if (is_help(argv[1])) {
			puts("usage: goheap demo [--json]\n\nA short guided run of goheap info, "
			     "stats, span and the three experiments.");
			return EXIT_OK;
		}
		die_usage("unexpected argument '%s'", argv[1]);
	}
	if (g.json) {
		json_begin();
		json_arr("demo", false);
	}
	for (i = 0; i < ARRAY_SIZE(demo_steps); i++) {
		struct demo_step *d = &demo_steps[i];
		int ac = 0, rc;

		while (ac < 12 && d->argv[ac])
			ac++;
		if (g.json) {
			json_obj(NULL, false);
			json_str("command", d->cmdline);
			json_nest("result");
		} else {
			printf("%s== %u/%zu: %s\n   (%s)\n\n", i ? "\n" : "", i + 1,
			       ARRAY_SIZE(demo_steps), d->cmdline, d->look);
		}
		fflush(stdout);
		set_cmd_name(d->argv[0]);
		rc = d->fn(ac, d->argv);
		fflush(stdout);
		json_nest(NULL);	/* unused if the step failed before its output */
		if (rc)
			failed++;
		if (g.json) {
			json_i64("status", rc);
			json_obj_end();
		}
	}
	if (g.json) {
		json_arr_end();
		json_u64("failed", failed);
		json_end();
	} else {
		printf("\n== demo done in %.1f s (%s), %u step%s failed\n",
		       (double)(now_ns() - t0) / 1e9, timing_label(), failed,
		       failed == 1 ? "" : "s");
	}
	return failed ? EXIT_FAIL : EXIT_OK;
}
