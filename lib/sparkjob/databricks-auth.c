/*
 * The databricks launcher's credentials: a personal access token
 * (--token-file, else $DATABRICKS_TOKEN), or OAuth machine-to-machine
 * (--client-id, else $DATABRICKS_CLIENT_ID, with its secret from
 * --client-secret-file, else $DATABRICKS_CLIENT_SECRET): a token from
 * the workspace's /oidc/v1/token (client credentials, scope all-apis,
 * the client's id and secret as basic authentication), kept until
 * shortly before it expires and shared by every worker under a lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "databricks.h"
#include "diag.h"
#include "record.h"
#include "xalloc.h"
#include "banned.h"

#define TOKEN_ENV	"DATABRICKS_TOKEN"
#define CLIENT_ID_ENV	"DATABRICKS_CLIENT_ID"
#define SECRET_ENV	"DATABRICKS_CLIENT_SECRET"
#define TOKEN_PATH	"/oidc/v1/token"
#define TOKEN_FORM	"grant_type=client_credentials&scope=all-apis"

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

void
sdc_dbx_auth_open(struct sdc_dbx_auth *a, const struct sdc_dbx_opts *o)
{
	memset(a, 0, sizeof(*a));
	a->ca_file = o->ca_file;
	a->request_timeout = o->request_timeout;
	pthread_mutex_init(&a->lock, NULL);
	if (o->token_file != NULL && (o->client_id != NULL ||
	    o->client_secret_file != NULL))
		sdc_usage_error("databricks: --token-file and --client-id "
		    "exclude each other");
	if (o->client_secret_file != NULL && o->client_id == NULL &&
	    env(CLIENT_ID_ENV) == NULL)
		sdc_usage_error("databricks: --client-secret-file needs "
		    "--client-id");
	if (o->client_id != NULL || (o->token_file == NULL &&
	    env(TOKEN_ENV) == NULL && env(CLIENT_ID_ENV) != NULL)) {
		a->client_id = o->client_id != NULL ? o->client_id :
		    env(CLIENT_ID_ENV);
		if (strchr(a->client_id, ':') != NULL)
			sdc_usage_error("databricks: --client-id: a ':' in "
			    "the id");
		sdc_secret_load(&a->secret, o->client_secret_file, SECRET_ENV,
		    "client secret", "--client-secret-file");
		return;
	}
	sdc_secret_load(&a->secret, o->token_file, TOKEN_ENV,
	    "access token", "--token-file (or --client-id)");
	if (strpbrk((const char *)a->secret.data, "\r\n") != NULL)
		sdc_usage_error("databricks: the access token has a line "
		    "break");
}

void
sdc_dbx_token_free(char *token)
{
	if (token == NULL)
		return;
	explicit_bzero(token, strlen(token));
	free(token);
}

void
sdc_dbx_auth_close(struct sdc_dbx_auth *a)
{
	sdc_secret_release(&a->secret);
	sdc_dbx_token_free(a->token);
	a->token = NULL;
	pthread_mutex_destroy(&a->lock);
}

bool
sdc_dbx_auth_oauth(const struct sdc_dbx_auth *a)
{
	return a->client_id != NULL;
}

/* A fresh token from the endpoint into a (the lock held). */
static bool
fetch(struct sdc_dbx_auth *a, const char *host, struct sdc_dbx_http *h,
    bool *transient, char *err, size_t len)
{
	struct sdc_dbx_request rq = { .method = "POST", .body = TOKEN_FORM,
	    .form = true, .user = a->client_id,
	    .password = (const char *)a->secret.data,
	    .timeout = a->request_timeout };
	struct sdc_dbx_response resp;
	struct sdc_dbx_token t;
	char url[2048], why[512];
	double margin;
	bool ok = false;

	snprintf(url, sizeof url, "%s%s", host, TOKEN_PATH);
	rq.url = url;
	sdc_dbx_http_do(h, &rq, &resp);
	*transient = sdc_dbx_transient(&resp);
	if (resp.status != 200) {
		sdc_dbx_describe_error(&resp, why, sizeof why);
		snprintf(err, len, "OAuth token from %s: %s", url, why);
	} else if (!sdc_dbx_parse_token((const char *)resp.body.data,
	    resp.body.len, &t, why, sizeof why)) {
		snprintf(err, len, "OAuth token from %s: %s", url, why);
	} else {
		margin = t.expires_in > 120 ? 60 : t.expires_in / 2;
		sdc_dbx_token_free(a->token);
		a->token = t.access_token;
		a->expires = sdc_uptime() + t.expires_in - margin;
		ok = true;
	}
	sdc_dbx_response_release(&resp);
	return ok;
}

char *
sdc_dbx_auth_token(struct sdc_dbx_auth *a, const char *host,
    struct sdc_dbx_http *h, const char *refused, bool *transient,
    char *err, size_t len)
{
	char *token = NULL;

	*transient = false;
	if (a->client_id == NULL)
		return sdc_xstrdup((const char *)a->secret.data);
	pthread_mutex_lock(&a->lock);
	if (a->token != NULL && (sdc_uptime() >= a->expires ||
	    (refused != NULL && strcmp(refused, a->token) == 0))) {
		sdc_dbx_token_free(a->token);
		a->token = NULL;
	}
	if (a->token != NULL || fetch(a, host, h, transient, err, len))
		token = sdc_xstrdup(a->token);
	pthread_mutex_unlock(&a->lock);
	return token;
}
