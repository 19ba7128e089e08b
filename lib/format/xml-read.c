/*
 * XML into records, streaming: libxml2's xmlTextReader walks the
 * document and frees what it has passed, and each element that
 * --xml-record picks is built into a record as it goes
 * (xml-build.c), so memory holds one record, never the document.
 *
 * Nothing outside the document is ever read: no network, no external
 * DTD, no entity substitution by libxml2 (xml-build.c expands the
 * internal ones within the record's size), and an external entity
 * loader that refuses everything besides.  libxml2 stops entity loops.
 *
 * A fatal error ends the input with an error record placed where the
 * parser stopped.  The reader reads ahead: the nodes it had parsed but
 * not yet handed out are walked in the tree, so that no record whole
 * before the error is lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parserInternals.h>
#include <libxml/xmlreader.h>

#include "xalloc.h"
#include "xml.h"
#include "banned.h"

#define MAX_PATH	256	/* of --xml-record, libxml2's depth */
#define MAX_PENDING	256	/* errors the parser is ahead by */

struct xml_error {
	char	msg[256];
	long	line, col;
};

struct reader {
	struct sdc_xml_build	 b;
	const struct sdc_xml_opts *o;
	xmlTextReaderPtr	 xr;
	sdc_xml_read_fn		 read;
	void			*ctx;
	bool			 io_failed;
	size_t			 bytes_read;
	int			 depth;		/* of the next element */
	bool			 matched[MAX_PATH];	/* by depth */
	xmlNodePtr		 last;		/* handed out by the reader */
	bool			 last_open;	/* its children come next */
	/* What libxml2 reported and the reader has not reached yet. */
	struct xml_error	 pending[MAX_PENDING];
	int			 head, npending;
	bool			 fatal;		/* the parser stopped */
	struct xml_error	 stop;		/* why */
	xmlDocPtr		 err_doc;
	xmlNodePtr		 open[MAX_PATH];	/* at a fatal error */
	int			 nopen;
	bool			 open_unknown;
};

static xmlParserInputPtr
refuse_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	return NULL;
}

/*
 * The elements the parser had not closed when it stopped.  When it
 * stopped within an entity its own parser does not know them: then
 * every element on the way to the last node read is taken for open.
 */
static void
note_open(struct reader *r, xmlParserCtxtPtr ctxt)
{
	if (ctxt == NULL)
		return;
	r->err_doc = ctxt->myDoc;
	if (ctxt->depth > 0) {
		r->open_unknown = true;
		return;
	}
	for (int i = 0; i < ctxt->nodeNr && r->nopen < MAX_PATH; i++)
		r->open[r->nopen++] = ctxt->nodeTab[i];
}

static void
open_to_the_end(struct reader *r)
{
	xmlNodePtr n = r->err_doc != NULL ? r->err_doc->last : NULL;

	r->nopen = 0;
	for (; n != NULL && r->nopen < MAX_PATH; n = n->last)
		if (n->type == XML_ELEMENT_NODE)
			r->open[r->nopen++] = n;
}

