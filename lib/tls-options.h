#ifndef SDC_TLS_OPTIONS_H
#define SDC_TLS_OPTIONS_H
/*
 * The options of a TLS server, declared once for every origin that
 * serves TLS (tcp, http): --tls-cert, --tls-key, --tls-ca,
 * --tls-verify-client and --tls-key-password-file.  An origin's options
 * block begins with a struct sdc_tls_server_opts (SDC_TLS_SERVER_FIRST
 * checks it), where the setters of SDC_TLS_SERVER_OPTIONS(what it
 * serves), put among its option entries, find it; after parsing, sdc_tls_server_check makes the usage
 * checks and sdc_tls_server_context builds the context, the key's
 * passphrase loaded only for as long as that takes.  The caller owns
 * the context.
 */
#include <stdbool.h>
#include <stddef.h>

#include "plugin-options.h"
#include "tls.h"

struct sdc_tls_server_opts {
	struct sdc_tls_config	 conf;
	const char		*key_password_file;
};

void	sdc_tls_server_set_cert(void *tls, const char *opt, const char *arg);
void	sdc_tls_server_set_key(void *tls, const char *opt, const char *arg);
void	sdc_tls_server_set_ca(void *tls, const char *opt, const char *arg);
void	sdc_tls_server_set_verify(void *tls, const char *opt,
	    const char *arg);
void	sdc_tls_server_set_password_file(void *tls, const char *opt,
	    const char *arg);

#define SDC_TLS_SERVER_FIRST(type, member)				\
	_Static_assert(offsetof(type, member) == 0, #type " must begin " \
	    "with its struct sdc_tls_server_opts")

#define SDC_TLS_SERVER_OPTIONS(what)					\
	{ "tls-cert", 0, "FILE", "serve " what " with the PEM "		\
	  "certificates of FILE", sdc_tls_server_set_cert },		\
	{ "tls-key", 0, "FILE", "the private key of --tls-cert (PEM)",	\
	  sdc_tls_server_set_key },					\
	{ "tls-ca", 0, "FILE", "check client certificates against "	\
	  "the CAs of FILE", sdc_tls_server_set_ca },			\
	{ "tls-verify-client", 0, NULL, "require a client certificate "	\
	  "signed by --tls-ca", sdc_tls_server_set_verify },		\
	{ "tls-key-password-file", 0, "FILE", "the passphrase of "	\
	  "--tls-key (else $" SDC_TLS_KEY_PASSWORD_ENV ")",		\
	  sdc_tls_server_set_password_file }

/* Whether TLS is asked for. */
bool	sdc_tls_server_wanted(const struct sdc_tls_server_opts *o);
/* Usage errors, "origin: --tls-cert and --tls-key go together", ... */
void	sdc_tls_server_check(const struct sdc_tls_server_opts *o,
	    const char *origin);
/*
 * The server's context, or NULL when TLS is not asked for; a file that
 * will not load ends the program (status 3).  With ask_only a client
 * certificate is asked for and checked when shown, even under
 * --tls-verify-client, whose refusal is then the caller's.
 */
struct sdc_tls_ctx *sdc_tls_server_context(const struct sdc_tls_server_opts *o,
	    bool ask_only);

#endif
