/*
 * The formats' own options (format-options.h) and the option groups of
 * the cli that offer them: every format's table is sound, the flags
 * reach the blocks of the formats that declare them, and bad values
 * are usage errors.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "delimited.h"
#include "diag.h"
#include "format-options.h"
#include "format.h"
#include "tap.h"

/* A bad value of every format option that takes one, and its message. */
static const struct {
	const char	*name;
	const char	*arg;
	const char	*message;
} bad_values[] = {
	{ "json-mode", "lots", "--json-mode: unknown value 'lots' (one of: "
	  "auto, lines, array)" },
	{ "delimiter", "", "--delimiter: must not be empty" },
	{ "dialect", "oracle", "--dialect: unknown value 'oracle' (one of: "
	  "csv, excel, mysql, tdf, postgres-csv, postgres-text)" },
	{ "comment", "##", "--comment: '##' is not a single character" },
	{ "null-value", "a\nb", "--null-value: a cell holds no line break" },
	{ "quote-mode", "some", "--quote-mode: unknown value 'some' (one of: "
	  "minimal, all, none)" },
	{ "quote", "", "--quote: '' is not a single character" },
	{ "escape", "xy", "--escape: 'xy' is not a single character" },
	{ "header", "sometimes", "--header: unknown value 'sometimes' (one "
	  "of: use, none, ignore)" },
	{ "skip-lines", "-1", "--skip-lines: '-1' is not a whole number" },
	{ "line-delimiter", "", "--line-delimiter: must not be empty" },
	{ "max-line-length", "12Q", "--max-line-length: '12Q' is not a size "
	  "(as 4096, 64K, 16M)" },
	{ "text-field", "/a[", "--text-field: '/a[': " },
	{ "chunk-size", "-4", "--chunk-size: '-4' is not a size" },
	{ "bytes-field", "/a[", "--bytes-field: '/a[': " },
	{ "avro-schema", "/nonexistent.avsc", "--avro-schema: "
	  "'/nonexistent.avsc': " },
	{ "avro-reader-schema", "/nonexistent.avsc", "--avro-reader-schema: "
	  "'/nonexistent.avsc': " },
	{ "avro-schema-dir", "", "--avro-schema-dir: must not be empty" },
	{ "avro-registry", "ftp://x", "--avro-registry: 'ftp://x' is not an "
	  "http:// or https:// URL" },
	{ "avro-schema-id", "x", "--avro-schema-id: 'x' is not a whole "
	  "number" },
	{ "avro-codec", "lzma", "--avro-codec: unknown value 'lzma'" },
	{ "avro-block-records", "0", "--avro-block-records: must be at "
	  "least 1" },
	{ "log-format", "xml", "--log-format: 'xml': not common, combined, "
	  "error, syslog, cef, leef, log4j[:LAYOUT], apache:FORMAT, regex:RE "
	  "or grok:EXPR" },
	{ "grok-patterns", "/nonexistent/grok", "--grok-patterns: "
	  "/nonexistent/grok: No such file or directory" },
	{ "syslog-year", "23", "--syslog-year: '23': not a year as YYYY" },
	{ "protobuf-descriptor", "", "--protobuf-descriptor: empty file name" },
	{ "protobuf-message", "a b", "--protobuf-message: 'a b' is not a "
	  "message name" },
	{ "protobuf-unknown", "maybe", "--protobuf-unknown: unknown value "
	  "'maybe' (one of: keep, drop, error)" },
	{ "xml-record", "/a/b c", "--xml-record: 'b c' is not an element name "
	  "or '*'" },
	{ "xml-root", "1x", "--xml-root: '1x' is not an XML name" },
	{ "xml-namespace", "p:q=urn:x", "--xml-namespace: 'p:q=urn:x' is not "
	  "PREFIX=URI" },
	{ "collectd-types-db", "/nonexistent/types.db", "--collectd-types-db: "
	  "/nonexistent/types.db: No such file or directory" },
	{ "collectd-auth-file", "/nonexistent/auth", "--collectd-auth-file: "
	  "/nonexistent/auth: No such file or directory" },
	{ "collectd-security-level", "high", "--collectd-security-level: "
	  "unknown value 'high' (one of: none, sign, encrypt)" },
	{ "netflow-values", "cooked", "--netflow-values: unknown value "
	  "'cooked' (one of: both, raw, interpreted)" },
	{ "netflow-template-cache", "0", "--netflow-template-cache: must be "
	  "at least 1" },
};

static bool
has_bad_value(const char *name)
{
	for (size_t i = 0; i < sizeof bad_values / sizeof *bad_values; i++)
		if (strcmp(bad_values[i].name, name) == 0)
			return true;
	return false;
}

