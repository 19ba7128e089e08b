/*
 * NetFlow version 9 (RFC 3954): after a 20-byte header, flowsets of
 * templates (ID 0), options templates (ID 1) and data records (the ID
 * of their template).  Templates are remembered in the options' cache
 * by source id and template id; a data flowset whose
 * template is not known yet becomes an error record (it is not held
 * back for a template that may come later).
 */
#include <stdlib.h>
#include <string.h>

#include "netflow.h"
#include "xalloc.h"
#include "banned.h"

struct v9_packet {
	const uint8_t	*h;	/* the header */
	uint64_t	 at;	/* its input offset */
};

static bool
fields_ok(struct sdc_nf_template *t)
{
	t->total = 0;
	for (size_t i = 0; i < t->nf; i++) {
		if (t->f[i].len == 0)
			return false;
		t->total += t->f[i].len;
	}
	return t->total > 0;
}

static void
learn(struct sdc_nf_reader *r, struct sdc_nf_template *t, const uint8_t *p,
    size_t n, uint64_t at)
{
	if (!fields_ok(t)) {
		sdc_nf_reject(r, p, n, at, "template %u has a field of no "
		    "length, or no fields", t->id);
		free(t->f);
		return;
	}
	sdc_nf_cache_put(r->o->cache, t);
}

/* Read n (type, length) pairs at p into t. */
static void
read_fields(struct sdc_nf_template *t, const uint8_t *p, size_t n,
    bool scope)
{
	for (size_t i = 0; i < n; i++, p += 4) {
		struct sdc_nf_tfield *f = &t->f[t->nf++];

		f->type = sdc_be16(p);
		f->len = sdc_be16(p + 2);
		f->scope = scope;
	}
}

/* A template flowset's body: its templates, one after another. */
static void
templates(struct sdc_nf_reader *r, const struct v9_packet *pk,
    const uint8_t *p, size_t n, uint64_t at)
{
	size_t i = 0;

	while (n - i >= 4) {
		struct sdc_nf_template t = { .source_id = sdc_be32(pk->h + 16),
		    .id = sdc_be16(p + i) };
		size_t count = sdc_be16(p + i + 2);

		if (n - i - 4 < 4 * count) {
			sdc_nf_reject(r, p + i, n - i, at + i, "template %u of "
			    "%zu fields cut short by the end of its flowset",
			    t.id, count);
			return;
		}
		if (t.id < 256)
			sdc_nf_reject(r, p + i, 4 + 4 * count, at + i,
			    "template id %u, not 256 or more", t.id);
		else {
			t.f = sdc_xcalloc(count ? count : 1, sizeof *t.f);
			read_fields(&t, p + i + 4, count, false);
			learn(r, &t, p + i, 4 + 4 * count, at + i);
		}
		i += 4 + 4 * count;
	}
}

/* An options template flowset: id, scope length, options length. */
static void
options_templates(struct sdc_nf_reader *r, const struct v9_packet *pk,
    const uint8_t *p, size_t n, uint64_t at)
{
	size_t i = 0;

	while (n - i >= 6) {
		struct sdc_nf_template t = { .source_id = sdc_be32(pk->h + 16),
		    .id = sdc_be16(p + i), .options = true };
		size_t scope = sdc_be16(p + i + 2), opt = sdc_be16(p + i + 4);

		if (scope % 4 != 0 || opt % 4 != 0 ||
		    n - i - 6 < scope + opt) {
			sdc_nf_reject(r, p + i, n - i, at + i, "options "
			    "template %u: scope length %zu and option length "
			    "%zu do not fit its flowset in fours", t.id,
			    scope, opt);
			return;
		}
		if (t.id < 256)
			sdc_nf_reject(r, p + i, 6 + scope + opt, at + i,
			    "options template id %u, not 256 or more", t.id);
		else {
			t.f = sdc_xcalloc((scope + opt) / 4 + 1, sizeof *t.f);
			read_fields(&t, p + i + 6, scope / 4, true);
			read_fields(&t, p + i + 6 + scope, opt / 4, false);
			learn(r, &t, p + i, 6 + scope + opt, at + i);
		}
		/* what is left is padding when less than a template */
		i += 6 + scope + opt;
	}
}

static struct sdc_field *
put(struct sdc_record *rec, struct sdc_field *map, const char *key)
{
	return sdc_map_append(&rec->arena, map, key, strlen(key));
}

