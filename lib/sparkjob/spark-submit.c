/*
 * The spark-submit launcher: run spark-submit for each event, its argv
 * built word by word (spark-submit-argv.c), its output read through a
 * pipe for the application id and the final status
 * (spark-submit-output.c), and follow it to its end: in client mode the
 * driver runs in it; in cluster mode on YARN or Kubernetes it stays
 * until the application ends under --wait and leaves once the
 * application is submitted otherwise.
 */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "process.h"
#include "record.h"
#include "spark-submit.h"
#include "xalloc.h"
#include "banned.h"

#define STOP_GRACE	5.0	/* seconds from SIGTERM to SIGKILL */
#define DRAIN_GRACE	2.0

/* One launch being followed. */
struct follow {
	struct sdc_submit	*s;
	struct sdc_launch	*l;
	struct submit_output	 out;
	pid_t			 pid;
	int			 status;	/* once it ended, else -1 */
	bool			 submitted;
};

static void *
open_submit(struct sdc_sparkjob *j, const void *opts, int argc,
    char *const *argv)
{
	return sdc_submit_open(j, opts, argc, argv);
}

static char *
describe(void *state, struct sdc_launch *l)
{
	char **argv = sdc_submit_argv(state, l);
	char *text = sdc_submit_quote(argv);

	sdc_submit_argv_free(argv);
	return text;
}

/* Whether spark-submit lasts as long as the application does. */
static bool
follows_app(const struct sdc_submit *s)
{
	return !s->cluster || (sdc_sparkjob_waiting(s->j) &&
	    (s->yarn || s->k8s));
}

static void
submitted(struct follow *f, const char *app_id)
{
	if (f->submitted)
		return;
	f->submitted = true;
	sdc_launch_submitted(f->l, app_id, f->s->submitter);
}

static void
on_line(void *ctx, const char *line)
{
	struct follow *f = ctx;

	if (f->s->verbose)
		sdc_launch_note(f->l, "spark-submit: %s", line);
	if (f->out.app_id[0] != '\0')
		submitted(f, f->out.app_id);
}

/* spark-submit started, its output on *fd; -1 with errno. */
static pid_t
start(struct sdc_submit *s, char **argv, int *fd)
{
	struct sdc_spawn sp = { (const char *const *)argv, { -1 }, 3 };
	int p[2], null, saved;
	pid_t pid;

	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0) {
		saved = errno;
		close(null);
		errno = saved;
		return -1;
	}
	sp.fds[0] = null, sp.fds[1] = p[1], sp.fds[2] = p[1];
	pid = sdc_spawn_env(&sp, s->envp);
	saved = errno;
	close(null);
	close(p[1]);
	if (pid < 0)
		close(p[0]);
	else
		*fd = p[0];
	errno = saved;
	return pid;
}

/*
 * Read the output to its end: false when the launch must stop.  Once
 * spark-submit has ended, a process it left behind that still holds
 * the pipe gets DRAIN_GRACE seconds to close it, not for ever.
 */
static bool
read_output(struct follow *f, int fd)
{
	double until = 0;
	char buf[8192];

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		if (sdc_launch_stopping(f->l))
			return false;
		if (f->status < 0 && (f->status = sdc_wait(f->pid, 0)) >= 0)
			until = sdc_uptime() + DRAIN_GRACE;
		if (f->status >= 0 && sdc_uptime() > until)
			break;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sdc_submit_output_feed(&f->out, buf, (size_t)n, on_line, f);
	}
	sdc_submit_output_end(&f->out, on_line, f);
	return true;
}

/* spark-submit's exit status, or -1 when the launch must stop. */
static int
wait_exit(struct follow *f, int fd)
{
	if (!read_output(f, fd))
		return -1;
	while (f->status < 0 && !sdc_launch_stopping(f->l))
		f->status = sdc_wait(f->pid, 0.1);
	return f->status;
}

static void
stopped(struct follow *f)
{
	const char *still = f->submitted && f->s->cluster ?
	    "; the application may still run in the cluster" : "";

	sdc_stop_child(f->pid, STOP_GRACE);
	if (sdc_launch_time_left(f->l) <= 0)
		sdc_launch_failed(f->l, "SPARKJOB_TIMEOUT", "timed out after "
		    "%g s: spark-submit and its processes were killed%s",
		    sdc_sparkjob_timeout(f->s->j), still);
	else
		sdc_launch_failed(f->l, "SPARKJOB_STOPPED", "stopped by a "
		    "signal: spark-submit and its processes were killed%s",
		    still);
}

static void
ended(struct follow *f, int status)
{
	/* In client mode the reports are of a running application. */
	const char *final = f->s->cluster ? f->out.final_status : "";
	char reason[SUBMIT_LINE_MAX + 64], own[40];

	snprintf(reason, sizeof reason, "exit status %d: %s", status,
	    sdc_submit_output_reason(&f->out));
	if (status == 0 && !f->submitted && f->s->yarn) {
		sdc_launch_failed(f->l, "SPARKJOB_NO_APP_ID", "spark-submit "
		    "ended without a YARN application id in its output");
		return;
	}
	if (status == 0 && !f->submitted) {
		snprintf(own, sizeof own, "spark-submit-%ld", (long)f->pid);
		submitted(f, own);
	}
	if (!f->submitted || !follows_app(f->s)) {
		if (status != 0)
			sdc_launch_failed(f->l, "SPARKJOB_SUBMIT_FAILED", "%s",
			    reason);
		return;
	}
	if (status == 0 && (*final == '\0' || strcmp(final, "SUCCEEDED") == 0))
		sdc_launch_finished(f->l, *final != '\0' ? final : "FINISHED",
		    NULL);
	else
		sdc_launch_finished(f->l, *final != '\0' ? final : "FAILED",
		    reason);
}

static void
launch(void *state, struct sdc_launch *l)
{
	struct sdc_submit *s = state;
	struct follow *f = sdc_xcalloc(1, sizeof(*f));
	char **argv = sdc_submit_argv(s, l);
	int fd = -1, status;

	f->s = s, f->l = l, f->status = -1;
	if (s->verbose) {
		char *q = sdc_submit_quote(argv);

		sdc_launch_note(l, "running %s", q);
		free(q);
	}
	if ((f->pid = start(s, argv, &fd)) < 0)
		sdc_launch_failed(l, "SPARKJOB_SPAWN", "cannot run '%s': %s",
		    argv[0], strerror(errno));
	else {
		char own[40];

		if (s->local) {		/* no id comes: a name of our own */
			snprintf(own, sizeof own, "local-%ld", (long)f->pid);
			submitted(f, own);
		}
		if ((status = wait_exit(f, fd)) < 0)
			stopped(f);
		else
			ended(f, status);
		close(fd);
	}
	sdc_submit_argv_free(argv);
	free(f);
}

const struct sdc_launcher sdc_launcher_spark_submit = {
	.name = "spark-submit",
	.summary = "run spark-submit (local, standalone, YARN, Kubernetes; "
	    "client or cluster mode)",
	.options = sdc_submit_options,
	.opts_size = sizeof(struct sdc_submit_opts),
	.opts_init = sdc_submit_opts_init,
	.opts_release = NULL,
	.open = open_submit,
	.describe = describe,
	.launch = launch,
	.close = sdc_submit_close,
};
