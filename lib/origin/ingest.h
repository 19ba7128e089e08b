#ifndef SDC_INGEST_H
#define SDC_INGEST_H
/*
 * What an origin hands its payloads to: each one is parsed with its
 * origin's --format through an in-memory input, and every record made
 * from it carries the payload's metadata (struct sdc_meta) as header
 * attributes.  The origins of a run (sdc-ingest's sections) share one
 * struct sdc_ingest_hub: the run, its loop and output, the batches (a
 * batch frame after every batch_size records of all of them and every
 * batch_seconds) and the end, when every origin is done.  Each origin
 * has its struct sdc_ingest: the hub's loop and program-wide options
 * with its own format, and its own counts (connections, messages,
 * ...), which --progress and the metrics show summed over the run and,
 * when there are several origins, for each one.
 *
 * Names of the metadata attributes, for every origin to share:
 * remoteAddress, remotePort, localAddress (the listening address as
 * given), file, offset (of the payload in its file or connection),
 * receivedAt (milliseconds since the epoch), tlsPeer (a verified
 * client certificate's common name).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "retry.h"
#include "run.h"

struct sdc_format;
struct sdc_input;
struct sdc_loop;
struct sdc_timer;

struct sdc_ingest_options {
	const struct sdc_format	*format;
	const void		*format_opts;
	size_t			 batch_size;	/* 0: no batches by count */
	double			 batch_seconds;	/* 0: none by time */
	size_t			 max_buffer;	/* output bytes held */
	size_t			 max_message;	/* payload bytes */
	struct sdc_retry_policy	 retry;		/* reconnecting */
};

struct sdc_origin_counts {
	uint64_t	connections;	/* accepted or made */
	uint64_t	messages;	/* payloads parsed */
	uint64_t	bytes;		/* of those payloads */
	uint64_t	refused;	/* too large, or cut off */
	uint64_t	retries;	/* reconnections */
	uint64_t	drops;		/* lost before us (kernel) */
};

#define SDC_META_MAX	12
#define SDC_META_TEXT	768

/* A payload's metadata: attribute keys are static, values copied. */
struct sdc_meta {
	struct sdc_attr	 attr[SDC_META_MAX];
	size_t		 n;
	char		 text[SDC_META_TEXT];
	size_t		 used;
};

#define SDC_INGEST_COUNTERS	6

struct sdc_ingest_hub {
	struct sdc_run			*run;
	struct sdc_loop			*loop;
	struct sdc_ingest_options	 opt;	/* format unused */
	uint64_t			 frames_at_batch;
	struct sdc_timer		*batch_timer;
	struct sdc_ingest		**origins;
	size_t				 n, done;
	struct sdc_origin_counts	 total;
	struct sdc_counter		 counters[SDC_INGEST_COUNTERS + 1];
	struct sdc_counter_set		*parts;	/* with several origins */
};

struct sdc_ingest {
	struct sdc_ingest_hub		*hub;
	struct sdc_run			*run;	/* the hub's */
	struct sdc_loop			*loop;	/* the hub's */
	struct sdc_ingest_options	 opt;
	struct sdc_origin_counts	 n;
	struct sdc_counter		 counters[SDC_INGEST_COUNTERS + 1];
	bool				 done;
};

/* The loop is made here, for run's output; the hub borrows run. */
void	sdc_ingest_hub_init(struct sdc_ingest_hub *hub, struct sdc_run *run,
	    const struct sdc_ingest_options *opt);
void	sdc_ingest_hub_release(struct sdc_ingest_hub *hub);
/*
 * One more origin of the hub, reading payloads in format (its options
 * format_opts), named name in the counts; hub keeps ing (which must stay
 * where it is) until it is released.
 */
void	sdc_ingest_init(struct sdc_ingest *ing, struct sdc_ingest_hub *hub,
	    const struct sdc_format *format, const void *format_opts,
	    const char *name);

void	sdc_meta_clear(struct sdc_meta *m);
/* Dropped, with a warning once, past SDC_META_MAX or SDC_META_TEXT. */
void	sdc_meta_add(struct sdc_meta *m, const char *key, const char *value);
void	sdc_meta_addf(struct sdc_meta *m, const char *key, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));
void	sdc_meta_add_u64(struct sdc_meta *m, const char *key, uint64_t v);
/* receivedAt: now. */
void	sdc_meta_add_now(struct sdc_meta *m);
/* receivedAt: ms since the epoch, taken once for many payloads. */
void	sdc_meta_add_received(struct sdc_meta *m, int64_t ms);
/* v in decimal at dst (20 bytes at most, no NUL): its length. */
size_t	sdc_u64_text(char *dst, uint64_t v);

/* The n bytes at p, named name (for record ids and messages). */
void	sdc_ingest_payload(struct sdc_ingest *ing, const char *name,
	    const struct sdc_meta *m, const void *p, size_t n);
/* A whole input (a file) streamed through the format reader. */
void	sdc_ingest_input(struct sdc_ingest *ing, struct sdc_input *in,
	    const struct sdc_meta *m);
/*
 * A payload refused (too large, cut off): an error record with the
 * bytes there are of it (a prefix, or none) and the reason.
 */
void	sdc_ingest_refuse(struct sdc_ingest *ing, const char *name,
	    const struct sdc_meta *m, const void *p, size_t n,
	    const char *code, const char *fmt, ...)
	    __attribute__((format(printf, 7, 8)));
/* The origin has nothing more to give: once all have, the loop ends. */
void	sdc_ingest_done(struct sdc_ingest *ing);

#endif
