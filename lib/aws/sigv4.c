/*
 * AWS Signature Version 4: the canonical request, the string to sign
 * and the key derived from the secret, date, region and service, as
 * AWS documents them (sigv4-create-canonical-request and the S3
 * "Authenticating Requests" pages).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "diag.h"
#include "sigv4.h"
#include "xalloc.h"
#include "banned.h"

#define SIGV4_ALGORITHM	"AWS4-HMAC-SHA256"
#define SCOPE_END	"aws4_request"

static void
add(struct sdc_buf *b, const void *p, size_t n)
{
	if (!sdc_buf_append(b, p, n))
		sdc_errx(SDC_EXIT_IO, "request too large to sign");
}

static void
adds(struct sdc_buf *b, const char *s)
{
	add(b, s, strlen(s));
}

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void
sdc_sha256_hex(const void *p, size_t n, char out[SDC_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (!EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL))
		sdc_errx(SDC_EXIT_IO, "SHA-256 failed");
	hex(md, mdlen, out);
}

void
sdc_amz_date(time_t t, char date[SDC_AMZ_DATE])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(date, SDC_AMZ_DATE, "%Y%m%dT%H%M%SZ", &tm);
}

static bool
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

void
sdc_aws_uri_encode(struct sdc_buf *dst, const char *s, size_t n,
    bool keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";
	char esc[3] = { '%', 0, 0 };

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c) || (keep_slash && c == '/')) {
			add(dst, &s[i], 1);
			continue;
		}
		esc[1] = digits[c >> 4];
		esc[2] = digits[c & 15];
		add(dst, esc, 3);
	}
}

struct encoded_pair {
	char	*name;
	char	*value;
};

static char *
encoded(const char *s)
{
	struct sdc_buf b;
	char *out;

	sdc_buf_init(&b, SIZE_MAX);
	sdc_aws_uri_encode(&b, s, strlen(s), false);
	add(&b, "", 1);
	out = (char *)b.data;
	return out;
}

static int
pair_order(const void *a, const void *b)
{
	const struct encoded_pair *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->value, y->value);
}

void
sdc_sigv4_query(struct sdc_buf *dst, const struct sdc_sigv4_pair *params,
    size_t n)
{
	struct encoded_pair *e;

	if (n == 0)
		return;
	e = sdc_xcalloc(n, sizeof *e);
	for (size_t i = 0; i < n; i++) {
		e[i].name = encoded(params[i].name);
		e[i].value = encoded(params[i].value ? params[i].value : "");
	}
	qsort(e, n, sizeof *e, pair_order);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			adds(dst, "&");
		adds(dst, e[i].name);
		adds(dst, "=");
		adds(dst, e[i].value);
		free(e[i].name);
		free(e[i].value);
	}
	free(e);
}

struct header {
	char		*name;		/* lowercase */
	const char	*value;
};

static int
header_order(const void *a, const void *b)
{
	return strcmp(((const struct header *)a)->name,
	    ((const struct header *)b)->name);
}

/* Leading and trailing blanks dropped, inner runs of blanks made one. */
static void
add_trimmed(struct sdc_buf *b, const char *v)
{
	bool blank = false;

	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v != '\0'; v++) {
		if (*v == ' ' || *v == '\t') {
			blank = true;
			continue;
		}
		if (blank)
			adds(b, " ");
		blank = false;
		add(b, v, 1);
	}
}

static struct header *
sorted_headers(const struct sdc_sigv4_request *rq)
{
	struct header *h = sdc_xcalloc(rq->nheaders + 1, sizeof *h);

	for (size_t i = 0; i < rq->nheaders; i++) {
		h[i].name = sdc_xstrdup(rq->headers[i].name);
		for (char *c = h[i].name; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		h[i].value = rq->headers[i].value;
	}
	qsort(h, rq->nheaders, sizeof *h, header_order);
	return h;
}

static void
add_signed_names(struct sdc_buf *b, const struct header *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			adds(b, ";");
		adds(b, h[i].name);
	}
}

