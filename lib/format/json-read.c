/*
 * The JSON reader.  A value is parsed in one pass from a contiguous
 * buffer.  When the parser reaches the end of the buffered bytes
 * before the value ends, it gives up, more input is read behind the
 * value, and the value is parsed again from its start: with reads of
 * a chunk or more this costs little, and it keeps the parser a plain
 * recursive descent with no saved state.  Parsing again leaves the
 * fields of the abandoned attempt in the arena until it is reset.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-escape.h"
#include "json-read.h"
#include "keyset.h"
#include "utf8.h"
#include "diag.h"
#include "json-write.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

#define CHUNK		(64u << 10)
#define RAW_MAX		(64u << 10)

enum { ARRAY_BEFORE, ARRAY_FIRST, ARRAY_NEXT, ARRAY_DEAD };
enum { P_OK, P_MORE, P_ERROR };

struct parse {
	struct sdc_json_reader	*r;
	struct sdc_arena	*a;
	const uint8_t		*p, *end;
	uint64_t		 line;
	int64_t			 line_off;
	int			 depth;
	int			 status;
	const uint8_t		*err_at;
};

static uint64_t
column(const struct parse *ps, const uint8_t *at)
{
	return (uint64_t)((at - ps->r->buf) - ps->line_off) + 1;
}

static bool
fail(struct parse *ps, const uint8_t *at, const char *fmt, ...)
    SDC_PRINTF(3, 4);

static bool
fail(struct parse *ps, const uint8_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(ps->r->err, sizeof ps->r->err, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof ps->r->err)
		snprintf(ps->r->err + n, sizeof ps->r->err - n,
		    " at column %llu", (unsigned long long)column(ps, at));
	ps->status = P_ERROR;
	ps->err_at = at;
	ps->r->err_line = ps->line;
	return false;
}

/* The buffer ran out: wait for more, or the input ended too soon. */
static bool
at_end(struct parse *ps)
{
	if (!ps->r->eof) {
		ps->status = P_MORE;
		return false;
	}
	ps->status = P_ERROR;
	ps->err_at = ps->p;
	ps->r->err_line = ps->line;
	snprintf(ps->r->err, sizeof ps->r->err, "unexpected end of input");
	return false;
}

static bool
unexpected(struct parse *ps)
{
	uint8_t c = *ps->p;

	if (ps->p == ps->end)
		return at_end(ps);
	if (c > 0x20 && c < 0x7f)
		return fail(ps, ps->p, "unexpected '%c'", c);
	return fail(ps, ps->p, "unexpected byte 0x%02x", c);
}

static void
skip_ws(struct parse *ps)
{
	const uint8_t *p = ps->p;

	for (;; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r')
			continue;
		if (*p != '\n')
			break;
		ps->line++;
		ps->line_off = p + 1 - ps->r->buf;
	}
	ps->p = p;
}

static bool
is_delimiter(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' ||
	    c == ']' || c == '}' || c == ':' || c == '[' || c == '{' ||
	    c == '"' || c == 0;
}

/* A token ends at a delimiter; at the buffer's end more may follow. */
static bool
token_end(struct parse *ps, const uint8_t *p, const char *what)
{
	if (p == ps->end)
		return ps->r->eof ? true : at_end(ps);
	if (!is_delimiter(*p))
		return fail(ps, p, "invalid %s", what);
	return true;
}

static bool
parse_literal(struct parse *ps, struct sdc_field *f)
{
	static const char *const words[] = { "true", "false", "null" };
	const char *w = words[*ps->p == 't' ? 0 : *ps->p == 'f' ? 1 : 2];
	size_t n = strlen(w), have = ps->end - ps->p;

	if (memcmp(ps->p, w, have < n ? have : n) != 0)
		return fail(ps, ps->p, "invalid literal");
	if (have < n)
		return at_end(ps);
	if (!token_end(ps, ps->p + n, "literal"))
		return false;
	if (w[0] == 'n')
		sdc_field_null(f, SDC_STRING);
	else
		sdc_field_bool(f, w[0] == 't');
	ps->p += n;
	return true;
}

