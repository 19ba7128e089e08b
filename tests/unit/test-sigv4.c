/*
 * The SigV4 signer against the examples of AWS's documentation of S3's
 * header authentication (the "examplebucket" requests of 24 May 2013,
 * key AKIAIOSFODNN7EXAMPLE): GET Object with a range, PUT Object with
 * a storage class, GET Bucket Lifecycle (a parameter without a value)
 * and GET Bucket with two parameters given out of order.
 */
#include <stdio.h>
#include <string.h>

#include "sigv4.h"
#include "tap.h"

#define HOST	"examplebucket.s3.amazonaws.com"
#define DATE	"20130524T000000Z"
#define EMPTY	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define CRED	"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/" \
		"us-east-1/s3/aws4_request,"

static struct sdc_sigv4_request
example(const char *method, const char *path, const char *payload)
{
	struct sdc_sigv4_request rq = {
		.method = method, .path = path, .payload_hash = payload,
		.amz_date = DATE, .region = "us-east-1", .service = "s3",
		.access_key = "AKIAIOSFODNN7EXAMPLE",
		.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	};

	return rq;
}

static void
is_auth(const struct sdc_sigv4_request *rq, const char *want,
    const char *what)
{
	struct sdc_buf b;

	sdc_buf_init(&b, 1 << 20);
	sdc_sigv4_authorization(&b, rq);
	is_str((const char *)b.data, want, what);
	sdc_buf_release(&b);
}

static void
test_get_object(void)
{
	const struct sdc_sigv4_pair h[] = {
		{ "Host", HOST }, { "Range", "bytes=0-9" },
		{ "x-amz-content-sha256", EMPTY }, { "x-amz-date", DATE },
	};
	struct sdc_sigv4_request rq = example("GET", "/test.txt", EMPTY);
	struct sdc_buf b;

	rq.headers = h;
	rq.nheaders = 4;
	sdc_buf_init(&b, 1 << 20);
	sdc_sigv4_canonical(&b, &rq);
	sdc_buf_append(&b, "", 1);
	is_str((const char *)b.data, "GET\n/test.txt\n\n"
	    "host:" HOST "\nrange:bytes=0-9\n"
	    "x-amz-content-sha256:" EMPTY "\nx-amz-date:" DATE "\n\n"
	    "host;range;x-amz-content-sha256;x-amz-date\n" EMPTY,
	    "GET Object: the canonical request of the example");
	sdc_buf_release(&b);
	is_auth(&rq, CRED "SignedHeaders=host;range;x-amz-content-sha256;"
	    "x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170"
	    "aba48dd91039c6036bdb41", "GET Object: the example's signature");
}

static void
test_put_object(void)
{
	const char *body = "Welcome to Amazon S3.";
	char hash[SDC_SHA256_HEX];
	struct sdc_sigv4_pair h[] = {
		{ "Date", "Fri, 24 May 2013 00:00:00 GMT" }, { "Host", HOST },
		{ "x-amz-date", DATE },
		{ "x-amz-storage-class", "REDUCED_REDUNDANCY" },
		{ "x-amz-content-sha256", hash },
	};
	struct sdc_sigv4_request rq;
	struct sdc_buf path;

	sdc_sha256_hex(body, strlen(body), hash);
	is_str(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8"
	    "b803f8b072", "the payload's SHA-256");
	sdc_buf_init(&path, 1 << 10);
	sdc_aws_uri_encode(&path, "/test$file.text", 15, true);
	sdc_buf_append(&path, "", 1);
	is_str((const char *)path.data, "/test%24file.text",
	    "a key is encoded, its slashes kept");
	rq = example("PUT", (const char *)path.data, hash);
	rq.headers = h;
	rq.nheaders = 5;
	is_auth(&rq, CRED "SignedHeaders=date;host;x-amz-content-sha256;"
	    "x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55"
	    "b78f14c238d841ea1380cd77a1b5971af0ece108bd",
	    "PUT Object: the example's signature (headers given unsorted)");
	sdc_buf_release(&path);
}

static const struct sdc_sigv4_pair bucket_headers[] = {
	{ "host", HOST }, { "x-amz-content-sha256", EMPTY },
	{ "x-amz-date", DATE },
};

static void
test_bucket(void)
{
	const struct sdc_sigv4_pair lifecycle[] = { { "lifecycle", "" } };
	const struct sdc_sigv4_pair list[] = {
		{ "prefix", "J" }, { "max-keys", "2" },
	};
	struct sdc_sigv4_request rq = example("GET", "/", EMPTY);

	rq.headers = bucket_headers;
	rq.nheaders = 3;
	rq.params = lifecycle;
	rq.nparams = 1;
	is_auth(&rq, CRED "SignedHeaders=host;x-amz-content-sha256;"
	    "x-amz-date,Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e"
	    "0f91ac7a200a0136783543", "GET Bucket Lifecycle: \"lifecycle=\"");
	rq.params = list;
	rq.nparams = 2;
	is_auth(&rq, CRED "SignedHeaders=host;x-amz-content-sha256;"
	    "x-amz-date,Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc5"
	    "9db6670ed5711ef69dc6f7", "GET Bucket: parameters sorted");
}

static void
test_query(void)
{
	const struct sdc_sigv4_pair p[] = {
		{ "uploads", "" }, { "uploadId", "a/b+c d" },
		{ "partNumber", "10" }, { "a", "2" }, { "a", "1" },
	};
	struct sdc_buf b;

	sdc_buf_init(&b, 1 << 10);
	sdc_sigv4_query(&b, p, 5);
	sdc_buf_append(&b, "", 1);
	is_str((const char *)b.data, "a=1&a=2&partNumber=10&"
	    "uploadId=a%2Fb%2Bc%20d&uploads=", "the query: encoded, sorted "
	    "by name then value, \"uploads=\"");
	sdc_buf_reset(&b);
	sdc_aws_uri_encode(&b, "k/é ~*", 7, false);
	sdc_buf_append(&b, "", 1);
	is_str((const char *)b.data, "k%2F%C3%A9%20~%2A",
	    "UTF-8 and reserved bytes encoded in capitals");
	sdc_buf_release(&b);
}

static void
test_trim(void)
{
	const struct sdc_sigv4_pair h[] = {
		{ "X-Amz-Meta-A", "  two   spaces  " }, { "host", "h" },
	};
	struct sdc_sigv4_request rq = example("PUT", "/k", EMPTY);
	struct sdc_buf b;
	char date[SDC_AMZ_DATE];

	rq.headers = h;
	rq.nheaders = 2;
	sdc_buf_init(&b, 1 << 10);
	sdc_sigv4_canonical(&b, &rq);
	sdc_buf_append(&b, "", 1);
	ok(strstr((const char *)b.data, "\nhost:h\nx-amz-meta-a:two spaces\n")
	    != NULL, "header values trimmed, inner blanks made one");
	sdc_buf_release(&b);
	sdc_amz_date(1369353600, date);
	is_str(date, DATE, "x-amz-date of a time");
}

int
main(void)
{
	test_get_object();
	test_put_object();
	test_bucket();
	test_query();
	test_trim();
	return tap_done();
}
