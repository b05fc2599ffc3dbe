package io.switchboard.jobs;

import java.util.regex.Pattern;

/** Validation of queue and job-kind names, shared so both give the same clear message. */
final class Names {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:\\-]+");

    private Names() {
    }

    static String requireValid(String what, String name, int maxLength) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(what + " name must not be empty");
        }
        if (name.length() > maxLength) {
            throw new IllegalArgumentException(what + " name must be at most " + maxLength + " characters, was " + name.length());
        }
        if (!VALID.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " name '" + name
                    + "' may only contain letters, digits and . _ : -");
        }
        return name;
    }
}
