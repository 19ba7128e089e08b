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

/* Parse argv; returns the index of the first operand. */
int	sdc_cli_parse(const struct sdc_cli *cli, struct sdc_options *common,
	    void *ctx, int argc, char **argv);
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
