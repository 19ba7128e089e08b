import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import sdc.spark.Codec;
import sdc.spark.Field;
import sdc.spark.Record;
import sdc.spark.Zoned;

/**
 * The Java codec of sdc-spark.jar against the vectors of sdc-record(5),
 * and its API.  Prints TAP.
 *
 *     java -cp sdc-spark.jar:. CodecTest VECTORS-DIR [CANONICAL-DIR]
 *
 * Every record frame of the roundtrip and decode vectors decodes; the
 * roundtrip vectors written again give back their files byte for byte,
 * and the decode vectors give what sdc-convert writes for their JSON,
 * found as NAME.sdc in CANONICAL-DIR (skipped without it).  Each frame
 * of the malformed vector fails with the reason its JSON gives.  The bad
 * vectors are stream errors, which the C reader finds before any payload
 * reaches Java: they are not checked here.
 */
public final class CodecTest {
    private static int n, failed;

    interface Check {
        String run() throws Exception;    // null when it passes
    }

    private static void check(String what, Check c) {
        String problem;
        try {
            problem = c.run();
        } catch (Exception | AssertionError e) {
            problem = e.toString();
        }
        n++;
        if (problem == null) {
            System.out.println("ok " + n + " - " + what);
        } else {
            failed++;
            System.out.println("not ok " + n + " - " + what);
            for (String line : problem.split("\n"))
                System.out.println("# " + line);
        }
    }

    private static void skip(String what, String why) {
        n++;
        System.out.println("ok " + n + " - " + what + " # SKIP " + why);
    }

