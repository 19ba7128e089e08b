/*
 * The databricks launcher's open: the workspace's URL, what each
 * launch runs (run-now of --job-id, or a one-time run of a notebook, a
 * Python file or a jar's main class), the templates, the credentials.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "databricks.h"
#include "diag.h"
#include "tls.h"
#include "xalloc.h"
#include "banned.h"

#define HOST_ENV	"DATABRICKS_HOST"

static char *
url_part(CURLU *u, CURLUPart what)
{
	char *p = NULL;

	if (curl_url_get(u, what, &p, 0) != CURLUE_OK)
		return NULL;
	return p;
}

static bool
loopback(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "[::1]") == 0 ||
	    strcmp(host, "localhost") == 0;
}

/* https://HOST[:PORT][/PATH], or http:// to loopback; no final '/'. */
static char *
check_host(const char *given, bool plain_http)
{
	size_t n = strlen(given) + sizeof "https://";
	char *text = sdc_xmalloc(n);
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *query = NULL, *frag = NULL;

	snprintf(text, n, "%s%s", strstr(given, "://") != NULL ? "" :
	    "https://", given);
	if (u == NULL || curl_url_set(u, CURLUPART_URL, text, 0) != CURLUE_OK ||
	    (scheme = url_part(u, CURLUPART_SCHEME)) == NULL ||
	    (host = url_part(u, CURLUPART_HOST)) == NULL)
		sdc_usage_error("databricks: --host '%s': not a URL", given);
	query = url_part(u, CURLUPART_QUERY);
	frag = url_part(u, CURLUPART_FRAGMENT);
	if (query != NULL || frag != NULL || strpbrk(text, " \r\n") != NULL)
		sdc_usage_error("databricks: --host '%s': a query, fragment "
		    "or space", given);
	if (strcmp(scheme, "https") != 0 && (strcmp(scheme, "http") != 0 ||
	    !(loopback(host) || plain_http)))
		sdc_usage_error("databricks: --host '%s': https:// (http:// "
		    "only to loopback, or with --allow-plain-http)", given);
	curl_free(scheme);
	curl_free(host);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	n = strlen(text);
	while (n > 0 && text[n - 1] == '/')
		text[--n] = '\0';
	return text;
}

static void
take_list(struct sdc_dbx *d, struct sdc_dbx_list *ls, const char *opt,
    const char *const *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ls->items[i] = sdc_sparkjob_template(d->j, opt, items[i]);
	ls->n = n;
}

static void
take_map(struct sdc_dbx *d, struct sdc_dbx_map *m, const char *opt,
    const char *const *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(items[i], '=');

		for (size_t k = 0; k < i; k++)
			if (strlen(m->items[k].key) == (size_t)(eq - items[i]) &&
			    strncmp(m->items[k].key, items[i],
			    (size_t)(eq - items[i])) == 0)
				sdc_usage_error("databricks: %s: '%.*s' twice",
				    opt, (int)(eq - items[i]), items[i]);
		m->items[i].key = sdc_xmemdup(items[i],
		    (size_t)(eq - items[i]));
		m->items[i].value = sdc_sparkjob_template(d->j, opt, eq + 1);
	}
	m->n = n;
}

/* A --job-id without fields must be a number now, not at each launch. */
static void
check_job_id(struct sdc_template *t, const char *text)
{
	char buf[64], *end;

	if (sdc_template_uses_record(t))
		return;
	sdc_template_expand(t, NULL, 0, buf, sizeof buf);
	if (strtoll(buf, &end, 10) <= 0 || *end != '\0' || buf[0] == '+' ||
	    buf[0] == ' ')
		sdc_usage_error("databricks: --job-id '%s': not a job id",
		    text);
}

static int
count_set(const char *a, const char *b, const char *c)
{
	return (a != NULL) + (b != NULL) + (c != NULL);
}

