package sdc.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;

/**
 * What Transformer.transform() returns: the result records, and the error
 * records paired with their messages.  Either may be null.
 */
public final class TransformResult {
    private final JavaRDD<Record> result;
    private final JavaPairRDD<Record, String> errors;

    public TransformResult(JavaRDD<Record> result,
            JavaPairRDD<Record, String> errors) {
        this.result = result;
        this.errors = errors;
    }

    /** Results and no errors. */
    public TransformResult(JavaRDD<Record> result) {
        this(result, null);
    }

    public JavaRDD<Record> getResult() {
        return result;
    }

    public JavaPairRDD<Record, String> getErrors() {
        return errors;
    }
}
