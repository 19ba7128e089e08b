/* Keyed device ids: HMAC-SHA256 (RFC 2104) over OpenSSL's SHA-256. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include "devid.h"
#include "diag.h"
#include "banned.h"

#define BLOCK	64

static EVP_MD_CTX *
padded_key(const uint8_t *key, size_t len, uint8_t pad)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t block[BLOCK];
	size_t i;

	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		sdc_errx(SDC_EXIT_IO, "SHA-256 is not available");
	for (i = 0; i < BLOCK; i++)
		block[i] = (uint8_t)((i < len ? key[i] : 0) ^ pad);
	EVP_DigestUpdate(c, block, BLOCK);
	OPENSSL_cleanse(block, sizeof block);
	return c;
}

void
sdc_devid_init(struct sdc_devid *d, const uint8_t *key, size_t len)
{
	uint8_t digest[SDC_DEVID_LEN];
	unsigned int n;

	if (len > BLOCK) {	/* a long key is hashed first */
		EVP_Digest(key, len, digest, &n, EVP_sha256(), NULL);
		key = digest;
		len = n;
	}
	d->inner = padded_key(key, len, 0x36);
	d->outer = padded_key(key, len, 0x5c);
	d->work = EVP_MD_CTX_new();
	OPENSSL_cleanse(digest, sizeof digest);
	if (d->work == NULL)
		sdc_errx(SDC_EXIT_IO, "out of memory for SHA-256");
}

void
sdc_devid_release(struct sdc_devid *d)
{
	EVP_MD_CTX_free(d->inner);
	EVP_MD_CTX_free(d->outer);
	EVP_MD_CTX_free(d->work);
	memset(d, 0, sizeof(*d));
}

void
sdc_devid_hash(struct sdc_devid *d, const void *id, size_t len,
    uint8_t out[SDC_DEVID_LEN])
{
	uint8_t inner[SDC_DEVID_LEN];
	unsigned int n;

	EVP_MD_CTX_copy_ex(d->work, d->inner);
	EVP_DigestUpdate(d->work, id, len);
	EVP_DigestFinal_ex(d->work, inner, &n);
	EVP_MD_CTX_copy_ex(d->work, d->outer);
	EVP_DigestUpdate(d->work, inner, sizeof inner);
	EVP_DigestFinal_ex(d->work, out, &n);
}

void
sdc_devid_hex(const uint8_t id[SDC_DEVID_LEN], char hex[SDC_DEVID_HEX])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SDC_DEVID_LEN; i++) {
		hex[2 * i] = digits[id[i] >> 4];
		hex[2 * i + 1] = digits[id[i] & 15];
	}
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
sdc_devid_from_hex(const char *hex, size_t len, uint8_t id[SDC_DEVID_LEN])
{
	int i;

	if (len != SDC_DEVID_HEX)
		return false;
	for (i = 0; i < SDC_DEVID_LEN; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		id[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* The 12 hex digits of a MAC in one of its spellings, or false. */
static bool
mac_digits(const char *s, size_t len, char digits[12])
{
	size_t i, n = 0, group = len == 17 ? 2 : len == 14 ? 4 : 12;
	char sep = len == 17 ? s[2] : len == 14 ? '.' : 0;

	if (len != 17 && len != 14 && len != 12)
		return false;
	if (len == 17 && sep != ':' && sep != '-')
		return false;
	for (i = 0; i < len; i++) {
		if (sep != 0 && i % (group + 1) == group) {
			if (s[i] != sep)
				return false;
			continue;
		}
		if (hex_value(s[i]) < 0)
			return false;
		digits[n++] = s[i];
	}
	return n == 12;
}

int
sdc_mac_is_random(const char *id, size_t len)
{
	char digits[12];

	if (!mac_digits(id, len, digits))
		return -1;
	return (hex_value(digits[1]) & 2) != 0;
}
