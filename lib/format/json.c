/*
 * JSON: values one after another (NDJSON) or top-level arrays in; one
 * value per line, pretty blocks or one array out; and the lossless
 * typed rendering of every frame with --typed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "format.h"
#include "json-read.h"
#include "json-write.h"
#include "xalloc.h"
#include "banned.h"

struct json_opts {
	enum sdc_json_mode	 mode;
	bool			 pretty;
	bool			 typed;		/* lossless, every frame */
	bool			 exact_decimals;
};

/* Reading. */
struct json_in {
	struct sdc_run		*run;
	struct sdc_input	*in;
	struct sdc_json_reader	 jr;
	struct sdc_record	 rec;
	char			*id;	/* "NAME:" then the line */
	size_t			 id_prefix, id_cap;
	enum sdc_json_mode	 mode;	/* as asked, for each input */
};

static ssize_t
input_read(void *ctx, void *buf, size_t n)
{
	return sdc_input_read(ctx, buf, n);
}

/* "FILE:LINE" without printf: it is made for every record. */
static size_t
make_id(struct json_in *ji, uint64_t line)
{
	return ji->id_prefix + sdc_json_format_int(ji->id + ji->id_prefix,
	    (int64_t)line);
}

static void
parse_error(struct json_in *ji)
{
	struct sdc_json_reader *jr = &ji->jr;

	ji->id[make_id(ji, jr->value_line)] = '\0';
	ji->run->n.in++;
	sdc_run_reject_raw(ji->run, ji->id, jr->raw, jr->raw_len, "JSON_PARSE",
	    "%s:%llu: %s", ji->in->name, (unsigned long long)jr->err_line,
	    jr->err);
	if (jr->stopped) {
		sdc_warnx("%s:%llu: cannot resume inside the array, the rest "
		    "of the input is skipped", ji->in->name,
		    (unsigned long long)jr->err_line);
		sdc_run_fail(ji->run, SDC_EXIT_DATA);
	}
}

static bool
read_value(struct json_in *ji)
{
	struct sdc_record *r = &ji->rec;

	sdc_run_new_record(ji->run, r, "", 0);
	switch (sdc_json_next(&ji->jr, &r->arena, &r->root)) {
	case SDC_JSON_EOF:
		return false;
	case SDC_JSON_IO:
		sdc_run_input_error(ji->run, ji->in);
		return false;
	case SDC_JSON_ERROR:
		parse_error(ji);
		return true;
	case SDC_JSON_VALUE:
		break;
	}
	sdc_record_set_id(r, ji->id, make_id(ji, ji->jr.value_line));
	ji->run->n.in++;
	sdc_run_emit(ji->run, r);
	return true;
}

/* The id's room: the input's name, ':', a line number. */
static void
name_ids(struct json_in *ji, const char *name)
{
	size_t n = strlen(name);

	if (n + 2 + SDC_JSON_NUMBER_MAX > ji->id_cap) {
		ji->id_cap = n + 64 + SDC_JSON_NUMBER_MAX;
		ji->id = sdc_xrealloc(ji->id, ji->id_cap);
	}
	memcpy(ji->id, name, n);
	ji->id[n] = ':';
	ji->id_prefix = n + 1;
}

static void *
json_reader_new(struct sdc_run *run, const void *opts)
{
	const struct json_opts *o = opts;
	struct json_in *ji;

	if (o->typed)
		return NULL;
	ji = sdc_xcalloc(1, sizeof *ji);
	ji->run = run;
	ji->mode = o->mode;
	sdc_json_reader_init(&ji->jr, o->mode, o->exact_decimals,
	    run->opt.max_record, input_read, NULL);
	sdc_record_init(&ji->rec);
	return ji;
}

static void
json_reader_feed(void *reader, struct sdc_input *in)
{
	struct json_in *ji = reader;

	ji->in = in;
	name_ids(ji, in->name);
	sdc_json_reader_restart(&ji->jr, ji->mode, in);
	while (read_value(ji))
		continue;
}

static void
json_reader_free(void *reader)
{
	struct json_in *ji = reader;

	sdc_record_release(&ji->rec);
	sdc_json_reader_release(&ji->jr);
	free(ji->id);
	free(ji);
}

static void
json_read(struct sdc_run *run, struct sdc_input *in, const void *opts)
{
	const struct json_opts *o = opts;
	struct json_in *ji;

	if (o->typed) {
		sdc_json_typed_read(run, in, o->mode);
		return;
	}
	ji = json_reader_new(run, opts);
	json_reader_feed(ji, in);
	json_reader_free(ji);
}

/* Writing. */
struct json_writer {
	struct sdc_writer	w;
	struct sdc_json_style	style;
	bool			array;		/* one top-level array */
	bool			started;	/* a value was written */
};

static int
value_depth(const struct json_writer *jw)
{
	return jw->array && jw->style.pretty ? 1 : 0;
}

/* Room for a value of at most bound bytes, and what goes before it. */
static bool
begin(struct json_writer *jw, struct sdc_out *o, size_t bound)
{
	if (!sdc_out_reserve(o, bound + 8))
		return false;
	if (!jw->array)
		return true;
	if (jw->started)
		sdc_buf_putc(&o->buf, ',');
	else
		sdc_buf_putc(&o->buf, '[');
	sdc_buf_putc(&o->buf, '\n');
	if (jw->style.pretty)
		sdc_buf_put(&o->buf, "  ", 2);
	return true;
}

static void
end(struct json_writer *jw, struct sdc_out *o)
{
	if (!jw->array)
		sdc_buf_putc(&o->buf, '\n');
	jw->started = true;
	sdc_out_commit(o);
}

