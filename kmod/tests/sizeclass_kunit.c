// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_sizeclass: the size-class table and the size -> class lookup.
 *
 * The expected values below are Go's table (object size, span bytes,
 * objects per span, tail waste) transcribed independently of the module's
 * own table, so a typo in either shows up here. 4 KiB mode is checked
 * against the rule it is defined by, and the lookup against every size.
 */
#include <kunit/test.h>
#include <linux/log2.h>

#include "compat.h"
#include "internal.h"
#include "kunit_heap.h"

MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL));

struct go_class_row {
	u32 size, span, objects, tail;
};

static const struct go_class_row go_table[GH_NR_SMALL] = {
	{     8,   8192, 1024,    0 },
	{    16,   8192,  512,    0 },
	{    32,   8192,  256,    0 },
	{    48,   8192,  170,   32 },
	{    64,   8192,  128,    0 },
	{    80,   8192,  102,   32 },
	{    96,   8192,   85,   32 },
	{   112,   8192,   73,   16 },
	{   128,   8192,   64,    0 },
	{   144,   8192,   56,  128 },
	{   160,   8192,   51,   32 },
	{   176,   8192,   46,   96 },
	{   192,   8192,   42,  128 },
	{   208,   8192,   39,   80 },
	{   224,   8192,   36,  128 },
	{   240,   8192,   34,   32 },
	{   256,   8192,   32,    0 },
	{   288,   8192,   28,  128 },
	{   320,   8192,   25,  192 },
	{   352,   8192,   23,   96 },
	{   384,   8192,   21,  128 },
	{   416,   8192,   19,  288 },
	{   448,   8192,   18,  128 },
	{   480,   8192,   17,   32 },
	{   512,   8192,   16,    0 },
	{   576,   8192,   14,  128 },
	{   640,   8192,   12,  512 },
	{   704,   8192,   11,  448 },
	{   768,   8192,   10,  512 },
	{   896,   8192,    9,  128 },
	{  1024,   8192,    8,    0 },
	{  1152,   8192,    7,  128 },
	{  1280,   8192,    6,  512 },
	{  1408,  16384,   11,  896 },
	{  1536,   8192,    5,  512 },
	{  1792,  16384,    9,  256 },
	{  2048,   8192,    4,    0 },
	{  2304,  16384,    7,  256 },
	{  2688,   8192,    3,  128 },
	{  3072,  24576,    8,    0 },
	{  3200,  16384,    5,  384 },
	{  3456,  24576,    7,  384 },
	{  4096,   8192,    2,    0 },
	{  4864,  24576,    5,  256 },
	{  5376,  16384,    3,  256 },
	{  6144,  24576,    4,    0 },
	{  6528,  32768,    5,  128 },
	{  6784,  40960,    6,  256 },
	{  6912,  49152,    7,  768 },
	{  8192,   8192,    1,    0 },
	{  9472,  57344,    6,  512 },
	{  9728,  49152,    5,  512 },
	{ 10240,  40960,    4,    0 },
	{ 10880,  32768,    3,  128 },
	{ 12288,  24576,    2,    0 },
	{ 13568,  40960,    3,  256 },
	{ 14336,  57344,    4,    0 },
	{ 16384,  16384,    1,    0 },
	{ 18432,  73728,    4,    0 },
	{ 19072,  57344,    3,  128 },
	{ 20480,  40960,    2,    0 },
	{ 21760,  65536,    3,  256 },
	{ 24576,  24576,    1,    0 },
	{ 27264,  81920,    3,  128 },
	{ 28672,  57344,    2,    0 },
	{ 32768,  32768,    1,    0 },
};

static void class_desc(const struct go_class_row *p, char *desc)
{
	unsigned int i = p - go_table;

	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "class %u (%u B)", i + 1, go_table[i].size);
}

KUNIT_ARRAY_PARAM(go_class, go_table, class_desc);

static struct gh_heap *make_heap(struct kunit *test, unsigned int shift)
{
	struct gh_heap_params params = { .page_shift = shift, .name = "kunit" };
	struct gh_heap *h = gh_heap_create(&params);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	return h;
}

KUNIT_GH_PAGE_SHIFT_PARAM();

