/* TLS sessions over non-blocking sockets, with OpenSSL. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "diag.h"
#include "tls.h"
#include "xalloc.h"
#include "banned.h"

struct sdc_tls_ctx {
	SSL_CTX	*ssl;
	bool	 server;
	char	 server_name[256];
};

struct sdc_tls {
	SSL	*ssl;
	unsigned wants;
	char	 error[256];
	char	 peer[256];
};

/* OpenSSL's reason for the last failure, after what. */
static void
ssl_reason(char *err, size_t len, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[200];

	if (e == 0) {
		snprintf(err, len, "%s", what);
		return;
	}
	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	snprintf(err, len, "%s: %s", what, buf);
}

static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
	size_t n = u != NULL ? strlen(u) : 0;

	(void)rwflag;
	if (u == NULL || n >= (size_t)size)
		return 0;
	memcpy(buf, u, n);
	return (int)n;
}

static bool
load_identity(SSL_CTX *ssl, const struct sdc_tls_config *c, char *err,
    size_t len)
{
	char what[1100];

	if (c->key_pass != NULL) {
		SSL_CTX_set_default_passwd_cb(ssl, pass_cb);
		SSL_CTX_set_default_passwd_cb_userdata(ssl, (void *)c->key_pass);
	}
	snprintf(what, sizeof what, "%s", c->cert_file);
	if (SSL_CTX_use_certificate_chain_file(ssl, c->cert_file) != 1)
		return ssl_reason(err, len, what), false;
	snprintf(what, sizeof what, "%s", c->key_file ? c->key_file :
	    c->cert_file);
	if (SSL_CTX_use_PrivateKey_file(ssl, c->key_file ? c->key_file :
	    c->cert_file, SSL_FILETYPE_PEM) != 1)
		return ssl_reason(err, len, what), false;
	/* The passphrase is the caller's, and needed no longer. */
	SSL_CTX_set_default_passwd_cb_userdata(ssl, NULL);
	if (SSL_CTX_check_private_key(ssl) != 1)
		return ssl_reason(err, len, "the key does not match the "
		    "certificate"), false;
	return true;
}

static bool
load_trust(SSL_CTX *ssl, const char *ca_file, char *err, size_t len)
{
	if (ca_file == NULL)
		return SSL_CTX_set_default_verify_paths(ssl) == 1 ||
		    (ssl_reason(err, len, "the system's CA certificates"),
		    false);
	if (SSL_CTX_load_verify_locations(ssl, ca_file, NULL) != 1)
		return ssl_reason(err, len, ca_file), false;
	return true;
}

static struct sdc_tls_ctx *
new_ctx(const SSL_METHOD *method, bool server, char *err, size_t len)
{
	struct sdc_tls_ctx *ctx = sdc_xcalloc(1, sizeof(*ctx));

	ctx->server = server;
	ctx->ssl = SSL_CTX_new(method);
	if (ctx->ssl == NULL) {
		ssl_reason(err, len, "TLS");
		free(ctx);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx->ssl, TLS1_2_VERSION);
	/* A peer that closes without close_notify has ended, as most do:
	 * the framing, not TLS, says whether its last message was whole. */
	SSL_CTX_set_options(ctx->ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return ctx;
}

struct sdc_tls_ctx *
sdc_tls_server_ctx(const struct sdc_tls_config *c, char *err, size_t len)
{
	struct sdc_tls_ctx *ctx;

	if (c->cert_file == NULL) {
		snprintf(err, len, "a TLS server needs a certificate");
		return NULL;
	}
	if ((ctx = new_ctx(TLS_server_method(), true, err, len)) == NULL)
		return NULL;
	if (!load_identity(ctx->ssl, c, err, len) ||
	    ((c->verify_peer || c->ca_file) &&
	    !load_trust(ctx->ssl, c->ca_file, err, len))) {
		sdc_tls_ctx_free(ctx);
		return NULL;
	}
	/* With a CA file, a client may show a certificate, checked then. */
	if (c->verify_peer || c->ca_file != NULL)
		SSL_CTX_set_verify(ctx->ssl, SSL_VERIFY_PEER |
		    (c->verify_peer ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), NULL);
	return ctx;
}

struct sdc_tls_ctx *
sdc_tls_client_ctx(const struct sdc_tls_config *c, char *err, size_t len)
{
	struct sdc_tls_ctx *ctx;

	if ((ctx = new_ctx(TLS_client_method(), false, err, len)) == NULL)
		return NULL;
	if ((c->cert_file != NULL && !load_identity(ctx->ssl, c, err, len)) ||
	    (!c->insecure && !load_trust(ctx->ssl, c->ca_file, err, len))) {
		sdc_tls_ctx_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx->ssl, c->insecure ? SSL_VERIFY_NONE :
	    SSL_VERIFY_PEER, NULL);
	if (c->server_name != NULL)
		snprintf(ctx->server_name, sizeof ctx->server_name, "%s",
		    c->server_name);
	return ctx;
}

void
sdc_tls_ctx_free(struct sdc_tls_ctx *ctx)
{
	if (ctx == NULL)
		return;
	SSL_CTX_free(ctx->ssl);
	free(ctx);
}

/* The name the server's certificate must hold: a host name, or an IP
 * address for an address literal (which SNI never carries). */
static void
expect_name(SSL *ssl, const char *name)
{
	unsigned char ip[16];

	if (inet_pton(AF_INET, name, ip) == 1 ||
	    inet_pton(AF_INET6, name, ip) == 1) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name);
		return;
	}
	SSL_set_tlsext_host_name(ssl, name);
	SSL_set1_host(ssl, name);
}

