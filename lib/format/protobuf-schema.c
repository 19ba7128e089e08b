/*
 * A descriptor set as the tables the protobuf decoder and encoder walk:
 * protobuf-c has no dynamic messages, so libprotobuf-c only unpacks the
 * FileDescriptorSet (protoc-c's code for descriptor.proto) and each
 * message becomes an array of fields with a lookup by number.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "google/protobuf/descriptor.pb-c.h"

#include "buf.h"
#include "protobuf.h"
#include "xalloc.h"
#include "banned.h"

#define DESC_MAX	((size_t)64 << 20)
#define DENSE_MAX	1024u	/* numbers below it: direct lookup */

typedef Google__Protobuf__FileDescriptorSet	FileSet;
typedef Google__Protobuf__FileDescriptorProto	FileProto;
typedef Google__Protobuf__DescriptorProto	MsgProto;
typedef Google__Protobuf__FieldDescriptorProto	FieldProto;
typedef Google__Protobuf__EnumDescriptorProto	EnumProto;

/* What loading needs of each message and enum beside its table. */
struct load {
	struct sdc_pb_schema	*s;
	const MsgProto		**mprotos;	/* as s->msgs */
	bool			*proto3;
	const EnumProto		**eprotos;
	char			*err;
	size_t			 errlen;
};

static const char *const wrappers[] = {
	"google.protobuf.DoubleValue", "google.protobuf.FloatValue",
	"google.protobuf.Int64Value", "google.protobuf.UInt64Value",
	"google.protobuf.Int32Value", "google.protobuf.UInt32Value",
	"google.protobuf.BoolValue", "google.protobuf.StringValue",
	"google.protobuf.BytesValue", NULL
};

static int
fail(struct load *l, const char *what, const char *name)
{
	snprintf(l->err, l->errlen, "%s%s%s", what, name ? ": " : "",
	    name ? name : "");
	return -1;
}

/* The file at path in b: NULL, or why not. */
static const char *
slurp(const char *path, struct sdc_buf *b)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = 1;

	if (fd < 0)
		return strerror(errno);
	while (n > 0) {
		if (!sdc_buf_reserve(b, 65536)) {
			close(fd);
			return "larger than 64 MiB";
		}
		n = read(fd, b->data + b->len, 65536);
		if (n > 0)
			b->len += (size_t)n;
	}
	close(fd);
	return n == 0 ? NULL : strerror(errno);
}

static char *
join(struct sdc_arena *a, const char *scope, const char *name)
{
	size_t n = strlen(scope), m = strlen(name);
	char *s = sdc_arena_alloc(a, n + m + 2);

	memcpy(s, scope, n);
	s[n] = '.';
	memcpy(s + (n ? n + 1 : 0), name, m + 1);
	return s;
}

static void
count_msgs(const MsgProto *m, size_t *nm, size_t *ne)
{
	*nm += 1;
	*ne += m->n_enum_type;
	for (size_t i = 0; i < m->n_nested_type; i++)
		count_msgs(m->nested_type[i], nm, ne);
}

static void
add_enum(struct load *l, const char *scope, const EnumProto *e)
{
	struct sdc_pb_schema *s = l->s;

	l->eprotos[s->nenums] = e;
	s->enums[s->nenums++].full_name = join(&s->arena, scope, e->name);
}

static void
add_msg(struct load *l, const char *scope, const MsgProto *m, bool proto3)
{
	struct sdc_pb_schema *s = l->s;
	char *name = join(&s->arena, scope, m->name);

	l->mprotos[s->nmsgs] = m;
	l->proto3[s->nmsgs] = proto3;
	s->msgs[s->nmsgs++].full_name = name;
	for (size_t i = 0; i < m->n_enum_type; i++)
		add_enum(l, name, m->enum_type[i]);
	for (size_t i = 0; i < m->n_nested_type; i++)
		add_msg(l, name, m->nested_type[i], proto3);
}

