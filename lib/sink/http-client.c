/*
 * The requests of the http destination, through one libcurl easy
 * handle kept for the run so that connections are reused.  Each
 * request starts from curl_easy_reset (which keeps the connections and
 * TLS sessions) and sets what it needs, so a probe's OPTIONS leaves
 * nothing behind for the next POST.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "diag.h"
#include "http-sink.h"
#include "tls.h"
#include "xalloc.h"
#include "banned.h"

#define PASSWORD_ENV	"SDC_HTTP_PASSWORD"
#define TOKEN_ENV	"SDC_HTTP_TOKEN"

struct sdc_http_client {
	CURL				*curl;
	const struct sdc_http_sink_opts	*o;
	struct curl_slist		*headers;
	enum sdc_http_auth		 auth;
	struct sdc_secret		 secret;	/* password or token */
	struct sdc_secret		 key_pass;	/* of --tls-key */
	bool				 gzip;
	struct sdc_buf			 packed;	/* a gzip body */
	char				 errbuf[CURL_ERROR_SIZE];
};

/* "Name: value": a token, a colon, no CR or LF anywhere. */
static void
check_header(const char *h)
{
	const char *colon = strchr(h, ':');

	if (strpbrk(h, "\r\n") != NULL)
		sdc_usage_error("http: --http-header: a line break in a "
		    "header");
	if (colon == NULL || colon == h)
		sdc_usage_error("http: --http-header '%s': not 'Name: "
		    "value'", h);
	for (const char *p = h; p < colon; p++)
		if (!isalnum((unsigned char)*p) && strchr("!#$%&'*+-.^_`|~",
		    *p) == NULL)
			sdc_usage_error("http: --http-header '%s': '%c' in a "
			    "header name", h, *p);
	if ((size_t)(colon - h) == strlen("Content-Type") &&
	    strncasecmp(h, "Content-Type", 12) == 0)
		sdc_usage_error("http: --http-header '%s': use "
		    "--content-type", h);
}

static struct curl_slist *
append(struct curl_slist *l, const char *h)
{
	struct curl_slist *n = curl_slist_append(l, h);

	if (n == NULL)
		sdc_errx(SDC_EXIT_IO, "http: out of memory");
	return n;
}

static struct curl_slist *
make_headers(const struct sdc_http_sink_opts *o, const char *content_type,
    bool gzip)
{
	struct curl_slist *l = NULL;
	char line[512];

	if (strpbrk(content_type, "\r\n") != NULL)
		sdc_usage_error("http: --content-type: a line break");
	snprintf(line, sizeof line, "Content-Type: %s", content_type);
	l = append(l, line);
	if (gzip)
		l = append(l, "Content-Encoding: gzip");
	/* No waiting for a 100 Continue the server may never send. */
	l = append(l, "Expect:");
	for (size_t i = 0; i < o->nheaders; i++) {
		check_header(o->headers[i]);
		l = append(l, o->headers[i]);
	}
	return l;
}

/* Basic with --user, bearer with a token, else none. */
static void
load_credentials(struct sdc_http_client *c)
{
	const struct sdc_http_sink_opts *o = c->o;

	if (o->user != NULL && o->token_file != NULL)
		sdc_usage_error("http: --user and --bearer-token-file "
		    "exclude each other");
	if (o->user != NULL) {
		if (strchr(o->user, ':') != NULL)
			sdc_usage_error("http: --user: a ':' in the name");
		sdc_secret_load(&c->secret, o->password_file, PASSWORD_ENV,
		    "password", "--password-file");
		c->auth = SDC_HTTP_AUTH_BASIC;
	} else if (o->password_file != NULL) {
		sdc_usage_error("http: --password-file needs --user");
	} else if (sdc_secret_load_if_any(&c->secret, o->token_file,
	    TOKEN_ENV, "bearer token", "--bearer-token-file")) {
		c->auth = SDC_HTTP_AUTH_BEARER;
	}
}

/*
 * The client side of TLS: loaded once through OpenSSL, so that a
 * certificate, key or passphrase that is wrong ends the program now
 * (status 3) rather than failing every request.
 */
static void
load_tls(struct sdc_http_client *c)
{
	const struct sdc_http_sink_opts *o = c->o;
	struct sdc_tls_config conf = { 0 };
	struct sdc_tls_ctx *ctx;
	char err[512];

	if ((o->tls_cert == NULL) != (o->tls_key == NULL))
		sdc_usage_error("http: --tls-cert and --tls-key go together");
	if (sdc_secret_load_if_any(&c->key_pass, o->tls_key_password_file,
	    SDC_TLS_KEY_PASSWORD_ENV, "key password",
	    SDC_TLS_KEY_PASSWORD_OPTION) && o->tls_key == NULL)
		sdc_usage_error("http: --tls-key-password-file needs "
		    "--tls-key");
	conf.cert_file = o->tls_cert;
	conf.key_file = o->tls_key;
	conf.key_pass = (const char *)c->key_pass.data;
	conf.ca_file = o->tls_ca;
	conf.insecure = o->tls_insecure;
	ctx = sdc_tls_client_ctx(&conf, err, sizeof err);
	if (ctx == NULL)
		sdc_errx(SDC_EXIT_IO, "http: %s", err);
	sdc_tls_ctx_free(ctx);
}

