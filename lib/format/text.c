/*
 * Lines of text, in the manner of the StreamSets text format: each
 * line is a record whose text is the field --text-field (default
 * /text).  Lines end at --line-delimiter (default "\n") and nowhere
 * else: a CR before an LF stays in the line, so bytes come back as
 * they were.  A line longer than --max-line becomes an error record
 * holding its first max-line bytes, or with --truncate-long-lines a
 * record of those bytes (less a character cut in two) and /truncated
 * true; the reader never holds more than max-line bytes of a line
 * plus one read.  Lines must be UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "cli.h"
#include "delimited.h"
#include "format.h"
#include "wire.h"
#include "xalloc.h"

#define TEXT_CHUNK	(64u << 10)

struct sdc_text_reader {
	struct sdc_run		*run;
	const char		*name;
	const struct sdc_text_opts *o;
	const char		*delim;
	size_t			 dlen;
	size_t			 max_line;
	struct sdc_buf		 win;		/* the lines being read */
	size_t			 pos;		/* line start */
	size_t			 scan;		/* searched up to */
	uint64_t		 line;
	bool			 discarding;	/* a long line */
	struct sdc_record	 rec;
	struct sdc_idbuf	 id;
};

struct sdc_text_reader *
sdc_text_reader_new(struct sdc_run *run, const char *name,
    const struct sdc_text_opts *o)
{
	struct sdc_text_reader *r = sdc_xcalloc(1, sizeof(*r));

	r->run = run;
	r->name = name;
	r->o = o;
	r->delim = o->line_delimiter && *o->line_delimiter ?
	    o->line_delimiter : "\n";
	r->dlen = strlen(r->delim);
	r->max_line = o->max_line;
	if (r->max_line == 0)
		r->max_line = run->opt.max_record ? run->opt.max_record :
		    SDC_DEFAULT_MAX_RECORD;
	r->line = 1;
	/* The reader bounds its window itself: long lines are dropped. */
	sdc_buf_init(&r->win, SIZE_MAX / 2);
	sdc_record_init(&r->rec);
	sdc_idbuf_init(&r->id, name);
	return r;
}

void
sdc_text_reader_free(struct sdc_text_reader *r)
{
	if (r == NULL)
		return;
	sdc_record_release(&r->rec);
	sdc_idbuf_release(&r->id);
	sdc_buf_release(&r->win);
	free(r);
}

static void
reject_line(struct sdc_text_reader *r, const uint8_t *p, size_t n,
    const char *code, const char *why)
{
	const char *id = sdc_idbuf_make(&r->id, r->line);

	r->run->n.in++;
	sdc_run_reject_raw(r->run, id, p, n, code, "%s:%llu: %s", r->name,
	    (unsigned long long)r->line, why);
}

static void emit_line(struct sdc_text_reader *r, const uint8_t *p, size_t n,
	    bool truncated);

