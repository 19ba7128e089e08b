#ifndef SDC_CSV_READ_H
#define SDC_CSV_READ_H
/*
 * Inside the CSV reader: its state, shared by csv-read.c (lines,
 * libcsv, records) and csv-escape.c (the parser used when an escape
 * character is set).  The reader owns everything it points to.
 */
#include <csv.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "delimited.h"
#include "wire.h"

#define SDC_CSV_ONES	0x0101010101010101ULL

/* Byte classes of the plain-line scan. */
enum { C_PLAIN, C_DELIM, C_HIGH, C_SLOW };

enum csv_header_state {
	HDR_WANT,	/* the next row is the header */
	HDR_DONE
};

struct sdc_csv_reader {
	struct sdc_run		*run;
	const char		*name;
	const struct sdc_csv_opts *o;
	struct csv_parser	 parser;
	unsigned char		 cls[256];	/* classes, csv-fast.c */
	size_t			 max;		/* record limit */

	/* The window: bytes from the open record's first line on. */
	struct sdc_buf		 win;
	size_t			 pos;		/* next to parse */
	size_t			 line_end;	/* of this line */
	size_t			 rec_start;	/* its first line */
	uint64_t		 line;		/* the one at pos */
	uint64_t		 rec_line;
	unsigned long		 skip;		/* lines to skip */
	bool			 started;	/* BOM looked for */
	bool			 discarding;	/* a long line */
	bool			 broken;

	/* The header: names end to end in names, keys point in. */
	enum csv_header_state	 header;
	struct sdc_buf		 names;
	bool			 header_too_long;
	struct sdc_str		*keys;
	size_t			 nheader, nkeys, cap_keys;

	/* The row being read. */
	struct sdc_record	 rec;
	struct sdc_idbuf	 id;
	size_t			 ncols;
	size_t			 bad_utf8;	/* field + 1 */
	bool			 line_ascii;
	size_t			*ends;		/* of cells */
	size_t			 ncells, cap_cells;
	/* Plain rows go out as frames with no record built (csv-fast.c). */
	struct sdc_row_layout	 layout;
	bool			 have_layout;
	/* The bytes csv-fast.c looks for, eight times over. */
	uint64_t		 bdelim, bquote, besc, bcr;

	/* Cells trimmed, nulled or past the header: no fast path. */
	bool			 cooked;
	char			 extra_key[32];
	/* csv-escape.c */
	struct sdc_buf		 field;
	int			 esc_state;
	bool			 esc_pending;
};

int	sdc_csv_no_space(unsigned char c);
void	sdc_csv_begin_record(struct sdc_csv_reader *r);
/* A line with no quote, escape or lone CR: false when it has one. */
bool	sdc_csv_fast_line(struct sdc_csv_reader *r, const uint8_t *p,
	    const uint8_t *e);
void	sdc_csv_add_field(struct sdc_csv_reader *r, const void *p,
	    size_t n);
void	sdc_csv_end_row(struct sdc_csv_reader *r);
/* An error record holding the bytes from rec_start to line_end. */
void	sdc_csv_reject(struct sdc_csv_reader *r, const char *code,
	    const char *reason);
void	sdc_csv_parse_failed(struct sdc_csv_reader *r, const char *reason);

void	sdc_csv_escape_reset(struct sdc_csv_reader *r);
bool	sdc_csv_escape_open(const struct sdc_csv_reader *r);
void	sdc_csv_escape_line(struct sdc_csv_reader *r, size_t start,
	    size_t end);
void	sdc_csv_escape_finish(struct sdc_csv_reader *r);

/* A line of cells split at a delimiter of several bytes. */
void	sdc_csv_multi_line(struct sdc_csv_reader *r, size_t start,
	    size_t end);

#endif
