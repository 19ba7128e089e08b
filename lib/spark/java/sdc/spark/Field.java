package sdc.spark;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A typed value of a record: one of the 18 types of sdc-record(5) and its
 * Java value, or a null that keeps its type.
 *
 * <pre>
 * BOOLEAN Boolean        CHAR String of one code point (U+1F600 too)
 * BYTE Byte              SHORT Short            INTEGER Integer
 * LONG Long              FLOAT Float            DOUBLE Double
 * DECIMAL String, its text as written: getDecimal() is the BigDecimal
 * DATE Long days since 1970-01-01: getDate() is the LocalDate
 * DATETIME Long microseconds since the epoch: getDateTime() the Instant
 * TIME Long microseconds since midnight: getTime() the LocalTime
 * ZONED_DATETIME Zoned   STRING String          BYTE_ARRAY byte[]
 * LIST List&lt;Field&gt;      MAP, LIST_MAP LinkedHashMap&lt;String, Field&gt;
 * </pre>
 *
 * The dates, times and decimals keep the numbers and text of the wire
 * format, so that every value, even one java.time or BigDecimal cannot
 * hold, goes back out as it came in.  A Field is immutable but for its
 * list or map, which is the live container: change it in place.  The
 * getters give null for a null field and throw IllegalStateException
 * for a field of another type.  A field may carry attributes, string
 * pairs such as the "precision" and "scale" of a DECIMAL read from Avro:
 * withAttributes gives a copy that has them.
 */
