/*
 * sdc-ingest's command line in sections (origin/sections.h): where the
 * sections begin and end, which origin each one is, its operands and
 * format, the program-wide options given in any section; and each way
 * a command line can be wrong, a usage error that says where.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "file-origin.h"
#include "retry.h"
#include "sections.h"
#include "tap.h"

struct args {
	struct sdc_ingest_sections	sections;
	unsigned long			batch_size;
};

static void
handle(void *ctx, int val, const char *arg)
{
	struct args *a = ctx;

	if (val == 'F')
		sdc_ingest_sections_set_format(&a->sections, arg);
	else if (val == 'b')
		a->batch_size = sdc_parse_count("--batch-size", arg);
}

static const struct sdc_option options[] = {
	{ "format", 'F', 'F', true, "FORMAT", "the format" },
	{ "batch-size", 'b', 'b', true, "N", "a batch every N" },
	{ NULL, 0, 0, false, NULL, NULL }
};

static const struct sdc_cli cli = { "[ORIGIN] ...", "test", "  test",
	options, handle };

/* Parse the words of line (split at spaces) into a. */
static void
parse(struct args *a, struct sdc_options *common,
    struct sdc_retry_policy *retry, char *line)
{
	static char *argv[64];
	int argc = 0;

	argv[argc++] = "test";
	for (char *w = strtok(line, " "); w != NULL && argc < 63;
	    w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	memset(a, 0, sizeof(*a));
	sdc_options_init(common);
	sdc_retry_policy_default(retry);
	sdc_ingest_sections_parse(&a->sections, &cli, sdc_retry_group(retry),
	    common, a, argc, argv);
}

static void
test_one_section(void)
{
	char line[] = "--format csv a.csv b.csv";
	struct sdc_options common;
	struct sdc_retry_policy retry;
	struct args a;
	const struct sdc_ingest_section *s;

	parse(&a, &common, &retry, line);
	s = &a.sections.v[0];
	is_int(a.sections.n, 1, "no '+': one section");
	is_str(s->origin->name, "file", "the default origin");
	is_int(s->argc, 2, "its operands");
	is_str(s->argv[1], "b.csv", "in their order");
	is_str(s->format->name, "csv", "its --format");
	ok(sdc_ingest_section_context(&a.sections, s) == NULL,
	    "one section: its messages are those of today");
	sdc_ingest_sections_release(&a.sections);
}

static void
test_sections(void)
{
	char line[] = "mqtt --broker 127.0.0.1:1 --topic a/# --format json "
	    "--progress + file x.log --format text -b 5 --progress + http "
	    "--listen 127.0.0.1:0 + file --watch dir";
	struct sdc_options common;
	struct sdc_retry_policy retry;
	struct args a;
	const struct sdc_ingest_section *v;
	const struct sdc_file_opts *fo;

	parse(&a, &common, &retry, line);
	v = a.sections.v;
	is_int(a.sections.n, 4, "three '+': four sections");
	is_str(v[0].origin->name, "mqtt", "1: named by its first operand");
	is_str(v[1].origin->name, "file", "2: named after '+'");
	is_str(v[2].origin->name, "http", "3: named after '+'");
	is_int(v[0].argc, 0, "1: no operands");
	is_int(v[1].argc, 1, "2: its file");
	is_str(v[1].argv[0], "x.log", "2: the file, not the origin's name");
	is_str(v[0].format->name, "json", "1: its own format");
	is_str(v[1].format->name, "text", "2: its own format");
	is_str(v[2].format->name, "bytes", "3: the default format");
	fo = sdc_origin_opts_get(&v[3].oo, v[3].origin);
	is_str(fo->watch, "dir", "4: its origin's options");
	fo = sdc_origin_opts_get(&v[1].oo, v[1].origin);
	ok(fo->watch == NULL, "2: not those of another section");
	is_int(a.batch_size, 5, "a program-wide option in a later section");
	is_int(common.progress, 1, "the same one in two sections, alike");
	is_str(sdc_ingest_section_context(&a.sections, &v[2]),
	    "section 3 (http)", "several sections: messages name theirs");
	sdc_ingest_sections_release(&a.sections);
}

/* Parse line in a child: its exit status and standard error. */
static int
parse_in_child(const char *line, char *err, size_t len)
{
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	if (pipe(fds) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		struct sdc_options common;
		struct sdc_retry_policy retry;
		struct args a;
		char *copy = strdup(line);

		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		parse(&a, &common, &retry, copy);
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

static const struct {
	const char	*line;
	const char	*message;
} bad_lines[] = {
	{ "file a +", "'+' at the end: an origin must follow it" },
	{ "+ file a", "'+' with no origin before it" },
	{ "file a + + file b", "section 2 is empty: an origin must follow '+'" },
	{ "file a + nfs b", "section 2: 'nfs' is not an origin (one of: file, "
	  "tcp, udp, mqtt, http)" },
	{ "file a + --format csv b", "section 2: an origin must follow '+'" },
	{ "file -b 3 a + file -b 4 b", "section 2 (file): --batch-size=4 "
	  "conflicts with --batch-size=3 of section 1 (file): it is an option "
	  "of the whole run" },
	{ "file --progress a + file --no-progress b", "section 2 (file): "
	  "--no-progress conflicts with --progress of section 1 (file)" },
	{ "file a + file b --retry-max 3 + file c --retry-max 4",
	  "section 3 (file): --retry-max=4 conflicts with --retry-max=3 of "
	  "section 2 (file)" },
	{ "file a + file --format xyz b", "section 2 (file): --format: "
	  "unknown format 'xyz'" },
	{ "file a + http --listen 127.0.0.1:0 --watch d", "section 2 (http): "
	  "--watch is not an option of the http origin" },
	{ "file --format xyz a", "--format: unknown format 'xyz'" },
};

static void
test_bad_lines(void)
{
	for (size_t i = 0; i < sizeof bad_lines / sizeof *bad_lines; i++) {
		char err[1024], want[512];
		int st = parse_in_child(bad_lines[i].line, err, sizeof err);
		bool said;

		snprintf(want, sizeof want, "test: %s", bad_lines[i].message);
		said = strncmp(err, want, strlen(want)) == 0;
		ok(st == SDC_EXIT_USAGE && said, "'%s': a usage error",
		    bad_lines[i].line);
		if (st != SDC_EXIT_USAGE || !said)
			printf("#   status %d, said \"%s\"\n", st, err);
	}
}

int
main(void)
{
	test_one_section();
	test_sections();
	test_bad_lines();
	return tap_done();
}
