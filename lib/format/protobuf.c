/*
 * protobuf: messages described at run time by a descriptor set and a
 * message name, as Data Collector's protobuf data format takes them: a
 * stream of messages each after its length as a varint (Java's
 * writeDelimitedTo), or with --protobuf-single the whole input one
 * message.  protobuf-schema.c loads the descriptors, protobuf-decode.c
 * and protobuf-encode.c walk the wire format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "delimited.h"
#include "diag.h"
#include "format.h"
#include "protobuf.h"
#include "varint.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

#define READ_CHUNK	((size_t)256 << 10)

/* Loaded on first use; the pointer is set once, the schema is shared. */
struct pb_cache {
	struct sdc_pb_schema		 schema;
	const struct sdc_pb_message	*msg;
	bool				 loaded;
};

struct pb_opts {
	const char		*descriptor;
	const char		*message;
	bool			 single;
	enum sdc_pb_unknown	 unknown;
	struct pb_cache		*cache;
};

static const struct sdc_pb_message *
message_of(const struct pb_opts *o)
{
	struct pb_cache *c = o->cache;
	char err[512];

	if (c->loaded)
		return c->msg;

	if (o->descriptor == NULL || o->message == NULL)
		sdc_usage_error("protobuf wants --protobuf-descriptor FILE "
		    "and --protobuf-message NAME");
	if (sdc_pb_schema_load(&c->schema, o->descriptor, err,
	    sizeof err) != 0)
		sdc_errx(SDC_EXIT_USAGE, "%s", err);
	c->msg = sdc_pb_schema_message(&c->schema, o->message);
	if (c->msg == NULL)
		sdc_errx(SDC_EXIT_USAGE, "%s: no message '%s' (or more than "
		    "one)", o->descriptor, o->message);
	if (c->msg->special != SDC_PB_PLAIN)
		sdc_errx(SDC_EXIT_USAGE, "%s: records cannot be '%s'",
		    o->descriptor, o->message);
	c->loaded = true;
	return c->msg;
}

/* Reading. */
struct pb_in {
	struct sdc_run			*run;
	struct sdc_input		*in;
	const struct sdc_pb_message	*msg;
	struct sdc_buf			 buf;
	size_t				 pos;	/* to parse next */
	uint64_t			 base;	/* offset of buf.data */
	bool				 eof;
	struct sdc_record		 rec;
	struct sdc_idbuf		 id;
	uint64_t			 n;	/* messages so far */
	struct sdc_pb_decoder		 dec;
};

/* At least want bytes after pos, unless the input ends first. */
static bool
fill(struct pb_in *r, size_t want)
{
	while (r->buf.len - r->pos < want && !r->eof) {
		size_t chunk = want > READ_CHUNK ? want : READ_CHUNK;
		ssize_t got;

		if (r->pos > 0) {
			memmove(r->buf.data, r->buf.data + r->pos,
			    r->buf.len - r->pos);
			r->buf.len -= r->pos;
			r->base += r->pos;
			r->pos = 0;
		}
		if (!sdc_buf_reserve(&r->buf, chunk) &&
		    !sdc_buf_reserve(&r->buf, r->buf.max - r->buf.len))
			return false;
		got = sdc_input_read(r->in, r->buf.data + r->buf.len,
		    r->buf.max - r->buf.len < chunk ? r->buf.max -
		    r->buf.len : chunk);
		if (got < 0) {
			sdc_run_input_error(r->run, r->in);
			return false;
		}
		r->eof = got == 0;
		r->buf.len += (size_t)got;
	}
	return true;
}

static void
reject(struct pb_in *r, const uint8_t *raw, size_t n, uint64_t offset,
    const char *why)
{
	r->run->n.in++;
	sdc_run_reject_raw(r->run, sdc_idbuf_make(&r->id, r->n), raw, n,
	    "PROTOBUF_PARSE", "%s: byte %llu: %s", r->in->name,
	    (unsigned long long)offset, why);
}

