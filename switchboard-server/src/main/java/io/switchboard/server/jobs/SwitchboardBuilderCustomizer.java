package io.switchboard.server.jobs;

import io.switchboard.Switchboard;

/**
 * Adjusts the server's {@link Switchboard} before it is built. Declare one as a bean; every one is applied, in
 * bean order, after the {@link JobHandlerRegistration}s. Feature packages use it to add their schedules.
 */
@FunctionalInterface
public interface SwitchboardBuilderCustomizer {
    /** Adds to or changes {@code builder}. */
    void customize(Switchboard.Builder builder);
}
