#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "banned.h"

enum {
	OPT_ERRORS = 0x1000,
	OPT_METRICS,
	OPT_METRICS_INTERVAL,
	OPT_PROGRESS,
	OPT_NO_PROGRESS,
	OPT_MAX_RECORD
};

static const struct sdc_option common_options[] = {
	{ "on-error", 'e', 'e', true, "ACTION",
	  "bad records: pass, discard or stop (pass)" },
	{ "errors", 0, OPT_ERRORS, true, "FILE",
	  "divert error records to FILE, as a record stream" },
	{ "metrics", 0, OPT_METRICS, true, "FILE",
	  "write the counts to FILE as JSON at exit" },
	{ "metrics-interval", 0, OPT_METRICS_INTERVAL, true, "SECONDS",
	  "also rewrite the metrics file every SECONDS" },
	{ "progress", 0, OPT_PROGRESS, false, NULL,
	  "show a live status line on standard error" },
	{ "no-progress", 0, OPT_NO_PROGRESS, false, NULL,
	  "never show the status line" },
	{ "max-record-size", 0, OPT_MAX_RECORD, true, "SIZE",
	  "largest record accepted (default 16M)" },
	{ "force", 'f', 'f', false, NULL,
	  "write record frames even to a terminal" },
	{ "dry-run", 'n', 'n', false, NULL,
	  "check options and open inputs, move no data" },
	{ "help", 'h', 'h', false, NULL, "show this help and exit" },
	{ "version", 'V', 'V', false, NULL, "show the version and exit" },
	{ NULL, 0, 0, false, NULL, NULL }
};

noreturn void
sdc_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sdc_vwarnx(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n",
	    sdc_progname());
	exit(SDC_EXIT_USAGE);
}

static void
print_options(const struct sdc_option *o)
{
	for (; o->name != NULL; o++) {
		char left[64];
		int n;

		if (o->short_name)
			n = snprintf(left, sizeof left, "-%c, --%s",
			    o->short_name, o->name);
		else
			n = snprintf(left, sizeof left, "    --%s", o->name);
		if (o->has_arg && n >= 0 && (size_t)n < sizeof left)
			snprintf(left + n, sizeof left - (size_t)n, "=%s",
			    o->arg);
		if (strlen(left) > 28)
			printf("  %s\n  %-28s %s\n", left, "", o->help);
		else
			printf("  %-28s %s\n", left, o->help);
	}
}

static noreturn void
help(const struct sdc_cli *cli, const struct sdc_option_group *groups)
{
	printf("usage: %s %s\n%s\n\nOptions:\n", sdc_progname(),
	    cli->synopsis, cli->summary);
	print_options(cli->options);
	for (; groups != NULL && groups->title != NULL; groups++) {
		printf("\n%s:\n", groups->title);
		print_options(groups->options);
	}
	printf("\nCommon options:\n");
	print_options(common_options);
	printf("\nExample:\n%s\n", cli->example);
	printf("\nSee %s(1) and sdc(7).\n", sdc_progname());
	exit(SDC_EXIT_OK);
}

static noreturn void
version(void)
{
	printf("%s (%s) %s\n", sdc_progname(), PACKAGE_NAME, PACKAGE_VERSION);
	exit(SDC_EXIT_OK);
}

static size_t
count_options(const struct sdc_option *o)
{
	size_t n = 0;

	while (o[n].name != NULL)
		n++;
	return n;
}

/*
 * The getopt_long table being built: the program's options, the
 * common ones, then those of the groups from first_group on, each long
 * name once.  A group option's val there is its short name, or
 * OPT_GROUP plus its index.
 */
#define MAX_OPTIONS 256
#define OPT_GROUP 0x10000

struct table {
	struct option	lo[MAX_OPTIONS + 1];
	char		shorts[2 * MAX_OPTIONS + 2];
	size_t		n;
	size_t		first_group;
};

static void
add_short(struct table *t, int short_name, bool has_arg)
{
	size_t n = strlen(t->shorts);

	t->shorts[n++] = (char)short_name;
	if (has_arg)
		t->shorts[n++] = ':';
	t->shorts[n] = '\0';
}

static void
add_option(struct table *t, const struct sdc_option *o, int val)
{
	struct option *lo = &t->lo[t->n++];

	lo->name = o->name;
	lo->has_arg = o->has_arg ? required_argument : no_argument;
	lo->flag = NULL;
	lo->val = val;
	if (o->short_name)
		add_short(t, o->short_name, o->has_arg);
}

