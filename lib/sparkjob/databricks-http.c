/*
 * The databricks launcher's requests: one libcurl easy handle a
 * launch (a worker's own), so that its polls reuse one connection.
 * Each request starts from curl_easy_reset and sets what it needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "databricks.h"
#include "diag.h"
#include "xalloc.h"
#include "banned.h"

struct sdc_dbx_http {
	CURL		*curl;
	const char	*ca_file;
	char		 errbuf[CURL_ERROR_SIZE];
};

struct sdc_dbx_http *
sdc_dbx_http_new(const char *ca_file)
{
	struct sdc_dbx_http *h = sdc_xcalloc(1, sizeof(*h));

	h->curl = curl_easy_init();
	if (h->curl == NULL)
		sdc_errx(SDC_EXIT_IO, "databricks: libcurl failed to start");
	h->ca_file = ca_file;
	return h;
}

void
sdc_dbx_http_free(struct sdc_dbx_http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	free(h);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sdc_dbx_response *resp = arg;
	size_t len = size * n;

	if (resp->body.len + len > SDC_DBX_ANSWER_MAX) {
		resp->too_long = true;
		return 0;	/* ends the transfer */
	}
	if (!sdc_buf_append(&resp->body, p, len))
		return 0;
	return len;
}

static struct curl_slist *
headers_for(const struct sdc_dbx_request *rq)
{
	struct curl_slist *l = NULL, *n;

	n = curl_slist_append(l, rq->form ?
	    "Content-Type: application/x-www-form-urlencoded" :
	    "Content-Type: application/json");
	if (n == NULL || (l = curl_slist_append(n, "Expect:")) == NULL ||
	    (n = curl_slist_append(l, "Accept: application/json")) == NULL)
		sdc_errx(SDC_EXIT_IO, "databricks: out of memory");
	return n;
}

static void
setup(struct sdc_dbx_http *h, const struct sdc_dbx_request *rq,
    struct sdc_dbx_response *resp, struct curl_slist *headers)
{
	CURL *c = h->curl;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(rq->timeout * 1000));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "sdc-sparkjob/" PACKAGE_VERSION);
	if (h->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
	if (rq->bearer != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, rq->bearer);
	} else if (rq->user != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, rq->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, rq->password);
	}
	if (rq->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(rq->body));
	}
}

void
sdc_dbx_http_do(struct sdc_dbx_http *h, const struct sdc_dbx_request *rq,
    struct sdc_dbx_response *resp)
{
	struct curl_slist *headers = headers_for(rq);
	curl_off_t after = 0;
	CURLcode rc;

	memset(resp, 0, sizeof(*resp));
	sdc_buf_init(&resp->body, SDC_DBX_ANSWER_MAX + 1);
	h->errbuf[0] = '\0';
	setup(h, rq, resp, headers);
	rc = curl_easy_perform(h->curl);
	curl_slist_free_all(headers);
	if (resp->too_long) {
		snprintf(resp->error, sizeof resp->error, "an answer of more "
		    "than %d bytes", SDC_DBX_ANSWER_MAX);
		return;
	}
	if (rc != CURLE_OK) {
		snprintf(resp->error, sizeof resp->error, "%s",
		    h->errbuf[0] != '\0' ? h->errbuf : curl_easy_strerror(rc));
		return;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if (curl_easy_getinfo(h->curl, CURLINFO_RETRY_AFTER, &after) ==
	    CURLE_OK && after > 0)
		resp->retry_after = (double)after;
	/* A NUL after the body, for the JSON parser's messages. */
	sdc_buf_append(&resp->body, "", 1);
	resp->body.len--;
}

void
sdc_dbx_response_release(struct sdc_dbx_response *resp)
{
	sdc_buf_release(&resp->body);
}

bool
sdc_dbx_transient(const struct sdc_dbx_response *resp)
{
	if (resp->too_long)
		return false;
	return resp->status == 0 || resp->status == 429 ||
	    resp->status >= 500;
}
