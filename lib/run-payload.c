/*
 * The payloads of a record stream parsed as another format, as Data
 * Collector's Data Parser processor does: each data record's BYTE_ARRAY
 * or STRING (its root, or the field given) is one input of the format,
 * whose records carry the original's header attributes and ids made
 * from its id.  The other frames go on as they came.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "input.h"
#include "path.h"
#include "run.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

struct sdc_payload_parser {
	struct sdc_run		*run;
	const struct sdc_format	*fmt;
	const void		*opts;
	const struct sdc_path	*field;		/* NULL: the root */
	void			*reader;	/* fmt's, or NULL: fmt->read */
	struct sdc_record	 rec;		/* the record of the payload */
	char			*name;		/* of the payload's input */
	size_t			 name_cap;
};

struct sdc_payload_parser *
sdc_payload_parser_new(struct sdc_run *run, const struct sdc_format *fmt,
    const void *opts, const struct sdc_path *field)
{
	struct sdc_payload_parser *p = sdc_xcalloc(1, sizeof *p);

	p->run = run;
	p->fmt = fmt;
	p->opts = opts;
	p->field = field != NULL && field->n > 0 ? field : NULL;
	sdc_record_init(&p->rec);
	if (fmt->reader_new != NULL)
		p->reader = fmt->reader_new(run, opts);
	return p;
}

void
sdc_payload_parser_free(struct sdc_payload_parser *p)
{
	if (p == NULL)
		return;
	if (p->reader != NULL)
		p->fmt->reader_free(p->reader);
	sdc_record_release(&p->rec);
	free(p->name);
	free(p);
}

/* NULL when the record has nothing to parse, why saying so. */
static const struct sdc_field *
payload_of(struct sdc_payload_parser *p, char *why, size_t len)
{
	struct sdc_field *f = &p->rec.root;
	const char *what = p->field != NULL ? "payload field" : "root";

	if (p->field != NULL && (f = sdc_path_get(f, p->field)) == NULL)
		snprintf(why, len, "the record has no payload field");
	else if (f->type != SDC_BYTE_ARRAY && f->type != SDC_STRING)
		snprintf(why, len, "the %s is a %s, not a BYTE_ARRAY or STRING",
		    what, sdc_type_name(f->type));
	else if (f->null)
		snprintf(why, len, "the %s is null", what);
	else
		return f;
	return NULL;
}

static void
reserve_name(struct sdc_payload_parser *p, size_t n)
{
	if (n <= p->name_cap)
		return;
	p->name_cap = n + 64;
	p->name = sdc_xrealloc(p->name, p->name_cap);
}

/* The original's id, or where its frame is when it has none. */
static const char *
payload_name(struct sdc_payload_parser *p, struct sdc_frame_reader *fr,
    const struct sdc_frame *f)
{
	const struct sdc_str *id = &p->rec.h.id;

	if (id->len == 0) {
		reserve_name(p, strlen(fr->name) + 32);
		snprintf(p->name, p->name_cap, "%s:byte %llu", fr->name,
		    (unsigned long long)f->offset);
		return p->name;
	}
	reserve_name(p, id->len + 1);
	memcpy(p->name, id->ptr, id->len);
	p->name[id->len] = '\0';
	return p->name;
}

/*
 * The reader counts what it parses as read; here the payload record is
 * what was read, once, and the records parsed from it what goes out.
 */
static void
parse(struct sdc_payload_parser *p, const struct sdc_field *payload,
    const char *name)
{
	struct sdc_run *run = p->run;
	struct sdc_input in;
	uint64_t counted = run->n.in;

	sdc_input_memory(&in, name, payload->v.s.ptr, payload->v.s.len);
	run->stamp = p->rec.h.attrs;
	run->nstamp = p->rec.h.nattrs;
	if (p->reader != NULL)
		p->fmt->reader_feed(p->reader, &in);
	else
		p->fmt->read(run, &in, p->opts);
	run->stamp = NULL;
	run->nstamp = 0;
	run->n.in = counted;
}

void
sdc_payload_parser_frame(struct sdc_payload_parser *p,
    struct sdc_frame_reader *fr, const struct sdc_frame *f)
{
	struct sdc_run *run = p->run;
	const struct sdc_field *payload;
	const char *reason;
	char why[128];

	if (f->kind != SDC_KIND_DATA) {
		sdc_run_pass_frame(run, fr, f, &p->rec);
		return;
	}
	run->n.bytes_in += f->size;
	run->n.in++;
	if (sdc_wire_decode(&p->rec, f->kind, f->payload, f->payload_len,
	    &reason) != 0)
		sdc_run_bad_frame(run, fr, f, reason);
	else if ((payload = payload_of(p, why, sizeof why)) == NULL)
		sdc_run_reject(run, &p->rec, "SDC_NO_PAYLOAD", "%s: nothing "
		    "to parse as %s: %s", payload_name(p, fr, f),
		    p->fmt->name, why);
	else
		parse(p, payload, payload_name(p, fr, f));
}
