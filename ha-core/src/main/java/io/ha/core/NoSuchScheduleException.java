package io.ha.core;


/** No schedule has this name (never defined, or removed). Names the schedule. */
public final class NoSuchScheduleException extends HaException {
    private static final long serialVersionUID = 1L;

    public NoSuchScheduleException(String name) {
        super("no schedule named '" + name + "'");
    }
}
