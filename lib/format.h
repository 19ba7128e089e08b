#ifndef SDC_FORMAT_H
#define SDC_FORMAT_H
/*
 * Formats that records are read from and written to.  Each lives in
 * lib/format/NAME*.c and is one entry of sdc_formats (format/formats.c).
 *
 * Adding a format: the checklist is in cmd/README.
 */
#include <stdbool.h>
#include <stddef.h>

#include "input.h"
#include "path.h"
#include "run.h"

enum sdc_header_mode {
	SDC_HEADER_USE,		/* first line names the fields */
	SDC_HEADER_NONE,	/* no header line: records are LISTs */
	SDC_HEADER_IGNORE	/* skip the first line: records are LISTs */
};

enum sdc_json_mode {
	SDC_JSON_AUTO,		/* array if the input starts with '[' */
	SDC_JSON_LINES,		/* values one after another (NDJSON) */
	SDC_JSON_ARRAY		/* one top-level array of values */
};

struct sdc_format_opts {
	/* delimited */
	char			 delimiter;
	char			 quote;
	char			 escape;	/* 0: a doubled quote */
	enum sdc_header_mode	 header;
	unsigned long		 skip_lines;
	bool			 infer_types;
	/* text */
	const char		*line_delimiter;
	size_t			 max_line;
	struct sdc_path		 text_field;	/* "/text" */
	/* bytes */
	size_t			 chunk_size;	/* 0: the whole input */
	/* json */
	enum sdc_json_mode	 json_mode;
	bool			 pretty;
	bool			 typed;		/* lossless, every frame */
	bool			 exact_decimals;
};

void	sdc_format_opts_init(struct sdc_format_opts *o);
void	sdc_format_opts_release(struct sdc_format_opts *o);

/*
 * A writer turns what the run hands it into bytes on run->out and
 * calls sdc_out_commit after each record.  Hooks left NULL: error
 * records are reported on standard error, events and other frames are
 * dropped (and counted as passed).
 */
struct sdc_writer {
	void	(*record)(struct sdc_writer *w, struct sdc_run *run,
		    struct sdc_record *r);
	void	(*error)(struct sdc_writer *w, struct sdc_run *run,
		    struct sdc_record *r);
	void	(*event)(struct sdc_writer *w, struct sdc_run *run,
		    struct sdc_record *r);
	/*
	 * Optional: a data frame rendered from its payload, with no record
	 * built (scratch may hold its header).  0 when written; 1 when the
	 * record should be decoded and passed to .record instead; -1 with
	 * the reason when the payload is malformed (nothing written).
	 */
	int	(*data_frame)(struct sdc_writer *w, struct sdc_run *run,
		    const struct sdc_frame *f, struct sdc_record *scratch,
		    const char **reason);
	/* batch boundaries and frames of kinds this version does not know */
	void	(*frame)(struct sdc_writer *w, struct sdc_run *run,
		    const struct sdc_frame *f);
	void	(*finish)(struct sdc_writer *w, struct sdc_run *run);
	void	(*free)(struct sdc_writer *w);
};

struct sdc_format {
	const char	*name;
	const char	*summary;
	/* Parse in into records for run; NULL when it cannot read. */
	void		(*read)(struct sdc_run *run, struct sdc_input *in,
			    const struct sdc_format_opts *o);
	/* NULL when it cannot write. */
	struct sdc_writer *(*writer)(const struct sdc_format_opts *o);
};

extern const struct sdc_format *const sdc_formats[];	/* NULL-ended */
const struct sdc_format *sdc_format_find(const char *name);

#endif
