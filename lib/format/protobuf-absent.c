/*
 * What the record of a message holds for a field the message does not
 * carry: an empty LIST or MAP when repeated, null when the field has
 * presence (unless proto2 declares a default), else its zero value as
 * proto3 has it.  Built once per message, copied into each record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protobuf.h"
#include "banned.h"

enum sdc_type
sdc_pb_record_type(const struct sdc_pb_field *f)
{
	switch (f->type) {
	case SDC_PB_DOUBLE:
		return SDC_DOUBLE;
	case SDC_PB_FLOAT:
		return SDC_FLOAT;
	case SDC_PB_INT32: case SDC_PB_SINT32: case SDC_PB_SFIXED32:
		return SDC_INTEGER;
	case SDC_PB_BOOL:
		return SDC_BOOLEAN;
	case SDC_PB_STRING: case SDC_PB_ENUM:
		return SDC_STRING;
	case SDC_PB_BYTES: case SDC_PB_GROUP:
		return SDC_BYTE_ARRAY;
	case SDC_PB_MESSAGE:
		if (f->msg->special == SDC_PB_TIMESTAMP)
			return SDC_DATETIME;
		if (f->msg->special == SDC_PB_WRAPPER && f->msg->nfields > 0)
			return sdc_pb_record_type(&f->msg->fields[0]);
		return SDC_MAP;
	default:
		return SDC_LONG;
	}
}

/* protoc's C escapes of a bytes default: \n, \", \\, \ooo, \xHH. */
static size_t
unescape(uint8_t *d, const char *s)
{
	size_t n = 0;

	while (*s != '\0') {
		const char *simple = "n\nr\rt\t\\\\'\'\"\"a\ab\bf\fv\v?\?";
		const char *hit;
		unsigned v = 0;
		int k;

		if (*s != '\\' || s[1] == '\0') {
			d[n++] = (uint8_t)*s++;
			continue;
		}
		s++;
		if ((hit = strchr(simple, *s)) != NULL &&
		    (hit - simple) % 2 == 0) {
			d[n++] = (uint8_t)hit[1];
			s++;
		} else if (*s == 'x') {
			for (s++, k = 0; k < 2 && *s != '\0' &&
			    strchr("0123456789abcdefABCDEF", *s); k++, s++)
				v = v * 16 + (unsigned)(*s <= '9' ? *s - '0' :
				    (*s | 0x20) - 'a' + 10);
			d[n++] = (uint8_t)v;
		} else {
			for (k = 0; k < 3 && *s >= '0' && *s <= '7'; k++, s++)
				v = v * 8 + (unsigned)(*s - '0');
			d[n++] = (uint8_t)v;
		}
	}
	return n;
}

static bool
parse_number(struct sdc_field *v, const struct sdc_pb_field *f,
    const char *t)
{
	enum sdc_type rt = sdc_pb_record_type(f);
	char *end;

	errno = 0;
	if (rt == SDC_DOUBLE || rt == SDC_FLOAT) {
		double d = strtod(t, &end);

		if (rt == SDC_FLOAT)
			sdc_field_float(v, (float)d);
		else
			sdc_field_double(v, d);
	} else if (f->type == SDC_PB_UINT64 || f->type == SDC_PB_FIXED64) {
		unsigned long long u = strtoull(t, &end, 10);

		if (t[0] == '-')
			return false;
		if (u > INT64_MAX)
			sdc_field_borrow(v, SDC_DECIMAL, t, strlen(t));
		else
			sdc_field_int(v, SDC_LONG, (int64_t)u);
	} else {
		sdc_field_int(v, rt, strtoll(t, &end, 10));
	}
	return errno == 0 && end != t && *end == '\0';
}

static bool
parse_default(struct sdc_pb_schema *s, struct sdc_field *v,
    const struct sdc_pb_field *f, const char *t)
{
	uint8_t *bytes;

	switch (f->type) {
	case SDC_PB_BOOL:
		sdc_field_bool(v, strcmp(t, "true") == 0);
		return strcmp(t, "true") == 0 || strcmp(t, "false") == 0;
	case SDC_PB_STRING:
		sdc_field_borrow(v, SDC_STRING, t, strlen(t));
		return true;
	case SDC_PB_BYTES:
		bytes = sdc_arena_alloc(&s->arena, strlen(t) + 1);
		sdc_field_borrow(v, SDC_BYTE_ARRAY, bytes, unescape(bytes, t));
		return true;
	case SDC_PB_ENUM:
		for (size_t i = 0; i < f->en->nvalues; i++)
			if (strcmp(f->en->values[i].name.ptr, t) == 0) {
				sdc_field_borrow(v, SDC_STRING, t, strlen(t));
				return true;
			}
		return false;
	default:
		return parse_number(v, f, t);
	}
}

static void
zero(struct sdc_field *v, const struct sdc_pb_field *f)
{
	enum sdc_type rt = sdc_pb_record_type(f);
	const struct sdc_pb_enum_value *e;

	if (rt == SDC_STRING || rt == SDC_BYTE_ARRAY)
		sdc_field_borrow(v, rt, "", 0);
	else if (rt == SDC_DOUBLE)
		sdc_field_double(v, 0);
	else if (rt == SDC_FLOAT)
		sdc_field_float(v, 0);
	else if (rt == SDC_BOOLEAN)
		sdc_field_bool(v, false);
	else
		sdc_field_int(v, rt, 0);
	if (f->type == SDC_PB_ENUM &&
	    (e = sdc_pb_enum_by_number(f->en, 0)) != NULL)
		sdc_field_borrow(v, SDC_STRING, e->name.ptr, e->name.len);
	else if (f->type == SDC_PB_ENUM)
		sdc_field_int(v, SDC_INTEGER, 0);
}

int
sdc_pb_absent_build(struct sdc_pb_schema *s, struct sdc_pb_message *m,
    char *err, size_t errlen)
{
	m->absent = sdc_arena_alloc(&s->arena,
	    (m->nfields + 1) * sizeof *m->absent);
	for (uint32_t i = 0; i < m->nfields; i++) {
		const struct sdc_pb_field *f = &m->fields[i];
		struct sdc_field *v = &m->absent[i].value;

		m->absent[i].key = f->name;
		if (f->is_map)
			sdc_field_container(v, SDC_MAP);
		else if (f->repeated)
			sdc_field_container(v, SDC_LIST);
		else if (f->default_text != NULL && f->type != SDC_PB_MESSAGE) {
			if (!parse_default(s, v, f, f->default_text)) {
				snprintf(err, errlen, "%s.%s: bad default "
				    "'%s'", m->full_name, f->name.ptr,
				    f->default_text);
				return -1;
			}
		} else if (f->presence || f->type == SDC_PB_MESSAGE)
			sdc_field_null(v, sdc_pb_record_type(f));
		else
			zero(v, f);
	}
	return 0;
}