public final class Field implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The field types of sdc-record(5), in the order of their codes. */
    public enum Type {
        BOOLEAN, CHAR, BYTE, SHORT, INTEGER, LONG, FLOAT, DOUBLE, DECIMAL,
        DATE, DATETIME, TIME, ZONED_DATETIME, STRING, BYTE_ARRAY, LIST,
        MAP, LIST_MAP;

        private static final Type[] BY_CODE = values();

        /** The type code of the wire format, 1 to 18. */
        public int code() {
            return ordinal() + 1;
        }

        /** The type of a code 1 to 18. */
        public static Type of(int code) {
            if (code < 1 || code > BY_CODE.length)
                throw new IllegalArgumentException("no field type " + code);
            return BY_CODE[code - 1];
        }
    }

    static final long US_PER_DAY = 86_400_000_000L;
    static final int MAX_OFFSET = 18 * 3600;
    private static final Field[] NULLS = new Field[Type.values().length];

    static {
        for (Type t : Type.values())
            NULLS[t.ordinal()] = new Field(t, null);
    }

    private final Type type;
    private final Object value;
    private final Map<String, String> attributes;

    /** Used by the codec, which has checked the value already. */
    Field(Type type, Object value) {
        this(type, value, Collections.emptyMap());
    }

    private Field(Type type, Object value, Map<String, String> attributes) {
        this.type = type;
        this.value = value;
        this.attributes = attributes;
    }

    /** This field's attributes, in their order; empty when none. */
    public Map<String, String> getAttributes() {
        return attributes;
    }

    /** The attribute key, or null. */
    public String getAttribute(String key) {
        return attributes.get(key);
    }

    /** This field (the same value, shared) with exactly these attributes. */
    public Field withAttributes(Map<String, String> attributes) {
        LinkedHashMap<String, String> copy = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (e.getKey() == null || e.getValue() == null)
                throw new IllegalArgumentException(
                    "a null field attribute key or value");
            copy.put(e.getKey(), e.getValue());
        }
        return new Field(type, value, copy.isEmpty() ? Collections.emptyMap()
            : Collections.unmodifiableMap(copy));
    }

    // ------------------------------------------------------------ making

    public static Field nullOf(Type type) {
        return NULLS[type.ordinal()];
    }

    public static Field of(boolean v) {
        return new Field(Type.BOOLEAN, v);
    }

    /** A CHAR; a lone surrogate is no character. */
    public static Field of(char v) {
        return ofCodePoint(v);
    }

    public static Field ofCodePoint(int codePoint) {
        if (!Character.isValidCodePoint(codePoint)
                || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
            throw new IllegalArgumentException(
                "not a Unicode scalar value: " + codePoint);
        return new Field(Type.CHAR, new String(Character.toChars(codePoint)));
    }

    public static Field of(byte v) {
        return new Field(Type.BYTE, v);
    }

    public static Field of(short v) {
        return new Field(Type.SHORT, v);
    }

    public static Field of(int v) {
        return new Field(Type.INTEGER, v);
    }

    public static Field of(long v) {
        return new Field(Type.LONG, v);
    }

    public static Field of(float v) {
        return new Field(Type.FLOAT, v);
    }

    public static Field of(double v) {
        return new Field(Type.DOUBLE, v);
    }

    /** A DECIMAL of v's text, as BigDecimal.toString() writes it. */
    public static Field of(BigDecimal v) {
        return v == null ? nullOf(Type.DECIMAL)
            : new Field(Type.DECIMAL, v.toString());
    }

    /** A DECIMAL kept as written: "1.50", "-0", "1e10". */
    public static Field decimal(String text) {
        if (!isDecimal(text))
            throw new IllegalArgumentException("not a decimal: " + text);
        return new Field(Type.DECIMAL, text);
    }

    public static Field of(LocalDate v) {
        return v == null ? nullOf(Type.DATE) : date(v.toEpochDay());
    }

    public static Field date(long daysSinceEpoch) {
        return new Field(Type.DATE, daysSinceEpoch);
    }

    /** A DATETIME; what is below the microsecond is dropped. */
    public static Field of(Instant v) {
        return v == null ? nullOf(Type.DATETIME) : dateTime(micros(v));
    }

    public static Field dateTime(long microsSinceEpoch) {
        return new Field(Type.DATETIME, microsSinceEpoch);
    }

    /** A TIME; what is below the microsecond is dropped. */
    public static Field of(LocalTime v) {
        return v == null ? nullOf(Type.TIME) : time(v.toNanoOfDay() / 1000);
    }

    public static Field time(long microsOfDay) {
        if (microsOfDay < 0 || microsOfDay >= US_PER_DAY)
            throw new IllegalArgumentException(
                "time of day out of range: " + microsOfDay);
        return new Field(Type.TIME, microsOfDay);
    }

    public static Field of(Zoned v) {
        return v == null ? nullOf(Type.ZONED_DATETIME)
            : new Field(Type.ZONED_DATETIME, v);
    }

    public static Field of(ZonedDateTime v) {
        return v == null ? nullOf(Type.ZONED_DATETIME) : of(Zoned.of(v));
    }

    public static Field of(OffsetDateTime v) {
        return v == null ? nullOf(Type.ZONED_DATETIME) : of(Zoned.of(v));
    }

    public static Field of(String v) {
        return v == null ? nullOf(Type.STRING) : new Field(Type.STRING, v);
    }

    /** A BYTE_ARRAY of v itself, not a copy. */
    public static Field of(byte[] v) {
        return v == null ? nullOf(Type.BYTE_ARRAY)
            : new Field(Type.BYTE_ARRAY, v);
    }

    /** A LIST of these items (the list itself, when it is an ArrayList). */
    public static Field of(List<Field> items) {
        if (items == null)
            return nullOf(Type.LIST);
        return new Field(Type.LIST, items instanceof ArrayList
            ? items : new ArrayList<>(items));
    }

    public static Field of(Field... items) {
        return of(new ArrayList<>(Arrays.asList(items)));
    }

    /** A MAP of these entries (the map itself when a LinkedHashMap). */
    public static Field of(Map<String, Field> entries) {
        return container(Type.MAP, entries);
    }

    /** A LIST_MAP: a map whose order is meaningful. */
    public static Field listMap(Map<String, Field> entries) {
        return container(Type.LIST_MAP, entries);
    }

    /** An empty MAP. */
    public static Field map() {
        return new Field(Type.MAP, new LinkedHashMap<String, Field>());
    }

    private static Field container(Type type, Map<String, Field> entries) {
        if (entries == null)
            return nullOf(type);
        return new Field(type, entries instanceof LinkedHashMap
            ? entries : new LinkedHashMap<>(entries));
    }

    /**
     * The field of a plain Java value: a Field as it is, null as a STRING
     * null, Boolean, Character, Byte, Short, Integer, Long, Float,
     * Double, BigDecimal, LocalDate, Instant, LocalTime, Zoned,
     * ZonedDateTime, OffsetDateTime, String, byte[], a List or a Map
     * with String keys (a MAP) of any of these.
     */
    public static Field from(Object v) {
        if (v == null)
            return nullOf(Type.STRING);
        if (v instanceof Field)
            return (Field) v;
        if (v instanceof String)
            return new Field(Type.STRING, v);
        if (v instanceof Long)
            return new Field(Type.LONG, v);
        if (v instanceof Integer)
            return new Field(Type.INTEGER, v);
        if (v instanceof Double)
            return new Field(Type.DOUBLE, v);
        if (v instanceof Boolean)
            return new Field(Type.BOOLEAN, v);
        if (v instanceof Short)
            return new Field(Type.SHORT, v);
        if (v instanceof Byte)
            return new Field(Type.BYTE, v);
        if (v instanceof Float)
            return new Field(Type.FLOAT, v);
        if (v instanceof Character)
            return of((char) (Character) v);
        if (v instanceof BigDecimal)
            return of((BigDecimal) v);
        if (v instanceof LocalDate)
            return of((LocalDate) v);
        if (v instanceof Instant)
            return of((Instant) v);
        if (v instanceof LocalTime)
            return of((LocalTime) v);
        if (v instanceof Zoned)
            return of((Zoned) v);
        if (v instanceof ZonedDateTime)
            return of((ZonedDateTime) v);
        if (v instanceof OffsetDateTime)
            return of((OffsetDateTime) v);
        if (v instanceof byte[])
            return of((byte[]) v);
        if (v instanceof List) {
            List<Field> items = new ArrayList<>();
            for (Object item : (List<?>) v)
                items.add(from(item));
            return new Field(Type.LIST, items);
        }
        if (v instanceof Map) {
            LinkedHashMap<String, Field> entries = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!(e.getKey() instanceof String))
                    throw new IllegalArgumentException(
                        "map key is not a String: " + e.getKey());
                entries.put((String) e.getKey(), from(e.getValue()));
            }
            return new Field(Type.MAP, entries);
        }
        throw new IllegalArgumentException(
            "no field type for a " + v.getClass().getName());
    }

    // ------------------------------------------------------------ reading

    public Type getType() {
        return type;
    }

    public boolean isNull() {
        return value == null;
    }

    /** The Java value (see the class comment); null for a null field. */
    public Object getValue() {
        return value;
    }

    public Boolean getBoolean() {
        return (Boolean) is(Type.BOOLEAN);
    }

    /** A CHAR as a String of its one code point. */
    public String getChar() {
        return (String) is(Type.CHAR);
    }

    public Integer getCodePoint() {
        String s = (String) is(Type.CHAR);
        return s == null ? null : s.codePointAt(0);
    }

    public Byte getByte() {
        return (Byte) is(Type.BYTE);
    }

    public Short getShort() {
        return (Short) is(Type.SHORT);
    }

    public Integer getInteger() {
        return (Integer) is(Type.INTEGER);
    }

    public Long getLong() {
        return (Long) is(Type.LONG);
    }

    public Float getFloat() {
        return (Float) is(Type.FLOAT);
    }

    public Double getDouble() {
        return (Double) is(Type.DOUBLE);
    }

    /** A DECIMAL's value; NumberFormatException for an exponent beyond
     *  what BigDecimal holds (the text still goes out as it came). */
    public BigDecimal getDecimal() {
        String text = (String) is(Type.DECIMAL);
        return text == null ? null : new BigDecimal(text);
    }

    public String getDecimalText() {
        return (String) is(Type.DECIMAL);
    }

    public Long getDays() {
        return (Long) is(Type.DATE);
    }

    /** A DATE as a LocalDate; DateTimeException beyond its years. */
    public LocalDate getDate() {
        Long days = (Long) is(Type.DATE);
        return days == null ? null : LocalDate.ofEpochDay(days);
    }

    /** Microseconds of a DATETIME or TIME. */
    public Long getMicros() {
        if (type != Type.TIME)
            is(Type.DATETIME);
        return (Long) value;
    }

    public Instant getDateTime() {
        Long us = (Long) is(Type.DATETIME);
        return us == null ? null : instant(us);
    }

    public LocalTime getTime() {
        Long us = (Long) is(Type.TIME);
        return us == null ? null : LocalTime.ofNanoOfDay(us * 1000);
    }

    public Zoned getZoned() {
        return (Zoned) is(Type.ZONED_DATETIME);
    }

    public String getString() {
        return (String) is(Type.STRING);
    }

    public byte[] getBytes() {
        return (byte[]) is(Type.BYTE_ARRAY);
    }

    @SuppressWarnings("unchecked")
    public List<Field> getList() {
        return (List<Field>) is(Type.LIST);
    }

    /** The entries of a MAP or a LIST_MAP. */
    @SuppressWarnings("unchecked")
    public Map<String, Field> getMap() {
        if (type != Type.LIST_MAP)
            is(Type.MAP);
        return (Map<String, Field>) value;
    }

    /** BYTE, SHORT, INTEGER or LONG as a long; null for a null. */
    public Long asLong() {
        switch (type) {
        case BYTE: case SHORT: case INTEGER: case LONG:
            return value == null ? null : ((Number) value).longValue();
        default:
            throw wrongType("an integer");
        }
    }

    /** Any number (DECIMAL too) as a double; null for a null. */
    public Double asDouble() {
        switch (type) {
        case BYTE: case SHORT: case INTEGER: case LONG: case FLOAT:
        case DOUBLE:
            return value == null ? null : ((Number) value).doubleValue();
        case DECIMAL:
            return value == null ? null : getDecimal().doubleValue();
        default:
            throw wrongType("a number");
        }
    }

    private Object is(Type want) {
        if (type != want)
            throw wrongType(want.toString());
        return value;
    }

    private IllegalStateException wrongType(String want) {
        return new IllegalStateException(
            "the field is " + type + ", not " + want);
    }

    // ------------------------------------------------------------ helpers

    static Instant instant(long us) {
        return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L),
            Math.floorMod(us, 1_000_000L) * 1000);
    }

    static long micros(Instant t) {
        try {
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(),
                1_000_000L), t.getNano() / 1000);
        } catch (ArithmeticException e) {
            throw new DateTimeException("beyond the microseconds of 64 bits: "
                + t);
        }
    }

    /** The DECIMAL syntax: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
    static boolean isDecimal(CharSequence s) {
        int n = s == null ? 0 : s.length(), i = 0;
        if (i < n && s.charAt(i) == '-')
            i++;
        if (i < n && s.charAt(i) == '0')
            i++;
        else if (i < n && s.charAt(i) >= '1' && s.charAt(i) <= '9')
            i = digits(s, i);
        else
            return false;
        if (i < n && s.charAt(i) == '.') {
            int from = i + 1;
            if ((i = digits(s, from)) == from)
                return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-'))
                i++;
            int from = i;
            if ((i = digits(s, from)) == from)
                return false;
        }
        return i == n;
    }

    private static int digits(CharSequence s, int i) {
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9')
            i++;
        return i;
    }

    /** A deep copy: its containers are new, its scalars shared. */
    public Field copy() {
        if (value == null)
            return this;
        switch (type) {
        case LIST: {
            List<Field> items = new ArrayList<>();
            for (Field f : getList())
                items.add(f == null ? null : f.copy());
            return new Field(type, items, attributes);
        }
        case MAP: case LIST_MAP: {
            LinkedHashMap<String, Field> entries = new LinkedHashMap<>();
            for (Map.Entry<String, Field> e : getMap().entrySet())
                entries.put(e.getKey(),
                    e.getValue() == null ? null : e.getValue().copy());
            return new Field(type, entries, attributes);
        }
        case BYTE_ARRAY:
            return new Field(type, getBytes().clone(), attributes);
        default:
            return this;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Field))
            return false;
        Field f = (Field) o;
        if (type != f.type || !attributes.equals(f.attributes))
            return false;
        if (value instanceof byte[] && f.value instanceof byte[])
            return Arrays.equals((byte[]) value, (byte[]) f.value);
        return Objects.equals(value, f.value);
    }

    @Override
    public int hashCode() {
        return (type.hashCode() * 31 + (value instanceof byte[]
            ? Arrays.hashCode((byte[]) value) : Objects.hashCode(value)))
            * 31 + attributes.hashCode();
    }

    /** As "LONG 5", "STRING x", "MAP {a=LONG 1}"; "STRING null". */
    @Override
    public String toString() {
        String v;
        if (value == null)
            v = "null";
        else if (type == Type.BYTE_ARRAY)
            v = Arrays.toString((byte[]) value);
        else if (type == Type.DATE)
            v = dateText((Long) value);
        else if (type == Type.DATETIME)
            v = instant((Long) value).toString();
        else if (type == Type.TIME)
            v = getTime().toString();
        else
            v = value.toString();
        return type + " " + v + (attributes.isEmpty() ? "" : " " + attributes);
    }

    private static String dateText(long days) {
        try {
            return LocalDate.ofEpochDay(days).toString();
        } catch (DateTimeException e) {
            return days + " days";
        }
    }
}
