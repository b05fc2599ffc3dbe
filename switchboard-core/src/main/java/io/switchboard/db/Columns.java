package io.switchboard.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Reading column values the way every Switchboard table stores them. */
public final class Columns {
    private Columns() {
    }

    /** A {@code timestamptz} column as an {@link Instant}, or {@code null}; independent of any time zone setting. */
    public static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