/* Another format's option of the same name, or NULL. */
static const struct sdc_plugin_option *
elsewhere(const struct sdc_format *f, const char *name)
{
	for (size_t i = 0; sdc_formats[i] != NULL; i++) {
		const struct sdc_plugin_option *o = sdc_formats[i]->options;

		for (; sdc_formats[i] != f && o != NULL && o->name; o++)
			if (strcmp(o->name, name) == 0)
				return o;
	}
	return NULL;
}

static void
check_table(const struct sdc_format *f)
{
	const struct sdc_plugin_option *o = f->options, *p, *q;
	bool unique = true, described = true, setters = true, same = true;
	bool covered = true;

	for (; o != NULL && o->name != NULL; o++) {
		for (p = f->options; p < o; p++)
			unique &= strcmp(p->name, o->name) != 0 &&
			    (o->short_name == 0 ||
			    p->short_name != o->short_name);
		described &= o->help != NULL && o->help[0] != '\0' &&
		    strlen(o->help) <= 50 && strncmp(o->help, f->name,
		    strlen(f->name)) != 0;
		setters &= o->set != NULL;
		if ((q = elsewhere(f, o->name)) != NULL)
			same &= (q->arg == NULL) == (o->arg == NULL) &&
			    q->short_name == o->short_name;
		if (o->arg != NULL)
			covered &= has_bad_value(o->name);
	}
	ok(unique, "%s: option names and short names unique", f->name);
	ok(described, "%s: every option has a short help of its own",
	    f->name);
	ok(setters, "%s: every option has a setter", f->name);
	ok(same, "%s: options shared with other formats alike", f->name);
	ok(covered, "%s: a bad value of each option is tested here",
	    f->name);
	ok(f->options == NULL || (f->opts_size > 0 && f->opts_init != NULL),
	    "%s: options have a block and an init", f->name);
}

