/*
 * The file destination, sdc-sink's default: records rendered into
 * files under a directory template, one open file per directory the
 * template expands to, each written as a temp file and published by
 * an atomic rename once it rolls (file-rules.h) or the run ends.
 * A file's records are delivered when it is published; a file whose
 * write fails (a full disk) is left as its temp file, its records
 * undelivered, and every later record fails downstream with the
 * reason, so that nothing is lost silently.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "file-publish.h"
#include "file-sink.h"
#include "template.h"
#include "xalloc.h"
#include "banned.h"

#define WRITE_CHUNK	(128u << 10)	/* rendered bytes written at once */
#define WRITE_CHUNK_MIN	(4u << 10)
#define PATH_LEN	4096
#define NAME_TRIES	100
#define SWEEP_EVERY	0.05		/* seconds between expiry checks */

struct open_file {
	struct open_file	*prev, *next;	/* most recent first */
	char			*dir;
	char			*name;
	int			 fd;
	struct sdc_codec	*codec;
	struct sdc_render	*rd;
	struct sdc_roll_state	 st;
	uint64_t		 taken;		/* rendered bytes written */
	double			 put_sum;	/* of the records' put times */
};

struct file_sink {
	struct sdc_sink		*s;
	const struct file_opts	*o;
	struct sdc_template	*dir_t, *late_t, *name_t;
	struct sdc_late_rule	 late;
	struct open_file	*head, *tail;
	unsigned long		 nopen;
	int			 broken;	/* errno of a failed write */
	char			*broken_path;
	double			 last_sweep;
	size_t			 chunk;		/* rendered bytes held a file */
	const char		*dir;		/* the record's: buf or dir_cache */
	char			 buf[PATH_LEN];		/* a directory */
	char			 name[PATH_LEN];	/* a file name */
	char			 dir_cache[PATH_LEN];	/* dir_t's last */
	size_t			 dir_len;		/* 0: none yet */
	int64_t			 dir_second;		/* its second */
	bool			 dir_time_only;	/* sdc_template_time_only */
	bool			 dir_fixed;	/* dir_t expands to one */
	bool			 dir_hit;	/* fs->dir is dir_cache */
	struct open_file	*dir_file;	/* open in dir_cache, or NULL */
};

/*
 * Seconds on the coarse monotonic clock (a few ms of resolution, plenty
 * for rolling and latency), read per record at a fraction of the cost
 * of the precise one.
 */
static double
coarse_uptime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct sdc_template *
parse_template(const char *opt, const char *text)
{
	char err[256];
	struct sdc_template *t = sdc_template_parse(text, err, sizeof err);

	if (t == NULL)
		sdc_usage_error("%s: %s", opt, err);
	return t;
}

static void
unlink_file(struct file_sink *fs, struct open_file *f)
{
	*(f->prev ? &f->prev->next : &fs->head) = f->next;
	*(f->next ? &f->next->prev : &fs->tail) = f->prev;
	fs->nopen--;
	if (f == fs->dir_file)
		fs->dir_file = NULL;
}

static void
link_first(struct file_sink *fs, struct open_file *f)
{
	f->prev = NULL;
	f->next = fs->head;
	*(fs->head ? &fs->head->prev : &fs->tail) = f;
	fs->head = f;
	fs->nopen++;
}

static void
free_file(struct open_file *f)
{
	sdc_codec_free(f->codec);
	sdc_render_free(f->rd);
	free(f->dir);
	free(f->name);
	free(f);
}

/* A write failed: say so, keep the temp file, fail what comes after. */
static void
file_failed(struct file_sink *fs, struct open_file *f, const char *what,
    int e)
{
	char *tmp = sdc_publish_path(f->dir, f->name, true);

	sdc_warnx("file: %s: %s: %s: its %" PRIu64 " records are not "
	    "delivered (left in the temp file)", tmp, what, strerror(e),
	    f->st.records);
	if (fs->broken == 0) {
		fs->broken = e;
		fs->broken_path = tmp;
	} else {
		free(tmp);
	}
	sdc_codec_free(f->codec);	/* its writes done before the close */
	f->codec = NULL;
	if (f->fd >= 0)
		close(f->fd);
	unlink_file(fs, f);
	free_file(f);
}

