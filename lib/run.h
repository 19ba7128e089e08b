#ifndef SDC_RUN_H
#define SDC_RUN_H
/*
 * One program run: the options every program shares, its output, its
 * counts, its error policy and its signals.  A program makes one run;
 * readers hand it the records they make (sdc_run_emit) or fail to
 * make (sdc_run_reject*), and it writes them as frames or through a
 * format writer.  Records passed in stay owned by the caller.
 */
#include <stdbool.h>
#include <stdint.h>

#include "frame-reader.h"
#include "out.h"
#include "record.h"

enum sdc_on_error {
	SDC_ON_ERROR_PASS,	/* error records flow downstream */
	SDC_ON_ERROR_DISCARD,	/* counted, then dropped */
	SDC_ON_ERROR_STOP	/* the program stops with status 1 */
};

struct sdc_options {
	enum sdc_on_error on_error;
	const char	*errors_path;	/* --errors: divert error frames */
	const char	*metrics_path;
	double		 metrics_interval;	/* seconds; 0: at exit only */
	int		 progress;	/* -1 automatic, 0 off, 1 on */
	size_t		 max_record;	/* payload bytes */
	bool		 force;		/* binary frames to a terminal */
	bool		 dry_run;
};

struct sdc_counts {
	uint64_t	in;		/* records read or parsed */
	uint64_t	out;		/* records written */
	uint64_t	errors;		/* records this program rejected */
	uint64_t	passed;		/* error, event, other frames passed */
	uint64_t	bytes_in;
};

struct sdc_writer;
struct sdc_input;

/* A count of a program's own, for --progress and the metrics. */
struct sdc_counter {
	const char	*name;		/* NULL ends a table */
	const uint64_t	*value;
};

/* The counts of one part of a program (an origin of several). */
struct sdc_counter_set {
	const char		 *name;		/* NULL ends a list */
	const struct sdc_counter *counters;
};

struct sdc_run {
	const char		*prog;
	struct sdc_options	 opt;
	struct sdc_counts	 n;
	struct sdc_out		 out;
	struct sdc_out		 errors;	/* open when opt.errors_path */
	struct sdc_writer	*writer;	/* NULL: output is records */
	struct sdc_record	 scratch;	/* for error records made here */
	const struct sdc_input	*input;		/* being read, for bytes_in */
	uint64_t		 out_frames;	/* for the end frame */
	uint64_t		 err_frames;
	int			 status;	/* worst so far */
	double			 started;	/* monotonic seconds */
	/*
	 * Called once when a stop signal is acted on, before the run
	 * finishes: a program with work in flight completes it here.
	 */
	void			(*on_stop)(struct sdc_run *run, void *ctx);
	void			*stop_ctx;
	bool			 stopping;	/* on_stop is running */
	char			 phase[64];	/* for --progress, or "" */
	double			 ready;		/* when data began to move */
	/*
	 * Header attributes set on every data and error record emitted
	 * (where an origin received a payload), and counts of the
	 * program's own (ending with a NULL name): both borrowed, NULL
	 * when none.
	 */
	const struct sdc_attr	*stamp;
	size_t			 nstamp;
	const struct sdc_counter *counters;
	/*
	 * The counts of each part as well, or NULL: in the metrics an
	 * array under the key parts_key, an object a part ("name" and
	 * its counters); on the status line the first counter of each.
	 */
	const struct sdc_counter_set *parts;
	const char		*parts_key;
	/* Called before the counters are read, to sum them up; or NULL. */
	void			(*tally)(void *ctx);
	void			*tally_ctx;
	/*
	 * When set, each rejection's message is copied here too (a run
	 * that renders records for a destination, which reports them).
	 */
	char			*reject_note;
	size_t			 reject_note_len;
};

void	sdc_options_init(struct sdc_options *o);
/*
 * Open standard output (refusing a terminal for frames unless forced),
 * the --errors file, metrics and signals.  writer NULL means the
 * output is a record stream.
 */
void	sdc_run_start(struct sdc_run *run, const char *prog,
	    const struct sdc_options *opt, struct sdc_writer *writer);
/* Write what is whole, the end frame and the metrics: the exit status. */
int	sdc_run_finish(struct sdc_run *run);

/*
 * Clear r as a new data record from this program, with source id; id
 * is borrowed and must stay valid until the record has been emitted.
 */
