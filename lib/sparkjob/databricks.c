/*
 * The databricks launcher (databricks.h): for each event, run-now or
 * runs/submit with the event's idempotency token, tried again after a
 * connection failure, 429 or 5xx (waiting at least what Retry-After
 * says), so that the same event never makes two runs; the run id is
 * the app-submitted event's.  Under --wait, runs/get every
 * --poll-interval until the run's life cycle ends, and app-finished
 * with its result state.  --timeout while waiting cancels the run
 * (runs/cancel) unless --no-cancel; a stop signal leaves it running:
 * the same event launched again finds it by its token.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "databricks.h"
#include "record.h"
#include "retry.h"
#include "xalloc.h"
#include "banned.h"

enum call { CALL_OK, CALL_REFUSED, CALL_GAVE_UP, CALL_STOPPED };

struct call_ctx {
	struct sdc_dbx		*d;
	struct sdc_launch	*l;
	struct sdc_dbx_http	*h;
	char			 why[600];
};

static double
request_timeout(struct call_ctx *c)
{
	double t = c->d->o->request_timeout, left = sdc_launch_time_left(c->l);

	if (left < t)
		t = left < 1 ? 1 : left;
	return t;
}

/*
 * One attempt: CALL_OK with the answer in resp, else the reason in
 * c->why and whether it is worth trying again.
 */
static enum call
attempt(struct call_ctx *c, const char *method, const char *url,
    const char *body, struct sdc_dbx_response *resp, char **refused,
    bool *transient, double *retry_after)
{
	struct sdc_dbx_request rq = { .method = method, .url = url,
	    .body = body, .timeout = request_timeout(c) };
	char *token = sdc_dbx_auth_token(&c->d->auth, c->d->host, c->h,
	    *refused, transient, c->why, sizeof c->why);

	*retry_after = 0;
	if (token == NULL)
		return CALL_REFUSED;
	rq.bearer = token;
	sdc_dbx_http_do(c->h, &rq, resp);
	if (resp->status >= 200 && resp->status < 300) {
		sdc_dbx_token_free(token);
		return CALL_OK;
	}
	sdc_dbx_describe_error(resp, c->why, sizeof c->why);
	*transient = sdc_dbx_transient(resp);
	*retry_after = resp->retry_after;
	/* An OAuth token refused once: a fresh one, at once. */
	if (resp->status == 401 && sdc_dbx_auth_oauth(&c->d->auth) &&
	    *refused == NULL) {
		*refused = token;
		*transient = true;
		*retry_after = -1;
	} else {
		sdc_dbx_token_free(token);
	}
	sdc_dbx_response_release(resp);
	return CALL_REFUSED;
}

/* A request, tried again under the retry policy while it may help. */
static enum call
call(struct call_ctx *c, const char *method, const char *path,
    const char *body, struct sdc_dbx_response *resp)
{
	struct sdc_retry r;
	char url[4096], *refused = NULL, spent[128];
	enum call rc;
	bool transient;
	double after, wait;

	snprintf(url, sizeof url, "%s%s", c->d->host, path);
	sdc_retry_init(&r, sdc_sparkjob_retry_policy(c->d->j));
	for (;;) {
		rc = attempt(c, method, url, body, resp, &refused, &transient,
		    &after);
		if (rc == CALL_OK || !transient)
			break;
		if (after < 0)
			continue;	/* a fresh OAuth token */
		wait = sdc_retry_failed(&r, sdc_uptime(), after);
		if (wait < 0) {
			sdc_retry_describe(&r, sdc_uptime(), spent,
			    sizeof spent);
			snprintf(c->why + strlen(c->why), sizeof c->why -
			    strlen(c->why), " (gave up %s)", spent);
			rc = CALL_GAVE_UP;
			break;
		}
		if (sdc_sparkjob_verbose(c->d->j))
			sdc_launch_note(c->l, "%s %s: %s; again in %.1f s",
			    method, path, c->why, wait);
		sdc_launch_retried(c->l);
		if (!sdc_launch_sleep(c->l, wait)) {
			rc = CALL_STOPPED;
			break;
		}
	}
	sdc_dbx_token_free(refused);
	return rc;
}