static void
add_options(struct table *t, const struct sdc_option *o)
{
	for (; o->name != NULL; o++)
		add_option(t, o, o->val);
}

static const struct option *
find_long(const struct table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->lo[i].name, name) == 0)
			return &t->lo[i];
	return NULL;
}

static noreturn void
declared_twice(const struct sdc_option *o)
{
	sdc_errx(SDC_EXIT_USAGE, "internal: option '--%s' declared twice",
	    o->name);
}

/* A group option, once; the same name again must mean the same. */
static void
add_group_option(struct table *t, const struct sdc_option *o)
{
	const struct option *seen = find_long(t, o->name);
	int has_arg = o->has_arg ? required_argument : no_argument;
	int val = o->short_name ? o->short_name : OPT_GROUP + (int)t->n;

	if (seen != NULL) {
		if (seen < &t->lo[t->first_group] || seen->has_arg != has_arg ||
		    (seen->val < OPT_GROUP) != (o->short_name != 0) ||
		    (o->short_name && seen->val != o->short_name))
			declared_twice(o);
		return;
	}
	for (size_t i = 0; o->short_name && i < t->n; i++)
		if (t->lo[i].val == o->short_name)
			declared_twice(o);
	add_option(t, o, val);
}

static void
build_table(struct table *t, const struct sdc_cli *cli,
    const struct sdc_option_group *groups)
{
	const struct sdc_option_group *g;
	size_t n = count_options(cli->options) + count_options(common_options);

	for (g = groups; g != NULL && g->title != NULL; g++)
		n += count_options(g->options);
	if (n > MAX_OPTIONS)
		sdc_errx(SDC_EXIT_USAGE, "internal: too many options");
	memset(t, 0, sizeof(*t));
	t->shorts[0] = ':';
	add_options(t, cli->options);
	add_options(t, common_options);
	t->first_group = t->n;
	for (g = groups; g != NULL && g->title != NULL; g++)
		for (const struct sdc_option *o = g->options; o->name != NULL;
		    o++)
			add_group_option(t, o);
}

/* The long name of the group option getopt_long found, or NULL. */
static const char *
group_option(const struct table *t, int opt, int index)
{
	if (index >= 0)
		return (size_t)index >= t->first_group ? t->lo[index].name :
		    NULL;
	for (size_t i = t->first_group; i < t->n; i++)
		if (t->lo[i].val == opt)
			return t->lo[i].name;
	return NULL;
}

/* Each group that declares the option named name gets it. */
static void
apply_group_option(const struct sdc_option_group *g, const char *name,
    const char *arg)
{
	for (; g->title != NULL; g++)
		for (const struct sdc_option *o = g->options; o->name != NULL;
		    o++)
			if (strcmp(o->name, name) == 0)
				g->handle(g->ctx, o->val, arg);
}

static const char *const on_error_words[] = { "pass", "discard", "stop",
	NULL };

/* true when val was a common option. */
static bool
common_option(const struct sdc_cli *cli, const struct sdc_option_group *groups,
    struct sdc_options *c, int val, const char *arg)
{
	switch (val) {
	case 'e':
		c->on_error = (enum sdc_on_error)sdc_parse_word("--on-error",
		    arg, on_error_words);
		return true;
	case OPT_ERRORS:
		c->errors_path = arg;
		return true;
	case OPT_METRICS:
		c->metrics_path = arg;
		return true;
	case OPT_METRICS_INTERVAL:
		c->metrics_interval = sdc_parse_seconds("--metrics-interval",
		    arg);
		return true;
	case OPT_PROGRESS:
	case OPT_NO_PROGRESS:
		c->progress = val == OPT_PROGRESS;
		return true;
	case OPT_MAX_RECORD:
		c->max_record = sdc_parse_size("--max-record-size", arg);
		if (c->max_record == 0 || c->max_record > UINT32_MAX)
			sdc_usage_error("--max-record-size must be between 1 "
			    "and 4G");
		return true;
	case 'f':
		c->force = true;
		return true;
	case 'n':
		c->dry_run = true;
		return true;
	case 'h':
		help(cli, groups);
	case 'V':
		version();
	}
	return false;
}

static noreturn void
bad_option(char **argv, int opt)
{
	const char *word = argv[optind - 1];

	const char *eq = strchr(word, '=');

	if (opt == ':')
		sdc_usage_error("option '%s' needs an argument", word);
	/* getopt_long leaves the val of a known long option in optopt. */
	if (strncmp(word, "--", 2) == 0 && optopt != 0 && eq != NULL)
		sdc_usage_error("option '%.*s' takes no argument",
		    (int)(eq - word), word);
	if (strncmp(word, "--", 2) != 0 && optopt > 0 && optopt < 128)
		sdc_usage_error("unknown option '-%c'", optopt);
	sdc_usage_error("unknown option '%s'", word);
}