/* 8 KiB mode reproduces Go's table exactly. */
static void goheap_class_matches_go_table(struct kunit *test)
{
	const struct go_class_row *want = test->param_value;
	unsigned int cls = want - go_table + 1;
	const struct gh_class *c;
	struct gh_heap *h;

	kunit_need_page_shift(test, 13);
	h = make_heap(test, 13);
	c = &h->classes[cls];

	KUNIT_EXPECT_EQ(test, c->size, want->size);
	KUNIT_EXPECT_EQ(test, (u32)c->npages * 8192, want->span);
	KUNIT_EXPECT_EQ(test, c->nelems, want->objects);
	KUNIT_EXPECT_EQ(test, c->tail, want->tail);
	KUNIT_EXPECT_EQ(test, (u32)c->nelems * c->size + c->tail, want->span);
	gh_heap_destroy(h);
}

/*
 * Other heap page sizes (4 KiB, or the 16/64 KiB pages of a kernel with
 * such pages): same sizes, smallest span whose tail is at most 1/8 of it.
 */
static void goheap_class_rule(struct kunit *test)
{
	unsigned int shift = PAGE_SHIFT > 13 ? PAGE_SHIFT : 12;
	struct gh_heap *h = make_heap(test, shift);
	u32 page = 1U << shift;
	unsigned int i;

	for (i = 1; i <= GH_NR_SMALL; i++) {
		const struct gh_class *c = &h->classes[i];
		u32 span = (u32)c->npages * page;

		KUNIT_EXPECT_EQ(test, c->size, go_table[i - 1].size);
		KUNIT_EXPECT_LE_MSG(test, span % c->size, span / 8, "class %u", i);
		if (c->npages > 1) {
			u32 less = span - page;

			KUNIT_EXPECT_GT_MSG(test, less % c->size, less / 8,
					    "class %u not minimal", i);
		}
		KUNIT_EXPECT_EQ(test, c->nelems, span / c->size);
		KUNIT_EXPECT_EQ(test, c->tail, span % c->size);
	}
	gh_heap_destroy(h);
}

/* Every size maps to the smallest class that holds it. */
static void goheap_size_to_class_smallest_fit(struct kunit *test)
{
	struct gh_heap *h = make_heap(test, *(const unsigned int *)test->param_value);
	size_t size;

	for (size = 1; size <= GH_MAX_SMALL_SIZE; size++) {
		unsigned int cls = gh_size_to_class(h, size);

		KUNIT_ASSERT_GE(test, cls, 1U);
		KUNIT_ASSERT_LE(test, cls, (unsigned int)GH_NR_SMALL);
		KUNIT_ASSERT_GE_MSG(test, h->classes[cls].size, (u32)size, "size %zu", size);
		if (cls > 1)
			KUNIT_ASSERT_LT_MSG(test, h->classes[cls - 1].size, (u32)size,
					    "size %zu", size);
	}
	KUNIT_EXPECT_EQ(test, gh_size_to_class(h, GH_MAX_SMALL_SIZE + 1), 0U);
	gh_heap_destroy(h);
}

/* Power-of-two sizes get a class of exactly that size, aligned spans. */
static void goheap_pow2_classes_aligned(struct kunit *test)
{
	struct gh_heap *h = make_heap(test, *(const unsigned int *)test->param_value);
	size_t size;

	for (size = 8; size <= GH_MAX_SMALL_SIZE; size *= 2) {
		const struct gh_class *c = &h->classes[gh_size_to_class(h, size)];
		unsigned long align_bytes = (unsigned long)c->align << h->page_shift;

		KUNIT_EXPECT_EQ(test, c->size, (u32)size);
		KUNIT_EXPECT_EQ_MSG(test, align_bytes % size, 0UL, "size %zu", size);
	}
	gh_heap_destroy(h);
}

/* The reciprocal gives every object's index for any offset in a span. */
static void goheap_div_mul_exact(struct kunit *test)
{
	struct gh_heap *h = make_heap(test, *(const unsigned int *)test->param_value);
	unsigned int i;

	for (i = 1; i < GH_NR_CLASSES; i++) {
		const struct gh_class *c = &h->classes[i];
		u32 span = (u32)c->npages << h->page_shift, off;

		for (off = 0; off < span; off++) {
			u32 idx = ((u64)off * c->div_mul) >> 32;

			if (idx != off / c->size) {
				KUNIT_FAIL(test, "class %u offset %u: %u != %u", i, off, idx,
					   off / c->size);
				break;
			}
		}
	}
	gh_heap_destroy(h);
}

