/*
 * Avro schemas parsed with jansson into the tree of avro-format.h: primitive,
 * named (record, enum, fixed, with namespaces and references to names
 * defined earlier, so recursive types), array, map, union, and the
 * logical types.  Field defaults are encoded once here, so that the
 * decoder and the encoder treat them as datums.
 */
#include <jansson.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro-format.h"
#include "varint.h"
#include "xalloc.h"
#include "banned.h"

struct parse {
	struct sdc_avro_schema	*s;
	char			*err;
	size_t			 errlen;
	int			 depth;
};

static int
fail(struct parse *ps, const char *fmt, ...)
{
	va_list ap;

	if (ps->err[0] != '\0')
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static struct sdc_avro_node *
new_node(struct sdc_avro_schema *s, enum sdc_avro_kind k)
{
	struct sdc_avro_node *n = sdc_xcalloc(1, sizeof *n);

	if (s->nnodes == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->nodes = sdc_xreallocarray(s->nodes, s->cap,
		    sizeof *s->nodes);
	}
	s->nodes[s->nnodes++] = n;
	n->kind = k;
	n->enum_default = -1;
	n->null_branch = -1;
	return n;
}

static const char *const primitives[] = {
	"null", "boolean", "int", "long", "float", "double", "bytes",
	"string", NULL
};

static int
primitive_kind(const char *name)
{
	for (int i = 0; primitives[i] != NULL; i++)
		if (strcmp(primitives[i], name) == 0)
			return i;
	return -1;
}

static struct sdc_avro_node *
find_named(struct sdc_avro_schema *s, const char *name, const char *ns)
{
	char full[512];

	snprintf(full, sizeof full, "%s.%s", ns, name);
	for (size_t i = 0; i < s->nnodes; i++) {
		const char *n = s->nodes[i]->name;

		if (n == NULL)
			continue;
		if ((ns[0] != '\0' && strcmp(n, full) == 0) ||
		    strcmp(n, name) == 0)
			return s->nodes[i];
	}
	return NULL;
}

static bool
valid_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	    *s == '_'))
		return false;
	for (s++; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
			return false;
	return true;
}

static char *
full_name(const char *name, const char *ns)
{
	size_t n;
	char *s;

	if (strchr(name, '.') != NULL || ns[0] == '\0')
		return sdc_xstrdup(name);
	n = strlen(ns) + strlen(name) + 2;
	s = sdc_xmalloc(n);
	snprintf(s, n, "%s.%s", ns, name);
	return s;
}

/* The namespace that a full name sets for the names inside it. */
static void
inner_namespace(const char *full, char *dst, size_t len)
{
	const char *dot = strrchr(full, '.');
	size_t n = dot == NULL ? 0 : (size_t)(dot - full);

	if (n >= len)
		n = len - 1;
	memcpy(dst, full, n);
	dst[n] = '\0';
}

static struct sdc_avro_node *parse_type(struct parse *ps, json_t *j,
	    const char *ns);
static int encode_default(struct parse *ps, const struct sdc_avro_node *n,
	    json_t *v, struct sdc_buf *b);

static int
name_of(struct parse *ps, json_t *j, const char *ns, struct sdc_avro_node *n,
    char *inner, size_t len)
{
	const char *name = json_string_value(json_object_get(j, "name"));
	const char *own = json_string_value(json_object_get(j, "namespace"));

	if (name == NULL || !valid_name(name))
		return fail(ps, "a named type without a valid \"name\"");
	if (own != NULL && strchr(name, '.') == NULL)
		ns = own;
	if (find_named(ps->s, name, ns) != NULL)
		return fail(ps, "type \"%s\" defined twice", name);
	n->name = full_name(name, ns);
	inner_namespace(n->name, inner, len);
	return 0;
}

static int
parse_field(struct parse *ps, json_t *j, const char *ns,
    struct sdc_avro_field *f)
{
	const char *name = json_string_value(json_object_get(j, "name"));
	json_t *def = json_object_get(j, "default");
	struct sdc_buf b;

