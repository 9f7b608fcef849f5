package io.ha.core.session;

/**
 * What a dropped connection means for leadership, locks and running work.
 *
 * <p>{@link #SUSPENDED_IS_LOSS} (the default) is safety first: as soon as the connection drops, this process can no
 * longer prove that it still holds its session, so it gives up leadership and locks at once, before the servers
 * could expire the session and let another process take over. {@link #LOST_ONLY} keeps them through a short
 * disconnect and gives them up only when the session is lost; it avoids needless failovers on a flaky network, at
 * the price of a window in which two processes may both believe they lead (guard side effects with fencing tokens).
 */
public enum ConnectionPolicy {
    SUSPENDED_IS_LOSS,
    LOST_ONLY
}
