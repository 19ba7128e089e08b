/*
 * The cryptography of collectd's network protocol: a signature part is
 * an HMAC-SHA256 over the user name and the rest of the packet; an
 * encryption part holds AES-256 in OFB mode, keyed by the SHA-256 of
 * the password, of a SHA-1 of the parts followed by the parts.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "collectd.h"
#include "banned.h"

bool
sdc_cd_verify(const char *password, const uint8_t *p, size_t n,
    const uint8_t *mac)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (HMAC(EVP_sha256(), password, (int)strlen(password), p, n, md,
	    &len) == NULL || len != 32)
		return false;
	return CRYPTO_memcmp(md, mac, 32) == 0;
}

static bool
aes_ofb(const uint8_t *key, const uint8_t *iv, const uint8_t *p, size_t n,
    uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0;
	bool ok;

	ok = c != NULL && n <= 0x7fffffff &&
	    EVP_DecryptInit_ex(c, EVP_aes_256_ofb(), NULL, key, iv) == 1 &&
	    EVP_DecryptUpdate(c, out, &len, p, (int)n) == 1 &&
	    EVP_DecryptFinal_ex(c, out + len, &fin) == 1 &&
	    (size_t)(len + fin) == n;
	EVP_CIPHER_CTX_free(c);
	return ok;
}

bool
sdc_cd_decrypt(const char *password, const uint8_t *iv, const uint8_t *p,
    size_t n, uint8_t *out)
{
	uint8_t key[32], sum[20];

	if (n < 20 || EVP_Digest(password, strlen(password), key, NULL,
	    EVP_sha256(), NULL) != 1 || !aes_ofb(key, iv, p, n, out) ||
	    EVP_Digest(out + 20, n - 20, sum, NULL, EVP_sha1(), NULL) != 1)
		return false;
	return CRYPTO_memcmp(sum, out, 20) == 0;
}
