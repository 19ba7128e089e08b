#ifndef SDC_PLUGIN_OPTIONS_H
#define SDC_PLUGIN_OPTIONS_H
/*
 * The options of a table of plugins (the formats, the origins; the
 * sinks to come), each entry declaring its own as a Fluent Bit plugin
 * declares its config_map: a table of flags, each with its help and a
 * setter that parses the argument into the entry's own options block.
 * A set makes a block for each entry (opts_init, opts_release), and from
 * the tables the groups of options that sdc_cli_parse_groups offers,
 * one an entry titled "NAME KIND options", applied to those blocks.  A
 * name that several entries declare is one flag that sets each.
 * format-options.h and origin-options.h are this for their tables.
 */
#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

struct sdc_plugin_option {
	const char	*name;		/* long name, without "--" */
	int		 short_name;	/* 0 when none */
	const char	*arg;		/* "CHAR", for the help; NULL: none */
	const char	*help;
	/*
	 * Parse arg (NULL when the option takes none) into the entry's
	 * options; opt is "--name", for messages.  A bad value is a usage
	 * error (sdc_usage_error and the parsers of cli.h).
	 */
	void		(*set)(void *opts, const char *opt, const char *arg);
};

/* What a set needs of one entry of a table. */
struct sdc_plugin_view {
	const char			*name;
	const struct sdc_plugin_option	*options;	/* or NULL */
	size_t				 opts_size;
	void				(*opts_init)(void *opts);
	void				(*opts_release)(void *opts);
};

#define SDC_PLUGIN_USED_MAX	64

struct sdc_plugin_opts {
	const char		 *kind;		/* "format", "origin" */
	const void *const	 *entries;	/* the table, NULL-ended */
	size_t			  n;
	struct sdc_plugin_view	 *views;
	void			**blocks;	/* each entry's options */
	struct sdc_option	**tables;	/* for the cli, or NULL */
	char			**titles;
	struct sdc_option_group	 *groups;	/* ends with a NULL title */
	const char		 *used[SDC_PLUGIN_USED_MAX];	/* names given */
	size_t			  nused;
};

/* view fills in what the entry says of itself. */
void	sdc_plugin_opts_init(struct sdc_plugin_opts *po, const char *kind,
	    const void *const *entries,
	    void (*view)(const void *entry, struct sdc_plugin_view *v));
void	sdc_plugin_opts_release(struct sdc_plugin_opts *po);
/*
 * One list of option groups for a program: first, then those of a, then
 * those of b (lists ending with a NULL title, as the result does); the
 * caller frees it.
 */
struct sdc_option_group *sdc_option_groups_join(struct sdc_option_group first,
	    const struct sdc_option_group *a, const struct sdc_option_group *b);
const struct sdc_option_group *sdc_plugin_opts_groups(
	    const struct sdc_plugin_opts *po);
/*
 * "a, b, c": the names of a table's entries (NULL-ended), as view says
 * them, into dst; the length it needed, as snprintf.
 */
size_t	sdc_plugin_names(const void *const *entries,
	    void (*view)(const void *entry, struct sdc_plugin_view *v),
	    char *dst, size_t len);
/* The block of entry's options, or NULL. */
const void *sdc_plugin_opts_get(const struct sdc_plugin_opts *po,
	    const void *entry);
/*
 * Set the option name (without "--") of every entry that declares it,
 * as the command line does; false when none declares it.
 */
bool	sdc_plugin_opts_set(struct sdc_plugin_opts *po, const char *name,
	    const char *arg);
/* A usage error for an option given that entry does not declare. */
void	sdc_plugin_opts_check(const struct sdc_plugin_opts *po,
	    const void *entry);

#endif
