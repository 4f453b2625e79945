// SPDX-License-Identifier: GPL-2.0
/*
 * goheap - the user-space face of the goheap kernel module.
 *
 * This file parses the options every command shares (--json, --quiet,
 * --dev), dispatches to the command, and holds the argument helpers the
 * commands use, so that every bad argument gets the same kind of message
 * ("goheap: <command>: <what is wrong>") and exit status 2. The manual is
 * Documentation/tools.rst.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

struct gopts g = { .dev = GH_DEV_PATH };
static const char *cmd_name = "goheap";

static const char usage_text[] =
"usage: goheap [--json] [--quiet] [--dev PATH] [--heap NAME] COMMAND [ARGS]\n"
"\n"
"  info                          the module: ABI, features, limits, parameters\n"
"  stats [memstats|classes|pageheap|percpu] [--all]\n"
"                                heap statistics (memstats from /dev/goheap,\n"
"                                the others from /sys/kernel/debug/goheap)\n"
"  top [-n COUNT] [-i SECONDS]   live view, refreshed every second\n"
"  span STEP [, STEP]...         allocate, map, touch, inspect, free spans in\n"
"                                one process (goheap span help)\n"
"  span run --pages N [...]      alloc + map + touch + info + unmap + free\n"
"  exp faults [--size S]         page faults and first-touch cost per 4 KiB page\n"
"  exp contig [--pages N]        physically contiguous runs of each span kind\n"
"  exp tlb [--max S]             pointer chase: ns per access against working set\n"
"  profile [-o FILE] [--rate S]  heap profile: sites by bytes in use, or a file\n"
"                                for go tool pprof\n"
"  demo                          a short guided tour of all of the above\n"
"\n"
"  --json     machine-readable output (one key per line; rows on one line)\n"
"  --quiet    no progress lines on stderr\n"
"  --dev PATH the device (default /dev/goheap)\n"
"  --heap NAME  stats and top of the private heap NAME (from\n"
"             /sys/kernel/debug/goheap/heaps/NAME; root only)\n"
"\n"
"Sizes take K, M, G suffixes (powers of 1024). Exit status: 0 success,\n"
"1 failure, 2 bad arguments. See Documentation/tools.rst.\n";

/* vwarn - "goheap: <message>", then ": <strerror(err)>" if @with_err. */
static void vwarn(bool with_err, int err, const char *fmt, va_list ap)
{
	progress_done();
	fprintf(stderr, "goheap: ");
	vfprintf(stderr, fmt, ap);
	if (with_err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(false, 0, fmt, ap);
	va_end(ap);
}

void warn_errno(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vwarn(true, e, fmt, ap);
	va_end(ap);
	errno = e;
}

/* die_usage - a bad argument: say what is wrong and where to look; exit 2. */
void die_usage(const char *fmt, ...)
{
	va_list ap;

	progress_done();
	fprintf(stderr, "goheap: %s: ", cmd_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(try 'goheap %s --help')\n", cmd_name);
	exit(EXIT_USAGE);
}

bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help") || !strcmp(arg, "help");
}

const char *opt_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		die_usage("option %s needs a value", argv[*i]);
	return argv[++*i];
}

/*
 * parse_size - "4096", "64K", "2M", "1G" (also "KiB", "MiB", "GiB"), in
 * [@min, @max]; anything else is a usage error naming @opt.
 */
uint64_t parse_size(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	char *end, lo[24], hi[24];
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || *s == '-' || errno)
		die_usage("%s: '%s' is not a size (e.g. 4096, 64K, 2M, 1G)", opt, s);
	if (*end && strchr("kK", *end))
		mul = 1ULL << 10;
	else if (*end && strchr("mM", *end))
		mul = 1ULL << 20;
	else if (*end && strchr("gG", *end))
		mul = 1ULL << 30;
	if (mul > 1)
		end++;
	if (mul > 1 && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end || v > max / mul || v * mul < min || v * mul > max)
		die_usage("%s: '%s' is not a size from %s to %s", opt, s,
			  fmt_bytes(lo, sizeof(lo), min), fmt_bytes(hi, sizeof(hi), max));
	return v * mul;
}

uint64_t parse_count(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (end == s || *end || *s == '-' || errno || v < min || v > max)
		die_usage("%s: '%s' is not a number from %llu to %llu", opt, s,
			  (unsigned long long)min, (unsigned long long)max);
	return v;
}

/* cmd_exp - goheap exp faults|contig|tlb. */
int cmd_exp(int argc, char **argv)
{
	static const struct {
		const char *name, *label;
		int (*fn)(int argc, char **argv);
	} exps[] = {
		{ "faults", "exp faults", exp_faults },
		{ "contig", "exp contig", exp_contig },
		{ "tlb", "exp tlb", exp_tlb },
	};
	size_t i;

	if (argc < 2 || is_help(argv[1])) {
		fputs("usage: goheap exp faults|contig|tlb [OPTIONS] [--json]\n"
		      "       goheap exp EXPERIMENT --help\n", argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(exps); i++)
		if (!strcmp(argv[1], exps[i].name)) {
			set_cmd_name(exps[i].label);
			return exps[i].fn(argc - 1, argv + 1);
		}
	die_usage("unknown experiment '%s' (faults, contig or tlb)", argv[1]);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "info", cmd_info },
	{ "stats", cmd_stats },
	{ "top", cmd_top },
	{ "span", cmd_span },
	{ "exp", cmd_exp },
	{ "profile", cmd_profile },
	{ "demo", cmd_demo },
};

/* set_cmd_name - "exp tlb" etc., for error messages. */
void set_cmd_name(const char *name)
{
	cmd_name = name;
}

int main(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 1, sizeof(char *));
	int i, n = 0;
	size_t c;

	if (!args)
		return EXIT_FAIL;
	/* Shared options may come anywhere; the rest goes to the command. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--version")) {
			printf("goheap tool, ABI %d\n", GOHEAP_ABI_VERSION);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			g.json = true;
		} else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
			g.quiet = true;
		} else if (!strcmp(argv[i], "--dev")) {
			if (i + 1 >= argc)
				die_usage("option --dev needs a value");
			g.dev = argv[++i];
		} else if (!strcmp(argv[i], "--heap")) {
			if (i + 1 >= argc)
				die_usage("option --heap needs a value");
			g.heap = argv[++i];
			if (!*g.heap || strchr(g.heap, '/') || !strcmp(g.heap, "..") ||
			    !strcmp(g.heap, "."))
				die_usage("--heap takes a heap's name, not '%s'", g.heap);
		} else {
			args[n++] = argv[i];
		}
	}
	if (g.json)
		g.quiet = true;
	if (!n || (n == 1 && is_help(args[0]))) {
		fputs(usage_text, n ? stdout : stderr);
		return n ? EXIT_OK : EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_DFL);
	for (c = 0; c < ARRAY_SIZE(commands); c++)
		if (!strcmp(args[0], commands[c].name)) {
			cmd_name = commands[c].name;
			return commands[c].fn(n, args);
		}
	fprintf(stderr, "goheap: unknown command '%s'\n\n%s", args[0], usage_text);
	return EXIT_USAGE;
}