static void
set_error(struct xml_error *x, xmlErrorPtr e)
{
	size_t n;

	snprintf(x->msg, sizeof x->msg, "%s", e->message ? e->message :
	    "malformed XML");
	for (n = strlen(x->msg); n > 0 && (x->msg[n - 1] == '\n' ||
	    x->msg[n - 1] == ' '); n--)
		x->msg[n - 1] = '\0';
	for (char *p = x->msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	x->line = e->line;
	x->col = e->int2;
}

/* Errors wait for the reader; the first fatal one stops everything. */
static void
on_error(void *ctx, xmlErrorPtr e)
{
	struct reader *r = ctx;

	if (e->level < XML_ERR_ERROR || r->fatal)
		return;
	if (e->level != XML_ERR_FATAL && e->domain != XML_FROM_IO &&
	    e->domain != XML_FROM_I18N) {
		if (r->npending < MAX_PENDING)
			set_error(&r->pending[(r->head + r->npending++) %
			    MAX_PENDING], e);
		return;
	}
	r->fatal = true;
	set_error(&r->stop, e);
	if (e->domain == XML_FROM_PARSER)
		note_open(r, e->ctxt);
	if (e->code == XML_ERR_DOCUMENT_END && r->nopen > 0 &&
	    !r->open_unknown)
		snprintf(r->stop.msg, sizeof r->stop.msg, "the document ends "
		    "before element '%.64s' does",
		    (const char *)r->open[r->nopen - 1]->name);
}

static int
read_cb(void *ctx, char *buf, int len)
{
	struct reader *r = ctx;
	ssize_t n = r->read(r->ctx, buf, (size_t)len);

	if (n < 0)
		r->io_failed = true;
	else
		r->bytes_read += (size_t)n;
	return (int)n;
}

static void
reject(struct reader *r, const char *code, const struct xml_error *x)
{
	struct sdc_xml_build *b = &r->b;
	const char *id = sdc_idbuf_make(&b->id, (uint64_t)x->line);

	b->run->n.in++;
	sdc_run_reject_raw(b->run, id, "", 0, code, "%s:%ld:%ld: %s", b->name,
	    x->line, x->col, x->msg);
}

/*
 * The errors libxml2 reported before the reader came to at, for the
 * parser reads ahead, as error records: the record being built, or
 * one of their own (at NULL: all of them).
 */
static void
report_pending(struct reader *r, xmlNodePtr at)
{
	char why[400];

	while (r->npending > 0) {
		const struct xml_error *x = &r->pending[r->head];

		if (at != NULL && (xmlGetLineNo(at) < x->line ||
		    (!sdc_xml_build_active(&r->b) &&
		    at->type != XML_ELEMENT_NODE)))
			return;
		if (sdc_xml_build_active(&r->b) && at != NULL) {
			snprintf(why, sizeof why, "%s:%ld:%ld: %s", r->b.name,
			    x->line, x->col, x->msg);
			sdc_xml_build_refuse(&r->b, "XML_ERROR", why);
		} else {
			reject(r, "XML_ERROR", x);
		}
		r->head = (r->head + 1) % MAX_PENDING;
		r->npending--;
	}
}

/* Matching --xml-record. */
static bool
step_matches(const struct reader *r, const struct sdc_xml_step *s,
    xmlNodePtr el)
{
	const xmlNs *ns = el->ns;

	if (strcmp(s->local, "*") != 0 &&
	    strcmp(s->local, (const char *)el->name) != 0)
		return false;
	if (s->prefix == NULL)
		return true;
	for (size_t i = 0; i < r->o->nns; i++)
		if (strcmp(r->o->ns[i].prefix, s->prefix) == 0)
			return ns != NULL && strcmp((const char *)ns->href,
			    r->o->ns[i].uri) == 0;
	return ns != NULL && ns->prefix != NULL &&
	    strcmp((const char *)ns->prefix, s->prefix) == 0;
}

static bool
starts_record(struct reader *r, xmlNodePtr el, int depth)
{
	const struct sdc_xml_opts *o = r->o;
	bool ok;

	if (o->anywhere)
		return step_matches(r, &o->steps[0], el);
	if (o->nsteps == 0)
		return depth == 1;
	if ((size_t)depth >= o->nsteps || depth >= MAX_PATH)
		return false;
	ok = (depth == 0 || r->matched[depth - 1]) &&
	    step_matches(r, &o->steps[depth], el);
	r->matched[depth] = ok;
	return ok && (size_t)depth == o->nsteps - 1;
}

/* The nodes, from the reader or from the tree. */
static void
start(struct reader *r, xmlNodePtr el)
{
	int depth = r->depth++;

	if (sdc_xml_build_active(&r->b) || starts_record(r, el, depth))
		sdc_xml_build_start(&r->b, el);
}

static void
end(struct reader *r)
{
	r->depth--;
	if (sdc_xml_build_active(&r->b))
		sdc_xml_build_end(&r->b);
}

static void
content(struct reader *r, xmlNodePtr n)
{
	if (!sdc_xml_build_active(&r->b))
		return;
	if (n->type == XML_ENTITY_REF_NODE)
		sdc_xml_build_entity(&r->b, n);
	else if ((n->type == XML_TEXT_NODE ||
	    n->type == XML_CDATA_SECTION_NODE) && n->content != NULL)
		sdc_xml_build_text(&r->b, (const char *)n->content,
		    strlen((const char *)n->content));
}

static void
reader_node(struct reader *r)
{
	xmlNodePtr n = xmlTextReaderCurrentNode(r->xr);
	int type = xmlTextReaderNodeType(r->xr);

	r->last = n;
	r->last_open = false;
	if (type == XML_READER_TYPE_ELEMENT) {
		start(r, n);
		if (xmlTextReaderIsEmptyElement(r->xr) == 1)
			end(r);
		else
			r->last_open = true;
	} else if (type == XML_READER_TYPE_END_ELEMENT) {
		end(r);
	} else {
		content(r, n);
	}
}

static bool
is_open(const struct reader *r, xmlNodePtr n)
{
	for (int i = 0; i < r->nopen; i++)
		if (r->open[i] == n)
			return true;
	return false;
}

/* Past n's subtree: the ends of the elements it closes, the next node. */
static xmlNodePtr
after(struct reader *r, xmlNodePtr n)
{
	while (n->next == NULL) {
		n = n->parent;
		if (n == NULL || n->type != XML_ELEMENT_NODE)
			return NULL;
		if (is_open(r, n))
			return NULL;
		end(r);
	}
	return n->next;
}

/*
 * What the parser had read before its fatal error and the reader had
 * not handed out, in document order; elements left open never end.
 * The reader may have moved on to a text node it was completing (and
 * freed the one before): the walk starts there.
 */
static void
walk_rest(struct reader *r)
{
	xmlNodePtr cur = xmlTextReaderCurrentNode(r->xr), n;

	if (cur != NULL && cur != r->last)
		n = cur;
	else if (r->last == NULL)
		n = r->err_doc != NULL ? r->err_doc->children : NULL;
	else if (!r->last_open)
		n = after(r, r->last);
	else if ((n = r->last->children) == NULL && !is_open(r, r->last)) {
		end(r);
		n = after(r, r->last);
	}
	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE) {
			start(r, n);
			report_pending(r, n);
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
			if (is_open(r, n))
				return;
			end(r);
		} else {
			content(r, n);
			report_pending(r, n);
		}
		n = after(r, n);
	}
}