static void
write_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	struct json_writer *jw = (struct json_writer *)w;
	int depth = value_depth(jw);
	const char *why;

	if (!begin(jw, &run->out, sdc_json_record_bound(r, &jw->style,
	    depth))) {
		sdc_run_reject(run, r, "JSON_RENDER", "%.*s: too large to "
		    "render as JSON", (int)r->h.id.len, r->h.id.ptr);
		return;
	}
	why = sdc_json_render_record(&run->out.buf, r, &jw->style, depth);
	if (why != NULL) {
		sdc_out_rollback(&run->out);
		sdc_run_reject(run, r, "JSON_RENDER", "%.*s: %s",
		    (int)r->h.id.len, r->h.id.ptr, why);
		return;
	}
	end(jw, &run->out);
}

/* Compact plain JSON of data frames is made without a field tree. */
static int
write_data_frame(struct sdc_writer *w, struct sdc_run *run,
    const struct sdc_frame *f, size_t checked, struct sdc_record *scratch,
    const char **reason)
{
	struct json_writer *jw = (struct json_writer *)w;
	int rc;

	if (!begin(jw, &run->out, 16))
		return 1;
	rc = checked > 0 ? sdc_json_render_fields(&run->out.buf,
	    &scratch->arena, f->payload, f->payload_len, checked, reason) :
	    sdc_json_render_payload(&run->out.buf, scratch, f->payload,
	    f->payload_len, reason);
	if (rc != 0) {
		sdc_out_rollback(&run->out);
		return rc;
	}
	end(jw, &run->out);
	return 0;
}

/*
 * Error and event records are shown whatever they hold: a string that
 * is not UTF-8 is shown with U+FFFD rather than lose the report.
 */
static void
write_report(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	struct json_writer *jw = (struct json_writer *)w;
	struct sdc_json_style lossy = jw->style;
	int depth = value_depth(jw);

	lossy.lossy = true;
	if (!begin(jw, &run->out, sdc_json_record_bound(r, &lossy, depth))) {
		sdc_warnx("%.*s: record too large to render as JSON",
		    (int)r->h.id.len, r->h.id.ptr);
		sdc_run_fail(run, SDC_EXIT_DATA);
		return;
	}
	sdc_json_render_record(&run->out.buf, r, &lossy, depth);
	end(jw, &run->out);
}

static void
write_frame(struct sdc_writer *w, struct sdc_run *run,
    const struct sdc_frame *f)
{
	struct json_writer *jw = (struct json_writer *)w;
	int depth = value_depth(jw);

	if (!begin(jw, &run->out, sdc_json_frame_bound(f->payload_len,
	    &jw->style, depth))) {
		sdc_warnx("frame at byte %llu too large to render as JSON",
		    (unsigned long long)f->offset);
		sdc_run_fail(run, SDC_EXIT_DATA);
		return;
	}
	sdc_json_render_frame(&run->out.buf, f->kind, f->payload,
	    f->payload_len, &jw->style, depth);
	end(jw, &run->out);
}

static void
write_finish(struct sdc_writer *w, struct sdc_run *run)
{
	struct json_writer *jw = (struct json_writer *)w;

	if (!jw->array)
		return;
	if (jw->started)
		sdc_out_write(&run->out, "\n]\n", 3);
	else
		sdc_out_write(&run->out, "[]\n", 3);
	sdc_out_commit(&run->out);
}

static void
writer_free(struct sdc_writer *w)
{
	free(w);
}

static struct sdc_writer *
json_writer_new(const void *opts)
{
	const struct json_opts *o = opts;
	struct json_writer *jw = sdc_xcalloc(1, sizeof *jw);

	jw->style.typed = o->typed;
	jw->style.pretty = o->pretty;
	jw->array = o->mode == SDC_JSON_ARRAY;
	jw->w.record = write_record;
	jw->w.error = write_report;
	jw->w.event = write_report;
	jw->w.frame = o->typed ? write_frame : NULL;
	if (!o->typed && !o->pretty)
		jw->w.data_frame = write_data_frame;
	jw->w.finish = write_finish;
	jw->w.free = writer_free;
	return &jw->w;
}

/* Options. */
static const char *const json_modes[] = { "auto", "lines", "array", NULL };

static void
opts_init(void *opts)
{
	struct json_opts *o = opts;

	memset(o, 0, sizeof(*o));
	o->mode = SDC_JSON_AUTO;
}

static void
set_pretty(void *o, const char *opt, const char *arg)
{
	((struct json_opts *)o)->pretty = true;
}

static void
set_typed(void *o, const char *opt, const char *arg)
{
	((struct json_opts *)o)->typed = true;
}

static void
set_mode(void *o, const char *opt, const char *arg)
{
	((struct json_opts *)o)->mode = (enum sdc_json_mode)sdc_parse_word(opt,
	    arg, json_modes);
}

static void
set_exact_decimals(void *o, const char *opt, const char *arg)
{
	((struct json_opts *)o)->exact_decimals = true;
}

static const struct sdc_plugin_option options[] = {
	{ "pretty", 0, NULL, "indent the output", set_pretty },
	{ "typed", 0, NULL, "every frame with its types, losslessly",
	  set_typed },
	{ "json-mode", 0, "MODE", "auto, lines or array (default auto)",
	  set_mode },
	{ "exact-decimals", 0, NULL, "fractional numbers as exact DECIMAL",
	  set_exact_decimals },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_format sdc_format_json = {
	.name = "json",
	.summary = "JSON values, one per line (NDJSON), or an array",
	.options = options,
	.opts_size = sizeof(struct json_opts),
	.opts_init = opts_init,
	.read = json_read,
	.reader_new = json_reader_new,
	.reader_feed = json_reader_feed,
	.reader_free = json_reader_free,
	.writer = json_writer_new,
};
