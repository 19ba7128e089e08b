#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "banned.h"

static const char *progname = "sdc";
static const char *context;
static void (*exit_hook)(int);

void
sdc_set_progname(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	progname = slash ? slash + 1 : argv0;
}

const char *
sdc_progname(void)
{
	return progname;
}

void
sdc_set_context(const char *text)
{
	context = text;
}

void
sdc_set_exit_hook(void (*hook)(int status))
{
	exit_hook = hook;
}

void
sdc_vwarnx(const char *fmt, va_list ap)
{
	char line[4096];

	vsnprintf(line, sizeof line, fmt, ap);
	fprintf(stderr, "%s: %s%s%s\n", progname, context ? context : "",
	    context ? ": " : "", line);
}

void
sdc_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sdc_vwarnx(fmt, ap);
	va_end(ap);
}

static void
vwarn_errno(int saved, const char *fmt, va_list ap)
{
	char line[4096];

	vsnprintf(line, sizeof line, fmt, ap);
	fprintf(stderr, "%s: %s%s%s: %s\n", progname, context ? context : "",
	    context ? ": " : "", line, strerror(saved));
}

void
sdc_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vwarn_errno(saved, fmt, ap);
	va_end(ap);
}

noreturn void
sdc_exit(int status)
{
	void (*hook)(int) = exit_hook;

	exit_hook = NULL;	/* a failure inside the hook must not loop */
	if (hook != NULL)
		hook(status);
	exit(status);
}

noreturn void
sdc_errx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sdc_vwarnx(fmt, ap);
	va_end(ap);
	sdc_exit(status);
}

noreturn void
sdc_err(int status, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vwarn_errno(saved, fmt, ap);
	va_end(ap);
	sdc_exit(status);
}
