#ifndef SDC_DIAG_H
#define SDC_DIAG_H
/*
 * The one way to report: "prog: message" on standard error, in the
 * style of err(3).  Positions go first in the message, as
 * "data.csv:12: unterminated quoted field".
 */
#include <stdarg.h>
#include <stdnoreturn.h>

/* Exit statuses, the same for every program (see sdc(7)). */
enum sdc_exit {
	SDC_EXIT_OK = 0,	/* everything was processed */
	SDC_EXIT_DATA = 1,	/* stopped on a bad record (--on-error=stop) */
	SDC_EXIT_USAGE = 2,	/* bad options or arguments */
	SDC_EXIT_IO = 3,	/* input, output or connection failure */
	SDC_EXIT_STREAM = 4,	/* input is not a valid record stream */
	SDC_EXIT_LAUNCH = 5	/* sdc-sparkjob: an application failed to launch or run */
};

#define SDC_PRINTF(f, a) __attribute__((format(printf, f, a)))

void	sdc_set_progname(const char *argv0);
const char *sdc_progname(void);
/*
 * Put text (borrowed; NULL: none) before every message until set
 * again, as "prog: text: message": what part of the work it is about.
 */
void	sdc_set_context(const char *text);
/* Run before exiting through sdc_err/sdc_errx (flushing whole frames). */
void	sdc_set_exit_hook(void (*hook)(int status));

void	sdc_warnx(const char *fmt, ...) SDC_PRINTF(1, 2);
void	sdc_warn(const char *fmt, ...) SDC_PRINTF(1, 2);	/* + strerror */
void	sdc_vwarnx(const char *fmt, va_list ap);
noreturn void sdc_errx(int status, const char *fmt, ...) SDC_PRINTF(2, 3);
noreturn void sdc_err(int status, const char *fmt, ...) SDC_PRINTF(2, 3);
/* Leave through the exit hook without a message. */
noreturn void sdc_exit(int status);

#endif
