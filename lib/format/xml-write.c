/*
 * Records as XML: a declaration, the --xml-root element (or the
 * elements of an --xml-record path but its last), then each record one
 * --xml-record element on a line of its own.  The mapping is the
 * reader's turned round: "@name" fields are attributes, "#text" the
 * text, other fields child elements, a LIST repeated elements, typed
 * values their plain text.  What XML cannot hold makes an error
 * record naming the field: a name that is not an XML name, a control
 * character, text that is not UTF-8, a LIST in a LIST.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delimited.h"
#include "utf8.h"
#include "xalloc.h"
#include "xml.h"
#include "banned.h"

#define RENDER_MAX	((size_t)1 << 30)
#define MAX_PREFIXES	256	/* declared around an element */

struct xml_writer {
	struct sdc_writer	 w;
	const struct sdc_xml_opts *o;
	const char		*record;	/* element of each record */
	bool			 started;
	struct sdc_buf		 buf;
	struct sdc_buf		 scratch;
	struct sdc_str		 prefixes[MAX_PREFIXES];	/* in scope */
	size_t			 nprefixes;
	char			 path[512];	/* of the field, for messages */
	size_t			 path_len;
	char			 why[640];
};

static bool
is_name_start(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) ||
	    (c >= 0xF8 && c <= 0x2FF) || (c >= 0x370 && c <= 0x37D) ||
	    (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D) ||
	    (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) ||
	    (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
	    (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

static bool
is_name_char(uint32_t c)
{
	return is_name_start(c) || c == '-' || c == '.' ||
	    (c >= '0' && c <= '9') || c == 0xB7 ||
	    (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}

static uint32_t
decode(const uint8_t *p, size_t n)
{
	if (n == 1)
		return p[0];
	if (n == 2)
		return (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
	if (n == 3)
		return (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f)
		    << 6 | (p[2] & 0x3f);
	return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
	    (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
}

/* A Name of XML 1.0 whose colon, if any, parts two names (a QName). */
bool
sdc_xml_name_ok(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + n;
	size_t colons = 0;
	bool first = true;

	while (p < end) {
		size_t k = sdc_utf8_seq_len(p, end);
		uint32_t c;

		if (k == 0)
			return false;
		c = decode(p, k);
		if (c == ':' && (first || p + 1 == end || ++colons > 1))
			return false;
		if (first ? !is_name_start(c) : !is_name_char(c))
			return false;
		first = c == ':';
		p += k;
	}
	return n > 0;
}

static bool
fail(struct xml_writer *xw, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool
fail(struct xml_writer *xw, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(xw->why, sizeof xw->why, "field '%.*s': %s",
	    (int)(xw->path_len ? xw->path_len : 1),
	    xw->path_len ? xw->path : "/", what);
	return false;
}

static bool
put(struct xml_writer *xw, const void *p, size_t n)
{
	if (sdc_buf_append(&xw->buf, p, n))
		return true;
	return fail(xw, "record larger than %zu bytes of XML", RENDER_MAX);
}

static bool
puts_(struct xml_writer *xw, const char *s)
{
	return put(xw, s, strlen(s));
}

/* Characters as XML text or an attribute value (quoted with "). */
static bool
escape(struct xml_writer *xw, const char *s, size_t n, bool attr)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + n, *run = p;
	const char *rep;
	size_t bad;

	if ((bad = sdc_utf8_check(s, n)) != n)
		return fail(xw, "not UTF-8 at byte %zu", bad + 1);
	for (; p < end; p++) {
		switch (*p) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = attr ? "&quot;" : NULL; break;
		case '\r': rep = "&#13;"; break;
		case '\n': rep = attr ? "&#10;" : NULL; break;
		case '\t': rep = attr ? "&#9;" : NULL; break;
		case 0xEF:	/* U+FFFE and U+FFFF are no characters */
			if (end - p >= 3 && p[1] == 0xBF && (p[2] & 0xFE) ==
			    0xBE)
				return fail(xw, "U+FFF%c is not an XML "
				    "character", p[2] == 0xBE ? 'E' : 'F');
			rep = NULL;
			break;
		default:
			if (*p < 0x20)
				return fail(xw, "control character 0x%02X: "
				    "XML cannot hold it", *p);
			rep = NULL;
		}
		if (rep == NULL)
			continue;
		if (!put(xw, run, (size_t)(p - run)) || !puts_(xw, rep))
			return false;
		run = p + 1;
	}
	return put(xw, run, (size_t)(p - run));
}

static bool
scalar(struct xml_writer *xw, const struct sdc_field *f, bool attr)
{
	struct sdc_str s;

	if (!sdc_scalar_text(f, &xw->scratch, &s))
		return fail(xw, "%s value has no text", sdc_type_name(f->type));
	return escape(xw, s.ptr, s.len, attr);
}

/* The path of messages, a step at a time. */
static size_t
enter(struct xml_writer *xw, const char *key, size_t n, long index)
{
	size_t was = xw->path_len, room = sizeof xw->path - was;
	int w;

	if (index >= 0)
		w = snprintf(xw->path + was, room, "[%ld]", index);
	else
		w = snprintf(xw->path + was, room, "/%.*s", (int)n, key);
	xw->path_len = w < 0 || (size_t)w >= room ? sizeof xw->path - 1 :
	    was + (size_t)w;
	return was;
}

/* Records nest no deeper than SDC_MAX_DEPTH: recursion is bounded. */
static bool element(struct xml_writer *xw, const char *name, size_t n,
	    const struct sdc_field *f);

static bool
is_attr(const struct sdc_entry *e)
{
	return e->key.len > 0 && e->key.ptr[0] == SDC_XML_ATTR;
}

static bool
is_text(const struct sdc_entry *e)
{
	return e->key.len == strlen(SDC_XML_TEXT) &&
	    memcmp(e->key.ptr, SDC_XML_TEXT, e->key.len) == 0;
}

/* The "@xmlns:p" of an element come in scope for it and within it. */
static bool
declare(struct xml_writer *xw, const struct sdc_field *map)
{
	for (uint32_t i = 0; i < map->count; i++) {
		const struct sdc_str *k = &map->v.entries[i].key;

		if (k->len <= 7 || memcmp(k->ptr, "@xmlns:", 7) != 0)
			continue;
		if (xw->nprefixes == MAX_PREFIXES)
			return fail(xw, "more than %d namespaces declared",
			    MAX_PREFIXES);
		xw->prefixes[xw->nprefixes].ptr = k->ptr + 7;
		xw->prefixes[xw->nprefixes++].len = k->len - 7;
	}
	return true;
}

/* A name's prefix must be declared, for the XML to be namespace-valid. */
static bool
prefix_ok(struct xml_writer *xw, const char *name, size_t n, bool attr)
{
	const char *colon = memchr(name, ':', n);
	size_t p = colon ? (size_t)(colon - name) : 0;

	if (colon == NULL || (p == 3 && memcmp(name, "xml", 3) == 0) ||
	    (attr && p == 5 && memcmp(name, "xmlns", 5) == 0))
		return true;
	for (size_t i = xw->nprefixes; i-- > 0; )
		if (xw->prefixes[i].len == p &&
		    memcmp(xw->prefixes[i].ptr, name, p) == 0)
			return true;
	return fail(xw, "prefix '%.*s' is not declared (no @xmlns:%.*s here "
	    "or around)", (int)p, name, (int)p, name);
}

static bool
attrs(struct xml_writer *xw, const struct sdc_field *map)
{
	for (uint32_t i = 0; i < map->count; i++) {
		const struct sdc_entry *e = &map->v.entries[i];
		size_t was;

		if (!is_attr(e) || e->value.null)
			continue;
		was = enter(xw, e->key.ptr, e->key.len, -1);
		if (!sdc_xml_name_ok(e->key.ptr + 1, e->key.len - 1))
			return fail(xw, "'%.*s' is not an XML attribute name",
			    (int)e->key.len - 1, e->key.ptr + 1);
		if (!prefix_ok(xw, e->key.ptr + 1, e->key.len - 1, true))
			return false;
		if (sdc_type_is_container(e->value.type))
			return fail(xw, "an attribute holds text, not a %s",
			    sdc_type_name(e->value.type));
		if (!puts_(xw, " ") || !put(xw, e->key.ptr + 1, e->key.len - 1)
		    || !puts_(xw, "=\"") || !scalar(xw, &e->value, true) ||
		    !puts_(xw, "\""))
			return false;
		xw->path_len = was;
	}
	return true;
}

static bool
child(struct xml_writer *xw, const struct sdc_entry *e)
{
	const struct sdc_field *v = &e->value;

	if (is_text(e)) {
		if (sdc_type_is_container(v->type))
			return fail(xw, "text, not a %s",
			    sdc_type_name(v->type));
		return scalar(xw, v, false);
	}
	if (v->type != SDC_LIST || v->null)
		return element(xw, e->key.ptr, e->key.len, v);
	for (uint32_t i = 0; i < v->count; i++) {
		size_t was = enter(xw, NULL, 0, (long)i);

		if (v->v.items[i].type == SDC_LIST && !v->v.items[i].null)
			return fail(xw, "a LIST in a LIST has no XML form");
		if (!element(xw, e->key.ptr, e->key.len, &v->v.items[i]))
			return false;
		xw->path_len = was;
	}
	return true;
}

static bool
content(struct xml_writer *xw, const struct sdc_field *map)
{
	for (uint32_t i = 0; i < map->count; i++) {
		const struct sdc_entry *e = &map->v.entries[i];
		size_t was;

		if (is_attr(e))
			continue;
		was = enter(xw, e->key.ptr, e->key.len, -1);
		if (!child(xw, e))
			return false;
		xw->path_len = was;
	}
	return true;
}

static bool
only_attrs(const struct sdc_field *map)
{
	for (uint32_t i = 0; i < map->count; i++)
		if (!is_attr(&map->v.entries[i]))
			return false;
	return true;
}

static bool
element(struct xml_writer *xw, const char *name, size_t n,
    const struct sdc_field *f)
{
	bool map = (f->type == SDC_MAP || f->type == SDC_LIST_MAP) && !f->null;
	size_t scope = xw->nprefixes;
	bool ok;

	if (!sdc_xml_name_ok(name, n))
		return fail(xw, "'%.*s' is not an XML element name", (int)n,
		    name);
	if (f->type == SDC_LIST && !f->null)
		return fail(xw, "a LIST is repeated elements of a map's key");
	if ((map && !declare(xw, f)) || !prefix_ok(xw, name, n, false) ||
	    !puts_(xw, "<") || !put(xw, name, n))
		return false;
	if (f->null || (map && only_attrs(f)))
		ok = (!map || attrs(xw, f)) && puts_(xw, "/>");
	else if (!map)
		ok = puts_(xw, ">") && scalar(xw, f, false) &&
		    puts_(xw, "</") && put(xw, name, n) && puts_(xw, ">");
	else
		ok = attrs(xw, f) && puts_(xw, ">") && content(xw, f) &&
		    puts_(xw, "</") && put(xw, name, n) && puts_(xw, ">");
	xw->nprefixes = scope;
	return ok;
}

static bool
render(struct xml_writer *xw, const struct sdc_record *r)
{
	const struct sdc_field *root = &r->root;
	const struct sdc_entry *e;

	sdc_buf_reset(&xw->buf);
	xw->path_len = 0;
	xw->nprefixes = 0;
	if (!xw->o->preserve_root)
		return element(xw, xw->record, strlen(xw->record), root) &&
		    puts_(xw, "\n");
	if ((root->type != SDC_MAP && root->type != SDC_LIST_MAP) ||
	    root->null || root->count != 1)
		return fail(xw, "with --xml-preserve-root a record is a map "
		    "of one field, its element");
	e = &root->v.entries[0];
	enter(xw, e->key.ptr, e->key.len, -1);
	if (e->value.type == SDC_LIST && !e->value.null)
		return fail(xw, "the element of a record is no LIST");
	return element(xw, e->key.ptr, e->key.len, &e->value) &&
	    puts_(xw, "\n");
}

/* The declaration and the elements around the records. */
static void
start(struct xml_writer *xw, struct sdc_run *run)
{
	const struct sdc_xml_opts *o = xw->o;

	if (xw->started)
		return;
	xw->started = true;
	sdc_out_write(&run->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
	    39);
	if (o->nsteps < 2) {
		sdc_out_write(&run->out, "<", 1);
		sdc_out_write(&run->out, o->root, strlen(o->root));
		sdc_out_write(&run->out, ">\n", 2);
	}
	for (size_t i = 0; i + 1 < o->nsteps; i++) {
		sdc_out_write(&run->out, "<", 1);
		sdc_out_write(&run->out, o->steps[i].qname,
		    strlen(o->steps[i].qname));
		sdc_out_write(&run->out, ">\n", 2);
	}
	sdc_out_commit(&run->out);
}

static void
write_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	struct xml_writer *xw = (struct xml_writer *)w;

	start(xw, run);
	if (!render(xw, r)) {
		sdc_run_reject(run, r, "XML_RENDER", "%.*s: %s",
		    (int)r->h.id.len, r->h.id.ptr, xw->why);
		return;
	}
	sdc_out_write(&run->out, xw->buf.data, xw->buf.len);
	sdc_out_commit(&run->out);
}

static void
close_tag(struct sdc_run *run, const char *name)
{
	sdc_out_write(&run->out, "</", 2);
	sdc_out_write(&run->out, name, strlen(name));
	sdc_out_write(&run->out, ">\n", 2);
}

static void
write_finish(struct sdc_writer *w, struct sdc_run *run)
{
	struct xml_writer *xw = (struct xml_writer *)w;
	const struct sdc_xml_opts *o = xw->o;

	start(xw, run);
	for (size_t i = o->nsteps; i-- > 1; )
		close_tag(run, o->steps[i - 1].qname);
	if (o->nsteps < 2)
		close_tag(run, o->root);
	sdc_out_commit(&run->out);
}

static void
writer_free(struct sdc_writer *w)
{
	struct xml_writer *xw = (struct xml_writer *)w;

	sdc_buf_release(&xw->buf);
	sdc_buf_release(&xw->scratch);
	free(xw);
}

struct sdc_writer *
sdc_xml_writer_new(const struct sdc_xml_opts *o)
{
	struct xml_writer *xw = sdc_xcalloc(1, sizeof *xw);

	xw->o = o;
	xw->record = o->nsteps > 0 ? o->steps[o->nsteps - 1].qname : "record";
	sdc_buf_init(&xw->buf, RENDER_MAX);
	sdc_buf_init(&xw->scratch, RENDER_MAX);
	xw->w.record = write_record;
	xw->w.finish = write_finish;
	xw->w.free = writer_free;
	return &xw->w;
}
