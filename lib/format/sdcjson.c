/*
 * sdcjson: StreamSets Data Collector's "SDC Record" data format, its
 * JSON1 encoding, as its RecordWriterReaderFactory writes it: the
 * magic byte 0xA1, then each record a JSON object and a newline.  The
 * objects are parsed by the JSON reader and decoded by sdcjson-read.c,
 * and rendered by sdcjson-write.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "format.h"
#include "json-read.h"
#include "sdcjson.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

#define RENDER_MAX	((size_t)1 << 30)

struct sdcjson_opts {
	bool	no_magic;	/* bare objects, without the 0xA1 byte */
};

/* Reading. */
struct sdcjson_in {
	struct sdc_run			*run;
	struct sdc_input		*in;
	const struct sdcjson_opts	*o;
	struct sdc_json_reader		 jr;
	struct sdc_record		 rec;
	bool				 started;	/* bytes seen */
	bool				 bad_magic;
	char				 id[1100];
};

/*
 * The input without its magic byte; none where one is wanted ends the
 * input at once.
 */
static ssize_t
magic_read(void *ctx, void *buf, size_t n)
{
	struct sdcjson_in *si = ctx;
	uint8_t *p = buf;
	ssize_t got;

	for (;;) {
		got = sdc_input_read(si->in, buf, n);
		if (got <= 0 || si->started)
			return got;
		si->started = true;
		if (p[0] != SDC_SDCJSON_MAGIC) {
			si->bad_magic = !si->o->no_magic;
			return si->bad_magic ? 0 : got;
		}
		if (got > 1) {
			memmove(p, p + 1, (size_t)got - 1);
			return got - 1;
		}
	}
}

static const char *
line_id(struct sdcjson_in *si, uint64_t line)
{
	snprintf(si->id, sizeof si->id, "%.1024s:%llu", si->in->name,
	    (unsigned long long)line);
	return si->id;
}

static void
parse_error(struct sdcjson_in *si)
{
	struct sdc_json_reader *jr = &si->jr;

	si->run->n.in++;
	sdc_run_reject_raw(si->run, line_id(si, jr->value_line), jr->raw,
	    jr->raw_len, "JSON_PARSE", "%s:%llu: %s", si->in->name,
	    (unsigned long long)jr->err_line, jr->err);
}

static void
decode(struct sdcjson_in *si, const struct sdc_field *v)
{
	struct sdc_json_reader *jr = &si->jr;
	char err[256];

	si->run->n.in++;
	line_id(si, jr->value_line);
	sdc_record_set_id(&si->rec, si->id, strlen(si->id));
	if (sdc_sdcjson_decode(v, &si->rec, err, sizeof err) != 0) {
		sdc_run_reject_raw(si->run, si->id, jr->raw, jr->raw_len,
		    "SDCJSON_RECORD", "%s:%llu: %s", si->in->name,
		    (unsigned long long)jr->value_line, err);
		return;
	}
	sdc_run_emit(si->run, &si->rec);
}

static bool
read_value(struct sdcjson_in *si)
{
	struct sdc_field v;

	sdc_record_clear(&si->rec, SDC_KIND_DATA);
	switch (sdc_json_next(&si->jr, &si->rec.arena, &v)) {
	case SDC_JSON_EOF:
		return false;
	case SDC_JSON_IO:
		sdc_run_input_error(si->run, si->in);
		return false;
	case SDC_JSON_ERROR:
		parse_error(si);
		return true;
	case SDC_JSON_VALUE:
		decode(si, &v);
		return true;
	}
	return false;
}

