/*
 * The bodies of run-now and runs/submit (Jobs API 2.1), every value
 * expanded for the launch's event and put in as a JSON string, so a
 * file name reaches the job as it is, whatever it holds.  Both carry
 * the event's idempotency token: a request tried again after a
 * timeout finds the run the first one made instead of making another.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "databricks.h"
#include "banned.h"

#define TASK_KEY	"sdc_sparkjob"

/* The expansion of t as a JSON string, or NULL (not UTF-8). */
static json_t *
expand(struct sdc_launch *l, struct sdc_template *t, const char *what,
    char *err, size_t len)
{
	char *text = sdc_launch_expand(l, t);
	json_t *s = json_string(text);

	if (s == NULL)
		snprintf(err, len, "%s: not UTF-8 text", what);
	free(text);
	return s;
}

static bool
put(json_t *obj, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new(obj, key, v) == 0;
}

static json_t *
list(struct sdc_launch *l, const struct sdc_dbx_list *ls, const char *what,
    char *err, size_t len)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ls->n; i++) {
		json_t *s = expand(l, ls->items[i], what, err, len);

		if (s == NULL || json_array_append_new(a, s) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
map(struct sdc_launch *l, const struct sdc_dbx_map *m, const char *what,
    char *err, size_t len)
{
	json_t *o = json_object();

	for (size_t i = 0; i < m->n; i++)
		if (!put(o, m->items[i].key, expand(l, m->items[i].value,
		    what, err, len))) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static json_t *
job_id(struct sdc_dbx *d, struct sdc_launch *l, char *err, size_t len)
{
	char *text = sdc_launch_expand(l, d->job_id), *end;
	long long id;

	errno = 0;
	id = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || id <= 0 ||
	    text[0] == '+' || text[0] == ' ') {
		snprintf(err, len, "--job-id '%.100s': not a job id", text);
		free(text);
		return NULL;
	}
	free(text);
	return json_integer(id);
}

static bool
run_now(struct sdc_dbx *d, struct sdc_launch *l, json_t *b, char *err,
    size_t len)
{
	if (!put(b, "job_id", job_id(d, l, err, len)))
		return false;
	if (d->notebook.n > 0 && !put(b, "notebook_params", map(l,
	    &d->notebook, "--notebook-param", err, len)))
		return false;
	if (d->jar.n > 0 && !put(b, "jar_params", list(l, &d->jar,
	    "--jar-param", err, len)))
		return false;
	if (d->python.n > 0 && !put(b, "python_params", list(l, &d->python,
	    "--python-param", err, len)))
		return false;
	return d->job.n == 0 || put(b, "job_parameters", map(l, &d->job,
	    "--job-param", err, len));
}

/* notebook_task, spark_python_task or spark_jar_task. */
static bool
task_body(struct sdc_dbx *d, struct sdc_launch *l, json_t *task, char *err,
    size_t len)
{
	json_t *t = json_object();

	if (!put(task, d->task == SDC_DBX_NOTEBOOK ? "notebook_task" :
	    d->task == SDC_DBX_PYTHON ? "spark_python_task" :
	    "spark_jar_task", t))
		return false;
	switch (d->task) {
	case SDC_DBX_NOTEBOOK:
		return put(t, "notebook_path", expand(l, d->path,
		    "--notebook-path", err, len)) && (d->notebook.n == 0 ||
		    put(t, "base_parameters", map(l, &d->notebook,
		    "--notebook-param", err, len)));
	case SDC_DBX_PYTHON:
		return put(t, "python_file", expand(l, d->path,
		    "--python-file", err, len)) && (d->python.n == 0 ||
		    put(t, "parameters", list(l, &d->python, "--python-param",
		    err, len)));
	default:
		return put(t, "main_class_name", expand(l, d->path,
		    "--main-class", err, len)) && (d->jar.n == 0 ||
		    put(t, "parameters", list(l, &d->jar, "--jar-param", err,
		    len)));
	}
}

static json_t *
libraries(struct sdc_dbx *d, struct sdc_launch *l, char *err, size_t len)
{
	json_t *a = json_array();

	for (size_t i = 0; i < d->libraries.n; i++) {
		json_t *lib = json_object();

		if (json_array_append_new(a, lib) != 0 || !put(lib, "jar",
		    expand(l, d->libraries.items[i], "--library", err, len))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static bool
submit(struct sdc_dbx *d, struct sdc_launch *l, json_t *b, char *err,
    size_t len)
{
	json_t *tasks = json_array(), *task = json_object();

	if (!put(b, "tasks", tasks) || json_array_append_new(tasks, task) != 0)
		return false;
	if (d->run_name != NULL && !put(b, "run_name", expand(l, d->run_name,
	    "--run-name", err, len)))
		return false;
	if (!put(task, "task_key", json_string(TASK_KEY)))
		return false;
	if (d->cluster_id != NULL && !put(task, "existing_cluster_id",
	    expand(l, d->cluster_id, "--cluster-id", err, len)))
		return false;
	if (d->new_cluster != NULL && !put(task, "new_cluster",
	    json_deep_copy(d->new_cluster)))
		return false;
	if (d->libraries.n > 0 && !put(task, "libraries", libraries(d, l, err,
	    len)))
		return false;
	return task_body(d, l, task, err, len);
}

/* 32 hex digits of SHA-256 over the event's token, the path and body. */
static json_t *
token_for(struct sdc_dbx *d, struct sdc_launch *l, json_t *b)
{
	char *text = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[33];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const char *event = sdc_launch_token(l), *path = sdc_dbx_launch_path(d);
	bool ok;

	ok = text != NULL && ctx != NULL &&
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, event, strlen(event) + 1) == 1 &&
	    EVP_DigestUpdate(ctx, path, strlen(path) + 1) == 1 &&
	    EVP_DigestUpdate(ctx, text, strlen(text)) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	free(text);
	if (!ok)
		return NULL;
	for (size_t i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return json_string(hex);
}

json_t *
sdc_dbx_launch_body(struct sdc_dbx *d, struct sdc_launch *l, char *err,
    size_t len)
{
	json_t *b = json_object();
	bool ok;

	snprintf(err, len, "out of memory");
	ok = d->task == SDC_DBX_RUN_NOW ? run_now(d, l, b, err, len) :
	    submit(d, l, b, err, len);
	if (ok)
		ok = put(b, "idempotency_token", token_for(d, l, b));
	if (!ok) {
		json_decref(b);
		return NULL;
	}
	return b;
}

const char *
sdc_dbx_launch_path(const struct sdc_dbx *d)
{
	return d->task == SDC_DBX_RUN_NOW ? "/api/2.1/jobs/run-now" :
	    "/api/2.1/jobs/runs/submit";
}
