/*
 * The s3 destination: records rendered into objects whose keys come from
 * a template, one object open a key (the template without its ${uuid}
 * and ${seq}, at most --max-open), each rolled by records, bytes, age,
 * at a flush and at the end; an object-written event for each.  A
 * record is delivered when the PUT or the multipart upload's complete
 * of its object succeeded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "s3-sink.h"
#include "template.h"
#include "xalloc.h"
#include "banned.h"

#define SPOOL_AT	(256u << 10)	/* rendered bytes kept in memory */
#define PUMP_EVERY	128		/* records between moving an upload on */

struct s3_dest {
	struct sdc_sink		*s;
	const struct s3_opts	*o;
	struct s3_client	 c;
	struct s3_objects	 os;
	struct sdc_template	*key;
	struct sdc_template	*partition;
	struct s3_object	*open;		/* oldest first */
	unsigned		 nopen;
	unsigned		 since_pump;
};

/* text less its ${uuid} and ${seq}: what tells one object from another. */
static char *
partition_text(const char *text)
{
	char *out = sdc_xmalloc(strlen(text) + 1), *w = out;

	while (*text != '\0') {
		if (strncmp(text, "$$", 2) == 0) {
			*w++ = *text++;
			*w++ = *text++;
		} else if (strncmp(text, "${uuid}", 7) == 0) {
			text += 7;
		} else if (strncmp(text, "${seq}", 6) == 0) {
			text += 6;
		} else {
			*w++ = *text++;
		}
	}
	*w = '\0';
	return out;
}

static struct sdc_template *
parse_template(const char *text, const char *what)
{
	char err[256];
	struct sdc_template *t = sdc_template_parse(text, err, sizeof err);

	if (t == NULL)
		sdc_usage_error("--key: '%s'%s: %s", text, what, err);
	return t;
}

static void
check_bucket(struct s3_dest *d)
{
	const struct sdc_sigv4_pair q[] = {
		{ "list-type", "2" }, { "max-keys", "1" },
	};
	struct s3_call k;

	s3_call_init(&k, "GET", NULL);
	k.params = q;
	k.nparams = 2;
	d->c.once = true;
	if (!s3_perform(&d->c, &k))
		sdc_errx(SDC_EXIT_IO, "s3: cannot list bucket %s: %s",
		    d->o->bucket, k.why);
	if (k.ans.key[0] != '\0')
		sdc_warnx("s3: bucket %s at %s listed with credentials from "
		    "%s: it holds objects (the first: %s)", d->o->bucket,
		    d->c.origin, d->c.creds.source, k.ans.key);
	else
		sdc_warnx("s3: bucket %s at %s listed with credentials from "
		    "%s: it is empty", d->o->bucket, d->c.origin,
		    d->c.creds.source);
}

static void
release(struct s3_dest *d)
{
	sdc_template_free(d->key);
	sdc_template_free(d->partition);
	s3_client_release(&d->c);
	free(d);
}

static void *
s3_open(struct sdc_sink *s, const void *opts)
{
	const struct s3_opts *o = opts;
	struct s3_dest *d;
	char err[1024], *text;

	if (o->bucket == NULL)
		sdc_usage_error("s3: --bucket is required");
	if (o->sse_kms_key_id != NULL && (o->sse == NULL ||
	    strcmp(o->sse, "aws:kms") != 0))
		sdc_usage_error("s3: --sse-kms-key-id needs --sse aws:kms");
	d = sdc_xcalloc(1, sizeof *d);
	d->s = s;
	d->o = o;
	d->key = parse_template(o->key, "");
	text = partition_text(o->key);
	d->partition = parse_template(text, " less ${uuid} and ${seq}");
	free(text);
	if (!sdc_template_uses_fields(d->key))
		sdc_sink_header_only(s);	/* rendered from the frames */
	s3_client_init(&d->c, s, o);
	d->os.c = &d->c;
	d->os.o = o;
	d->os.s = s;
	if (!s3_client_credentials(&d->c, err, sizeof err))
		sdc_errx(SDC_EXIT_IO, "s3: %s", err);
	if (sdc_sink_checking(s)) {
		check_bucket(d);
		release(d);
		return NULL;
	}
	return d;
}

static void
unlink_object(struct s3_dest *d, struct s3_object *o)
{
	struct s3_object **p = &d->open;

	while (*p != o)
		p = &(*p)->next;
	*p = o->next;
	d->nopen--;
}

static void
roll(struct s3_dest *d, struct s3_object *o)
{
	unlink_object(d, o);
	s3_object_finish(&d->os, o);
}

static void sweep(struct s3_dest *d);

static struct s3_object *
find(struct s3_dest *d, const char *partition)
{
	for (struct s3_object *o = d->open; o != NULL; o = o->next)
		if (!o->broken && strcmp(o->partition, partition) == 0)
			return o;
	return NULL;
}

