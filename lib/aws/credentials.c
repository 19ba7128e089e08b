/*
 * The chain of credential sources: the environment, a profile of the
 * shared credentials file, the instance metadata service (imds.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "credentials.h"
#include "xalloc.h"
#include "banned.h"

#define CREDENTIALS_FILE_MAX	(1u << 20)
#define PROFILE_LINE_MAX	4096

static void
wipe(char **s)
{
	if (*s != NULL) {
		memset(*s, 0, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

void
sdc_aws_creds_release(struct sdc_aws_creds *c)
{
	wipe(&c->access_key);
	wipe(&c->secret_key);
	wipe(&c->token);
	c->expires = 0;
}

void
sdc_aws_creds_set(struct sdc_aws_creds *c, const char *access_key,
    const char *secret_key, const char *token)
{
	sdc_aws_creds_release(c);
	c->access_key = sdc_xstrdup(access_key);
	c->secret_key = sdc_xstrdup(secret_key);
	c->token = token != NULL && token[0] != '\0' ? sdc_xstrdup(token) :
	    NULL;
}

bool
sdc_aws_creds_expiring(const struct sdc_aws_creds *c, double margin)
{
	return c->expires > 0 && (double)time(NULL) + margin >= c->expires;
}

static bool
from_environment(struct sdc_aws_creds *c)
{
	const char *id = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");

	if (id == NULL || secret == NULL || id[0] == '\0' || secret[0] == '\0')
		return false;
	sdc_aws_creds_set(c, id, secret, getenv("AWS_SESSION_TOKEN"));
	snprintf(c->source, sizeof c->source, "the environment");
	return true;
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	return s;
}

struct profile_keys {
	char	id[PROFILE_LINE_MAX];
	char	secret[PROFILE_LINE_MAX];
	char	token[PROFILE_LINE_MAX];
};

static void
profile_key(struct profile_keys *k, char *line)
{
	char *eq = strchr(line, '='), *name, *value;

	if (eq == NULL)
		return;
	*eq = '\0';
	name = trim(line);
	value = trim(eq + 1);
	if (strcmp(name, "aws_access_key_id") == 0)
		snprintf(k->id, sizeof k->id, "%s", value);
	else if (strcmp(name, "aws_secret_access_key") == 0)
		snprintf(k->secret, sizeof k->secret, "%s", value);
	else if (strcmp(name, "aws_session_token") == 0)
		snprintf(k->token, sizeof k->token, "%s", value);
}

/* Whether line is "[name]" for profile (or "[profile name]"). */
static bool
section_is(char *line, const char *profile)
{
	size_t n = strlen(line);
	char *name;

	line[n - 1] = '\0';
	name = trim(line + 1);
	if (strncmp(name, "profile ", 8) == 0)
		name = trim(name + 8);
	return strcmp(name, profile) == 0;
}

static bool
scan_profile(struct profile_keys *k, const char *text, size_t n,
    const char *profile, char *err, size_t len)
{
	char line[PROFILE_LINE_MAX];
	bool in = false, found = false;
	size_t at = 0, lineno = 0;

	while (at < n) {
		const char *nl = memchr(text + at, '\n', n - at);
		size_t ll = nl != NULL ? (size_t)(nl - (text + at)) : n - at;
		char *t;

		lineno++;
		if (ll >= sizeof line) {
			snprintf(err, len, "line %zu: longer than %d bytes",
			    lineno, PROFILE_LINE_MAX - 1);
			return false;
		}
		memcpy(line, text + at, ll);
		line[ll] = '\0';
		at += ll + 1;
		t = trim(line);
		if (t[0] == '[' && t[strlen(t) - 1] == ']') {
			in = section_is(t, profile);
			found = found || in;
		} else if (in && t[0] != '#' && t[0] != ';') {
			profile_key(k, t);
		}
	}
	if (!found)
		snprintf(err, len, "no profile \"%s\"", profile);
	return found;
}

