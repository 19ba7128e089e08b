/*
 * The http destination: records rendered in --format into batches,
 * one batch for each URL the --url template expands to, each sent as
 * one request when it reaches --batch-records or --batch-bytes, at a
 * flush, when the batches together hold --max-buffer bytes, and at the
 * close.  Sending blocks, so a slow server slows the reading of the
 * input: backpressure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "http-sink.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

/* Distinct URLs with records waiting at most; the oldest goes first. */
#define BATCHES_MAX	64

static const struct {
	const char *format, *type;
} content_types[] = {
	{ "json", "application/json" },
	{ "sdcjson", "application/json" },
	{ "csv", "text/csv" },
	{ "xml", "application/xml" },
	{ "avro", "avro/binary" },
	{ "protobuf", "application/x-protobuf" },
	{ "text", "text/plain; charset=utf-8" },
	{ "log", "text/plain; charset=utf-8" },
};

static const char *
default_content_type(const struct sdc_format *f)
{
	if (f == NULL)
		return "application/x-sdc-record";
	for (size_t i = 0; i < sizeof content_types / sizeof *content_types;
	    i++)
		if (strcmp(f->name, content_types[i].format) == 0)
			return content_types[i].type;
	return "application/octet-stream";
}

void
sdc_http_batch_record(const struct sdc_http_batch *b, size_t i,
    struct sdc_record *r)
{
	size_t start = i ? b->held[i - 1].end : 0;
	const char *why;

	sdc_record_init(r);
	if (sdc_wire_decode(r, SDC_KIND_DATA, b->frames.data + start +
	    SDC_FRAME_HEADER_LEN, b->held[i].end - start -
	    SDC_FRAME_HEADER_LEN, &why) < 0)
		sdc_errx(SDC_EXIT_IO, "http: internal: a kept record: %s",
		    why);
}

static size_t
batch_size(const struct sdc_http_batch *b)
{
	size_t len;

	sdc_render_bytes(b->rd, &len);
	return len + b->frames.len;
}

void
sdc_http_batch_reset(struct sdc_http_sink *hs, struct sdc_http_batch *b)
{
	hs->held -= b->counted;
	b->counted = 0;
	sdc_render_free(b->rd);
	b->rd = sdc_render_new(hs->s);
	sdc_buf_reset(&b->frames);
	b->n = 0;
}

static struct sdc_http_batch *
batch_new(struct sdc_http_sink *hs, const char *url)
{
	struct sdc_http_batch *b = sdc_xcalloc(1, sizeof(*b));

	b->url = sdc_xstrdup(url);
	b->rd = sdc_render_new(hs->s);
	sdc_buf_init(&b->frames, SIZE_MAX);
	return b;
}

static void
batch_free(struct sdc_http_batch *b)
{
	sdc_render_free(b->rd);
	sdc_buf_release(&b->frames);
	free(b->held);
	free(b->url);
	free(b);
}

/* The batch with records the longest, sent to make room. */
static size_t
oldest(const struct sdc_http_sink *hs)
{
	size_t best = 0;

	for (size_t i = 1; i < hs->nbatches; i++)
		if (hs->batches[i]->n > 0 && (hs->batches[best]->n == 0 ||
		    hs->batches[i]->held[0].put_at <
		    hs->batches[best]->held[0].put_at))
			best = i;
	return best;
}

static struct sdc_http_batch *
batch_for(struct sdc_http_sink *hs, const char *url)
{
	size_t i;

	for (i = 0; i < hs->nbatches; i++)
		if (strcmp(hs->batches[i]->url, url) == 0)
			return hs->batches[i];
	if (hs->nbatches == BATCHES_MAX) {
		i = oldest(hs);
		sdc_http_deliver(hs, hs->batches[i]);
		batch_free(hs->batches[i]);
		hs->batches[i] = hs->batches[--hs->nbatches];
	}
	hs->batches[hs->nbatches] = batch_new(hs, url);
	return hs->batches[hs->nbatches++];
}

/*
 * The URL of r (NULL: none, for --check), escaped, in hs->expanded.
 * Expanded once when it fits, since ${uuid} and ${seq} change at each
 * expansion.
 */
static const char *
url_of(struct sdc_http_sink *hs, const struct sdc_record *r)
{
	int64_t ms = r != NULL ? sdc_sink_record_time(hs->s, r) :
	    sdc_now_ms();
	size_t need = sdc_template_expand(hs->url, r, ms, hs->raw,
	    hs->raw_cap) + 1;

	if (need > hs->raw_cap) {
		hs->raw = sdc_xrealloc(hs->raw, need);
		hs->raw_cap = need;
		sdc_template_expand(hs->url, r, ms, hs->raw, need);
	}
	need = sdc_http_url_escape(hs->raw, NULL, 0) + 1;
	if (need > hs->expanded_cap) {
		hs->expanded = sdc_xrealloc(hs->expanded, need);
		hs->expanded_cap = need;
	}
	sdc_http_url_escape(hs->raw, hs->expanded, need);
	return hs->expanded;
}

/*
 * Keep r as a frame, before rendering (which may change it), so that a
 * refused batch can be sent again one record a request.
 */
