#ifndef SDC_FILE_SINK_H
#define SDC_FILE_SINK_H
/*
 * The file destination's pieces: its options (file-options.c), its
 * --check (file-check.c) and the destination itself (file.c), over
 * file-codec.h, file-publish.h and file-rules.h.
 */
#include "file-codec.h"
#include "file-rules.h"
#include "plugin-options.h"
#include "sink.h"

enum file_late_mode { FILE_LATE_ERROR, FILE_LATE_DIRECTORY };

struct file_opts {
	const char		*directory;	/* a template */
	const char		*name;		/* a template, or NULL */
	const char		*prefix;
	const char		*suffix;
	bool			 parts_given;	/* a prefix or suffix */
	enum sdc_codec_kind	 compression;
	struct sdc_roll_policy	 roll;
	const char		*roll_attribute;
	double			 late_limit;	/* seconds */
	enum file_late_mode	 late_mode;
	const char		*late_directory;	/* a template, or NULL */
	unsigned long		 max_open;
};

extern const struct sdc_plugin_option sdc_file_options[];
void	sdc_file_opts_init(void *opts);
/* Usage errors for options that do not go together. */
void	sdc_file_opts_check(const struct file_opts *o);
/* The template text of the file names the options make. */
char	*sdc_file_name_template(const struct file_opts *o);
/* --check: whether files could be written under the directory. */
void	sdc_file_check(const struct file_opts *o);
/* The directory a template's files all go under: its fixed start. */
char	*sdc_file_base_dir(const char *template);

#endif
