/*
 * The spark-submit launcher's options, named as spark-submit names its
 * own.  Values are checked here; templates are parsed when it opens.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "spark-submit.h"
#include "banned.h"

static struct sdc_submit_opts *
O(void *opts)
{
	return opts;
}

void
sdc_submit_opts_init(void *opts)
{
	memset(opts, 0, sizeof(struct sdc_submit_opts));
	O(opts)->master = "local[*]";
	O(opts)->deploy_mode = "client";
}

static void
nonempty(const char *opt, const char *arg)
{
	if (*arg == '\0')
		sdc_usage_error("%s: an empty value", opt);
}

/* 512m, 2g, 1024 (MiB): what spark-submit takes for memory. */
static void
check_memory(const char *opt, const char *arg)
{
	size_t n = strspn(arg, "0123456789");

	if (n == 0 || (arg[n] != '\0' && (strchr("kKmMgGtT", arg[n]) == NULL ||
	    (arg[n + 1] != '\0' && strcmp(arg + n + 1, "b") != 0 &&
	    strcmp(arg + n + 1, "B") != 0))))
		sdc_usage_error("%s: '%s' is not an amount of memory "
		    "(as 512m or 2g)", opt, arg);
}

static unsigned long
positive(const char *opt, const char *arg)
{
	unsigned long n = sdc_parse_count(opt, arg);

	if (n == 0)
		sdc_usage_error("%s: must be at least 1", opt);
	return n;
}

static void
set_master(void *opts, const char *opt, const char *arg)
{
	if (strncmp(arg, "local", 5) != 0 && strncmp(arg, "spark://", 8) != 0
	    && strcmp(arg, "yarn") != 0 && strncmp(arg, "k8s://", 6) != 0)
		sdc_usage_error("%s: '%s' is none of local, local[N], "
		    "spark://HOST:PORT, yarn, k8s://URL", opt, arg);
	O(opts)->master = arg;
}

static void
set_deploy_mode(void *opts, const char *opt, const char *arg)
{
	if (strcmp(arg, "client") != 0 && strcmp(arg, "cluster") != 0)
		sdc_usage_error("%s: '%s' is neither client nor cluster", opt,
		    arg);
	O(opts)->deploy_mode = arg;
}

static void
set_class(void *opts, const char *opt, const char *arg)
{
	nonempty(opt, arg);
	O(opts)->main_class = arg;
}

static void
set_name(void *opts, const char *opt, const char *arg)
{
	nonempty(opt, arg);
	O(opts)->name = arg;
}

static void
set_queue(void *opts, const char *opt, const char *arg)
{
	nonempty(opt, arg);
	O(opts)->queue = arg;
}

static void
set_driver_memory(void *opts, const char *opt, const char *arg)
{
	check_memory(opt, arg);
	O(opts)->driver_memory = arg;
}

static void
set_executor_memory(void *opts, const char *opt, const char *arg)
{
	check_memory(opt, arg);
	O(opts)->executor_memory = arg;
}

static void
set_driver_cores(void *opts, const char *opt, const char *arg)
{
	O(opts)->driver_cores = positive(opt, arg);
}

static void
set_executor_cores(void *opts, const char *opt, const char *arg)
{
	O(opts)->executor_cores = positive(opt, arg);
}

static void
set_num_executors(void *opts, const char *opt, const char *arg)
{
	O(opts)->num_executors = positive(opt, arg);
}

/* MIN,MAX: the bounds of dynamic allocation. */
static void
set_dynamic(void *opts, const char *opt, const char *arg)
{
	const char *comma = strchr(arg, ',');
	char min[32];

	if (comma == NULL || (size_t)(comma - arg) >= sizeof min)
		sdc_usage_error("%s: '%s' is not MIN,MAX", opt, arg);
	memcpy(min, arg, (size_t)(comma - arg));
	min[comma - arg] = '\0';
	O(opts)->min_executors = sdc_parse_count(opt, min);
	O(opts)->max_executors = positive(opt, comma + 1);
	if (O(opts)->min_executors > O(opts)->max_executors)
		sdc_usage_error("%s: MIN is more than MAX", opt);
	O(opts)->dynamic = true;
}

static void
set_jars(void *opts, const char *opt, const char *arg)
{
	nonempty(opt, arg);
	O(opts)->jars = arg;
}

static void
set_py_files(void *opts, const char *opt, const char *arg)
{
	nonempty(opt, arg);
	O(opts)->py_files = arg;
}

