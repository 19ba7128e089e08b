/*
 * Foot traffic per zone, kept across batches: the JVM twin of
 * foot_traffic.py.
 *
 *     javac -cp "$SPARK_JARS/*:sdc-spark.jar" FootTraffic.java
 *     jar cf traffic.jar FootTraffic*.class
 *     sdc-spark-eval -T java:FootTraffic --jar traffic.jar
 *
 * Each input record is a sighting with "zone" and "device_id".  The
 * driver keeps, per zone, the sightings so far and the distinct devices
 * seen so far; each batch is counted in Spark (reduceByKey over the
 * zone), merged into that state, and gives one record per zone it
 * touched:
 *
 *     {"zone": "food", "sightings": 12, "total_sightings": 140,
 *      "devices": 37, "batch": 4}
 *
 * sightings counts this batch, total_sightings and devices all batches so
 * far.  A record without a zone is an error record "no zone".
 */
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

import scala.Tuple2;

import sdc.spark.Field;
import sdc.spark.Record;
import sdc.spark.TransformResult;
import sdc.spark.Transformer;

public class FootTraffic implements Transformer {
    private static final long serialVersionUID = 1L;

    private transient JavaSparkContext sc;
    private final Map<String, Long> sightings = new HashMap<>();
    private final Map<String, Set<String>> devices = new HashMap<>();
    private long batch;

    /** The sightings and distinct devices of a zone in one batch. */
    static final class Count implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final long sightings;
        final HashSet<String> devices;

        Count(long sightings, HashSet<String> devices) {
            this.sightings = sightings;
            this.devices = devices;
        }

        Count plus(Count c) {
            HashSet<String> all = new HashSet<>(devices);
            all.addAll(c.devices);
            return new Count(sightings + c.sightings, all);
        }
    }

    static String zone(Record r) {
        Field zone = r.get("zone");
        return zone != null && zone.getType() == Field.Type.STRING
            && !zone.isNull() && !zone.getString().isEmpty()
            ? zone.getString() : null;
    }

    static Tuple2<String, Count> sighting(Record r) {
        Field device = r.get("device_id");
        HashSet<String> one = new HashSet<>();
        if (device != null && device.getType() == Field.Type.STRING
                && !device.isNull())
            one.add(device.getString());
        return new Tuple2<>(zone(r), new Count(1, one));
    }

    @Override
    public void init(JavaSparkContext sc, List<String> params) {
        this.sc = sc;
    }

    @Override
    public TransformResult transform(JavaRDD<Record> records) {
        batch++;
        Map<String, Count> counts = new TreeMap<>(records
            .filter(r -> zone(r) != null)
            .mapToPair(FootTraffic::sighting)
            .reduceByKey(Count::plus)
            .collectAsMap());
        List<Record> touched = new ArrayList<>();
        for (Map.Entry<String, Count> e : counts.entrySet()) {
            String zone = e.getKey();
            long total = sightings.merge(zone, e.getValue().sightings,
                Long::sum);
            Set<String> seen = devices.computeIfAbsent(zone,
                z -> new HashSet<>());
            seen.addAll(e.getValue().devices);
            touched.add(new Record()
                .set("zone", zone)
                .set("sightings", e.getValue().sightings)
                .set("total_sightings", total)
                .set("devices", (long) seen.size())
                .set("batch", batch)
                .setId("zone:" + zone));
        }
        JavaPairRDD<Record, String> errors = records
            .filter(r -> zone(r) == null)
            .mapToPair(r -> new Tuple2<>(r, "no zone"));
        return new TransformResult(sc.parallelize(touched, 1), errors);
    }
}
