package io.ha.core.task;

/** A value read from a znode together with the node's data version, for a later versioned write. */
record Versioned<T>(T value, int version) {
}
