#ifndef SDC_SPARKJOB_INTERNAL_H
#define SDC_SPARKJOB_INTERNAL_H
/*
 * What the framework's own files share: the run's state, a launch, the
 * reports that workers hand the main thread, and the worker pool.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "run.h"
#include "sparkjob-run.h"
#include "sparkjob.h"

enum report_kind { REPORT_SUBMITTED, REPORT_FINISHED, REPORT_FAILED,
	REPORT_DONE };

/* What a launch said, for the main thread to write. */
struct report {
	enum report_kind	 kind;
	struct sdc_launch	*launch;
	char			*app_id;	/* SUBMITTED, FINISHED */
	char			*who;		/* SUBMITTED: the submitter */
	char			*state;		/* FINISHED */
	char			*code;		/* FAILED */
	char			*text;		/* FAILED, FINISHED: why */
	int64_t			 at_ms;		/* when it was said */
	struct report		*next;
};

struct sdc_launch {
	struct sdc_sparkjob	*j;
	uint64_t		 number;	/* 1, 2, ... in input order */
	uint8_t			*payload;	/* the event's, owned */
	size_t			 payload_len;
	struct sdc_record	 event;		/* decoded from payload */
	char			 token[33];
	double			 started;	/* monotonic, by a worker */
	int64_t			 started_ms;
	char			*app_id;	/* once submitted */
	bool			 submitted, failed;
	struct sdc_launch	*next;		/* in the queue */
};

enum { C_LAUNCHED, C_SUBMITTED, C_SUCCEEDED, C_FAILED, C_RETRIED,
	C_QUEUED, C_RUNNING, C_COUNT };

struct sdc_sparkjob {
	struct sdc_run				*run;
	const struct sdc_sparkjob_options	*opt;
	const struct sdc_launcher		*launcher;
	void					*state;
	uint64_t				 c[C_COUNT];
	struct sdc_counter			 counters[C_COUNT + 1];
	struct sdc_template			**templates;	/* to free */
	size_t					 ntemplates;
	atomic_bool				 stopping;
	atomic_uint_fast64_t			 retried;

	pthread_mutex_t				 lock;	/* what follows */
	pthread_cond_t				 work;	/* queue, stop */
	struct sdc_launch			*queue, **queue_tail;
	unsigned				 queued, running;
	bool					 input_done;
	double					*starts;	/* per_minute ring */
	unsigned				 nstarts;
	struct report				*reports, **reports_tail;
	int					 wake[2];	/* pipe to main */
	pthread_t				*workers;
};

/* A worker's report, handed to the main thread (which frees it). */
void	sdc_sparkjob_report(struct sdc_sparkjob *j, struct report *rp);
/* Write and free the reports waiting: in the main thread only. */
void	sdc_sparkjob_drain(struct sdc_sparkjob *j);

/* The pool of --max-running workers. */
void	sdc_workers_start(struct sdc_sparkjob *j);
/* Queue a launch; the caller waits first while the queue is full. */
void	sdc_workers_queue(struct sdc_sparkjob *j, struct sdc_launch *l);
bool	sdc_workers_full(struct sdc_sparkjob *j);
/* No launch is queued or running. */
bool	sdc_workers_idle(struct sdc_sparkjob *j);
/* No more launches come: the workers end once the queue is empty. */
void	sdc_workers_finish(struct sdc_sparkjob *j);
void	sdc_workers_join(struct sdc_sparkjob *j);

struct sdc_launch *sdc_launch_new(struct sdc_sparkjob *j, uint64_t number,
	    const uint8_t *payload, size_t len);
void	sdc_launch_free(struct sdc_launch *l);
/* A launch that never ran (a stop came first): failed, why, and done. */
void	sdc_launch_abandon(struct sdc_launch *l, const char *why);
/* Run the launcher for l, and see that it reported an outcome. */
void	sdc_launch_run(struct sdc_launch *l);

#endif
