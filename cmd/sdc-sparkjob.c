/* sdc-sparkjob: launch a Spark application for each event that comes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "match.h"
#include "plugin-options.h"
#include "retry.h"
#include "sparkjob-run.h"
#include "sparkjob.h"

enum { OPT_ON = 0x100, OPT_WHEN, OPT_MAX_RUNNING, OPT_MAX_QUEUED,
	OPT_PER_MINUTE, OPT_TIMEOUT };

static const struct sdc_option options[] = {
	{ "on", 0, OPT_ON, true, "TYPE",
	  "launch on events of TYPE, '*' for any (default: file-closed and "
	  "object-written); repeatable" },
	{ "when", 0, OPT_WHEN, true, "CONDITION",
	  "launch only when CONDITION holds (/length>0, /filename=~\\.json$); "
	  "repeatable" },
	{ "wait", 'w', 'w', false, NULL,
	  "follow each application to its end and report app-finished" },
	{ "timeout", 0, OPT_TIMEOUT, true, "SECONDS",
	  "end a launch that takes longer, killing what it started "
	  "(default: none)" },
	{ "max-running", 0, OPT_MAX_RUNNING, true, "N",
	  "launches at once (default 1)" },
	{ "max-queued", 0, OPT_MAX_QUEUED, true, "N",
	  "launches waiting their turn before input waits (default 1000)" },
	{ "max-launches-per-minute", 0, OPT_PER_MINUTE, true, "N",
	  "start at most N launches in any minute (default: no bound)" },
	{ "verbose", 'v', 'v', false, NULL,
	  "say what each launch does on standard error" },
	{ NULL, 0, 0, false, NULL, NULL }
};

static unsigned
parse_positive(const char *opt, const char *arg, unsigned long max)
{
	unsigned long n = sdc_parse_count(opt, arg);

	if (n == 0 || n > max)
		sdc_usage_error("%s must be from 1 to %lu", opt, max);
	return (unsigned)n;
}

static void
handle(void *ctx, int val, const char *arg)
{
	struct sdc_sparkjob_options *so = ctx;

	switch (val) {
	case OPT_ON: sdc_event_match_on(so->match, arg); break;
	case OPT_WHEN: sdc_event_match_when(so->match, arg); break;
	case 'w': so->wait = true; break;
	case OPT_TIMEOUT: so->timeout = sdc_parse_seconds("--timeout", arg);
		break;
	case OPT_MAX_RUNNING: so->max_running = parse_positive(
		    "--max-running", arg, 256); break;
	case OPT_MAX_QUEUED: so->max_queued = parse_positive("--max-queued",
		    arg, 1000000); break;
	case OPT_PER_MINUTE: so->per_minute = parse_positive(
		    "--max-launches-per-minute", arg, 100000); break;
	case 'v': so->verbose = true; break;
	}
}

static const struct sdc_cli cli = {
	"LAUNCHER [options] [APPLICATION [ARG ...]]",
	"Launch a Spark application (spark-submit, a Databricks job) for each "
	"event that\ncomes (file-closed, object-written...), with parameters "
	"from the event; pass\nevery frame through and write app-submitted "
	"and app-finished events.",
	"  sdc-sink file < sightings.sdc | sdc-sparkjob spark-submit --master "
	"'local[2]' \\\n      count.py '${/filepath}' > events.sdc",
	options,
	handle
};

static const struct sdc_option_group no_groups[] = { { NULL, NULL, NULL,
	NULL } };

/* The launcher the first operand names: it must name one. */
static const struct sdc_launcher *
pick_launcher(int argc, char **argv, int *first)
{
	const struct sdc_launcher *l;
	char names[160];

	sdc_launcher_names(names, sizeof names);
	if (*first >= argc)
		sdc_usage_error("no launcher named (one of: %s)", names);
	l = sdc_launcher_find(argv[*first]);
	if (l == NULL)
		sdc_usage_error("unknown launcher '%s' (one of: %s)",
		    argv[*first], names);
	(*first)++;
	return l;
}

int
main(int argc, char **argv)
{
	struct sdc_sparkjob_options so = { .max_running = 1,
	    .max_queued = 1000 };
	struct sdc_plugin_opts lopts;
	struct sdc_options opt;
	struct sdc_option_group *groups;
	const struct sdc_launcher *l;
	int first, status;

	sdc_options_init(&opt);
	so.match = sdc_event_match_new();
	sdc_retry_policy_default(&so.retry);
	sdc_plugin_opts_init(&lopts, "launcher",
	    (const void *const *)sdc_launchers, sdc_launcher_view);
	groups = sdc_option_groups_join(sdc_retry_group(&so.retry),
	    sdc_plugin_opts_groups(&lopts), no_groups);
	first = sdc_cli_parse_groups(&cli, groups, &opt, &so, argc, argv);
	l = pick_launcher(argc, argv, &first);
	sdc_plugin_opts_check(&lopts, l);
	status = sdc_sparkjob_main(l, sdc_plugin_opts_get(&lopts, l),
	    argc - first, argv + first, &opt, &so);
	free(groups);
	sdc_plugin_opts_release(&lopts);
	sdc_event_match_free(so.match);
	return status;
}
