package io.ha.core;


/** {@link Schedules#create} found a schedule of that name already defined; it was left as it was. */
public final class ScheduleExistsException extends HaException {
    private static final long serialVersionUID = 1L;

    public ScheduleExistsException(String name) {
        super("schedule '" + name + "' exists");
    }
}
