#ifndef SDC_SPARK_EVAL_H
#define SDC_SPARK_EVAL_H
/*
 * sdc-spark-eval's work: the records of a stream cut into batches, each
 * batch run through the user's transformer in the Spark driver, and the
 * results written in batch order.  Frames other than data (errors,
 * events, kinds this version does not know) are not the transformer's
 * business: they go on untouched, ahead of the results of the batch
 * they came in.
 */
#include "bridge.h"
#include "run.h"

/* Error codes of the records this program makes. */
#define SDC_SPARK_ERROR_RECORD	"SPARK_ERROR_RECORD"	/* by transform */
#define SDC_SPARK_BATCH_FAILED	"SPARK_BATCH_FAILED"	/* transform raised */

/* A batch is also cut when its frames reach this many bytes. */
#define SDC_SPARK_MAX_BATCH_BYTES	(256u << 20)

struct sdc_spark_eval_options {
	struct sdc_spark_config	 spark;
	unsigned long		 batch_size;	/* records */
	double			 batch_seconds;	/* 0: no time limit */
};

/*
 * Read the streams at paths (NULL-terminated, "-" for stdin) through
 * the transformer; batches go on from one input to the next.
 */
void	sdc_spark_eval(struct sdc_run *run,
	    const struct sdc_spark_eval_options *o, const char *const *paths);
/*
 * Start the driver and wait until its transformer is up, saying so in
 * run's phase; started is set once there is a driver to stop.
 */
void	sdc_spark_start(struct sdc_run *run, struct sdc_spark_bridge *b,
	    const struct sdc_spark_config *c, bool *started);

#endif
