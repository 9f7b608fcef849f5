package io.ha.core;

/**
 * A process with credentials refused to start because a node on the path to its cluster (the root path's nodes or
 * the cluster node itself) lets someone other than the credentials' identity change it: a node open to the world,
 * or one created by another identity. The message names the node, the ACL found and the fix ({@code ha-ctl
 * secure}). Nothing was written when it is thrown.
 */
public final class ClusterRootExposedException extends HaException {
    private static final long serialVersionUID = 1L;

    public ClusterRootExposedException(String message) {
        super(message);
    }
}