	if (!json_is_object(j) || name == NULL || !valid_name(name))
		return fail(ps, "a record field without a valid \"name\"");
	f->name = sdc_xstrdup(name);
	f->name_len = strlen(name);
	if ((f->type = parse_type(ps, json_object_get(j, "type"), ns)) ==
	    NULL)
		return -1;
	if (def == NULL)
		return 0;
	sdc_buf_init(&b, 1u << 20);
	if (encode_default(ps, f->type, def, &b) != 0) {
		sdc_buf_release(&b);
		return fail(ps, "field \"%s\": bad default", name);
	}
	f->has_default = true;
	f->def = b.data;
	f->def_len = b.len;
	return 0;
}

static int
parse_record(struct parse *ps, json_t *j, const char *ns,
    struct sdc_avro_node *n)
{
	json_t *fields = json_object_get(j, "fields");
	char inner[256];

	if (name_of(ps, j, ns, n, inner, sizeof inner) != 0)
		return -1;
	if (!json_is_array(fields))
		return fail(ps, "record \"%s\" has no \"fields\" array",
		    n->name);
	n->nfields = (uint32_t)json_array_size(fields);
	n->fields = sdc_xcalloc(n->nfields + 1, sizeof *n->fields);
	for (uint32_t i = 0; i < n->nfields; i++) {
		if (parse_field(ps, json_array_get(fields, i), inner,
		    &n->fields[i]) != 0)
			return -1;
		for (uint32_t k = 0; k < i; k++)
			if (strcmp(n->fields[k].name, n->fields[i].name) == 0)
				return fail(ps, "record \"%s\": field \"%s\" "
				    "twice", n->name, n->fields[i].name);
	}
	return 0;
}

static int
parse_enum(struct parse *ps, json_t *j, const char *ns,
    struct sdc_avro_node *n)
{
	json_t *syms = json_object_get(j, "symbols");
	const char *def = json_string_value(json_object_get(j, "default"));
	char inner[256];

	if (name_of(ps, j, ns, n, inner, sizeof inner) != 0)
		return -1;
	if (!json_is_array(syms) || json_array_size(syms) == 0)
		return fail(ps, "enum \"%s\" has no \"symbols\"", n->name);
	n->nsymbols = (uint32_t)json_array_size(syms);
	n->symbols = sdc_xcalloc(n->nsymbols, sizeof *n->symbols);
	for (uint32_t i = 0; i < n->nsymbols; i++) {
		const char *sym = json_string_value(json_array_get(syms, i));

		if (sym == NULL || !valid_name(sym))
			return fail(ps, "enum \"%s\": a bad symbol", n->name);
		n->symbols[i] = sdc_xstrdup(sym);
		if (def != NULL && strcmp(def, sym) == 0)
			n->enum_default = (int)i;
	}
	if (def != NULL && n->enum_default < 0)
		return fail(ps, "enum \"%s\": default \"%s\" is no symbol",
		    n->name, def);
	return 0;
}

static int
parse_fixed(struct parse *ps, json_t *j, const char *ns,
    struct sdc_avro_node *n)
{
	json_t *size = json_object_get(j, "size");
	char inner[256];

	if (name_of(ps, j, ns, n, inner, sizeof inner) != 0)
		return -1;
	if (!json_is_integer(size) || json_integer_value(size) < 0 ||
	    json_integer_value(size) > (1 << 20))
		return fail(ps, "fixed \"%s\" has no valid \"size\"", n->name);
	n->size = (size_t)json_integer_value(size);
	return 0;
}

static int
parse_union(struct parse *ps, json_t *j, const char *ns,
    struct sdc_avro_node *n)
{
	n->nbranches = (uint32_t)json_array_size(j);
	if (n->nbranches == 0)
		return fail(ps, "an empty union");
	n->branches = sdc_xcalloc(n->nbranches, sizeof *n->branches);
	for (uint32_t i = 0; i < n->nbranches; i++) {
		struct sdc_avro_node *b;

		b = parse_type(ps, json_array_get(j, i), ns);
		if (b == NULL)
			return -1;
		if (b->kind == SDC_AVRO_UNION)
			return fail(ps, "a union inside a union");
		n->branches[i] = b;
		if (b->kind == SDC_AVRO_NULL && n->null_branch < 0)
			n->null_branch = (int)i;
	}
	return 0;
}

