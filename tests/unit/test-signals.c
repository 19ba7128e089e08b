/*
 * Stop signals reach a run that is kept busy and never polls: the first
 * ends it once its grace second is over, a second one at once.  Each
 * case is a child process that starts a run and spins; the parent
 * signals it and waits, for a bounded time, for its status.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "run.h"
#include "tap.h"

static volatile unsigned long spins;

/* Busy, never polling: what a stuck loop inside a reader looks like. */
static void
spin_in_run(bool block_watchdog, int ready_fd)
{
	struct sdc_options opt;
	struct sdc_run run;
	sigset_t set;
	int devnull = open("/dev/null", O_WRONLY);

	dup2(devnull, STDOUT_FILENO);
	dup2(devnull, STDERR_FILENO);
	sdc_options_init(&opt);
	opt.progress = 0;
	sdc_run_start(&run, "test-signals", &opt, NULL);
	if (block_watchdog) {
		sigemptyset(&set);
		sigaddset(&set, SIGVTALRM);
		sigprocmask(SIG_BLOCK, &set, NULL);
	}
	if (write(ready_fd, "r", 1) != 1)
		_exit(99);
	for (;;)
		spins++;
}

static pid_t
start_child(bool block_watchdog)
{
	int ready[2];
	char c;
	pid_t pid;

	if (pipe(ready) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		spin_in_run(block_watchdog, ready[1]);
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		return -1;
	}
	close(ready[0]);
	return pid;
}

/*
 * The child's status, or -1 if it is still running after 30 s; resend,
 * when not 0, goes to it every 100 ms meanwhile (a signal sent while
 * the same one is pending is merged with it).
 */
static int
wait_bounded(pid_t pid, int resend)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int status;

	for (int i = 0; i < 3000; i++) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			    128 + WTERMSIG(status);
		if (resend && i % 10 == 9)
			kill(pid, resend);
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static void
test_first_signal_grace(int sig, const char *name)
{
	pid_t pid = start_child(false);

	if (pid > 0)
		kill(pid, sig);
	is_int(pid > 0 ? wait_bounded(pid, 0) : -2, 128 + sig, name);
}

/* The grace timer cannot fire: only a second signal can end it. */
static void
test_second_signal(int sig, const char *name)
{
	pid_t pid = start_child(true);

	if (pid > 0)
		kill(pid, sig);
	is_int(pid > 0 ? wait_bounded(pid, sig) : -2, 128 + sig, name);
}

int
main(void)
{
	sdc_set_progname("test-signals");
	test_first_signal_grace(SIGTERM, "a busy run ends on one SIGTERM "
	    "after its grace second, status 143");
	test_first_signal_grace(SIGINT, "a busy run ends on one SIGINT "
	    "after its grace second, status 130");
	test_second_signal(SIGINT, "a second SIGINT ends a busy run at once, "
	    "status 130");
	test_second_signal(SIGTERM, "a second SIGTERM ends a busy run at "
	    "once, status 143");
	return tap_done();
}
