#ifndef SDC_AVRO_FORMAT_H
#define SDC_AVRO_FORMAT_H
/*
 * Private to the avro format: the compact schema tree that its decoder
 * and encoder walk, parsed from the JSON of a schema with jansson or
 * derived from a record, and the block codecs of container files.
 * A schema owns its nodes, names and default values; records decoded
 * with it borrow its field names, so it outlives them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "field.h"
#include "record.h"

enum sdc_avro_kind {
	SDC_AVRO_NULL, SDC_AVRO_BOOLEAN, SDC_AVRO_INT, SDC_AVRO_LONG,
	SDC_AVRO_FLOAT, SDC_AVRO_DOUBLE, SDC_AVRO_BYTES, SDC_AVRO_STRING,
	SDC_AVRO_RECORD, SDC_AVRO_ENUM,
	SDC_AVRO_ARRAY, SDC_AVRO_MAP, SDC_AVRO_UNION, SDC_AVRO_FIXED
};

enum sdc_avro_logical {
	SDC_AVRO_LT_NONE, SDC_AVRO_LT_DECIMAL, SDC_AVRO_LT_DATE,
	SDC_AVRO_LT_TIME_MS, SDC_AVRO_LT_TIME_US, SDC_AVRO_LT_TS_MS,
	SDC_AVRO_LT_TS_US, SDC_AVRO_LT_LOCAL_TS_MS,
	SDC_AVRO_LT_LOCAL_TS_US, SDC_AVRO_LT_UUID
};

struct sdc_avro_node;

struct sdc_avro_field {
	char			*name;
	size_t			 name_len;
	struct sdc_avro_node	*type;
	uint8_t			*def;		/* the default, encoded */
	size_t			 def_len;
	bool			 has_default;
};

struct sdc_avro_node {
	enum sdc_avro_kind	 kind;
	enum sdc_avro_logical	 logical;
	int			 precision, scale;	/* decimal */
	char			*name;		/* full name of named types */
	size_t			 size;		/* fixed */
	char			**symbols;	/* enum */
	uint32_t		 nsymbols;
	int			 enum_default;	/* -1: none */
	struct sdc_avro_field	*fields;	/* record */
	uint32_t		 nfields;
	struct sdc_avro_node	*items;		/* array items, map values */
	struct sdc_avro_node	**branches;	/* union */
	uint32_t		 nbranches;
	int			 null_branch;	/* -1: none */
	bool			 may_be_empty;	/* a datum can take 0 bytes */
};

struct sdc_avro_schema {
	struct sdc_avro_node	*root;
	struct sdc_avro_node	**nodes;	/* all of them, to free */
	size_t			 nnodes, cap;
	char			*json;		/* compact text, for headers */
};

/* Parse schema text: 0, or -1 with the reason in err. */
int	sdc_avro_schema_parse(struct sdc_avro_schema *s, const char *text,
	    size_t len, char *err, size_t errlen);
int	sdc_avro_schema_load(struct sdc_avro_schema *s, const char *path,
	    char *err, size_t errlen);
/* A schema for records like r (man/sdc-convert.1 has the mapping). */
void	sdc_avro_schema_derive(struct sdc_avro_schema *s,
	    const struct sdc_field *root);
void	sdc_avro_schema_release(struct sdc_avro_schema *s);

/*
 * Decoding one datum of writer schema w from [*p, end) into f, as the
 * reader schema r sees it (r == w without resolution).  Strings borrow
 * the input.  SDC_AVRO_OK; SDC_AVRO_SHORT when the bytes run out (more input
 * may complete it); SDC_AVRO_BAD with the reason in err.
 */
enum { SDC_AVRO_OK = 0, SDC_AVRO_SHORT = 1, SDC_AVRO_BAD = 2 };

struct sdc_avro_dec {
	const uint8_t	*p, *end;
	struct sdc_arena *arena;
	char		 err[200];
	int		 depth;
};

int	sdc_avro_decode(struct sdc_avro_dec *d, const struct sdc_avro_node *w,
	    const struct sdc_avro_node *r, struct sdc_field *f);

