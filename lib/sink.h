#ifndef SDC_SINK_H
#define SDC_SINK_H
/*
 * Destinations: where sdc-sink delivers records (files, Kafka, S3, an
 * HTTP endpoint, later HDFS, Elasticsearch, Kinesis...).  Each lives in
 * lib/sink/NAME*.c and is one entry of sdc_destinations (sink/sinks.c),
 * as the origins are in origin.h: its own options (a plugin-options.h
 * table), the size, init and release of their block, and the hooks
 * below.
 *
 * The framework (sink/sink.c) reads the record stream on standard
 * input.  Data records go to the destination's put, one at a time, in
 * order; error, event and other frames are passed through to standard
 * output untouched, where the framework also writes the events the
 * destination makes and the error records of what it could not
 * deliver.  A destination takes a record, renders it in --format
 * (sdc_render), and sends or buffers it; while it cannot take more (its
 * buffer of --max-buffer bytes is full, a server is slow), put does not
 * return, so standard input is not read: backpressure, never an
 * unbounded buffer.  Every record it is given ends as exactly one of:
 * delivered (sdc_sink_delivered), or failed after the retries of
 * --retry-* (sdc_sink_failed: an error record downstream with the
 * reason).  What is neither when the run ends is counted undelivered
 * and the exit status says so.
 *
 * Blocking I/O is fine in a destination: it runs in the main thread and
 * polls sdc_sink_stopping between waits.  A stop signal ends the input;
 * close then delivers what was taken (or fails it) before exit.
 *
 * Adding a destination: lib/sink/NAME.c ending in one
 * "const struct sdc_destination sdc_destination_NAME", a line in
 * sinks.c and Makefile.am, its section in man/sdc-sink.1 and its
 * options in the completions, and tests against a real server.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"
#include "plugin-options.h"
#include "record.h"
#include "retry.h"
#include "template.h"

struct sdc_sink;	/* the framework's state of one run */

struct sdc_destination {
	const char	*name;
	const char	*summary;
	/* Its options, ending with a zeroed entry; NULL when none. */
	const struct sdc_plugin_option *options;
	size_t		 opts_size;
	void		(*opts_init)(void *opts);
	void		(*opts_release)(void *opts);	/* may be NULL */
	/*
	 * Check the options (a bad one is a usage error: sdc_usage_error)
	 * and connect or open.  Under --check (sdc_sink_checking), prove
	 * that writing would work without writing anything (stat the
	 * directory, fetch Kafka's metadata, list the bucket, reach the
	 * URL), say so on standard error, and return NULL on success; on
	 * failure say why and exit with SDC_EXIT_IO (diag.h).  Else the
	 * destination's state.
	 */
	void		*(*open)(struct sdc_sink *s, const void *opts);
	/*
	 * One data record, the framework's until put returns (rendering
	 * or sdc_sink_failed may change it); copy what is kept past it.
	 */
	void		(*put)(void *state, struct sdc_record *r);
	/*
	 * A batch boundary came, or --flush-ms passed with records waiting:
	 * send what is buffered (a file may stay open; a request goes out).
	 */
	void		(*flush)(void *state);
	/*
	 * May be NULL.  Seconds until flush should be called even with no
	 * record waiting (a file's --idle-timeout or --max-age), 0 when
	 * overdue, < 0 when nothing is due.
	 */
	double		(*due)(void *state);
	/*
	 * The input ended (or a stop signal): deliver or fail everything
	 * taken, publish and close what is open, emit the last events and
	 * free the state.
	 */
	void		(*close)(void *state);
};

extern const struct sdc_destination *const sdc_destinations[];	/* NULL-ended */
const struct sdc_destination *sdc_destination_find(const char *name);
/* "file, kafka, s3, http" in dst; the length it needed, as snprintf. */
size_t	sdc_destination_names(char *dst, size_t len);
/* What a plugin-options.h set needs of a destination (its options). */
void	sdc_destination_view(const void *entry, struct sdc_plugin_view *v);

/* ------------------------------------------------ what the framework offers */

/*
 * The --format chosen and its options: NULL when it is the default, the
 * record stream of sdc-record(5) itself.
 */
