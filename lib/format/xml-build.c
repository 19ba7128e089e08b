/*
 * The fields of an XML element, built as its nodes are read: an
 * element with neither attributes nor child elements is a STRING of
 * its text; any other a MAP of its namespace declarations and
 * attributes ("@xmlns:p", "@name"), its child elements by name (a
 * LIST when a name comes again) and its text ("#text", left out when
 * only whitespace between child elements).  A record element is
 * always a MAP, and declares the namespaces it inherits.
 *
 * Entity references are expanded here, as text: those the document's
 * own DTD declares; an external entity is never loaded and its
 * reference refuses the record.  What the expansion makes counts in
 * the record's size, so no entity can blow memory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/entities.h>

#include "utf8.h"
#include "wire.h"
#include "xalloc.h"
#include "xml.h"
#include "banned.h"

#define FIELD_COST	32	/* bytes a field is counted for */
#define ENTITY_DEPTH	16	/* references within references */
#define MAX_ELEMENTS	(SDC_MAX_DEPTH / 2)	/* a MAP and a LIST each */

struct sdc_xml_frame {
	struct sdc_field	map;		/* attributes and children */
	const char		*name;		/* in the record's arena */
	size_t			 name_len;
	bool			 children;
	struct sdc_buf		 text;
	bool			 blank;		/* text is only whitespace */
};

void
sdc_xml_build_init(struct sdc_xml_build *b, struct sdc_run *run,
    const char *name, bool preserve_root)
{
	memset(b, 0, sizeof *b);
	b->run = run;
	b->name = name;
	b->preserve_root = preserve_root;
	b->max = run->opt.max_record ? run->opt.max_record :
	    SDC_DEFAULT_MAX_RECORD;
	sdc_record_init(&b->rec);
	sdc_idbuf_init(&b->id, name);
	sdc_buf_init(&b->scratch, SIZE_MAX / 4);
}

void
sdc_xml_build_release(struct sdc_xml_build *b)
{
	for (size_t i = 0; i < b->cap_frames; i++)
		sdc_buf_release(&b->frames[i].text);
	free(b->frames);
	sdc_buf_release(&b->scratch);
	sdc_record_release(&b->rec);
	sdc_idbuf_release(&b->id);
}

void
sdc_xml_build_refuse(struct sdc_xml_build *b, const char *code,
    const char *message)
{
	if (b->bad_code != NULL)
		return;
	b->bad_code = code;
	snprintf(b->bad, sizeof b->bad, "%s", message);
}

static void
refuse(struct sdc_xml_build *b, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Refused for a reason of the record: its id says where. */
static void
refuse(struct sdc_xml_build *b, const char *code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->bad_code != NULL)
		return;
	b->bad_code = code;
	n = snprintf(b->bad, sizeof b->bad, "%s: ", b->id.buf);
	va_start(ap, fmt);
	vsnprintf(b->bad + n, sizeof b->bad - (size_t)n, fmt, ap);
	va_end(ap);
}

static bool
charge(struct sdc_xml_build *b, size_t n)
{
	b->bytes += n;
	if (b->bytes <= b->max)
		return true;
	refuse(b, "XML_TOO_LARGE", "record larger than %zu bytes", b->max);
	return false;
}

/* "prefix:local" or "local", plus lead bytes before it, in the arena. */
static const char *
qname(struct sdc_xml_build *b, const char *lead, const xmlNs *ns,
    const xmlChar *local, size_t *len)
{
	size_t l = strlen(lead), n = strlen((const char *)local);
	size_t p = ns && ns->prefix ? strlen((const char *)ns->prefix) : 0;
	char *s;

	*len = l + (p ? p + 1 : 0) + n;
	s = sdc_arena_alloc(&b->rec.arena, *len + 1);
	memcpy(s, lead, l);
	if (p) {
		memcpy(s + l, ns->prefix, p);
		s[l + p] = ':';
		p++;
	}
	memcpy(s + l + p, local, n);
	s[*len] = '\0';
	return s;
}

/* libxml2 lets bytes that are not UTF-8 through in CDATA sections. */
static bool
utf8(struct sdc_xml_build *b, const void *p, size_t n)
{
	if (sdc_utf8_valid(p, n))
		return true;
	refuse(b, "XML_UTF8", "text that is not UTF-8 at byte %zu of a "
	    "text or value", sdc_utf8_check(p, n) + 1);
	return false;
}

static void
put_string(struct sdc_xml_build *b, struct sdc_field *map, const char *key,
    size_t klen, const void *v, size_t vlen)
{
	if (!charge(b, FIELD_COST + klen + vlen) || !utf8(b, v, vlen))
		return;
	sdc_field_copy_bytes(&b->rec.arena, sdc_map_append(&b->rec.arena, map,
	    key, klen), SDC_STRING, v, vlen);
}

