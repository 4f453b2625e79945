// SPDX-License-Identifier: GPL-2.0
/*
 * A small streaming JSON writer for --json.
 *
 * Layout is part of the interface, so that a shell script without jq can
 * read the output with grep, sed or awk: every key of a block container
 * sits on a line of its own, and an "inline" container (one table row,
 * one list of numbers) is printed whole on one line, e.g.
 *
 *   {
 *     "heap_page_size": 8192,
 *     "rows": [
 *       {"kind": "span", "pages": 256, "span_faults": 256},
 *       {"kind": "anon-4k", "pages": 256, "span_faults": null}
 *     ]
 *   }
 *
 * Keys are plain identifiers; string values are escaped. Floating-point
 * values are printed with a fixed number of decimals; NaN and infinities
 * become null.
 */
#include <math.h>
#include <stdio.h>

#include "tool.h"

#define JSON_MAXDEPTH	16

static struct {
	unsigned int depth;
	bool first[JSON_MAXDEPTH];	/* nothing printed in this container yet */
	bool inl[JSON_MAXDEPTH];	/* this container is on one line */
	char close[JSON_MAXDEPTH];	/* '}' or ']' */
	unsigned int base[JSON_MAXDEPTH];	/* depth at each json_begin() */
	unsigned int nbase;
	const char *next_key;	/* key of the next nested json_begin() */
} js;

/* Separator and indentation before a new member. */
static void member(const char *key)
{
	unsigned int d = js.depth;

	if (d) {
		if (!js.first[d])
			fputs(js.inl[d] ? ", " : ",", stdout);
		if (!js.inl[d])
			printf("\n%*s", (int)(2 * d), "");
		js.first[d] = false;
	}
	if (key)
		printf("\"%s\": ", key);
}

static void open_container(const char *key, bool inl, char c)
{
	member(key);
	putchar(c);
	if (js.depth + 1 >= JSON_MAXDEPTH)
		return;
	js.depth++;
	js.first[js.depth] = true;
	js.close[js.depth] = c == '{' ? '}' : ']';
	/* Everything inside an inline container is inline too. */
	js.inl[js.depth] = inl || js.inl[js.depth - 1];
}

static void close_container(void)
{
	unsigned int d = js.depth;

	if (!d)
		return;
	if (!js.inl[d] && !js.first[d])
		printf("\n%*s", (int)(2 * (d - 1)), "");
	putchar(js.close[d]);
	js.depth--;
	if (!js.depth)
		putchar('\n');
}

/*
 * json_begin - start a document; inside an open document (goheap demo
 * collects the documents of several commands) it starts a nested object,
 * under the key set by json_nest().
 */
void json_begin(void)
{
	if (!js.depth)
		js.inl[0] = false;
	if (js.nbase < JSON_MAXDEPTH)
		js.base[js.nbase++] = js.depth;
	open_container(js.depth ? js.next_key : NULL, false, '{');
	js.next_key = NULL;
}

void json_nest(const char *key)
{
	js.next_key = key;
}

void json_end(void)
{
	unsigned int base = js.nbase ? js.base[--js.nbase] : 0;

	while (js.depth > base)
		close_container();
	fflush(stdout);
}

void json_obj(const char *key, bool inl)
{
	open_container(key, inl, '{');
}

void json_obj_end(void)
{
	close_container();
}

void json_arr(const char *key, bool inl)
{
	open_container(key, inl, '[');
}

void json_arr_end(void)
{
	close_container();
}

void json_u64(const char *key, uint64_t v)
{
	member(key);
	printf("%llu", (unsigned long long)v);
}

void json_i64(const char *key, int64_t v)
{
	member(key);
	printf("%lld", (long long)v);
}

void json_dbl(const char *key, double v, int prec)
{
	member(key);
	if (isfinite(v))
		printf("%.*f", prec, v);
	else
		fputs("null", stdout);
}

void json_str(const char *key, const char *s)
{
	member(key);
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

void json_bool(const char *key, bool v)
{
	member(key);
	fputs(v ? "true" : "false", stdout);
}

void json_null(const char *key)
{
	member(key);
	fputs("null", stdout);
}