/* Run set(name, arg) in a child: its exit status and standard error. */
static int
set_in_child(const char *name, const char *arg, char *err, size_t len)
{
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	if (pipe(fds) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		struct sdc_format_opts fo;

		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		sdc_format_opts_init(&fo);
		sdc_format_opts_set(&fo, name, arg);
		sdc_format_opts_release(&fo);
		_exit(0);
	}
	close(fds[1]);
	len--;
	while (len > 0 && (n = read(fds[0], err, len)) > 0) {
		err += n;
		len -= (size_t)n;
	}
	*err = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
test_bad_values(void)
{
	for (size_t i = 0; i < sizeof bad_values / sizeof *bad_values; i++) {
		char err[512], want[256];
		int st = set_in_child(bad_values[i].name, bad_values[i].arg,
		    err, sizeof err);

		snprintf(want, sizeof want, "test: %s", bad_values[i].message);
		ok(st == SDC_EXIT_USAGE && strncmp(err, want,
		    strlen(want)) == 0, "--%s=%s: a usage error",
		    bad_values[i].name, bad_values[i].arg);
		if (st != SDC_EXIT_USAGE || strncmp(err, want,
		    strlen(want)) != 0)
			printf("#   status %d, said \"%s\"\n", st, err);
	}
}

static const struct sdc_option none[] = { { NULL, 0, 0, false, NULL,
	NULL } };

static void
no_handler(void *ctx, int val, const char *arg)
{
	(void)ctx, (void)val, (void)arg;
}

static const struct sdc_cli test_cli = { "", "", "", none, no_handler };

/* Parse the NULL-ended words with the formats' groups. */
static int
parse(struct sdc_format_opts *fo, char **words)
{
	struct sdc_options common;
	int argc = 0;

	while (words[argc] != NULL)
		argc++;
	sdc_options_init(&common);
	optind = 0;
	return sdc_cli_parse_groups(&test_cli, sdc_format_opts_groups(fo),
	    &common, NULL, argc, words);
}

static void
test_command_line(void)
{
	char *words[] = { "test", "-t", "--exact-decimals", "--header=none",
	    "--text-field=/a/b", "--line-delimiter=\\n", "--chunk-size=4K",
	    "--infer", "file", NULL };
	struct sdc_format_opts fo;
	const struct sdc_csv_opts *csv;
	const struct sdc_text_opts *text;
	const struct sdc_bytes_opts *bytes;
	const struct sdc_option_group *g;
	char titles[256] = "";

	sdc_format_opts_init(&fo);
	for (g = sdc_format_opts_groups(&fo); g->title != NULL; g++)
		snprintf(titles + strlen(titles), sizeof titles -
		    strlen(titles), "%s;", g->title);
	is_str(titles, "json format options;csv format options;"
	    "text format options;bytes format options;log format options;"
	    "sdcjson format options;"
	    "avro format options;"
	    "protobuf format options;"
	    "xml format options;"
	    "collectd format options;netflow format options;",
	    "a group of options for each format, in table order");
	is_int(parse(&fo, words), 8, "format options parsed, then operands");
	csv = sdc_format_opts_get(&fo, sdc_format_find("csv"));
	text = sdc_format_opts_get(&fo, sdc_format_find("text"));
	bytes = sdc_format_opts_get(&fo, sdc_format_find("bytes"));
	is_int(csv->delimiter, '\t', "-t: tab-separated");
	ok(csv->exact_decimals && csv->infer_types,
	    "--exact-decimals of json reaches csv too; --infer abbreviates");
	is_int(csv->header, SDC_HEADER_NONE, "--header=none");
	is_int(csv->quote, '"', "the default quote stays");
	is_str(text->line_delimiter, "\n", "--line-delimiter=\\n: a newline");
	ok(text->text_field.n == 2, "--text-field=/a/b: two steps");
	is_int(bytes->chunk_size, 4096, "--chunk-size=4K");
	ok(sdc_format_opts_set(&fo, "delimiter", ";") && csv->delimiter == ';',
	    "sdc_format_opts_set: as the command line");
	ok(!sdc_format_opts_set(&fo, "to", "json"),
	    "sdc_format_opts_set: no format declares --to");
	sdc_format_opts_release(&fo);
}

/* Groups of the cli: a name in two groups goes to both. */
static int calls[2][4];

static void
count_a(void *ctx, int val, const char *arg)
{
	(void)ctx, (void)arg;
	calls[0][val]++;
}

static void
count_b(void *ctx, int val, const char *arg)
{
	(void)ctx, (void)arg;
	calls[1][val]++;
}

static const struct sdc_option table_a[] = {
	{ "shared", 0, 1, false, NULL, "in a and b" },
	{ "only-a", 'A', 2, true, "N", "in a" },
	{ NULL, 0, 0, false, NULL, NULL }
};
static const struct sdc_option table_b[] = {
	{ "only-b", 0, 0, false, NULL, "in b" },
	{ "shared", 0, 3, false, NULL, "in b and a" },
	{ NULL, 0, 0, false, NULL, NULL }
};
static const struct sdc_option table_clash[] = {
	{ "shared", 0, 0, true, "X", "takes an argument here" },
	{ NULL, 0, 0, false, NULL, NULL }
};
static const struct sdc_option table_common[] = {
	{ "force", 0, 0, false, NULL, "a common option's name" },
	{ NULL, 0, 0, false, NULL, NULL }
};

static int
parse_groups_in_child(const struct sdc_option_group *groups)
{
	char *words[] = { "test", NULL };
	struct sdc_options common;
	int status;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		dup2(open("/dev/null", O_WRONLY), STDERR_FILENO);
		sdc_options_init(&common);
		optind = 0;
		sdc_cli_parse_groups(&test_cli, groups, &common, NULL, 1,
		    words);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
test_groups(void)
{
	const struct sdc_option_group groups[] = {
		{ "a", table_a, count_a, NULL },
		{ "b", table_b, count_b, NULL },
		{ NULL, NULL, NULL, NULL }
	}, clash[] = {
		{ "a", table_a, count_a, NULL },
		{ "c", table_clash, count_b, NULL },
		{ NULL, NULL, NULL, NULL }
	}, common_name[] = {
		{ "c", table_common, count_a, NULL },
		{ NULL, NULL, NULL, NULL }
	};
	char *words[] = { "test", "--shared", "-A", "3", "--only-b",
	    "--sha", NULL };
	struct sdc_options common;

	sdc_options_init(&common);
	optind = 0;
	is_int(sdc_cli_parse_groups(&test_cli, groups, &common, NULL, 6,
	    words), 6, "groups: parsed");
	ok(calls[0][1] == 2 && calls[1][3] == 2,
	    "groups: a shared name reaches both groups, with their vals");
	ok(calls[0][2] == 1 && calls[1][0] == 1,
	    "groups: the others their own group");
	is_int(parse_groups_in_child(clash), SDC_EXIT_USAGE,
	    "groups: one name with and without an argument is refused");
	is_int(parse_groups_in_child(common_name), SDC_EXIT_USAGE,
	    "groups: a common option's name is refused");
}

int
main(void)
{
	sdc_set_progname("test");
	for (size_t i = 0; sdc_formats[i] != NULL; i++)
		check_table(sdc_formats[i]);
	test_bad_values();
	test_command_line();
	test_groups();
	return tap_done();
}
