package sdc.spark;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Record payloads and frames of sdc-record(5), the third implementation
 * after the C library and sdc_spark (the tests hold all three to the
 * vectors of tests/vectors).  decode() reads any valid payload and rejects
 * a malformed one with a Malformed whose message is the reason the man
 * page gives; encode() writes the canonical payload, or throws an
 * EncodeException naming the path of the field that cannot be written.
 *
 * Repeated map keys are found with HashMap, whose bins turn into trees of
 * Comparable keys when they fill up: input cannot make it quadratic.
 */
public final class Codec {
    public static final int DATA = 1, ERROR = 2, EVENT = 3, BATCH = 4, END = 5;
    public static final int MAX_DEPTH = 128;
    /** Bits of a field's type byte beside its type code. */
    static final int RESERVED_BIT = 0x20, ATTRIBUTES_BIT = 0x40, NULL_BIT = 0x80;
    /** The default record size limit, in payload bytes. */
    public static final int MAX_RECORD = 16 << 20;
    public static final int FRAME_HEADER = 9;

    private static final Field.Type[] TYPES = Field.Type.values();
    private static final Field TRUE = new Field(Field.Type.BOOLEAN, true);
    private static final Field FALSE = new Field(Field.Type.BOOLEAN, false);

    private Codec() {
    }