static const struct {
	const char		*name;
	enum sdc_avro_logical	 lt;
	enum sdc_avro_kind	 kind;
} logicals[] = {
	{ "decimal", SDC_AVRO_LT_DECIMAL, SDC_AVRO_BYTES },
	{ "decimal", SDC_AVRO_LT_DECIMAL, SDC_AVRO_FIXED },
	{ "date", SDC_AVRO_LT_DATE, SDC_AVRO_INT },
	{ "time-millis", SDC_AVRO_LT_TIME_MS, SDC_AVRO_INT },
	{ "time-micros", SDC_AVRO_LT_TIME_US, SDC_AVRO_LONG },
	{ "timestamp-millis", SDC_AVRO_LT_TS_MS, SDC_AVRO_LONG },
	{ "timestamp-micros", SDC_AVRO_LT_TS_US, SDC_AVRO_LONG },
	{ "local-timestamp-millis", SDC_AVRO_LT_LOCAL_TS_MS, SDC_AVRO_LONG },
	{ "local-timestamp-micros", SDC_AVRO_LT_LOCAL_TS_US, SDC_AVRO_LONG },
	{ "uuid", SDC_AVRO_LT_UUID, SDC_AVRO_STRING },
	{ "uuid", SDC_AVRO_LT_UUID, SDC_AVRO_FIXED },
};

/*
 * A logical type the spec does not know, or on the wrong type, is
 * ignored, as the spec says readers should.
 */
static void
parse_logical(json_t *j, struct sdc_avro_node *n)
{
	const char *lt = json_string_value(json_object_get(j, "logicalType"));
	json_t *p = json_object_get(j, "precision");
	json_t *s = json_object_get(j, "scale");

	if (lt == NULL)
		return;
	for (size_t i = 0; i < sizeof logicals / sizeof logicals[0]; i++)
		if (strcmp(lt, logicals[i].name) == 0 &&
		    n->kind == logicals[i].kind)
			n->logical = logicals[i].lt;
	if (n->logical != SDC_AVRO_LT_DECIMAL)
		return;
	n->precision = json_is_integer(p) ? (int)json_integer_value(p) : 0;
	n->scale = json_is_integer(s) ? (int)json_integer_value(s) : 0;
	if (n->precision <= 0 || n->precision > 1000 || n->scale < 0 ||
	    n->scale > n->precision)
		n->logical = SDC_AVRO_LT_NONE;
}

static struct sdc_avro_node *
parse_named_ref(struct parse *ps, const char *name, const char *ns)
{
	int k = primitive_kind(name);
	struct sdc_avro_node *n;

	if (k >= 0)
		return new_node(ps->s, (enum sdc_avro_kind)k);
	if ((n = find_named(ps->s, name, ns)) == NULL)
		fail(ps, "unknown type \"%s\"", name);
	return n;
}

static int
parse_complex(struct parse *ps, json_t *j, const char *ns,
    struct sdc_avro_node **out)
{
	const char *type = json_string_value(json_object_get(j, "type"));
	struct sdc_avro_node *n;
	int k;

	if (type == NULL)
		return fail(ps, "a type object without a \"type\" string");
	if ((k = primitive_kind(type)) >= 0)
		n = new_node(ps->s, (enum sdc_avro_kind)k);
	else if (strcmp(type, "record") == 0 || strcmp(type, "error") == 0) {
		n = new_node(ps->s, SDC_AVRO_RECORD);
		if (parse_record(ps, j, ns, n) != 0)
			return -1;
	} else if (strcmp(type, "enum") == 0) {
		n = new_node(ps->s, SDC_AVRO_ENUM);
		if (parse_enum(ps, j, ns, n) != 0)
			return -1;
	} else if (strcmp(type, "fixed") == 0) {
		n = new_node(ps->s, SDC_AVRO_FIXED);
		if (parse_fixed(ps, j, ns, n) != 0)
			return -1;
	} else if (strcmp(type, "array") == 0 || strcmp(type, "map") == 0) {
		bool array = type[0] == 'a';

		n = new_node(ps->s, array ? SDC_AVRO_ARRAY : SDC_AVRO_MAP);
		n->items = parse_type(ps, json_object_get(j, array ? "items" :
		    "values"), ns);
		if (n->items == NULL)
			return -1;
	} else if ((n = parse_named_ref(ps, type, ns)) == NULL)
		return -1;
	parse_logical(j, n);
	*out = n;
	return 0;
}