int
sdc_cli_parse(const struct sdc_cli *cli, struct sdc_options *common,
    void *ctx, int argc, char **argv)
{
	return sdc_cli_parse_groups(cli, NULL, common, ctx, argc, argv);
}

int
sdc_cli_parse_groups(const struct sdc_cli *cli,
    const struct sdc_option_group *groups, struct sdc_options *common,
    void *ctx, int argc, char **argv)
{
	return sdc_cli_parse_noting(cli, groups, common, ctx, argc, argv, NULL,
	    NULL);
}

/* The long name of the option getopt_long returned. */
static const char *
long_name(const struct table *t, int opt, int index)
{
	if (index >= 0)
		return t->lo[index].name;
	for (size_t i = 0; i < t->n; i++)
		if (t->lo[i].val == opt)
			return t->lo[i].name;
	return "";
}

int
sdc_cli_parse_noting(const struct sdc_cli *cli,
    const struct sdc_option_group *groups, struct sdc_options *common,
    void *ctx, int argc, char **argv, sdc_cli_note_fn note, void *note_ctx)
{
	struct table t;
	const char *name;
	int opt, index = -1;

	sdc_set_progname(argv[0]);
	build_table(&t, cli, groups);
	opterr = 0;
	optind = 0;	/* GNU: start afresh, for a program that parses twice */
	while ((opt = getopt_long(argc, argv, t.shorts, t.lo, &index)) != -1) {
		if (opt == '?' || opt == ':')
			bad_option(argv, opt);
		if (note != NULL)
			note(note_ctx, long_name(&t, opt, index), optarg);
		if ((name = group_option(&t, opt, index)) != NULL)
			apply_group_option(groups, name, optarg);
		else if (!common_option(cli, groups, common, opt, optarg))
			cli->handle(ctx, opt, optarg);
		index = -1;
	}
	return optind;
}

size_t
sdc_parse_size(const char *opt, const char *arg)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end == arg || arg[0] == '-' || errno != 0)
		sdc_usage_error("%s: '%s' is not a size", opt, arg);
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift != 0)
		end++;
	if (*end != '\0' || v > (SIZE_MAX >> shift))
		sdc_usage_error("%s: '%s' is not a size (as 4096, 64K, 16M)",
		    opt, arg);
	return (size_t)v << shift;
}

unsigned long
sdc_parse_count(const char *opt, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (end == arg || *end != '\0' || arg[0] == '-' || errno != 0)
		sdc_usage_error("%s: '%s' is not a whole number", opt, arg);
	return v;
}

double
sdc_parse_seconds(const char *opt, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !(v > 0) ||
	    v > 86400 * 365)
		sdc_usage_error("%s: '%s' is not a number of seconds", opt,
		    arg);
	return v;
}

double
sdc_parse_duration(const char *opt, const char *arg)
{
	static const struct {
		const char	*unit;
		double		 seconds;
	} units[] = { { "", 1 }, { "s", 1 }, { "ms", 0.001 }, { "m", 60 },
		{ "h", 3600 }, { "d", 86400 } };
	char *end;
	double v;
	size_t i;

	errno = 0;
	v = strtod(arg, &end);
	for (i = 0; end != arg && errno == 0 && i < sizeof units /
	    sizeof *units; i++)
		if (strcmp(end, units[i].unit) == 0 && v > 0 &&
		    v * units[i].seconds <= 86400.0 * 3650)
			return v * units[i].seconds;
	sdc_usage_error("%s: '%s' is not a duration (as 5s, 500ms, 15m, 2h, "
	    "1d)", opt, arg);
}

char
sdc_parse_char(const char *opt, const char *arg)
{
	if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0)
		return '\t';
	if (strlen(arg) != 1)
		sdc_usage_error("%s: '%s' is not a single character", opt,
		    arg);
	return arg[0];
}

int
sdc_parse_word(const char *opt, const char *arg, const char *const *words)
{
	char list[256] = "";
	size_t n = 0;

	for (int i = 0; words[i] != NULL; i++) {
		if (strcmp(arg, words[i]) == 0)
			return i;
		n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
		    i ? ", " : "", words[i]);
		if (n >= sizeof list)
			break;
	}
	sdc_usage_error("%s: unknown value '%s' (one of: %s)", opt, arg, list);
}
