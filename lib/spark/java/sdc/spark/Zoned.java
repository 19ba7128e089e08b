package sdc.spark;

import java.io.Serializable;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * The value of a ZONED_DATETIME as the wire format holds it: an instant in
 * microseconds since the epoch, the offset of the local time in seconds
 * (local = UTC + offset, at most 18 hours either way) and an IANA zone id,
 * maybe empty.  A zone id that Java does not know, or an offset that its
 * rules do not give at that instant, is kept as it is.
 */
public final class Zoned implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long micros;
    private final int offsetSeconds;
    private final String zone;

    public Zoned(long micros, int offsetSeconds, String zone) {
        if (offsetSeconds < -Field.MAX_OFFSET
                || offsetSeconds > Field.MAX_OFFSET)
            throw new IllegalArgumentException(
                "zone offset out of range: " + offsetSeconds);
        this.micros = micros;
        this.offsetSeconds = offsetSeconds;
        this.zone = zone == null ? "" : zone;
    }

    /** The instant, offset and zone id of t; below microseconds dropped. */
    public static Zoned of(ZonedDateTime t) {
        String zone = t.getZone() instanceof ZoneOffset ? ""
            : t.getZone().getId();
        return new Zoned(Field.micros(t.toInstant()),
            t.getOffset().getTotalSeconds(), zone);
    }

    public static Zoned of(OffsetDateTime t) {
        return new Zoned(Field.micros(t.toInstant()),
            t.getOffset().getTotalSeconds(), "");
    }

    public long getMicros() {
        return micros;
    }

    public int getOffsetSeconds() {
        return offsetSeconds;
    }

    /** The IANA zone id, or "". */
    public String getZone() {
        return zone;
    }

    public Instant toInstant() {
        return Field.instant(micros);
    }

    public OffsetDateTime toOffsetDateTime() {
        return toInstant().atOffset(ZoneOffset.ofTotalSeconds(offsetSeconds));
    }

    /**
     * In its zone when Java knows the zone and its rules give this
     * offset at this instant, else at the fixed offset.
     */
    public ZonedDateTime toZonedDateTime() {
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(offsetSeconds);
        if (!zone.isEmpty()) {
            try {
                ZoneId id = ZoneId.of(zone);
                if (id.getRules().getOffset(toInstant()).equals(offset))
                    return toInstant().atZone(id);
            } catch (DateTimeException e) {
                // an id Java does not know: the fixed offset below
            }
        }
        return toInstant().atZone(offset);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Zoned))
            return false;
        Zoned z = (Zoned) o;
        return micros == z.micros && offsetSeconds == z.offsetSeconds
            && zone.equals(z.zone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(micros, offsetSeconds, zone);
    }

    @Override
    public String toString() {
        String local;
        try {
            local = toOffsetDateTime().toString();
        } catch (DateTimeException e) {
            local = micros + " us" + (offsetSeconds >= 0 ? "+" : "")
                + offsetSeconds + " s";
        }
        return zone.isEmpty() ? local : local + "[" + zone + "]";
    }
}
