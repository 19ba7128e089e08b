#ifndef SDC_SPARK_SUBMIT_H
#define SDC_SPARK_SUBMIT_H
/*
 * The spark-submit launcher's parts: its options, the argv of a launch
 * (built word by word, never through a shell), and the reading of
 * spark-submit's output (the application id, the final status, the
 * lines that say why it failed).  The options point into argv; the
 * state owns what it builds.
 */
#include <stdbool.h>
#include <stddef.h>

#include "sparkjob.h"

#define SDC_SUBMIT_CONF_MAX	64
#define SDC_SUBMIT_ENV_MAX	64

struct sdc_submit_opts {
	const char	*master, *deploy_mode, *main_class, *name, *queue;
	const char	*driver_memory, *executor_memory;
	unsigned long	 driver_cores, executor_cores, num_executors;
	unsigned long	 min_executors, max_executors;
	bool		 dynamic;
	const char	*jars, *py_files, *files;
	const char	*conf[SDC_SUBMIT_CONF_MAX];	/* "KEY=TEMPLATE" */
	size_t		 nconf;
	const char	*env[SDC_SUBMIT_ENV_MAX];	/* "NAME=VALUE" */
	size_t		 nenv;
	const char	*proxy_user, *principal, *keytab;
	const char	*spark_home, *java_home;
};

/*
 * A word of the argv: its prefix ("--conf=KEY="), then the expansion
 * of t for the launch when t is set.  The application's word may not
 * start with a dash, which spark-submit would read as an option.
 */
struct submit_word {
	char			*prefix;	/* owned */
	struct sdc_template	*t;		/* or NULL */
	bool			 app;
};

struct sdc_submit {
	struct sdc_sparkjob	*j;
	char			*program;	/* spark-submit's path */
	struct submit_word	*words;		/* after the program */
	size_t			 nwords;
	char			**envp;		/* the child's, NULL-ended */
	bool			 local;		/* local, local[N]... */
	bool			 yarn, k8s, cluster;
	const char		*submitter;	/* --proxy-user, or NULL */
	bool			 verbose;
};

extern const struct sdc_plugin_option sdc_submit_options[];
void	sdc_submit_opts_init(void *opts);

/* Check the options and build the words of every launch. */
struct sdc_submit *sdc_submit_open(struct sdc_sparkjob *j,
	    const struct sdc_submit_opts *o, int argc, char *const *argv);
void	sdc_submit_close(void *state);
/* The argv of a launch, NULL-ended; sdc_submit_argv_free frees it. */
char	**sdc_submit_argv(struct sdc_submit *s, struct sdc_launch *l);
void	sdc_submit_argv_free(char **argv);
/* One line: each word shell-quoted ($'...' for control characters). */
char	*sdc_submit_quote(char *const *argv);

/* What spark-submit's output said, line by line. */
#define SUBMIT_TAIL	16
#define SUBMIT_LINE_MAX	1024
struct submit_output {
	char	 app_id[64];		/* "" until seen */
	char	 final_status[32];	/* "" until seen */
	char	 tail[SUBMIT_TAIL][SUBMIT_LINE_MAX];	/* last lines */
	size_t	 ntail;			/* lines kept in all */
	char	 line[SUBMIT_LINE_MAX];	/* the line being read */
	size_t	 len;
	bool	 overlong;		/* the rest of a long line is dropped */
};

/*
 * Take bytes of output; for each whole line, line(ctx, text).  The
 * application id and final status are taken from the lines as they go.
 */
void	sdc_submit_output_feed(struct submit_output *o, const char *buf,
	    size_t n, void (*line)(void *ctx, const char *text), void *ctx);
/* The end of output: a last line without its newline. */
void	sdc_submit_output_end(struct submit_output *o,
	    void (*line)(void *ctx, const char *text), void *ctx);
/* The line that best says why it failed, "" when there was no output. */
const char *sdc_submit_output_reason(const struct submit_output *o);

#endif
