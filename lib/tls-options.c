/* The options of a TLS server, for every origin: see tls-options.h. */
#include "cli.h"
#include "diag.h"
#include "secret.h"
#include "tls-options.h"
#include "banned.h"

void
sdc_tls_server_set_cert(void *tls, const char *opt, const char *arg)
{
	(void)opt;
	((struct sdc_tls_server_opts *)tls)->conf.cert_file = arg;
}

void
sdc_tls_server_set_key(void *tls, const char *opt, const char *arg)
{
	(void)opt;
	((struct sdc_tls_server_opts *)tls)->conf.key_file = arg;
}

void
sdc_tls_server_set_ca(void *tls, const char *opt, const char *arg)
{
	(void)opt;
	((struct sdc_tls_server_opts *)tls)->conf.ca_file = arg;
}

void
sdc_tls_server_set_verify(void *tls, const char *opt, const char *arg)
{
	(void)opt;
	(void)arg;
	((struct sdc_tls_server_opts *)tls)->conf.verify_peer = true;
}

void
sdc_tls_server_set_password_file(void *tls, const char *opt, const char *arg)
{
	(void)opt;
	((struct sdc_tls_server_opts *)tls)->key_password_file = arg;
}

bool
sdc_tls_server_wanted(const struct sdc_tls_server_opts *o)
{
	return o->conf.cert_file != NULL;
}

void
sdc_tls_server_check(const struct sdc_tls_server_opts *o, const char *origin)
{
	const struct sdc_tls_config *c = &o->conf;

	if ((c->cert_file == NULL) != (c->key_file == NULL))
		sdc_usage_error("%s: --tls-cert and --tls-key go together",
		    origin);
	if (c->cert_file == NULL && (c->ca_file != NULL || c->verify_peer))
		sdc_usage_error("%s: --tls-ca and --tls-verify-client need "
		    "--tls-cert", origin);
	if (c->verify_peer && c->ca_file == NULL)
		sdc_usage_error("%s: --tls-verify-client needs --tls-ca",
		    origin);
}

struct sdc_tls_ctx *
sdc_tls_server_context(const struct sdc_tls_server_opts *o, bool ask_only)
{
	struct sdc_tls_config c = o->conf;
	struct sdc_secret password = { 0 };
	struct sdc_tls_ctx *ctx;
	char err[512];

	if (!sdc_tls_server_wanted(o))
		return NULL;
	if (ask_only)
		c.verify_peer = false;
	/* OpenSSL wants the passphrase only while it reads the key. */
	if (sdc_secret_load_if_any(&password, o->key_password_file,
	    SDC_TLS_KEY_PASSWORD_ENV, "key password",
	    SDC_TLS_KEY_PASSWORD_OPTION))
		c.key_pass = (const char *)password.data;
	ctx = sdc_tls_server_ctx(&c, err, sizeof err);
	sdc_secret_release(&password);
	if (ctx == NULL)
		sdc_errx(SDC_EXIT_IO, "%s", err);
	return ctx;
}
