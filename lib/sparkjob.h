#ifndef SDC_SPARKJOB_H
#define SDC_SPARKJOB_H
/*
 * Launchers: how sdc-sparkjob starts a Spark application when an event
 * arrives (spark-submit; a Databricks job).  Each lives in
 * lib/sparkjob/NAME*.c and is one entry of sdc_launchers
 * (sparkjob/launchers.c), as the destinations are in sink.h: its own
 * options (a plugin-options.h table), the size, init and release of
 * their block, and the hooks below.
 *
 * The framework (sparkjob/sparkjob.c) reads the record stream on
 * standard input and passes every frame through to standard output.
 * Each event record that matches --on and --when becomes a launch,
 * queued until one of the --max-running workers takes it (and under
 * --max-launches-per-minute); beyond --max-queued waiting launches,
 * input waits: launches are kept, never dropped.  A worker thread runs
 * the launcher's launch hook for it, which may block (a process to
 * wait for, a request, polling), calling sdc_launch_sleep between
 * waits.  What a launch reports (sdc_launch_submitted, _finished,
 * _failed) the framework writes downstream as events and error records,
 * from the main thread, so the output stays whole frames.
 *
 * Every launch ends as exactly one of:
 *   - submitted: sdc_launch_submitted, and then, when the launcher
 *     follows the application to its end (under --wait, or because the
 *     application runs in the launcher's own process, as spark-submit's
 *     client mode does), sdc_launch_finished with its final state;
 *   - failed: sdc_launch_failed, before or after submitted, with the
 *     reason: an error record carrying the event downstream.
 * When a launch failed, the program ends with SDC_EXIT_LAUNCH (5) once
 * the others are done.
 *
 * Adding a launcher: lib/sparkjob/NAME.c ending in one
 * "const struct sdc_launcher sdc_launcher_NAME", a line in launchers.c
 * and Makefile.am, its section in man/sdc-sparkjob.1 and its options in
 * the completions, and tests against a real peer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin-options.h"
#include "record.h"
#include "retry.h"
#include "template.h"

struct sdc_sparkjob;	/* the framework's state of one run */
struct sdc_launch;	/* one launch: its event, and what became of it */

struct sdc_launcher {
	const char	*name;
	const char	*summary;
	/* Its options, ending with a zeroed entry; NULL when none. */
	const struct sdc_plugin_option *options;
	size_t		 opts_size;
	void		(*opts_init)(void *opts);
	void		(*opts_release)(void *opts);	/* may be NULL */
	/*
	 * Check the options (a bad one is a usage error: sdc_usage_error)
	 * and parse the templates (sdc_sparkjob_template).  argv holds the
	 * operands after the launcher's name (spark-submit's application
	 * and its arguments), argc of them; a launcher that takes none
	 * refuses them.  The state returned is shared by every worker,
	 * read-only after open (or guarded by the launcher's own lock).
	 */
	void		*(*open)(struct sdc_sparkjob *j, const void *opts,
			    int argc, char *const *argv);
	/*
	 * --dry-run: what a launch for this event would do, as one
	 * malloc'd text: the argv, each word shell-quoted, or the method,
	 * URL and JSON body of the request.  Nothing is started.
	 */
	char		*(*describe)(void *state, struct sdc_launch *l);
	/* Launch, in a worker thread; report as the comment above says. */
	void		(*launch)(void *state, struct sdc_launch *l);
	void		(*close)(void *state);		/* may be NULL */
};

extern const struct sdc_launcher *const sdc_launchers[];	/* NULL-ended */
const struct sdc_launcher *sdc_launcher_find(const char *name);
/* "spark-submit, databricks" in dst; the length needed, as snprintf. */
size_t	sdc_launcher_names(char *dst, size_t len);
/* What a plugin-options.h set needs of a launcher (its options). */
void	sdc_launcher_view(const void *entry, struct sdc_plugin_view *v);

/* ------------------------------------------------ what the framework offers */

/*
 * A template for launch parameters (an argument, a --conf value, a
 * notebook parameter): as sdc_template_parse, but a field's or
 * attribute's value is put in verbatim, not escaped as in a path: argv
 * is built directly and no shell ever reads it.  A usage error naming
 * opt when text is not a template.  The framework frees it.
 */
struct sdc_template *sdc_sparkjob_template(struct sdc_sparkjob *j,
	    const char *opt, const char *text);
bool	sdc_sparkjob_waiting(const struct sdc_sparkjob *j);	/* --wait */
/* --timeout: seconds a launch may take in all (0: no bound). */
double	sdc_sparkjob_timeout(const struct sdc_sparkjob *j);
const struct sdc_retry_policy *sdc_sparkjob_retry_policy(
	    const struct sdc_sparkjob *j);
bool	sdc_sparkjob_verbose(const struct sdc_sparkjob *j);	/* -v */

/* The event that made the launch, whole (fields and header). */
const struct sdc_record *sdc_launch_event(const struct sdc_launch *l);
/* t expanded for the launch's event, malloc'd; safe in any worker. */
char	*sdc_launch_expand(struct sdc_launch *l, struct sdc_template *t);
/*
 * A token that is the same for the same event, and differs between
 * events: 32 hex digits of a SHA-256 of the event's frame (its id,
 * header and fields), for an idempotency token.
 */
const char *sdc_launch_token(const struct sdc_launch *l);
/* Seconds left before --timeout (a large number when none). */
double	sdc_launch_time_left(const struct sdc_launch *l);
/* A stop signal came, or --timeout passed: end the launch now. */
bool	sdc_launch_stopping(const struct sdc_launch *l);
/* Sleep, or less when stopping: false when it was cut short. */
bool	sdc_launch_sleep(struct sdc_launch *l, double seconds);
void	sdc_launch_retried(struct sdc_launch *l);	/* for the metrics */

/*
 * Outcomes, each written downstream in the order they are reported.
 * submitted: an "app-submitted" event (app-id: the YARN application id,
 * the Databricks run id, or for an application without one the
 * launcher's own name for it; submitter: the user it runs as, NULL for
 * this process's user; the launcher, the time, and the type and id of
 * the event that caused it).
 */
void	sdc_launch_submitted(struct sdc_launch *l, const char *app_id,
	    const char *submitter);
/*
 * The application ended: an "app-finished" event with its final state
 * as the cluster names it ("FINISHED", "SUCCESS", "FAILED", "KILLED"...),
 * its duration, and failure NULL when it succeeded.  When failure is
 * set (the reason: "exit status 1: ...") the launch is failed too: an
 * error record carrying the event follows.
 */
void	sdc_launch_finished(struct sdc_launch *l, const char *state,
	    const char *failure);
/* The launch failed (code as the error records' codes, reason). */
void	sdc_launch_failed(struct sdc_launch *l, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * One line on standard error about this launch, prefixed with the
 * program's name and the launch's number, whole even when workers
 * write at once (a launcher's -v notes, spark-submit's last lines).
 */
void	sdc_launch_note(struct sdc_launch *l, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
