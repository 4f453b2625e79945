// SPDX-License-Identifier: GPL-2.0
/*
 * Aligned text tables and human units for the tool's readable output.
 *
 * A table is declared with its columns ("kind|pages|ns/page": numbers are
 * right-aligned, a column whose name starts with '<' is left-aligned),
 * filled cell by cell, and printed with every column as wide as its widest
 * cell. Units: bytes in B/KiB/MiB/GiB with 1024 steps, exact when the value
 * is a whole number of the unit ("8 KiB", "4 MiB") and with one decimal
 * otherwise ("12.4 MiB"). Counts stay plain digits, so that columns can be
 * copied into other tools.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static void __attribute__((noreturn)) out_of_memory(void)
{
	fputs("goheap: out of memory\n", stderr);
	exit(EXIT_FAIL);
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		out_of_memory();
	return p;
}

void tbl_init(struct table *t, const char *indent, const char *cols)
{
	char *s, *tok, *save = NULL;

	memset(t, 0, sizeof(*t));
	t->indent = indent ? indent : "";
	s = strdup(cols);	/* kept for the life of the program: headers point into it */
	if (!s)
		out_of_memory();
	for (tok = strtok_r(s, "|", &save); tok && t->ncols < TBL_MAXCOL;
	     tok = strtok_r(NULL, "|", &save)) {
		t->left[t->ncols] = *tok == '<';
		t->head[t->ncols++] = *tok == '<' ? tok + 1 : tok;
	}
}

unsigned int tbl_add(struct table *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cells = xrealloc(t->cells, (size_t)t->cap * t->ncols * sizeof(char *));
	}
	memset(&t->cells[(size_t)t->nrows * t->ncols], 0, t->ncols * sizeof(char *));
	return t->nrows++;
}

void tbl_cell(struct table *t, unsigned int row, unsigned int col, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	char **cell;

	if (row >= t->nrows || col >= t->ncols)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cell = &t->cells[(size_t)row * t->ncols + col];
	free(*cell);
	*cell = strdup(buf);
}

void tbl_print(struct table *t, FILE *f)
{
	unsigned int w[TBL_MAXCOL] = { 0 };
	unsigned int r, c;

	for (c = 0; c < t->ncols; c++)
		w[c] = strlen(t->head[c]);
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[(size_t)r * t->ncols + c];

			if (s && strlen(s) > w[c])
				w[c] = strlen(s);
		}
	for (r = 0; r <= t->nrows; r++) {
		char line[1024];
		size_t n = 0;

		for (c = 0; c < t->ncols; c++) {
			const char *s = r ? t->cells[(size_t)(r - 1) * t->ncols + c] : t->head[c];
			int width = (int)w[c];

			if (!s)
				s = "";
			if (n < sizeof(line))
				n += snprintf(line + n, sizeof(line) - n, "%s%*s",
					      c ? "  " : "", t->left[c] ? -width : width, s);
		}
		/* No trailing blanks from a left-aligned last column. */
		while (n > 0 && n < sizeof(line) && line[n - 1] == ' ')
			line[--n] = '\0';
		fprintf(f, "%s%s\n", t->indent, line);
	}
}

void tbl_free(struct table *t)
{
	size_t i;

	for (i = 0; i < (size_t)t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
	t->cap = 0;
}

/* fmt_bytes - "512 B", "8 KiB", "12.4 MiB": exact or one decimal. */
const char *fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;
	uint64_t div = 1;

	while (u + 1 < ARRAY_SIZE(unit) && bytes >= div * 1024)
		div *= 1024, u++;
	if (bytes % div == 0)
		snprintf(buf, len, "%llu %s", (unsigned long long)(bytes / div), unit[u]);
	else
		snprintf(buf, len, "%.1f %s", (double)bytes / (double)div, unit[u]);
	return buf;
}

/* fmt_size - a working-set or span size: like fmt_bytes, without the blank. */
const char *fmt_size(char *buf, size_t len, uint64_t bytes)
{
	char *sp;

	fmt_bytes(buf, len, bytes);
	sp = strchr(buf, ' ');
	if (sp)
		memmove(sp, sp + 1, strlen(sp));
	return buf;
}

/* fmt_count - a count; with k/M suffixes from a million up, to stay narrow. */
const char *fmt_count(char *buf, size_t len, uint64_t n)
{
	if (n >= 10000000)
		snprintf(buf, len, "%.1fM", (double)n / 1e6);
	else
		snprintf(buf, len, "%llu", (unsigned long long)n);
	return buf;
}

/* fmt_ns - a duration: "850 ns", "12.3 us", "4.5 ms", "1.20 s". */
const char *fmt_ns(char *buf, size_t len, double ns)
{
	if (ns < 1e3)
		snprintf(buf, len, ns < 10 ? "%.1f ns" : "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
	return buf;
}
