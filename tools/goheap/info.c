// SPDX-License-Identifier: GPL-2.0
/*
 * goheap info: the module and the machine. The ABI version, features, heap
 * page size and limits (GOHEAP_IOC_GET_INFO), the module's parameters
 * (/sys/module/goheap/parameters), how trustworthy timings are here
 * (emulated or native, the hypervisor) and the THP mode.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

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
	"charges",
};

int cmd_info(int argc, char **argv)
{
	struct goheap_info info;
	char buf[64], b2[64], thp[32], pval[64];
	const struct hv *hv = hv_detect();
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
		json_bool("cap_heap_stats", info.caps & GOHEAP_CAP_HEAP_STATS);
		json_u64("user_charged", info.user_charged);
		json_u64("dev_charged", info.dev_charged);
		json_u64("dev_max_bytes", info.dev_max_bytes);
		json_obj("parameters", false);
		for (i = 0; i < (unsigned int)(np > 0 ? np : 0); i++)
			if (!read_param(params[i]->d_name, pval, sizeof(pval)))
				df_json_tok(params[i]->d_name, pval);
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
	printf("  heap statistics  %s\n", info.caps & GOHEAP_CAP_HEAP_STATS ?
	       "the heap's (CAP_PERFMON or CAP_SYS_ADMIN)" :
	       "the open file's only (the heap's need CAP_PERFMON or CAP_SYS_ADMIN)");
	printf("  charged to you   %s (RLIMIT_MEMLOCK, without CAP_IPC_LOCK)\n",
	       fmt_bytes(buf, sizeof(buf), info.user_charged));
	printf("  all users        ");
	if (info.caps & GOHEAP_CAP_HEAP_STATS)
		printf("%s", fmt_bytes(buf, sizeof(buf), info.dev_charged));
	else
		printf("withheld");
	printf(" of %s (dev_max_bytes)\n", fmt_bytes(b2, sizeof(b2), info.dev_max_bytes));
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
