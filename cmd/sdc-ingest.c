/* sdc-ingest: payloads from origins (files, TCP, ...) to a record stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format.h"
#include "ingest.h"
#include "retry.h"
#include "run.h"
#include "sections.h"

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
	struct sdc_ingest_sections	 sections;
	struct sdc_ingest_options	 opt;
};

static void
handle(void *ctx, int val, const char *arg)
{
	struct ingest_args *a = ctx;

	switch (val) {
	case 'F': sdc_ingest_sections_set_format(&a->sections, arg); break;
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
	"[ORIGIN] [options] [ARGS ...] [+ ORIGIN ...]",
	"Take payloads from origins (file, tcp, udp, mqtt, http) and write "
	"them as one\nsdc record stream; the origin is file when the first "
	"operand names none, and\neach '+' begins the section of another "
	"origin.",
	"  sdc-ingest --format csv sightings.csv > sightings.sdc\n"
	"  sdc-ingest tcp --listen :5140 --framing auto --format log "
	"--log-format syslog \\\n      > syslog.sdc &\n"
	"  sdc-ingest mqtt --broker 127.0.0.1:1883 --topic 'mall/#' "
	"--format json \\\n"
	"      + http --listen 127.0.0.1:8080 --format json > mall.sdc &",
	options,
	handle
};

static void
check_sizes(const struct sdc_ingest_options *o, const struct sdc_options *c)
{
	if (o->max_message == 0 || o->max_message > c->max_record)
		sdc_usage_error("--max-message-size must be between 1 and "
		    "the record limit (%zu)", c->max_record);
	if (o->max_buffer < (64u << 10))
		sdc_usage_error("--max-buffer must be at least 64K");
}

int
main(int argc, char **argv)
{
	struct ingest_args a = { .opt = { .max_buffer = 8u << 20,
	    .max_message = 1u << 20 } };
	struct sdc_options opt;
	size_t n = strlen(format_help);
	int status;

	sdc_options_init(&opt);
	sdc_format_names(format_help + n, sizeof format_help - n, true);
	sdc_retry_policy_default(&a.opt.retry);
	sdc_ingest_sections_parse(&a.sections, &cli,
	    sdc_retry_group(&a.opt.retry), &opt, &a, argc, argv);
	check_sizes(&a.opt, &opt);
	status = sdc_ingest_sections_run(&a.sections, &opt, &a.opt);
	sdc_ingest_sections_release(&a.sections);
	return status;
}
