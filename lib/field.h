#ifndef SDC_FIELD_H
#define SDC_FIELD_H
/*
 * The typed field tree of a record, modelled on the StreamSets field.
 * Fields live in their record's arena; strings may borrow bytes from
 * the buffer a record was decoded from (valid until the next read) and
 * are copied into the arena whenever they are set through this API.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

enum sdc_type {
	SDC_BOOLEAN = 1,
	SDC_CHAR,
	SDC_BYTE,
	SDC_SHORT,
	SDC_INTEGER,
	SDC_LONG,
	SDC_FLOAT,
	SDC_DOUBLE,
	SDC_DECIMAL,
	SDC_DATE,
	SDC_DATETIME,
	SDC_TIME,
	SDC_ZONED_DATETIME,
	SDC_STRING,
	SDC_BYTE_ARRAY,
	SDC_LIST,
	SDC_MAP,
	SDC_LIST_MAP
};
#define SDC_TYPE_MAX SDC_LIST_MAP

/* Bytes that are not NUL-terminated. */
struct sdc_str {
	const char	*ptr;
	size_t		 len;
};

struct sdc_entry;

/* A string pair: a header attribute or a field attribute. */
struct sdc_attr {
	struct sdc_str	key;
	struct sdc_str	value;
};

/* A field's attributes: string pairs, keys unique, in their order. */
struct sdc_field_attrs {
	struct sdc_attr	*items;
	uint32_t	 count, cap;
};

/*
 * Value by type:
 *   BOOLEAN b;  CHAR i (Unicode scalar value);  BYTE, SHORT, INTEGER,
 *   LONG i;  FLOAT f;  DOUBLE d;  DECIMAL s (its text, JSON number
 *   syntax);  DATE i (days since 1970-01-01);  DATETIME i (microseconds
 *   since the epoch, UTC);  TIME i (microseconds since midnight);
 *   ZONED_DATETIME z;  STRING s (UTF-8);  BYTE_ARRAY s;  LIST items;
 *   MAP and LIST_MAP entries (keys unique, kept in insertion order).
 * A null field keeps its type and has no value.  Any field may have
 * attributes (as the Avro reader's precision and scale of a DECIMAL);
 * the setters below start a field without any.
 */
struct sdc_field {
	uint8_t		type;
	bool		null;
	uint32_t	count;		/* LIST, MAP, LIST_MAP */
	uint32_t	cap;
	struct sdc_field_attrs *attrs;	/* NULL when none */
	union {
		bool		 b;
		int64_t		 i;
		float		 f;
		double		 d;
		struct sdc_str	 s;
		struct {
			int64_t		us;	/* instant, UTC */
			int32_t		offset_s; /* local = UTC + offset */
			struct sdc_str	zone;	/* IANA name or empty */
		} z;
		struct sdc_field *items;
		struct sdc_entry *entries;
	} v;
};

struct sdc_entry {
	struct sdc_str		key;
	struct sdc_field	value;
};

const char	*sdc_type_name(enum sdc_type t);	/* "LIST_MAP" */
/* The type whose name is name[0..len), or 0. */
enum sdc_type	 sdc_type_from_name(const char *name, size_t len);

static inline bool
sdc_type_is_container(enum sdc_type t)
{
	return t == SDC_LIST || t == SDC_MAP || t == SDC_LIST_MAP;
}

/* A field of type t, not null, whose value the caller sets. */
static inline void
sdc_field_begin(struct sdc_field *f, enum sdc_type t)
{
	f->type = t;
	f->null = false;
	f->attrs = NULL;
}

static inline void
sdc_field_null(struct sdc_field *f, enum sdc_type t)
{
	f->type = t;
	f->null = true;
	f->attrs = NULL;
	f->count = f->cap = 0;
}

static inline void
sdc_field_int(struct sdc_field *f, enum sdc_type t, int64_t v)
{
	f->type = t;
	f->null = false;
	f->attrs = NULL;
	f->v.i = v;
}

static inline void
sdc_field_bool(struct sdc_field *f, bool v)
{
	f->type = SDC_BOOLEAN;
	f->null = false;
	f->attrs = NULL;
	f->v.b = v;
}

static inline void
sdc_field_double(struct sdc_field *f, double v)
{
	f->type = SDC_DOUBLE;
	f->null = false;
	f->attrs = NULL;
	f->v.d = v;
}

static inline void
sdc_field_float(struct sdc_field *f, float v)
{
	f->type = SDC_FLOAT;
	f->null = false;
	f->attrs = NULL;
	f->v.f = v;
}

/* STRING, BYTE_ARRAY or DECIMAL that borrows p (no copy). */
static inline void
sdc_field_borrow(struct sdc_field *f, enum sdc_type t, const void *p,
    size_t n)
{
	f->type = t;
	f->null = false;
	f->attrs = NULL;
	f->v.s.ptr = p;
	f->v.s.len = n;
}

/* An empty LIST, MAP or LIST_MAP. */
static inline void
sdc_field_container(struct sdc_field *f, enum sdc_type t)
{
	f->type = t;
	f->null = false;
	f->attrs = NULL;
	f->count = f->cap = 0;
	f->v.items = NULL;
}

/* STRING, BYTE_ARRAY or DECIMAL holding a copy of p in the arena. */
void	sdc_field_copy_bytes(struct sdc_arena *a, struct sdc_field *f,
	    enum sdc_type t, const void *p, size_t n);

/* Room for n more items or entries: the next n appends do not move. */
void	sdc_container_reserve(struct sdc_arena *a, struct sdc_field *c,
	    uint32_t n);

/* A new null slot at the end of list; pointers into it may move. */
struct sdc_field *sdc_list_append(struct sdc_arena *a, struct sdc_field *list);
bool	sdc_list_remove(struct sdc_field *list, uint32_t index);

/*
 * Maps (MAP and LIST_MAP).  _append adds a key the caller knows is
 * new and borrows it; _put finds the key or appends a copy of it.
 * Both return the value slot (null until set); pointers may move on
 * the next append.
 */
struct sdc_field *sdc_map_put(struct sdc_arena *a, struct sdc_field *map,
	    const char *key, size_t len);
void	sdc_map_grow(struct sdc_arena *a, struct sdc_field *map);

static inline struct sdc_field *
sdc_map_append(struct sdc_arena *a, struct sdc_field *map, const char *key,
    size_t len)
{
	struct sdc_entry *e;

	if (map->count == map->cap)
		sdc_map_grow(a, map);
	e = &map->v.entries[map->count++];
	e->key.ptr = key;
	e->key.len = len;
	sdc_field_null(&e->value, SDC_STRING);
	return &e->value;
}
struct sdc_field *sdc_map_get(const struct sdc_field *map, const char *key,
	    size_t len);
bool	sdc_map_remove(struct sdc_field *map, const char *key, size_t len);

/* The attribute key of f, or NULL. */
const struct sdc_str *sdc_field_attr(const struct sdc_field *f,
	    const char *key, size_t len);
/* Set key to value, copying both into a; a key already there keeps its
 * place. */
void	sdc_field_set_attr(struct sdc_arena *a, struct sdc_field *f,
	    const char *key, size_t klen, const char *value, size_t vlen);

/* DECIMAL text: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
bool	sdc_decimal_ok(const char *s, size_t n);

/* Deep copy into a (for keeping a field past its buffer's life). */
void	sdc_field_clone(struct sdc_arena *a, struct sdc_field *dst,
	    const struct sdc_field *src);
/* Same type, nullness and value; maps compare in order. */
bool	sdc_field_equal(const struct sdc_field *x, const struct sdc_field *y);

#endif
