/*
 * What launches report, written downstream by the main thread: the
 * app-submitted and app-finished events, and the error records of
 * failed launches, which carry their event.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sparkjob-internal.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

void
sdc_sparkjob_report(struct sdc_sparkjob *j, struct report *rp)
{
	char one = 1;

	pthread_mutex_lock(&j->lock);
	*j->reports_tail = rp;
	j->reports_tail = &rp->next;
	pthread_mutex_unlock(&j->lock);
	/* A full pipe already wakes the main thread: nothing is lost. */
	if (write(j->wake[1], &one, 1) < 0)
		(void)0;
}

static void
put_text(struct sdc_record *r, const char *key, const char *value,
    size_t len)
{
	struct sdc_field *f = sdc_map_append(&r->arena, &r->root, key,
	    strlen(key));

	sdc_field_copy_bytes(&r->arena, f, SDC_STRING, value, len);
}

static void
put_cstr(struct sdc_record *r, const char *key, const char *value)
{
	put_text(r, key, value, strlen(value));
}

static void
put_int(struct sdc_record *r, const char *key, enum sdc_type t, int64_t v)
{
	sdc_field_int(sdc_map_append(&r->arena, &r->root, key, strlen(key)),
	    t, v);
}

/* This process's user, for a submitter the launcher did not name. */
static const char *
login_name(void)
{
	static char name[256];
	struct passwd pw, *found = NULL;
	char buf[1024];

	if (name[0] != '\0')
		return name;
	if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &found) == 0 &&
	    found != NULL)
		snprintf(name, sizeof name, "%s", found->pw_name);
	else
		snprintf(name, sizeof name, "%u", (unsigned)geteuid());
	return name;
}

/* An event about launch l: type, its app id, launcher and trigger. */
static void
begin_event(struct sdc_sparkjob *j, struct sdc_record *r, const char *type,
    const struct report *rp)
{
	const struct sdc_record *ev = &rp->launch->event;
	const char *app = rp->app_id != NULL ? rp->app_id : "";

	sdc_run_new_record(j->run, r, app, strlen(app));
	sdc_record_make_event(r, type, 1);
	sdc_field_container(&r->root, SDC_LIST_MAP);
	put_cstr(r, "app-id", app);
	put_cstr(r, "launcher", j->launcher->name);
	put_int(r, "timestamp", SDC_DATETIME, rp->at_ms * 1000);	/* us */
	put_int(r, "launch", SDC_LONG, (int64_t)rp->launch->number);
	put_text(r, "event-type", ev->h.event.type.ptr, ev->h.event.type.len);
	put_text(r, "event-id", ev->h.id.ptr, ev->h.id.len);
}

static void
submitted(struct sdc_sparkjob *j, const struct report *rp)
{
	struct sdc_record r;

	sdc_record_init(&r);
	begin_event(j, &r, "app-submitted", rp);
	put_cstr(&r, "submitter", rp->who != NULL ? rp->who : login_name());
	sdc_run_emit(j->run, &r);
	sdc_record_release(&r);
	j->c[C_SUBMITTED]++;
	j->run->n.out++;
}

static void
finished(struct sdc_sparkjob *j, const struct report *rp)
{
	struct sdc_record r;
	struct sdc_field *ok;

	sdc_record_init(&r);
	begin_event(j, &r, "app-finished", rp);
	put_cstr(&r, "state", rp->state);
	ok = sdc_map_append(&r.arena, &r.root, "succeeded", 9);
	sdc_field_bool(ok, rp->text == NULL);
	put_int(&r, "duration-ms", SDC_LONG, rp->at_ms -
	    rp->launch->started_ms);
	if (rp->text != NULL)
		put_cstr(&r, "message", rp->text);
	sdc_run_emit(j->run, &r);
	sdc_record_release(&r);
	if (rp->text == NULL)
		j->c[C_SUCCEEDED]++;
}

/* The launch's event, as an error record with the reason. */
static void
failed(struct sdc_sparkjob *j, const struct report *rp)
{
	const struct sdc_launch *l = rp->launch;
	struct sdc_record r;
	const char *reason;

	j->c[C_FAILED]++;
	sdc_record_init(&r);
	if (sdc_wire_decode(&r, SDC_KIND_EVENT, l->payload, l->payload_len,
	    &reason) == 0)
		sdc_run_reject(j->run, &r, rp->code, "launch %llu: %s",
		    (unsigned long long)l->number, rp->text);
	else
		sdc_run_reject_raw(j->run, "", l->payload, l->payload_len,
		    rp->code, "launch %llu: %s", (unsigned long long)l->number,
		    rp->text);
	sdc_record_release(&r);
}

static void
free_report(struct report *rp)
{
	free(rp->app_id);
	free(rp->who);
	free(rp->state);
	free(rp->code);
	free(rp->text);
	free(rp);
}

static void
write_report(struct sdc_sparkjob *j, struct report *rp)
{
	switch (rp->kind) {
	case REPORT_SUBMITTED: submitted(j, rp); break;
	case REPORT_FINISHED: finished(j, rp); break;
	case REPORT_FAILED: failed(j, rp); break;
	case REPORT_DONE: sdc_launch_free(rp->launch); break;
	}
	free_report(rp);
}

void
sdc_sparkjob_drain(struct sdc_sparkjob *j)
{
	struct report *rp, *next;

	pthread_mutex_lock(&j->lock);
	rp = j->reports;
	j->reports = NULL;
	j->reports_tail = &j->reports;
	j->c[C_QUEUED] = j->queued;
	j->c[C_RUNNING] = j->running;
	pthread_mutex_unlock(&j->lock);
	j->c[C_RETRIED] = atomic_load(&j->retried);
	for (; rp != NULL; rp = next) {
		next = rp->next;
		write_report(j, rp);
	}
}