static void
keep(struct sdc_http_batch *b, const struct sdc_record *r)
{
	const char *why;

	if (!sdc_wire_encode(&b->frames, r, UINT32_MAX, &why))
		sdc_errx(SDC_EXIT_IO, "http: a record kept: %s", why);
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->held = sdc_xreallocarray(b->held, b->cap, sizeof(*b->held));
	}
	b->held[b->n].end = b->frames.len;
	b->held[b->n].put_at = sdc_uptime();
}

static void
http_put(void *state, struct sdc_record *r)
{
	struct sdc_http_sink *hs = state;
	struct sdc_http_batch *b = batch_for(hs, url_of(hs, r));
	size_t rendered;
	const char *why;

	keep(b, r);
	if (!sdc_render_record(b->rd, r, &why)) {
		b->frames.len = b->n ? b->held[b->n - 1].end : 0;
		sdc_sink_failed(hs->s, r, "HTTP_RENDER", "%s", why);
		return;
	}
	b->n++;
	hs->held += batch_size(b) - b->counted;
	b->counted = batch_size(b);
	sdc_render_bytes(b->rd, &rendered);
	if (b->n >= hs->o->batch_records || rendered >= hs->o->batch_bytes)
		sdc_http_deliver(hs, b);
	while (hs->held >= sdc_sink_max_buffer(hs->s)) {
		b = hs->batches[oldest(hs)];
		if (b->n == 0)
			break;
		sdc_http_deliver(hs, b);
	}
}

static void
http_flush(void *state)
{
	struct sdc_http_sink *hs = state;

	for (size_t i = 0; i < hs->nbatches; i++)
		sdc_http_deliver(hs, hs->batches[i]);
}

static void
http_close(void *state)
{
	struct sdc_http_sink *hs = state;

	http_flush(hs);
	for (size_t i = 0; i < hs->nbatches; i++)
		batch_free(hs->batches[i]);
	free(hs->batches);
	free(hs->expanded);
	free(hs->raw);
	sdc_template_free(hs->url);
	sdc_http_client_free(hs->client);
	free(hs);
}

/*
 * --check: an OPTIONS request with the credentials.  A 2xx or 3xx, or
 * a 405 or 501 (the server does not serve OPTIONS there) proves the
 * URL reachable; 401, 403 and 407 say the credentials are refused.
 */
static void
check(struct sdc_http_sink *hs)
{
	struct sdc_http_response resp;
	const char *url = url_of(hs, NULL);
	char what[300];
	long st;

	sdc_http_probe(hs->client, url, &resp);
	sdc_http_describe(&resp, what, sizeof what);
	st = resp.status;
	sdc_http_response_release(&resp);
	if (st == 0 || (st >= 400 && st != 405 && st != 501))
		sdc_errx(SDC_EXIT_IO, "http: %s: %s%s", url, what,
		    st == 401 || st == 403 || st == 407 ?
		    " (credentials refused)" : "");
	sdc_warnx("http: %s: reachable (OPTIONS: %s%s)", url, what,
	    st >= 400 ? ", so the credentials are not proven" : "");
}

/* "https://user:secret@host/": a password on the command line. */
static bool
has_userinfo(const char *url)
{
	const char *host = strstr(url, "://") + 3;
	size_t n = strcspn(host, "/?#");

	return memchr(host, '@', n) != NULL;
}

static void
check_options(const struct sdc_http_sink_opts *o)
{
	if (o->url == NULL)
		sdc_usage_error("http: --url is required");
	if (strcmp(o->method, "POST") != 0 && strcmp(o->method, "PUT") != 0)
		sdc_usage_error("http: --method: '%s': POST or PUT",
		    o->method);
	if (strncmp(o->url, "http://", 7) != 0 &&
	    strncmp(o->url, "https://", 8) != 0)
		sdc_usage_error("http: --url '%s': not http:// or https://",
		    o->url);
	if (has_userinfo(o->url))
		sdc_usage_error("http: --url: no credentials in the URL "
		    "(--user and --password-file)");
	if (o->timeout <= 0 || o->connect_timeout <= 0)
		sdc_usage_error("http: --timeout and --connect-timeout must "
		    "be more than 0");
}

static void *
http_open(struct sdc_sink *s, const void *opts)
{
	const struct sdc_http_sink_opts *o = opts;
	struct sdc_http_sink *hs;
	char err[256];

	check_options(o);
	hs = sdc_xcalloc(1, sizeof(*hs));
	hs->s = s;
	hs->o = o;
	if ((hs->url = sdc_template_parse(o->url, err, sizeof err)) == NULL)
		sdc_usage_error("http: --url '%s': %s", o->url, err);
	hs->client = sdc_http_client_new(o, o->content_type != NULL ?
	    o->content_type : default_content_type(sdc_sink_format(s)));
	hs->batches = sdc_xcalloc(BATCHES_MAX, sizeof(*hs->batches));
	hs->raw_cap = 1024;
	hs->raw = sdc_xmalloc(hs->raw_cap);
	if (sdc_sink_checking(s)) {
		check(hs);
		http_close(hs);
		return NULL;
	}
	return hs;
}

const struct sdc_destination sdc_destination_http = {
	.name = "http",
	.summary = "POST or PUT batches of records to a URL",
	.options = sdc_http_sink_options,
	.opts_size = sizeof(struct sdc_http_sink_opts),
	.opts_init = sdc_http_sink_opts_init,
	.open = http_open,
	.put = http_put,
	.flush = http_flush,
	.close = http_close,
};
