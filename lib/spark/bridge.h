#ifndef SDC_SPARK_BRIDGE_H
#define SDC_SPARK_BRIDGE_H
/*
 * The Spark driver: a Python process (python -m sdc_spark.driver) that
 * holds one SparkContext for the whole run.  Two pipes link it to this
 * program, each a record stream of sdc-record(5): batches go in on its
 * standard input, each a run of data frames and a batch frame; their
 * results come back on its fd 3 in the same order, each batch's ending
 * in a batch frame.  Its standard output and error are a log, kept in
 * a file (or passed through with verbose), whose last lines are shown
 * when the driver dies.  The bridge owns the process and the pipes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "frame-reader.h"

struct sdc_spark_config {
	const char	 *transformer;	/* as -T: file.py:Class, java:CLASS */
	const char	 *master;	/* NULL: the driver's local[*] */
	const char	 *app_name;
	unsigned long	  parallelism;
	const char	**conf;		/* "key=value" */
	size_t		  nconf;
	const char	**params;	/* the transformer's init arguments */
	size_t		  nparams;
	const char	**jars;		/* the user's jars, for the class path */
	size_t		  njars;
	const char	 *sdc_jar;	/* sdc-spark.jar, for java:CLASS */
	const char	 *python;	/* an interpreter that has pyspark */
	const char	 *package_dir;	/* where sdc_spark is installed */
	bool		  verbose;
};

struct sdc_spark_bridge {
	pid_t			 pid;
	int			 to_driver;	/* -1 once closed */
	struct sdc_frame_reader	 from_driver;
	int			 log_fd;	/* -1 when verbose */
	size_t			 max_payload;
};

/* Start the driver; exits with status 3 when it cannot be started. */
void	sdc_spark_bridge_start(struct sdc_spark_bridge *b,
	    const struct sdc_spark_config *c, size_t max_payload);
/* Wait until the driver says its SparkContext and transformer are up. */
void	sdc_spark_bridge_wait_ready(struct sdc_spark_bridge *b);
/* Send the frames of one batch, the batch frame after them. */
void	sdc_spark_bridge_send(struct sdc_spark_bridge *b, const void *frames,
	    size_t len);
/*
 * The next result frame of the batch sent (valid until the next call);
 * a batch frame ends the batch.  A driver that died ends the program.
 */
void	sdc_spark_bridge_next(struct sdc_spark_bridge *b,
	    struct sdc_frame *f);
/*
 * For a poll loop, once from_driver.fd is readable: take what the
 * driver wrote, without waiting.  Then _next returns at once while
 * sdc_frame_reader_ready(&b->from_driver).
 */
void	sdc_spark_bridge_pump(struct sdc_spark_bridge *b);
/* Whether f is an event frame of that type. */
bool	sdc_spark_frame_is_event(const struct sdc_frame *f, const char *type);
/*
 * End the input; the driver stops its transformer and Spark.  0, or
 * status 3 when it did not end well (its last lines are shown).
 */
int	sdc_spark_bridge_close(struct sdc_spark_bridge *b);

#endif
