package io.ha.core;

/** A znode holds bytes that do not decode as what the framework stored there. Names the path. */
public final class CorruptDataException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String path;

    public CorruptDataException(String path, String problem) {
        super("corrupt data at " + path + ": " + problem);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