/* n, or less so as not to end in the middle of a UTF-8 sequence. */
static size_t
whole_characters(const uint8_t *p, size_t n)
{
	size_t lead = n, need;

	while (lead > 0 && n - lead < 3 && (p[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead == 0 || p[lead - 1] < 0xc0)
		return n;
	need = p[lead - 1] >= 0xf0 ? 4 : p[lead - 1] >= 0xe0 ? 3 : 2;
	return n - (lead - 1) < need ? lead - 1 : n;
}

static void
too_long(struct sdc_text_reader *r, const uint8_t *p)
{
	char why[64];

	if (r->o->truncate) {
		emit_line(r, p, whole_characters(p, r->max_line), true);
		return;
	}
	snprintf(why, sizeof(why), "line longer than %zu bytes",
	    r->max_line);
	reject_line(r, p, r->max_line, "TEXT_TOO_LONG", why);
}

static void
emit_line(struct sdc_text_reader *r, const uint8_t *p, size_t n,
    bool truncated)
{
	const char *id = sdc_idbuf_make(&r->id, r->line);
	struct sdc_field *slot;
	size_t bad;
	char why[64];

	if (n > r->max_line)
		return too_long(r, p);
	if ((bad = sdc_utf8_check(p, n)) != n) {
		snprintf(why, sizeof(why), "invalid UTF-8 at column %zu",
		    bad + 1);
		return reject_line(r, p, n, "TEXT_UTF8", why);
	}
	sdc_run_new_record(r->run, &r->rec, id, r->id.len);
	sdc_field_container(&r->rec.root, SDC_MAP);
	slot = sdc_path_set(&r->rec.arena, &r->rec.root, &r->o->text_field);
	if (slot == NULL)
		return reject_line(r, p, n, "TEXT_FIELD",
		    "the text field cannot be set");
	sdc_field_copy_bytes(&r->rec.arena, slot, SDC_STRING, p, n);
	if (truncated && (slot = sdc_map_put(&r->rec.arena, &r->rec.root,
	    "truncated", 9)) != NULL)
		sdc_field_bool(slot, true);
	r->run->n.in++;
	sdc_run_emit(r->run, &r->rec);
}

static uint8_t *
find_delim(struct sdc_text_reader *r, size_t from)
{
	uint8_t *p = r->win.data + from, *end = r->win.data + r->win.len;

	while ((p = memchr(p, r->delim[0], (size_t)(end - p))) != NULL) {
		if ((size_t)(end - p) < r->dlen)
			return NULL;
		if (memcmp(p, r->delim, r->dlen) == 0)
			return p;
		p++;
	}
	return NULL;
}

/*
 * No delimiter in what is left: remember how far it was looked for,
 * and once the line is too long report it and drop what comes.
 */
static void
partial_line(struct sdc_text_reader *r)
{
	size_t tail = r->dlen - 1;	/* may start a delimiter */

	r->scan = r->win.len - r->pos > tail ? r->win.len - tail : r->pos;
	if (!r->discarding && r->win.len - r->pos > r->max_line + tail) {
		too_long(r, r->win.data + r->pos);
		r->discarding = true;
	}
	if (r->discarding)
		r->pos = r->scan;
}

static void
parse(struct sdc_text_reader *r, bool eof)
{
	while (r->pos < r->win.len) {
		size_t from = r->scan > r->pos ? r->scan : r->pos;
		uint8_t *d = find_delim(r, from);

		if (d == NULL && !eof) {
			partial_line(r);
			return;
		}
		if (d == NULL)
			d = r->win.data + r->win.len;
		if (!r->discarding)
			emit_line(r, r->win.data + r->pos,
			    (size_t)(d - (r->win.data + r->pos)), false);
		r->discarding = false;
		r->pos = d == r->win.data + r->win.len ? r->win.len :
		    (size_t)(d - r->win.data) + r->dlen;
		r->scan = r->pos;
		r->line++;
	}
}

void *
sdc_text_reader_space(struct sdc_text_reader *r, size_t *n)
{
	if (r->pos > 0) {
		memmove(r->win.data, r->win.data + r->pos, r->win.len - r->pos);
		r->win.len -= r->pos;
		r->scan -= r->pos;
		r->pos = 0;
	}
	if (!sdc_buf_reserve(&r->win, TEXT_CHUNK))
		abort();	/* the window has no cap of its own */
	*n = r->win.cap - r->win.len;
	return r->win.data + r->win.len;
}

void
sdc_text_reader_commit(struct sdc_text_reader *r, size_t n)
{
	r->win.len += n;
	parse(r, false);
}

void
sdc_text_reader_feed(struct sdc_text_reader *r, const void *p, size_t n)
{
	const uint8_t *src = p;

	while (n > 0) {
		size_t room, k;
		void *dst = sdc_text_reader_space(r, &room);

		k = n < room ? n : room;
		memcpy(dst, src, k);
		sdc_text_reader_commit(r, k);
		src += k;
		n -= k;
	}
}

void
sdc_text_reader_finish(struct sdc_text_reader *r)
{
	parse(r, true);
}

static void
read_all(struct sdc_text_reader *r, struct sdc_input *in)
{
	for (;;) {
		size_t room;
		void *p = sdc_text_reader_space(r, &room);
		ssize_t n = sdc_input_read(in, p, room);

		if (n < 0) {
			sdc_run_input_error(r->run, in);
			break;
		}
		if (n == 0) {
			sdc_text_reader_finish(r);
			break;
		}
		sdc_text_reader_commit(r, (size_t)n);
	}
}

static void
text_read(struct sdc_run *run, struct sdc_input *in, const void *opts)
{
	struct sdc_text_reader *r = sdc_text_reader_new(run, in->name, opts);

	read_all(r, in);
	sdc_text_reader_free(r);
}

/* One reader for many inputs: its window and record kept. */
static void *
text_payload_reader(struct sdc_run *run, const void *opts)
{
	return sdc_text_reader_new(run, "", opts);
}

static void
text_feed(void *reader, struct sdc_input *in)
{
	struct sdc_text_reader *r = reader;

	r->name = in->name;
	r->win.len = r->pos = r->scan = 0;
	r->line = 1;
	r->discarding = false;
	sdc_idbuf_rename(&r->id, in->name);
	read_all(r, in);
}

static void
text_reader_free(void *reader)
{
	sdc_text_reader_free(reader);
}

struct text_writer {
	struct sdc_writer	 w;
	const struct sdc_path	*field;
	const char		*delim;
	size_t			 dlen;
	struct sdc_buf		 scratch;
	char			 path[128];	/* for messages */
};

static void
text_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	struct text_writer *tw = (struct text_writer *)w;
	const struct sdc_field *f = sdc_path_get(&r->root, tw->field);
	struct sdc_str s;

	if (f == NULL) {
		sdc_run_reject(run, r, "TEXT_NO_FIELD", "no field '%s'",
		    tw->path);
		return;
	}
	if (!sdc_scalar_text(f, &tw->scratch, &s)) {
		sdc_run_reject(run, r, "TEXT_NESTED", "field '%s' is a %s: "
		    "text lines hold scalars", tw->path,
		    sdc_type_name(f->type));
		return;
	}
	if (!sdc_out_reserve(&run->out, s.len + tw->dlen)) {
		sdc_run_reject(run, r, "TEXT_TOO_LARGE",
		    "line larger than the output buffer");
		return;
	}
	sdc_buf_put(&run->out.buf, s.ptr, s.len);
	sdc_buf_put(&run->out.buf, tw->delim, tw->dlen);
	sdc_out_commit(&run->out);
}

static void
text_free(struct sdc_writer *w)
{
	struct text_writer *tw = (struct text_writer *)w;

	sdc_buf_release(&tw->scratch);
	free(tw);
}

static struct sdc_writer *
text_writer(const void *opts)
{
	const struct sdc_text_opts *o = opts;
	struct text_writer *tw = sdc_xcalloc(1, sizeof(*tw));

	tw->w.record = text_record;
	tw->w.free = text_free;
	tw->field = &o->text_field;
	tw->delim = o->line_delimiter ? o->line_delimiter : "\n";
	tw->dlen = strlen(tw->delim);
	sdc_path_text(&o->text_field, tw->path, sizeof(tw->path));
	sdc_buf_init(&tw->scratch, SIZE_MAX / 4);
	return &tw->w;
}

/* Options. */
static void
opts_init(void *opts)
{
	struct sdc_text_opts *o = opts;

	memset(o, 0, sizeof(*o));
	o->line_delimiter = "\n";
	o->max_line = 1u << 20;
	sdc_path_parse(&o->text_field, "/text", NULL, 0);
}

static void
opts_release(void *opts)
{
	sdc_path_release(&((struct sdc_text_opts *)opts)->text_field);
}

static void
set_line_delimiter(void *o, const char *opt, const char *arg)
{
	if (arg[0] == '\0')
		sdc_usage_error("%s: must not be empty", opt);
	((struct sdc_text_opts *)o)->line_delimiter =
	    strcmp(arg, "\\n") == 0 ? "\n" : arg;
}

static void
set_max_line(void *o, const char *opt, const char *arg)
{
	((struct sdc_text_opts *)o)->max_line = sdc_parse_size(opt, arg);
}

static void
set_text_field(void *opts, const char *opt, const char *arg)
{
	struct sdc_text_opts *o = opts;
	char err[128];

	sdc_path_release(&o->text_field);
	if (sdc_path_parse(&o->text_field, arg, err, sizeof err) != 0)
		sdc_usage_error("%s: '%s': %s", opt, arg, err);
}

static void
set_truncate(void *o, const char *opt, const char *arg)
{
	((struct sdc_text_opts *)o)->truncate = true;
}

static const struct sdc_plugin_option options[] = {
	{ "line-delimiter", 0, "STRING", "what ends a line (default \\n)",
	  set_line_delimiter },
	{ "max-line-length", 0, "SIZE", "longer lines are errors (default 1M)",
	  set_max_line },
	{ "text-field", 0, "PATH", "the field holding the line (default /text)",
	  set_text_field },
	{ "truncate-long-lines", 0, NULL, "cut long lines, with /truncated",
	  set_truncate },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_format sdc_format_text = {
	.name = "text",
	.summary = "lines of text, each the field --text-field",
	.options = options,
	.opts_size = sizeof(struct sdc_text_opts),
	.opts_init = opts_init,
	.opts_release = opts_release,
	.read = text_read,
	.reader_new = text_payload_reader,
	.reader_feed = text_feed,
	.reader_free = text_reader_free,
	.writer = text_writer,
};
