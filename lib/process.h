#ifndef SDC_PROCESS_H
#define SDC_PROCESS_H
/*
 * Child processes that a program runs (a Spark driver, spark-submit):
 * started in a process group of their own, so that a terminal's ^C
 * reaches this program alone and it decides how the child stops.
 */
#include <stdbool.h>
#include <sys/types.h>

#define SDC_SPAWN_MAX_FDS	8

struct sdc_spawn {
	const char *const *argv;	/* argv[0] is looked up in PATH */
	/* Child fd i is parent fd fds[i]; -1: closed.  Others close. */
	int	 fds[SDC_SPAWN_MAX_FDS];
	int	 nfds;
};

/* The child's pid, or -1 with errno. */
pid_t	sdc_spawn(const struct sdc_spawn *s);
/* The same with envp (NULL-ended) for the child's environment. */
pid_t	sdc_spawn_env(const struct sdc_spawn *s, char *const *envp);
/*
 * Wait up to seconds for pid to end (negative: for ever); its status
 * as a shell reports it (128 + N for a signal), or -1 if still running.
 */
int	sdc_wait(pid_t pid, double seconds);
/* Ask the child's group to end, then make it, after grace seconds. */
int	sdc_stop_child(pid_t pid, double grace);
/*
 * SIGTERM to the group of every child spawned and not yet waited for;
 * async-signal-safe, for a program that stops at once.
 */
void	sdc_end_children_now(void);

#endif
