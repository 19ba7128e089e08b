package sdc.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A record: its header (id, stages, attributes) and its root Field, a MAP
 * for most records.  get, set, has and remove reach the entries of the
 * root map:
 *
 * <pre>
 * long rssi = record.get("rssi").asLong();
 * record.set("strong", rssi &gt; -60);
 * </pre>
 *
 * The records of transform() are data records; the error and event parts
 * of the header are there for the codec, and null in them.
 */
public final class Record implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The error-info of an ERROR frame. */
    public static final class ErrorInfo implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String code, message, stage;
        public final long timestamp;    // milliseconds since the epoch

        public ErrorInfo(String code, String message, String stage,
                long timestamp) {
            this.code = code;
            this.message = message;
            this.stage = stage;
            this.timestamp = timestamp;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof ErrorInfo))
                return false;
            ErrorInfo e = (ErrorInfo) o;
            return Objects.equals(code, e.code)
                && Objects.equals(message, e.message)
                && Objects.equals(stage, e.stage) && timestamp == e.timestamp;
        }

        @Override
        public int hashCode() {
            return Objects.hash(code, message, stage, timestamp);
        }
    }

    /** The event-info of an EVENT frame. */
    public static final class EventInfo implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String type;
        public final long version;      // unsigned
        public final long timestamp;

        public EventInfo(String type, long version, long timestamp) {
            this.type = type;
            this.version = version;
            this.timestamp = timestamp;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof EventInfo))
                return false;
            EventInfo e = (EventInfo) o;
            return Objects.equals(type, e.type) && version == e.version
                && timestamp == e.timestamp;
        }

        @Override
        public int hashCode() {
            return Objects.hash(type, version, timestamp);
        }
    }

    private String id = "";
    private final List<String> stages;
    private final Map<String, String> attributes;
    private Field value;
    private ErrorInfo error;
    private EventInfo event;

    /** A record whose root is an empty MAP. */
    public Record() {
        this(Field.map());
    }

    public Record(Field value) {
        this("", new ArrayList<>(), new LinkedHashMap<>(), value);
    }

    Record(String id, List<String> stages, Map<String, String> attributes,
            Field value) {
        this.id = id;
        this.stages = stages;
        this.attributes = attributes;
        this.value = value;
    }

    /** A record whose root is the MAP of these values (see Field.from). */
    public static Record of(Map<String, ?> values) {
        return new Record(Field.from(values));
    }

    public String getId() {
        return id;
    }

    public Record setId(String id) {
        this.id = id == null ? "" : id;
        return this;
    }

    /** The programs it went through, in order; change it in place. */
    public List<String> getStages() {
        return stages;
    }

    /** The header attributes; change them in place. */
    public Map<String, String> getAttributes() {
        return attributes;
    }

    /** The root field. */
    public Field getValue() {
        return value;
    }

    public Record setValue(Field value) {
        this.value = value == null ? Field.nullOf(Field.Type.MAP) : value;
        return this;
    }

    public ErrorInfo getError() {
        return error;
    }

    public EventInfo getEvent() {
        return event;
    }

    Record setError(ErrorInfo error) {
        this.error = error;
        return this;
    }

    Record setEvent(EventInfo event) {
        this.event = event;
        return this;
    }

    // ------------------------------------------------------------ the root map

    /** The entries of the root map; IllegalStateException if it is none. */
    public Map<String, Field> fields() {
        Map<String, Field> m = rootMap();
        if (m == null)
            throw new IllegalStateException(
                "the root of this record is not a map: " + value.getType());
        return m;
    }

    /** The field under key in the root map, or null when there is none. */
    public Field get(String key) {
        Map<String, Field> m = rootMap();
        return m == null ? null : m.get(key);
    }

    public boolean has(String key) {
        Map<String, Field> m = rootMap();
        return m != null && m.containsKey(key);
    }

    public Record set(String key, Field f) {
        fields().put(key, f == null ? Field.nullOf(Field.Type.STRING) : f);
        return this;
    }

    /** Set key to the field of a plain Java value (see Field.from). */
    public Record set(String key, Object v) {
        return set(key, Field.from(v));
    }

    public Field remove(String key) {
        return fields().remove(key);
    }

    private Map<String, Field> rootMap() {
        Field.Type t = value.getType();
        return (t == Field.Type.MAP || t == Field.Type.LIST_MAP)
            && !value.isNull() ? value.getMap() : null;
    }

    /** A copy whose header and containers can change apart from this one. */
    public Record copy() {
        return new Record(id, new ArrayList<>(stages),
            new LinkedHashMap<>(attributes), value.copy())
            .setError(error).setEvent(event);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Record))
            return false;
        Record r = (Record) o;
        return id.equals(r.id) && stages.equals(r.stages)
            && attributes.equals(r.attributes) && value.equals(r.value)
            && Objects.equals(error, r.error) && Objects.equals(event, r.event);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, stages, attributes, value);
    }

    @Override
    public String toString() {
        return "Record(" + value + (id.isEmpty() ? "" : ", id=" + id) + ")";
    }
}