static struct sdc_avro_node *
parse_type(struct parse *ps, json_t *j, const char *ns)
{
	struct sdc_avro_node *n = NULL;

	if (++ps->depth > 64) {
		fail(ps, "schema nested deeper than 64");
		return NULL;
	}
	if (json_is_string(j))
		n = parse_named_ref(ps, json_string_value(j), ns);
	else if (json_is_array(j)) {
		n = new_node(ps->s, SDC_AVRO_UNION);
		if (parse_union(ps, j, ns, n) != 0)
			n = NULL;
	} else if (json_is_object(j)) {
		if (parse_complex(ps, j, ns, &n) != 0)
			n = NULL;
	} else
		fail(ps, "a type that is not a name, an object or a union");
	ps->depth--;
	return n;
}

/* Defaults, in the JSON encoding of the spec. */
static void
put_long(struct sdc_buf *b, int64_t v)
{
	uint8_t tmp[SDC_VARINT_MAX];

	sdc_buf_append(b, tmp, sdc_varint_put(tmp, sdc_zigzag(v)));
}

/* Bytes and fixed defaults: a string of code points 0..255. */
static int
put_latin1(struct sdc_buf *b, const char *s, size_t n, bool counted,
    size_t want)
{
	struct sdc_buf raw;
	int rc = 0;

	sdc_buf_init(&raw, 1u << 20);
	for (size_t i = 0; i < n && rc == 0; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c >= 0xc4 || (c >= 0x80 && c < 0xc2))
			rc = -1;
		else if (c >= 0xc2 && i + 1 < n) {
			c = (uint8_t)(((c & 3) << 6) |
			    ((uint8_t)s[++i] & 0x3f));
			sdc_buf_append(&raw, &c, 1);
		} else
			sdc_buf_append(&raw, &c, 1);
	}
	if (rc == 0 && !counted && raw.len != want)
		rc = -1;
	if (rc == 0 && counted)
		put_long(b, (int64_t)raw.len);
	if (rc == 0)
		sdc_buf_append(b, raw.data, raw.len);
	sdc_buf_release(&raw);
	return rc;
}

static int
default_record(struct parse *ps, const struct sdc_avro_node *n, json_t *v,
    struct sdc_buf *b)
{
	if (!json_is_object(v))
		return -1;
	for (uint32_t i = 0; i < n->nfields; i++) {
		const struct sdc_avro_field *f = &n->fields[i];
		json_t *fv = json_object_get(v, f->name);

		if (fv == NULL && f->has_default)
			sdc_buf_append(b, f->def, f->def_len);
		else if (fv == NULL || encode_default(ps, f->type, fv, b) != 0)
			return -1;
	}
	return 0;
}

static int
default_container(struct parse *ps, const struct sdc_avro_node *n,
    json_t *v, struct sdc_buf *b)
{
	const char *key;
	json_t *item;
	size_t i;

	if (n->kind == SDC_AVRO_ARRAY) {
		if (!json_is_array(v))
			return -1;
		if (json_array_size(v) > 0)
			put_long(b, (int64_t)json_array_size(v));
		json_array_foreach(v, i, item)
			if (encode_default(ps, n->items, item, b) != 0)
				return -1;
	} else {
		if (!json_is_object(v))
			return -1;
		if (json_object_size(v) > 0)
			put_long(b, (int64_t)json_object_size(v));
		json_object_foreach(v, key, item) {
			put_long(b, (int64_t)strlen(key));
			sdc_buf_append(b, key, strlen(key));
			if (encode_default(ps, n->items, item, b) != 0)
				return -1;
		}
	}
	put_long(b, 0);
	return 0;
}

static int
default_scalar(const struct sdc_avro_node *n, json_t *v, struct sdc_buf *b)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	float fl;
	double d;

	switch (n->kind) {
	case SDC_AVRO_NULL:
		return json_is_null(v) ? 0 : -1;
	case SDC_AVRO_BOOLEAN:
		if (!json_is_boolean(v))
			return -1;
		return sdc_buf_append(b, json_is_true(v) ? "\1" : "\0", 1) ?
		    0 : -1;
	case SDC_AVRO_INT:
	case SDC_AVRO_LONG:
		if (!json_is_integer(v))
			return -1;
		put_long(b, json_integer_value(v));
		return 0;
	case SDC_AVRO_FLOAT:
		if (!json_is_number(v))
			return -1;
		fl = (float)json_number_value(v);
		return sdc_buf_append(b, &fl, 4) ? 0 : -1;
	case SDC_AVRO_DOUBLE:
		if (!json_is_number(v))
			return -1;
		d = json_number_value(v);
		return sdc_buf_append(b, &d, 8) ? 0 : -1;
	case SDC_AVRO_STRING:
		if (s == NULL)
			return -1;
		put_long(b, (int64_t)len);
		return sdc_buf_append(b, s, len) ? 0 : -1;
	case SDC_AVRO_BYTES:
	case SDC_AVRO_FIXED:
		if (s == NULL)
			return -1;
		return put_latin1(b, s, len, n->kind == SDC_AVRO_BYTES,
		    n->size);
	case SDC_AVRO_ENUM:
		for (uint32_t i = 0; s != NULL && i < n->nsymbols; i++)
			if (strcmp(n->symbols[i], s) == 0) {
				put_long(b, i);
				return 0;
			}
		return -1;
	default:
		return -1;
	}
}