static bool
timed_out(struct call_ctx *c)
{
	return sdc_launch_time_left(c->l) <= 0;
}

/* A request that did not succeed: the launch fails, saying why. */
static void
fail_call(struct call_ctx *c, enum call rc, const char *what)
{
	if (rc == CALL_STOPPED)
		sdc_launch_failed(c->l, timed_out(c) ? "SPARKJOB_TIMEOUT" :
		    "SPARKJOB_STOPPED", "%s: %s before it succeeded (%s)",
		    what, timed_out(c) ? "--timeout" : "stopped", c->why);
	else
		sdc_launch_failed(c->l, rc == CALL_REFUSED ?
		    "SPARKJOB_REQUEST_REFUSED" : "SPARKJOB_UNREACHABLE",
		    "%s: %s", what, c->why);
}

/* run-now or runs/submit: the run's id, or 0 when the launch failed. */
static int64_t
start_run(struct call_ctx *c, const char *body)
{
	const char *path = sdc_dbx_launch_path(c->d);
	struct sdc_dbx_response resp;
	enum call rc = call(c, "POST", path, body, &resp);
	int64_t run_id = 0;
	char err[256];

	if (rc != CALL_OK) {
		fail_call(c, rc, path);
		return 0;
	}
	if (!sdc_dbx_parse_run_id((const char *)resp.body.data, resp.body.len,
	    &run_id, err, sizeof err)) {
		sdc_launch_failed(c->l, "SPARKJOB_BAD_ANSWER", "%s answered "
		    "%ld: %s", path, resp.status, err);
		run_id = 0;
	}
	sdc_dbx_response_release(&resp);
	return run_id;
}

/* --timeout while waiting: runs/cancel, once, unless --no-cancel. */
static void
end_waiting(struct call_ctx *c, int64_t run_id, const char *state)
{
	struct sdc_dbx_request rq = { .method = "POST",
	    .timeout = c->d->o->request_timeout };
	struct sdc_dbx_response resp;
	char url[2048], body[64], why[600];
	bool transient;

	if (!timed_out(c)) {
		sdc_launch_failed(c->l, "SPARKJOB_STOPPED", "stopped while "
		    "run %" PRId64 " was %s; it was left running", run_id,
		    state);
		return;
	}
	if (c->d->o->no_cancel) {
		sdc_launch_failed(c->l, "SPARKJOB_TIMEOUT", "run %" PRId64
		    " still %s after --timeout; left running (--no-cancel)",
		    run_id, state);
		return;
	}
	snprintf(url, sizeof url, "%s/api/2.1/jobs/runs/cancel", c->d->host);
	snprintf(body, sizeof body, "{\"run_id\":%" PRId64 "}", run_id);
	rq.url = url;
	rq.body = body;
	rq.bearer = sdc_dbx_auth_token(&c->d->auth, c->d->host, c->h, NULL,
	    &transient, why, sizeof why);
	if (rq.bearer != NULL) {
		sdc_dbx_http_do(c->h, &rq, &resp);
		if (resp.status == 200)
			snprintf(why, sizeof why, "cancelled (runs/cancel)");
		else
			sdc_dbx_describe_error(&resp, why, sizeof why);
		sdc_dbx_response_release(&resp);
		sdc_dbx_token_free((char *)rq.bearer);
	}
	sdc_launch_failed(c->l, "SPARKJOB_TIMEOUT", "run %" PRId64 " still %s "
	    "after --timeout: %s", run_id, state, why);
}

static void
report_end(struct call_ctx *c, int64_t run_id,
    const struct sdc_dbx_run_state *st)
{
	const char *state = st->result[0] != '\0' ? st->result :
	    st->life_cycle;
	char failure[700];

	if (strcmp(st->life_cycle, "TERMINATED") == 0 &&
	    strcmp(st->result, "SUCCESS") == 0) {
		sdc_launch_finished(c->l, state, NULL);
		return;
	}
	snprintf(failure, sizeof failure, "run %" PRId64 " %s: %s", run_id,
	    state, st->message[0] != '\0' ? st->message : st->life_cycle);
	sdc_launch_finished(c->l, state, failure);
}