static void
sdcjson_read(struct sdc_run *run, struct sdc_input *in, const void *opts)
{
	struct sdcjson_in *si = sdc_xcalloc(1, sizeof *si);

	si->run = run;
	si->in = in;
	si->o = opts;
	/*
	 * A field is an object around its value, with its type and two
	 * paths: twice as deep, and several times the bytes of its frame.
	 */
	sdc_json_reader_init(&si->jr, SDC_JSON_LINES, true,
	    run->opt.max_record * 8 + 4096, magic_read, si);
	si->jr.max_depth = 2 * SDC_MAX_DEPTH + 4;
	sdc_record_init(&si->rec);
	while (read_value(si))
		continue;
	if (si->bad_magic) {
		sdc_warnx("%s: not SDC Record JSON: no magic byte 0xA1 at "
		    "the start (--sdcjson-no-magic reads it without)",
		    in->name);
		sdc_run_fail(run, SDC_EXIT_DATA);
	}
	sdc_record_release(&si->rec);
	sdc_json_reader_release(&si->jr);
	free(si);
}

/* Writing. */
struct sdcjson_writer {
	struct sdc_writer	w;
	bool			magic;		/* to write first */
	struct sdc_buf		buf;
};

static void
put_magic(struct sdcjson_writer *sw, struct sdc_run *run)
{
	static const uint8_t magic = SDC_SDCJSON_MAGIC;

	if (sw->magic)
		sdc_out_write(&run->out, &magic, 1);
	sw->magic = false;
}

static const char *
render(struct sdcjson_writer *sw, struct sdc_run *run,
    const struct sdc_record *r, bool lossy)
{
	const char *why;

	sdc_buf_reset(&sw->buf);
	why = sdc_sdcjson_render(&sw->buf, r, lossy);
	if (why != NULL)
		return why;
	put_magic(sw, run);
	sdc_out_write(&run->out, sw->buf.data, sw->buf.len);
	sdc_out_write(&run->out, "\n", 1);
	sdc_out_commit(&run->out);
	return NULL;
}

static void
write_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	const char *why = render((struct sdcjson_writer *)w, run, r, false);

	if (why != NULL)
		sdc_run_reject(run, r, "SDCJSON_RENDER", "%.*s: %s",
		    (int)r->h.id.len, r->h.id.ptr, why);
}

/* Error and event records are written whatever their strings hold. */
static void
write_report(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	const char *why = render((struct sdcjson_writer *)w, run, r, true);

	if (why != NULL) {
		sdc_warnx("%.*s: record %s", (int)r->h.id.len, r->h.id.ptr,
		    why);
		sdc_run_fail(run, SDC_EXIT_DATA);
	}
}

/* As Data Collector's writer, the magic byte even without records. */
static void
write_finish(struct sdc_writer *w, struct sdc_run *run)
{
	struct sdcjson_writer *sw = (struct sdcjson_writer *)w;

	if (!sw->magic)
		return;
	put_magic(sw, run);
	sdc_out_commit(&run->out);
}

static void
writer_free(struct sdc_writer *w)
{
	struct sdcjson_writer *sw = (struct sdcjson_writer *)w;

	sdc_buf_release(&sw->buf);
	free(sw);
}

static struct sdc_writer *
sdcjson_writer_new(const void *opts)
{
	const struct sdcjson_opts *o = opts;
	struct sdcjson_writer *sw = sdc_xcalloc(1, sizeof *sw);

	sw->magic = !o->no_magic;
	sdc_buf_init(&sw->buf, RENDER_MAX);
	sw->w.record = write_record;
	sw->w.error = write_report;
	sw->w.event = write_report;
	sw->w.finish = write_finish;
	sw->w.free = writer_free;
	return &sw->w;
}

/* Options. */
static void
opts_init(void *opts)
{
	memset(opts, 0, sizeof(struct sdcjson_opts));
}

static void
set_no_magic(void *o, const char *opt, const char *arg)
{
	((struct sdcjson_opts *)o)->no_magic = true;
}

static const struct sdc_plugin_option options[] = {
	{ "sdcjson-no-magic", 0, NULL,
	  "records without the leading 0xA1 byte", set_no_magic },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_format sdc_format_sdcjson = {
	.name = "sdcjson",
	.summary = "StreamSets' SDC Record format (JSON), with its magic byte",
	.options = options,
	.opts_size = sizeof(struct sdcjson_opts),
	.opts_init = opts_init,
	.read = sdcjson_read,
	.writer = sdcjson_writer_new,
};
