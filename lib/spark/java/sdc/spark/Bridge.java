package sdc.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

import scala.Tuple2;

/**
 * The JVM side of sdc-spark-eval's driver (sdc_spark/jvm.py), called over
 * py4j: it makes the user's Transformer and runs each batch through it.
 *
 * A batch comes as chunks of whole data frames, one per partition; the
 * executors decode them into Records, and encode the results and the
 * errors of transform() into one blob of whole frames per partition,
 * which the driver joins into one.  Results get the stage sdc-spark-eval;
 * errors are SPARK_ERROR_RECORD error records with their messages; a
 * result that cannot be written becomes a SPARK_BAD_RESULT error record.
 * Whatever transform() or the Spark job throws goes back to Python.
 */
public final class Bridge {
    public static final String STAGE = "sdc-spark-eval";
    private static final int STAND_IN_MAX = 1000;

    private final JavaSparkContext sc;
    private final Transformer transformer;

    /** The transformer could not be made: a message, no stack trace. */
    public static final class StartException extends Exception {
        private static final long serialVersionUID = 1L;

        StartException(String message) {
            super(message);
        }
    }

    /** The output of a batch: whole frames, and how many. */
    public static final class Output implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int frames;
        private final byte[] bytes;

        Output(int frames, byte[] bytes) {
            this.frames = frames;
            this.bytes = bytes;
        }

        public int frames() {
            return frames;
        }

