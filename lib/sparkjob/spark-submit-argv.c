/*
 * The argv of a spark-submit launch, word by word: options as
 * "--name=VALUE", one word each, so that no value (a leading dash, a
 * space, a newline) is ever read as something else; then the
 * application and its arguments, which spark-submit does not parse.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "spark-submit.h"
#include "xalloc.h"
#include "banned.h"

extern char **environ;

static char *
text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
text(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = sdc_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static struct submit_word *
add(struct sdc_submit *s, char *prefix, struct sdc_template *t)
{
	struct submit_word *w;

	s->words = sdc_xreallocarray(s->words, s->nwords + 1,
	    sizeof(*s->words));
	w = &s->words[s->nwords++];
	w->prefix = prefix;
	w->t = t;
	w->app = false;
	return w;
}

static void
add_opt(struct sdc_submit *s, const char *name, const char *value)
{
	if (value != NULL)
		add(s, text("--%s=%s", name, value), NULL);
}

static void
add_count(struct sdc_submit *s, const char *name, unsigned long n)
{
	if (n > 0)
		add(s, text("--%s=%lu", name, n), NULL);
}

static void
add_conf(struct sdc_submit *s, const char *key, const char *value)
{
	add(s, text("--conf=%s=%s", key, value), NULL);
}

static void
check(const struct sdc_submit_opts *o, bool cluster, int argc)
{
	if (argc < 1)
		sdc_usage_error("spark-submit: no application (a jar or a "
		    ".py file) given");
	if (cluster && strncmp(o->master, "local", 5) == 0)
		sdc_usage_error("--deploy-mode=cluster: not with --master=%s",
		    o->master);
	if ((o->principal == NULL) != (o->keytab == NULL))
		sdc_usage_error("--principal and --keytab go together");
	if (o->proxy_user != NULL && o->principal != NULL)
		sdc_usage_error("--proxy-user: not with --principal");
}

static void
resources(struct sdc_submit *s, const struct sdc_submit_opts *o)
{
	add_opt(s, "driver-memory", o->driver_memory);
	add_count(s, "driver-cores", o->driver_cores);
	add_opt(s, "executor-memory", o->executor_memory);
	add_count(s, "executor-cores", o->executor_cores);
	add_count(s, "num-executors", o->num_executors);
	if (o->dynamic) {
		char n[32];

		add_conf(s, "spark.dynamicAllocation.enabled", "true");
		/* Without an external shuffle service, as on most clusters. */
		add_conf(s, "spark.dynamicAllocation.shuffleTracking.enabled",
		    "true");
		snprintf(n, sizeof n, "%lu", o->min_executors);
		add_conf(s, "spark.dynamicAllocation.minExecutors", n);
		snprintf(n, sizeof n, "%lu", o->max_executors);
		add_conf(s, "spark.dynamicAllocation.maxExecutors", n);
	}
}

static void
confs(struct sdc_submit *s, const struct sdc_submit_opts *o)
{
	for (size_t i = 0; i < o->nconf; i++) {
		const char *eq = strchr(o->conf[i], '=');

		add(s, text("--conf=%.*s=", (int)(eq - o->conf[i]),
		    o->conf[i]), sdc_sparkjob_template(s->j, "--conf", eq + 1));
	}
	/*
	 * Cluster mode: whether spark-submit stays until the application
	 * ends (and reports its final status) follows --wait.
	 */
	if (s->cluster && s->yarn)
		add_conf(s, "spark.yarn.submit.waitAppCompletion",
		    sdc_sparkjob_waiting(s->j) ? "true" : "false");
	if (s->cluster && s->k8s)
		add_conf(s, "spark.kubernetes.submission.waitAppCompletion",
		    sdc_sparkjob_waiting(s->j) ? "true" : "false");
}

static void
words(struct sdc_submit *s, const struct sdc_submit_opts *o, int argc,
    char *const *argv)
{
	add_opt(s, "master", o->master);
	add_opt(s, "deploy-mode", o->deploy_mode);
	add_opt(s, "class", o->main_class);
	if (o->name != NULL)
		add(s, sdc_xstrdup("--name="),
		    sdc_sparkjob_template(s->j, "--name", o->name));
	add_opt(s, "queue", o->queue);
	resources(s, o);
	add_opt(s, "jars", o->jars);
	add_opt(s, "py-files", o->py_files);
	add_opt(s, "files", o->files);
	add_opt(s, "proxy-user", o->proxy_user);
	add_opt(s, "principal", o->principal);
	add_opt(s, "keytab", o->keytab);
	confs(s, o);
	add(s, sdc_xstrdup(""), sdc_sparkjob_template(s->j, "application",
	    argv[0]))->app = true;
	for (int i = 1; i < argc; i++)
		add(s, sdc_xstrdup(""), sdc_sparkjob_template(s->j,
		    "application argument", argv[i]));
}

