package sdc.spark;

import java.io.Serializable;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A JVM transformer of sdc-spark-eval (-T java:CLASS), in the shape of
 * StreamSets' SparkTransformer.  One instance, made with its public
 * constructor without arguments, lives in the Spark driver for the whole
 * run: init() once before the first batch, transform() once per batch,
 * destroy() once after the last, so that it can keep state across
 * batches.  Functions passed to Spark must be serializable, as always.
 */
public interface Transformer extends Serializable {
    /** Called once with the SparkContext and the --param arguments. */
    default void init(JavaSparkContext sc, List<String> params) {
    }

    /**
     * The results and the errors of one batch.  Result records go on as
     * data, each error pair as an error record with its message.  Throw
     * to fail the batch: its records become SPARK_BATCH_FAILED errors.
     */
    TransformResult transform(JavaRDD<Record> records);

    /** Called once after the last batch. */
    default void destroy() {
    }
}
