#ifndef SDC_NETFLOW_H
#define SDC_NETFLOW_H
/*
 * Private to the netflow format: its options, the template cache of
 * version 9 (owned by the options block, so that it outlives each
 * input: an origin hands over one datagram per input), the reader shared by
 * netflow.c (version 5) and netflow-v9.c, and the v9 field types of
 * netflow-fields.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "delimited.h"
#include "format.h"
#include "window.h"

enum sdc_nf_values {
	SDC_NF_BOTH,		/* rawValues and values */
	SDC_NF_RAW,		/* rawValues: the bytes of each field */
	SDC_NF_INTERPRETED	/* values: numbers, addresses, names */
};

struct sdc_nf_tfield {
	uint16_t	type;
	uint16_t	len;
	bool		scope;	/* an options template's scope field */
};

/*
 * A template, known by the source id of its packets and its id, across
 * inputs: a capture split into files, or datagrams handed over one by
 * one, keep the templates that came before.
 */
struct sdc_nf_template {
	uint32_t		 source_id;
	uint16_t		 id;
	bool			 options;
	struct sdc_nf_tfield	*f;
	size_t			 nf;
	size_t			 total;	/* bytes of a data record */
	uint64_t		 used;	/* when last looked up */
};

struct sdc_nf_cache {
	struct sdc_nf_template	*v;
	size_t			 n, max;
	uint64_t		 tick;
};

struct sdc_nf_opts {
	enum sdc_nf_values	 values;
	struct sdc_nf_cache	*cache;
};

#define SDC_NF_CACHE_DEFAULT	1000

void	sdc_nf_cache_init(struct sdc_nf_cache *c, size_t max);
void	sdc_nf_cache_release(struct sdc_nf_cache *c);
/* Learn t (its fields are taken over), replacing the least used. */
void	sdc_nf_cache_put(struct sdc_nf_cache *c, struct sdc_nf_template *t);
struct sdc_nf_template *sdc_nf_cache_get(struct sdc_nf_cache *c,
	    uint32_t source_id, uint16_t id);

struct sdc_nf_reader {
	struct sdc_run		*run;
	struct sdc_input	*in;
	const struct sdc_nf_opts *o;
	struct sdc_window	 w;
	struct sdc_record	 rec;
	struct sdc_idbuf	 id;
	uint64_t		 n;	/* records and errors so far */
};

void	sdc_nf_reject(struct sdc_nf_reader *r, const uint8_t *raw, size_t n,
	    uint64_t at, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* The next record, empty, its root a container of type root. */
void	sdc_nf_new_record(struct sdc_nf_reader *r, enum sdc_type root);
/* A v9 packet at p (20 bytes or more): its length, 0 when lost. */
size_t	sdc_nf_v9_packet(struct sdc_nf_reader *r, const uint8_t *p,
	    size_t have, uint64_t at);

/* The name of a v9 field, as Data Collector names it. */
const char *sdc_nf_field_name(const struct sdc_nf_tfield *t, char *buf,
	    size_t len);
/* The value of a v9 field as its type reads, into f. */
void	sdc_nf_interpret(struct sdc_arena *a, struct sdc_field *f,
	    const struct sdc_nf_tfield *t, const uint8_t *p);
/* "1.2.3.4" of a big-endian IPv4 address, into dst[16]. */
size_t	sdc_nf_ipv4(char *dst, const uint8_t *p);

#endif