void	sdc_run_new_record(struct sdc_run *run, struct sdc_record *r,
	    const char *id, size_t id_len);
/* Send a record of any kind on: to the writer, or as a frame. */
void	sdc_run_emit(struct sdc_run *run, struct sdc_record *r);
/*
 * A data frame to a writer that renders payloads itself: 0 when done,
 * 1 when it is not (decode the record and emit it), -1 with the reason
 * when the payload is malformed.
 */
int	sdc_run_emit_frame(struct sdc_run *run, const struct sdc_frame *f,
	    struct sdc_record *scratch, const char **reason);
/*
 * A row of string cells (sdc_wire_encode_row) sent on as a data frame,
 * with no record built: false when it cannot be (the output is not
 * records, or the row is too large), and the caller emits the record.
 */
struct sdc_row_layout;
bool	sdc_run_emit_row(struct sdc_run *run, const struct sdc_row_layout *l,
	    const char *id, size_t id_len, const uint8_t *line,
	    const size_t *ends, size_t ncells);
/* An input frame that is not this program's business, bytes untouched. */
void	sdc_run_forward(struct sdc_run *run, const struct sdc_frame *f);
void	sdc_run_batch(struct sdc_run *run);
/*
 * r could not be processed: it becomes an error record with the
 * message and goes where --on-error and --errors say.
 */
void	sdc_run_reject(struct sdc_run *run, struct sdc_record *r,
	    const char *code, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/*
 * r is already an error record, made by a stage this program runs (a
 * transformer): counted and routed as this program's own, msg being
 * what --on-error=stop says.
 */
void	sdc_run_reject_record(struct sdc_run *run, struct sdc_record *r,
	    const char *msg);
/* Input that never became a record: the raw bytes are kept. */
void	sdc_run_reject_raw(struct sdc_run *run, const char *id,
	    const void *raw, size_t n, const char *code, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));
/* Note a failure that does not stop the run (as a missing file). */
void	sdc_run_fail(struct sdc_run *run, int status);

/*
 * Read the record stream at path ("-" for stdin) and hand each frame
 * to the writer, or forward it when the output is records.
 */
void	sdc_run_read_stream(struct sdc_run *run, const char *path);

struct sdc_format;
struct sdc_input;
struct sdc_path;
/*
 * Parse the input at path ("-" for stdin) with fmt's reader and opts.
 * An input that is a record stream (it starts with the magic) is read
 * as one instead, and the payload of each data record, its root or the
 * field at payload_field (when not NULL), is parsed as one input of
 * fmt (see run-payload.c).
 */
void	sdc_run_read_input(struct sdc_run *run, const struct sdc_format *fmt,
	    const void *opts, const struct sdc_path *payload_field,
	    const char *path);
/*
 * For readers of record streams: a frame that is not parsed here, sent
 * on as sdc_run_read_stream does (scratch decodes it for a writer), and
 * a frame whose payload does not decode, rejected with its offset.
 */
void	sdc_run_pass_frame(struct sdc_run *run, struct sdc_frame_reader *fr,
	    const struct sdc_frame *f, struct sdc_record *scratch);
void	sdc_run_bad_frame(struct sdc_run *run, struct sdc_frame_reader *fr,
	    const struct sdc_frame *f, const char *reason);
/* What sdc_run_read_input does with the data records of a stream. */
struct sdc_payload_parser;
struct sdc_payload_parser *sdc_payload_parser_new(struct sdc_run *run,
	    const struct sdc_format *fmt, const void *opts,
	    const struct sdc_path *field);
void	sdc_payload_parser_frame(struct sdc_payload_parser *p,
	    struct sdc_frame_reader *fr, const struct sdc_frame *f);
void	sdc_payload_parser_free(struct sdc_payload_parser *p);
/* A reader could not read in: report it (errno) and note status 3. */
void	sdc_run_input_error(struct sdc_run *run, const struct sdc_input *in);

/*
 * A program with an event loop stops by itself: the signal of a stop
 * request not yet acted on (0: none), which sdc_run_poll then leaves
 * alone.  A second request still stops at once.
 */
int	sdc_run_take_stop(struct sdc_run *run);

/* Act on signals and timers; called between records. */
void	sdc_run_poll(struct sdc_run *run);
extern volatile int sdc_pending_signal;	/* nonzero: poll has work */

#endif