static struct s3_object *
object_for(struct s3_dest *d, struct sdc_record *r, const char **why)
{
	char part[4 * S3_KEY_MAX], key[S3_KEY_MAX + 1];
	int64_t ms = sdc_sink_record_time(d->s, r);
	struct s3_object *o, **tail;
	const char *k;
	size_t n;

	if (sdc_template_expand(d->partition, r, ms, part, sizeof part) >=
	    sizeof part) {
		*why = "the key is longer than 1024 bytes";
		return NULL;
	}
	if ((o = find(d, part)) != NULL)
		return o;
	n = sdc_template_expand(d->key, r, ms, key, sizeof key);
	for (k = key; *k == '/'; k++)
		;
	if (n >= sizeof key || *k == '\0') {
		*why = n >= sizeof key ? "the key is longer than 1024 bytes" :
		    "the key is empty";
		return NULL;
	}
	if (d->nopen == d->o->max_open) {
		roll(d, d->open);
		sweep(d);
	}
	o = s3_object_new(&d->os, part, k);
	for (tail = &d->open; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = o;
	d->nopen++;
	return o;
}

static void
note_end(struct s3_object *o)
{
	size_t pending;

	sdc_render_bytes(o->rd, &pending);
	if (o->records == o->ends_cap) {
		o->ends_cap = o->ends_cap ? 2 * o->ends_cap : 1024;
		o->ends = sdc_xreallocarray(o->ends, o->ends_cap,
		    sizeof *o->ends);
	}
	o->length = o->spooled + pending;
	o->ends[o->records++] = o->length;
}

static bool
full(const struct s3_dest *d, const struct s3_object *o)
{
	return (d->o->max_records > 0 && o->records >= d->o->max_records) ||
	    (d->o->max_bytes > 0 && o->length >= d->o->max_bytes) ||
	    (d->o->max_age > 0 && sdc_uptime() - o->opened >= d->o->max_age);
}

static void
roll_old(struct s3_dest *d)
{
	struct s3_object *o = d->open, *next;

	for (; o != NULL; o = next) {
		next = o->next;
		if (d->o->max_age > 0 && sdc_uptime() - o->opened >=
		    d->o->max_age)
			roll(d, o);
	}
}

/* Objects given up (their records failed) leave the table. */
static void
sweep(struct s3_dest *d)
{
	struct s3_object *o = d->open, *next;

	if (!d->os.broke)
		return;
	d->os.broke = false;
	for (; o != NULL; o = next) {
		next = o->next;
		if (o->broken) {
			unlink_object(d, o);
			s3_object_free(o);
		}
	}
}

static void
s3_put(void *state, struct sdc_record *r)
{
	struct s3_dest *d = state;
	const char *why = NULL;
	struct s3_object *o = object_for(d, r, &why);
	size_t pending;

	if (o == NULL) {
		sdc_sink_failed(d->s, r, "S3_KEY", "%s", why);
		return;
	}
	if (!sdc_render_record(o->rd, r, &why)) {
		sdc_sink_failed(d->s, r, "S3_RENDER", "%s", why);
		return;
	}
	note_end(o);
	sdc_render_bytes(o->rd, &pending);
	if (++d->since_pump == PUMP_EVERY) {
		d->since_pump = 0;
		s3_objects_pump(&d->os);
	}
	if (pending >= SPOOL_AT)
		s3_object_spool(&d->os, o);
	if (o->broken || full(d, o))
		roll(d, o);
	roll_old(d);
	sweep(d);
}

/* Seconds until the oldest object is --max-age old. */
static double
s3_due(void *state)
{
	const struct s3_dest *d = state;

	if (d->o->max_age <= 0 || d->open == NULL)
		return -1;
	for (const struct s3_object *o = d->open; o != NULL; o = o->next)
		if (sdc_uptime() - o->opened >= d->o->max_age)
			return 0;
	return d->open->opened + d->o->max_age - sdc_uptime();
}

static void
s3_flush(void *state)
{
	struct s3_dest *d = state;

	while (d->open != NULL) {
		roll(d, d->open);
		sweep(d);
	}
}

static void
s3_close(void *state)
{
	s3_flush(state);
	release(state);
}

const struct sdc_destination sdc_destination_s3 = {
	.name = "s3",
	.summary = "objects in an S3 bucket (PUT, multipart upload)",
	.options = sdc_s3_options,
	.opts_size = sizeof(struct s3_opts),
	.opts_init = sdc_s3_opts_init,
	.opts_release = NULL,
	.open = s3_open,
	.put = s3_put,
	.flush = s3_flush,
	.due = s3_due,
	.close = s3_close,
};
