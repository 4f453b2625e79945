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
	unsigned int nwords = BITS_TO_LONGS(s->nelems), n = 0, w, idx = 0;
	unsigned long free, taken;

	/* A word at a time: every bit below freeindex is set already. */
	for (w = s->freeindex / BITS_PER_LONG; w < nwords && n < max; w++) {
		free = ~s->allocbits[w];
		if (w == nwords - 1)
			free &= BITMAP_LAST_WORD_MASK(s->nelems);
		taken = 0;
		while (free && n < max) {
			idx = __ffs(free);
			free &= free - 1;
			taken |= BIT(idx);
			idx += w * BITS_PER_LONG;
			WRITE_ONCE(s->objstate[idx], GH_OBJ_CACHED);
			objs[n].p = (void *)(s->base + (unsigned long)idx * s->elemsize);
			objs[n].state = &s->objstate[idx];
			n++;
		}
		s->allocbits[w] |= taken;
	}
	/* Every object below the last one taken is out now. */
	if (n < max)
		s->freeindex = s->nelems;
	else if (n)
		s->freeindex = idx + 1;
	s->allocated += n;
	return n;
}
EXPORT_SYMBOL_GH_INTERNAL(gh_span_take);

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
EXPORT_SYMBOL_GH_INTERNAL(gh_span_put);