/* Write out what f has rendered: 0 or errno. */
static int
write_rendered(struct open_file *f)
{
	size_t len;
	const uint8_t *p = sdc_render_bytes(f->rd, &len);
	int e;

	if (len == 0)
		return 0;
	e = sdc_codec_write(f->codec, p, len);
	if (e == 0) {
		sdc_render_take(f->rd, len);
		f->taken += len;
	}
	return e;
}

static void
discard_empty(struct file_sink *fs, struct open_file *f)
{
	char *tmp = sdc_publish_path(f->dir, f->name, true);

	sdc_codec_free(f->codec);
	f->codec = NULL;
	close(f->fd);
	unlink(tmp);
	free(tmp);
	unlink_file(fs, f);
	free_file(f);
}

static void
publish(struct file_sink *fs, struct open_file *f)
{
	char *path;
	uint64_t length;
	int e;

	if (f->st.records == 0) {
		discard_empty(fs, f);
		return;
	}
	sdc_render_finish(f->rd);
	if ((e = write_rendered(f)) != 0 ||
	    (e = sdc_codec_finish(f->codec)) != 0) {
		file_failed(fs, f, "write", e);
		return;
	}
	e = sdc_publish(f->fd, f->dir, f->name, &path);
	f->fd = -1;
	if (e != 0) {
		file_failed(fs, f, path != NULL ? "renamed, but its directory "
		    "not synced" : "publish", e);
		free(path);
		return;
	}
	length = sdc_codec_written(f->codec);
	sdc_sink_delivered(fs->s, f->st.records, length,
	    coarse_uptime() - f->put_sum / (double)f->st.records);
	sdc_sink_file_closed(fs->s, path, length, f->st.records);
	free(path);
	unlink_file(fs, f);
	free_file(f);
}

static void
sweep(struct file_sink *fs, double now)
{
	struct open_file *f, *next;

	fs->last_sweep = now;
	for (f = fs->head; f != NULL; f = next) {
		next = f->next;
		if (sdc_roll_expired(&fs->o->roll, &f->st, now) != SDC_ROLL_NO)
			publish(fs, f);
	}
}

static struct open_file *
find(struct file_sink *fs, const char *dir)
{
	for (struct open_file *f = fs->head; f != NULL; f = f->next) {
		if (strcmp(f->dir, dir) != 0)
			continue;
		if (f != fs->head) {
			unlink_file(fs, f);
			link_first(fs, f);
		}
		return f;
	}
	return NULL;
}

