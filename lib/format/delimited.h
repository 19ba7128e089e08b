#ifndef SDC_DELIMITED_H
#define SDC_DELIMITED_H
/*
 * Private to the csv, text and bytes formats: their options, the push
 * interface of the CSV reader (so that tests and fuzzers can feed it
 * in pieces), record ids, UTF-8 checks and the plain text of scalar
 * fields.
 * The reader owns its buffers; records it emits stay its own.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "field.h"
#include "format.h"
#include "run.h"
#include "utf8.h"

/*
 * The options of each, as their option tables set them (made by the
 * opts_init of sdc_format_csv, _text and _bytes).
 */
enum sdc_header_mode {
	SDC_HEADER_USE,		/* first line names the fields */
	SDC_HEADER_NONE,	/* no header line: records are LISTs */
	SDC_HEADER_IGNORE	/* skip the first line: records are LISTs */
};

enum sdc_quote_mode {
	SDC_QUOTE_MINIMAL,	/* cells that need it */
	SDC_QUOTE_ALL,		/* every cell but nulls */
	SDC_QUOTE_NONE		/* specials escaped instead */
};

struct sdc_csv_opts {
	char			 delimiter;
	const char		*multi_delimiter;	/* NULL: one byte */
	char			 quote;		/* 0: none */
	char			 escape;	/* 0: a doubled quote */
	bool			 escape_controls;	/* \n \t \r ... */
	enum sdc_header_mode	 header;
	unsigned long		 skip_lines;
	char			 comment;	/* 0: none */
	const char		*null_value;	/* NULL: none */
	bool			 trim;		/* spaces around cells */
	bool			 keep_extra;	/* _extra_N columns */
	bool			 infer_types;
	bool			 exact_decimals;	/* with infer_types */
	/* writing */
	enum sdc_quote_mode	 quote_mode;
	bool			 crlf;
	bool			 flatten;	/* /a/b as column a.b */
};

struct sdc_text_opts {
	const char		*line_delimiter;
	size_t			 max_line;
	struct sdc_path		 text_field;	/* "/text" */
	bool			 truncate;	/* long lines cut, not errors */
};

struct sdc_bytes_opts {
	size_t			 chunk_size;	/* 0: the whole input */
	struct sdc_path		 field;		/* "/": the root */
};

/* Ids "NAME:N" built without printf: one buffer, the prefix kept. */
struct sdc_idbuf {
	char	*buf;
	size_t	 prefix;	/* length of "NAME:" */
	size_t	 len;		/* of the last id made */
	uint64_t last;		/* its number */
	size_t	 cap;
};

void	sdc_idbuf_init(struct sdc_idbuf *b, const char *name);
/* Ids of another name, in the same buffer when it fits. */
void	sdc_idbuf_rename(struct sdc_idbuf *b, const char *name);
void	sdc_idbuf_release(struct sdc_idbuf *b);
const char *sdc_idbuf_make(struct sdc_idbuf *b, uint64_t n);

/*
 * The text of a scalar as a CSV cell or a text line holds it: strings
 * as they are, numbers, booleans and dates as in plain JSON, byte
 * arrays in base64, null as nothing.  Text that is not in the field
 * itself is made in scratch.  False for a container.
 */
bool	sdc_scalar_text(const struct sdc_field *f, struct sdc_buf *scratch,
	    struct sdc_str *out);

/* "/a/b[2]" for messages. */
void	sdc_path_text(const struct sdc_path *p, char *dst, size_t len);

struct sdc_csv_reader;

/*
 * Parse CSV for run: take room with _space, fill some of it, hand it
 * over with _commit, and call _finish at the end of the input.  name
 * names the input in ids and messages.  _feed copies for callers
 * whose bytes are elsewhere.
 */
struct sdc_csv_reader *sdc_csv_reader_new(struct sdc_run *run,
	    const char *name, const struct sdc_csv_opts *o);
void	*sdc_csv_reader_space(struct sdc_csv_reader *r, size_t *n);
void	sdc_csv_reader_commit(struct sdc_csv_reader *r, size_t n);
void	sdc_csv_reader_feed(struct sdc_csv_reader *r, const void *p,
	    size_t n);
void	sdc_csv_reader_finish(struct sdc_csv_reader *r);
/* False once the input cannot be read on (a broken header). */
bool	sdc_csv_reader_ok(const struct sdc_csv_reader *r);
void	sdc_csv_reader_free(struct sdc_csv_reader *r);

/* The same for lines of text. */
struct sdc_text_reader;

struct sdc_text_reader *sdc_text_reader_new(struct sdc_run *run,
	    const char *name, const struct sdc_text_opts *o);
void	*sdc_text_reader_space(struct sdc_text_reader *r, size_t *n);
void	sdc_text_reader_commit(struct sdc_text_reader *r, size_t n);
void	sdc_text_reader_feed(struct sdc_text_reader *r, const void *p,
	    size_t n);
void	sdc_text_reader_finish(struct sdc_text_reader *r);
void	sdc_text_reader_free(struct sdc_text_reader *r);

/* The dialects of --dialect, by name; false for an unknown one. */
bool	sdc_csv_dialect(struct sdc_csv_opts *o, const char *name);
extern const char *const sdc_csv_dialects[];

/* Writers, for csv.c. */
struct sdc_writer *sdc_csv_writer_new(const struct sdc_csv_opts *o);

#endif
