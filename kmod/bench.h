/* SPDX-License-Identifier: GPL-2.0 */
/*
 * goheap's in-kernel benchmark (bench.c): /sys/kernel/debug/goheap/bench.
 */
#ifndef _GOHEAP_BENCH_H
#define _GOHEAP_BENCH_H

struct dentry;
struct gh_heap;

void gh_bench_init(struct gh_heap *h, struct dentry *root);

#endif /* _GOHEAP_BENCH_H */
