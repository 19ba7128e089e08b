#ifndef SDC_DATABRICKS_H
#define SDC_DATABRICKS_H
/*
 * The databricks launcher: a run of a job defined beforehand (Jobs API
 * 2.1 run-now) or a one-time run (runs/submit) for each event, with an
 * idempotency token from the event, followed under --wait by polling
 * runs/get until the run ends.  databricks-options.c parses the
 * options, databricks-body.c builds the requests' bodies,
 * databricks-http.c makes the requests (libcurl, a handle a launch),
 * databricks-auth.c holds the token (a personal one, or OAuth
 * machine-to-machine, shared by the workers), databricks-answer.c
 * reads what the workspace answers, databricks.c runs a launch.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "plugin-options.h"
#include "secret.h"
#include "sparkjob.h"

#define SDC_DBX_PARAMS_MAX	64
/* Bytes of an answer read at most; a longer one is refused. */
#define SDC_DBX_ANSWER_MAX	(1024 * 1024)

struct sdc_dbx_opts {
	const char	*host;
	bool		 plain_http;
	const char	*ca_file;
	const char	*token_file;
	const char	*client_id;
	const char	*client_secret_file;
	const char	*job_id;
	const char	*notebook_params[SDC_DBX_PARAMS_MAX];
	size_t		 nnotebook;
	const char	*jar_params[SDC_DBX_PARAMS_MAX];
	size_t		 njar;
	const char	*python_params[SDC_DBX_PARAMS_MAX];
	size_t		 npython;
	const char	*job_params[SDC_DBX_PARAMS_MAX];
	size_t		 njob;
	const char	*notebook_path;
	const char	*python_file;
	const char	*main_class;
	const char	*libraries[SDC_DBX_PARAMS_MAX];
	size_t		 nlibraries;
	const char	*cluster_id;
	const char	*new_cluster_file;
	const char	*run_name;
	double		 poll_interval;
	double		 request_timeout;
	bool		 no_cancel;
};

extern const struct sdc_plugin_option sdc_dbx_options[];
extern const struct sdc_launcher sdc_launcher_databricks;
void	sdc_dbx_opts_init(void *opts);

/* A KEY=VALUE parameter: the key as given, the value a template. */
struct sdc_dbx_pair {
	char			*key;
	struct sdc_template	*value;
};

struct sdc_dbx_list {
	struct sdc_template	*items[SDC_DBX_PARAMS_MAX];
	size_t			 n;
};

struct sdc_dbx_map {
	struct sdc_dbx_pair	 items[SDC_DBX_PARAMS_MAX];
	size_t			 n;
};

enum sdc_dbx_task { SDC_DBX_RUN_NOW, SDC_DBX_NOTEBOOK, SDC_DBX_PYTHON,
	SDC_DBX_JAR };

/* The credentials, and the OAuth token they bring, under lock. */
struct sdc_dbx_auth {
	const char		*client_id;	/* NULL: a personal token */
	struct sdc_secret	 secret;	/* the token, or the client's */
	const char		*ca_file;
	double			 request_timeout;
	pthread_mutex_t		 lock;
	char			*token;		/* OAuth's, once fetched */
	double			 expires;	/* monotonic seconds */
};

struct sdc_dbx {
	struct sdc_sparkjob	*j;
	const struct sdc_dbx_opts *o;
	char			*host;		/* no final '/' */
	enum sdc_dbx_task	 task;
	struct sdc_template	*job_id;
	struct sdc_template	*path;		/* notebook, file or class */
	struct sdc_template	*cluster_id;
	struct sdc_template	*run_name;
	json_t			*new_cluster;
	struct sdc_dbx_map	 notebook, job;
	struct sdc_dbx_list	 jar, python, libraries;
	struct sdc_dbx_auth	 auth;
};

/* The launcher's open and close (databricks-open.c). */
void	*sdc_dbx_open(struct sdc_sparkjob *j, const void *opts, int argc,
	    char *const *argv);
void	sdc_dbx_close(void *state);

