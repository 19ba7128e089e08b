/*
 * The http destination's options.  A name another destination may
 * declare too (--compression, --method) is kept as given and checked when
 * the http destination opens, since every destination declaring a name
 * is set by it.  Headers are --http-header: --header is the csv
 * format's.
 */
#include <string.h>

#include "cli.h"
#include "http-sink.h"
#include "tls.h"
#include "banned.h"

static struct sdc_http_sink_opts *
O(void *opts)
{
	return opts;
}

static void
set_url(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->url = arg;
}

static void
set_method(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->method = arg;
}

static void
set_header(void *opts, const char *opt, const char *arg)
{
	struct sdc_http_sink_opts *o = opts;

	if (o->nheaders == SDC_HTTP_HEADERS_MAX)
		sdc_usage_error("%s: at most %d headers", opt,
		    SDC_HTTP_HEADERS_MAX);
	o->headers[o->nheaders++] = arg;
}

static void
set_batch_records(void *opts, const char *opt, const char *arg)
{
	O(opts)->batch_records = sdc_parse_count(opt, arg);
	if (O(opts)->batch_records == 0)
		sdc_usage_error("%s: must be at least 1", opt);
}

static void
set_batch_bytes(void *opts, const char *opt, const char *arg)
{
	O(opts)->batch_bytes = sdc_parse_size(opt, arg);
	if (O(opts)->batch_bytes == 0)
		sdc_usage_error("%s: must be at least 1", opt);
}

static void
set_content_type(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->content_type = arg;
}

static void
set_compress(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->compress = arg;
}

static void
set_user(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->user = arg;
}

static void
set_password_file(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->password_file = arg;
}

static void
set_token_file(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->token_file = arg;
}

static void
set_tls_ca(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->tls_ca = arg;
}

static void
set_tls_cert(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->tls_cert = arg;
}

static void
set_tls_key(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->tls_key = arg;
}

static void
set_tls_key_password_file(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->tls_key_password_file = arg;
}

static void
set_tls_insecure(void *opts, const char *opt, const char *arg)
{
	(void)opt, (void)arg;
	O(opts)->tls_insecure = true;
}

static void
set_no_split(void *opts, const char *opt, const char *arg)
{
	(void)opt, (void)arg;
	O(opts)->split = false;
}

static void
set_timeout(void *opts, const char *opt, const char *arg)
{
	O(opts)->timeout = sdc_parse_duration(opt, arg);
}

static void
set_connect_timeout(void *opts, const char *opt, const char *arg)
{
	O(opts)->connect_timeout = sdc_parse_duration(opt, arg);
}

const struct sdc_plugin_option sdc_http_sink_options[] = {
	{ "url", 0, "URL", "where to send the batches (a template: "
	  "http[s]://host/push/${/app})", set_url },
	{ "method", 0, "METHOD", "POST or PUT (POST)", set_method },
	{ "http-header", 0, "'NAME: VALUE'", "a header of every request "
	  "(repeatable)", set_header },
	{ "batch-records", 0, "N", "records of a request at most (500)",
	  set_batch_records },
	{ "batch-bytes", 0, "SIZE", "send a request once its body "
	  "reaches SIZE, before compression (1M)", set_batch_bytes },
	{ "content-type", 0, "TYPE", "the body's Content-Type (from "
	  "--format)", set_content_type },
	{ "compression", 0, "CODEC", "none or gzip: send gzip bodies "
	  "(Content-Encoding: gzip) (none)", set_compress },
	{ "user", 0, "NAME", "basic authentication as NAME", set_user },
	{ "password-file", 0, "FILE", "the password of --user (else "
	  "$SDC_HTTP_PASSWORD)", set_password_file },
	{ "bearer-token-file", 0, "FILE", "a bearer token (else "
	  "$SDC_HTTP_TOKEN)", set_token_file },
	{ "tls-ca", 0, "FILE", "trust the CAs of FILE (PEM; else the "
	  "system's)", set_tls_ca },
	{ "tls-cert", 0, "FILE", "client certificate (PEM)", set_tls_cert },
	{ "tls-key", 0, "FILE", "its key (PEM)", set_tls_key },
	{ "tls-key-password-file", 0, "FILE", "the passphrase of --tls-key "
	  "(else $" SDC_TLS_KEY_PASSWORD_ENV ")", set_tls_key_password_file },
	{ "tls-insecure", 0, NULL, "accept any server certificate",
	  set_tls_insecure },
	{ "no-split-on-4xx", 0, NULL, "fail a whole refused batch instead "
	  "of sending its records one a request", set_no_split },
	{ "timeout", 0, "DURATION", "a request's time at most (30s)",
	  set_timeout },
	{ "connect-timeout", 0, "DURATION", "a connection's time at most "
	  "(10s)", set_connect_timeout },
	{ NULL, 0, NULL, NULL, NULL }
};

void
sdc_http_sink_opts_init(void *opts)
{
	struct sdc_http_sink_opts *o = opts;

	memset(o, 0, sizeof(*o));
	o->method = "POST";
	o->batch_records = 500;
	o->batch_bytes = 1 << 20;
	o->split = true;
	o->timeout = 30;
	o->connect_timeout = 10;
}
