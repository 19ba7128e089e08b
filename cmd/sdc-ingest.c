/* sdc-ingest: payloads from an origin (files, TCP, ...) to record streams. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "format-options.h"
#include "format.h"
#include "ingest.h"
#include "loop.h"
#include "origin-options.h"
#include "origin.h"
#include "run.h"
#include "xalloc.h"

enum { OPT_BATCH_MS = 0x100, OPT_MAX_BUFFER, OPT_MAX_MESSAGE };

static char format_help[200] = "payloads are in FORMAT (bytes): one of ";

static const struct sdc_option options[] = {
	{ "format", 'F', 'F', true, "FORMAT", format_help },
	{ "batch-size", 'b', 'b', true, "N",
	  "a batch frame after every N records (default: none)" },
	{ "batch-ms", 0, OPT_BATCH_MS, true, "MS",
	  "a batch frame every MS milliseconds (default: none)" },
	{ "max-buffer", 0, OPT_MAX_BUFFER, true, "SIZE",
	  "output held while standard output is slow (default 8M)" },
	{ "max-message-size", 0, OPT_MAX_MESSAGE, true, "SIZE",
	  "largest payload taken; larger ones are refused (default 1M)" },
	{ NULL, 0, 0, false, NULL, NULL }
};

struct ingest_args {
	const char			*format;
	struct sdc_ingest_options	 opt;
};

static void
handle(void *ctx, int val, const char *arg)
{
	struct ingest_args *a = ctx;

	switch (val) {
	case 'F': a->format = arg; break;
	case 'b': a->opt.batch_size = sdc_parse_count("--batch-size", arg);
		break;
	case OPT_BATCH_MS: a->opt.batch_seconds =
		    (double)sdc_parse_count("--batch-ms", arg) / 1000; break;
	case OPT_MAX_BUFFER: a->opt.max_buffer =
		    sdc_parse_size("--max-buffer", arg); break;
	case OPT_MAX_MESSAGE: a->opt.max_message =
		    sdc_parse_size("--max-message-size", arg); break;
	}
}

static const struct sdc_cli cli = {
	"[ORIGIN] [options] [ARGS ...]",
	"Take payloads from an origin (file, tcp, udp, mqtt, http) and write "
	"them as sdc\nrecord streams; the origin is file when the first "
	"operand names none.",
	"  sdc-ingest --format csv sightings.csv > sightings.sdc\n"
	"  sdc-ingest tcp --listen :5140 --framing auto --format log "
	"--log-format syslog \\\n      > syslog.sdc &",
	options,
	handle
};

static const struct sdc_format *
payload_format(const char *name)
{
	const struct sdc_format *f = sdc_format_find(name);
	char names[160];

	if (f != NULL && f->read != NULL)
		return f;
	sdc_format_names(names, sizeof names, true);
	sdc_usage_error("--format: unknown format '%s' (one of: %s)", name,
	    names);
}

/* The origin the first operand names, or the default one. */
static const struct sdc_origin *
pick_origin(int argc, char **argv, int *first)
{
	const struct sdc_origin *o;

	if (*first < argc && (o = sdc_origin_find(argv[*first])) != NULL) {
		(*first)++;
		return o;
	}
	return sdc_origins[0];
}

/* The retry options, the origins' options, then the formats'. */
static struct sdc_option_group *
all_groups(const struct sdc_origin_opts *oo, const struct sdc_format_opts *fo,
    struct sdc_retry_policy *retry)
{
	return sdc_option_groups_join(sdc_retry_group(retry),
	    sdc_origin_opts_groups(oo), sdc_format_opts_groups(fo));
}

static void
check_sizes(const struct sdc_ingest_options *o, const struct sdc_options *c)
{
	if (o->max_message == 0 || o->max_message > c->max_record)
		sdc_usage_error("--max-message-size must be between 1 and "
		    "the record limit (%zu)", c->max_record);
	if (o->max_buffer < (64u << 10))
		sdc_usage_error("--max-buffer must be at least 64K");
}

struct started {
	const struct sdc_origin	*origin;
	void			*state;
	struct sdc_ingest	*ing;
};

/* A stop acted on in the middle of a payload (a whole file): as at the end. */
static void
stop_in_payload(struct sdc_run *run, void *ctx)
{
	struct started *s = ctx;

	(void)run;
	s->origin->stop(s->state);
	sdc_loop_drain(s->ing->loop);
}

static int
ingest(const struct sdc_origin *origin, const void *origin_opts,
    const struct sdc_options *opt, const struct sdc_ingest_options *io,
    int argc, char **argv)
{
	struct sdc_ingest ing;
	struct sdc_run run;
	struct started s = { origin, NULL, &ing };
	int status;

	sdc_run_start(&run, sdc_progname(), opt, NULL);
	sdc_ingest_init(&ing, &run, io);
	s.state = origin->start(&ing, origin_opts, argc, argv);
	run.on_stop = stop_in_payload;
	run.stop_ctx = &s;
	if (!opt->dry_run)
		sdc_loop_run(ing.loop);
	run.on_stop = NULL;
	origin->stop(s.state);
	sdc_loop_drain(ing.loop);
	status = sdc_run_finish(&run);	/* the metrics hold the origin's counts */
	sdc_ingest_release(&ing);
	return status;
}

int
main(int argc, char **argv)
{
	struct ingest_args a = { "bytes", { .max_buffer = 8u << 20,
	    .max_message = 1u << 20 } };
	struct sdc_format_opts fo;
	struct sdc_origin_opts oo;
	struct sdc_options opt;
	struct sdc_option_group *groups;
	const struct sdc_origin *origin;
	size_t n = strlen(format_help);
	int first, status;

	sdc_options_init(&opt);
	sdc_format_names(format_help + n, sizeof format_help - n, true);
	sdc_origin_opts_init(&oo);
	sdc_format_opts_init(&fo);
	sdc_retry_policy_default(&a.opt.retry);
	groups = all_groups(&oo, &fo, &a.opt.retry);
	first = sdc_cli_parse_groups(&cli, groups, &opt, &a, argc, argv);
	origin = pick_origin(argc, argv, &first);
	sdc_origin_opts_check(&oo, origin);
	a.opt.format = payload_format(a.format);
	a.opt.format_opts = sdc_format_opts_get(&fo, a.opt.format);
	check_sizes(&a.opt, &opt);
	status = ingest(origin, sdc_origin_opts_get(&oo, origin), &opt, &a.opt,
	    argc - first, argv + first);
	free(groups);
	sdc_format_opts_release(&fo);
	sdc_origin_opts_release(&oo);
	return status;
}
