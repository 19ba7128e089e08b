/*
 * The s3 destination's client: one request signed with SigV4 (sigv4.h)
 * and sent with libcurl over a handle kept for its connections, then
 * sent again under the --retry-* policy while it fails in a way worth
 * retrying: no connection, 5xx, 429 (after its Retry-After), or a
 * credential error (the credentials loaded again first).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "s3-sink.h"
#include "xalloc.h"
#include "banned.h"

#define CONNECT_TIMEOUT	10L	/* seconds */
#define STALL_TIME	60L	/* seconds below one byte a second */
#define EXPIRY_MARGIN	300.0	/* seconds: load again before */
#define UPLOAD_BUFFER	(1L << 20)	/* bytes read for curl at a time */

enum attempt { A_NONE, A_OK, A_RETRY, A_CREDENTIALS, A_FAIL };

static void
set_origin(struct s3_client *c, const struct s3_opts *o)
{
	const char *auth, *end;
	size_t n;

	if (o->endpoint == NULL) {
		snprintf(c->host, sizeof c->host, "%s.s3.%s.amazonaws.com",
		    o->bucket, o->region);
		snprintf(c->origin, sizeof c->origin, "https://%s", c->host);
		return;
	}
	c->path_style = true;
	n = strlen(o->endpoint);
	while (n > 0 && o->endpoint[n - 1] == '/')
		n--;
	snprintf(c->origin, sizeof c->origin, "%.*s", (int)n, o->endpoint);
	auth = strstr(c->origin, "://");
	auth = auth != NULL ? auth + 3 : c->origin;
	end = strchr(auth, '/');
	snprintf(c->host, sizeof c->host, "%.*s",
	    (int)(end != NULL ? (size_t)(end - auth) : strlen(auth)), auth);
}

void
s3_client_init(struct s3_client *c, struct sdc_sink *s,
    const struct s3_opts *o)
{
	memset(c, 0, sizeof *c);
	c->s = s;
	c->o = o;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (c->h = curl_easy_init()) == NULL)
		sdc_errx(SDC_EXIT_IO, "s3: cannot start libcurl");
	if ((c->multi = curl_multi_init()) == NULL)
		sdc_errx(SDC_EXIT_IO, "s3: cannot start libcurl");
	set_origin(c, o);
	sdc_buf_init(&c->answer, S3_ANSWER_MAX);
	sdc_buf_init(&c->url, 16 * S3_KEY_MAX);
}

void
s3_client_release(struct s3_client *c)
{
	if (c->running)
		curl_multi_remove_handle(c->multi, c->h);
	curl_multi_cleanup(c->multi);
	curl_easy_cleanup(c->h);
	curl_slist_free_all(c->sent);
	sdc_buf_release(&c->answer);
	sdc_buf_release(&c->url);
	sdc_aws_creds_release(&c->creds);
}

bool
s3_client_credentials(struct s3_client *c, char *err, size_t len)
{
	struct sdc_aws_creds fresh;

	memset(&fresh, 0, sizeof fresh);
	if (!sdc_aws_creds_load(&fresh, c->o->profile, c->o->imds, err,
	    len)) {
		sdc_aws_creds_release(&fresh);
		return false;
	}
	sdc_aws_creds_release(&c->creds);
	c->creds = fresh;
	return true;
}

void
s3_call_init(struct s3_call *k, const char *method, const char *key)
{
	memset(k, 0, sizeof *k);
	k->method = method;
	k->key = key;
	k->fd = -1;
}

/* "/bucket/key" (path style) or "/key", encoded. */
static void
request_path(const struct s3_client *c, const struct s3_call *k,
    struct sdc_buf *path)
{
	if (c->path_style) {
		sdc_buf_append(path, "/", 1);
		sdc_aws_uri_encode(path, c->o->bucket, strlen(c->o->bucket),
		    false);
	}
	if (k->key != NULL) {
		sdc_buf_append(path, "/", 1);
		sdc_aws_uri_encode(path, k->key, strlen(k->key), true);
	} else if (!c->path_style) {
		sdc_buf_append(path, "/", 1);
	}
	sdc_buf_append(path, "", 1);
}

