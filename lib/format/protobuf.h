#ifndef SDC_PROTOBUF_H
#define SDC_PROTOBUF_H
/*
 * Private to the protobuf format: the messages of a descriptor set
 * (protoc --include_imports --descriptor_set_out) as compact tables,
 * and the decoder and encoder of the wire format they guide.  The
 * schema owns its tables; records decoded borrow its names and the
 * bytes they were decoded from.  man/sdc-convert.1 has the mapping of
 * types.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "field.h"

/* Field types, numbered as FieldDescriptorProto.Type. */
enum sdc_pb_type {
	SDC_PB_DOUBLE = 1, SDC_PB_FLOAT, SDC_PB_INT64, SDC_PB_UINT64,
	SDC_PB_INT32, SDC_PB_FIXED64, SDC_PB_FIXED32, SDC_PB_BOOL,
	SDC_PB_STRING, SDC_PB_GROUP, SDC_PB_MESSAGE, SDC_PB_BYTES,
	SDC_PB_UINT32, SDC_PB_ENUM, SDC_PB_SFIXED32, SDC_PB_SFIXED64,
	SDC_PB_SINT32, SDC_PB_SINT64
};

enum sdc_pb_wire {
	SDC_PB_VARINT = 0, SDC_PB_I64 = 1, SDC_PB_LEN = 2,
	SDC_PB_SGROUP = 3, SDC_PB_EGROUP = 4, SDC_PB_I32 = 5
};

/* Messages that map to one value of the record rather than a MAP. */
enum sdc_pb_special {
	SDC_PB_PLAIN,
	SDC_PB_TIMESTAMP,	/* google.protobuf.Timestamp: DATETIME */
	SDC_PB_WRAPPER,		/* google.protobuf.Int32Value...: value */
	SDC_PB_MAP_ENTRY	/* of a map<K,V> field: an entry of a MAP */
};

/* The name of the field that keeps unknown fields, their bytes. */
#define SDC_PB_UNKNOWN	"#unknown"

struct sdc_pb_enum_value {
	struct sdc_str	name;
	int32_t		number;
};

struct sdc_pb_enum {
	const char		 *full_name;	/* without a leading '.' */
	struct sdc_pb_enum_value *values;	/* sorted by number */
	size_t			  nvalues;
};

struct sdc_pb_message;

struct sdc_pb_field {
	struct sdc_str		 name;
	uint32_t		 number;
	uint8_t			 type;	/* enum sdc_pb_type */
	uint8_t			 wire;		/* of one value */
	bool			 repeated;
	bool			 packed;	/* written packed */
	bool			 presence;	/* absent is not zero */
	bool			 is_map;
	bool			 required;	/* proto2's */
	int32_t			 oneof;		/* -1: none */
	const struct sdc_pb_message *msg;	/* MESSAGE */
	const struct sdc_pb_enum *en;		/* ENUM */
	const char		*default_text;	/* proto2's, or NULL */
};

struct sdc_pb_message {
	const char		*full_name;	/* without a leading '.' */
	enum sdc_pb_special	 special;
	struct sdc_pb_field	*fields;	/* as declared */
	uint32_t		 nfields;
	uint32_t		 noneofs;	/* real ones, not proto3's */
	uint32_t		 nrequired;
	/* The record of an empty message: each field as when absent. */
	struct sdc_entry	*absent;
	/* Field index + 1 by number, for numbers below ndense; 0: none. */
	uint16_t		*dense;
	uint32_t		 ndense;
	uint32_t		*by_number;	/* field indexes, sorted */
};

struct sdc_pb_schema {
	void			*set;	/* the FileDescriptorSet */
	struct sdc_pb_message	*msgs;
	size_t			 nmsgs;
	struct sdc_pb_enum	*enums;
	size_t			 nenums;
	struct sdc_arena	 arena;
};

/*
 * Load the descriptor set at path: 0, or -1 with the reason in err.
 * Release it even when loading failed.
 */
int	sdc_pb_schema_load(struct sdc_pb_schema *s, const char *path,
	    char *err, size_t errlen);
void	sdc_pb_schema_release(struct sdc_pb_schema *s);
/* The record of an empty message m (protobuf-absent.c), once m is built. */
int	sdc_pb_absent_build(struct sdc_pb_schema *s,
	    struct sdc_pb_message *m, char *err, size_t errlen);
/* The record type of one value of f. */
enum sdc_type sdc_pb_record_type(const struct sdc_pb_field *f);
/* The message called name, with or without its package; NULL: none. */
const struct sdc_pb_message *sdc_pb_schema_message(
	    const struct sdc_pb_schema *s, const char *name);
const struct sdc_pb_field *sdc_pb_field_slow(const struct sdc_pb_message *m,
	    uint32_t number);
const struct sdc_pb_enum_value *sdc_pb_enum_by_number(
	    const struct sdc_pb_enum *e, int32_t number);

static inline const struct sdc_pb_field *
sdc_pb_field_find(const struct sdc_pb_message *m, uint32_t number)
{
	if (number < m->ndense)
		return m->dense[number] ? &m->fields[m->dense[number] - 1] :
		    NULL;
	return sdc_pb_field_slow(m, number);
}

enum sdc_pb_unknown {
	SDC_PB_UNKNOWN_KEEP,	/* as bytes in the field "#unknown" */
	SDC_PB_UNKNOWN_DROP,
	SDC_PB_UNKNOWN_ERROR	/* the message becomes an error record */
};

struct sdc_pb_decoder {
	enum sdc_pb_unknown	 unknown;
	struct sdc_arena	*arena;		/* of the record made */
	const uint8_t		*base;		/* its first byte */
	size_t			 err_at;	/* offset from base */
	char			 err[256];
};

/*
 * Decode the message m at p[0..n) into out, whose strings borrow from
 * p: true, or false with the reason in d->err and its offset.
 */
bool	sdc_pb_decode(struct sdc_pb_decoder *d,
	    const struct sdc_pb_message *m, const uint8_t *p, size_t n,
	    struct sdc_field *out);

/*
 * Append the message m made of the record field f to b: true, or false
 * with the reason in err (naming the field), b left partly written.
 */
bool	sdc_pb_encode(struct sdc_buf *b, const struct sdc_pb_message *m,
	    const struct sdc_field *f, char *err, size_t errlen);

#endif
