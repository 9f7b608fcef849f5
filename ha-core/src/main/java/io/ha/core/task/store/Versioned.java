package io.ha.core.task.store;

/** A value read from a znode together with the node's data version, for a later versioned write. */
public record Versioned<T>(T value, int version) {
}
