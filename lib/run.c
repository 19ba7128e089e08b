#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "format.h"
#include "metrics.h"
#include "process.h"
#include "run.h"
#include "signals.h"
#include "varint.h"
#include "wire.h"
#include "banned.h"

volatile int sdc_pending_signal;
static volatile sig_atomic_t got_stop, got_usr1, got_alarm;
static bool stop_taken;		/* the program stops by itself */
static struct sdc_run *current;	/* the one run of this process */
static timer_t stop_watchdog;
static bool have_watchdog;

/* The time a stop request has to reach sdc_run_poll. */
#define STOP_GRACE_SECONDS	1

void
sdc_options_init(struct sdc_options *o)
{
	memset(o, 0, sizeof(*o));
	o->on_error = SDC_ON_ERROR_PASS;
	o->progress = -1;
	o->max_record = SDC_DEFAULT_MAX_RECORD;
}

/*
 * Stopping at once, from a signal handler: the stream is cut where it
 * is, without its end frame, which readers then report as truncated.
 */
static void
stop_now(int sig)
{
	static const char how[] = ": stopped at once by a signal\n";
	const char *prog = sdc_progname();
	ssize_t w;

	sdc_end_children_now();
	w = write(STDERR_FILENO, prog, strlen(prog));
	w = write(STDERR_FILENO, how, sizeof how - 1);
	(void)w;
	_exit(128 + sig);
}

/* The first stop had its grace time and was not seen. */
static void
on_watchdog(int sig)
{
	(void)sig;
	stop_now(got_stop);
}

static void
arm_watchdog(int seconds)
{
	struct itimerspec when = { .it_value = { .tv_sec = seconds } };

	if (have_watchdog)
		timer_settime(stop_watchdog, 0, &when, NULL);
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else if (sig == SIGALRM)
		got_alarm = 1;
	else if (got_stop)
		stop_now(sig);
	else {
		got_stop = sig;
		arm_watchdog(STOP_GRACE_SECONDS);
	}
	sdc_pending_signal = 1;
}

static void
create_watchdog(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGVTALRM };
	struct sigaction sa;

	if (have_watchdog)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_watchdog;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGVTALRM, &sa, NULL);
	have_watchdog = timer_create(CLOCK_MONOTONIC, &ev, &stop_watchdog) ==
	    0;
}

