#include <string.h>

#include "field.h"
#include "banned.h"

static const char *const type_names[] = {
	[SDC_BOOLEAN] = "BOOLEAN",
	[SDC_CHAR] = "CHAR",
	[SDC_BYTE] = "BYTE",
	[SDC_SHORT] = "SHORT",
	[SDC_INTEGER] = "INTEGER",
	[SDC_LONG] = "LONG",
	[SDC_FLOAT] = "FLOAT",
	[SDC_DOUBLE] = "DOUBLE",
	[SDC_DECIMAL] = "DECIMAL",
	[SDC_DATE] = "DATE",
	[SDC_DATETIME] = "DATETIME",
	[SDC_TIME] = "TIME",
	[SDC_ZONED_DATETIME] = "ZONED_DATETIME",
	[SDC_STRING] = "STRING",
	[SDC_BYTE_ARRAY] = "BYTE_ARRAY",
	[SDC_LIST] = "LIST",
	[SDC_MAP] = "MAP",
	[SDC_LIST_MAP] = "LIST_MAP",
};

const char *
sdc_type_name(enum sdc_type t)
{
	if (t < SDC_BOOLEAN || t > SDC_TYPE_MAX)
		return "UNKNOWN";
	return type_names[t];
}

enum sdc_type
sdc_type_from_name(const char *name, size_t len)
{
	for (int t = SDC_BOOLEAN; t <= SDC_TYPE_MAX; t++)
		if (strlen(type_names[t]) == len &&
		    memcmp(type_names[t], name, len) == 0)
			return (enum sdc_type)t;
	return 0;
}

void
sdc_field_copy_bytes(struct sdc_arena *a, struct sdc_field *f,
    enum sdc_type t, const void *p, size_t n)
{
	sdc_field_borrow(f, t, sdc_arena_memdup(a, p, n), n);
}

/* Room for one more slot of size elem in a container. */
static void *
grow_slots(struct sdc_arena *a, struct sdc_field *c, void *slots,
    size_t elem)
{
	uint32_t cap;

	if (c->count < c->cap)
		return slots;
	cap = c->cap ? c->cap * 2 : 8;
	slots = sdc_arena_grow(a, slots, (size_t)c->cap * elem,
	    (size_t)cap * elem);
	c->cap = cap;
	return slots;
}

void
sdc_container_reserve(struct sdc_arena *a, struct sdc_field *c, uint32_t n)
{
	size_t elem = c->type == SDC_LIST ? sizeof(*c->v.items) :
	    sizeof(*c->v.entries);

	if (c->cap - c->count >= n)
		return;
	c->v.items = sdc_arena_grow(a, c->v.items, (size_t)c->cap * elem,
	    ((size_t)c->count + n) * elem);
	c->cap = c->count + n;
}

struct sdc_field *
sdc_list_append(struct sdc_arena *a, struct sdc_field *list)
{
	struct sdc_field *slot;

	list->v.items = grow_slots(a, list, list->v.items, sizeof(*slot));
	slot = &list->v.items[list->count++];
	sdc_field_null(slot, SDC_STRING);
	return slot;
}

bool
sdc_list_remove(struct sdc_field *list, uint32_t index)
{
	if (index >= list->count)
		return false;
	memmove(&list->v.items[index], &list->v.items[index + 1],
	    (list->count - index - 1) * sizeof(list->v.items[0]));
	list->count--;
	return true;
}

void
sdc_map_grow(struct sdc_arena *a, struct sdc_field *map)
{
	map->v.entries = grow_slots(a, map, map->v.entries,
	    sizeof(*map->v.entries));
}

static struct sdc_entry *
find_entry(const struct sdc_field *map, const char *key, size_t len)
{
	for (uint32_t i = 0; i < map->count; i++) {
		struct sdc_entry *e = &map->v.entries[i];

		if (e->key.len == len && memcmp(e->key.ptr, key, len) == 0)
			return e;
	}
	return NULL;
}