static void
collect(struct load *l, const FileSet *set)
{
	struct sdc_pb_schema *s = l->s;
	size_t nm = 0, ne = 0;

	for (size_t f = 0; f < set->n_file; f++) {
		const FileProto *fp = set->file[f];

		ne += fp->n_enum_type;
		for (size_t i = 0; i < fp->n_message_type; i++)
			count_msgs(fp->message_type[i], &nm, &ne);
	}
	s->msgs = sdc_xcalloc(nm + 1, sizeof *s->msgs);
	s->enums = sdc_xcalloc(ne + 1, sizeof *s->enums);
	l->mprotos = sdc_xcalloc(nm + 1, sizeof *l->mprotos);
	l->proto3 = sdc_xcalloc(nm + 1, sizeof *l->proto3);
	l->eprotos = sdc_xcalloc(ne + 1, sizeof *l->eprotos);
	for (size_t f = 0; f < set->n_file; f++) {
		const FileProto *fp = set->file[f];
		const char *pkg = fp->package ? fp->package : "";
		bool p3 = fp->syntax && strcmp(fp->syntax, "proto3") == 0;

		for (size_t i = 0; i < fp->n_enum_type; i++)
			add_enum(l, pkg, fp->enum_type[i]);
		for (size_t i = 0; i < fp->n_message_type; i++)
			add_msg(l, pkg, fp->message_type[i], p3);
	}
}

static struct sdc_pb_message *
find_msg(const struct sdc_pb_schema *s, const char *full)
{
	for (size_t i = 0; i < s->nmsgs; i++)
		if (strcmp(s->msgs[i].full_name, full) == 0)
			return &s->msgs[i];
	return NULL;
}

static struct sdc_pb_enum *
find_enum(const struct sdc_pb_schema *s, const char *full)
{
	for (size_t i = 0; i < s->nenums; i++)
		if (strcmp(s->enums[i].full_name, full) == 0)
			return &s->enums[i];
	return NULL;
}

/* Stable, so that of aliases the first declared comes first. */
static void
sort_values(struct sdc_pb_enum_value *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct sdc_pb_enum_value x = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1].number > x.number; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void
build_enum(struct sdc_pb_enum *e, const EnumProto *p, struct sdc_arena *a)
{
	e->nvalues = p->n_value;
	e->values = sdc_arena_alloc(a, (p->n_value + 1) * sizeof *e->values);
	for (size_t i = 0; i < p->n_value; i++) {
		size_t n = strlen(p->value[i]->name);

		e->values[i].name.ptr = sdc_arena_memdup(a, p->value[i]->name,
		    n);
		e->values[i].name.len = n;
		e->values[i].number = p->value[i]->number;
	}
	sort_values(e->values, e->nvalues);
}

static uint8_t
wire_of(uint8_t type)
{
	switch (type) {
	case SDC_PB_DOUBLE: case SDC_PB_FIXED64: case SDC_PB_SFIXED64:
		return SDC_PB_I64;
	case SDC_PB_FLOAT: case SDC_PB_FIXED32: case SDC_PB_SFIXED32:
		return SDC_PB_I32;
	case SDC_PB_STRING: case SDC_PB_BYTES: case SDC_PB_MESSAGE:
		return SDC_PB_LEN;
	case SDC_PB_GROUP:
		return SDC_PB_SGROUP;
	default:
		return SDC_PB_VARINT;
	}
}

static enum sdc_pb_special
special_of(const char *full, const MsgProto *p)
{
	if (p->options && p->options->has_map_entry && p->options->map_entry)
		return SDC_PB_MAP_ENTRY;
	if (strcmp(full, "google.protobuf.Timestamp") == 0)
		return SDC_PB_TIMESTAMP;
	for (size_t i = 0; wrappers[i] != NULL; i++)
		if (strcmp(full, wrappers[i]) == 0)
			return SDC_PB_WRAPPER;
	return SDC_PB_PLAIN;
}

