package io.ha.core;

/** No group has this id (never submitted, not a group id, or its nodes were pruned). Names the id. */
public final class NoSuchGroupException extends HaException {
    private static final long serialVersionUID = 1L;

    public NoSuchGroupException(String groupId) {
        super("no task group with id '" + groupId + "'");
    }
}