/* A union's default is of its first branch. */
static int
encode_default(struct parse *ps, const struct sdc_avro_node *n, json_t *v,
    struct sdc_buf *b)
{
	switch (n->kind) {
	case SDC_AVRO_UNION:
		put_long(b, 0);
		return encode_default(ps, n->branches[0], v, b);
	case SDC_AVRO_RECORD:
		return default_record(ps, n, v, b);
	case SDC_AVRO_ARRAY:
	case SDC_AVRO_MAP:
		return default_container(ps, n, v, b);
	default:
		return default_scalar(n, v, b);
	}
}

/* Whether a datum of each node can be empty, for bounding counts. */
static void
mark_empty(struct sdc_avro_schema *s)
{
	bool changed = true;

	for (size_t i = 0; i < s->nnodes; i++) {
		struct sdc_avro_node *n = s->nodes[i];

		n->may_be_empty = n->kind == SDC_AVRO_NULL ||
		    n->kind == SDC_AVRO_RECORD ||
		    (n->kind == SDC_AVRO_FIXED && n->size == 0);
	}
	while (changed) {
		changed = false;
		for (size_t i = 0; i < s->nnodes; i++) {
			struct sdc_avro_node *n = s->nodes[i];
			bool e = true;

			if (n->kind != SDC_AVRO_RECORD || !n->may_be_empty)
				continue;
			for (uint32_t k = 0; k < n->nfields && e; k++)
				e = n->fields[k].type->may_be_empty;
			if (!e) {
				n->may_be_empty = false;
				changed = true;
			}
		}
	}
}

int
sdc_avro_schema_parse(struct sdc_avro_schema *s, const char *text,
    size_t len, char *err, size_t errlen)
{
	struct parse ps = { s, err, errlen, 0 };
	json_error_t je;
	json_t *j;

	memset(s, 0, sizeof *s);
	err[0] = '\0';
	j = json_loadb(text, len, JSON_DECODE_ANY, &je);
	if (j == NULL) {
		snprintf(err, errlen, "line %d: %s", je.line, je.text);
		return -1;
	}
	s->root = parse_type(&ps, j, "");
	if (s->root != NULL)
		s->json = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	if (s->root == NULL)
		return -1;
	mark_empty(s);
	return 0;
}

int
sdc_avro_schema_load(struct sdc_avro_schema *s, const char *path, char *err,
    size_t errlen)
{
	FILE *fp = fopen(path, "r");
	struct sdc_buf b;
	char chunk[8192];
	size_t n;
	int rc;

	memset(s, 0, sizeof *s);
	if (fp == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	sdc_buf_init(&b, 64u << 20);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		if (!sdc_buf_append(&b, chunk, n))
			break;
	fclose(fp);
	rc = sdc_avro_schema_parse(s, (const char *)b.data, b.len, err,
	    errlen);
	sdc_buf_release(&b);
	return rc;
}

void
sdc_avro_schema_release(struct sdc_avro_schema *s)
{
	for (size_t i = 0; i < s->nnodes; i++) {
		struct sdc_avro_node *n = s->nodes[i];

		for (uint32_t k = 0; k < n->nfields; k++) {
			free(n->fields[k].name);
			free(n->fields[k].def);
		}
		for (uint32_t k = 0; k < n->nsymbols; k++)
			free(n->symbols[k]);
		free(n->fields);
		free(n->symbols);
		free(n->branches);
		free(n->name);
		free(n);
	}
	free(s->nodes);
	free(s->json);
	memset(s, 0, sizeof *s);
}