struct sdc_field *
sdc_map_get(const struct sdc_field *map, const char *key, size_t len)
{
	struct sdc_entry *e = find_entry(map, key, len);

	return e ? &e->value : NULL;
}

struct sdc_field *
sdc_map_put(struct sdc_arena *a, struct sdc_field *map, const char *key,
    size_t len)
{
	struct sdc_entry *e = find_entry(map, key, len);

	if (e != NULL)
		return &e->value;
	return sdc_map_append(a, map, sdc_arena_memdup(a, key, len), len);
}

bool
sdc_map_remove(struct sdc_field *map, const char *key, size_t len)
{
	struct sdc_entry *e = find_entry(map, key, len);
	size_t index;

	if (e == NULL)
		return false;
	index = (size_t)(e - map->v.entries);
	memmove(e, e + 1, (map->count - index - 1) * sizeof(*e));
	map->count--;
	return true;
}

static void
clone_str(struct sdc_arena *a, struct sdc_str *dst, const struct sdc_str *src)
{
	dst->ptr = sdc_arena_memdup(a, src->ptr, src->len);
	dst->len = src->len;
}

static struct sdc_field_attrs *
clone_attrs(struct sdc_arena *a, const struct sdc_field_attrs *src)
{
	struct sdc_field_attrs *dst = sdc_arena_alloc(a, sizeof(*dst));

	dst->count = dst->cap = src->count;
	dst->items = sdc_arena_alloc(a, src->count * sizeof(*dst->items));
	for (uint32_t i = 0; i < src->count; i++) {
		clone_str(a, &dst->items[i].key, &src->items[i].key);
		clone_str(a, &dst->items[i].value, &src->items[i].value);
	}
	return dst;
}

void
sdc_field_clone(struct sdc_arena *a, struct sdc_field *dst,
    const struct sdc_field *src)
{
	*dst = *src;
	if (src->attrs != NULL)
		dst->attrs = clone_attrs(a, src->attrs);
	if (src->null)
		return;
	switch (src->type) {
	case SDC_STRING:
	case SDC_BYTE_ARRAY:
	case SDC_DECIMAL:
		clone_str(a, &dst->v.s, &src->v.s);
		break;
	case SDC_ZONED_DATETIME:
		clone_str(a, &dst->v.z.zone, &src->v.z.zone);
		break;
	case SDC_LIST:
		dst->cap = src->count;
		dst->v.items = sdc_arena_alloc(a,
		    src->count * sizeof(*dst->v.items));
		for (uint32_t i = 0; i < src->count; i++)
			sdc_field_clone(a, &dst->v.items[i], &src->v.items[i]);
		break;
	case SDC_MAP:
	case SDC_LIST_MAP:
		dst->cap = src->count;
		dst->v.entries = sdc_arena_alloc(a,
		    src->count * sizeof(*dst->v.entries));
		for (uint32_t i = 0; i < src->count; i++) {
			clone_str(a, &dst->v.entries[i].key,
			    &src->v.entries[i].key);
			sdc_field_clone(a, &dst->v.entries[i].value,
			    &src->v.entries[i].value);
		}
		break;
	default:
		break;
	}
}

static bool
str_equal(const struct sdc_str *x, const struct sdc_str *y)
{
	return x->len == y->len && (x->len == 0 ||
	    memcmp(x->ptr, y->ptr, x->len) == 0);
}

static bool
entries_equal(const struct sdc_field *x, const struct sdc_field *y)
{
	for (uint32_t i = 0; i < x->count; i++)
		if (!str_equal(&x->v.entries[i].key, &y->v.entries[i].key) ||
		    !sdc_field_equal(&x->v.entries[i].value,
		    &y->v.entries[i].value))
			return false;
	return true;
}