static int
resolve(struct load *l, struct sdc_pb_field *f, const FieldProto *p)
{
	const char *t = p->type_name;

	if (f->type != SDC_PB_MESSAGE && f->type != SDC_PB_ENUM &&
	    f->type != SDC_PB_GROUP)
		return 0;
	if (t == NULL || t[0] != '.')
		return fail(l, "type name not fully qualified (use protoc "
		    "--descriptor_set_out)", t ? t : p->name);
	if (f->type == SDC_PB_ENUM)
		f->en = find_enum(l->s, t + 1);
	else
		f->msg = find_msg(l->s, t + 1);
	if (f->en == NULL && f->msg == NULL)
		return fail(l, "type not in the descriptor set (protoc "
		    "--include_imports adds imports)", t + 1);
	return 0;
}

static bool
packable(uint8_t type)
{
	return wire_of(type) != SDC_PB_LEN && type != SDC_PB_GROUP;
}

static int
build_field(struct load *l, struct sdc_pb_field *f, const FieldProto *p,
    bool proto3)
{
	bool p3opt = p->has_proto3_optional && p->proto3_optional;

	f->name.ptr = p->name;
	f->name.len = strlen(p->name);
	if (p->number <= 0)
		return fail(l, "field number not positive", p->name);
	f->number = (uint32_t)p->number;
	f->type = (uint8_t)p->type;
	f->default_text = p->default_value;
	if (f->type < SDC_PB_DOUBLE || f->type > SDC_PB_SINT64)
		return fail(l, "field of an unknown type", p->name);
	f->wire = wire_of(f->type);
	f->repeated = p->label ==
	    GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REPEATED;
	f->packed = f->repeated && packable(f->type) && (p->options &&
	    p->options->has_packed ? p->options->packed : proto3);
	f->required = p->label ==
	    GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REQUIRED;
	f->oneof = p->has_oneof_index && !p3opt ? p->oneof_index : -1;
	f->presence = !f->repeated && (!proto3 || p3opt || f->oneof >= 0 ||
	    f->type == SDC_PB_MESSAGE || f->type == SDC_PB_GROUP);
	if (resolve(l, f, p) != 0)
		return -1;
	f->is_map = f->repeated && f->msg && f->msg->special ==
	    SDC_PB_MAP_ENTRY;
	return 0;
}

/* Insertion: fields are mostly declared in the order of their numbers. */
static void
sort_by_number(uint32_t *idx, uint32_t n, const struct sdc_pb_field *fs)
{
	for (uint32_t i = 1; i < n; i++) {
		uint32_t x = idx[i], j = i;

		for (; j > 0 && fs[idx[j - 1]].number > fs[x].number; j--)
			idx[j] = idx[j - 1];
		idx[j] = x;
	}
}

static void
index_fields(struct sdc_pb_message *m, struct sdc_arena *a)
{
	uint32_t max = 0;

	m->by_number = sdc_arena_alloc(a, (m->nfields + 1) * sizeof(uint32_t));
	for (uint32_t i = 0; i < m->nfields; i++) {
		m->by_number[i] = i;
		if (m->fields[i].number > max)
			max = m->fields[i].number;
	}
	sort_by_number(m->by_number, m->nfields, m->fields);
	m->ndense = max < DENSE_MAX ? max + 1 : DENSE_MAX;
	m->dense = sdc_arena_alloc(a, m->ndense * sizeof(uint16_t));
	memset(m->dense, 0, m->ndense * sizeof(uint16_t));
	for (uint32_t i = 0; i < m->nfields; i++)
		if (m->fields[i].number < m->ndense)
			m->dense[m->fields[i].number] = (uint16_t)(i + 1);
}

