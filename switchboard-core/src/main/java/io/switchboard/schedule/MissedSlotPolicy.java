package io.switchboard.schedule;

/**
 * What happens to slots that passed while no instance could fire them (all down, database down, paused
 * instances) and are later than the schedule's grace period.
 *
 * @param mode    skip them, run once for the latest, or catch up
 * @param maxRuns for {@link Mode#CATCH_UP}: at most this many of the latest missed slots run (1 to 1000)
 */
public record MissedSlotPolicy(Mode mode, int maxRuns) {
    /** How missed slots are treated. */
    public enum Mode {
        /** Missed slots are recorded as skipped; the schedule goes on with the next slot. */
        SKIP,
        /** One run, for the latest missed slot; the others are recorded as skipped. */
        RUN_ONCE,
        /** A run for each of the latest {@code maxRuns} missed slots, oldest first; older ones skipped. */
        CATCH_UP
    }

    /** Skip missed slots (the default). */
    public static final MissedSlotPolicy SKIP = new MissedSlotPolicy(Mode.SKIP, 0);
    /** Run once for the latest missed slot. */
    public static final MissedSlotPolicy RUN_ONCE = new MissedSlotPolicy(Mode.RUN_ONCE, 1);

    /** Validates the bound. */
    public MissedSlotPolicy {
        if (mode == Mode.CATCH_UP && (maxRuns < 1 || maxRuns > 1000)) {
            throw new IllegalArgumentException("catch-up must run between 1 and 1000 missed slots, was " + maxRuns);
        }
    }

    /** Run each of the latest {@code maxRuns} missed slots. */
    public static MissedSlotPolicy catchUp(int maxRuns) {
        return new MissedSlotPolicy(Mode.CATCH_UP, maxRuns);
    }
}
