package io.ha.core;


/** No task has this id (never submitted, or its terminal record was pruned). Names the id. */
public final class NoSuchTaskException extends HaException {
    private static final long serialVersionUID = 1L;

    public NoSuchTaskException(String taskId) {
        super("no task with id '" + taskId + "'");
    }
}