bool
sdc_aws_profile_parse(struct sdc_aws_creds *c, const char *text, size_t n,
    const char *profile, char *err, size_t len)
{
	struct profile_keys *k = sdc_xcalloc(1, sizeof *k);
	bool ok = scan_profile(k, text, n, profile, err, len);

	if (ok && (k->id[0] == '\0' || k->secret[0] == '\0')) {
		snprintf(err, len, "profile \"%s\" has no aws_access_key_id "
		    "and aws_secret_access_key", profile);
		ok = false;
	}
	if (ok)
		sdc_aws_creds_set(c, k->id, k->secret, k->token);
	memset(k, 0, sizeof *k);
	free(k);
	return ok;
}

static void
credentials_path(char *path, size_t len)
{
	const char *file = getenv("AWS_SHARED_CREDENTIALS_FILE");
	const char *home = getenv("HOME");

	if (file != NULL && file[0] != '\0')
		snprintf(path, len, "%s", file);
	else
		snprintf(path, len, "%s/.aws/credentials",
		    home != NULL ? home : "");
}

/* The file's bytes (at most CREDENTIALS_FILE_MAX), NULL when none. */
static char *
slurp(const char *path, size_t *n, bool *missing, char *err, size_t len)
{
	FILE *f = fopen(path, "r");
	char *text;

	*missing = f == NULL && errno == ENOENT;
	if (f == NULL) {
		snprintf(err, len, "%.200s: %s", path, strerror(errno));
		return NULL;
	}
	text = sdc_xmalloc(CREDENTIALS_FILE_MAX + 1);
	*n = fread(text, 1, CREDENTIALS_FILE_MAX + 1, f);
	fclose(f);
	if (*n > CREDENTIALS_FILE_MAX) {
		snprintf(err, len, "%.200s: larger than %u bytes", path,
		    CREDENTIALS_FILE_MAX);
		memset(text, 0, CREDENTIALS_FILE_MAX + 1);
		free(text);
		return NULL;
	}
	return text;
}

/* -1: the file has none or is unreadable (err says); 0: no file; 1: set. */
static int
from_profile(struct sdc_aws_creds *c, const char *profile, char *err,
    size_t len)
{
	char path[4096], why[256];
	char *text;
	size_t n = 0;
	bool ok, missing;

	credentials_path(path, sizeof path);
	text = slurp(path, &n, &missing, why, sizeof why);
	if (text == NULL) {
		snprintf(err, len, "%s", why);
		return missing ? 0 : -1;
	}
	ok = sdc_aws_profile_parse(c, text, n, profile, why, sizeof why);
	memset(text, 0, n);
	free(text);
	if (!ok) {
		snprintf(err, len, "%.200s: %.250s", path, why);
		return -1;
	}
	snprintf(c->source, sizeof c->source, "profile \"%.40s\" of %.100s",
	    profile, path);
	return 1;
}

bool
sdc_aws_creds_load(struct sdc_aws_creds *c, const char *profile, bool imds,
    char *err, size_t len)
{
	const char *env_profile = getenv("AWS_PROFILE");
	char file_err[512] = "", imds_err[512] = "";
	bool asked;
	int r;

	asked = profile != NULL ||
	    (env_profile != NULL && env_profile[0] != '\0');
	if (profile == NULL)
		profile = asked ? env_profile : "default";
	if (!asked && from_environment(c))
		return true;
	r = from_profile(c, profile, file_err, sizeof file_err);
	if (r > 0)
		return true;
	if (asked || r < 0) {
		snprintf(err, len, "%s", file_err);
		return false;
	}
	if (sdc_aws_imds_load(c, imds, imds_err, sizeof imds_err))
		return true;
	snprintf(err, len, "no AWS credentials: none in the environment "
	    "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), %s, and the "
	    "instance metadata service: %s", file_err, imds_err);
	return false;
}