    /** A payload that breaks the format; the message is the reason. */
    public static final class Malformed extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public Malformed(String reason) {
            super(reason);
        }
    }

    /** A record that cannot be written, and where in it. */
    public static final class EncodeException
            extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private static final Pattern PLAIN_KEY =
            Pattern.compile("[A-Za-z0-9_@$-]+");
        private final String why;
        private final boolean inField;
        private final ArrayDeque<Object> path = new ArrayDeque<>();

        public EncodeException(String why) {
            this(why, true);
        }

        EncodeException(String why, boolean inField) {
            super(why);
            this.why = why;
            this.inField = inField;
        }

        EncodeException under(Object step) {
            path.addFirst(step);
            return this;
        }

        /** The field path, as "/a/b[2]" or "/'odd key'"; "/" for the root. */
        public String path() {
            StringBuilder sb = new StringBuilder();
            for (Object step : path) {
                String key = step instanceof String ? (String) step : null;
                if (key == null)
                    sb.append('[').append(step).append(']');
                else if (PLAIN_KEY.matcher(key).matches())
                    sb.append('/').append(key);
                else
                    sb.append("/'").append(key.replace("'", "''")).append('\'');
            }
            return sb.length() == 0 ? "/" : sb.toString();
        }

        @Override
        public String getMessage() {
            return inField ? why + " at " + path() : why;
        }
    }

    // ------------------------------------------------------------ decoding

    /** The record of a DATA, ERROR or EVENT payload. */
    public static Record decode(int kind, byte[] payload) {
        return decode(kind, payload, 0, payload.length);
    }

    public static Record decode(int kind, byte[] buf, int off, int len) {
        if (kind != DATA && kind != ERROR && kind != EVENT)
            throw new IllegalArgumentException(
                "frames of kind " + kind + " hold no record");
        return new Reader(buf, off, off + len).record(kind);
    }

    private static final class Reader {
        private final byte[] b;
        private final int end;
        private int pos;
        private final List<String> keys = new ArrayList<>();
        private CharsetDecoder utf8;

        Reader(byte[] b, int off, int end) {
            this.b = b;
            this.pos = off;
            this.end = end;
        }

        Record record(int kind) {
            String id = text();
            int n = count(1);
            List<String> stages = new ArrayList<>(Math.min(n, 16));
            for (int i = 0; i < n; i++)
                stages.add(text());
            Map<String, String> attributes = pairs(count(2));
            Record.ErrorInfo error = null;
            Record.EventInfo event = null;
            if (kind == ERROR)
                error = new Record.ErrorInfo(text(), text(), text(), zigzag());
            else if (kind == EVENT)
                event = new Record.EventInfo(text(), varint(), zigzag());
            Field root = field(1);
            if (pos != end)
                throw new Malformed("trailing bytes");
            return new Record(id, stages, attributes, root).setError(error)
                .setEvent(event);
        }

        Field field(int level) {
            int t = u8();
            if ((t & RESERVED_BIT) != 0)
                throw new Malformed("reserved bits set in a field type");
            int code = t & 0x1F;
            if (code < 1 || code > TYPES.length)
                throw new Malformed("unknown field type");
            Field.Type type = TYPES[code - 1];
            Map<String, String> attributes =
                (t & ATTRIBUTES_BIT) != 0 ? fieldAttributes() : null;
            Field f = (t & NULL_BIT) != 0 ? Field.nullOf(type)
                : value(type, level);
            return attributes == null ? f : f.withAttributes(attributes);
        }

        private Map<String, String> fieldAttributes() {
            int n = count(2);
            if (n == 0)
                throw new Malformed("field attributes flag without any");
            return pairs(n);
        }

        /** n keys and values of text, the keys unique. */
        private Map<String, String> pairs(int n) {
            Map<String, String> pairs = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String key = text();
                if (pairs.containsKey(key))
                    throw new Malformed("duplicate key");
                pairs.put(key, text());
            }
            return pairs;
        }

        private Field value(Field.Type type, int level) {
            switch (type) {
            case BOOLEAN: {
                int v = u8();
                if (v > 1)
                    throw new Malformed("bad boolean");
                return v == 1 ? TRUE : FALSE;
            }
            case CHAR: {
                long cp = varint();
                if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                    throw new Malformed("bad char");
                return new Field(type, new String(Character.toChars((int) cp)));
            }
            case BYTE:
                return new Field(type, (byte) u8());
            case SHORT: {
                long v = zigzag();
                if (v != (short) v)
                    throw new Malformed("value out of range for its type");
                return new Field(type, (short) v);
            }
            case INTEGER: {
                long v = zigzag();
                if (v != (int) v)
                    throw new Malformed("value out of range for its type");
                return new Field(type, (int) v);
            }
            case LONG: case DATE: case DATETIME:
                return new Field(type, zigzag());
            case FLOAT:
                return new Field(type, Float.intBitsToFloat((int) fixed(4)));
            case DOUBLE:
                return new Field(type, Double.longBitsToDouble(fixed(8)));
            case DECIMAL: {
                int n = length();
                String text = new String(b, pos, n, StandardCharsets.ISO_8859_1);
                pos += n;
                if (!Field.isDecimal(text))
                    throw new Malformed("bad decimal");
                return new Field(type, text);
            }
            case TIME: {
                long us = varint();
                if (us < 0 || us >= Field.US_PER_DAY)
                    throw new Malformed("time of day out of range");
                return new Field(type, us);
            }
            case ZONED_DATETIME: {
                long us = zigzag(), offset = zigzag();
                if (offset < -Field.MAX_OFFSET
                        || offset > Field.MAX_OFFSET)
                    throw new Malformed("zone offset out of range");
                return new Field(type, new Zoned(us, (int) offset, text()));
            }
            case STRING:
                return new Field(type, text());
            case BYTE_ARRAY: {
                int n = length();
                byte[] v = new byte[n];
                System.arraycopy(b, pos, v, 0, n);
                pos += n;
                return new Field(type, v);
            }
            default:
                break;
            }
            if (level > MAX_DEPTH)
                throw new Malformed("nesting deeper than " + MAX_DEPTH);
            if (type == Field.Type.LIST) {
                int n = count(1);
                List<Field> items = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++)
                    items.add(field(level + 1));
                return new Field(type, items);
            }
            int n = count(2);
            Map<String, Field> entries = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String key = key();
                if (entries.containsKey(key))
                    throw new Malformed("duplicate key");
                entries.put(key, field(level + 1));
            }
            return new Field(type, entries);
        }

        private String key() {
            long k = varint();
            if ((k & 1) != 0) {
                long i = k >>> 1;
                if (i >= keys.size())
                    throw new Malformed("bad key reference");
                return keys.get((int) i);
            }
            if (k >>> 1 > end - pos)
                throw new Malformed("truncated");
            String key = utf8((int) (k >>> 1));
            keys.add(key);
            return key;
        }

        private int u8() {
            if (pos >= end)
                throw new Malformed("truncated");
            return b[pos++] & 0xFF;
        }

        private long varint() {
            long v = 0;
            for (int shift = 0; shift < 63; shift += 7) {
                int x = u8();
                v |= (long) (x & 0x7F) << shift;
                if (x < 0x80)
                    return v;
            }
            int last = u8();    // the tenth byte: bit 63 alone
            if (last > 1)
                throw new Malformed("bad varint");
            return v | (long) last << 63;
        }

        private long zigzag() {
            long u = varint();
            return (u >>> 1) ^ -(u & 1);
        }

        /** A count of things of at least least bytes each. */
        private int count(int least) {
            long n = varint();
            if (Long.compareUnsigned(n, (end - pos) / least) > 0)
                throw new Malformed("truncated");
            return (int) n;
        }

        /** A byte count of what follows. */
        private int length() {
            return count(1);
        }

        private long fixed(int n) {
            if (end - pos < n)
                throw new Malformed("truncated");
            long v = 0;
            for (int i = n - 1; i >= 0; i--)
                v = v << 8 | (b[pos + i] & 0xFF);
            pos += n;
            return v;
        }

        private String text() {
            return utf8(length());
        }

        /** n bytes of strict UTF-8 (no overlong forms, no surrogates). */
        private String utf8(int n) {
            int from = pos, i = pos, to = pos + n;
            while (i < to && b[i] >= 0)
                i++;
            pos = to;
            if (i == to)
                return new String(b, from, n, StandardCharsets.ISO_8859_1);
            if (utf8 == null)
                utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            try {
                return utf8.decode(ByteBuffer.wrap(b, from, n)).toString();
            } catch (CharacterCodingException e) {
                throw new Malformed("bad utf-8");
            }
        }
    }

    /** The records of the DATA frames of a buffer of whole frames. */
    public static Iterator<Record> dataRecords(byte[] frames) {
        return new Iterator<Record>() {
            private int pos = skip(0);

            private int skip(int at) {
                while (at < frames.length && frames[at] != DATA)
                    at += FRAME_HEADER + length(at);
                return at;
            }

            private int length(int at) {
                if (frames.length - at < FRAME_HEADER)
                    throw new IllegalArgumentException(
                        "byte " + at + ": truncated frame");
                int len = (frames[at + 1] & 0xFF) | (frames[at + 2] & 0xFF) << 8
                    | (frames[at + 3] & 0xFF) << 16 | (frames[at + 4] & 0xFF) << 24;
                if (len < 0 || len > frames.length - at - FRAME_HEADER)
                    throw new IllegalArgumentException(
                        "byte " + at + ": truncated frame");
                return len;
            }

            @Override
            public boolean hasNext() {
                return pos < frames.length;
            }

            @Override
            public Record next() {
                if (!hasNext())
                    throw new NoSuchElementException();
                int len = length(pos), at = pos + FRAME_HEADER;
                pos = skip(at + len);
                try {
                    return decode(DATA, frames, at, len);
                } catch (Malformed e) {
                    throw new Malformed(
                        "a data frame of the batch: " + e.getMessage());
                }
            }
        };
    }

    // ------------------------------------------------------------ encoding

    /** The canonical payload of r as a frame of kind DATA, ERROR or EVENT. */
    public static byte[] encode(int kind, Record r) {
        return encode(kind, r, null, null);
    }

    /**
     * The same, with stage appended to the stages unless it is the last
     * one already, and error, when not null, instead of r's error-info.
     */
    public static byte[] encode(int kind, Record r, String stage,
            Record.ErrorInfo error) {
        Writer w = new Writer();
        w.header(kind, r, stage, error == null ? r.getError() : error);
        try {
            w.field(r.getValue(), 1);
        } catch (ClassCastException e) {
            throw new EncodeException("a value of the wrong Java type: "
                + e.getMessage());
        }
        return w.toByteArray();
    }

    private static final class Writer {
        private byte[] b = new byte[256];
        private int n;
        private final Map<String, Integer> keys = new HashMap<>();

        byte[] toByteArray() {
            byte[] out = new byte[n];
            System.arraycopy(b, 0, out, 0, n);
            return out;
        }

        void header(int kind, Record r, String stage, Record.ErrorInfo error) {
            List<String> stages = r.getStages();
            boolean add = stage != null && (stages.isEmpty()
                || !stage.equals(stages.get(stages.size() - 1)));
            headerText(r.getId(), "id");
            varint(stages.size() + (add ? 1 : 0));
            for (String s : stages)
                headerText(s, "stage");
            if (add)
                headerText(stage, "stage");
            varint(r.getAttributes().size());
            for (Map.Entry<String, String> e : r.getAttributes().entrySet()) {
                headerText(e.getKey(), "attribute key");
                headerText(e.getValue(), "attribute value");
            }
            if (kind == ERROR) {
                if (error == null)
                    throw new EncodeException("bad record header: no error "
                        + "info for an error record", false);
                headerText(error.code, "error code");
                headerText(error.message, "error message");
                headerText(error.stage, "error stage");
                zigzag(error.timestamp);
            } else if (kind == EVENT) {
                Record.EventInfo event = r.getEvent();
                if (event == null)
                    throw new EncodeException("bad record header: no event "
                        + "info for an event record", false);
                headerText(event.type, "event type");
                varint(event.version);
                zigzag(event.timestamp);
            } else if (kind != DATA) {
                throw new IllegalArgumentException(
                    "frames of kind " + kind + " hold no record");
            }
        }

        private void headerText(String s, String what) {
            if (s == null)
                throw new EncodeException("bad record header: the " + what
                    + " is null", false);
            try {
                text(s);
            } catch (EncodeException e) {
                throw new EncodeException("bad record header: the " + what
                    + " is not valid Unicode (a lone surrogate)", false);
            }
        }

        void field(Field f, int level) {
            if (f == null)
                throw new EncodeException("a null reference, not a Field");
            Field.Type t = f.getType();
            Object v = f.getValue();
            Map<String, String> attributes = f.getAttributes();
            u8(t.code() | (v == null ? NULL_BIT : 0)
                | (attributes.isEmpty() ? 0 : ATTRIBUTES_BIT));
            if (!attributes.isEmpty()) {
                varint(attributes.size());
                for (Map.Entry<String, String> e : attributes.entrySet()) {
                    text(e.getKey());
                    text(e.getValue());
                }
            }
            if (v == null)
                return;
            switch (t) {
            case BOOLEAN:
                u8((Boolean) v ? 1 : 0);
                break;
            case CHAR:
                varint(((String) v).codePointAt(0));
                break;
            case BYTE:
                u8((Byte) v);
                break;
            case SHORT: case INTEGER: case LONG: case DATE: case DATETIME:
                zigzag(((Number) v).longValue());
                break;
            case FLOAT:
                fixed(Float.floatToRawIntBits((Float) v), 4);
                break;
            case DOUBLE:
                fixed(Double.doubleToRawLongBits((Double) v), 8);
                break;
            case DECIMAL: case STRING:
                text((String) v);
                break;
            case TIME:
                varint((Long) v);
                break;
            case ZONED_DATETIME: {
                Zoned z = (Zoned) v;
                zigzag(z.getMicros());
                zigzag(z.getOffsetSeconds());
                text(z.getZone());
                break;
            }
            case BYTE_ARRAY: {
                byte[] bytes = (byte[]) v;
                varint(bytes.length);
                ensure(bytes.length);
                System.arraycopy(bytes, 0, b, n, bytes.length);
                n += bytes.length;
                break;
            }
            case LIST:
                list(f.getList(), level);
                break;
            default:
                map(f.getMap(), level);
                break;
            }
        }

        private void list(List<Field> items, int level) {
            if (level > MAX_DEPTH)
                throw new EncodeException("nesting deeper than " + MAX_DEPTH);
            varint(items.size());
            int i = 0;
            for (Field item : items) {
                try {
                    field(item, level + 1);
                } catch (EncodeException e) {
                    throw e.under(i);
                }
                i++;
            }
        }

        private void map(Map<String, Field> entries, int level) {
            if (level > MAX_DEPTH)
                throw new EncodeException("nesting deeper than " + MAX_DEPTH);
            varint(entries.size());
            for (Map.Entry<String, Field> e : entries.entrySet()) {
                String key = e.getKey();
                if (key == null)
                    throw new EncodeException("a null map key");
                try {
                    key(key);
                    field(e.getValue(), level + 1);
                } catch (EncodeException x) {
                    throw x.under(key);
                }
            }
        }

        private void key(String key) {
            Integer i = keys.get(key);
            if (i != null) {
                varint((long) i << 1 | 1);
                return;
            }
            int len = utf8Length(key);
            keys.put(key, keys.size());
            varint((long) len << 1);
            utf8(key, len);
        }

        private void text(String s) {
            int len = utf8Length(s);
            varint(len);
            utf8(s, len);
        }

        /** The UTF-8 length of s; a lone surrogate cannot be written. */
        private static int utf8Length(String s) {
            int len = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    len++;
                } else if (c < 0x800) {
                    len += 2;
                } else if (!Character.isSurrogate(c)) {
                    len += 3;
                } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1))) {
                    len += 4;
                    i++;
                } else {
                    throw new EncodeException(
                        "text is not valid Unicode (a lone surrogate)");
                }
            }
            return len;
        }

        private void utf8(String s, int len) {
            ensure(len);
            for (int i = 0; i < s.length(); i++) {
                int c = s.charAt(i);
                if (c < 0x80) {
                    b[n++] = (byte) c;
                } else if (c < 0x800) {
                    b[n++] = (byte) (0xC0 | c >> 6);
                    b[n++] = (byte) (0x80 | (c & 0x3F));
                } else if (!Character.isSurrogate((char) c)) {
                    b[n++] = (byte) (0xE0 | c >> 12);
                    b[n++] = (byte) (0x80 | (c >> 6 & 0x3F));
                    b[n++] = (byte) (0x80 | (c & 0x3F));
                } else {
                    c = Character.toCodePoint((char) c, s.charAt(++i));
                    b[n++] = (byte) (0xF0 | c >> 18);
                    b[n++] = (byte) (0x80 | (c >> 12 & 0x3F));
                    b[n++] = (byte) (0x80 | (c >> 6 & 0x3F));
                    b[n++] = (byte) (0x80 | (c & 0x3F));
                }
            }
        }

        private void ensure(int more) {
            if (b.length - n >= more)
                return;
            long want = Math.max((long) b.length * 2, (long) n + more);
            if (want > Integer.MAX_VALUE - 8)
                throw new EncodeException("a record beyond 2 GiB");
            b = java.util.Arrays.copyOf(b, (int) want);
        }

        private void u8(int v) {
            ensure(1);
            b[n++] = (byte) v;
        }

        private void varint(long u) {
            ensure(10);
            while ((u & ~0x7FL) != 0) {
                b[n++] = (byte) (u & 0x7F | 0x80);
                u >>>= 7;
            }
            b[n++] = (byte) u;
        }

        private void zigzag(long v) {
            varint(v << 1 ^ v >> 63);
        }

        private void fixed(long v, int bytes) {
            ensure(bytes);
            for (int i = 0; i < bytes; i++, v >>>= 8)
                b[n++] = (byte) v;
        }
    }

    // ------------------------------------------------------------ frames

    /** The stream header of version 1. */
    public static byte[] streamHeader() {
        return new byte[] { (byte) 0x89, 'S', 'D', 'C', '\r', '\n', 0x1A,
            '\n', 1, 0 };
    }

    /** Whole frames one after another, with their CRC-32C, and a count. */
    public static final class Frames {
        private byte[] b = new byte[4096];
        private int n, count;
        private final CRC32C crc = new CRC32C();

        public void add(int kind, byte[] payload) {
            long want = (long) n + FRAME_HEADER + payload.length;
            if (want > Integer.MAX_VALUE - 8)
                throw new IllegalStateException("frames beyond 2 GiB");
            if (want > b.length)
                b = java.util.Arrays.copyOf(b,
                    (int) Math.min(Integer.MAX_VALUE - 8,
                        Math.max(want, (long) b.length * 2)));
            int len = payload.length, at = n;
            b[n++] = (byte) kind;
            for (int i = 0; i < 4; i++)
                b[n++] = (byte) (len >>> 8 * i);
            crc.reset();
            crc.update(b, at, 5);
            crc.update(payload, 0, len);
            int sum = (int) crc.getValue();
            for (int i = 0; i < 4; i++)
                b[n++] = (byte) (sum >>> 8 * i);
            System.arraycopy(payload, 0, b, n, len);
            n += len;
            count++;
        }

        public int count() {
            return count;
        }

        public int size() {
            return n;
        }

        public byte[] toByteArray() {
            return java.util.Arrays.copyOf(b, n);
        }
    }

    /** A frame of kind and payload, alone. */
    public static byte[] frame(int kind, byte[] payload) {
        Frames f = new Frames();
        f.add(kind, payload);
        return f.toByteArray();
    }
}
