/* sdc-spark-eval: batches of records through a Spark transformer. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cluster.h"
#include "diag.h"
#include "eval.h"
#include "run.h"
#include "secret.h"
#include "xalloc.h"

enum {
	OPT_MASTER = 0x100, OPT_PARALLELISM, OPT_APP_NAME, OPT_BATCH_MS,
	OPT_PYTHON, OPT_JAR
};

/* The cluster mode's. */
enum { OPT_LISTEN = 0x200, OPT_CONNECT, OPT_SECRET_FILE };

static const struct sdc_option options[] = {
	{ "transformer", 'T', 'T', true, "SPEC",
	  "module:Class, file.py:Class or java:CLASS (required)" },
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
	{ "jar", 0, OPT_JAR, true, "FILE",
	  "a jar for the JVM's class path (repeatable)" },
	{ "listen", 0, OPT_LISTEN, true, "HOST:PORT",
	  "be the service: batches of producers, unioned, through Spark" },
	{ "connect", 0, OPT_CONNECT, true, "HOST:PORT",
	  "be a producer: the batches through the service there" },
	{ "secret-file", 0, OPT_SECRET_FILE, true, "FILE",
	  "the shared secret of the cluster (SDC_SPARK_SECRET)" },
	{ "verbose", 'v', 'v', false, NULL,
	  "Spark's own log on standard error" },
	{ NULL, 0, 0, false, NULL, NULL }
};

struct eval_args {
	struct sdc_spark_eval_options	o;
	size_t				cap_conf, cap_params;
	struct sdc_net_addr		listen, connect;
	bool				listening, connecting;
	const char			*secret_file;
	const char			*spark_option;	/* one given */
};

static const char *
option_name(int val)
{
	const struct sdc_option *o = options;

	while (o->name != NULL && o->val != val)
		o++;
	return o->name != NULL ? o->name : "?";
}

static void
parse_addr(struct sdc_net_addr *a, const char *opt, const char *arg)
{
	const char *reason;

	if (!sdc_net_parse(a, arg, &reason))
		sdc_usage_error("%s: '%s': %s", opt, arg, reason);
}

/* The options of the cluster mode; the others of Spark are noted. */
static bool
cluster_option(struct eval_args *a, int val, const char *arg)
{
	switch (val) {
	case OPT_LISTEN:
		parse_addr(&a->listen, "--listen", arg);
		a->listening = true;
		return true;
	case OPT_CONNECT:
		parse_addr(&a->connect, "--connect", arg);
		if (strcmp(a->connect.port, "0") == 0)
			sdc_usage_error("--connect: '%s': port 0", arg);
		a->connecting = true;
		return true;
	case OPT_SECRET_FILE:
		a->secret_file = arg;
		return true;
	case 'b': case OPT_BATCH_MS: case 'v':
		return false;
	default:
		a->spark_option = option_name(val);
		return false;
	}
}

static void
check_mode(const struct eval_args *a, bool files)
{
	if (a->listening && a->connecting)
		sdc_usage_error("--listen and --connect: one or the other");
	if (a->secret_file != NULL && !a->listening && !a->connecting)
		sdc_usage_error("--secret-file: only with --listen or "
		    "--connect");
	if (a->listening && files)
		sdc_usage_error("--listen: the service reads no input, its "
		    "producers do");
	if (a->connecting && a->spark_option != NULL)
		sdc_usage_error("--%s: not with --connect, the service runs "
		    "the transformer", a->spark_option);
	if (!a->connecting && a->o.spark.transformer == NULL)
		sdc_usage_error("--transformer is required");
}

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

	if (cluster_option(ctx, val, arg))
		return;
	switch (val) {
	case 'T': c->transformer = arg; break;
	case OPT_MASTER: c->master = arg; break;
	case 'c':
		if (strchr(arg, '=') == NULL || arg[0] == '=')
			sdc_usage_error("--conf: '%s' is not KEY=VALUE", arg);
		if (strcmp(arg, "spark.submit.deployMode=cluster") == 0)
			sdc_usage_error("--conf: %s: the driver runs in this "
			    "process (client mode); sdc-sparkjob submits "
			    "applications in cluster mode", arg);
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
	case OPT_JAR: push_arg(&c->jars, &c->njars, arg); break;
	case 'v': c->verbose = true; break;
	}
}

static const struct sdc_cli cli = {
	"--transformer SPEC [options] [FILE ...]",
	"Run each batch of records through a Spark transformer, as an RDD.",
	"  sdc-spark-eval -T traffic.py:FootTraffic < sightings.sdc > traffic.sdc\n"
	"  sdc-spark-eval -T anomalies.py:AnomalousDevices -p k=4 \\\n"
	"      -c spark.executor.memory=2g < sightings.sdc > scored.sdc",
	options,
	handle
};

static void
defaults(struct sdc_spark_eval_options *o)
{
	const char *python = getenv("SDC_SPARK_PYTHON");
	const char *jar = getenv("SDC_SPARK_JAR");

	memset(o, 0, sizeof(*o));
	o->spark.app_name = "sdc-spark-eval";
	o->spark.parallelism = 4;
	o->spark.python = python != NULL && *python != '\0' ? python :
	    SDC_SPARK_PYTHON;
	o->spark.package_dir = SDC_PYTHON_DIR;
	o->spark.sdc_jar = jar != NULL && *jar != '\0' ? jar : SDC_SPARK_JAR;
	o->batch_size = 10000;
	o->batch_seconds = 1;
}

int
main(int argc, char **argv)
{
	struct eval_args a;
	struct sdc_options opt;
	struct sdc_run run;
	struct sdc_secret secret = { NULL, 0 };
	char *stdin_only[] = { "-", NULL };
	char **files;
	int first;

	memset(&a, 0, sizeof a);
	defaults(&a.o);
	sdc_options_init(&opt);
	first = sdc_cli_parse(&cli, &opt, &a, argc, argv);
	check_mode(&a, first < argc);
	files = first < argc ? argv + first : stdin_only;
	if (a.listening || a.connecting)
		sdc_secret_load(&secret, a.secret_file, SDC_SPARK_SECRET_ENV,
		    a.listening ? "shared secret for --listen" :
		    "shared secret for --connect", "--secret-file");
	sdc_run_start(&run, sdc_progname(), &opt, NULL);
	if (a.listening)
		sdc_spark_serve(&run, &a.o, &a.listen, &secret);
	else if (a.connecting)
		sdc_spark_produce(&run, &a.o, &a.connect, &secret,
		    (const char *const *)files);
	else
		sdc_spark_eval(&run, &a.o, (const char *const *)files);
	sdc_secret_release(&secret);
	free(a.o.spark.conf);
	free(a.o.spark.params);
	free(a.o.spark.jars);
	return sdc_run_finish(&run);
}