/* A span of every class carves exactly nelems disjoint objects inside it. */
static void goheap_span_carves_all_objects(struct kunit *test)
{
	struct gh_heap *h = make_heap(test, *(const unsigned int *)test->param_value);
	unsigned int i, j, n, most = 0;
	struct gh_obj *objs;

	for (i = 1; i < GH_NR_CLASSES; i++)
		most = max_t(unsigned int, most, h->classes[i].nelems);
	objs = kunit_kcalloc(test, most + 1, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 1; i < GH_NR_CLASSES; i++) {
		const struct gh_class *c = &h->classes[i];
		struct gh_span *s = gh_span_alloc(h, c->npages, c->align, GH_SPAN_SMALL, i,
						  GFP_KERNEL);
		unsigned long end;

		KUNIT_ASSERT_NOT_NULL(test, s);
		end = s->base + gh_span_bytes(h, s);
		n = gh_span_take(s, objs, most + 1);
		KUNIT_EXPECT_EQ_MSG(test, n, (unsigned int)c->nelems, "class %u", i);
		KUNIT_EXPECT_EQ(test, gh_span_take(s, objs + n, 1), 0U);
		for (j = 0; j < n; j++) {
			unsigned long p = (unsigned long)objs[j].p;

			KUNIT_EXPECT_GE(test, p, s->base);
			KUNIT_EXPECT_LE(test, p + c->size, end);
			/* Taken in address order, each right after the last. */
			if (j)
				KUNIT_EXPECT_EQ(test, p, (unsigned long)objs[j - 1].p + c->size);
			if (is_power_of_2(c->size))
				KUNIT_EXPECT_TRUE(test, IS_ALIGNED(p, c->size));
			KUNIT_EXPECT_PTR_EQ(test, gh_span_lookup(h, objs[j].p), s);
			KUNIT_EXPECT_PTR_EQ(test, objs[j].state, &s->objstate[j]);
		}
		for (j = 0; j < n; j++)
			gh_span_put(s, objs[j].p);
		KUNIT_EXPECT_EQ(test, s->allocated, 0);
		gh_span_free(h, s);
	}
	gh_heap_destroy(h);
}

/*
 * Heap pages of 4 or 8 KiB on kernels with 4 KiB pages, of the page size
 * on others; anything else, and a chunk order above the largest, -EINVAL.
 */
static void goheap_bad_page_size_rejected(struct kunit *test)
{
	struct gh_heap_params params = { .name = "kunit" };
	unsigned int shift;
	struct gh_heap *h;

	for (shift = 10; shift <= 18; shift++) {
		bool valid = PAGE_SHIFT > 13 ? shift == PAGE_SHIFT : shift == 12 || shift == 13;

		KUNIT_EXPECT_EQ_MSG(test, gh_page_shift_valid(shift), valid, "shift %u", shift);
		params.page_shift = shift;
		h = gh_heap_create(&params);
		if (valid) {
			KUNIT_EXPECT_FALSE_MSG(test, IS_ERR(h), "shift %u", shift);
			if (!IS_ERR(h))
				gh_heap_destroy(h);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(h), -EINVAL, "shift %u", shift);
		}
	}
	params.page_shift = KUNIT_GH_SHIFT;
	params.chunk_order = GH_CHUNK_ORDER + 1;
	KUNIT_EXPECT_EQ(test, PTR_ERR(gh_heap_create(&params)), -EINVAL);
}

static struct kunit_case goheap_sizeclass_cases[] = {
	KUNIT_CASE_PARAM(goheap_class_matches_go_table, go_class_gen_params),
	KUNIT_CASE(goheap_class_rule),
	KUNIT_CASE_PARAM(goheap_size_to_class_smallest_fit, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_pow2_classes_aligned, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_div_mul_exact, page_shift_gen_params),
	KUNIT_CASE_PARAM(goheap_span_carves_all_objects, page_shift_gen_params),
	KUNIT_CASE(goheap_bad_page_size_rejected),
	{}
};

static struct kunit_suite goheap_sizeclass_suite = {
	.name = "goheap_sizeclass",
	.test_cases = goheap_sizeclass_cases,
};

kunit_test_suite(goheap_sizeclass_suite);

MODULE_DESCRIPTION("goheap KUnit suite goheap_sizeclass");
MODULE_LICENSE("GPL");