static void
decode(struct pb_in *r, const uint8_t *p, size_t n, uint64_t offset)
{
	const char *id = sdc_idbuf_make(&r->id, r->n);

	sdc_run_new_record(r->run, &r->rec, id, r->id.len);
	r->dec.arena = &r->rec.arena;
	if (!sdc_pb_decode(&r->dec, r->msg, p, n, &r->rec.root)) {
		reject(r, p, n, offset + r->dec.err_at, r->dec.err);
		return;
	}
	r->run->n.in++;
	sdc_run_emit(r->run, &r->rec);
}

/* Skip a message too large to hold; false when the input ends first. */
static bool
skip_bytes(struct pb_in *r, uint64_t n)
{
	while (n > 0) {
		size_t have = r->buf.len - r->pos;

		if (have == 0 && (!fill(r, 1) || r->buf.len == r->pos))
			return false;
		have = r->buf.len - r->pos;
		have = have < n ? have : (size_t)n;
		r->pos += have;
		n -= have;
	}
	return true;
}

/* The next length prefix: 1, 0 at the end, -1 when it cannot be read. */
static int
next_length(struct pb_in *r, uint64_t *len)
{
	const uint8_t *p, *q;

	if (!fill(r, SDC_VARINT_MAX))
		return -1;
	if (r->pos == r->buf.len)
		return 0;
	p = q = r->buf.data + r->pos;
	if (!sdc_varint_get(&q, r->buf.data + r->buf.len, len)) {
		size_t have = r->buf.len - r->pos;

		r->n++;
		reject(r, p, have < SDC_VARINT_MAX ? have : SDC_VARINT_MAX,
		    r->base + r->pos, have < SDC_VARINT_MAX ? "length prefix "
		    "cut short" : "length prefix is not a varint");
		return -1;
	}
	r->pos += (size_t)(q - p);
	return 1;
}

static bool
read_delimited_one(struct pb_in *r, size_t max)
{
	uint64_t start = r->base + r->pos, len;
	int got = next_length(r, &len);

	if (got <= 0)
		return false;
	r->n++;
	if (len > max) {
		reject(r, NULL, 0, start, "message larger than the record "
		    "limit (--max-record-size)");
		return skip_bytes(r, len);
	}
	if (!fill(r, (size_t)len))
		return false;
	if (r->buf.len - r->pos < len) {
		reject(r, r->buf.data + r->pos, r->buf.len - r->pos, start,
		    "message cut short by the end of the input");
		return false;
	}
	decode(r, r->buf.data + r->pos, (size_t)len, r->base + r->pos);
	r->pos += (size_t)len;
	return true;
}

static void
read_single(struct pb_in *r, size_t max)
{
	if (!fill(r, max + 1))
		return;
	r->n = 1;
	if (r->buf.len > max) {
		reject(r, NULL, 0, 0, "message larger than the record limit "
		    "(--max-record-size)");
		return;
	}
	decode(r, r->buf.data, r->buf.len, 0);
}

static void
protobuf_read(struct sdc_run *run, struct sdc_input *in, const void *opts)
{
	const struct pb_opts *o = opts;
	size_t max = run->opt.max_record ? run->opt.max_record :
	    SDC_DEFAULT_MAX_RECORD;
	struct pb_in *r = sdc_xcalloc(1, sizeof *r);

	r->run = run;
	r->in = in;
	r->msg = message_of(o);
	r->dec.unknown = o->unknown;
	sdc_buf_init(&r->buf, max + READ_CHUNK + SDC_VARINT_MAX);
	sdc_record_init(&r->rec);
	sdc_idbuf_init(&r->id, in->name);
	if (o->single)
		read_single(r, max);
	else
		while (read_delimited_one(r, max))
			continue;
	sdc_idbuf_release(&r->id);
	sdc_record_release(&r->rec);
	sdc_buf_release(&r->buf);
	free(r);
}

/* Writing. */
struct pb_writer {
	struct sdc_writer		 w;
	const struct sdc_pb_message	*msg;
	bool				 single;
	uint64_t			 written;
	struct sdc_buf			 buf;
	char				 err[512];
};

