/*
 * A schema for records like the first one written, when none is given:
 * maps become records (every field nullable, defaulting to null), lists
 * arrays, and scalars their nearest Avro type; man/sdc-convert.1 lists
 * the mapping.  The schema is made as JSON and parsed like any other.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro-format.h"
#include "banned.h"

static json_t *derive(const struct sdc_field *f, const char *name);

static bool
valid_key(const struct sdc_str *k)
{
	if (k->len == 0 || k->len > 200 || (k->ptr[0] >= '0' &&
	    k->ptr[0] <= '9'))
		return false;
	for (size_t i = 0; i < k->len; i++) {
		char c = k->ptr[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static json_t *
logical(const char *type, const char *lt)
{
	return json_pack("{s:s,s:s}", "type", type, "logicalType", lt);
}

/*
 * A DECIMAL's precision and scale from its attributes, as the Avro
 * reader sets them; else the scale of its text, its digits after the
 * point, with room for 38 digits.
 */
static json_t *
decimal(const struct sdc_field *f)
{
	int scale = 0, digits = 0;
	bool frac = false;

	if (sdc_avro_decimal_attrs_get(f, &digits, &scale))
		return json_pack("{s:s,s:s,s:i,s:i}", "type", "bytes",
		    "logicalType", "decimal", "precision", digits, "scale",
		    scale);
	for (size_t i = 0; !f->null && i < f->v.s.len; i++) {
		char c = f->v.s.ptr[i];

		if (c == 'e' || c == 'E')
			break;
		if (c == '.')
			frac = true;
		else if (c >= '0' && c <= '9') {
			digits++;
			scale += frac;
		}
	}
	return json_pack("{s:s,s:s,s:i,s:i}", "type", "bytes", "logicalType",
	    "decimal", "precision", digits > 38 ? digits : 38, "scale", scale);
}

static json_t *
nullable(json_t *t)
{
	return json_pack("[s,o]", "null", t);
}

static json_t *
record(const struct sdc_field *f, const char *name)
{
	json_t *fields = json_array();
	char sub[512];

	for (uint32_t i = 0; i < f->count; i++) {
		const struct sdc_entry *e = &f->v.entries[i];
		json_t *t;

		snprintf(sub, sizeof sub, "%s_%.*s", name, (int)e->key.len,
		    e->key.ptr);
		t = derive(&e->value, sub);
		json_array_append_new(fields, json_pack("{s:s%,s:o,s:n}",
		    "name", e->key.ptr, e->key.len, "type", nullable(t),
		    "default"));
	}
	return json_pack("{s:s,s:s,s:o}", "type", "record", "name", name,
	    "fields", fields);
}

static json_t *
container(const struct sdc_field *f, const char *name)
{
	char sub[512];
	bool names = true;

	if (f->type == SDC_LIST) {
		snprintf(sub, sizeof sub, "%s_item", name);
		return json_pack("{s:s,s:o}", "type", "array", "items",
		    nullable(f->count > 0 && !f->null ?
		    derive(&f->v.items[0], sub) : json_string("string")));
	}
	for (uint32_t i = 0; i < f->count && names; i++)
		names = valid_key(&f->v.entries[i].key);
	if (names || f->null)
		return record(f, name);
	snprintf(sub, sizeof sub, "%s_value", name);
	return json_pack("{s:s,s:o}", "type", "map", "values",
	    nullable(derive(&f->v.entries[0].value, sub)));
}

static json_t *
derive(const struct sdc_field *f, const char *name)
{
	switch (f->type) {
	case SDC_BOOLEAN:
		return json_string("boolean");
	case SDC_BYTE:
	case SDC_SHORT:
	case SDC_INTEGER:
		return json_string("int");
	case SDC_LONG:
		return json_string("long");
	case SDC_FLOAT:
		return json_string("float");
	case SDC_DOUBLE:
		return json_string("double");
	case SDC_DECIMAL:
		return decimal(f);
	case SDC_DATE:
		return logical("int", "date");
	case SDC_TIME:
		return logical("long", "time-micros");
	case SDC_DATETIME:
	case SDC_ZONED_DATETIME:
		return logical("long", "timestamp-millis");
	case SDC_BYTE_ARRAY:
		return json_string("bytes");
	case SDC_LIST:
	case SDC_MAP:
	case SDC_LIST_MAP:
		return container(f, name);
	default:	/* STRING, CHAR */
		return json_string("string");
	}
}

void
sdc_avro_schema_derive(struct sdc_avro_schema *s, const struct sdc_field *root)
{
	json_t *j = derive(root, "record");
	char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	char err[256];

	if (sdc_avro_schema_parse(s, text, strlen(text), err, sizeof err) != 0)
		sdc_avro_schema_parse(s, "\"string\"", 8, err, sizeof err);
	free(text);
	json_decref(j);
}