static const uint8_t *
skip_digits(const uint8_t *p)
{
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

/* Integer text that fits int64, or false. */
static bool
integer_value(const uint8_t *p, const uint8_t *end, int64_t *v)
{
	bool neg = *p == '-';
	uint64_t u = 0, limit;

	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (p += neg; p < end; p++) {
		if (u > (limit - (*p - '0')) / 10)
			return false;
		u = u * 10 + (*p - '0');
	}
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

static bool
number_field(struct parse *ps, struct sdc_field *f, const uint8_t *s,
    const uint8_t *e, bool integral)
{
	int64_t i;
	double d;

	if (integral && integer_value(s, e, &i)) {
		sdc_field_int(f, SDC_LONG, i);
		return true;
	}
	if (integral || ps->r->exact_decimals) {
		sdc_field_borrow(f, SDC_DECIMAL, s, e - s);
		return true;
	}
	/* The byte after e is a delimiter or the NUL after the buffer. */
	d = strtod((const char *)s, NULL);
	if (isinf(d))
		return fail(ps, s, "number out of range");
	sdc_field_double(f, d);
	return true;
}

static bool
parse_number(struct parse *ps, struct sdc_field *f)
{
	const uint8_t *s = ps->p, *p = s, *d;
	bool integral = true;

	p += *p == '-';
	if (*p < '0' || *p > '9')
		return p == ps->end ? at_end(ps) :
		    fail(ps, p, "invalid number");
	p = *p == '0' ? p + 1 : skip_digits(p);
	if (*p == '.') {
		integral = false;
		if ((d = skip_digits(p + 1)) == p + 1)
			return d == ps->end ? at_end(ps) :
			    fail(ps, d, "invalid number");
		p = d;
	}
	if (*p == 'e' || *p == 'E') {
		integral = false;
		p += p[1] == '+' || p[1] == '-' ? 2 : 1;
		if ((d = skip_digits(p)) == p)
			return d >= ps->end ? at_end(ps) :
			    fail(ps, d, "invalid number");
		p = d;
	}
	if (!token_end(ps, p, "number"))
		return false;
	ps->p = p;
	return number_field(ps, f, s, p, integral);
}

static int
hex4(const uint8_t *p)
{
	int v = 0, i, x;

	for (i = 0; i < 4; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			x = p[i] - '0';
		else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
			x = (p[i] | 0x20) - 'a' + 10;
		else
			return -1;
		v = v << 4 | x;
	}
	return v;
}

/* \uXXXX at p (after the backslash), a pair for astral characters. */
static bool
unicode_escape(struct parse *ps, const uint8_t **pp, uint32_t *cp)
{
	const uint8_t *p = *pp;
	int hi = hex4(p + 1), lo;

	if (hi < 0)
		return fail(ps, p - 1, "invalid \\u escape");
	p += 5;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail(ps, *pp - 1, "lone surrogate \\u%04x", hi);
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (p[0] != '\\' || p[1] != 'u' || (lo = hex4(p + 2)) < 0 ||
		    lo < 0xdc00 || lo > 0xdfff)
			return fail(ps, *pp - 1, "lone surrogate \\u%04x", hi);
		*cp = 0x10000 + ((uint32_t)(hi - 0xd800) << 10) +
		    (uint32_t)(lo - 0xdc00);
		p += 6;
	} else
		*cp = (uint32_t)hi;
	*pp = p;
	return true;
}

static bool
simple_escape(uint8_t c, uint8_t *out)
{
	switch (c) {
	case '"': case '\\': case '/':
		*out = c;
		return true;
	case 'b': *out = '\b'; return true;
	case 'f': *out = '\f'; return true;
	case 'n': *out = '\n'; return true;
	case 'r': *out = '\r'; return true;
	case 't': *out = '\t'; return true;
	}
	return false;
}

static bool
bad_string_byte(struct parse *ps, const uint8_t *p)
{
	if (p == ps->end || *p == '\n')
		return p == ps->end && !ps->r->eof ? at_end(ps) :
		    fail(ps, p, "unterminated string");
	if (*p < 0x20)
		return fail(ps, p, "control character 0x%02x in string", *p);
	return fail(ps, p, "invalid UTF-8 in string");
}

/* A multibyte sequence at p: its length, 0 after reporting why not. */
static size_t
utf8_at(struct parse *ps, const uint8_t *p)
{
	size_t n = sdc_utf8_seq_len(p, ps->end), want;

	if (n > 0)
		return n;
	want = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if ((size_t)(ps->end - p) < want && !ps->r->eof) {
		ps->status = P_MORE;
		return 0;
	}
	bad_string_byte(ps, p);
	return 0;
}

/* From s, just after the quote, to the closing quote, all escapes. */
static bool
find_string_end(struct parse *ps, const uint8_t *s, const uint8_t **q)
{
	const uint8_t *p = s;

	for (;; p++) {
		if (*p == '"') {
			*q = p;
			return true;
		}
		if (p == ps->end || *p == '\n')
			return bad_string_byte(ps, p);
		if (*p == '\\' && ++p == ps->end)
			return bad_string_byte(ps, p);
	}
}

static bool
unescape_one(struct parse *ps, const uint8_t **pp, uint8_t **dp)
{
	const uint8_t *p = *pp;
	uint32_t cp = 0;
	uint8_t c;

	if (p[1] == 'u') {
		*pp = p + 1;
		if (!unicode_escape(ps, pp, &cp))
			return false;
		*dp += sdc_utf8_encode((char *)*dp, cp);
		return true;
	}
	if (!simple_escape(p[1], &c))
		return p[1] < 0x20 || p[1] >= 0x7f ?
		    fail(ps, p, "invalid escape") :
		    fail(ps, p, "invalid escape '\\%c'", p[1]);
	*(*dp)++ = c;
	*pp = p + 2;
	return true;
}

/* The slow path: the string has escapes; decode it into the arena. */
static bool
unescape_string(struct parse *ps, const uint8_t *s, struct sdc_str *out)
{
	const uint8_t *q = NULL, *p = s;
	uint8_t *buf, *d;
	size_t n;

	if (!find_string_end(ps, s, &q))
		return false;
	buf = d = sdc_arena_alloc(ps->a, q - s + 1);
	while (p < q) {
		if (*p == '\\') {
			if (!unescape_one(ps, &p, &d))
				return false;
		} else if (*p < 0x20) {
			return bad_string_byte(ps, p);
		} else if (*p < 0x80) {
			*d++ = *p++;
		} else {
			if ((n = utf8_at(ps, p)) == 0)
				return false;
			memcpy(d, p, n);
			d += n;
			p += n;
		}
	}
	out->ptr = (const char *)buf;
	out->len = d - buf;
	ps->p = q + 1;
	return true;
}

static bool
parse_string(struct parse *ps, struct sdc_str *out)
{
	const uint8_t *s = ps->p + 1, *p = s;
	size_t n;

	for (;;) {
		/* Bytes a JSON string holds as they are, up to any other. */
		while (sdc_json_esc_class[*p] == 0)
			p++;
		if (*p == '"') {
			out->ptr = (const char *)s;
			out->len = p - s;
			ps->p = p + 1;
			return true;
		}
		if (*p == '\\')
			return unescape_string(ps, s, out);
		if (*p < 0x80)
			return bad_string_byte(ps, p);
		if ((n = utf8_at(ps, p)) == 0)
			return false;
		p += n;
	}
}

static bool parse_value(struct parse *ps, struct sdc_field *f);

static bool
enter(struct parse *ps)
{
	if (++ps->depth > ps->r->max_depth)
		return fail(ps, ps->p, "nesting deeper than %d levels",
		    ps->r->max_depth);
	ps->p++;
	skip_ws(ps);
	return true;
}

/* After an item: true and *more when a comma follows. */
static bool
item_end(struct parse *ps, uint8_t close, bool *more)
{
	skip_ws(ps);
	if (*ps->p == ',') {
		ps->p++;
		*more = true;
		return true;
	}
	if (*ps->p == close) {
		ps->p++;
		ps->depth--;
		*more = false;
		return true;
	}
	return unexpected(ps);
}

static bool
parse_array(struct parse *ps, struct sdc_field *f)
{
	bool more = true;

	sdc_field_container(f, SDC_LIST);
	if (!enter(ps))
		return false;
	if (*ps->p == ']') {
		ps->p++;
		ps->depth--;
		return true;
	}
	while (more) {
		if (!parse_value(ps, sdc_list_append(ps->a, f)) ||
		    !item_end(ps, ']', &more))
			return false;
	}
	return true;
}

/* A key given twice: the last value wins, in the first one's place. */
static bool
parse_member(struct parse *ps, struct sdc_field *f, struct sdc_keyset *seen)
{
	struct sdc_str key;
	struct sdc_field *slot;
	int64_t earlier;

	skip_ws(ps);
	if (*ps->p != '"')
		return unexpected(ps);
	if (!parse_string(ps, &key))
		return false;
	skip_ws(ps);
	if (*ps->p != ':')
		return unexpected(ps);
	ps->p++;
	earlier = sdc_keyset_add(seen, key.ptr, key.len);
	slot = earlier >= 0 ? &f->v.entries[earlier].value :
	    sdc_map_append(ps->a, f, key.ptr, key.len);
	return parse_value(ps, slot);
}

static bool
parse_members(struct parse *ps, struct sdc_field *f, struct sdc_keyset *seen)
{
	bool more = true;

	while (more)
		if (!parse_member(ps, f, seen) || !item_end(ps, '}', &more))
			return false;
	return true;
}

static bool
parse_object(struct parse *ps, struct sdc_field *f)
{
	sdc_field_container(f, SDC_LIST_MAP);
	if (!enter(ps))
		return false;
	if (*ps->p == '}') {
		ps->p++;
		ps->depth--;
		return true;
	}
	return parse_members(ps, f, sdc_keyset_for_level((size_t)ps->depth));
}

static bool
parse_value(struct parse *ps, struct sdc_field *f)
{
	skip_ws(ps);
	switch (*ps->p) {
	case '{':
		return parse_object(ps, f);
	case '[':
		return parse_array(ps, f);
	case '"':
		sdc_field_begin(f, SDC_STRING);
		return parse_string(ps, &f->v.s);
	case 't': case 'f': case 'n':
		return parse_literal(ps, f);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return parse_number(ps, f);
	}
	return unexpected(ps);
}

/*
 * The stream: whitespace-separated values, or the elements of
 * top-level arrays.  In a stream of values a syntax error costs the
 * rest of its line and parsing resumes on the next one, or on the
 * line of the error when that line starts with it (a value cut short
 * is followed by the next whole value).  Inside an array an error
 * leaves no reliable place to resume, since a comma or bracket may be
 * inside the broken element: the element becomes an error and the
 * rest of that input is skipped (the caller says so).
 */
enum { ST_MORE = -1, ST_DONE = -2 };	/* besides the statuses */
enum { ARRAY_VALUE = ARRAY_DEAD + 1 };	/* after a comma */

void
sdc_json_reader_init(struct sdc_json_reader *r, enum sdc_json_mode mode,
    bool exact_decimals, size_t max_value, sdc_json_read_fn *read, void *ctx)
{
	memset(r, 0, sizeof *r);
	r->read = read;
	r->ctx = ctx;
	r->mode = mode;
	r->exact_decimals = exact_decimals;
	r->max_value = max_value;
	r->chunk = CHUNK;
	r->max_depth = SDC_MAX_DEPTH;
	r->cap = r->chunk + 1;
	r->buf = sdc_xmalloc(r->cap);
	r->buf[0] = 0;
	r->line = 1;
	r->array = ARRAY_BEFORE;
}

void
sdc_json_reader_restart(struct sdc_json_reader *r, enum sdc_json_mode mode,
    void *ctx)
{
	r->ctx = ctx;
	r->mode = mode;
	r->start = r->end = 0;
	r->buf[0] = 0;
	r->eof = r->skip_line = r->stopped = false;
	r->line = 1;
	r->line_off = 0;
	r->array = ARRAY_BEFORE;
	r->value_line = r->err_line = 0;
	r->err[0] = '\0';
	r->raw = NULL;
	r->raw_len = 0;
}

void
sdc_json_reader_release(struct sdc_json_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

static void
compact(struct sdc_json_reader *r)
{
	if (r->start == 0)
		return;
	memmove(r->buf, r->buf + r->start, r->end - r->start);
	r->end -= r->start;
	r->line_off -= (int64_t)r->start;
	r->start = 0;
	r->buf[r->end] = 0;
}

static void
grow(struct sdc_json_reader *r)
{
	size_t need = r->end + r->chunk + 1, cap = r->cap * 2;

	if (r->cap >= need)
		return;
	if (cap > r->max_value + 2 * r->chunk + 1)
		cap = r->max_value + 2 * r->chunk + 1;
	if (cap < need)
		cap = need;
	r->buf = sdc_xrealloc(r->buf, cap);
	r->cap = cap;
}

/*
 * Read more behind what is pending.  A value longer than a chunk is
 * parsed again only once half as much again has arrived, so a large
 * value costs a bounded number of passes, not one per read.
 */
static int
fill(struct sdc_json_reader *r)
{
	size_t pending, want, got = 0;
	ssize_t n;

	compact(r);
	pending = r->end;
	want = pending > r->chunk ? pending / 2 : 1;
	while (got < want && !r->eof && r->end <= r->max_value) {
		grow(r);
		n = r->read(r->ctx, r->buf + r->end, r->chunk);
		if (n < 0)
			return -1;
		if (n == 0)
			r->eof = true;
		r->end += (size_t)n;
		got += (size_t)n;
		r->buf[r->end] = 0;
	}
	return 0;
}

static void
commit(struct sdc_json_reader *r, const struct parse *ps)
{
	r->start = ps->p - r->buf;
	r->line = ps->line;
	r->line_off = ps->line_off;
}

static void
set_raw(struct sdc_json_reader *r, const uint8_t *from, const uint8_t *to)
{
	while (to > from && (to[-1] == '\n' || to[-1] == '\r'))
		to--;
	r->raw = from;
	r->raw_len = to - from > RAW_MAX ? RAW_MAX : (size_t)(to - from);
}

static bool
only_blanks(const uint8_t *p, const uint8_t *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return false;
	return true;
}

/* Where parsing goes on after a bad value in a stream of values. */
static void
resync(struct sdc_json_reader *r, struct parse *ps, const uint8_t *vstart)
{
	const uint8_t *at = ps->err_at, *bol = r->buf + ps->line_off, *nl;

	if (ps->line > r->value_line && only_blanks(bol, at)) {
		set_raw(r, vstart, bol);
		ps->p = bol;
		commit(r, ps);
		return;
	}
	nl = memchr(at, '\n', ps->end - at);
	if (nl == NULL) {
		set_raw(r, vstart, ps->end);
		ps->p = ps->end;
		r->skip_line = !r->eof;
		commit(r, ps);
		return;
	}
	set_raw(r, vstart, nl);
	ps->p = nl + 1;
	ps->line++;
	ps->line_off = ps->p - r->buf;
	commit(r, ps);
}

static int
array_error(struct sdc_json_reader *r, struct parse *ps,
    const uint8_t *vstart)
{
	const uint8_t *nl = memchr(ps->err_at, '\n', ps->end - ps->err_at);

	set_raw(r, vstart, nl != NULL ? nl : ps->end);
	r->array = ARRAY_DEAD;
	r->stopped = true;
	return SDC_JSON_ERROR;
}

static int
value_error(struct sdc_json_reader *r, struct parse *ps,
    const uint8_t *vstart)
{
	if (r->mode == SDC_JSON_ARRAY)
		return array_error(r, ps, vstart);
	resync(r, ps, vstart);
	return SDC_JSON_ERROR;
}

/* One step of array punctuation: ST_DONE when a value comes next. */
static int
array_step(struct sdc_json_reader *r, struct parse *ps)
{
	uint8_t c = *ps->p;

	switch (r->array) {
	case ARRAY_BEFORE:
		if (c != '[')
			break;
		ps->p++;
		r->array = ARRAY_FIRST;
		return ST_MORE;
	case ARRAY_FIRST:
	case ARRAY_NEXT:
		if (c == ']') {
			ps->p++;
			r->array = ARRAY_BEFORE;
			return ST_MORE;
		}
		if (r->array == ARRAY_FIRST)
			return ST_DONE;
		if (c != ',')
			break;
		ps->p++;
		r->array = ARRAY_VALUE;
		return ST_MORE;
	case ARRAY_VALUE:
		if (c != ']')
			return ST_DONE;
		break;
	}
	r->value_line = ps->line;
	unexpected(ps);
	return array_error(r, ps, ps->p);
}

/* Blank input to the end of the buffer: wait, or the input is over. */
static int
input_end(struct sdc_json_reader *r, struct parse *ps)
{
	commit(r, ps);
	if (!r->eof)
		return ST_MORE;
	if (r->mode == SDC_JSON_ARRAY && r->array != ARRAY_BEFORE &&
	    r->array != ARRAY_DEAD) {
		r->value_line = ps->line;
		at_end(ps);
		r->array = ARRAY_DEAD;
		r->stopped = true;
		set_raw(r, ps->p, ps->p);
		return SDC_JSON_ERROR;
	}
	return SDC_JSON_EOF;
}

/* Skip to the value, then parse it; ST_MORE when the bytes ran out. */
static int
attempt(struct sdc_json_reader *r, struct sdc_arena *a,
    struct sdc_field *out)
{
	struct parse ps = { r, a, r->buf + r->start, r->buf + r->end,
	    r->line, r->line_off, 0, P_OK, NULL };
	const uint8_t *vstart;
	int st;

	for (;;) {
		skip_ws(&ps);
		if (ps.p == ps.end)
			return input_end(r, &ps);
		if (r->mode == SDC_JSON_AUTO)
			r->mode = *ps.p == '[' ? SDC_JSON_ARRAY :
			    SDC_JSON_LINES;
		if (r->mode != SDC_JSON_ARRAY)
			break;
		if (r->array == ARRAY_DEAD)
			return SDC_JSON_EOF;
		if ((st = array_step(r, &ps)) == ST_DONE)
			break;
		if (st != ST_MORE)
			return st;
		commit(r, &ps);
	}
	commit(r, &ps);
	vstart = ps.p;
	r->value_line = ps.line;
	if (!parse_value(&ps, out))
		return ps.status == P_MORE ? ST_MORE :
		    value_error(r, &ps, vstart);
	if (r->mode == SDC_JSON_ARRAY)
		r->array = ARRAY_NEXT;
	r->raw = vstart;
	r->raw_len = ps.p - vstart;
	commit(r, &ps);
	return SDC_JSON_VALUE;
}

static bool
skip_rest_of_line(struct sdc_json_reader *r)
{
	uint8_t *nl = memchr(r->buf + r->start, '\n', r->end - r->start);

	if (nl == NULL) {
		r->start = r->end;
		return r->eof;
	}
	r->start = nl + 1 - r->buf;
	r->line++;
	r->line_off = (int64_t)r->start;
	r->skip_line = false;
	return true;
}

static int
too_large(struct sdc_json_reader *r)
{
	r->value_line = r->err_line = r->line;
	snprintf(r->err, sizeof r->err, "value larger than %zu bytes",
	    r->max_value);
	r->raw = r->buf + r->start;
	r->raw_len = r->end - r->start;
	if (r->raw_len > RAW_MAX)
		r->raw_len = RAW_MAX;
	if (r->mode == SDC_JSON_ARRAY) {
		r->array = ARRAY_DEAD;
		r->stopped = true;
	} else
		r->skip_line = true;
	return SDC_JSON_ERROR;
}

enum sdc_json_status
sdc_json_next(struct sdc_json_reader *r, struct sdc_arena *a,
    struct sdc_field *out)
{
	int st;

	r->raw = NULL;
	r->raw_len = 0;
	for (;;) {
		if (r->skip_line && !skip_rest_of_line(r)) {
			if (fill(r) < 0)
				return SDC_JSON_IO;
			continue;
		}
		if ((st = attempt(r, a, out)) != ST_MORE)
			return (enum sdc_json_status)st;
		if (r->end - r->start > r->max_value)
			return too_large(r);
		if (fill(r) < 0)
			return SDC_JSON_IO;
	}
}