/*
 * The parser gave up: what it read is walked, then the error that
 * stopped it, placed where it stopped, ends the input.
 */
static void
stopped(struct reader *r)
{
	if (r->open_unknown)
		open_to_the_end(r);
	if (r->err_doc != NULL)
		walk_rest(r);
	r->b.nframes = 0;	/* a record cut short: the error says it */
	report_pending(r, NULL);
	if (!r->fatal || r->bytes_read == 0)
		snprintf(r->stop.msg, sizeof r->stop.msg, r->bytes_read == 0 ?
		    "no document: the input is empty" : "malformed XML");
	r->stop.line = xmlTextReaderGetParserLineNumber(r->xr);
	r->stop.col = xmlTextReaderGetParserColumnNumber(r->xr);
	reject(r, "XML_PARSE", &r->stop);
}

bool
sdc_xml_read_doc(struct sdc_run *run, const char *name,
    const struct sdc_xml_opts *o, sdc_xml_read_fn read, void *ctx)
{
	struct reader *r = sdc_xcalloc(1, sizeof *r);
	bool ok;
	int ret;

	r->o = o;
	r->read = read;
	r->ctx = ctx;
	sdc_xml_build_init(&r->b, run, name, o->preserve_root);
	xmlSetExternalEntityLoader(refuse_entity);
	r->xr = xmlReaderForIO(read_cb, NULL, r, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	if (r->xr == NULL)
		abort();	/* out of memory */
	xmlTextReaderSetStructuredErrorHandler(r->xr, on_error, r);
	xmlSetStructuredErrorFunc(r, on_error);	/* encodings, input */
	while ((ret = xmlTextReaderRead(r->xr)) == 1) {
		reader_node(r);
		report_pending(r, r->last);
	}
	if (r->io_failed)
		;	/* the caller says so */
	else if (ret < 0 || r->fatal)
		stopped(r);
	else
		report_pending(r, NULL);
	ok = !r->io_failed;
	xmlFreeTextReader(r->xr);
	xmlSetStructuredErrorFunc(NULL, NULL);
	sdc_xml_build_release(&r->b);
	free(r);
	return ok;
}
