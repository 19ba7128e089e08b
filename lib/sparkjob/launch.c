/*
 * One launch, as a launcher sees it (sparkjob.h): its event, its
 * parameters, its clock, and what it reports, handed to the main thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "diag.h"
#include "sparkjob-internal.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

static pthread_mutex_t template_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t note_lock = PTHREAD_MUTEX_INITIALIZER;

/* 32 hex digits of the SHA-256 of the event's payload. */
static void
make_token(struct sdc_launch *l)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(l->payload, l->payload_len, md, &n, EVP_sha256(),
	    NULL) != 1 || n < 16)
		sdc_errx(SDC_EXIT_IO, "SHA-256 is not available");
	for (int i = 0; i < 16; i++)
		snprintf(l->token + 2 * i, 3, "%02x", md[i]);
}

struct sdc_launch *
sdc_launch_new(struct sdc_sparkjob *j, uint64_t number,
    const uint8_t *payload, size_t len)
{
	struct sdc_launch *l = sdc_xcalloc(1, sizeof(*l));
	const char *reason;

	l->j = j;
	l->number = number;
	l->payload = (uint8_t *)sdc_xmemdup(payload, len);
	l->payload_len = len;
	sdc_record_init(&l->event);
	if (sdc_wire_decode(&l->event, SDC_KIND_EVENT, l->payload, len,
	    &reason) != 0) {
		sdc_launch_free(l);
		return NULL;
	}
	make_token(l);
	return l;
}

void
sdc_launch_free(struct sdc_launch *l)
{
	sdc_record_release(&l->event);
	free(l->payload);
	free(l->app_id);
	free(l);
}

const struct sdc_record *
sdc_launch_event(const struct sdc_launch *l)
{
	return &l->event;
}

char *
sdc_launch_expand(struct sdc_launch *l, struct sdc_template *t)
{
	size_t need;
	char *text;

	pthread_mutex_lock(&template_lock);
	need = sdc_template_expand(t, &l->event, l->started_ms, NULL, 0);
	text = sdc_xmalloc(need + 1);
	sdc_template_expand(t, &l->event, l->started_ms, text, need + 1);
	pthread_mutex_unlock(&template_lock);
	return text;
}

const char *
sdc_launch_token(const struct sdc_launch *l)
{
	return l->token;
}

double
sdc_launch_time_left(const struct sdc_launch *l)
{
	double timeout = l->j->opt->timeout;

	if (timeout <= 0)
		return 1e9;
	return l->started + timeout - sdc_uptime();
}

bool
sdc_launch_stopping(const struct sdc_launch *l)
{
	return atomic_load(&l->j->stopping) || sdc_launch_time_left(l) <= 0;
}

static bool
launch_stopping(void *l)
{
	return sdc_launch_stopping(l);
}

bool
sdc_launch_sleep(struct sdc_launch *l, double seconds)
{
	return sdc_retry_sleep(seconds, launch_stopping, l);
}

void
sdc_launch_retried(struct sdc_launch *l)
{
	atomic_fetch_add(&l->j->retried, 1);
}

static struct report *
new_report(struct sdc_launch *l, enum report_kind kind)
{
	struct report *rp = sdc_xcalloc(1, sizeof(*rp));

	rp->kind = kind;
	rp->launch = l;
	rp->at_ms = sdc_now_ms();
	return rp;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? sdc_xstrdup(s) : NULL;
}

void
sdc_launch_submitted(struct sdc_launch *l, const char *app_id,
    const char *submitter)
{
	struct report *rp;

	if (l->submitted || l->failed)
		return;
	l->submitted = true;
	l->app_id = sdc_xstrdup(app_id);
	rp = new_report(l, REPORT_SUBMITTED);
	rp->app_id = sdc_xstrdup(app_id);
	rp->who = dup_or_null(submitter);
	sdc_sparkjob_report(l->j, rp);
}

void
sdc_launch_finished(struct sdc_launch *l, const char *state,
    const char *failure)
{
	struct report *rp;

	if (l->failed)
		return;
	rp = new_report(l, REPORT_FINISHED);
	rp->app_id = dup_or_null(l->app_id);
	rp->state = sdc_xstrdup(state);
	rp->text = dup_or_null(failure);
	sdc_sparkjob_report(l->j, rp);
	if (failure != NULL)
		sdc_launch_failed(l, "SPARKJOB_APP_FAILED", "%s: %s", state,
		    failure);
}

void
sdc_launch_failed(struct sdc_launch *l, const char *code, const char *fmt,
    ...)
{
	struct report *rp;
	char msg[2048];
	va_list ap;

	if (l->failed)
		return;
	l->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rp = new_report(l, REPORT_FAILED);
	rp->code = sdc_xstrdup(code);
	rp->text = sdc_xstrdup(msg);
	sdc_sparkjob_report(l->j, rp);
}

void
sdc_launch_note(struct sdc_launch *l, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&note_lock);
	fprintf(stderr, "%s: launch %llu: %s\n", sdc_progname(),
	    (unsigned long long)l->number, msg);
	pthread_mutex_unlock(&note_lock);
}

void
sdc_launch_run(struct sdc_launch *l)
{
	l->started = sdc_uptime();
	l->started_ms = sdc_now_ms();
	if (l->j->opt->verbose)
		sdc_launch_note(l, "for the %.*s event %.*s",
		    (int)l->event.h.event.type.len, l->event.h.event.type.ptr,
		    (int)l->event.h.id.len, l->event.h.id.ptr);
	l->j->launcher->launch(l->j->state, l);
	if (!l->submitted && !l->failed)
		sdc_launch_failed(l, "SPARKJOB_NO_OUTCOME", "%s reported "
		    "neither a submission nor a failure",
		    l->j->launcher->name);
	sdc_sparkjob_report(l->j, new_report(l, REPORT_DONE));
}

void
sdc_launch_abandon(struct sdc_launch *l, const char *why)
{
	sdc_launch_failed(l, "SPARKJOB_NOT_LAUNCHED", "%s", why);
	sdc_sparkjob_report(l->j, new_report(l, REPORT_DONE));
}

/* ------------------------------------------------ the framework's settings */

struct sdc_template *
sdc_sparkjob_template(struct sdc_sparkjob *j, const char *opt,
    const char *text)
{
	char err[160];
	struct sdc_template *t = sdc_template_parse(text, err, sizeof err);

	if (t == NULL)
		sdc_usage_error("%s: %s", opt, err);
	sdc_template_verbatim(t);
	j->templates = sdc_xrealloc(j->templates, (j->ntemplates + 1) *
	    sizeof(*j->templates));
	j->templates[j->ntemplates++] = t;
	return t;
}

bool
sdc_sparkjob_waiting(const struct sdc_sparkjob *j)
{
	return j->opt->wait;
}

double
sdc_sparkjob_timeout(const struct sdc_sparkjob *j)
{
	return j->opt->timeout;
}

const struct sdc_retry_policy *
sdc_sparkjob_retry_policy(const struct sdc_sparkjob *j)
{
	return &j->opt->retry;
}

bool
sdc_sparkjob_verbose(const struct sdc_sparkjob *j)
{
	return j->opt->verbose;
}
