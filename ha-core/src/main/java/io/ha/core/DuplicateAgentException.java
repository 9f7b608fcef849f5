package io.ha.core;


/** Another live session already holds this agent id. The message names the id and the holder. */
public final class DuplicateAgentException extends HaException {
    private static final long serialVersionUID = 1L;

    public DuplicateAgentException(String message) {
        super(message);
    }
}