/* The temp file of a new name in dir: its fd, or -1 with errno. */
static int
create_named(struct file_sink *fs, struct open_file *f,
    const struct sdc_record *r, int64_t ms)
{
	for (int n = 0; n < NAME_TRIES; n++) {
		size_t len = sdc_template_expand(fs->name_t, r, ms, fs->name,
		    sizeof fs->name);
		int fd;

		if (len >= sizeof fs->name - 16) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (n > 0)
			snprintf(fs->name + len, sizeof fs->name - len, "-%d", n);
		fd = sdc_publish_create(f->dir, fs->name);
		if (fd >= 0) {
			f->name = sdc_xstrdup(fs->name);
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static struct open_file *
open_file(struct file_sink *fs, const char *dir, const struct sdc_record *r,
    int64_t ms, int *err)
{
	struct open_file *f;
	int e;

	if ((e = sdc_mkdirs(dir)) != 0) {
		*err = e;
		return NULL;
	}
	if (fs->nopen >= fs->o->max_open)
		publish(fs, fs->tail);
	f = sdc_xcalloc(1, sizeof *f);
	f->dir = sdc_xstrdup(dir);
	f->fd = create_named(fs, f, r, ms);
	if (f->fd < 0) {
		*err = errno;
		free_file(f);
		return NULL;
	}
	link_first(fs, f);
	if ((f->codec = sdc_codec_new(fs->o->compression, f->fd)) == NULL) {
		*err = EIO;
		discard_empty(fs, f);
		return NULL;
	}
	f->rd = sdc_render_new(fs->s);
	f->st.opened = f->st.last_put = coarse_uptime();
	return f;
}

static void
fail_late(struct file_sink *fs, struct sdc_record *r, int64_t ms)
{
	sdc_sink_failed(fs->s, r, "SINK_LATE_RECORD", "late: its time %"
	    PRId64 " ms is more than %.0f s before the newest seen, %" PRId64
	    " ms (--late-limit)", ms, fs->o->late_limit, fs->late.newest_ms);
}

/*
 * The directory of a record into fs->dir.  A template that depends on the
 * time alone is expanded once a second (one without it once), not for
 * every record.
 */
static size_t
expand_directory(struct file_sink *fs, struct sdc_template *t,
    const struct sdc_record *r, int64_t ms)
{
	int64_t second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;

	fs->dir_hit = false;
	if (t != fs->dir_t || !fs->dir_time_only) {
		fs->dir = fs->buf;
		return sdc_template_expand(t, r, ms, fs->buf, sizeof fs->buf);
	}
	if (fs->dir_len == 0 || (second != fs->dir_second && !fs->dir_fixed)) {
		fs->dir_len = sdc_template_expand(t, r, ms, fs->dir_cache,
		    sizeof fs->dir_cache);
		fs->dir_second = second;
		fs->dir_file = NULL;
	}
	fs->dir_hit = true;
	fs->dir = fs->dir_cache;
	return fs->dir_len;
}

static bool
directory_of(struct file_sink *fs, struct sdc_record *r, int64_t ms)
{
	struct sdc_template *t = fs->dir_t;
	size_t len;

	if (sdc_late_check(&fs->late, ms)) {
		if (fs->late_t == NULL) {
			fail_late(fs, r, ms);
			return false;
		}
		t = fs->late_t;
	}
	len = expand_directory(fs, t, r, ms);
	if (len >= PATH_LEN - 256) {
		sdc_sink_failed(fs->s, r, "SINK_FILE_NAME", "its directory "
		    "name is %zu bytes long, too long", len);
		return false;
	}
	return true;
}

/* The open file of fs->dir, remembered while it stays. */
static struct open_file *
find_directory(struct file_sink *fs)
{
	struct open_file *f = fs->dir_hit ? fs->dir_file : NULL;

	if (f == NULL || f != fs->head)
		f = find(fs, fs->dir);
	if (fs->dir_hit)
		fs->dir_file = f;
	return f;
}

static struct open_file *
file_for(struct file_sink *fs, struct sdc_record *r, int64_t ms)
{
	struct open_file *f = find_directory(fs);
	int e;

	if (f != NULL && f->st.records > 0 && r->h.nattrs > 0 &&
	    sdc_record_attr(r, fs->o->roll_attribute) != NULL) {
		publish(fs, f);
		f = NULL;
	}
	if (f == NULL && (f = open_file(fs, fs->dir, r, ms, &e)) == NULL)
		sdc_sink_failed(fs->s, r, "SINK_FILE_OPEN", "%s: %s", fs->dir,
		    strerror(e));
	if (fs->dir_hit)
		fs->dir_file = f;
	return f;
}

static void
file_put(void *state, struct sdc_record *r)
{
	struct file_sink *fs = state;
	double now = sdc_sink_put_uptime(fs->s);
	int64_t ms = sdc_sink_record_time(fs->s, r);
	struct open_file *f;
	const char *why = NULL;
	size_t pending;
	int e;

	if (fs->broken != 0) {
		sdc_sink_failed(fs->s, r, "SINK_FILE_WRITE", "not written: "
		    "%s: %s", fs->broken_path, strerror(fs->broken));
		return;
	}
	if (now - fs->last_sweep >= SWEEP_EVERY)
		sweep(fs, now);
	if (!directory_of(fs, r, ms) || (f = file_for(fs, r, ms)) == NULL)
		return;
	if (!sdc_render_record(f->rd, r, &why)) {
		sdc_sink_failed(fs->s, r, "SINK_RENDER", "%s", why);
		return;
	}
	f->st.records++;
	f->st.last_put = now;
	f->put_sum += now;
	sdc_render_bytes(f->rd, &pending);
	f->st.bytes = f->taken + pending;
	if (pending >= fs->chunk && (e = write_rendered(f)) != 0)
		file_failed(fs, f, "write", e);
	else if (sdc_roll_full(&fs->o->roll, &f->st) != SDC_ROLL_NO)
		publish(fs, f);
}

static void
file_flush(void *state)
{
	struct file_sink *fs = state;
	struct open_file *f, *next;
	int e;

	sweep(fs, coarse_uptime());
	for (f = fs->head; f != NULL; f = next) {
		next = f->next;
		if ((e = write_rendered(f)) != 0)
			file_failed(fs, f, "write", e);
	}
}

/* The soonest a file expires, for the framework to call flush then. */
static double
file_due(void *state)
{
	struct file_sink *fs = state;
	double now = coarse_uptime(), due = -1;

	for (struct open_file *f = fs->head; f != NULL; f = f->next) {
		double d = sdc_roll_due_in(&fs->o->roll, &f->st, now);

		if (d >= 0 && (due < 0 || d < due))
			due = d;
	}
	return due;
}

static void
file_close(void *state)
{
	struct file_sink *fs = state;

	while (fs->head != NULL)
		publish(fs, fs->head);
	sdc_template_free(fs->dir_t);
	sdc_template_free(fs->late_t);
	sdc_template_free(fs->name_t);
	free(fs->broken_path);
	free(fs);
}

static void *
file_open(struct sdc_sink *s, const void *opts)
{
	const struct file_opts *o = opts;
	struct file_sink *fs;
	char *name;

	sdc_file_opts_check(o);
	name = sdc_file_name_template(o);
	fs = sdc_xcalloc(1, sizeof *fs);
	fs->s = s;
	fs->o = o;
	fs->dir_t = parse_template("--directory", o->directory);
	fs->name_t = parse_template(o->name ? "--name" : "--file-prefix",
	    name);
	fs->dir_time_only = sdc_template_time_only(fs->dir_t);
	fs->dir_fixed = fs->dir_time_only &&
	    !sdc_template_uses_record(fs->dir_t);
	if (o->late_directory != NULL)
		fs->late_t = parse_template("--late-directory",
		    o->late_directory);
	free(name);
	if (!sdc_template_uses_fields(fs->dir_t) &&
	    !sdc_template_uses_fields(fs->name_t) &&
	    (fs->late_t == NULL || !sdc_template_uses_fields(fs->late_t)))
		sdc_sink_header_only(s);
	sdc_late_init(&fs->late, (int64_t)(o->late_limit * 1000));
	fs->last_sweep = coarse_uptime();
	/* What all the open files hold stays within --max-buffer. */
	fs->chunk = sdc_sink_max_buffer(s) / o->max_open;
	fs->chunk = fs->chunk < WRITE_CHUNK ? fs->chunk : WRITE_CHUNK;
	fs->chunk = fs->chunk > WRITE_CHUNK_MIN ? fs->chunk : WRITE_CHUNK_MIN;
	if (sdc_sink_checking(s)) {
		file_close(fs);
		sdc_file_check(o);
		return NULL;
	}
	return fs;
}

const struct sdc_destination sdc_destination_file = {
	.name = "file",
	.summary = "files under a directory template, each published by an "
	    "atomic rename once it rolls",
	.options = sdc_file_options,
	.opts_size = sizeof(struct file_opts),
	.opts_init = sdc_file_opts_init,
	.open = file_open,
	.put = file_put,
	.flush = file_flush,
	.due = file_due,
	.close = file_close,
};
