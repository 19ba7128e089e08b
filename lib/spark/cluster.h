#ifndef SDC_SPARK_CLUSTER_H
#define SDC_SPARK_CLUSTER_H
/*
 * The cluster mode of sdc-spark-eval: several producers, one
 * transformer.  The service (--listen) runs the Spark driver and takes
 * batches from producers over TCP.  Every --batch-ms, or once the
 * batches waiting hold --batch-size records, all of them go to the
 * driver as one batch, one RDD.  On the way there each data record gets
 * the header attribute SDC_SPARK_PRODUCER_ATTR, its producer's
 * connection number; on the way back a result that has it loses it and
 * goes to that producer, and one that has not (a record the transformer
 * made) goes to the service's own output.  A producer (--connect) cuts
 * its input into batches as the local mode does, sends each to the
 * service and writes the results of its own records, batch by batch.
 *
 * Each link starts with the handshake of auth.h, then carries a record
 * stream of sdc-record(5) each way: producer to service, each batch's
 * data frames and a batch frame; service to producer, each batch's
 * results and a batch frame, in the order of the batches, and at the
 * end an event SDC_SPARK_STOPPING_EVENT when the service stops.
 */
#include "auth.h"
#include "eval.h"
#include "net.h"

#define SDC_SPARK_PRODUCER_ATTR		"sdc.spark.producer"
#define SDC_SPARK_STOPPING_EVENT	"sdc-spark-eval.stopping"
#define SDC_SPARK_CONNECT_SECONDS	10
#define SDC_SPARK_HANDSHAKE_SECONDS	120	/* it may be starting Spark */

/*
 * Serve producers on addr until a stop signal, then finish the batch in
 * Spark, send their results, end each link and stop Spark.  Says where
 * it listens ("listening on HOST:PORT") once Spark is up.
 */
void	sdc_spark_serve(struct sdc_run *run,
	    const struct sdc_spark_eval_options *o,
	    const struct sdc_net_addr *addr,
	    const struct sdc_secret *secret);
/* Send the batches of the streams at paths to the service at addr. */
void	sdc_spark_produce(struct sdc_run *run,
	    const struct sdc_spark_eval_options *o,
	    const struct sdc_net_addr *addr,
	    const struct sdc_secret *secret, const char *const *paths);

#endif