static bool
same_name(const char *a, const char *b)
{
	size_t n = strcspn(a, "=");

	return strncmp(a, b, n) == 0 && b[n] == '=';
}

/* Whether a variable of set, from from on, sets v's. */
static bool
overridden(const char *const *set, size_t nset, size_t from, const char *v)
{
	for (size_t m = from; m < nset; m++)
		if (same_name(set[m], v))
			return true;
	return false;
}

/* This process's environment, with the options' variables over it. */
static char **
environment(const struct sdc_submit_opts *o)
{
	char *set[SDC_SUBMIT_ENV_MAX + 2];
	size_t nset = 0, n = 0, k = 0;
	char **envp;

	if (o->spark_home != NULL)
		set[nset++] = text("SPARK_HOME=%s", o->spark_home);
	if (o->java_home != NULL)
		set[nset++] = text("JAVA_HOME=%s", o->java_home);
	for (size_t i = 0; i < o->nenv; i++)
		set[nset++] = sdc_xstrdup(o->env[i]);
	while (environ[n] != NULL)
		n++;
	envp = sdc_xcalloc(n + nset + 1, sizeof(*envp));
	for (size_t i = 0; i < n; i++)
		if (!overridden((const char *const *)set, nset, 0, environ[i]))
			envp[k++] = sdc_xstrdup(environ[i]);
	for (size_t m = 0; m < nset; m++)	/* a later one wins */
		if (!overridden((const char *const *)set, nset, m + 1, set[m]))
			envp[k++] = set[m];
		else
			free(set[m]);
	return envp;
}

static char *
program(const struct sdc_submit_opts *o)
{
	const char *home = o->spark_home;

	if (home == NULL)
		home = getenv("SPARK_HOME");
	if (home == NULL || *home == '\0')
		return sdc_xstrdup("spark-submit");
	return text("%s/bin/spark-submit", home);
}

struct sdc_submit *
sdc_submit_open(struct sdc_sparkjob *j, const struct sdc_submit_opts *o,
    int argc, char *const *argv)
{
	struct sdc_submit *s = sdc_xcalloc(1, sizeof(*s));

	s->j = j;
	s->cluster = strcmp(o->deploy_mode, "cluster") == 0;
	s->local = strncmp(o->master, "local", 5) == 0;
	s->yarn = strcmp(o->master, "yarn") == 0;
	s->k8s = strncmp(o->master, "k8s://", 6) == 0;
	s->verbose = sdc_sparkjob_verbose(j);
	s->submitter = o->proxy_user != NULL ? o->proxy_user : o->principal;
	check(o, s->cluster, argc);
	s->program = program(o);
	s->envp = environment(o);
	words(s, o, argc, argv);
	return s;
}

void
sdc_submit_close(void *state)
{
	struct sdc_submit *s = state;

	for (size_t i = 0; i < s->nwords; i++)
		free(s->words[i].prefix);
	free(s->words);
	for (size_t i = 0; s->envp[i] != NULL; i++)
		free(s->envp[i]);
	free(s->envp);
	free(s->program);
	free(s);
}

static char *
expand_word(const struct submit_word *w, struct sdc_launch *l)
{
	char *value, *word;

	if (w->t == NULL)
		return sdc_xstrdup(w->prefix);
	value = sdc_launch_expand(l, w->t);
	/* "./-x.py": the same file, which spark-submit cannot take for an option. */
	word = text("%s%s%s", w->prefix, w->app && value[0] == '-' ? "./" : "",
	    value);
	free(value);
	return word;
}

char **
sdc_submit_argv(struct sdc_submit *s, struct sdc_launch *l)
{
	char **argv = sdc_xcalloc(s->nwords + 2, sizeof(*argv));

	argv[0] = sdc_xstrdup(s->program);
	for (size_t i = 0; i < s->nwords; i++)
		argv[i + 1] = expand_word(&s->words[i], l);
	return argv;
}

void
sdc_submit_argv_free(char **argv)
{
	for (size_t i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}