static void
put_ns(struct sdc_xml_build *b, struct sdc_field *map, const xmlNs *ns)
{
	const char *key = "@xmlns";
	size_t n = strlen(key);

	if (ns->prefix != NULL && strchr((const char *)ns->prefix, ':'))
		return refuse(b, "XML_ERROR", "namespace prefix '%s' is not a "
		    "name", (const char *)ns->prefix);
	if (ns->prefix != NULL)
		key = qname(b, "@xmlns:", NULL, ns->prefix, &n);
	put_string(b, map, key, n, ns->href, strlen((const char *)ns->href));
}

static void expand(struct sdc_xml_build *b, struct sdc_buf *dst,
	    xmlNodePtr n, int depth);

static void
attributes(struct sdc_xml_build *b, struct sdc_xml_frame *f, xmlNodePtr el)
{
	for (xmlNsPtr ns = el->nsDef; ns != NULL; ns = ns->next)
		put_ns(b, &f->map, ns);
	for (xmlAttrPtr a = el->properties; a != NULL; a = a->next) {
		size_t n;
		const char *key = qname(b, "@", a->ns, a->name, &n);
		xmlNodePtr v = a->children;

		if (strchr((const char *)a->name, ':') != NULL)
			return refuse(b, "XML_ERROR", "attribute name '%s' is "
			    "not a qualified name", (const char *)a->name);
		if (v != NULL && v->next == NULL && v->type == XML_TEXT_NODE) {
			put_string(b, &f->map, key, n, v->content,
			    strlen((const char *)v->content));
			continue;
		}
		sdc_buf_reset(&b->scratch);
		expand(b, &b->scratch, v, 0);
		put_string(b, &f->map, key, n, b->scratch.data, b->scratch.len);
	}
}

static bool
declared(xmlNodePtr upto, xmlNodePtr from, const xmlChar *prefix)
{
	for (xmlNodePtr n = from; n != upto; n = n->parent)
		for (xmlNsPtr ns = n->nsDef; ns != NULL; ns = ns->next)
			if (xmlStrEqual(ns->prefix, prefix))
				return true;
	return false;
}

/* What a record element inherits, so that it is an element of its own. */
static void
inherited_ns(struct sdc_xml_build *b, struct sdc_xml_frame *f,
    xmlNodePtr el)
{
	for (xmlNodePtr p = el->parent; p != NULL &&
	    p->type == XML_ELEMENT_NODE; p = p->parent)
		for (xmlNsPtr ns = p->nsDef; ns != NULL; ns = ns->next)
			if (!declared(p, el, ns->prefix))
				put_ns(b, &f->map, ns);
}

static void
begin_record(struct sdc_xml_build *b, xmlNodePtr el)
{
	const char *id = sdc_idbuf_make(&b->id, (uint64_t)xmlGetLineNo(el));

	sdc_run_new_record(b->run, &b->rec, id, b->id.len);
	b->bytes = 0;
	b->bad_code = NULL;
}

void
sdc_xml_build_start(struct sdc_xml_build *b, xmlNodePtr el)
{
	struct sdc_xml_frame *f;

	if (b->nframes == 0)
		begin_record(b, el);
	if (b->nframes == b->cap_frames) {
		b->cap_frames = b->cap_frames ? 2 * b->cap_frames : 16;
		b->frames = sdc_xreallocarray(b->frames, b->cap_frames,
		    sizeof *b->frames);
		for (size_t i = b->nframes; i < b->cap_frames; i++)
			sdc_buf_init(&b->frames[i].text, SIZE_MAX / 4);
	}
	f = &b->frames[b->nframes++];
	sdc_field_container(&f->map, SDC_MAP);
	f->children = false;
	f->blank = true;
	sdc_buf_reset(&f->text);
	f->name = "";
	f->name_len = 0;
	/* What libxml2 makes of a name it could not split. */
	if (strchr((const char *)el->name, ':') != NULL)
		refuse(b, "XML_ERROR", "element name '%s' is not a qualified "
		    "name", (const char *)el->name);
	if (b->nframes > MAX_ELEMENTS)
		refuse(b, "XML_TOO_DEEP", "elements nested deeper than %d "
		    "in a record", MAX_ELEMENTS);
	if (b->bad_code != NULL)
		return;		/* its end is all that matters now */
	f->name = qname(b, "", el->ns, el->name, &f->name_len);
	if (!charge(b, FIELD_COST + f->name_len))
		return;
	attributes(b, f, el);
	if (b->nframes == 1)
		inherited_ns(b, f, el);
}

static bool
is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' &&
		    p[i] != '\r')
			return false;
	return true;
}

static void
append(struct sdc_xml_build *b, struct sdc_buf *dst, const char *p,
    size_t n)
{
	if (b->bad_code != NULL || !charge(b, n) || !utf8(b, p, n))
		return;
	if (!sdc_buf_append(dst, p, n))
		abort();	/* bounded by the record's size above */
}

void
sdc_xml_build_text(struct sdc_xml_build *b, const char *p, size_t n)
{
	struct sdc_xml_frame *f = &b->frames[b->nframes - 1];

	append(b, &f->text, p, n);
	f->blank = f->blank && is_blank(p, n);
}

