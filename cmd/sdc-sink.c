/* sdc-sink: a record stream to a destination (files, Kafka, S3, HTTP). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "condition.h"
#include "diag.h"
#include "format-options.h"
#include "format.h"
#include "sink-options.h"
#include "sink-run.h"
#include "sink.h"
#include "template.h"
#include "xalloc.h"

enum { OPT_MAX_BUFFER = 0x100, OPT_FLUSH_MS, OPT_TIME_FIELD, OPT_TIMEZONE,
	OPT_CHECK, OPT_WHEN };

static char format_help[200] = "write records in FORMAT (default: the "
    "record stream): one of ";

static const struct sdc_option options[] = {
	{ "format", 'F', 'F', true, "FORMAT", format_help },
	{ "max-buffer", 0, OPT_MAX_BUFFER, true, "SIZE",
	  "bytes held for the destination before input waits (default 8M)" },
	{ "flush-ms", 0, OPT_FLUSH_MS, true, "MS",
	  "send what waits after MS milliseconds (default: at batch frames "
	  "and the end)" },
	{ "time-field", 0, OPT_TIME_FIELD, true, "PATH",
	  "the record's time for name templates; repeatable, the first that "
	  "holds a time counts (default: receivedAt, else now)" },
	{ "timezone", 0, OPT_TIMEZONE, true, "ZONE",
	  "the zone of the templates' %-conversions (default UTC)" },
	{ "when", 0, OPT_WHEN, true, "CONDITION",
	  "deliver only the data records where CONDITION holds (/visits>1); "
	  "repeatable" },
	{ "check", 0, OPT_CHECK, false, NULL,
	  "check the options and reach the destination, writing nothing" },
	{ NULL, 0, 0, false, NULL, NULL }
};

struct sink_args {
	const char		*format;
	const char		*timezone;
	struct sdc_sink_options	 so;
};

static void
add_time_field(struct sdc_sink_options *so, const char *path)
{
	char err[160];

	so->time_paths = sdc_xreallocarray(so->time_paths,
	    so->ntime_paths + 1, sizeof(*so->time_paths));
	if (sdc_path_parse(&so->time_paths[so->ntime_paths], path, err,
	    sizeof err) != 0)
		sdc_usage_error("--time-field: %s", err);
	so->ntime_paths++;
}

static void
handle(void *ctx, int val, const char *arg)
{
	struct sink_args *a = ctx;

	switch (val) {
	case 'F': a->format = arg; break;
	case OPT_MAX_BUFFER: a->so.max_buffer =
		    sdc_parse_size("--max-buffer", arg); break;
	case OPT_FLUSH_MS: a->so.flush_seconds =
		    (double)sdc_parse_count("--flush-ms", arg) / 1000; break;
	case OPT_TIME_FIELD: add_time_field(&a->so, arg); break;
	case OPT_TIMEZONE: a->timezone = arg; break;
	case OPT_WHEN:
		if (a->so.when == NULL)
			a->so.when = sdc_conditions_new();
		sdc_conditions_add(a->so.when, arg);
		break;
	case OPT_CHECK: a->so.check = true; break;
	}
}

static const struct sdc_cli cli = {
	"[DESTINATION] [options]",
	"Write an sdc record stream to a destination (file, kafka, s3, http); "
	"write on\nstandard output its events (file-closed, object-written), "
	"the error records of\nwhat could not be delivered, and what is not "
	"data.",
	"  sdc-ingest --format csv sightings.csv | sdc-sink file "
	"--directory 'out/%Y-%m-%d' \\\n      --format json --max-records "
	"1000 > events.sdc",
	options,
	handle
};

static const struct sdc_format *
record_format(const char *name)
{
	const struct sdc_format *f;
	char names[160];

	if (name == NULL)
		return NULL;
	f = sdc_format_find(name);
	if (f != NULL && f->writer != NULL)
		return f;
	sdc_format_names(names, sizeof names, false);
	sdc_usage_error("--format: unknown format '%s' (one of: %s)", name,
	    names);
}

/* The destination the first operand names, or the default one. */
static const struct sdc_destination *
pick_destination(int argc, char **argv, int *first)
{
	const struct sdc_destination *d;

	if (*first < argc &&
	    (d = sdc_destination_find(argv[*first])) != NULL) {
		(*first)++;
		return d;
	}
	if (sdc_destinations[0] == NULL)
		sdc_usage_error("no destination is built in");
	return sdc_destinations[0];
}

/* The retry options, the destinations' options, then the formats'. */
static struct sdc_option_group *
all_groups(const struct sdc_sink_dest_opts *dopts,
    const struct sdc_format_opts *fo, struct sdc_retry_policy *retry)
{
	return sdc_option_groups_join(sdc_retry_group(retry),
	    sdc_sink_dest_opts_groups(dopts), sdc_format_opts_groups(fo));
}

static void
check_args(struct sink_args *a)
{
	if (a->so.max_buffer < (64u << 10))
		sdc_usage_error("--max-buffer must be at least 64K");
	if (a->timezone != NULL)
		sdc_template_timezone(a->timezone);
}

int
main(int argc, char **argv)
{
	struct sink_args a = { NULL, NULL, { .max_buffer = 8u << 20 } };
	struct sdc_format_opts fo;
	struct sdc_sink_dest_opts dopts;
	struct sdc_options opt;
	struct sdc_option_group *groups;
	const struct sdc_destination *dest;
	size_t n = strlen(format_help);
	int first, status;

	sdc_options_init(&opt);
	sdc_format_names(format_help + n, sizeof format_help - n, false);
	sdc_sink_dest_opts_init(&dopts);
	sdc_format_opts_init(&fo);
	sdc_retry_policy_default(&a.so.retry);
	groups = all_groups(&dopts, &fo, &a.so.retry);
	first = sdc_cli_parse_groups(&cli, groups, &opt, &a, argc, argv);
	dest = pick_destination(argc, argv, &first);
	if (first < argc)
		sdc_usage_error("unexpected operand '%s'", argv[first]);
	sdc_sink_dest_opts_check(&dopts, dest);
	check_args(&a);
	a.so.format = record_format(a.format);
	a.so.format_opts = a.so.format != NULL ?
	    sdc_format_opts_get(&fo, a.so.format) : NULL;
	status = sdc_sink_main(dest, sdc_sink_dest_opts_get(&dopts, dest),
	    &opt, &a.so);
	for (size_t i = 0; i < a.so.ntime_paths; i++)
		sdc_path_release(&a.so.time_paths[i]);
	free(a.so.time_paths);
	sdc_conditions_free(a.so.when);
	free(groups);
	sdc_format_opts_release(&fo);
	sdc_sink_dest_opts_release(&dopts);
	return status;
}