const struct sdc_format *sdc_sink_format(const struct sdc_sink *s);
const void *sdc_sink_format_opts(const struct sdc_sink *s);
/* --max-buffer: bytes a destination may hold before put must wait. */
size_t	sdc_sink_max_buffer(const struct sdc_sink *s);
/* The --retry-* policy, shared by every destination. */
const struct sdc_retry_policy *sdc_sink_retry_policy(const struct sdc_sink *s);
bool	sdc_sink_checking(const struct sdc_sink *s);	/* --check */
/*
 * Called by open: this destination reads only the records' headers (ids,
 * attributes), never their fields.  Records are then put with their
 * header decoded and their root left a null MAP, and rendered straight
 * from their frames where the format can (sdc_render_record; in the
 * record stream, the frame as it came), which is much faster;
 * sdc_sink_fields decodes a record's fields when they are wanted after
 * all, and sdc_sink_failed does.  Without effect when the framework
 * needs the fields itself (--time-field).
 */
void	sdc_sink_header_only(struct sdc_sink *s);
/* Decode r's fields if the framework left them out: false if malformed. */
bool	sdc_sink_fields(struct sdc_sink *s, struct sdc_record *r);
/* A stop signal came: finish what is in hand, take no new waits. */
bool	sdc_sink_stopping(struct sdc_sink *s);
/*
 * Sleep seconds (a retry's wait), or less if a stop signal comes:
 * false when it did.
 */
bool	sdc_sink_sleep(struct sdc_sink *s, double seconds);

/*
 * Outcomes.  Each record put is reported once, in any order, by
 * delivered (with its bytes and the seconds from put to the server's
 * acknowledgement, for the latency percentiles) or failed (the record
 * becomes an error record downstream, code and reason given: "after 5
 * attempts over 12.5 s: 503 Service Unavailable").
 */
void	sdc_sink_delivered(struct sdc_sink *s, uint64_t records,
	    uint64_t bytes, double latency);
void	sdc_sink_failed(struct sdc_sink *s, struct sdc_record *r,
	    const char *code, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/*
 * A failure of records no longer held as records (a Kafka message whose
 * delivery report failed, a file that could not be written): the error
 * record carries the raw payload instead.
 */
void	sdc_sink_failed_raw(struct sdc_sink *s, const char *id,
	    const void *payload, size_t len, const char *code,
	    const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));
void	sdc_sink_retried(struct sdc_sink *s);	/* one more retry */

/*
 * Events, as SDC defines them, written downstream as event frames with
 * sdc.event.type set: "file-closed" (filepath, filename, length, record
 * count) and "object-written" (bucket, key, length, record count).
 */
void	sdc_sink_file_closed(struct sdc_sink *s, const char *filepath,
	    uint64_t length, uint64_t records);
void	sdc_sink_object_written(struct sdc_sink *s, const char *bucket,
	    const char *key, uint64_t length, uint64_t records);

/* ------------------------------------------------------------- rendering */

/*
 * Records rendered in the sink's --format into memory, for one file,
 * object or request: the format's header at the start (a CSV header,
 * an Avro container's schema, a stream header), its footer at finish.
 * Only whole records are in the bytes.
 */
struct sdc_render;
struct sdc_render *sdc_render_new(struct sdc_sink *s);
/* Render r; false (nothing added) when it cannot be (the reason in why). */
bool	sdc_render_record(struct sdc_render *rd, struct sdc_record *r,
	    const char **why);
/* The bytes rendered and not yet taken. */
const uint8_t *sdc_render_bytes(const struct sdc_render *rd, size_t *len);
/* The first n of them were taken (written, sent). */
void	sdc_render_take(struct sdc_render *rd, size_t n);
/* Add the format's footer, if any; after it, only take and free. */
void	sdc_render_finish(struct sdc_render *rd);
uint64_t sdc_render_records(const struct sdc_render *rd);	/* so far */
void	sdc_render_free(struct sdc_render *rd);

/*
 * The time of r for templates: --time-field, receivedAt, else now (the
 * coarse clock's, for a record being put the reading of
 * sdc_sink_put_uptime).
 */
int64_t	sdc_sink_record_time(const struct sdc_sink *s,
	    const struct sdc_record *r);
/*
 * Seconds on the coarse monotonic clock (a few ms of resolution) for the
 * record being put: read once for a few records, and again after a wait
 * for input, a flush, a delivery, a retry or a sleep, at a fraction of
 * the cost of a reading each.
 */
double	sdc_sink_put_uptime(const struct sdc_sink *s);

#endif