/* runs/get every --poll-interval until the run ends. */
static void
follow(struct call_ctx *c, int64_t run_id)
{
	struct sdc_dbx_run_state st = { .life_cycle = "PENDING" };
	struct sdc_dbx_response resp;
	char path[96], err[256], last[32] = "";
	enum call rc;
	bool ok;

	snprintf(path, sizeof path, "/api/2.1/jobs/runs/get?run_id=%" PRId64,
	    run_id);
	for (;;) {
		if (!sdc_launch_sleep(c->l, c->d->o->poll_interval)) {
			end_waiting(c, run_id, st.life_cycle);
			return;
		}
		rc = call(c, "GET", path, NULL, &resp);
		if (rc == CALL_STOPPED) {
			end_waiting(c, run_id, st.life_cycle);
			return;
		}
		if (rc != CALL_OK) {
			fail_call(c, rc, "runs/get");
			return;
		}
		ok = sdc_dbx_parse_run((const char *)resp.body.data,
		    resp.body.len, &st, err, sizeof err);
		sdc_dbx_response_release(&resp);
		if (!ok) {
			sdc_launch_failed(c->l, "SPARKJOB_BAD_ANSWER",
			    "runs/get of run %" PRId64 ": %s", run_id, err);
			return;
		}
		if (sdc_sparkjob_verbose(c->d->j) && strcmp(last,
		    st.life_cycle) != 0)
			sdc_launch_note(c->l, "run %" PRId64 " %s", run_id,
			    st.life_cycle);
		snprintf(last, sizeof last, "%s", st.life_cycle);
		if (sdc_dbx_terminal(&st)) {
			report_end(c, run_id, &st);
			return;
		}
	}
}

static char *
body_text(struct sdc_dbx *d, struct sdc_launch *l, char *err, size_t len)
{
	json_t *b = sdc_dbx_launch_body(d, l, err, len);
	char *text;

	if (b == NULL)
		return NULL;
	text = json_dumps(b, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(b);
	if (text == NULL)
		snprintf(err, len, "out of memory");
	return text;
}

static void
launch(void *state, struct sdc_launch *l)
{
	struct call_ctx c = { .d = state, .l = l };
	char err[512], id[32], *body = body_text(c.d, l, err, sizeof err);
	int64_t run_id;

	if (body == NULL) {
		sdc_launch_failed(l, "SPARKJOB_BAD_PARAMETER", "%s", err);
		return;
	}
	c.h = sdc_dbx_http_new(c.d->o->ca_file);
	run_id = start_run(&c, body);
	free(body);
	if (run_id > 0) {
		snprintf(id, sizeof id, "%" PRId64, run_id);
		sdc_launch_submitted(l, id, c.d->auth.client_id);
		if (sdc_sparkjob_waiting(c.d->j))
			follow(&c, run_id);
	}
	sdc_dbx_http_free(c.h);
}

static char *
describe(void *state, struct sdc_launch *l)
{
	struct sdc_dbx *d = state;
	char err[512], *body = body_text(d, l, err, sizeof err), *text;
	size_t n;

	if (body == NULL)
		body = sdc_xstrdup(err);
	n = strlen(d->host) + strlen(body) + 64;
	text = sdc_xmalloc(n);
	snprintf(text, n, "POST %s%s %s", d->host, sdc_dbx_launch_path(d),
	    body);
	free(body);
	return text;
}

const struct sdc_launcher sdc_launcher_databricks = {
	.name = "databricks",
	.summary = "run a Databricks job (Jobs API 2.1 run-now or "
	    "runs/submit)",
	.options = sdc_dbx_options,
	.opts_size = sizeof(struct sdc_dbx_opts),
	.opts_init = sdc_dbx_opts_init,
	.open = sdc_dbx_open,
	.describe = describe,
	.launch = launch,
	.close = sdc_dbx_close,
};
