// SPDX-License-Identifier: GPL-2.0
/*
 * Size classes: Go's table and the size -> class lookup.
 *
 * With 8 KiB heap pages the classes are exactly Go's (object size and span
 * size from runtime/sizeclasses.go). With 4 KiB heap pages, and with the
 * 16 or 64 KiB heap pages of kernels whose pages are that large, the object
 * sizes stay the same and each span is the smallest run of heap pages whose
 * tail waste is at most 1/8 of the span, which is the rule Go's generator
 * starts from. Lookup is O(1) through two byte tables, as in Go: one indexed by
 * size / 8 up to 1 KiB, one by size / 128 above.
 *
 * Power-of-two sizes are naturally aligned: such a class's spans are
 * aligned to the object size when it is larger than a heap page.
 */
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/minmax.h>

#include "internal.h"

/* Go's classes 1..66: object bytes and span bytes / 8 KiB. */
static const struct {
	u16 size;	/* object bytes / 8: fits 32768 / 8 */
	u8 npages;
} go_classes[GH_NR_SMALL + 1] = {
	{ 0, 0 },
	{ 8 / 8, 1 }, { 16 / 8, 1 }, { 32 / 8, 1 }, { 48 / 8, 1 },
	{ 64 / 8, 1 }, { 80 / 8, 1 }, { 96 / 8, 1 }, { 112 / 8, 1 },
	{ 128 / 8, 1 }, { 144 / 8, 1 }, { 160 / 8, 1 }, { 176 / 8, 1 },
	{ 192 / 8, 1 }, { 208 / 8, 1 }, { 224 / 8, 1 }, { 240 / 8, 1 },
	{ 256 / 8, 1 }, { 288 / 8, 1 }, { 320 / 8, 1 }, { 352 / 8, 1 },
	{ 384 / 8, 1 }, { 416 / 8, 1 }, { 448 / 8, 1 }, { 480 / 8, 1 },
	{ 512 / 8, 1 }, { 576 / 8, 1 }, { 640 / 8, 1 }, { 704 / 8, 1 },
	{ 768 / 8, 1 }, { 896 / 8, 1 }, { 1024 / 8, 1 }, { 1152 / 8, 1 },
	{ 1280 / 8, 1 }, { 1408 / 8, 2 }, { 1536 / 8, 1 }, { 1792 / 8, 2 },
	{ 2048 / 8, 1 }, { 2304 / 8, 2 }, { 2688 / 8, 1 }, { 3072 / 8, 3 },
	{ 3200 / 8, 2 }, { 3456 / 8, 3 }, { 4096 / 8, 1 }, { 4864 / 8, 3 },
	{ 5376 / 8, 2 }, { 6144 / 8, 3 }, { 6528 / 8, 4 }, { 6784 / 8, 5 },
	{ 6912 / 8, 6 }, { 8192 / 8, 1 }, { 9472 / 8, 7 }, { 9728 / 8, 6 },
	{ 10240 / 8, 5 }, { 10880 / 8, 4 }, { 12288 / 8, 3 }, { 13568 / 8, 5 },
	{ 14336 / 8, 7 }, { 16384 / 8, 2 }, { 18432 / 8, 9 }, { 19072 / 8, 7 },
	{ 20480 / 8, 5 }, { 21760 / 8, 8 }, { 24576 / 8, 3 }, { 27264 / 8, 10 },
	{ 28672 / 8, 7 }, { 32768 / 8, 4 },
};

/**
 * gh_div_mul() - reciprocal used to divide span offsets by an object size.
 * @size: object size in bytes, non-zero.
 *
 * Return: m such that (off * m) >> 32 == off / size for every offset inside
 * a span of any class (Go's divMagic; checked by the KUnit suite).
 */
u32 gh_div_mul(u32 size)
{
	return (u32)(U32_MAX / size) + 1;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_div_mul);

/* Smallest span (in heap pages) whose tail waste is at most 1/8 of it. */
static unsigned int span_pages_by_rule(u32 size, unsigned long page)
{
	unsigned long bytes = page;

	while (bytes % size > bytes / 8)
		bytes += page;
	return bytes / page;
}

static void class_init(struct gh_heap *h, unsigned int i, u32 size, unsigned int npages)
{
	struct gh_class *c = &h->classes[i];
	unsigned long span = (unsigned long)npages << h->page_shift;

	c->size = size;
	c->npages = npages;
	c->nelems = span / size;
	c->tail = span % size;
	c->align = 1;
	if (is_power_of_2(size) && size > gh_page_bytes(h))
		c->align = size >> h->page_shift;
	c->batch = clamp_t(u32, 65536 / size, 2, GH_MAX_BATCH);
	c->capacity = 2 * c->batch;
	c->div_mul = gh_div_mul(size);
}

/**
 * gh_page_shift_valid() - whether a heap can have pages of 1 << @shift bytes.
 * @shift: log2 of the heap page size.
 *
 * A heap page is one or more whole hardware pages, since pages are what
 * the page heap maps, releases and looks up: 4 KiB or 8 KiB (Go's) on
 * kernels with 4 KiB pages, the hardware page itself on kernels with
 * larger pages (Go keeps 8 KiB heap pages over 64 KiB pages, but then a
 * heap page could be neither mapped nor given back on its own).
 *
 * Return: true for 12 or 13 on 4 KiB-page kernels, PAGE_SHIFT on others.
 */
bool gh_page_shift_valid(unsigned int shift)
{
	if (PAGE_SHIFT > 13)
		return shift == PAGE_SHIFT;
	return shift == 12 || shift == 13;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_page_shift_valid);

/**
 * gh_classes_init() - fill a heap's class table and lookup tables.
 * @h: heap with page_shift set.
 *
 * Return: 0, or -EINVAL for an unsupported heap page size.
 */
int gh_classes_init(struct gh_heap *h)
{
	unsigned int i, slot = 0;
	size_t size;

	if (!gh_page_shift_valid(h->page_shift))
		return -EINVAL;

	memset(h->classes, 0, sizeof(h->classes));
	for (i = 1; i <= GH_NR_SMALL; i++) {
		u32 sz = go_classes[i].size * 8;
		unsigned int np = go_classes[i].npages;

		if (h->page_shift != 13)
			np = span_pages_by_rule(sz, gh_page_bytes(h));
		class_init(h, i, sz, np);
	}
	/* Tiny blocks: 16 B objects in spans of their own. */
	class_init(h, GH_TINY_CLASS, GH_TINY_SIZE, 1);

	for (i = 1; i < GH_NR_CLASSES; i++) {
		h->classes[i].slot_base = slot;
		slot += h->classes[i].capacity;
	}
	h->nslots = slot;

	/* Smallest class that fits, for every size. */
	i = 1;
	for (size = 0; size <= 1024; size += 8) {
		while (h->classes[i].size < size)
			i++;
		h->size_to_class8[size / 8] = i;
	}
	for (size = 1024; size <= GH_MAX_SMALL_SIZE; size += 128) {
		while (h->classes[i].size < size)
			i++;
		h->size_to_class128[(size - 1024) / 128] = i;
	}
	return 0;
}
