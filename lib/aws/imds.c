/*
 * Credentials of the instance's role from the instance metadata
 * service, IMDSv2: PUT /latest/api/token for a session token, then,
 * with it, GET .../iam/security-credentials/ for the role's name and
 * GET .../iam/security-credentials/ROLE for its keys (JSON: Code,
 * AccessKeyId, SecretAccessKey, Token, Expiration).  Every answer is
 * bounded in size and time.
 */
#define _GNU_SOURCE	/* timegm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "buf.h"
#include "credentials.h"
#include "banned.h"

#define IMDS_DEFAULT	"http://169.254.169.254"
#define IMDS_ANSWER_MAX	(64u << 10)
#define IMDS_TIMEOUT_MS	2000L
#define ROLE_PATH	"/latest/meta-data/iam/security-credentials/"

static size_t
take(char *p, size_t size, size_t n, void *arg)
{
	struct sdc_buf *b = arg;

	return sdc_buf_append(b, p, size * n) ? size * n : 0;
}

/* The answer's body (NUL-terminated in b) when the status is 200. */
static bool
imds_request(const char *url, const char *method, const char *header,
    struct sdc_buf *b, char *err, size_t len)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hl = NULL;
	long status = 0;
	CURLcode rc;

	if (h == NULL) {
		snprintf(err, len, "cannot start libcurl");
		return false;
	}
	sdc_buf_reset(b);
	hl = curl_slist_append(hl, header);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, take);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, IMDS_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK)
		snprintf(err, len, "%s: %s", url, curl_easy_strerror(rc));
	else if (status != 200)
		snprintf(err, len, "%s: HTTP status %ld", url, status);
	if (rc != CURLE_OK || status != 200 || !sdc_buf_append(b, "", 1)) {
		if (rc == CURLE_OK && status == 200)
			snprintf(err, len, "%s: answer too long", url);
		return false;
	}
	return true;
}

/* "2026-12-01T20:00:00Z" as seconds since the epoch, 0 when not that. */
static double
expiration(const char *iso)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof tm);
	end = iso != NULL ? strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	return end != NULL ? (double)timegm(&tm) : 0;
}

static bool
role_keys(struct sdc_aws_creds *c, const char *body, const char *url,
    char *err, size_t len)
{
	json_error_t je;
	json_t *j = json_loads(body, 0, &je);
	const char *code, *id, *secret, *token;
	bool ok;

	code = json_string_value(json_object_get(j, "Code"));
	id = json_string_value(json_object_get(j, "AccessKeyId"));
	secret = json_string_value(json_object_get(j, "SecretAccessKey"));
	token = json_string_value(json_object_get(j, "Token"));
	ok = id != NULL && secret != NULL &&
	    (code == NULL || strcmp(code, "Success") == 0);
	if (ok) {
		sdc_aws_creds_set(c, id, secret, token);
		c->expires = expiration(json_string_value(
		    json_object_get(j, "Expiration")));
	} else {
		snprintf(err, len, "%s: no AccessKeyId and SecretAccessKey "
		    "(Code %s)", url, code != NULL ? code : "absent");
	}
	json_decref(j);
	return ok;
}

static bool
fetch(struct sdc_aws_creds *c, const char *base, struct sdc_buf *b,
    char *err, size_t len)
{
	char url[1024], header[1024], role[256];

	snprintf(url, sizeof url, "%s/latest/api/token", base);
	if (!imds_request(url, "PUT",
	    "X-aws-ec2-metadata-token-ttl-seconds: 21600", b, err, len))
		return false;
	snprintf(header, sizeof header, "X-aws-ec2-metadata-token: %.*s",
	    (int)strcspn((const char *)b->data, "\r\n"),
	    (const char *)b->data);
	snprintf(url, sizeof url, "%s" ROLE_PATH, base);
	if (!imds_request(url, "GET", header, b, err, len))
		return false;
	snprintf(role, sizeof role, "%.*s",
	    (int)strcspn((const char *)b->data, "\r\n"),
	    (const char *)b->data);
	if (role[0] == '\0' || strchr(role, '/') != NULL) {
		snprintf(err, len, "%s: no role name", url);
		return false;
	}
	snprintf(url, sizeof url, "%s" ROLE_PATH "%s", base, role);
	if (!imds_request(url, "GET", header, b, err, len))
		return false;
	if (!role_keys(c, (const char *)b->data, url, err, len))
		return false;
	snprintf(c->source, sizeof c->source, "the instance metadata "
	    "service (role %.100s)", role);
	return true;
}

bool
sdc_aws_imds_load(struct sdc_aws_creds *c, bool asked, char *err, size_t len)
{
	const char *off = getenv("AWS_EC2_METADATA_DISABLED");
	const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	struct sdc_buf b;
	char root[512];
	bool ok;

	if (off != NULL && strcmp(off, "true") == 0) {
		snprintf(err, len, "disabled (AWS_EC2_METADATA_DISABLED)");
		return false;
	}
	if (!asked && (base == NULL || base[0] == '\0')) {
		snprintf(err, len, "not asked (no AWS_EC2_METADATA_SERVICE_"
		    "ENDPOINT or --instance-metadata)");
		return false;
	}
	snprintf(root, sizeof root, "%s",
	    base != NULL && base[0] != '\0' ? base : IMDS_DEFAULT);
	if (root[0] != '\0' && root[strlen(root) - 1] == '/')
		root[strlen(root) - 1] = '\0';
	sdc_buf_init(&b, IMDS_ANSWER_MAX);
	ok = fetch(c, root, &b, err, len);
	if (b.data != NULL)
		memset(b.data, 0, b.cap);
	sdc_buf_release(&b);
	return ok;
}