static size_t
read_body(char *dst, size_t size, size_t n, void *arg)
{
	struct s3_body *b = arg;
	size_t want = size * n;
	ssize_t got;

	if (want > b->k->len - b->at)
		want = (size_t)(b->k->len - b->at);
	if (want == 0)
		return 0;
	if (b->k->fd < 0) {
		memcpy(dst, (const uint8_t *)b->k->body + b->at, want);
		b->at += want;
		return want;
	}
	got = pread(b->k->fd, dst, want, (off_t)b->at);
	if (got <= 0) {
		b->error = got < 0 ? errno : EIO;
		return CURL_READFUNC_ABORT;
	}
	b->at += (uint64_t)got;
	return (size_t)got;
}

static size_t
take_answer(char *p, size_t size, size_t n, void *arg)
{
	struct s3_client *c = arg;

	sdc_buf_append(&c->answer, p, size * n);	/* past the cap: dropped */
	return size * n;
}

static void
header_value(const char *line, size_t n, const char *name, char *dst,
    size_t len)
{
	size_t nl = strlen(name);

	if (n <= nl || strncasecmp(line, name, nl) != 0)
		return;
	line += nl;
	n -= nl;
	while (n > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n' ||
	    line[n - 1] == ' '))
		n--;
	snprintf(dst, len, "%.*s", (int)n, line);
}

static size_t
take_header(char *p, size_t size, size_t n, void *arg)
{
	struct s3_call *k = arg;
	char after[32] = "";

	header_value(p, size * n, "etag:", k->etag, sizeof k->etag);
	header_value(p, size * n, "retry-after:", after, sizeof after);
	if (after[0] != '\0')
		k->retry_after = strtod(after, NULL);
	return size * n;
}

static void
add_header(struct curl_slist **l, const char *name, const char *value)
{
	char line[2048];
	struct curl_slist *n;

	snprintf(line, sizeof line, "%s: %s", name, value);
	if ((n = curl_slist_append(*l, line)) == NULL)
		sdc_errx(SDC_EXIT_IO, "s3: out of memory");
	*l = n;
}

#define SIGNED_MAX	16

/* The signed headers of k, and the Authorization over them, into l. */
static void
sign(struct s3_client *c, const struct s3_call *k, const char *path,
    const char *hash, struct curl_slist **l)
{
	struct sdc_sigv4_pair h[SIGNED_MAX];
	char date[SDC_AMZ_DATE];
	size_t n = 0;
	struct sdc_buf auth;
	struct sdc_sigv4_request rq = {
		.method = k->method, .path = path, .params = k->params,
		.nparams = k->nparams, .payload_hash = hash,
		.amz_date = date, .region = c->o->region, .service = "s3",
		.access_key = c->creds.access_key,
		.secret_key = c->creds.secret_key,
	};

	sdc_amz_date(time(NULL), date);
	h[n++] = (struct sdc_sigv4_pair){ "host", c->host };
	h[n++] = (struct sdc_sigv4_pair){ "x-amz-date", date };
	h[n++] = (struct sdc_sigv4_pair){ "x-amz-content-sha256", hash };
	if (c->creds.token != NULL)
		h[n++] = (struct sdc_sigv4_pair){ "x-amz-security-token",
		    c->creds.token };
	for (size_t i = 0; i < k->nheaders && n < SIGNED_MAX; i++)
		h[n++] = k->headers[i];
	rq.headers = h;
	rq.nheaders = n;
	sdc_buf_init(&auth, 1 << 16);
	sdc_sigv4_authorization(&auth, &rq);
	for (size_t i = 0; i < n; i++)
		add_header(l, h[i].name, h[i].value);
	add_header(l, "Authorization", (const char *)auth.data);
	sdc_buf_release(&auth);
}

