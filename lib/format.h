#ifndef SDC_FORMAT_H
#define SDC_FORMAT_H
/*
 * Formats that records are read from and written to.  Each lives in
 * lib/format/NAME*.c and is one entry of sdc_formats (format/formats.c).
 *
 * Each entry declares its own options, as a Fluent Bit plugin declares
 * its config_map: a table of flags with their help and a setter that
 * parses the argument into the format's own options struct, whose size,
 * init and release the entry gives too.  Programs do not name them:
 * format-options.h builds the flags, the help and the option blocks
 * from this table, so every program that reads or writes formats offers
 * the same ones.  A name that several formats declare is one flag that
 * sets each of them.  Readers and writers are handed their format's
 * block, which outlives them.
 *
 * Adding a format: the checklist is in cmd/README.
 */
#include <stdbool.h>
#include <stddef.h>

#include "input.h"
#include "path.h"
#include "plugin-options.h"
#include "run.h"

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
	 * built (scratch may hold its header).  checked is the length of
	 * the payload's header when the caller has decoded and checked it
	 * (sdc_wire_decode_header), else 0.  0 when written; 1 when the
	 * record should be decoded and passed to .record instead; -1 with
	 * the reason when the payload is malformed (nothing written).
	 */
	int	(*data_frame)(struct sdc_writer *w, struct sdc_run *run,
		    const struct sdc_frame *f, size_t checked,
		    struct sdc_record *scratch, const char **reason);
	/* batch boundaries and frames of kinds this version does not know */
	void	(*frame)(struct sdc_writer *w, struct sdc_run *run,
		    const struct sdc_frame *f);
	void	(*finish)(struct sdc_writer *w, struct sdc_run *run);
	void	(*free)(struct sdc_writer *w);
};

struct sdc_format {
	const char	*name;
	const char	*summary;
	/* Its options, ending with a zeroed entry; NULL when none. */
	const struct sdc_plugin_option *options;
	/* Their block: opts_size bytes set up by opts_init (may be NULL). */
	size_t		 opts_size;
	void		(*opts_init)(void *opts);
	void		(*opts_release)(void *opts);	/* may be NULL */
	/* Parse in into records for run; NULL when it cannot read. */
	void		(*read)(struct sdc_run *run, struct sdc_input *in,
			    const void *opts);
	/*
	 * Optional, for many small inputs (the payloads of records): a
	 * reader made once for run (NULL when these opts need read), each
	 * input fed to it as read would read it, then freed.
	 */
	void		*(*reader_new)(struct sdc_run *run, const void *opts);
	void		(*reader_feed)(void *reader, struct sdc_input *in);
	void		(*reader_free)(void *reader);
	/* NULL when it cannot write. */
	struct sdc_writer *(*writer)(const void *opts);
};

extern const struct sdc_format *const sdc_formats[];	/* NULL-ended */
const struct sdc_format *sdc_format_find(const char *name);
/*
 * The names of the formats that read (reading) or write, as "json,
 * csv, ..., xml", in dst; the length it needed, as snprintf.
 */
size_t	sdc_format_names(char *dst, size_t len, bool reading);

#endif