struct sdc_tls *
sdc_tls_new(struct sdc_tls_ctx *ctx, int fd)
{
	struct sdc_tls *t = sdc_xcalloc(1, sizeof(*t));

	t->ssl = SSL_new(ctx->ssl);
	if (t->ssl == NULL)
		sdc_errx(SDC_EXIT_IO, "TLS: out of memory");
	SSL_set_fd(t->ssl, fd);
	if (ctx->server) {
		SSL_set_accept_state(t->ssl);
		return t;
	}
	SSL_set_connect_state(t->ssl);
	if (ctx->server_name[0] != '\0')
		expect_name(t->ssl, ctx->server_name);
	return t;
}

void
sdc_tls_free(struct sdc_tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	free(t);
}

/* What an SSL call's return r means for the caller. */
static int
outcome(struct sdc_tls *t, int r, const char *what)
{
	int e = SSL_get_error(t->ssl, r);
	long verify;

	t->wants = 0;
	if (e == SSL_ERROR_WANT_READ) {
		t->wants = SDC_TLS_WANT_READ;
		return SDC_TLS_WANT;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		t->wants = SDC_TLS_WANT_WRITE;
		return SDC_TLS_WANT;
	}
	verify = SSL_get_verify_result(t->ssl);
	if (verify != X509_V_OK)
		snprintf(t->error, sizeof t->error, "%s: certificate: %s", what,
		    X509_verify_cert_error_string(verify));
	else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno)
		snprintf(t->error, sizeof t->error, "%s: %s", what,
		    strerror(errno));
	else if (ERR_peek_error() == 0)	/* an end where none may be */
		snprintf(t->error, sizeof t->error, "%s: the peer closed the "
		    "connection", what);
	else
		ssl_reason(t->error, sizeof t->error, what);
	ERR_clear_error();
	return SDC_TLS_ERROR;
}

static void
note_peer(struct sdc_tls *t)
{
	X509 *cert = SSL_get1_peer_certificate(t->ssl);

	t->peer[0] = '\0';
	if (cert == NULL)
		return;
	X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName,
	    t->peer, sizeof t->peer);
	X509_free(cert);
}

int
sdc_tls_handshake(struct sdc_tls *t)
{
	int r = SSL_do_handshake(t->ssl);

	if (r == 1) {
		t->wants = 0;
		note_peer(t);
		return 0;
	}
	return outcome(t, r, "TLS handshake");
}

ssize_t
sdc_tls_read(struct sdc_tls *t, void *buf, size_t n)
{
	size_t got = 0;
	int r = SSL_read_ex(t->ssl, buf, n, &got);

	if (r == 1)
		return (ssize_t)got;
	if (SSL_get_error(t->ssl, r) == SSL_ERROR_ZERO_RETURN)
		return 0;
	return outcome(t, r, "TLS read");
}

ssize_t
sdc_tls_write(struct sdc_tls *t, const void *buf, size_t n)
{
	size_t put = 0;
	int r = SSL_write_ex(t->ssl, buf, n, &put);

	if (r == 1)
		return (ssize_t)put;
	return outcome(t, r, "TLS write");
}

size_t
sdc_tls_pending(const struct sdc_tls *t)
{
	return (size_t)SSL_pending(t->ssl);
}

unsigned
sdc_tls_wants(const struct sdc_tls *t)
{
	return t->wants;
}

const char *
sdc_tls_error(const struct sdc_tls *t)
{
	return t->error;
}

const char *
sdc_tls_peer_name(const struct sdc_tls *t)
{
	return t->peer;
}

void
sdc_tls_shutdown(struct sdc_tls *t)
{
	(void)SSL_shutdown(t->ssl);
	ERR_clear_error();
}
