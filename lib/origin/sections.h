#ifndef SDC_SECTIONS_H
#define SDC_SECTIONS_H
/*
 * sdc-ingest's command line as sections, one an origin:
 *
 *	[ORIGIN] [options] [operands] + ORIGIN [options] [operands] + ...
 *
 * Every argument that is exactly "+" ends a section.  A section has its
 * origin, its blocks of origin and format options (origin-options.h,
 * format-options.h) and its --format, set by the program's handler
 * through sdc_ingest_sections_set_format.  The first section's origin
 * is named by its first operand, or is the default (sdc_origins[0]); a
 * later one begins with the name of its origin.  The other options (the
 * common ones, the program's own but --format, the groups it hands in
 * as program-wide) apply to the whole run and may be given in any
 * section, but not in two sections with different values.  Faults are
 * usage errors naming the section when there are several.
 *
 * The set owns its sections, their blocks and the arrays of their
 * words; the words themselves are argv's.
 */
#include <stddef.h>

#include "cli.h"
#include "ingest.h"
#include "format-options.h"
#include "format.h"
#include "origin-options.h"
#include "origin.h"

struct sdc_ingest_section {
	const struct sdc_origin	*origin;
	size_t			 number;	/* 1, 2, ... */
	const char		*format_name;	/* "bytes" unless set */
	const struct sdc_format	*format;	/* after _check */
	const void		*format_opts;
	struct sdc_origin_opts	 oo;
	struct sdc_format_opts	 fo;
	int			 argc;		/* the operands */
	char			**argv;
	char			**words;	/* [prog, words..., NULL] */
	char			 name[48];	/* "section 2 (http)" */
};

#define SDC_SECTIONS_GIVEN_MAX	128

struct sdc_ingest_sections {
	struct sdc_ingest_section *v;
	size_t			   n;
	struct sdc_ingest_section *current;	/* being parsed */
	struct {
		const char	*name;
		const char	*value;
		size_t		 section;
	}			   given[SDC_SECTIONS_GIVEN_MAX];
	size_t			   ngiven;
};

/*
 * Parse argv: each section through cli and its groups, first the
 * program-wide group shared (the same block for every section), then
 * the section's origin and format groups; common gets the common
 * options, cli's handler ctx.  Then check each section: its origin's
 * options, its format.
 */
void	sdc_ingest_sections_parse(struct sdc_ingest_sections *s,
	    const struct sdc_cli *cli, struct sdc_option_group shared,
	    struct sdc_options *common, void *ctx, int argc, char **argv);
void	sdc_ingest_sections_release(struct sdc_ingest_sections *s);
/* --format FORMAT, for the section being parsed. */
void	sdc_ingest_sections_set_format(struct sdc_ingest_sections *s,
	    const char *name);
/*
 * A usage error prefix for a section's messages: its name when there
 * are several sections, NULL when there is one (the messages of today).
 */
const char *sdc_ingest_section_context(const struct sdc_ingest_sections *s,
	    const struct sdc_ingest_section *sec);
/*
 * Run the sections' origins on one output (sections-run.c), io the
 * program-wide options (its format unused): each started, in order,
 * with its format; the loop until every one is done or a stop request;
 * each stopped.  The exit status of the run.
 */
int	sdc_ingest_sections_run(const struct sdc_ingest_sections *s,
	    const struct sdc_options *opt,
	    const struct sdc_ingest_options *io);

#endif
