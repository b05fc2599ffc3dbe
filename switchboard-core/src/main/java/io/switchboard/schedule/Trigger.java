package io.switchboard.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * When a schedule's slots fall. Slots are deterministic (the same on every instance), which is what lets the
 * database hold each slot to one run: cron slots come from the expression in its time zone; interval slots are
 * the multiples of the interval since the Unix epoch (every 30 s fires at :00 and :30).
 */
public sealed interface Trigger {
    /** The first slot strictly after {@code time}. */
    Instant nextAfter(Instant time);

    /** A stable text form, stored with the schedule; a change of it resets the schedule's next slot. */
    String describe();

    /**
     * A cron trigger: 5 fields (minute hour day-of-month month day-of-week, as in Unix cron) or 6 fields
     * (with seconds first, as in Spring), evaluated in {@code zone} (daylight-saving changes included).
     */
    static Trigger cron(String expression, ZoneId zone) {
        return new Cron(expression, zone);
    }

    /** Every {@code interval} (at least 10 ms), aligned to the Unix epoch. */
    static Trigger every(Duration interval) {
        return new Every(interval);
    }

    /** A cron trigger. */
    record Cron(String expression, ZoneId zone) implements Trigger {
        /** Parses and validates the expression. */
        public Cron {
            Objects.requireNonNull(zone, "zone");
            if (expression == null || expression.isBlank()) {
                throw new IllegalArgumentException("cron expression must not be empty");
            }
            expression = expression.trim().replaceAll("\\s+", " ");
            executionTime(expression);
        }

        private static ExecutionTime executionTime(String expression) {
            int fields = expression.split(" ").length;
            CronType type = switch (fields) {
                case 5 -> CronType.UNIX;
                case 6 -> CronType.SPRING53;
                default -> throw new IllegalArgumentException("cron expression '" + expression
                        + "' must have 5 fields (Unix) or 6 with seconds first, has " + fields);
            };
            try {
                return ExecutionTime.forCron(new CronParser(CronDefinitionBuilder.instanceDefinitionFor(type)).parse(expression));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid cron expression '" + expression + "': " + e.getMessage(), e);
            }
        }

        @Override
        public Instant nextAfter(Instant time) {
            return executionTime(expression).nextExecution(ZonedDateTime.ofInstant(time, zone))
                    .map(ZonedDateTime::toInstant)
                    .orElseThrow(() -> new IllegalStateException("cron expression '" + expression + "' has no next slot"));
        }

        @Override
        public String describe() {
            return "cron:" + expression + "@" + zone.getId();
        }
    }

    /** A fixed-interval trigger. */
    record Every(Duration interval) implements Trigger {
        /** Validates the interval. */
        public Every {
            Objects.requireNonNull(interval, "interval");
            if (interval.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("interval must be at least 10 ms, was " + interval);
            }
        }

        @Override
        public Instant nextAfter(Instant time) {
            long step = interval.toNanos();
            long nanos = time.getEpochSecond() * 1_000_000_000L + time.getNano();
            long next = Math.floorDiv(nanos, step) * step + step;
            return Instant.ofEpochSecond(Math.floorDiv(next, 1_000_000_000L), Math.floorMod(next, 1_000_000_000L));
        }

        @Override
        public String describe() {
            return "every:" + interval;
        }
    }
}
