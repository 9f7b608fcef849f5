package io.ha.core;

/**
 * Validates the user-chosen names that become znode path segments (cluster, agent and lock names). Every failure
 * names the field and the offending value, so the error can be shown to an operator as it is.
 */
public final class Names {
    /** Longest accepted name; keeps paths far below ZooKeeper's limits and readable in logs. */
    public static final int MAX_LENGTH = 200;

    private Names() {
    }

    /**
     * @param field what the name is for, as the user knows it ("cluster name", "agent id", "lock name")
     * @return the name itself
     * @throws IllegalArgumentException naming the field, the value and the rule it breaks
     */
    public static String validate(String field, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(field + " is " + name.length() + " characters long; at most "
                    + MAX_LENGTH + " are allowed");
        }
        if (name.equals(".") || name.equals("..") || name.equals("zookeeper")) {
            throw new IllegalArgumentException(field + " '" + name + "' is reserved");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/') {
                throw new IllegalArgumentException(field + " '" + printable(name) + "' must not contain '/'");
            }
            if (Character.isISOControl(c) || (c >= '\ud800' && c <= '\uf8ff') || c == '\ufff0' || c == '\uffff') {
                throw new IllegalArgumentException(field + " '" + printable(name)
                        + "' contains a control or unprintable character at position " + i);
            }
        }
        return name;
    }

    /** {@code name} made safe to embed in a Guava {@code ThreadFactoryBuilder} name format (escapes '%'). */
    public static String forThreadName(String name) {
        return name.replace("%", "%%");
    }

    private static String printable(String name) {
        StringBuilder out = new StringBuilder();
        name.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