static void
set_method(struct s3_client *c, const struct s3_call *k, struct s3_body *b)
{
	CURL *h = c->h;

	if (strcmp(k->method, "PUT") == 0) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, read_body);
		curl_easy_setopt(h, CURLOPT_READDATA, b);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)k->len);
		curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, UPLOAD_BUFFER);
	} else if (strcmp(k->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS,
		    k->body != NULL ? k->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)k->len);
	} else if (strcmp(k->method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, k->method);
		curl_easy_setopt(h, CURLOPT_NOBODY,
		    strcmp(k->method, "HEAD") == 0 ? 1L : 0L);
	}
}

static void
set_transfer(struct s3_client *c, struct s3_call *k, const char *url)
{
	CURL *h = c->h;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->sent);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, take_answer);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, take_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, k);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, STALL_TIME);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (c->o->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->o->ca_file);
	if (c->o->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

static const char *const credential_codes[] = {
	"ExpiredToken", "TokenRefreshRequired", "InvalidAccessKeyId",
	"SignatureDoesNotMatch", "InvalidToken", "RequestExpired",
	"AccessDenied", "RequestTimeTooSkewed", "InvalidSecurity", NULL
};

static bool
one_of(const char *code, const char *const *codes)
{
	for (; *codes != NULL; codes++)
		if (strcmp(code, *codes) == 0)
			return true;
	return false;
}

static enum attempt
judge(struct s3_call *k, const char *url)
{
	const char *code = k->ans.code;
	bool error = strcmp(k->ans.root, "Error") == 0;

	if (k->status >= 200 && k->status < 300 && !error)
		return A_OK;
	snprintf(k->why, sizeof k->why, "%s %s: %ld%s%s%s%s", k->method, url,
	    k->status, code[0] != '\0' ? " " : "", code,
	    k->ans.message[0] != '\0' ? ": " : "", k->ans.message);
	if (k->status == 501)	/* NotImplemented: so it stays */
		return A_FAIL;
	if (k->status >= 500 || k->status == 429 || (error &&
	    k->status < 300) || strcmp(code, "RequestTimeout") == 0 ||
	    strcmp(code, "SlowDown") == 0)
		return A_RETRY;
	if (k->status == 401 || k->status == 403 ||
	    one_of(code, credential_codes))
		return A_CREDENTIALS;
	return A_FAIL;
}

/* The request k on c's handle, signed now, ready to be performed. */
static void
prepare(struct s3_client *c, struct s3_call *k)
{
	struct sdc_buf path;
	char hash[SDC_SHA256_HEX];

	sdc_buf_init(&path, 8 * S3_KEY_MAX);
	request_path(c, k, &path);
	sdc_buf_reset(&c->url);
	sdc_buf_append(&c->url, c->origin, strlen(c->origin));
	sdc_buf_append(&c->url, path.data, path.len - 1);
	if (k->nparams > 0) {
		sdc_buf_append(&c->url, "?", 1);
		sdc_sigv4_query(&c->url, k->params, k->nparams);
	}
	sdc_buf_append(&c->url, "", 1);
	if (k->payload_hash != NULL)
		snprintf(hash, sizeof hash, "%s", k->payload_hash);
	else
		sdc_sha256_hex(k->body != NULL ? k->body : "", k->len, hash);
	curl_slist_free_all(c->sent);
	c->sent = NULL;
	sign(c, k, (const char *)path.data, hash, &c->sent);
	sdc_buf_release(&path);
	add_header(&c->sent, "Expect", "");
	if (strcmp(k->method, "POST") == 0 && k->len == 0)
		add_header(&c->sent, "Content-Type", "");
	curl_easy_reset(c->h);
	sdc_buf_reset(&c->answer);
	k->etag[0] = '\0';
	k->retry_after = 0;
	c->body = (struct s3_body){ k, 0, 0 };
	set_transfer(c, k, (const char *)c->url.data);
	set_method(c, k, &c->body);
}

static enum attempt
conclude(struct s3_client *c, struct s3_call *k, CURLcode rc)
{
	const char *url = (const char *)c->url.data;
	int error = c->body.error;

	k->status = 0;
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &k->status);
	if (rc != CURLE_OK) {
		snprintf(k->why, sizeof k->why, "%s %s: %s%s%s", k->method,
		    url, curl_easy_strerror(rc), error ? ": " : "",
		    error ? strerror(error) : "");
		return A_RETRY;
	}
	sdc_s3_xml_parse(c->answer.data, c->answer.len, &k->ans);
	return judge(k, url);
}

