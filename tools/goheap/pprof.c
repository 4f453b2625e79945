// SPDX-License-Identifier: GPL-2.0
/*
 * The pprof file format: a profile.proto message (github.com/google/pprof,
 * proto/profile.proto) in protocol buffers' wire encoding, written into a
 * gzip member, which is what `go tool pprof` reads.
 *
 * Only what a profile needs is here: varints, length-delimited fields
 * (with packed repeated integers) and a growing buffer. The gzip member
 * (RFC 1952) holds the message in stored deflate blocks (RFC 1951, block
 * type 0) with its CRC-32: valid gzip that any reader inflates, without
 * a compression library in a static binary built for every guest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* ---- the buffer --------------------------------------------------------- */

static int pb_reserve(struct pb *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;
	uint8_t *p;

	if (b->failed)
		return -1;
	while (cap < b->len + more)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	p = realloc(b->buf, cap);
	if (!p) {
		b->failed = true;
		return -1;
	}
	b->buf = p;
	b->cap = cap;
	return 0;
}

void pb_free(struct pb *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

static void pb_bytes(struct pb *b, const void *p, size_t n)
{
	if (pb_reserve(b, n))
		return;
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void pb_varint(struct pb *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;

	do {
		tmp[n] = v & 0x7f;
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	pb_bytes(b, tmp, n);
}

/* ---- fields ------------------------------------------------------------- */

/* A varint field (wire type 0); zero is left out, as proto3 does. */
void pb_uint(struct pb *b, unsigned int field, uint64_t v)
{
	if (!v)
		return;
	pb_varint(b, (uint64_t)field << 3);
	pb_varint(b, v);
}

/* A length-delimited field (wire type 2): bytes, a string, or a message. */
void pb_lenfield(struct pb *b, unsigned int field, const void *p, size_t n)
{
	pb_varint(b, (uint64_t)field << 3 | 2);
	pb_varint(b, n);
	pb_bytes(b, p, n);
}

/* A packed repeated int64/uint64 field. */
void pb_packed(struct pb *b, unsigned int field, const uint64_t *v, size_t n)
{
	struct pb tmp = { 0 };
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		pb_varint(&tmp, v[i]);
	if (tmp.failed)
		b->failed = true;
	else
		pb_lenfield(b, field, tmp.buf, tmp.len);
	pb_free(&tmp);
}

/* A nested message @m as field @field of @b; @m is emptied. */
void pb_message(struct pb *b, unsigned int field, struct pb *m)
{
	if (m->failed)
		b->failed = true;
	else
		pb_lenfield(b, field, m->buf, m->len);
	pb_free(m);
}

/* ---- gzip --------------------------------------------------------------- */

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	static uint32_t table[256];
	uint32_t c = 0xffffffff;
	size_t i;
	int k;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			c = (uint32_t)i;
			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		c = 0xffffffff;
	}
	for (i = 0; i < n; i++)
		c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffff;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/*
 * gzip_write - @n bytes of @p as one gzip member on @f: header, stored
 * deflate blocks of up to 65535 bytes, CRC-32 and length. Returns 0, or
 * -1 with errno set.
 */
int gzip_write(FILE *f, const uint8_t *p, size_t n)
{
	/* ID1 ID2, deflate, no flags, no mtime, no extra flags, OS unknown. */
	static const uint8_t hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255 };
	uint8_t blk[5], tail[8];
	size_t off = 0, len;

	if (fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr))
		return -1;
	do {
		len = n - off > 65535 ? 65535 : n - off;
		blk[0] = off + len == n;	/* BFINAL on the last; BTYPE 00 */
		blk[1] = len & 0xff;
		blk[2] = len >> 8;
		blk[3] = ~len & 0xff;
		blk[4] = (~len >> 8) & 0xff;
		if (fwrite(blk, 1, sizeof(blk), f) != sizeof(blk) ||
		    fwrite(p + off, 1, len, f) != len)
			return -1;
		off += len;
	} while (off < n);
	put_le32(tail, crc32_ieee(p, n));
	put_le32(tail + 4, (uint32_t)n);
	if (fwrite(tail, 1, sizeof(tail), f) != sizeof(tail))
		return -1;
	return 0;
}
