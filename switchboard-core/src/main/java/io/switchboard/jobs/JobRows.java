package io.switchboard.jobs;

import static io.switchboard.db.Columns.instant;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** Maps result rows of {@link JobSql#SELECT_COLUMNS} to {@link Job}s. */
final class JobRows {
    private static final TypeReference<List<Map<String, Object>>> ERRORS = new TypeReference<>() {
    };

    private final JsonMapper json;

    JobRows(JsonMapper json) {
        this.json = json;
    }

    Job map(ResultSet rs) throws SQLException {
        List<AttemptError> errors = json.readValue(rs.getString(13), ERRORS).stream()
                .map(e -> new AttemptError(((Number) e.get("attempt")).intValue(),
                        OffsetDateTime.parse((String) e.get("at")).toInstant(),
                        (String) e.get("error"), (String) e.get("worker")))
                .toList();
        return new Job(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                JobState.fromDb(rs.getString(5)), rs.getInt(6), rs.getInt(7), rs.getInt(8), instant(rs, 9),
                rs.getString(10), rs.getString(11), rs.getBoolean(12), errors, instant(rs, 14), instant(rs, 15),
                instant(rs, 16));
    }

}
