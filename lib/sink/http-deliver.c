/*
 * What the server's answers mean for the records of a batch.  A 2xx
 * delivers them all.  No answer, 408, 429 and 5xx are tried again
 * after the policy's wait (or the Retry-After asked for), and 401, 403
 * and 407 too, the password or token read again from its file first
 * (credentials rotate); when the policy gives up, each record fails
 * with the last reason.  Any other 4xx refuses what was sent: the batch
 * is sent again one record a request, so that only the records the
 * server refuses fail, each with the status and the first bytes of the
 * server's answer (under --no-split-on-4xx the whole batch fails so).
 */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "http-sink.h"
#include "wire.h"
#include "banned.h"

enum outcome { SENT, REFUSED, GAVE_UP };

enum sdc_http_verdict
sdc_http_verdict(const struct sdc_http_response *resp)
{
	long st = resp->status;

	if (st == 0)
		return resp->bad_url ? SDC_HTTP_REFUSED : SDC_HTTP_RETRY;
	if (st >= 200 && st < 300)
		return SDC_HTTP_DELIVERED;
	if (st == 408 || st == 429 || st >= 500)
		return SDC_HTTP_RETRY;
	if (st == 401 || st == 403 || st == 407)
		return SDC_HTTP_CREDENTIALS;
	return SDC_HTTP_REFUSED;
}

/*
 * Send body until it is delivered or refused, or the policy gives up
 * (why then says after how long and what came last).
 */
static enum outcome
send_retrying(struct sdc_http_sink *hs, const char *url, const uint8_t *body,
    size_t len, struct sdc_http_response *resp, char *why, size_t whylen)
{
	struct sdc_retry retry;
	char last[300], spent[64];
	enum sdc_http_verdict v;
	double wait;

	sdc_retry_init(&retry, sdc_sink_retry_policy(hs->s));
	for (;;) {
		sdc_http_send(hs->client, url, body, len, resp);
		v = sdc_http_verdict(resp);
		if (v == SDC_HTTP_DELIVERED)
			return SENT;
		if (v == SDC_HTTP_REFUSED)
			return REFUSED;
		sdc_http_describe(resp, last, sizeof last);
		wait = sdc_retry_failed(&retry, sdc_uptime(),
		    resp->retry_after);
		if (wait < 0 || sdc_sink_stopping(hs->s)) {
			sdc_retry_describe(&retry, sdc_uptime(), spent,
			    sizeof spent);
			snprintf(why, whylen, "%s%s: %s", wait < 0 ? "" :
			    "stopped ", spent, last);
			return GAVE_UP;
		}
		sdc_http_response_release(resp);
		sdc_sink_retried(hs->s);
		if (!sdc_sink_sleep(hs->s, wait)) {
			snprintf(why, whylen, "stopped while retrying: %s",
			    last);
			memset(resp, 0, sizeof(*resp));
			return GAVE_UP;
		}
		if (v == SDC_HTTP_CREDENTIALS)
			sdc_http_client_reload(hs->client);
	}
}

/* "400 Bad Request: the answer's first bytes", printable. */
static void
describe_refusal(const struct sdc_http_response *resp, char *dst,
    size_t len)
{
	char status[300], text[SDC_HTTP_BODY_KEEP + 1];

	sdc_http_printable(resp->body.data, resp->body.len, text, sizeof text);
	sdc_http_describe(resp, status, sizeof status);
	snprintf(dst, len, "%s%s%s", status, text[0] ? ": " : "", text);
}

static double
latency(double put_at)
{
	double d = sdc_uptime() - put_at;

	return d > 0 ? d : 0;
}

static void
fail_all(struct sdc_http_sink *hs, const struct sdc_http_batch *b,
    const char *code, const char *why)
{
	struct sdc_record r;

	for (size_t i = 0; i < b->n; i++) {
		sdc_http_batch_record(b, i, &r);
		sdc_sink_failed(hs->s, &r, code, "%s: %s", b->url, why);
		sdc_record_release(&r);
	}
}

static void
delivered_all(struct sdc_http_sink *hs, const struct sdc_http_batch *b,
    size_t bytes)
{
	double sum = 0;

	for (size_t i = 0; i < b->n; i++)
		sum += latency(b->held[i].put_at);
	sdc_sink_delivered(hs->s, b->n, bytes, b->n ? sum / (double)b->n : 0);
}

/* Record i of b alone in a request of its own. */
static void
deliver_one(struct sdc_http_sink *hs, const struct sdc_http_batch *b,
    size_t i)
{
	struct sdc_http_response resp;
	struct sdc_render *rd = sdc_render_new(hs->s);
	struct sdc_record r;
	const uint8_t *body;
	const char *whyr;
	char why[600];
	size_t len;

	sdc_http_batch_record(b, i, &r);
	if (!sdc_render_record(rd, &r, &whyr)) {
		sdc_sink_failed(hs->s, &r, "HTTP_RENDER", "%s", whyr);
		goto out;
	}
	sdc_render_finish(rd);
	body = sdc_render_bytes(rd, &len);
	switch (send_retrying(hs, b->url, body, len, &resp, why, sizeof why)) {
	case SENT:
		sdc_sink_delivered(hs->s, 1, len, latency(b->held[i].put_at));
		break;
	case REFUSED:
		describe_refusal(&resp, why, sizeof why);
		sdc_sink_failed(hs->s, &r, "HTTP_REFUSED", "%s: %s", b->url,
		    why);
		break;
	case GAVE_UP:
		sdc_sink_failed(hs->s, &r, "HTTP_UNDELIVERED", "%s: %s",
		    b->url, why);
		break;
	}
	sdc_http_response_release(&resp);
out:
	sdc_record_release(&r);
	sdc_render_free(rd);
}

static bool
worth_splitting(const struct sdc_http_sink *hs, const struct sdc_http_batch *b,
    const struct sdc_http_response *resp)
{
	return hs->o->split && b->n > 1 && resp->status >= 400 &&
	    resp->status < 500;
}

void
sdc_http_deliver(struct sdc_http_sink *hs, struct sdc_http_batch *b)
{
	struct sdc_http_response resp;
	const uint8_t *body;
	char why[600];
	size_t len;

	if (b->n == 0)
		return;
	sdc_render_finish(b->rd);
	body = sdc_render_bytes(b->rd, &len);
	switch (send_retrying(hs, b->url, body, len, &resp, why, sizeof why)) {
	case SENT:
		delivered_all(hs, b, len);
		break;
	case REFUSED:
		if (worth_splitting(hs, b, &resp)) {
			for (size_t i = 0; i < b->n; i++)
				deliver_one(hs, b, i);
			break;
		}
		describe_refusal(&resp, why, sizeof why);
		fail_all(hs, b, "HTTP_REFUSED", why);
		break;
	case GAVE_UP:
		fail_all(hs, b, "HTTP_UNDELIVERED", why);
		break;
	}
	sdc_http_response_release(&resp);
	sdc_http_batch_reset(hs, b);
}