/*
 * Encoding f by schema node n at the end of b: NULL, or why not (a
 * type that does not fit, naming the field's path).
 */
const char *sdc_avro_encode(struct sdc_buf *b, const struct sdc_avro_node *n,
	    const struct sdc_field *f, char *err, size_t errlen);

/* Block codecs of object container files. */
enum sdc_avro_codec {
	SDC_AVRO_CODEC_NULL, SDC_AVRO_CODEC_DEFLATE, SDC_AVRO_CODEC_SNAPPY,
	SDC_AVRO_CODEC_ZSTD
};

/* The codec named name[0..len), or -1. */
int	sdc_avro_codec_find(const char *name, size_t len);
const char *sdc_avro_codec_name(enum sdc_avro_codec c);
/* Replace out's content with in[0..n) (de)compressed: NULL, or why not. */
const char *sdc_avro_compress(enum sdc_avro_codec c, const uint8_t *in,
	    size_t n, struct sdc_buf *out);
const char *sdc_avro_uncompress(enum sdc_avro_codec c, const uint8_t *in,
	    size_t n, struct sdc_buf *out);

/*
 * Blocks compressed on a thread of their own (avro-pack.c): _give hands
 * one over (and takes back an empty buffer for the next), _take waits
 * for it and lends it packed; the caller takes each before giving the
 * next.  max is the largest block.
 */
struct sdc_avro_packer;
struct sdc_avro_packer *sdc_avro_packer_new(enum sdc_avro_codec codec,
	    size_t max);
void	sdc_avro_packer_give(struct sdc_avro_packer *p, struct sdc_buf *block,
	    uint64_t count);
bool	sdc_avro_packer_take(struct sdc_avro_packer *p,
	    const struct sdc_buf **out, uint64_t *count);
void	sdc_avro_packer_free(struct sdc_avro_packer *p);

/* Big-endian two's complement bytes <-> DECIMAL text at scale. */
void	sdc_avro_decimal_text(const uint8_t *p, size_t n, int scale,
	    struct sdc_arena *a, struct sdc_str *out);
/*
 * NULL, or why the text does not fit precision and scale (precision 0:
 * any), and size when > 0.
 */
const char *sdc_avro_decimal_bytes(const char *s, size_t n, int precision,
	    int scale, size_t size, uint8_t *dst, size_t *len);
/*
 * A DECIMAL's precision and scale, as the field attributes "precision"
 * and "scale" that StreamSets' Avro parser sets: written and read.
 */
void	sdc_avro_decimal_attrs(struct sdc_arena *a, struct sdc_field *f,
	    int precision, int scale);
bool	sdc_avro_decimal_attrs_get(const struct sdc_field *f, int *precision,
	    int *scale);
#define SDC_AVRO_DECIMAL_MAX	64	/* bytes of an unscaled value */

/* The format's options, as its option table sets them (avro.c). */
struct sdc_avro_opts {
	struct sdc_avro_schema	 schema;	/* --avro-schema; root NULL */
	struct sdc_avro_schema	 reader;	/* --avro-reader-schema */
	bool			 datums;	/* bare datums, no container */
	bool			 confluent;	/* magic 0, schema id, datum */
	const char		*schema_dir;	/* ID.avsc files */
	const char		*registry;	/* URL of a schema registry */
	long			 schema_id;	/* written; -1: none */
	enum sdc_avro_codec	 codec;
	unsigned long		 block_records;
};

/*
 * The schema of Confluent id, from the directory or the registry the
 * options name, parsed into s: 0, or -1 with the reason in err.
 */
int	sdc_avro_schema_fetch(const struct sdc_avro_opts *o, long id,
	    struct sdc_avro_schema *s, char *err, size_t errlen);

struct sdc_run;
struct sdc_input;
struct sdc_writer;
void	sdc_avro_read(struct sdc_run *run, struct sdc_input *in,
	    const void *opts);
struct sdc_writer *sdc_avro_writer(const void *opts);

#endif
