#ifndef SDC_JSON_READ_H
#define SDC_JSON_READ_H
/*
 * A streaming JSON parser that builds record fields directly: objects
 * become LIST_MAP (order kept; of duplicate keys the last value wins,
 * at the place of the first), arrays LIST, strings STRING, true and
 * false BOOLEAN, null a null STRING, integers that fit LONG, larger
 * ones DECIMAL, and other numbers DOUBLE (DECIMAL with exact_decimals).
 *
 * Input is read in chunks through a callback; the reader keeps one
 * value and one chunk in memory, never more than max_value bytes of a
 * value.  Strings without escapes borrow from the reader's buffer, so
 * a value stays valid only until the next call; the rest lives in the
 * arena handed to sdc_json_next.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "arena.h"
#include "field.h"
#include "format.h"

enum sdc_json_mode {
	SDC_JSON_AUTO,		/* array if the input starts with '[' */
	SDC_JSON_LINES,		/* values one after another (NDJSON) */
	SDC_JSON_ARRAY		/* one top-level array of values */
};

typedef ssize_t sdc_json_read_fn(void *ctx, void *buf, size_t n);

enum sdc_json_status {
	SDC_JSON_EOF,		/* no more values */
	SDC_JSON_VALUE,		/* out holds one */
	SDC_JSON_ERROR,		/* err, err_line and raw say what was bad */
	SDC_JSON_IO		/* the read callback failed; errno is set */
};

struct sdc_json_reader {
	sdc_json_read_fn	*read;
	void			*ctx;
	enum sdc_json_mode	 mode;
	bool			 exact_decimals;
	size_t			 max_value;
	size_t			 chunk;		/* bytes asked per read */
	int			 max_depth;	/* SDC_MAX_DEPTH */

	uint8_t			*buf;		/* buf[end] is always NUL */
	size_t			 cap, start, end;
	bool			 eof;
	bool			 skip_line;	/* resuming after an error */
	int			 array;		/* state in a top-level array */
	uint64_t		 line;		/* of buf[start] */
	int64_t			 line_off;	/* its start in buf */

	bool			 stopped;	/* gave up on this input */
	uint64_t		 value_line;	/* first line of a value */
	uint64_t		 err_line;
	char			 err[160];
	const uint8_t		*raw;		/* the value's or bad bytes */
	size_t			 raw_len;
};

void	sdc_json_reader_init(struct sdc_json_reader *r, enum sdc_json_mode mode,
	    bool exact_decimals, size_t max_value, sdc_json_read_fn *read,
	    void *ctx);
/* Read a new input through ctx, in mode, keeping the buffer. */
void	sdc_json_reader_restart(struct sdc_json_reader *r,
	    enum sdc_json_mode mode, void *ctx);
void	sdc_json_reader_release(struct sdc_json_reader *r);
enum sdc_json_status sdc_json_next(struct sdc_json_reader *r,
	    struct sdc_arena *a, struct sdc_field *out);

/* Typed JSON (json-typed.c). */
struct sdc_run;
struct sdc_input;

enum sdc_typed_frame {
	SDC_TYPED_RECORD,	/* r holds a data, error or event record */
	SDC_TYPED_BATCH,
	SDC_TYPED_OTHER		/* kind and payload of an unknown frame */
};

/*
 * Rebuild what one typed frame object describes.  r must be cleared by
 * the caller; it borrows from v.  -1 with a reason in err when v is
 * not a typed frame.
 */
int	sdc_json_typed_decode(const struct sdc_field *v, struct sdc_record *r,
	    enum sdc_typed_frame *what, uint8_t *kind, struct sdc_str *payload,
	    char *err, size_t errlen);
void	sdc_json_typed_read(struct sdc_run *run, struct sdc_input *in,
	    enum sdc_json_mode mode);

#endif