    public static void main(String[] args) throws IOException {
        Path vectors = Paths.get(args[0]);
        Path canonical = args.length > 1 ? Paths.get(args[1]) : null;
        for (String line : Files.readAllLines(vectors.resolve("VECTORS"))) {
            String[] f = line.split(" ", 3);
            vector(vectors, canonical, f[0], f[1]);
        }
        api();
        System.out.println("1.." + n);
        System.out.println("# " + (n - failed) + " passed, " + failed
            + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    // ------------------------------------------------------------ streams

    /** A frame of a stream: kind, where it starts, its payload. */
    static final class Frame {
        final int kind, offset;
        final byte[] payload;

        Frame(int kind, int offset, byte[] payload) {
            this.kind = kind;
            this.offset = offset;
            this.payload = payload;
        }
    }

    /** The frames of a stream of good members, end frames left out. */
    static List<Frame> frames(byte[] s) {
        List<Frame> out = new ArrayList<>();
        int pos = 0;
        while (pos < s.length) {
            if (!Arrays.equals(Arrays.copyOfRange(s, pos, pos + 10),
                    Codec.streamHeader()))
                throw new AssertionError("byte " + pos + ": no stream header");
            pos += 10;
            for (;;) {
                int kind = s[pos] & 0xFF;
                int len = (s[pos + 1] & 0xFF) | (s[pos + 2] & 0xFF) << 8
                    | (s[pos + 3] & 0xFF) << 16 | (s[pos + 4] & 0xFF) << 24;
                byte[] payload = Arrays.copyOfRange(s, pos + 9, pos + 9 + len);
                if (kind != Codec.END)
                    out.add(new Frame(kind, pos, payload));
                pos += 9 + len;
                if (kind == Codec.END)
                    break;
            }
        }
        return out;
    }

    static boolean holdsRecord(int kind) {
        return kind == Codec.DATA || kind == Codec.ERROR || kind == Codec.EVENT;
    }

    /** One member of these frames, the record frames written by Java. */
    static byte[] rewrite(List<Frame> frames) {
        Codec.Frames out = new Codec.Frames();
        for (Frame f : frames) {
            byte[] payload = f.payload;
            if (holdsRecord(f.kind))
                payload = Codec.encode(f.kind, Codec.decode(f.kind, payload));
            else if (f.kind == Codec.BATCH)
                payload = new byte[0];
            out.add(f.kind, payload);
        }
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.writeBytes(Codec.streamHeader());
        s.writeBytes(out.toByteArray());
        s.writeBytes(Codec.frame(Codec.END, varint(out.count())));
        return s.toByteArray();
    }

    static byte[] varint(long u) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (; (u & ~0x7FL) != 0; u >>>= 7)
            b.write((int) (u & 0x7F | 0x80));
        b.write((int) u);
        return b.toByteArray();
    }

    static String sameBytes(byte[] got, byte[] want) {
        if (Arrays.equals(got, want))
            return null;
        int at = Arrays.mismatch(got, want);
        return "got " + got.length + " bytes, expected " + want.length
            + "; first difference at byte " + at + "\nexpected: "
            + hex(want, at) + "\ngot:      " + hex(got, at);
    }

    static String hex(byte[] b, int at) {
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, at - 8); i < Math.min(b.length, at + 16); i++)
            sb.append(String.format("%02x ", b[i] & 0xFF));
        return sb.toString().trim();
    }

    // ------------------------------------------------------------ vectors

    static void vector(Path dir, Path canonical, String name, String mode)
            throws IOException {
        if (mode.equals("bad"))
            return;
        byte[] stream = Files.readAllBytes(dir.resolve(name + ".sdc"));
        if (mode.equals("malformed")) {
            String json = Files.readString(dir.resolve(name + ".json"));
            check("java: malformed payloads of " + name + " fail as the JSON says",
                () -> malformed(stream, json));
            return;
        }
        check("java: decode " + name, () -> {
            for (Frame f : frames(stream))
                if (holdsRecord(f.kind))
                    Codec.decode(f.kind, f.payload);
            return null;
        });
        if (mode.equals("roundtrip")) {
            check("java: encode " + name + " (the same bytes)",
                () -> sameBytes(rewrite(frames(stream)), stream));
        } else if (canonical != null
                && Files.exists(canonical.resolve(name + ".sdc"))) {
            byte[] want = Files.readAllBytes(canonical.resolve(name + ".sdc"));
            check("java: encode " + name + " as sdc-convert does",
                () -> sameBytes(rewrite(frames(stream)), want));
        } else {
            skip("java: encode " + name + " as sdc-convert does",
                "no canonical stream from sdc-convert");
        }
    }

    static String malformed(byte[] stream, String json) {
        Matcher m = Pattern.compile("\"code\":\"SDC_BAD_FRAME\",\"message\":"
            + "\"(byte [0-9]+: [^\"]*)\"").matcher(json);
        List<String> want = new ArrayList<>();
        while (m.find())
            want.add(m.group(1));
        List<String> got = new ArrayList<>();
        for (Frame f : frames(stream)) {
            try {
                Codec.decode(f.kind, f.payload);
            } catch (Codec.Malformed e) {
                got.add("byte " + f.offset + ": " + e.getMessage());
            }
        }
        if (want.isEmpty())
            return "no SDC_BAD_FRAME records in the JSON";
        return got.equals(want) ? null
            : "expected " + want + "\ngot      " + got;
    }

    // ------------------------------------------------------------ the API

    static String eq(Object got, Object want) {
        return got == null ? (want == null ? null : "got null, want " + want)
            : got.equals(want) ? null : "got  " + got + "\nwant " + want;
    }

    static String all(String... problems) {
        for (String p : problems)
            if (p != null)
                return p;
        return null;
    }

    static Record roundTrip(Record r) {
        return Codec.decode(Codec.DATA, Codec.encode(Codec.DATA, r));
    }

    static String reason(int... root) {
        byte[] payload = new byte[root.length + 3];
        for (int i = 0; i < root.length; i++)
            payload[i + 3] = (byte) root[i];
        try {
            Codec.decode(Codec.DATA, payload);
            return "(no error)";
        } catch (Codec.Malformed e) {
            return e.getMessage();
        }
    }

    static String encodeError(Record r) {
        try {
            Codec.encode(Codec.DATA, r);
            return "(no error)";
        } catch (Codec.EncodeException e) {
            return e.getMessage();
        }
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++)
            b[i] = (byte) v[i];
        return b;
    }

    static void api() {
        // The record of the EXAMPLES of sdc-record(5).
        byte[] example = bytes(0x07, 'a', '.', 'c', 's', 'v', ':', '2', 0x01,
            0x0b, 's', 'd', 'c', '-', 'c', 'o', 'n', 'v', 'e', 'r', 't', 0x00,
            0x12, 0x02, 0x08, 'n', 'a', 'm', 'e', 0x0e, 0x03, 'a', 'n', 'n',
            0x06, 'a', 'g', 'e', 0x05, 0x3e);
        check("Record.get reads the root map of the man page's example", () -> {
            Record r = Codec.decode(Codec.DATA, example);
            return all(eq(r.getId(), "a.csv:2"),
                eq(r.getStages(), List.of("sdc-convert")),
                eq(r.getValue().getType(), Field.Type.LIST_MAP),
                eq(r.get("name").getString(), "ann"),
                eq(r.get("age").getInteger(), 31),
                eq(r.get("age").asLong(), 31L), eq(r.get("nope"), null),
                eq(r.has("age"), true));
        });
        check("the frame of the man page's example has its CRC-32C", () ->
            eq(hex(Codec.frame(Codec.DATA, example), 0).substring(0, 26),
                "01 28 00 00 00 cc 82 09 27"));
        check("a value of every type survives encode and decode", () -> {
            Map<String, Field> inner = new LinkedHashMap<>();
            inner.put("z", Field.of(1));
            inner.put("a", Field.nullOf(Field.Type.DATE));
            Record r = new Record()
                .set("b", true).set("c", Field.ofCodePoint(0x1F600))
                .set("y", (byte) -128).set("s", (short) 32767)
                .set("i", Integer.MIN_VALUE).set("l", Long.MAX_VALUE)
                .set("f", 0.1f).set("d", -0.0)
                .set("m", Field.decimal("-1.50e3"))
                .set("bd", new BigDecimal("12345678901234567890.5"))
                .set("date", LocalDate.of(1969, 12, 31))
                .set("dt", Instant.parse("2025-11-24T16:00:00.123456Z"))
                .set("t", LocalTime.of(23, 59, 59, 999_999_000))
                .set("z", ZonedDateTime.parse(
                    "2025-11-24T17:00:00+01:00[Europe/Paris]"))
                .set("str", "x\ny\u00e9\u20ac").set("bytes", bytes(0, 255, 16))
                .set("list", List.of(1L, "two"))
                .set("lm", Field.listMap(inner))
                .set("null", Field.nullOf(Field.Type.LONG));
            r.getAttributes().put("k", "v");
            r.setId("x:1");
            Record back = roundTrip(r);
            return all(eq(back, r),
                eq(back.get("c").getCodePoint(), 0x1F600),
                eq(back.get("m").getDecimalText(), "-1.50e3"),
                eq(back.get("m").getDecimal(), new BigDecimal("-1.50e3")),
                eq(back.get("date").getDate(), LocalDate.of(1969, 12, 31)),
                eq(back.get("dt").getMicros(), 1764000000123456L),
                eq(back.get("z").getZoned().toZonedDateTime(),
                    ZonedDateTime.parse("2025-11-24T17:00:00+01:00[Europe/Paris]")),
                eq(back.get("null").getType(), Field.Type.LONG),
                eq(back.get("null").getLong(), null),
                eq(back.get("list").getList().get(0).getLong(), 1L),
                eq(back.get("lm").getMap().keySet().toString(), "[z, a]"));
        });
        check("values java.time cannot hold go out as they came in", () -> {
            Record r = new Record(Field.of(Field.date(Long.MIN_VALUE),
                Field.of(new Zoned(Long.MAX_VALUE, 3600, "Mars/Olympus"))));
            return eq(roundTrip(r), r);
        });
        check("malformed payloads give the reasons of sdc-record(5)", () -> all(
            eq(reason(0x0e, 0x03, 0xed, 0xa0, 0x80), "bad utf-8"),
            eq(reason(0x0e, 0x02, 0xc0, 0x80), "bad utf-8"),
            eq(reason(0x0e, 0x04, 0xf4, 0x90, 0x80, 0x80), "bad utf-8"),
            eq(reason(0x0e, 0x05, 0xf8, 0x88, 0x80, 0x80, 0x80), "bad utf-8"),
            eq(reason(0x0e, 0x04, 0xf0, 0x9f, 0x98, 0x80), "(no error)"),
            eq(reason(0x02, 0x80, 0x80, 0xc4, 0x00), "bad char"),
            eq(reason(0x0d, 0x00, 0x01, 0x00), "(no error)"),
            eq(reason(0x0d, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0x01, 0x00), "zone offset out of range"),
            eq(reason(0x0c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0x01), "time of day out of range"),
            eq(reason(0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0x01), "truncated"),
            eq(reason(0x09, 0x02, '1', '.'), "bad decimal"),
            eq(reason(0x09, 0x02, '1', 'e'), "bad decimal"),
            eq(reason(0x09, 0x03, '-', '0', '1'), "bad decimal"),
            eq(reason(0x11, 0x01, 0x03, 0x81), "bad key reference"),
            eq(reason(0x91), "(no error)"),
            eq(reason(0xb1), "reserved bits set in a field type"),
            eq(reason(0x80), "unknown field type")));
        check("a key written in full again is added to the table again",
            () -> {
                // [{"a": null}, {"a" in full: null}, {entry 1: null}]
                Record r = Codec.decode(Codec.DATA, bytes(0, 0, 0, 0x10,
                    0x03, 0x11, 0x01, 0x02, 'a', 0x86, 0x11, 0x01, 0x02, 'a',
                    0x86, 0x11, 0x01, 0x03, 0x86));
                return eq(r.getValue().getList().get(2).getMap().keySet(),
                    java.util.Set.of("a"));
            });
        check("encode errors name the field's path", () -> all(
            eq(encodeError(new Record().set("s", "a\ud800")),
                "text is not valid Unicode (a lone surrogate) at /s"),
            eq(encodeError(new Record().set("a", List.of(Field.of(1L),
                Field.of(Map.of("odd key", Field.of("\udc00")))))),
                "text is not valid Unicode (a lone surrogate) at "
                + "/a[1]/'odd key'"),
            eq(encodeError(new Record().set("a", Field.of(
                new ArrayList<>(Arrays.asList(Field.of(1L), null))))),
                "a null reference, not a Field at /a[1]"),
            eq(encodeError(new Record().setId("\ud800")),
                "bad record header: the id is not valid Unicode "
                + "(a lone surrogate)"),
            eq(encodeError(new Record(nested(128))), "(no error)"),
            eq(encodeError(new Record(nested(129))),
                "nesting deeper than 128 at " + "[0]".repeat(128))));
        check("Field getters check the type", () -> {
            try {
                Field.of(1L).getString();
                return "no exception";
            } catch (IllegalStateException e) {
                return eq(e.getMessage(), "the field is LONG, not STRING");
            }
        });
        check("factories reject values records cannot hold", () -> {
            for (Runnable bad : new Runnable[] {
                    () -> Field.decimal("1e"), () -> Field.of('\ud800'),
                    () -> Field.time(86_400_000_000L),
                    () -> new Zoned(0, 64801, "") }) {
                try {
                    bad.run();
                    return "no exception";
                } catch (IllegalArgumentException e) {
                    // as it should
                }
            }
            return null;
        });
        check("field attributes go out and come back, and count in equals",
                () -> {
            Field price = Field.decimal("12.50").withAttributes(
                Map.of("precision", "10"));
            Record r = new Record().set("p", price)
                .set("n", Field.nullOf(Field.Type.DECIMAL)
                    .withAttributes(Map.of("scale", "2")));
            Record back = roundTrip(r);
            return all(eq(back, r),
                eq(back.get("p").getAttribute("precision"), "10"),
                eq(back.get("n").getAttributes(), Map.of("scale", "2")),
                eq(back.get("p").equals(Field.decimal("12.50")), false),
                eq(back.get("p").copy(), price));
        });
        check("a record and its copy are apart", () -> {
            Record r = new Record().set("l", List.of(1L));
            Record c = r.copy();
            c.get("l").getList().add(Field.of(2L));
            c.getStages().add("x");
            return all(eq(r.get("l").getList().size(), 1),
                eq(r.getStages().size(), 0));
        });
        check("strings are read as UTF-8", () -> eq(Codec.decode(Codec.DATA,
            bytes(0, 0, 0, 0x0e, 0x02, 0xc3, 0xa9)).getValue().getString(),
            new String(bytes(0xc3, 0xa9), StandardCharsets.UTF_8)));
    }

    /** depth lists one inside the other. */
    static Field nested(int depth) {
        Field f = Field.of(new ArrayList<Field>());
        for (int i = 1; i < depth; i++)
            f = Field.of(f);
        return f;
    }
}