        public byte[] bytes() {
            return bytes;
        }
    }

    /** Make the transformer named className and call its init(). */
    public Bridge(JavaSparkContext sc, String className, List<String> params)
            throws Exception {
        this.sc = sc;
        this.transformer = instantiate(className);
        transformer.init(sc, new ArrayList<>(params));
    }

    private static Transformer instantiate(String name) throws Exception {
        Class<?> cls = load(name);
        if (!Transformer.class.isAssignableFrom(cls))
            throw new StartException(name + " does not implement "
                + Transformer.class.getName());
        try {
            return (Transformer) cls.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new StartException(name
                + " has no public constructor without arguments");
        }
    }

    /** The class of a binary name, or of a nested class as Outer.Inner. */
    private static Class<?> load(String name) throws StartException {
        ClassLoader[] loaders = {
            Thread.currentThread().getContextClassLoader(),
            Bridge.class.getClassLoader() };
        for (String binary = name; ; ) {
            for (ClassLoader loader : loaders) {
                try {
                    if (loader != null)
                        return Class.forName(binary, true, loader);
                } catch (ClassNotFoundException e) {
                    // the next loader, or the next name
                }
            }
            int dot = binary.lastIndexOf('.');
            if (dot < 0)
                break;
            binary = binary.substring(0, dot) + '$'
                + binary.substring(dot + 1);
        }
        throw new StartException("no class " + name
            + " on the class path (give its jar with --jar)");
    }

    /** Run one batch: chunks of whole data frames, one per partition. */
    public Output run(List<byte[]> chunks) {
        if (chunks.isEmpty())
            return new Output(0, new byte[0]);
        JavaRDD<Record> records = sc.parallelize(chunks, chunks.size())
            .flatMap(Codec::dataRecords);
        TransformResult out = transformer.transform(records);
        JavaRDD<Blob> blobs = null;
        if (out != null && out.getResult() != null)
            blobs = out.getResult().mapPartitions(Bridge::encodeResults);
        if (out != null && out.getErrors() != null) {
            JavaRDD<Blob> errors =
                out.getErrors().mapPartitions(Bridge::encodeErrors);
            blobs = blobs == null ? errors : blobs.union(errors);
        }
        return join(blobs == null ? Collections.emptyList() : blobs.collect());
    }

    /**
     * run() through files, since py4j moves bytes slowly (base64 in a text
     * protocol): the chunks are the file input cut at these sizes, the
     * output frames go to the file output, and their count is returned.
     */
    public int run(String input, List<Integer> sizes, String output)
            throws IOException {
        byte[] data = Files.readAllBytes(Paths.get(input));
        List<byte[]> chunks = new ArrayList<>();
        int at = 0;
        for (int size : sizes) {
            chunks.add(Arrays.copyOfRange(data, at, at + size));
            at += size;
        }
        if (at != data.length)
            throw new IllegalArgumentException("the chunks of " + input
                + " are " + at + " bytes, not " + data.length);
        Output out = run(chunks);
        Files.write(Paths.get(output), out.bytes());
        return out.frames();
    }

    public void destroy() {
        transformer.destroy();
    }

    private static Output join(List<Blob> blobs) {
        long size = 0;
        int frames = 0;
        for (Blob b : blobs) {
            size += b.bytes.length;
            frames += b.frames;
        }
        if (size > Integer.MAX_VALUE - 8)
            throw new IllegalStateException("the output of a batch is "
                + size + " bytes, beyond 2 GiB");
        byte[] bytes = new byte[(int) size];
        int at = 0;
        for (Blob b : blobs) {
            System.arraycopy(b.bytes, 0, bytes, at, b.bytes.length);
            at += b.bytes.length;
        }
        return new Output(frames, bytes);
    }

    // ------------------------------------------------------------ executors

    /** The frames one task encoded. */
    static final class Blob implements Serializable {
        private static final long serialVersionUID = 1L;
        final int frames;
        final byte[] bytes;

        Blob(Codec.Frames f) {
            this.frames = f.count();
            this.bytes = f.toByteArray();
        }
    }

    static Iterator<Blob> encodeResults(Iterator<Record> records) {
        Codec.Frames out = new Codec.Frames();
        long now = System.currentTimeMillis();
        while (records.hasNext())
            add(out, Codec.DATA, records.next(), null, now);
        return blobOf(out);
    }

    static Iterator<Blob> encodeErrors(Iterator<Tuple2<Record, String>> pairs) {
        Codec.Frames out = new Codec.Frames();
        long now = System.currentTimeMillis();
        while (pairs.hasNext()) {
            Tuple2<Record, String> pair = pairs.next();
            String message = pair._2() == null ? "error record" : pair._2();
            add(out, Codec.ERROR, pair._1(), new Record.ErrorInfo(
                "SPARK_ERROR_RECORD", message, STAGE, now), now);
        }
        return blobOf(out);
    }

    private static Iterator<Blob> blobOf(Codec.Frames out) {
        return out.count() == 0 ? Collections.emptyIterator()
            : Collections.singletonList(new Blob(out)).iterator();
    }

    private static void add(Codec.Frames out, int kind, Record record,
            Record.ErrorInfo error, long now) {
        byte[] payload;
        try {
            if (record == null)
                throw new Codec.EncodeException("a null record", false);
            payload = Codec.encode(kind, record, STAGE, error);
            if (payload.length > Codec.MAX_RECORD)
                throw new Codec.EncodeException("a record of "
                    + payload.length + " bytes exceeds the record size limit ("
                    + Codec.MAX_RECORD + ")", false);
        } catch (Codec.EncodeException e) {
            String why = error == null ? e.getMessage()
                : error.message + "; and " + e.getMessage();
            kind = Codec.ERROR;
            payload = badResult(record, why, now);
        }
        out.add(kind, payload);
    }

    /** The error payload that stands for a result that cannot be written. */
    private static byte[] badResult(Record record, String why, long now) {
        String value = record == null ? "null" : String.valueOf(record.getValue());
        Record stand = new Record(Field.of(clean(value, STAND_IN_MAX)));
        stand.setId(record == null ? "" : clean(record.getId(), STAND_IN_MAX));
        stand.getStages().add(STAGE);
        return Codec.encode(Codec.ERROR, stand, null, new Record.ErrorInfo(
            "SPARK_BAD_RESULT", clean(why, 4 * STAND_IN_MAX), STAGE, now));
    }

    /** s cut to max chars, lone surrogates replaced: text that encodes. */
    static String clean(String s, int max) {
        if (s == null)
            return "";
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && sb.length() < max; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                if (sb.length() + 2 > max)
                    break;
                sb.append(c).append(s.charAt(++i));
            } else {
                sb.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return sb.toString();
    }
}
