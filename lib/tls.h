#ifndef SDC_TLS_H
#define SDC_TLS_H
/*
 * TLS over a non-blocking socket, through OpenSSL, for every server
 * and client of sdc-tools (the tcp origin, the MQTT client, ...).  A
 * context holds the certificate, key and trust of one side; a session
 * wraps one connected fd and is driven by the caller's loop: when a
 * call wants the socket readable or writable first it returns
 * SDC_TLS_WANT and says which in sdc_tls_wants.
 *
 * Servers may require a client certificate signed by their CA file
 * (--tls-verify-client); clients check the server's certificate
 * against the CA file (or the system's) and its name, unless told not
 * to.  The key's passphrase, if any, is a secret (secret.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sdc_tls_config {
	const char	*cert_file;	/* PEM, the chain; server: required */
	const char	*key_file;	/* PEM */
	const char	*key_pass;	/* NULL when the key has none */
	const char	*ca_file;	/* PEM: whom to trust; a server then
					   checks the certificate a client
					   shows */
	bool		 verify_peer;	/* server: require a client cert */
	bool		 insecure;	/* client: accept any server cert */
	const char	*server_name;	/* client: SNI and the name checked */
};

/* Where a key's passphrase comes from, for every program that has keys. */
#define SDC_TLS_KEY_PASSWORD_ENV	"SDC_TLS_KEY_PASSWORD"
#define SDC_TLS_KEY_PASSWORD_OPTION	"--tls-key-password-file"

enum {
	SDC_TLS_ERROR = -2,	/* sdc_tls_error says why */
	SDC_TLS_WANT = -1	/* retry when sdc_tls_wants says */
};

enum { SDC_TLS_WANT_READ = 1, SDC_TLS_WANT_WRITE = 2 };

struct sdc_tls_ctx;
struct sdc_tls;

/* NULL with the reason, naming the file, in err. */
struct sdc_tls_ctx *sdc_tls_server_ctx(const struct sdc_tls_config *c,
	    char *err, size_t len);
struct sdc_tls_ctx *sdc_tls_client_ctx(const struct sdc_tls_config *c,
	    char *err, size_t len);
void	sdc_tls_ctx_free(struct sdc_tls_ctx *ctx);

/* A session on the connected, non-blocking fd (which stays the caller's). */
struct sdc_tls *sdc_tls_new(struct sdc_tls_ctx *ctx, int fd);
void	sdc_tls_free(struct sdc_tls *t);
/* 0 when the handshake is done, else SDC_TLS_WANT or SDC_TLS_ERROR. */
int	sdc_tls_handshake(struct sdc_tls *t);
/* Bytes read (0 at the peer's close), or SDC_TLS_WANT, SDC_TLS_ERROR. */
ssize_t	sdc_tls_read(struct sdc_tls *t, void *buf, size_t n);
/* Bytes written, or SDC_TLS_WANT, SDC_TLS_ERROR. */
ssize_t	sdc_tls_write(struct sdc_tls *t, const void *buf, size_t n);
/* Bytes OpenSSL has read and decrypted but not handed out yet. */
size_t	sdc_tls_pending(const struct sdc_tls *t);
unsigned sdc_tls_wants(const struct sdc_tls *t);
const char *sdc_tls_error(const struct sdc_tls *t);
/* The verified peer certificate's subject common name, or "". */
const char *sdc_tls_peer_name(const struct sdc_tls *t);
/* A close_notify, best effort. */
void	sdc_tls_shutdown(struct sdc_tls *t);

#endif