static void
install_signals(void)
{
	struct sigaction sa;
	static const int sigs[] = { SIGINT, SIGTERM, SIGUSR1, SIGALRM };

	create_watchdog();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked read returns and the flag is seen. */
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void
start_timer(const struct sdc_run *run)
{
	struct itimerval it;
	double every = run->opt.progress ? 1.0 : run->opt.metrics_interval;

	if (every <= 0)
		return;
	memset(&it, 0, sizeof it);
	it.it_interval.tv_sec = (time_t)every;
	it.it_interval.tv_usec = (suseconds_t)((every - (double)(time_t)every) *
	    1e6);
	it.it_value = it.it_interval;
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Input pausing: the whole frames made so far go out meanwhile. */
static void
flush_before_input(void)
{
	struct sdc_run *run = current;

	if (run == NULL || run->opt.dry_run)
		return;
	sdc_out_flush(&run->out);
	if (run->opt.errors_path != NULL)
		sdc_out_flush(&run->errors);
}

/* Leaving through sdc_errx: whole frames out, no end frame. */
static void
exit_hook(int status)
{
	struct sdc_run *run = current;

	if (run == NULL)
		return;
	sdc_out_rollback(&run->out);
	sdc_out_flush(&run->out);
	if (run->opt.errors_path != NULL) {
		sdc_out_rollback(&run->errors);
		sdc_out_flush(&run->errors);
	}
	if (run->opt.progress == 1)
		sdc_progress_draw(run, true);
	if (run->opt.metrics_path != NULL && !run->opt.dry_run)
		sdc_metrics_write(run, run->opt.metrics_path);
	(void)status;
}

static void
open_output(struct sdc_run *run, struct sdc_out *o, const char *path)
{
	sdc_out_open(o, path, run->opt.max_record * 8 + (1u << 20));
	if (run->writer != NULL && o == &run->out)
		return;
	if (o->is_tty && !run->opt.force)
		sdc_errx(SDC_EXIT_USAGE, "refusing to write binary record "
		    "frames to a terminal (pipe into 'sdc-convert --to json', "
		    "or use -f)");
	if (!run->opt.dry_run) {
		sdc_wire_stream_header(&o->buf);
		sdc_out_commit(o);
	}
}

void
sdc_run_start(struct sdc_run *run, const char *prog,
    const struct sdc_options *opt, struct sdc_writer *writer)
{
	memset(run, 0, sizeof(*run));
	run->prog = prog;
	run->opt = *opt;
	run->writer = writer;
	run->started = run->ready = sdc_uptime();
	sdc_record_init(&run->scratch);
	current = run;
	sdc_set_exit_hook(exit_hook);
	sdc_input_on_wait(flush_before_input);
	install_signals();
	open_output(run, &run->out, "-");
	if (opt->errors_path != NULL)
		open_output(run, &run->errors, opt->errors_path);
	if (run->opt.progress < 0)
		run->opt.progress = isatty(STDERR_FILENO) &&
		    !isatty(STDOUT_FILENO);
	start_timer(run);
}

static void
end_member(struct sdc_out *o, uint64_t frames)
{
	uint8_t count[SDC_VARINT_MAX];

	sdc_out_rollback(o);
	if (!sdc_wire_frame(&o->buf, SDC_KIND_END, count,
	    sdc_varint_put(count, frames)))
		sdc_errx(SDC_EXIT_IO, "%s: output buffer limit reached",
		    o->name);
	sdc_out_commit(o);
}

int
sdc_run_finish(struct sdc_run *run)
{
	if (!run->opt.dry_run) {
		if (run->writer == NULL)
			end_member(&run->out, run->out_frames);
		else if (run->writer->finish != NULL)
			run->writer->finish(run->writer, run);
		if (run->opt.errors_path != NULL)
			end_member(&run->errors, run->err_frames);
	}
	sdc_out_close(&run->out);
	if (run->opt.errors_path != NULL)
		sdc_out_close(&run->errors);
	if (run->opt.progress == 1)
		sdc_progress_draw(run, true);
	if (run->opt.metrics_path != NULL && !run->opt.dry_run &&
	    !sdc_metrics_write(run, run->opt.metrics_path))
		sdc_run_fail(run, SDC_EXIT_IO);
	if (run->writer != NULL && run->writer->free != NULL)
		run->writer->free(run->writer);
	sdc_record_release(&run->scratch);
	current = NULL;
	sdc_set_exit_hook(NULL);
	sdc_input_on_wait(NULL);
	return run->status;
}

void
sdc_run_fail(struct sdc_run *run, int status)
{
	if (status > run->status)
		run->status = status;
}

void
sdc_run_poll(struct sdc_run *run)
{
	int stop = got_stop;

	sdc_pending_signal = 0;
	if (got_usr1) {
		got_usr1 = 0;
		sdc_metrics_print(run, stderr);
	}
	if (got_alarm) {
		got_alarm = 0;
		if (run->opt.progress == 1)
			sdc_progress_draw(run, false);
		if (run->opt.metrics_path != NULL)
			sdc_metrics_write(run, run->opt.metrics_path);
	}
	if (stop && !run->stopping && !stop_taken) {
		arm_watchdog(0);	/* seen: finishing may take its time */
		run->stopping = true;
		if (run->on_stop != NULL)
			run->on_stop(run, run->stop_ctx);
		sdc_run_finish(run);
		signal(stop, SIG_DFL);
		sdc_exit(128 + stop);
	}
}

int
sdc_run_take_stop(struct sdc_run *run)
{
	(void)run;
	if (got_stop == 0 || stop_taken)
		return 0;
	arm_watchdog(0);
	stop_taken = true;
	return got_stop;
}

void
sdc_signals_poll(void)
{
	if (current != NULL && sdc_pending_signal)
		sdc_run_poll(current);
}