static void
write_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	struct pb_writer *pw = (struct pb_writer *)w;
	uint8_t len[SDC_VARINT_MAX];

	if (pw->single && pw->written > 0) {
		sdc_run_reject(run, r, "PROTOBUF_SINGLE", "%.*s: "
		    "--protobuf-single writes one message, not more",
		    (int)r->h.id.len, r->h.id.ptr);
		return;
	}
	sdc_buf_reset(&pw->buf);
	if (!sdc_pb_encode(&pw->buf, pw->msg, &r->root, pw->err,
	    sizeof pw->err)) {
		sdc_run_reject(run, r, "PROTOBUF_FIELD", "%.*s: %s",
		    (int)r->h.id.len, r->h.id.ptr, pw->err);
		return;
	}
	if (!pw->single)
		sdc_out_write(&run->out, len, sdc_varint_put(len,
		    pw->buf.len));
	sdc_out_write(&run->out, pw->buf.data, pw->buf.len);
	sdc_out_commit(&run->out);
	pw->written++;
}

static void
writer_free(struct sdc_writer *w)
{
	struct pb_writer *pw = (struct pb_writer *)w;

	sdc_buf_release(&pw->buf);
	free(pw);
}

static struct sdc_writer *
protobuf_writer(const void *opts)
{
	const struct pb_opts *o = opts;
	struct pb_writer *pw = sdc_xcalloc(1, sizeof *pw);

	pw->msg = message_of(o);
	pw->single = o->single;
	sdc_buf_init(&pw->buf, SDC_DEFAULT_MAX_RECORD * 4);
	pw->w.record = write_record;
	pw->w.free = writer_free;
	return &pw->w;
}

/* Options. */
static void
opts_init(void *opts)
{
	struct pb_opts *o = opts;

	memset(o, 0, sizeof *o);
	o->unknown = SDC_PB_UNKNOWN_KEEP;
	o->cache = sdc_xcalloc(1, sizeof *o->cache);
}

static void
opts_release(void *opts)
{
	struct pb_opts *o = opts;

	if (o->cache->loaded)
		sdc_pb_schema_release(&o->cache->schema);
	free(o->cache);
}

/* Loaded as soon as both are known, so that a bad one stops us first. */
static void
set_descriptor(void *o, const char *opt, const char *arg)
{
	if (arg[0] == '\0' || ((struct pb_opts *)o)->cache->loaded)
		sdc_usage_error("%s: %s", opt, arg[0] ? "given twice" :
		    "empty file name");
	((struct pb_opts *)o)->descriptor = arg;
	if (((struct pb_opts *)o)->message != NULL)
		message_of(o);
}

static void
set_message(void *o, const char *opt, const char *arg)
{
	if (((struct pb_opts *)o)->cache->loaded)
		sdc_usage_error("%s: given twice", opt);
	if (arg[0] == '\0' || strchr(arg, ' ') != NULL)
		sdc_usage_error("%s: '%s' is not a message name", opt, arg);
	((struct pb_opts *)o)->message = arg;
	if (((struct pb_opts *)o)->descriptor != NULL)
		message_of(o);
}

static void
set_single(void *o, const char *opt, const char *arg)
{
	((struct pb_opts *)o)->single = true;
}

static void
set_unknown(void *o, const char *opt, const char *arg)
{
	static const char *const words[] = { "keep", "drop", "error", NULL };

	((struct pb_opts *)o)->unknown = sdc_parse_word(opt, arg, words);
}

static const struct sdc_plugin_option options[] = {
	{ "protobuf-descriptor", 0, "FILE", "the descriptor set of the "
	  "messages, from protoc", set_descriptor },
	{ "protobuf-message", 0, "NAME", "the message of each record, as "
	  "pkg.Message", set_message },
	{ "protobuf-single", 0, NULL, "one message, not length-delimited "
	  "ones", set_single },
	{ "protobuf-unknown", 0, "keep|drop|error", "fields not declared: "
	  "into \"#unknown\", or not", set_unknown },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_format sdc_format_protobuf = {
	.name = "protobuf",
	.summary = "Protocol Buffers messages, described by a descriptor set",
	.options = options,
	.opts_size = sizeof(struct pb_opts),
	.opts_init = opts_init,
	.opts_release = opts_release,
	.read = protobuf_read,
	.writer = protobuf_writer,
};