static void
choose_task(struct sdc_dbx *d, const struct sdc_dbx_opts *o)
{
	int tasks = count_set(o->notebook_path, o->python_file, o->main_class);

	if (o->job_id != NULL && tasks > 0)
		sdc_usage_error("databricks: --job-id (run-now) or a one-time "
		    "run (--notebook-path, --python-file, --main-class), not "
		    "both");
	if (o->job_id == NULL && tasks != 1)
		sdc_usage_error("databricks: --job-id, or one of "
		    "--notebook-path, --python-file and --main-class");
	if (o->job_id != NULL) {
		d->task = SDC_DBX_RUN_NOW;
		if (o->nnotebook > 0 && o->njar > 0)
			sdc_usage_error("databricks: --notebook-param and "
			    "--jar-param exclude each other in run-now");
		if (o->cluster_id != NULL || o->new_cluster_file != NULL ||
		    o->run_name != NULL || o->nlibraries > 0)
			sdc_usage_error("databricks: --cluster-id, "
			    "--new-cluster, --library and --run-name are for "
			    "one-time runs, not --job-id");
		return;
	}
	d->task = o->notebook_path != NULL ? SDC_DBX_NOTEBOOK :
	    o->python_file != NULL ? SDC_DBX_PYTHON : SDC_DBX_JAR;
	if (o->njob > 0)
		sdc_usage_error("databricks: --job-param is for --job-id");
	if ((d->task != SDC_DBX_NOTEBOOK && o->nnotebook > 0) ||
	    (d->task != SDC_DBX_PYTHON && o->npython > 0) ||
	    (d->task != SDC_DBX_JAR && o->njar > 0))
		sdc_usage_error("databricks: a one-time run takes the "
		    "parameters of its task only (--notebook-param for "
		    "--notebook-path, --python-param for --python-file, "
		    "--jar-param for --main-class)");
	if (o->cluster_id != NULL && o->new_cluster_file != NULL)
		sdc_usage_error("databricks: --cluster-id and --new-cluster "
		    "exclude each other");
}

static json_t *
load_cluster(const char *path)
{
	json_error_t e;
	json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, &e);

	if (v == NULL)
		sdc_errx(SDC_EXIT_IO, "databricks: --new-cluster %s: line %d "
		    "column %d: %s", path, e.line, e.column, e.text);
	if (!json_is_object(v))
		sdc_usage_error("databricks: --new-cluster %s: not a JSON "
		    "object", path);
	return v;
}

static void
check_ca(const char *ca_file)
{
	struct sdc_tls_config conf = { .ca_file = ca_file };
	struct sdc_tls_ctx *ctx;
	char err[512];

	if (ca_file == NULL)
		return;
	ctx = sdc_tls_client_ctx(&conf, err, sizeof err);
	if (ctx == NULL)
		sdc_errx(SDC_EXIT_IO, "databricks: %s", err);
	sdc_tls_ctx_free(ctx);
}

static void
take_templates(struct sdc_dbx *d, const struct sdc_dbx_opts *o)
{
	struct sdc_sparkjob *j = d->j;

	if (d->task == SDC_DBX_RUN_NOW) {
		d->job_id = sdc_sparkjob_template(j, "--job-id", o->job_id);
		check_job_id(d->job_id, o->job_id);
	} else {
		d->path = sdc_sparkjob_template(j, d->task == SDC_DBX_NOTEBOOK ?
		    "--notebook-path" : d->task == SDC_DBX_PYTHON ?
		    "--python-file" : "--main-class", d->task ==
		    SDC_DBX_NOTEBOOK ? o->notebook_path : d->task ==
		    SDC_DBX_PYTHON ? o->python_file : o->main_class);
	}
	if (o->cluster_id != NULL)
		d->cluster_id = sdc_sparkjob_template(j, "--cluster-id",
		    o->cluster_id);
	if (o->run_name != NULL)
		d->run_name = sdc_sparkjob_template(j, "--run-name",
		    o->run_name);
	take_map(d, &d->notebook, "--notebook-param", o->notebook_params,
	    o->nnotebook);
	take_map(d, &d->job, "--job-param", o->job_params, o->njob);
	take_list(d, &d->jar, "--jar-param", o->jar_params, o->njar);
	take_list(d, &d->python, "--python-param", o->python_params,
	    o->npython);
	take_list(d, &d->libraries, "--library", o->libraries, o->nlibraries);
}

void *
sdc_dbx_open(struct sdc_sparkjob *j, const void *opts, int argc,
    char *const *argv)
{
	const struct sdc_dbx_opts *o = opts;
	struct sdc_dbx *d = sdc_xcalloc(1, sizeof(*d));
	const char *host = o->host != NULL ? o->host : getenv(HOST_ENV);

	(void)argv;
	if (argc > 0)
		sdc_usage_error("databricks: takes no operands ('%s')",
		    argv[0]);
	if (host == NULL || *host == '\0')
		sdc_usage_error("databricks: no workspace: --host URL or $"
		    HOST_ENV);
	d->j = j;
	d->o = o;
	d->host = check_host(host, o->plain_http);
	choose_task(d, o);
	take_templates(d, o);
	if (o->new_cluster_file != NULL)
		d->new_cluster = load_cluster(o->new_cluster_file);
	check_ca(o->ca_file);
	sdc_dbx_auth_open(&d->auth, o);
	return d;
}

void
sdc_dbx_close(void *state)
{
	struct sdc_dbx *d = state;

	if (d == NULL)
		return;
	for (size_t i = 0; i < d->notebook.n; i++)
		free(d->notebook.items[i].key);
	for (size_t i = 0; i < d->job.n; i++)
		free(d->job.items[i].key);
	json_decref(d->new_cluster);
	sdc_dbx_auth_close(&d->auth);
	free(d->host);
	free(d);
}