static void
expand_entity(struct sdc_xml_build *b, struct sdc_buf *dst, xmlNodePtr ref,
    int depth)
{
	xmlEntityPtr e = (xmlEntityPtr)ref->children;

	if (depth > ENTITY_DEPTH)
		return refuse(b, "XML_ENTITY", "entity references nested "
		    "deeper than %d", ENTITY_DEPTH);
	if (e == NULL || e->type != XML_ENTITY_DECL)
		return refuse(b, "XML_ENTITY", "entity '&%s;' is not declared",
		    (const char *)ref->name);
	if (e->etype != XML_INTERNAL_GENERAL_ENTITY)
		return refuse(b, "XML_ENTITY", "entity '&%s;' is external: "
		    "it is never loaded", (const char *)ref->name);
	if (e->children != NULL)
		expand(b, dst, e->children, depth + 1);
	else if (e->content != NULL &&
	    strpbrk((const char *)e->content, "<&") == NULL)
		append(b, dst, (const char *)e->content,
		    strlen((const char *)e->content));
}

/* The text of nodes, markup in entities taken for its text only. */
static void
expand(struct sdc_xml_build *b, struct sdc_buf *dst, xmlNodePtr n,
    int depth)
{
	for (; n != NULL && b->bad_code == NULL; n = n->next) {
		if (!charge(b, FIELD_COST))
			return;
		if (n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE)
			append(b, dst, (const char *)n->content,
			    strlen((const char *)n->content));
		else if (n->type == XML_ENTITY_REF_NODE)
			expand_entity(b, dst, n, depth);
		else if (n->type == XML_ELEMENT_NODE)
			expand(b, dst, n->children, depth);
	}
}

void
sdc_xml_build_entity(struct sdc_xml_build *b, xmlNodePtr ref)
{
	struct sdc_xml_frame *f = &b->frames[b->nframes - 1];
	size_t was = f->text.len;

	expand_entity(b, &f->text, ref, 0);
	if (f->text.len > was)
		f->blank = f->blank && is_blank((const char *)f->text.data +
		    was, f->text.len - was);
}

/* The element's value: a STRING, or a MAP when it has more. */
static void
finish_frame(struct sdc_xml_build *b, struct sdc_xml_frame *f,
    struct sdc_field *out, bool as_map)
{
	bool text = f->children ? !f->blank : f->text.len > 0;

	if (!as_map && f->map.count == 0) {
		sdc_field_copy_bytes(&b->rec.arena, out, SDC_STRING,
		    f->text.data, f->text.len);
		return;
	}
	if (text)
		put_string(b, &f->map, SDC_XML_TEXT, strlen(SDC_XML_TEXT),
		    f->text.data, f->text.len);
	*out = f->map;
}

/* A child element into its parent: the second of a name makes a LIST. */
static void
add_child(struct sdc_xml_build *b, struct sdc_xml_frame *p,
    const struct sdc_xml_frame *c, const struct sdc_field *v)
{
	struct sdc_arena *a = &b->rec.arena;
	struct sdc_field *slot = NULL, old;

	p->children = true;
	for (uint32_t i = p->map.count; i-- > 0; ) {
		struct sdc_entry *e = &p->map.v.entries[i];

		if (e->key.len == c->name_len &&
		    memcmp(e->key.ptr, c->name, c->name_len) == 0) {
			slot = &e->value;
			break;
		}
	}
	if (slot == NULL) {
		*sdc_map_append(a, &p->map, c->name, c->name_len) = *v;
		return;
	}
	if (slot->type != SDC_LIST) {
		old = *slot;
		sdc_field_container(slot, SDC_LIST);
		*sdc_list_append(a, slot) = old;
	}
	*sdc_list_append(a, slot) = *v;
}

static void
end_record(struct sdc_xml_build *b)
{
	struct sdc_xml_frame *f = &b->frames[0];
	struct sdc_field v;

	b->nframes = 0;
	b->run->n.in++;
	if (b->bad_code != NULL) {
		sdc_run_reject_raw(b->run, b->id.buf, "", 0, b->bad_code, "%s",
		    b->bad);
		return;
	}
	finish_frame(b, f, &v, !b->preserve_root);
	if (b->preserve_root) {
		sdc_field_container(&b->rec.root, SDC_MAP);
		*sdc_map_append(&b->rec.arena, &b->rec.root, f->name,
		    f->name_len) = v;
	} else {
		b->rec.root = v;
	}
	sdc_run_emit(b->run, &b->rec);
}

void
sdc_xml_build_end(struct sdc_xml_build *b)
{
	struct sdc_xml_frame *f;
	struct sdc_field v;

	if (b->nframes == 1)
		return end_record(b);
	f = &b->frames[--b->nframes];
	if (b->bad_code != NULL)
		return;
	finish_frame(b, f, &v, false);
	add_child(b, &b->frames[b->nframes - 1], f, &v);
}
