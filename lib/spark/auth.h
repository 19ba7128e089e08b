#ifndef SDC_SPARK_AUTH_H
#define SDC_SPARK_AUTH_H
/*
 * The handshake that opens each link between a producer and the
 * service of sdc-spark-eval's cluster mode, before any record: each
 * side proves that it knows the shared secret without sending it.
 *
 *   both       hello: "SDCSPARK", version 1, role, 32-byte nonce
 *   producer   HMAC-SHA256(secret, service's nonce || 'P')
 *   service    HMAC-SHA256(secret, producer's nonce || 'S'), sent only
 *              when the producer's proof was right; else it closes
 *
 * Fresh random nonces keep a proof from being replayed, and the role
 * byte keeps one side's proof from being reflected as the other's.
 * Proofs are compared in constant time (CRYPTO_memcmp).  The secret is
 * loaded by sdc_secret_load (secret.h) from --secret-file or the
 * environment.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secret.h"

#define SDC_SPARK_SECRET_ENV	"SDC_SPARK_SECRET"
#define SDC_SPARK_NONCE_LEN	32
#define SDC_SPARK_PROOF_LEN	32
#define SDC_SPARK_HELLO_LEN	(8 + 1 + 1 + SDC_SPARK_NONCE_LEN)
#define SDC_SPARK_ROLE_PRODUCER	'P'
#define SDC_SPARK_ROLE_SERVICE	'S'

/* A hello of role with a fresh nonce, kept in nonce for the proof. */
void	sdc_spark_auth_hello(uint8_t hello[SDC_SPARK_HELLO_LEN],
	    uint8_t nonce[SDC_SPARK_NONCE_LEN], uint8_t role);
/* NULL, with the peer's nonce copied out, or what is wrong with it. */
const char *sdc_spark_auth_check_hello(
	    const uint8_t hello[SDC_SPARK_HELLO_LEN], uint8_t want_role,
	    uint8_t nonce[SDC_SPARK_NONCE_LEN]);
/* The proof that role knows the secret, for the peer's nonce. */
void	sdc_spark_auth_prove(const struct sdc_secret *s,
	    const uint8_t peer_nonce[SDC_SPARK_NONCE_LEN], uint8_t role,
	    uint8_t proof[SDC_SPARK_PROOF_LEN]);
/* Whether the peer, of peer_role, proved it for our nonce. */
bool	sdc_spark_auth_verify(const struct sdc_secret *s,
	    const uint8_t nonce[SDC_SPARK_NONCE_LEN], uint8_t peer_role,
	    const uint8_t proof[SDC_SPARK_PROOF_LEN]);

/*
 * The producer's side of the handshake on a blocking socket, within
 * timeout seconds: 0, or -1 with what went wrong in err.
 */
int	sdc_spark_auth_producer(int fd, const struct sdc_secret *s,
	    double timeout, char *err, size_t len);

#endif
