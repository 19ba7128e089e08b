/* sdc-spark-eval: batches of records through a Spark transformer. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "eval.h"
#include "run.h"
#include "xalloc.h"

enum {
	OPT_MASTER = 0x100, OPT_PARALLELISM, OPT_APP_NAME, OPT_BATCH_MS,
	OPT_PYTHON
};

static const struct sdc_option options[] = {
	{ "transformer", 'T', 'T', true, "SPEC",
	  "the transformer: module:Class or file.py:Class (required)" },
	{ "master", 0, OPT_MASTER, true, "URL",
	  "Spark master: local[N], spark://, yarn, k8s:// (local[*])" },
	{ "conf", 'c', 'c', true, "KEY=VALUE",
	  "a Spark configuration property (repeatable)" },
	{ "param", 'p', 'p', true, "ARG",
	  "an argument for the transformer's init (repeatable)" },
	{ "parallelism", 0, OPT_PARALLELISM, true, "N",
	  "partitions of each batch's RDD (default 4)" },
	{ "app-name", 0, OPT_APP_NAME, true, "NAME",
	  "the Spark application name (sdc-spark-eval)" },
	{ "batch-size", 'b', 'b', true, "N",
	  "at most N records a batch (default 10000)" },
	{ "batch-ms", 0, OPT_BATCH_MS, true, "MS",
	  "a batch waits at most MS milliseconds for more (1000)" },
	{ "python", 0, OPT_PYTHON, true, "PATH",
	  "the Python that has PySpark (SDC_SPARK_PYTHON)" },
	{ "verbose", 'v', 'v', false, NULL,
	  "Spark's own log on standard error" },
	{ NULL, 0, 0, false, NULL, NULL }
};

struct eval_args {
	struct sdc_spark_eval_options	o;
	size_t				cap_conf, cap_params;
};

static void
push_arg(const char ***list, size_t *n, const char *arg)
{
	*list = sdc_xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = arg;
}

static void
handle(void *ctx, int val, const char *arg)
{
	struct sdc_spark_eval_options *o = &((struct eval_args *)ctx)->o;
	struct sdc_spark_config *c = &o->spark;

	switch (val) {
	case 'T': c->transformer = arg; break;
	case OPT_MASTER: c->master = arg; break;
	case 'c':
		if (strchr(arg, '=') == NULL || arg[0] == '=')
			sdc_usage_error("--conf: '%s' is not KEY=VALUE", arg);
		push_arg(&c->conf, &c->nconf, arg);
		break;
	case 'p': push_arg(&c->params, &c->nparams, arg); break;
	case OPT_PARALLELISM:
		c->parallelism = sdc_parse_count("--parallelism", arg);
		if (c->parallelism == 0)
			sdc_usage_error("--parallelism: must be at least 1");
		break;
	case OPT_APP_NAME: c->app_name = arg; break;
	case 'b':
		o->batch_size = sdc_parse_count("--batch-size", arg);
		if (o->batch_size == 0)
			sdc_usage_error("--batch-size: must be at least 1");
		break;
	case OPT_BATCH_MS:
		o->batch_seconds = (double)sdc_parse_count("--batch-ms", arg) /
		    1000;
		break;
	case OPT_PYTHON: c->python = arg; break;
	case 'v': c->verbose = true; break;
	}
}

static const struct sdc_cli cli = {
	"--transformer SPEC [options] [FILE ...]",
	"Run each batch of records through a Spark transformer, as an RDD.",
	"  sdc-spark-eval -T traffic.py:FootTraffic < sightings.sdc > traffic.sdc\n"
	"  sdc-spark-eval -T model.py:Score -p k=4 -c spark.executor.memory=2g",
	options,
	handle
};

static void
defaults(struct sdc_spark_eval_options *o)
{
	const char *python = getenv("SDC_SPARK_PYTHON");

	memset(o, 0, sizeof(*o));
	o->spark.app_name = "sdc-spark-eval";
	o->spark.parallelism = 4;
	o->spark.python = python != NULL && *python != '\0' ? python :
	    SDC_SPARK_PYTHON;
	o->spark.package_dir = SDC_PYTHON_DIR;
	o->batch_size = 10000;
	o->batch_seconds = 1;
}

int
main(int argc, char **argv)
{
	struct eval_args a;
	struct sdc_options opt;
	struct sdc_run run;
	char *stdin_only[] = { "-", NULL };
	char **files;
	int first;

	defaults(&a.o);
	sdc_options_init(&opt);
	first = sdc_cli_parse(&cli, &opt, &a, argc, argv);
	if (a.o.spark.transformer == NULL)
		sdc_usage_error("--transformer is required");
	files = first < argc ? argv + first : stdin_only;
	sdc_run_start(&run, sdc_progname(), &opt, NULL);
	sdc_spark_eval(&run, &a.o, (const char *const *)files);
	free(a.o.spark.conf);
	free(a.o.spark.params);
	return sdc_run_finish(&run);
}