/* Fields and oneofs, once every message's special kind is known. */
static int
build_msg(struct load *l, size_t i)
{
	struct sdc_pb_message *m = &l->s->msgs[i];
	const MsgProto *p = l->mprotos[i];

	if (p->n_field >= UINT16_MAX)
		return fail(l, "too many fields", m->full_name);
	m->nfields = (uint32_t)p->n_field;
	m->fields = sdc_arena_alloc(&l->s->arena,
	    (p->n_field + 1) * sizeof *m->fields);
	memset(m->fields, 0, (p->n_field + 1) * sizeof *m->fields);
	for (size_t k = 0; k < p->n_field; k++) {
		if (build_field(l, &m->fields[k], p->field[k], l->proto3[i]))
			return -1;
		m->nrequired += m->fields[k].required;
		if (m->fields[k].oneof >= (int32_t)m->noneofs)
			m->noneofs = (uint32_t)m->fields[k].oneof + 1;
	}
	index_fields(m, &l->s->arena);
	return 0;
}

static int
build(struct load *l)
{
	struct sdc_pb_schema *s = l->s;

	for (size_t i = 0; i < s->nenums; i++)
		build_enum(&s->enums[i], l->eprotos[i], &s->arena);
	for (size_t i = 0; i < s->nmsgs; i++)
		s->msgs[i].special = special_of(s->msgs[i].full_name,
		    l->mprotos[i]);
	for (size_t i = 0; i < s->nmsgs; i++)
		if (build_msg(l, i) != 0)
			return -1;
	for (size_t i = 0; i < s->nmsgs; i++)
		if (sdc_pb_absent_build(s, &s->msgs[i], l->err, l->errlen) != 0)
			return -1;
	return 0;
}

int
sdc_pb_schema_load(struct sdc_pb_schema *s, const char *path, char *err,
    size_t errlen)
{
	struct load l = { .s = s, .err = err, .errlen = errlen };
	const char *why;
	struct sdc_buf b;
	int rc = -1;

	memset(s, 0, sizeof *s);
	sdc_arena_init(&s->arena);
	sdc_buf_init(&b, DESC_MAX);
	if ((why = slurp(path, &b)) != NULL) {
		snprintf(err, errlen, "%s: %s", path, why);
	} else if ((s->set = google__protobuf__file_descriptor_set__unpack(
	    NULL, b.len, b.data)) == NULL) {
		snprintf(err, errlen, "%s: not a descriptor set (protoc "
		    "--include_imports --descriptor_set_out=FILE)", path);
	} else {
		collect(&l, s->set);
		rc = build(&l);
	}
	free(l.mprotos);
	free(l.proto3);
	free(l.eprotos);
	sdc_buf_release(&b);
	return rc;
}

void
sdc_pb_schema_release(struct sdc_pb_schema *s)
{
	if (s->set != NULL)
		google__protobuf__file_descriptor_set__free_unpacked(s->set,
		    NULL);
	free(s->msgs);
	free(s->enums);
	sdc_arena_release(&s->arena);
	memset(s, 0, sizeof *s);
}

/* Its full name, or the part after a package when that is unique. */
const struct sdc_pb_message *
sdc_pb_schema_message(const struct sdc_pb_schema *s, const char *name)
{
	const struct sdc_pb_message *found = NULL;
	size_t n;

	if (name[0] == '.')
		name++;
	if ((found = find_msg(s, name)) != NULL)
		return found;
	n = strlen(name);
	for (size_t i = 0; i < s->nmsgs; i++) {
		const char *f = s->msgs[i].full_name;
		size_t k = strlen(f);

		if (k > n && f[k - n - 1] == '.' &&
		    strcmp(f + k - n, name) == 0) {
			if (found != NULL)
				return NULL;
			found = &s->msgs[i];
		}
	}
	return found;
}

const struct sdc_pb_field *
sdc_pb_field_slow(const struct sdc_pb_message *m, uint32_t number)
{
	size_t lo = 0, hi = m->nfields;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sdc_pb_field *f = &m->fields[m->by_number[mid]];

		if (f->number == number)
			return f;
		if (f->number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct sdc_pb_enum_value *
sdc_pb_enum_by_number(const struct sdc_pb_enum *e, int32_t number)
{
	size_t lo = 0, hi = e->nvalues;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->values[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->nvalues && e->values[lo].number == number ?
	    &e->values[lo] : NULL;
}