/* ------------------------------------------------------------- bodies */

/* The body of run-now or runs/submit for l, or NULL with why in err. */
json_t	*sdc_dbx_launch_body(struct sdc_dbx *d, struct sdc_launch *l,
	    char *err, size_t len);
/* "/api/2.1/jobs/run-now" or "/api/2.1/jobs/runs/submit". */
const char *sdc_dbx_launch_path(const struct sdc_dbx *d);

/* --------------------------------------------------------------- http */

struct sdc_dbx_http;

struct sdc_dbx_response {
	long		 status;	/* 0: no answer, error says why */
	double		 retry_after;	/* seconds, 0 when not said */
	struct sdc_buf	 body;
	bool		 too_long;
	char		 error[256];
};

struct sdc_dbx_http *sdc_dbx_http_new(const char *ca_file);
void	sdc_dbx_http_free(struct sdc_dbx_http *h);
/*
 * One request: body NULL for a GET; bearer the token, or user and
 * password for basic authentication (the token endpoint's); form: the
 * body is a form, not JSON.  At most timeout seconds.
 */
struct sdc_dbx_request {
	const char	*method;
	const char	*url;
	const char	*body;
	bool		 form;
	const char	*bearer;
	const char	*user, *password;
	double		 timeout;
};
void	sdc_dbx_http_do(struct sdc_dbx_http *h, const struct sdc_dbx_request *rq,
	    struct sdc_dbx_response *resp);
void	sdc_dbx_response_release(struct sdc_dbx_response *resp);
/* Whether the request is worth trying again: no answer, 429, 5xx. */
bool	sdc_dbx_transient(const struct sdc_dbx_response *resp);

/* ------------------------------------------------------------- answers */

/*
 * What the workspace answered, read from its JSON.  Each returns false
 * with the reason in err when the answer is not what the API says.
 */
bool	sdc_dbx_parse_run_id(const char *text, size_t len, int64_t *run_id,
	    char *err, size_t errlen);

struct sdc_dbx_run_state {
	char	life_cycle[32];
	char	result[48];		/* "" when not yet */
	char	message[512];
};
bool	sdc_dbx_parse_run(const char *text, size_t len,
	    struct sdc_dbx_run_state *st, char *err, size_t errlen);
/* A terminal life-cycle state: TERMINATED, SKIPPED, INTERNAL_ERROR. */
bool	sdc_dbx_terminal(const struct sdc_dbx_run_state *st);

struct sdc_dbx_token {
	char	*access_token;		/* malloc'd */
	double	 expires_in;		/* seconds */
};
bool	sdc_dbx_parse_token(const char *text, size_t len,
	    struct sdc_dbx_token *t, char *err, size_t errlen);
/*
 * A refusal: "INVALID_PARAMETER_VALUE: Job 7 does not exist" from the
 * API's error body, else the status and the first bytes of the body.
 */
void	sdc_dbx_describe_error(const struct sdc_dbx_response *resp,
	    char *dst, size_t len);

/* --------------------------------------------------------------- auth */

/* Usage errors for credentials missing or doubly given. */
void	sdc_dbx_auth_open(struct sdc_dbx_auth *a, const struct sdc_dbx_opts *o);
void	sdc_dbx_auth_close(struct sdc_dbx_auth *a);
/*
 * The bearer token for a request, malloc'd: the personal token, or
 * the cached OAuth token, fetched from host's token endpoint when
 * there is none, it expires soon, or it is refused (the one the
 * workspace refused, else NULL).  NULL with why in err, and transient
 * set when trying again later may help.
 */
char	*sdc_dbx_auth_token(struct sdc_dbx_auth *a, const char *host,
	    struct sdc_dbx_http *h, const char *refused, bool *transient,
	    char *err, size_t len);
/* Wipe and free a token sdc_dbx_auth_token gave. */
void	sdc_dbx_token_free(char *token);
bool	sdc_dbx_auth_oauth(const struct sdc_dbx_auth *a);

#endif
