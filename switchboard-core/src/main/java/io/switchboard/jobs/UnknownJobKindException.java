package io.switchboard.jobs;

/** A job kind that was neither declared nor given a handler on this {@code Switchboard}. */
public class UnknownJobKindException extends IllegalArgumentException {
    /** An exception naming the unknown kind. */
    public UnknownJobKindException(String kind) {
        super("unknown job kind '" + kind + "': declare it or register a handler for it before enqueueing");
    }
}
