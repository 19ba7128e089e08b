/*
 * What a workspace answers, read with jansson: the run id of run-now
 * and runs/submit, a run's state from runs/get, an OAuth token, and
 * the error body ({"error_code": ..., "message": ...}) of a refusal.
 * Whatever the peer sends is checked, never trusted: a missing field
 * or one of the wrong type is an error naming it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "databricks.h"
#include "xalloc.h"
#include "banned.h"

static json_t *
load_object(const char *text, size_t len, char *err, size_t errlen)
{
	json_error_t e;
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);

	if (v == NULL) {
		snprintf(err, errlen, "not JSON at byte %d: %s", e.position,
		    e.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		snprintf(err, errlen, "not a JSON object");
		json_decref(v);
		return NULL;
	}
	return v;
}

bool
sdc_dbx_parse_run_id(const char *text, size_t len, int64_t *run_id,
    char *err, size_t errlen)
{
	json_t *v = load_object(text, len, err, errlen), *id;
	bool ok;

	if (v == NULL)
		return false;
	id = json_object_get(v, "run_id");
	ok = json_is_integer(id) && json_integer_value(id) > 0;
	if (ok)
		*run_id = json_integer_value(id);
	else
		snprintf(err, errlen, "no run_id (a positive integer)");
	json_decref(v);
	return ok;
}

/* A string member copied (truncated) into dst; absent: "". */
static bool
copy_string(json_t *obj, const char *name, char *dst, size_t len,
    bool required, char *err, size_t errlen)
{
	json_t *s = json_object_get(obj, name);

	dst[0] = '\0';
	if (s == NULL && !required)
		return true;
	if (!json_is_string(s)) {
		snprintf(err, errlen, "state.%s: %s", name, s == NULL ?
		    "missing" : "not a string");
		return false;
	}
	snprintf(dst, len, "%s", json_string_value(s));
	return true;
}

/* States are upper-case words: anything else is not one. */
static bool
is_word(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isupper((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

bool
sdc_dbx_parse_run(const char *text, size_t len, struct sdc_dbx_run_state *st,
    char *err, size_t errlen)
{
	json_t *v = load_object(text, len, err, errlen), *state;
	bool ok = false;

	memset(st, 0, sizeof(*st));
	if (v == NULL)
		return false;
	state = json_object_get(v, "state");
	if (!json_is_object(state))
		snprintf(err, errlen, "no state object");
	else if (copy_string(state, "life_cycle_state", st->life_cycle,
	    sizeof st->life_cycle, true, err, errlen) &&
	    copy_string(state, "result_state", st->result, sizeof st->result,
	    false, err, errlen) &&
	    copy_string(state, "state_message", st->message,
	    sizeof st->message, false, err, errlen)) {
		ok = is_word(st->life_cycle) &&
		    (st->result[0] == '\0' || is_word(st->result));
		if (!ok)
			snprintf(err, errlen, "a state that is not a word");
	}
	json_decref(v);
	return ok;
}

bool
sdc_dbx_terminal(const struct sdc_dbx_run_state *st)
{
	return strcmp(st->life_cycle, "TERMINATED") == 0 ||
	    strcmp(st->life_cycle, "SKIPPED") == 0 ||
	    strcmp(st->life_cycle, "INTERNAL_ERROR") == 0;
}

bool
sdc_dbx_parse_token(const char *text, size_t len, struct sdc_dbx_token *t,
    char *err, size_t errlen)
{
	json_t *v = load_object(text, len, err, errlen), *tok, *exp;
	bool ok = false;

	memset(t, 0, sizeof(*t));
	if (v == NULL)
		return false;
	tok = json_object_get(v, "access_token");
	exp = json_object_get(v, "expires_in");
	if (!json_is_string(tok) || json_string_length(tok) == 0 ||
	    strlen(json_string_value(tok)) != json_string_length(tok))
		snprintf(err, errlen, "no access_token");
	else if (exp != NULL && (!json_is_number(exp) ||
	    json_number_value(exp) <= 0))
		snprintf(err, errlen, "expires_in: not a positive number");
	else {
		t->access_token = sdc_xstrdup(json_string_value(tok));
		t->expires_in = exp != NULL ? json_number_value(exp) : 3600;
		ok = true;
	}
	json_decref(v);
	return ok;
}

/* Up to len-1 bytes of s, control characters as '?'. */
static void
printable(const char *s, size_t n, char *dst, size_t len)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < len; i++)
		dst[k++] = iscntrl((unsigned char)s[i]) ? '?' : s[i];
	dst[k] = '\0';
}

void
sdc_dbx_describe_error(const struct sdc_dbx_response *resp, char *dst,
    size_t len)
{
	const char *body = (const char *)resp->body.data;
	json_t *v = NULL, *code = NULL, *msg = NULL;
	char text[400], ctext[64];

	if (resp->status == 0) {
		snprintf(dst, len, "%s", resp->error);
		return;
	}
	if (body != NULL)
		v = json_loadb(body, resp->body.len, 0, NULL);
	if (json_is_object(v)) {
		code = json_object_get(v, "error_code");
		msg = json_object_get(v, "message");
	}
	if (json_is_string(code) && json_is_string(msg)) {
		printable(json_string_value(msg), strlen(json_string_value(msg)),
		    text, sizeof text);
		printable(json_string_value(code), strlen(json_string_value(
		    code)), ctext, sizeof ctext);
		snprintf(dst, len, "%ld %s: %s", resp->status, ctext, text);
	} else {
		printable(body != NULL ? body : "", resp->body.len > 200 ? 200 :
		    resp->body.len, text, sizeof text);
		snprintf(dst, len, "HTTP %ld%s%s", resp->status,
		    text[0] != '\0' ? ": " : "", text);
	}
	json_decref(v);
}
