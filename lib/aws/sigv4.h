#ifndef SDC_SIGV4_H
#define SDC_SIGV4_H
/*
 * AWS Signature Version 4 for requests to S3 and other AWS services,
 * signed here rather than by libcurl (whose 7.88 signer sends no
 * x-amz-content-sha256 and mangles some query strings): the canonical
 * request of the method, the path as given (already URI-encoded), the
 * query parameters encoded and sorted ("uploads=", never "uploads"),
 * and the headers given, every one of them signed.  Region and
 * service are always explicit.  The caller owns every string; the
 * results go into buffers of the caller's.
 */
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

#define SDC_SHA256_HEX	65	/* 64 hex digits and a NUL */
#define SDC_AMZ_DATE	17	/* "20130524T000000Z" and a NUL */
#define SDC_UNSIGNED_PAYLOAD	"UNSIGNED-PAYLOAD"

struct sdc_sigv4_pair {
	const char	*name;
	const char	*value;		/* "" for a parameter without one */
};

struct sdc_sigv4_request {
	const char			*method;
	const char			*path;	/* URI-encoded, from "/" */
	const struct sdc_sigv4_pair	*params;	/* not encoded */
	size_t				 nparams;
	/* Every header to sign: host, x-amz-date, x-amz-content-sha256... */
	const struct sdc_sigv4_pair	*headers;
	size_t				 nheaders;
	const char			*payload_hash;	/* hex, or unsigned */
	const char			*amz_date;
	const char			*region;
	const char			*service;
	const char			*access_key;
	const char			*secret_key;
};

/*
 * s percent-encoded as SigV4 wants: all but A-Z a-z 0-9 - . _ ~ as
 * %XY in capitals, "/" kept when keep_slash (object keys in paths).
 */
void	sdc_aws_uri_encode(struct sdc_buf *dst, const char *s, size_t n,
	    bool keep_slash);
/* The parameters encoded, sorted by name then value, "a=1&b=". */
void	sdc_sigv4_query(struct sdc_buf *dst,
	    const struct sdc_sigv4_pair *params, size_t n);
/* The canonical request, for tests and debugging. */
void	sdc_sigv4_canonical(struct sdc_buf *dst,
	    const struct sdc_sigv4_request *rq);
/* The value of the Authorization header, NUL-terminated in dst. */
void	sdc_sigv4_authorization(struct sdc_buf *dst,
	    const struct sdc_sigv4_request *rq);

void	sdc_sha256_hex(const void *p, size_t n, char hex[SDC_SHA256_HEX]);
/* t (UTC) as x-amz-date: "20130524T000000Z". */
void	sdc_amz_date(time_t t, char date[SDC_AMZ_DATE]);

#endif
