/*
 * The databricks launcher's options.  Repeated ones (--notebook-param,
 * --jar-param, ...) keep their order, which is the order of the
 * parameters sent.
 */
#include <string.h>

#include "cli.h"
#include "databricks.h"
#include "banned.h"

static struct sdc_dbx_opts *
O(void *opts)
{
	return opts;
}

static void
add(const char **list, size_t *n, const char *opt, const char *arg)
{
	if (*n == SDC_DBX_PARAMS_MAX)
		sdc_usage_error("databricks: %s: at most %d", opt,
		    SDC_DBX_PARAMS_MAX);
	list[(*n)++] = arg;
}

#define SETTER(name, member)						\
static void								\
set_##name(void *opts, const char *opt, const char *arg)		\
{									\
	(void)opt;							\
	O(opts)->member = arg;						\
}

SETTER(host, host)
SETTER(ca_file, ca_file)
SETTER(token_file, token_file)
SETTER(client_id, client_id)
SETTER(client_secret_file, client_secret_file)
SETTER(job_id, job_id)
SETTER(notebook_path, notebook_path)
SETTER(python_file, python_file)
SETTER(main_class, main_class)
SETTER(cluster_id, cluster_id)
SETTER(new_cluster, new_cluster_file)
SETTER(run_name, run_name)

static void
set_plain_http(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	(void)arg;
	O(opts)->plain_http = true;
}

static void
set_no_cancel(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	(void)arg;
	O(opts)->no_cancel = true;
}

static void
check_pair(const char *opt, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg)
		sdc_usage_error("databricks: %s '%s': not KEY=VALUE", opt, arg);
}

static void
set_notebook_param(void *opts, const char *opt, const char *arg)
{
	check_pair(opt, arg);
	add(O(opts)->notebook_params, &O(opts)->nnotebook, opt, arg);
}

static void
set_job_param(void *opts, const char *opt, const char *arg)
{
	check_pair(opt, arg);
	add(O(opts)->job_params, &O(opts)->njob, opt, arg);
}

static void
set_jar_param(void *opts, const char *opt, const char *arg)
{
	add(O(opts)->jar_params, &O(opts)->njar, opt, arg);
}

static void
set_python_param(void *opts, const char *opt, const char *arg)
{
	add(O(opts)->python_params, &O(opts)->npython, opt, arg);
}

static void
set_library(void *opts, const char *opt, const char *arg)
{
	add(O(opts)->libraries, &O(opts)->nlibraries, opt, arg);
}

static void
set_poll_interval(void *opts, const char *opt, const char *arg)
{
	O(opts)->poll_interval = sdc_parse_seconds(opt, arg);
	if (O(opts)->poll_interval <= 0)
		sdc_usage_error("databricks: %s: must be more than 0", opt);
}

static void
set_request_timeout(void *opts, const char *opt, const char *arg)
{
	O(opts)->request_timeout = sdc_parse_seconds(opt, arg);
	if (O(opts)->request_timeout <= 0)
		sdc_usage_error("databricks: %s: must be more than 0", opt);
}

void
sdc_dbx_opts_init(void *opts)
{
	struct sdc_dbx_opts *o = opts;

	memset(o, 0, sizeof(*o));
	o->poll_interval = 10;
	o->request_timeout = 60;
}

const struct sdc_plugin_option sdc_dbx_options[] = {
	{ "host", 0, "URL", "the workspace, https://... (else "
	  "$DATABRICKS_HOST)", set_host },
	{ "allow-plain-http", 0, NULL, "allow an http:// --host that is "
	  "not on loopback", set_plain_http },
	{ "ca-file", 0, "FILE", "trust the CAs of FILE (PEM) for the "
	  "workspace", set_ca_file },
	{ "token-file", 0, "FILE", "the access token (else "
	  "$DATABRICKS_TOKEN)", set_token_file },
	{ "client-id", 0, "ID", "OAuth machine-to-machine: the service "
	  "principal (else $DATABRICKS_CLIENT_ID)", set_client_id },
	{ "client-secret-file", 0, "FILE", "its OAuth secret (else "
	  "$DATABRICKS_CLIENT_SECRET)", set_client_secret_file },
	{ "job-id", 0, "ID", "run the job ID defined beforehand (run-now)",
	  set_job_id },
	{ "notebook-param", 0, "KEY=VALUE", "a notebook parameter (a "
	  "widget's value); repeatable", set_notebook_param },
	{ "jar-param", 0, "VALUE", "an argument of the jar's main class; "
	  "repeatable, in order", set_jar_param },
	{ "python-param", 0, "VALUE", "an argument of the Python file; "
	  "repeatable, in order", set_python_param },
	{ "job-param", 0, "KEY=VALUE", "a job-level parameter of run-now; "
	  "repeatable", set_job_param },
	{ "notebook-path", 0, "PATH", "a one-time run (runs/submit) of "
	  "this notebook", set_notebook_path },
	{ "python-file", 0, "URI", "a one-time run of this Python file",
	  set_python_file },
	{ "main-class", 0, "CLASS", "a one-time run of this jar's main "
	  "class", set_main_class },
	{ "library", 0, "URI", "a jar for a one-time run's cluster; "
	  "repeatable", set_library },
	{ "cluster-id", 0, "ID", "a one-time run on this existing cluster",
	  set_cluster_id },
	{ "new-cluster", 0, "FILE", "a one-time run on a new cluster "
	  "described by FILE (JSON)", set_new_cluster },
	{ "run-name", 0, "NAME", "the one-time run's name", set_run_name },
	{ "poll-interval", 0, "SECONDS", "--wait: between runs/get "
	  "(default 10)", set_poll_interval },
	{ "request-timeout", 0, "SECONDS", "bound of one request (default "
	  "60)", set_request_timeout },
	{ "no-cancel", 0, NULL, "--timeout while waiting: leave the run "
	  "going, not runs/cancel", set_no_cancel },
	{ NULL, 0, NULL, NULL, NULL }
};
