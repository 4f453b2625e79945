// SPDX-License-Identifier: GPL-2.0
/*
 * Objects inside a small-object span.
 *
 * A span of class c holds classes[c].nelems objects laid out from its first
 * byte, each classes[c].size bytes. Which objects are out of the span is a
 * bitmap in the span's metadata (never in the span's own memory); the
 * central lock of the class protects it. Object indices come from a
 * multiply and a shift (Go's divMagic) rather than a division.
 */
#include <kunit/visibility.h>
#include <linux/bitmap.h>

#include "goheap.h"

/**
 * gh_span_take() - move free objects out of a span.
 * @s: small-object span.
 * @objs: where to store the objects and their state bytes.
 * @max: at most this many.
 *
 * The objects become GH_OBJ_CACHED.
 *
 * Context: the central lock of @s's class held.
 * Return: the number of objects taken.
 */
unsigned int gh_span_take(struct gh_span *s, struct gh_obj *objs, unsigned int max)
{
	unsigned int n = 0, idx = s->freeindex;

	while (n < max) {
		idx = find_next_zero_bit(s->allocbits, s->nelems, idx);
		if (idx >= s->nelems)
			break;
		__set_bit(idx, s->allocbits);
		WRITE_ONCE(s->objstate[idx], GH_OBJ_CACHED);
		objs[n].p = (void *)(s->base + (unsigned long)idx * s->elemsize);
		objs[n].state = &s->objstate[idx];
		n++;
		idx++;
	}
	s->freeindex = idx;
	s->allocated += n;
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(gh_span_take);

/**
 * gh_span_put() - return one cached object to its span.
 * @s: the object's span.
 * @p: the object, GH_OBJ_CACHED.
 *
 * Context: the central lock of @s's class held.
 */
void gh_span_put(struct gh_span *s, const void *p)
{
	bool interior;
	unsigned int idx = gh_span_obj_index(s, p, &interior);

	__clear_bit(idx, s->allocbits);
	WRITE_ONCE(s->objstate[idx], GH_OBJ_FREE);
	s->allocated--;
	if (idx < s->freeindex)
		s->freeindex = idx;
}
EXPORT_SYMBOL_IF_KUNIT(gh_span_put);
