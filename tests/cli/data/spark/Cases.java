/*
 * JVM transformers for the tests of sdc-spark-eval (tests/spark/java-*.test),
 * the twins of some in cases.py; tests/spark/run.sh compiles them into
 * $SDC_TEST_JAR, used as -T java:Cases.NAME --jar $SDC_TEST_JAR.
 */
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

import scala.Tuple2;

import sdc.spark.Field;
import sdc.spark.Record;
import sdc.spark.TransformResult;
import sdc.spark.Transformer;

public final class Cases {
    private Cases() {
    }

    public static class Identity implements Transformer {
        private static final long serialVersionUID = 1L;

        @Override
        public TransformResult transform(JavaRDD<Record> records) {
            return new TransformResult(records);
        }
    }

    /** The records through a shuffle, as values (Kryo), in their order. */
    public static class Shuffled implements Transformer {
        private static final long serialVersionUID = 1L;

        @Override
        public TransformResult transform(JavaRDD<Record> records) {
            return new TransformResult(records.zipWithIndex()
                .mapToPair(t -> new Tuple2<>(t._2(), t._1()))
                .sortByKey(true, 3).values());
        }
    }

    /** Only the sightings stronger than the first param (dBm). */
    public static class StrongSignal implements Transformer {
        private static final long serialVersionUID = 1L;
        private long floor = -70;

        @Override
        public void init(JavaSparkContext sc, List<String> params) {
            if (!params.isEmpty())
                floor = Long.parseLong(params.get(0));
        }

        @Override
        public TransformResult transform(JavaRDD<Record> records) {
            long min = floor;
            return new TransformResult(
                records.filter(r -> r.get("rssi").asLong() > min));
        }
    }

    /** Sightings weaker than -80 dBm come back as errors. */
    public static class WeakAreErrors implements Transformer {
        private static final long serialVersionUID = 1L;

        @Override
        public TransformResult transform(JavaRDD<Record> records) {
            return new TransformResult(
                records.filter(r -> r.get("rssi").asLong() >= -80),
                records.filter(r -> r.get("rssi").asLong() < -80)
                    .mapToPair(r -> new Tuple2<>(r, "signal too weak: "
                        + r.get("rssi").asLong() + " dBm")));
        }
    }

    /** transform() throws for a batch holding a record with boom set. */
    public static class FailsOnBoom implements Transformer {
        private static final long serialVersionUID = 1L;

        @Override
        public TransformResult transform(JavaRDD<Record> records) {
            if (records.filter(r -> r.has("boom")).count() > 0)
                throw new IllegalStateException("boom in this batch");
            return new TransformResult(records);
        }
    }

    /** A task throws: the Spark job fails, the batch with it. */
    public static class FailsInTask implements Transformer {
        private static final long serialVersionUID = 1L;

        @Override
        public TransformResult transform(JavaRDD<Record> records) {
            return new TransformResult(records.map(r -> {
                if (r.has("boom"))
                    throw new IllegalArgumentException("no such sensor");
                return r;
            }));
        }
    }

    /** Results that records cannot hold: a lone surrogate, a null. */
    public static class BadValue implements Transformer {
        private static final long serialVersionUID = 1L;

        @Override
        public TransformResult transform(JavaRDD<Record> records) {
            return new TransformResult(records.map(r -> r.has("spoil")
                ? r.set("oops", Field.of("\ud800")) : r));
        }
    }

    /** Not a Transformer at all. */
    public static class NotATransformer {
    }
}