static enum attempt
attempt(struct s3_client *c, struct s3_call *k)
{
	prepare(c, k);
	return conclude(c, k, curl_easy_perform(c->h));
}

/* Waited out before the next attempt: false at a stop or a give-up. */
static bool
wait_retry(struct s3_client *c, struct sdc_retry *r, struct s3_call *k,
    bool *warned)
{
	double wait = c->once ? -1 :
	    sdc_retry_failed(r, sdc_uptime(), k->retry_after);
	char after[96], why[sizeof k->why];
	size_t n;

	if (wait < 0 || sdc_sink_stopping(c->s)) {
		sdc_retry_describe(r, sdc_uptime(), after, sizeof after);
		snprintf(why, sizeof why, "%s", k->why);
		snprintf(k->why, sizeof k->why, "%s%s: %.400s",
		    sdc_sink_stopping(c->s) ? "stopped, " : "", after, why);
		return false;
	}
	if (!*warned)
		sdc_warnx("s3: %s; retrying", k->why);
	*warned = true;
	sdc_sink_retried(c->s);
	if (sdc_sink_sleep(c->s, wait))
		return true;
	n = strlen(k->why);
	snprintf(k->why + n, sizeof k->why - n, " (stopped while waiting "
	    "to retry)");
	return false;
}

/* From the outcome a of a first attempt made (A_NONE: none yet) on. */
static bool
retry_loop(struct s3_client *c, struct s3_call *k, enum attempt a)
{
	struct sdc_retry r;
	bool warned = false;
	char err[512];

	sdc_retry_init(&r, sdc_sink_retry_policy(c->s));
	for (;;) {
		if (a == A_NONE) {
			if (sdc_aws_creds_expiring(&c->creds, EXPIRY_MARGIN))
				s3_client_credentials(c, err, sizeof err);
			a = attempt(c, k);
		}
		if (a == A_OK) {
			if (warned)
				sdc_warnx("s3: %s %s: done after a retry",
				    k->method, k->key != NULL ? k->key :
				    c->o->bucket);
			return true;
		}
		if (a == A_FAIL || !wait_retry(c, &r, k, &warned))
			return false;
		if (a == A_CREDENTIALS && !s3_client_credentials(c, err,
		    sizeof err))
			sdc_warnx("s3: credentials: %s", err);
		a = A_NONE;
	}
}

bool
s3_perform(struct s3_client *c, struct s3_call *k)
{
	return retry_loop(c, k, A_NONE);
}

/* ------------------------------------------------- a request going on */

void
s3_start(struct s3_client *c, struct s3_call *k)
{
	prepare(c, k);
	c->async = k;
	c->done = false;
	c->running = curl_multi_add_handle(c->multi, c->h) == CURLM_OK;
	if (!c->running) {
		c->done = true;
		c->result = CURLE_FAILED_INIT;
	}
}

bool
s3_pump(struct s3_client *c)
{
	int running = 0, left;
	CURLMsg *m;

	if (!c->running)
		return true;
	curl_multi_perform(c->multi, &running);
	while ((m = curl_multi_info_read(c->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE) {
			c->result = m->data.result;
			c->done = true;
		}
	if (c->done) {
		curl_multi_remove_handle(c->multi, c->h);
		c->running = false;
	}
	return c->done;
}

bool
s3_wait(struct s3_client *c, struct s3_call *k)
{
	while (!s3_pump(c))
		curl_multi_poll(c->multi, NULL, 0, 100, NULL);
	c->async = NULL;
	return retry_loop(c, k, conclude(c, k, c->result));
}
