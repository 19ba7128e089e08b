/*
 * The schemas of Confluent schema ids: a file ID.avsc in a directory,
 * or GET URL/schemas/ids/ID from a schema registry over libcurl, whose
 * answer is {"schema":"TEXT"}.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "avro-format.h"
#include "banned.h"

#define ANSWER_MAX	(16u << 20)

static size_t
collect(char *p, size_t size, size_t n, void *ctx)
{
	struct sdc_buf *b = ctx;

	return sdc_buf_append(b, p, size * n) ? size * n : 0;
}

static int
get(const char *url, struct sdc_buf *b, char *err, size_t errlen)
{
	CURL *c = curl_easy_init();
	long status = 0;
	CURLcode rc;

	if (c == NULL) {
		snprintf(err, errlen, "libcurl failed to start");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", url, curl_easy_strerror(rc));
		return -1;
	}
	if (status != 200) {
		snprintf(err, errlen, "%s: HTTP status %ld", url, status);
		return -1;
	}
	return 0;
}

static int
from_registry(const char *base, long id, struct sdc_avro_schema *s,
    char *err, size_t errlen)
{
	size_t n = strlen(base);
	char url[2048];
	struct sdc_buf b;
	json_t *j = NULL;
	const char *text;
	int rc = -1;

	snprintf(url, sizeof url, "%.*s/schemas/ids/%ld", (int)(n > 0 &&
	    base[n - 1] == '/' ? n - 1 : n), base, id);
	sdc_buf_init(&b, ANSWER_MAX);
	if (get(url, &b, err, errlen) == 0) {
		j = json_loadb((const char *)b.data, b.len, 0, NULL);
		text = json_string_value(json_object_get(j, "schema"));
		if (text == NULL)
			snprintf(err, errlen, "%s: no \"schema\" in the answer",
			    url);
		else
			rc = sdc_avro_schema_parse(s, text, strlen(text), err,
			    errlen);
	}
	json_decref(j);
	sdc_buf_release(&b);
	return rc;
}

int
sdc_avro_schema_fetch(const struct sdc_avro_opts *o, long id,
    struct sdc_avro_schema *s, char *err, size_t errlen)
{
	char path[4096], why[256];

	if (o->registry != NULL)
		return from_registry(o->registry, id, s, err, errlen);
	snprintf(path, sizeof path, "%s/%ld.avsc", o->schema_dir, id);
	if (sdc_avro_schema_load(s, path, why, sizeof why) != 0) {
		snprintf(err, errlen, "schema id %ld: %s: %s", id, path, why);
		return -1;
	}
	return 0;
}
