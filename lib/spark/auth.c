/* The shared-secret handshake of the cluster mode (see auth.h). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "auth.h"
#include "cli.h"
#include "diag.h"
#include "record.h"	/* sdc_uptime */
#include "signals.h"
#include "xalloc.h"
#include "banned.h"

#define MAGIC		"SDCSPARK"
#define MAGIC_LEN	8
#define HELLO_VERSION	1

void
sdc_spark_auth_hello(uint8_t hello[SDC_SPARK_HELLO_LEN],
    uint8_t nonce[SDC_SPARK_NONCE_LEN], uint8_t role)
{
	if (RAND_bytes(nonce, SDC_SPARK_NONCE_LEN) != 1)
		sdc_errx(SDC_EXIT_IO, "no random bytes for the handshake");
	memcpy(hello, MAGIC, MAGIC_LEN);
	hello[MAGIC_LEN] = HELLO_VERSION;
	hello[MAGIC_LEN + 1] = role;
	memcpy(hello + MAGIC_LEN + 2, nonce, SDC_SPARK_NONCE_LEN);
}

const char *
sdc_spark_auth_check_hello(const uint8_t hello[SDC_SPARK_HELLO_LEN],
    uint8_t want_role, uint8_t nonce[SDC_SPARK_NONCE_LEN])
{
	uint8_t role = hello[MAGIC_LEN + 1];

	if (memcmp(hello, MAGIC, MAGIC_LEN) != 0)
		return want_role == SDC_SPARK_ROLE_SERVICE ?
		    "not an sdc-spark-eval service (bad handshake)" :
		    "not an sdc-spark-eval producer (bad handshake)";
	if (hello[MAGIC_LEN] != HELLO_VERSION)
		return "a handshake of another version of sdc-spark-eval";
	if (role != want_role)
		return role == SDC_SPARK_ROLE_PRODUCER ?
		    "the peer is a producer, not the service" :
		    role == SDC_SPARK_ROLE_SERVICE ?
		    "the peer is a service, not a producer" :
		    "a handshake of an unknown role";
	memcpy(nonce, hello + MAGIC_LEN + 2, SDC_SPARK_NONCE_LEN);
	return NULL;
}

void
sdc_spark_auth_prove(const struct sdc_secret *s,
    const uint8_t peer_nonce[SDC_SPARK_NONCE_LEN], uint8_t role,
    uint8_t proof[SDC_SPARK_PROOF_LEN])
{
	uint8_t msg[SDC_SPARK_NONCE_LEN + 1];
	unsigned int len = SDC_SPARK_PROOF_LEN;

	memcpy(msg, peer_nonce, SDC_SPARK_NONCE_LEN);
	msg[SDC_SPARK_NONCE_LEN] = role;
	if (HMAC(EVP_sha256(), s->data, (int)s->len, msg, sizeof msg, proof,
	    &len) == NULL || len != SDC_SPARK_PROOF_LEN)
		sdc_errx(SDC_EXIT_IO, "HMAC-SHA256 failed");
}

bool
sdc_spark_auth_verify(const struct sdc_secret *s,
    const uint8_t nonce[SDC_SPARK_NONCE_LEN], uint8_t peer_role,
    const uint8_t proof[SDC_SPARK_PROOF_LEN])
{
	uint8_t want[SDC_SPARK_PROOF_LEN];
	bool ok;

	sdc_spark_auth_prove(s, nonce, peer_role, want);
	ok = CRYPTO_memcmp(want, proof, SDC_SPARK_PROOF_LEN) == 0;
	OPENSSL_cleanse(want, sizeof want);
	return ok;
}

static int
send_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* n bytes by the deadline: 0, 1 when the peer closed first, -1 (errno). */
static int
recv_all(int fd, uint8_t *p, size_t n, double deadline)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	while (n > 0) {
		double left = deadline - sdc_uptime();
		ssize_t r;
		int rc;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		rc = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (rc < 0 && errno != EINTR)
			return -1;
		if (rc < 0)
			sdc_signals_poll();
		if (rc <= 0)
			continue;
		r = recv(fd, p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
failed(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
failed(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* The peer went away, or did not answer, while we waited for what. */
static int
no_answer(char *err, size_t len, int rc, double timeout, const char *what)
{
	if (rc > 0)
		return failed(err, len, "closed the connection before %s",
		    what);
	if (errno == ETIMEDOUT)
		return failed(err, len, "no %s within %.0f s", what, timeout);
	return failed(err, len, "%s", strerror(errno));
}

int
sdc_spark_auth_producer(int fd, const struct sdc_secret *s,
    double timeout, char *err, size_t len)
{
	uint8_t hello[SDC_SPARK_HELLO_LEN], peer[SDC_SPARK_HELLO_LEN];
	uint8_t nonce[SDC_SPARK_NONCE_LEN], peer_nonce[SDC_SPARK_NONCE_LEN];
	uint8_t proof[SDC_SPARK_PROOF_LEN];
	double deadline = sdc_uptime() + timeout;
	const char *bad;
	int rc;

	sdc_spark_auth_hello(hello, nonce, SDC_SPARK_ROLE_PRODUCER);
	if (send_all(fd, hello, sizeof hello) != 0)
		return failed(err, len, "%s", strerror(errno));
	if ((rc = recv_all(fd, peer, sizeof peer, deadline)) != 0)
		return no_answer(err, len, rc, timeout, "its handshake");
	if ((bad = sdc_spark_auth_check_hello(peer, SDC_SPARK_ROLE_SERVICE,
	    peer_nonce)) != NULL)
		return failed(err, len, "%s", bad);
	sdc_spark_auth_prove(s, peer_nonce, SDC_SPARK_ROLE_PRODUCER, proof);
	if (send_all(fd, proof, sizeof proof) != 0 && errno != EPIPE &&
	    errno != ECONNRESET)
		return failed(err, len, "%s", strerror(errno));
	rc = recv_all(fd, proof, sizeof proof, deadline);
	if (rc > 0 || (rc < 0 && (errno == ECONNRESET || errno == EPIPE)))
		return failed(err, len, "authentication failed: the service "
		    "refused our secret");
	if (rc < 0)
		return no_answer(err, len, rc, timeout, "answer to our proof");
	if (!sdc_spark_auth_verify(s, nonce, SDC_SPARK_ROLE_SERVICE, proof))
		return failed(err, len, "authentication failed: the service "
		    "does not know the secret");
	return 0;
}