static void
free_headers(struct header *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(h[i].name);
	free(h);
}

void
sdc_sigv4_canonical(struct sdc_buf *dst, const struct sdc_sigv4_request *rq)
{
	struct header *h = sorted_headers(rq);

	adds(dst, rq->method);
	adds(dst, "\n");
	adds(dst, rq->path);
	adds(dst, "\n");
	sdc_sigv4_query(dst, rq->params, rq->nparams);
	adds(dst, "\n");
	for (size_t i = 0; i < rq->nheaders; i++) {
		adds(dst, h[i].name);
		adds(dst, ":");
		add_trimmed(dst, h[i].value);
		adds(dst, "\n");
	}
	adds(dst, "\n");
	add_signed_names(dst, h, rq->nheaders);
	adds(dst, "\n");
	adds(dst, rq->payload_hash);
	free_headers(h, rq->nheaders);
}

static void
hmac(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
	unsigned len = 32;

	if (HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
	    strlen(msg), out, &len) == NULL)
		sdc_errx(SDC_EXIT_IO, "HMAC-SHA256 failed");
}

/* "20130524/us-east-1/s3/aws4_request" */
static void
add_scope(struct sdc_buf *b, const struct sdc_sigv4_request *rq)
{
	add(b, rq->amz_date, 8);
	adds(b, "/");
	adds(b, rq->region);
	adds(b, "/");
	adds(b, rq->service);
	adds(b, "/" SCOPE_END);
}

static void
signature(const struct sdc_sigv4_request *rq, const char *to_sign,
    char out[SDC_SHA256_HEX])
{
	unsigned char k[32], sig[32];
	char date[9];
	struct sdc_buf secret;

	sdc_buf_init(&secret, SIZE_MAX);
	adds(&secret, "AWS4");
	adds(&secret, rq->secret_key);
	memcpy(date, rq->amz_date, 8);
	date[8] = '\0';
	hmac(secret.data, secret.len, date, k);
	memset(secret.data, 0, secret.len);
	sdc_buf_release(&secret);
	hmac(k, sizeof k, rq->region, k);
	hmac(k, sizeof k, rq->service, k);
	hmac(k, sizeof k, SCOPE_END, k);
	hmac(k, sizeof k, to_sign, sig);
	memset(k, 0, sizeof k);
	hex(sig, sizeof sig, out);
}

void
sdc_sigv4_authorization(struct sdc_buf *dst,
    const struct sdc_sigv4_request *rq)
{
	struct sdc_buf canon, to_sign;
	char digest[SDC_SHA256_HEX], sig[SDC_SHA256_HEX];
	struct header *h;

	sdc_buf_init(&canon, SIZE_MAX);
	sdc_sigv4_canonical(&canon, rq);
	sdc_sha256_hex(canon.data, canon.len, digest);
	sdc_buf_release(&canon);
	sdc_buf_init(&to_sign, SIZE_MAX);
	adds(&to_sign, SIGV4_ALGORITHM "\n");
	adds(&to_sign, rq->amz_date);
	adds(&to_sign, "\n");
	add_scope(&to_sign, rq);
	adds(&to_sign, "\n");
	adds(&to_sign, digest);
	add(&to_sign, "", 1);
	signature(rq, (const char *)to_sign.data, sig);
	sdc_buf_release(&to_sign);
	adds(dst, SIGV4_ALGORITHM " Credential=");
	adds(dst, rq->access_key);
	adds(dst, "/");
	add_scope(dst, rq);
	adds(dst, ",SignedHeaders=");
	h = sorted_headers(rq);
	add_signed_names(dst, h, rq->nheaders);
	free_headers(h, rq->nheaders);
	adds(dst, ",Signature=");
	adds(dst, sig);
	add(dst, "", 1);
}