struct sdc_http_client *
sdc_http_client_new(const struct sdc_http_sink_opts *o,
    const char *content_type)
{
	struct sdc_http_client *c = sdc_xcalloc(1, sizeof(*c));

	c->o = o;
	if (o->compress != NULL && strcmp(o->compress, "none") != 0) {
		if (strcmp(o->compress, "gzip") != 0)
			sdc_usage_error("http: --compression: '%s': none or "
			    "gzip", o->compress);
		c->gzip = true;
	}
	c->headers = make_headers(o, content_type, c->gzip);
	load_credentials(c);
	load_tls(c);
	sdc_buf_init(&c->packed, SIZE_MAX);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (c->curl = curl_easy_init()) == NULL)
		sdc_errx(SDC_EXIT_IO, "http: libcurl failed to start");
	return c;
}

void
sdc_http_client_free(struct sdc_http_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	sdc_secret_release(&c->secret);
	sdc_secret_release(&c->key_pass);
	sdc_buf_release(&c->packed);
	free(c);
	curl_global_cleanup();
}

enum sdc_http_auth
sdc_http_client_auth(const struct sdc_http_client *c)
{
	return c->auth;
}

bool
sdc_http_client_reload(struct sdc_http_client *c)
{
	const char *path = c->auth == SDC_HTTP_AUTH_BASIC ?
	    c->o->password_file : c->o->token_file;
	struct sdc_secret fresh = { 0 };
	bool changed;

	if (c->auth == SDC_HTTP_AUTH_NONE || path == NULL)
		return false;
	sdc_secret_load(&fresh, path, NULL, "credential", path);
	changed = fresh.len != c->secret.len ||
	    memcmp(fresh.data, c->secret.data, fresh.len) != 0;
	sdc_secret_release(&c->secret);
	c->secret = fresh;
	return changed;
}

/* The status line of each response (a 100 may come first): its phrase. */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct sdc_http_response *resp = arg;

	sdc_http_status_phrase(p, size * n, resp->reason, sizeof resp->reason);
	return size * n;
}

/* The first bytes of the body are kept; the rest is read and dropped. */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sdc_http_response *resp = arg;
	size_t len = size * n, room = SDC_HTTP_BODY_KEEP - resp->body.len;

	sdc_buf_append(&resp->body, p, len < room ? len : room);
	return len;
}

static void
set_auth(struct sdc_http_client *c)
{
	CURL *h = c->curl;

	if (c->auth == SDC_HTTP_AUTH_BASIC) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, c->o->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, (char *)c->secret.data);
	} else if (c->auth == SDC_HTTP_AUTH_BEARER) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER,
		    (char *)c->secret.data);
	}
}

static void
set_tls(struct sdc_http_client *c)
{
	const struct sdc_http_sink_opts *o = c->o;
	CURL *h = c->curl;

	if (o->tls_ca != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, o->tls_ca);
	if (o->tls_cert != NULL) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, o->tls_cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, o->tls_key);
		if (c->key_pass.data != NULL)
			curl_easy_setopt(h, CURLOPT_KEYPASSWD,
			    (char *)c->key_pass.data);
	}
	if (o->tls_insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

static void
setup(struct sdc_http_client *c, const char *url,
    struct sdc_http_response *resp)
{
	CURL *h = c->curl;

	curl_easy_reset(h);
	memset(resp, 0, sizeof(*resp));
	sdc_buf_init(&resp->body, SDC_HTTP_BODY_KEEP);
	c->errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(c->o->timeout * 1000));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(c->o->connect_timeout * 1000));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "sdc-sink/" PACKAGE_VERSION);
	set_auth(c);
	set_tls(c);
}

static void
perform(struct sdc_http_client *c, struct sdc_http_response *resp)
{
	CURLcode rc = curl_easy_perform(c->curl);
	curl_off_t after = 0;

	if (rc != CURLE_OK) {
		snprintf(resp->error, sizeof resp->error, "%s",
		    c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(rc));
		resp->bad_url = rc == CURLE_URL_MALFORMAT ||
		    rc == CURLE_UNSUPPORTED_PROTOCOL;
		return;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if (curl_easy_getinfo(c->curl, CURLINFO_RETRY_AFTER, &after) ==
	    CURLE_OK && after > 0)
		resp->retry_after = (double)after;
}

void
sdc_http_send(struct sdc_http_client *c, const char *url,
    const uint8_t *body, size_t len, struct sdc_http_response *resp)
{
	setup(c, url, resp);
	if (c->gzip) {
		sdc_buf_reset(&c->packed);
		if (!sdc_http_gzip(&c->packed, body, len))
			sdc_errx(SDC_EXIT_IO, "http: out of memory");
		body = c->packed.data;
		len = c->packed.len;
	}
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, len ? (const char *)body :
	    "");
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	if (strcmp(c->o->method, "POST") != 0)
		curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, c->o->method);
	perform(c, resp);
}

void
sdc_http_probe(struct sdc_http_client *c, const char *url,
    struct sdc_http_response *resp)
{
	setup(c, url, resp);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, "OPTIONS");
	perform(c, resp);
}

void
sdc_http_describe(const struct sdc_http_response *resp, char *dst,
    size_t len)
{
	if (resp->status == 0)
		snprintf(dst, len, "%s", resp->error);
	else if (resp->reason[0] != '\0')
		snprintf(dst, len, "%ld %s", resp->status, resp->reason);
	else
		snprintf(dst, len, "%ld", resp->status);
}

void
sdc_http_response_release(struct sdc_http_response *resp)
{
	sdc_buf_release(&resp->body);
}
