/*
 * HTTPS for the http origin.  libmicrohttpd speaks TLS through GnuTLS
 * (not lib/tls.h's OpenSSL): it takes the PEM certificate, key and
 * trusted CAs as strings, and asks clients for a certificate when it
 * has CAs; whether one was sent and verifies is checked here, per
 * request, from the connection's GnuTLS session.
 */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "file.h"
#include "http-origin.h"
#include "banned.h"

#define PEM_MAX	(1u << 20)

static char *
read_pem(const char *path)
{
	size_t len;
	char *p = sdc_file_read(path, PEM_MAX, &len);

	if (p == NULL)
		sdc_err(SDC_EXIT_IO, "%s", path);
	return p;
}

void
sdc_http_tls_load(struct sdc_http_origin *ho)
{
	const struct sdc_http_opts *o = ho->opt;

	if (o->tls_cert == NULL)
		return;
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		sdc_errx(SDC_EXIT_USAGE, "http: --tls-cert: this "
		    "libmicrohttpd was built without TLS");
	ho->tls_mem[0] = read_pem(o->tls_cert);
	ho->tls_mem[1] = read_pem(o->tls_key);
	sdc_secret_load_if_any(&ho->key_password, o->tls_key_password_file,
	    SDC_TLS_KEY_PASSWORD_ENV, "key password",
	    SDC_TLS_KEY_PASSWORD_OPTION);
	if (o->tls_ca != NULL)
		ho->tls_mem[2] = read_pem(o->tls_ca);
}

void
sdc_http_tls_release(struct sdc_http_origin *ho)
{
	for (size_t i = 0; i < 3; i++) {
		if (ho->tls_mem[i] != NULL)
			OPENSSL_cleanse(ho->tls_mem[i], strlen(ho->tls_mem[i]));
		free(ho->tls_mem[i]);
		ho->tls_mem[i] = NULL;
	}
	sdc_secret_release(&ho->key_password);
}

static bool
common_name(gnutls_session_t s, char *cn, size_t len)
{
	unsigned n = 0;
	const gnutls_datum_t *chain = gnutls_certificate_get_peers(s, &n);
	gnutls_x509_crt_t crt;
	size_t size = len;
	bool ok;

	if (chain == NULL || n == 0 || gnutls_x509_crt_init(&crt) < 0)
		return false;
	ok = gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER) >=
	    0 && gnutls_x509_crt_get_dn_by_oid(crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &size) >= 0;
	gnutls_x509_crt_deinit(crt);
	return ok;
}

bool
sdc_http_tls_peer(struct MHD_Connection *conn, char *cn, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_session_t s;
	unsigned status = 1;

	if (ci == NULL || ci->tls_session == NULL)
		return false;
	s = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_verify_peers2(s, &status) < 0 || status != 0)
		return false;
	return common_name(s, cn, len);
}
