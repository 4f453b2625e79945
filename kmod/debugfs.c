// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs views of a heap, under /sys/kernel/debug/goheap/:
 *
 *   memstats   one "Name value" per line, Go's runtime.MemStats names
 *   classes    one row per size class, plus tiny blocks, large objects
 *              and a total row (zsmalloc's "classes" table style)
 *   pageheap   chunks, page counts and a histogram of free run lengths
 *   percpu     one row per possible CPU: what its cache holds and does
 *   validate   a consistency check of all metadata (and, in debug mode,
 *              of every object's poison and red zone), see validate.c
 *
 * Documentation/debugfs.rst describes every line and column.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "internal.h"
#include "pcpu.h"
#include "profile.h"
#include "stats.h"

static int memstats_show(struct seq_file *m, void *v)
{
	u64 ms[GH_MS_NR];
	unsigned int i;

	gh_read_memstats(m->private, ms);
	for (i = 0; i < GH_MS_NR; i++)
		seq_printf(m, "%s %llu\n", gh_ms_names[i], ms[i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(memstats);

static void class_row(struct seq_file *m, const char *name, u64 size, u64 span, u64 objs,
		      const struct gh_class_stats *cs, u64 live_bytes, u64 frag)
{
	seq_printf(m, "%5s %6llu %6llu %5llu %10llu %10llu %8llu %11llu %7llu %6llu %6llu %7llu %8llu %8llu %10llu\n",
		   name, size, span, objs, cs->mallocs, cs->frees,
		   cs->mallocs > cs->frees ? cs->mallocs - cs->frees : 0, live_bytes,
		   cs->spans_partial, cs->spans_full, cs->pcpu_cached, cs->central_cached,
		   cs->refills, cs->flushes, frag);
}

static int classes_show(struct seq_file *m, void *v)
{
	struct gh_heap *h = m->private;
	struct gh_class_stats cs, total = { 0 };
	u64 total_live = 0, total_frag = 0, live_large;
	unsigned int cls;
	char name[8];

	seq_printf(m, "%5s %6s %6s %5s %10s %10s %8s %11s %7s %6s %6s %7s %8s %8s %10s\n",
		   "class", "size", "span", "objs", "mallocs", "frees", "live", "live_bytes",
		   "partial", "full", "pcpu", "central", "refills", "flushes", "frag_bytes");
	for (cls = 1; cls < GH_NR_CLASSES; cls++) {
		const struct gh_class *c = &h->classes[cls];
		u64 span = (u64)c->npages << h->page_shift;
		u64 live_bytes, inuse;

		gh_read_class_stats(h, cls, &cs);
		live_bytes = (cs.mallocs > cs.frees ? cs.mallocs - cs.frees : 0) * c->size;
		inuse = (cs.spans_partial + cs.spans_full) * span;
		if (cls == GH_TINY_CLASS)
			strscpy(name, "tiny", sizeof(name));
		else
			snprintf(name, sizeof(name), "%u", cls);
		class_row(m, name, c->size, span, c->nelems, &cs, live_bytes,
			  inuse > live_bytes ? inuse - live_bytes : 0);
		total.mallocs += cs.mallocs;
		total.frees += cs.frees;
		total.spans_partial += cs.spans_partial;
		total.spans_full += cs.spans_full;
		total.pcpu_cached += cs.pcpu_cached;
		total.central_cached += cs.central_cached;
		total.refills += cs.refills;
		total.flushes += cs.flushes;
		total_live += live_bytes;
		total_frag += inuse > live_bytes ? inuse - live_bytes : 0;
	}
	gh_read_class_stats(h, 0, &cs);
	live_large = gh_large_live_bytes(h);
	class_row(m, "large", 0, 0, 1, &cs, live_large, 0);
	total_live += live_large;
	total.mallocs += cs.mallocs;
	total.frees += cs.frees;
	class_row(m, "total", 0, 0, 0, &total, total_live, total_frag);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(classes);

static int pageheap_show(struct seq_file *m, void *v)
{
	struct gh_pageheap_stats ps;
	unsigned int i;

	gh_read_pageheap_stats(m->private, &ps);
	seq_printf(m, "HeapPageSize %llu\n", ps.page_size);
	seq_printf(m, "Chunks %llu\n", ps.chunks);
	seq_printf(m, "PagesTotal %llu\n", ps.pages_total);
	seq_printf(m, "PagesInuse %llu\n", ps.pages_inuse);
	seq_printf(m, "PagesFree %llu\n", ps.pages_free);
	seq_printf(m, "PagesReleased %llu\n", ps.pages_released);
	seq_printf(m, "LargestFreeRun %llu\n", ps.largest_run);
	seq_printf(m, "Grows %llu\n", ps.grows);
	seq_printf(m, "GrowFallbacks %llu\n", ps.grow_fallbacks);
	seq_printf(m, "Releases %llu\n", ps.releases);
	seq_printf(m, "ReleasedBytes %llu\n", ps.released_bytes);
	seq_puts(m, "\nfree_run_pages   runs\n");
	for (i = 0; i < GH_RUN_BUCKETS; i++) {
		char range[24];

		if (i == 0)
			snprintf(range, sizeof(range), "1");
		else if (i == GH_RUN_BUCKETS - 1)
			snprintf(range, sizeof(range), "%u+", 1U << i);
		else
			snprintf(range, sizeof(range), "%u-%u", 1U << i, (2U << i) - 1);
		seq_printf(m, "%14s %6llu\n", range, ps.runs[i]);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pageheap);

static int percpu_show(struct seq_file *m, void *v)
{
	struct gh_cpu_stats st;
	unsigned int cpu;

	seq_printf(m, "%4s %6s %7s %12s %10s %10s %8s %8s %6s\n", "cpu", "online", "cached",
		   "cached_bytes", "mallocs", "frees", "refills", "flushes", "drains");
	for_each_possible_cpu(cpu) {
		gh_read_cpu_stats(m->private, cpu, &st);
		seq_printf(m, "%4u %6d %7llu %12llu %10llu %10llu %8llu %8llu %6llu\n", cpu,
			   cpu_online(cpu), st.cached, st.cached_bytes, st.mallocs, st.frees,
			   st.refills, st.flushes, st.drains);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(percpu);

static int validate_show(struct seq_file *m, void *v)
{
	gh_validate(m->private, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(validate);

/**
 * gh_debugfs_init() - create a heap's statistics files.
 * @h: heap, which must outlive the files.
 * @root: directory to create them in.
 *
 * Context: process.
 */
void gh_debugfs_init(struct gh_heap *h, struct dentry *root)
{
	debugfs_create_file("memstats", 0444, root, h, &memstats_fops);
	debugfs_create_file("classes", 0444, root, h, &classes_fops);
	debugfs_create_file("pageheap", 0444, root, h, &pageheap_fops);
	debugfs_create_file("percpu", 0444, root, h, &percpu_fops);
	debugfs_create_file("validate", 0400, root, h, &validate_fops);
	gh_profile_debugfs_init(h, root);
}
