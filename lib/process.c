/* Starting, waiting for and stopping child processes. */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "process.h"
#include "banned.h"

extern char **environ;

/*
 * The children not yet reaped, each the leader of its own group, so that
 * a program stopping at once (a second stop signal, in a handler) still
 * ends them: atomics, which a signal handler may read.
 */
#define CHILDREN_MAX	512
static atomic_int children[CHILDREN_MAX];

static void
remember(pid_t pid)
{
	for (int i = 0; i < CHILDREN_MAX; i++) {
		int none = 0;

		if (atomic_compare_exchange_strong(&children[i], &none,
		    (int)pid))
			return;
	}
}

static void
forget(pid_t pid)
{
	for (int i = 0; i < CHILDREN_MAX; i++) {
		int was = (int)pid;

		if (atomic_compare_exchange_strong(&children[i], &was, 0))
			return;
	}
}

void
sdc_end_children_now(void)
{
	for (int i = 0; i < CHILDREN_MAX; i++) {
		int pid = atomic_load(&children[i]);

		if (pid > 0)
			kill(-pid, SIGTERM);
	}
}

/*
 * Two steps so that a parent fd already numbered like a child fd is
 * not overwritten before it has been moved: first up, out of the way.
 */
static int
map_fds(posix_spawn_file_actions_t *fa, const struct sdc_spawn *s)
{
	const int high = 100;
	int rc = 0;

	for (int i = 0; i < s->nfds; i++)
		if (s->fds[i] >= 0)
			rc |= posix_spawn_file_actions_adddup2(fa, s->fds[i],
			    high + i);
	for (int i = 0; i < s->nfds; i++) {
		if (s->fds[i] >= 0) {
			rc |= posix_spawn_file_actions_adddup2(fa, high + i, i);
			rc |= posix_spawn_file_actions_addclose(fa, high + i);
		} else
			rc |= posix_spawn_file_actions_addclose(fa, i);
	}
	return rc;
}

pid_t
sdc_spawn(const struct sdc_spawn *s)
{
	return sdc_spawn_env(s, environ);
}

pid_t
sdc_spawn_env(const struct sdc_spawn *s, char *const *envp)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid = -1;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	{
		sigset_t def;

		sigemptyset(&def);
		sigaddset(&def, SIGPIPE);
		sigaddset(&def, SIGINT);
		sigaddset(&def, SIGTERM);
		posix_spawnattr_setsigdefault(&attr, &def);
	}
	rc = map_fds(&fa, s);
	if (rc == 0)
		rc = posix_spawnp(&pid, s->argv[0], &fa, &attr,
		    (char *const *)s->argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	remember(pid);
	return pid;
}

static int
shell_status(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
}

static int
reaped(pid_t pid, int status)
{
	forget(pid);
	return shell_status(status);
}

int
sdc_wait(pid_t pid, double seconds)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int status;

	while (seconds < 0) {
		if (waitpid(pid, &status, 0) == pid)
			return reaped(pid, status);
		if (errno != EINTR)
			return -1;
	}
	for (double waited = 0; waited <= seconds;
	    waited += 0.02) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			return reaped(pid, status);
		if (got < 0 && errno != EINTR)
			return -1;
		nanosleep(&tick, NULL);
	}
	return -1;
}

int
sdc_stop_child(pid_t pid, double grace)
{
	int status;

	kill(-pid, SIGTERM);
	status = sdc_wait(pid, grace);
	if (status >= 0)
		return status;
	kill(-pid, SIGKILL);
	return sdc_wait(pid, -1);
}
