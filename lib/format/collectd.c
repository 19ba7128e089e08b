/*
 * collectd: the binary protocol of collectd's network plugin, as Data
 * Collector's collectd data format reads it: a record per value list,
 * its values named by types.db, and one per notification.  This file
 * holds the format's entry, its options and the files they load;
 * collectd-read.c walks the parts, collectd-crypto.c checks signatures
 * and decrypts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "collectd.h"
#include "file.h"
#include "xalloc.h"
#include "banned.h"

#define FILE_MAX	((size_t)16 << 20)

static char *
dup_n(const char *s, size_t n)
{
	char *d = sdc_xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static int
type_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sdc_cd_type *)a)->name,
	    ((const struct sdc_cd_type *)b)->name);
}

/* "name ds:TYPE:min:max, ...": false when the line is not that. */
static bool
type_line(struct sdc_cd_type *t, char *line)
{
	char *save = NULL, *tok, *colon;

	memset(t, 0, sizeof *t);
	if ((tok = strtok_r(line, " \t", &save)) == NULL)
		return false;
	t->name = sdc_xstrdup(tok);
	while ((tok = strtok_r(NULL, " \t,", &save)) != NULL) {
		if ((colon = strchr(tok, ':')) == NULL || colon == tok)
			break;
		t->ds = sdc_xreallocarray(t->ds, t->nds + 1, sizeof *t->ds);
		t->ds[t->nds++] = dup_n(tok, (size_t)(colon - tok));
	}
	return tok == NULL && t->nds > 0;
}

static void
type_release(struct sdc_cd_type *t)
{
	for (size_t i = 0; i < t->nds; i++)
		free(t->ds[i]);
	free(t->ds);
	free(t->name);
}

bool
sdc_cd_types_load(struct sdc_cd_types *t, const char *path, char *err,
    size_t errlen)
{
	size_t len, lineno = 0;
	char *text = sdc_file_read(path, FILE_MAX, &len), *line, *save = NULL;

	if (text == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	for (line = text; line != NULL; line = save) {
		struct sdc_cd_type ty;

		lineno++;
		save = strchr(line, '\n');
		if (save != NULL)
			*save++ = '\0';
		line += strspn(line, " \t\r");
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (!type_line(&ty, line)) {
			type_release(&ty);
			snprintf(err, errlen, "%s:%zu: not a type and its "
			    "data sources (name ds:TYPE:min:max, ...)", path,
			    lineno);
			free(text);
			return false;
		}
		t->v = sdc_xreallocarray(t->v, t->n + 1, sizeof *t->v);
		t->v[t->n++] = ty;
	}
	free(text);
	qsort(t->v, t->n, sizeof *t->v, type_cmp);
	return true;
}

void
sdc_cd_types_release(struct sdc_cd_types *t)
{
	for (size_t i = 0; i < t->n; i++)
		type_release(&t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

const struct sdc_cd_type *
sdc_cd_types_find(const struct sdc_cd_types *t, const char *name)
{
	struct sdc_cd_type key = { .name = (char *)name };

	if (t->n == 0)
		return NULL;
	return bsearch(&key, t->v, t->n, sizeof *t->v, type_cmp);
}

/* "user: password", as collectd's AuthFile has them. */
bool
sdc_cd_auth_load(struct sdc_cd_auth *a, const char *path, char *err,
    size_t errlen)
{
	size_t len, lineno = 0;
	char *text = sdc_file_read(path, FILE_MAX, &len), *line, *save = NULL;

	if (text == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	for (line = text; line != NULL; line = save) {
		char *colon, *end;

		lineno++;
		save = strchr(line, '\n');
		if (save != NULL)
			*save++ = '\0';
		line += strspn(line, " \t");
		end = line + strlen(line);
		while (end > line && strchr(" \t\r", end[-1]) != NULL)
			*--end = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((colon = strchr(line, ':')) == NULL || colon == line) {
			snprintf(err, errlen, "%s:%zu: not user: password",
			    path, lineno);
			free(text);
			return false;
		}
		end = colon;
		while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		a->v = sdc_xreallocarray(a->v, a->n + 1, sizeof *a->v);
		a->v[a->n].name = dup_n(line, (size_t)(end - line));
		a->v[a->n++].password = sdc_xstrdup(colon + 1 +
		    strspn(colon + 1, " \t"));
	}
	free(text);
	return true;
}

void
sdc_cd_auth_release(struct sdc_cd_auth *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].password);
	}
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

const char *
sdc_cd_auth_password(const struct sdc_cd_auth *a, const char *user,
    size_t len)
{
	for (size_t i = 0; i < a->n; i++)
		if (strlen(a->v[i].name) == len &&
		    memcmp(a->v[i].name, user, len) == 0)
			return a->v[i].password;
	return NULL;
}

/* Options. */
static void
opts_init(void *opts)
{
	memset(opts, 0, sizeof(struct sdc_cd_opts));
}

static void
opts_release(void *opts)
{
	struct sdc_cd_opts *o = opts;

	sdc_cd_types_release(&o->types);
	sdc_cd_auth_release(&o->auth);
}

static void
set_types_db(void *opts, const char *opt, const char *arg)
{
	struct sdc_cd_opts *o = opts;
	char err[512];

	sdc_cd_types_release(&o->types);
	if (!sdc_cd_types_load(&o->types, arg, err, sizeof err))
		sdc_usage_error("%s: %s", opt, err);
}

static void
set_auth_file(void *opts, const char *opt, const char *arg)
{
	struct sdc_cd_opts *o = opts;
	char err[512];

	sdc_cd_auth_release(&o->auth);
	if (!sdc_cd_auth_load(&o->auth, arg, err, sizeof err))
		sdc_usage_error("%s: %s", opt, err);
}

static void
set_convert_time(void *opts, const char *opt, const char *arg)
{
	((struct sdc_cd_opts *)opts)->convert_time = true;
}

static void
set_exclude_interval(void *opts, const char *opt, const char *arg)
{
	((struct sdc_cd_opts *)opts)->exclude_interval = true;
}

static void
set_security_level(void *opts, const char *opt, const char *arg)
{
	static const char *const words[] = { "none", "sign", "encrypt",
	    NULL };

	((struct sdc_cd_opts *)opts)->level = sdc_parse_word(opt, arg, words);
}

static const struct sdc_plugin_option options[] = {
	{ "collectd-types-db", 0, "FILE", "types.db naming the data sources "
	  "of each type", set_types_db },
	{ "collectd-convert-time", 0, NULL, "time and interval in "
	  "milliseconds", set_convert_time },
	{ "collectd-exclude-interval", 0, NULL, "leave the interval out",
	  set_exclude_interval },
	{ "collectd-auth-file", 0, "FILE", "users and passwords of signed "
	  "and encrypted parts", set_auth_file },
	{ "collectd-security-level", 0, "none|sign|encrypt", "the parts "
	  "taken: any, signed, or encrypted ones", set_security_level },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_format sdc_format_collectd = {
	.name = "collectd",
	.summary = "the binary network protocol of collectd (read only)",
	.options = options,
	.opts_size = sizeof(struct sdc_cd_opts),
	.opts_init = opts_init,
	.opts_release = opts_release,
	.read = sdc_collectd_read,
};