static void
set_files(void *opts, const char *opt, const char *arg)
{
	nonempty(opt, arg);
	O(opts)->files = arg;
}

static void
set_conf(void *opts, const char *opt, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg)
		sdc_usage_error("%s: '%s' is not KEY=VALUE", opt, arg);
	if (O(opts)->nconf == SDC_SUBMIT_CONF_MAX)
		sdc_usage_error("%s: at most %d", opt, SDC_SUBMIT_CONF_MAX);
	O(opts)->conf[O(opts)->nconf++] = arg;
}

static void
set_env(void *opts, const char *opt, const char *arg)
{
	size_t n = strcspn(arg, "=");

	if (arg[n] != '=' || n == 0 || isdigit((unsigned char)arg[0]))
		sdc_usage_error("%s: '%s' is not NAME=VALUE", opt, arg);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)arg[i]) && arg[i] != '_')
			sdc_usage_error("%s: '%.*s' is not a variable's name",
			    opt, (int)n, arg);
	if (O(opts)->nenv == SDC_SUBMIT_ENV_MAX)
		sdc_usage_error("%s: at most %d", opt, SDC_SUBMIT_ENV_MAX);
	O(opts)->env[O(opts)->nenv++] = arg;
}

static void
set_proxy_user(void *opts, const char *opt, const char *arg)
{
	nonempty(opt, arg);
	O(opts)->proxy_user = arg;
}

static void
set_principal(void *opts, const char *opt, const char *arg)
{
	nonempty(opt, arg);
	O(opts)->principal = arg;
}

static void
set_keytab(void *opts, const char *opt, const char *arg)
{
	nonempty(opt, arg);
	O(opts)->keytab = arg;
}

static void
set_spark_home(void *opts, const char *opt, const char *arg)
{
	nonempty(opt, arg);
	O(opts)->spark_home = arg;
}

static void
set_java_home(void *opts, const char *opt, const char *arg)
{
	nonempty(opt, arg);
	O(opts)->java_home = arg;
}

const struct sdc_plugin_option sdc_submit_options[] = {
	{ "master", 0, "URL", "local[*] (the default), local[N], "
	  "spark://HOST:PORT, yarn or k8s://URL", set_master },
	{ "deploy-mode", 0, "MODE", "client (the default: the driver runs "
	  "in spark-submit) or cluster", set_deploy_mode },
	{ "class", 0, "CLASS", "the application's main class (a jar's)",
	  set_class },
	{ "name", 0, "TEMPLATE", "the application's name, as "
	  "count-${/filename}", set_name },
	{ "queue", 0, "QUEUE", "the YARN queue to submit to", set_queue },
	{ "driver-memory", 0, "MEM", "the driver's memory, as 1g",
	  set_driver_memory },
	{ "driver-cores", 0, "N", "the driver's cores (cluster mode)",
	  set_driver_cores },
	{ "executor-memory", 0, "MEM", "each executor's memory, as 2g",
	  set_executor_memory },
	{ "executor-cores", 0, "N", "each executor's cores",
	  set_executor_cores },
	{ "num-executors", 0, "N", "executors to start (with "
	  "--dynamic-allocation, the first ones)", set_num_executors },
	{ "dynamic-allocation", 0, "MIN,MAX", "executors as the work "
	  "needs, from MIN to MAX", set_dynamic },
	{ "jars", 0, "JARS", "more jars for the classpaths, separated by "
	  "commas", set_jars },
	{ "py-files", 0, "FILES", ".py, .zip or .egg files for the "
	  "PYTHONPATH, separated by commas", set_py_files },
	{ "files", 0, "FILES", "files for each executor's directory, "
	  "separated by commas", set_files },
	{ "conf", 0, "KEY=TEMPLATE", "a Spark property, its value a "
	  "template (repeatable)", set_conf },
	{ "env", 0, "NAME=VALUE", "a variable of spark-submit's environment "
	  "(repeatable)", set_env },
	{ "proxy-user", 0, "USER", "the user to submit as (not with "
	  "--principal)", set_proxy_user },
	{ "principal", 0, "PRINCIPAL", "the Kerberos principal (with "
	  "--keytab)", set_principal },
	{ "keytab", 0, "FILE", "the keytab of --principal", set_keytab },
	{ "spark-home", 0, "DIR", "run DIR/bin/spark-submit (default: "
	  "SPARK_HOME's, else spark-submit from PATH)", set_spark_home },
	{ "java-home", 0, "DIR", "the JAVA_HOME of spark-submit",
	  set_java_home },
	{ NULL, 0, NULL, NULL, NULL }
};