/* Floating values compare by bits, so NaN equals itself. */
static bool
value_equal(const struct sdc_field *x, const struct sdc_field *y)
{
	switch (x->type) {
	case SDC_BOOLEAN:
		return x->v.b == y->v.b;
	case SDC_FLOAT:
		return memcmp(&x->v.f, &y->v.f, sizeof(x->v.f)) == 0;
	case SDC_DOUBLE:
		return memcmp(&x->v.d, &y->v.d, sizeof(x->v.d)) == 0;
	case SDC_DECIMAL:
	case SDC_STRING:
	case SDC_BYTE_ARRAY:
		return str_equal(&x->v.s, &y->v.s);
	case SDC_ZONED_DATETIME:
		return x->v.z.us == y->v.z.us &&
		    x->v.z.offset_s == y->v.z.offset_s &&
		    str_equal(&x->v.z.zone, &y->v.z.zone);
	case SDC_LIST:
		for (uint32_t i = 0; i < x->count; i++)
			if (!sdc_field_equal(&x->v.items[i], &y->v.items[i]))
				return false;
		return true;
	case SDC_MAP:
	case SDC_LIST_MAP:
		return entries_equal(x, y);
	default:
		return x->v.i == y->v.i;
	}
}

static uint32_t
attr_count(const struct sdc_field *f)
{
	return f->attrs != NULL ? f->attrs->count : 0;
}

static bool
attrs_equal(const struct sdc_field *x, const struct sdc_field *y)
{
	if (attr_count(x) != attr_count(y))
		return false;
	for (uint32_t i = 0; i < attr_count(x); i++)
		if (!str_equal(&x->attrs->items[i].key,
		    &y->attrs->items[i].key) ||
		    !str_equal(&x->attrs->items[i].value,
		    &y->attrs->items[i].value))
			return false;
	return true;
}

bool
sdc_field_equal(const struct sdc_field *x, const struct sdc_field *y)
{
	if (x->type != y->type || x->null != y->null || !attrs_equal(x, y))
		return false;
	if (x->null)
		return true;
	if (sdc_type_is_container(x->type) && x->count != y->count)
		return false;
	return value_equal(x, y);
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
bool
sdc_decimal_ok(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	const char *d;

	if (p < end && *p == '-')
		p++;
	if (p == end || *p < '0' || *p > '9')
		return false;
	if (*p++ == '0' && p < end && *p >= '0' && *p <= '9')
		return false;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p < end && *p == '.') {
		for (d = ++p; p < end && *p >= '0' && *p <= '9'; p++)
			;
		if (p == d)
			return false;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		for (d = p; p < end && *p >= '0' && *p <= '9'; p++)
			;
		if (p == d)
			return false;
	}
	return p == end;
}


const struct sdc_str *
sdc_field_attr(const struct sdc_field *f, const char *key, size_t len)
{
	for (uint32_t i = 0; i < attr_count(f); i++) {
		const struct sdc_attr *at = &f->attrs->items[i];

		if (at->key.len == len && memcmp(at->key.ptr, key, len) == 0)
			return &at->value;
	}
	return NULL;
}

void
sdc_field_set_attr(struct sdc_arena *a, struct sdc_field *f,
    const char *key, size_t klen, const char *value, size_t vlen)
{
	struct sdc_str *old = (struct sdc_str *)sdc_field_attr(f, key, klen);
	struct sdc_field_attrs *at = f->attrs;
	struct sdc_str v = { sdc_arena_memdup(a, value, vlen), vlen };

	if (old != NULL) {
		*old = v;
		return;
	}
	if (at == NULL) {
		at = f->attrs = sdc_arena_alloc(a, sizeof(*at));
		at->items = NULL;
		at->count = at->cap = 0;
	}
	if (at->count == at->cap) {
		uint32_t cap = at->cap ? at->cap * 2 : 2;

		at->items = sdc_arena_grow(a, at->items,
		    at->cap * sizeof(*at->items), cap * sizeof(*at->items));
		at->cap = cap;
	}
	at->items[at->count].key.ptr = sdc_arena_memdup(a, key, klen);
	at->items[at->count].key.len = klen;
	at->items[at->count++].value = v;
}
