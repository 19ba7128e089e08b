#ifndef SDC_CLI_H
#define SDC_CLI_H
/*
 * Command-line parsing shared by every program: getopt_long over the
 * program's own options plus the common ones, with --help generated
 * from the same table so that help, man page and completions can be
 * checked against one list.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

#include "run.h"

struct sdc_option {
	const char	*name;		/* long name, without "--" */
	int		 short_name;	/* 0 when none */
	int		 val;		/* handed to the handler */
	bool		 has_arg;
	const char	*arg;		/* "FMT", for the help text */
	const char	*help;
};

struct sdc_cli {
	const char	*synopsis;	/* "[options] [FILE ...]" */
	const char	*summary;	/* one line */
	const char	*example;	/* shell lines, one per line */
	const struct sdc_option *options; /* ends with a zeroed entry */
	void		(*handle)(void *ctx, int val, const char *arg);
};

/*
 * Options a program takes from a lib module that declares them (as the
 * formats' options, format-options.h): --help lists each group after
 * the program's own, under its title, and each one parsed goes to its
 * group's handler with the val of its entry.  A long name that several
 * groups declare is one option, handed to each of them in turn; it
 * takes an argument in all of them or in none, with the same short
 * name.  A group option may not take the name of one of the program's
 * or the common options, nor a short name that is one of their vals.
 */
struct sdc_option_group {
	const char		*title;		/* NULL ends the groups */
	const struct sdc_option	*options;	/* ends with a zeroed entry */
	void			(*handle)(void *ctx, int val, const char *arg);
	void			*ctx;
};

/* Parse argv; returns the index of the first operand. */
int	sdc_cli_parse(const struct sdc_cli *cli, struct sdc_options *common,
	    void *ctx, int argc, char **argv);
/* The same with groups of options (NULL: none). */
int	sdc_cli_parse_groups(const struct sdc_cli *cli,
	    const struct sdc_option_group *groups, struct sdc_options *common,
	    void *ctx, int argc, char **argv);
/*
 * The same, telling note each option found (its long name, its
 * argument or NULL) before it is applied: for a program that parses
 * several parts of its command line and checks what each one gave.
 */
typedef void (*sdc_cli_note_fn)(void *ctx, const char *name, const char *arg);
int	sdc_cli_parse_noting(const struct sdc_cli *cli,
	    const struct sdc_option_group *groups, struct sdc_options *common,
	    void *ctx, int argc, char **argv, sdc_cli_note_fn note,
	    void *note_ctx);
noreturn void sdc_usage_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* Argument parsers for handlers; a bad value is a usage error. */
size_t	sdc_parse_size(const char *opt, const char *arg);	/* 4K, 16M */
unsigned long sdc_parse_count(const char *opt, const char *arg);
double	sdc_parse_seconds(const char *opt, const char *arg);
/* A duration in seconds: "90", "90s", "500ms", "15m", "2h", "1d". */
double	sdc_parse_duration(const char *opt, const char *arg);
char	sdc_parse_char(const char *opt, const char *arg);	/* "\t" ok */
/* Index of arg in the NULL-terminated words. */
int	sdc_parse_word(const char *opt, const char *arg,
	    const char *const *words);

#endif