static void
header(struct sdc_record *rec, const struct v9_packet *pk)
{
	struct sdc_field *h = put(rec, &rec->root, "packetHeader");

	sdc_field_container(h, SDC_LIST_MAP);
	sdc_field_int(put(rec, h, "version"), SDC_INTEGER, 9);
	sdc_field_int(put(rec, h, "flowRecordCount"), SDC_INTEGER,
	    sdc_be16(pk->h + 2));
	sdc_field_int(put(rec, h, "sysUptimeMs"), SDC_LONG, sdc_be32(pk->h +
	    4));
	sdc_field_int(put(rec, h, "unixSeconds"), SDC_LONG, sdc_be32(pk->h +
	    8));
	sdc_field_int(put(rec, h, "sequenceNumber"), SDC_LONG,
	    sdc_be32(pk->h + 12));
	sdc_field_int(put(rec, h, "sourceId"), SDC_LONG, sdc_be32(pk->h + 16));
	sdc_field_copy_bytes(&rec->arena, put(rec, h, "sourceIdRaw"),
	    SDC_BYTE_ARRAY, pk->h + 16, 4);
}

/* The fields of one data record, raw or interpreted. */
static void
values(struct sdc_record *rec, const struct sdc_nf_template *t,
    const uint8_t *p, const char *key, bool raw)
{
	struct sdc_field *m = put(rec, &rec->root, key);
	char name[32];

	sdc_field_container(m, SDC_LIST_MAP);
	for (size_t i = 0; i < t->nf; i++) {
		const char *k = sdc_nf_field_name(&t->f[i], name, sizeof name);
		struct sdc_field *f = sdc_map_put(&rec->arena, m, k,
		    strlen(k));

		if (raw)
			sdc_field_copy_bytes(&rec->arena, f, SDC_BYTE_ARRAY, p,
			    t->f[i].len);
		else
			sdc_nf_interpret(&rec->arena, f, &t->f[i], p);
		p += t->f[i].len;
	}
}

static void
data_record(struct sdc_nf_reader *r, const struct v9_packet *pk,
    const struct sdc_nf_template *t, const uint8_t *p)
{
	struct sdc_record *rec = &r->rec;
	enum sdc_nf_values mode = r->o->values;

	sdc_nf_new_record(r, SDC_LIST_MAP);
	sdc_field_borrow(put(rec, &rec->root, "flowKind"), SDC_STRING,
	    t->options ? "OPTIONS" : "FLOWSET", 7);
	header(rec, pk);
	sdc_field_int(put(rec, &rec->root, "flowTemplateId"), SDC_INTEGER,
	    t->id);
	if (mode != SDC_NF_INTERPRETED)
		values(rec, t, p, "rawValues", true);
	if (mode != SDC_NF_RAW)
		values(rec, t, p, "values", false);
	r->run->n.in++;
	sdc_run_emit(r->run, rec);
}

static void
data(struct sdc_nf_reader *r, const struct v9_packet *pk, uint16_t id,
    const uint8_t *p, size_t n, uint64_t at)
{
	uint32_t source = sdc_be32(pk->h + 16);
	struct sdc_nf_template *t = sdc_nf_cache_get(r->o->cache, source,
	    id);
	size_t i = 0;

	if (t == NULL) {
		sdc_nf_reject(r, p - 4, n + 4, at - 4, "data flowset of "
		    "template %u from source id %lu, a template not known "
		    "(yet)", id, (unsigned long)source);
		return;
	}
	/* what is left is padding when less than a record */
	for (; n - i >= t->total; i += t->total)
		data_record(r, pk, t, p + i);
}

size_t
sdc_nf_v9_packet(struct sdc_nf_reader *r, const uint8_t *p, size_t have,
    uint64_t at)
{
	struct v9_packet pk = { p, at };
	size_t i = 20;

	while (have - i >= 4) {
		uint16_t id = sdc_be16(p + i);
		size_t len = sdc_be16(p + i + 2);

		if (id == 5 || id == 9)		/* the next packet */
			break;
		if (len < 4 || len > have - i) {
			sdc_nf_reject(r, p + i, have - i, at + i, "flowset "
			    "length %zu where %zu bytes are left", len,
			    have - i);
			return 0;
		}
		if (id == 0)
			templates(r, &pk, p + i + 4, len - 4, at + i + 4);
		else if (id == 1)
			options_templates(r, &pk, p + i + 4, len - 4,
			    at + i + 4);
		else if (id < 256)
			sdc_nf_reject(r, p + i, len, at + i, "flowset id %u "
			    "is reserved", id);
		else
			data(r, &pk, id, p + i + 4, len - 4, at + i + 4);
		i += len;
	}
	return i;
}
