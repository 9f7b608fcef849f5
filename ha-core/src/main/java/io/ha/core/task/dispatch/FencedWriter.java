package io.ha.core.task.dispatch;

import io.ha.core.HaException;
import io.ha.core.internal.EpochCodec;
import io.ha.core.internal.GroupCommit;
import io.ha.core.leader.LeaderContext;
import io.ha.core.task.store.TaskStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a dispatcher term writes: every transaction starts with a check of the {@code /epoch} version the term
 * saw when it began ({@link #begin}), and every refusal is examined here, in one place, for the sign that the term
 * was deposed (that check failed), which ends the term with an {@link HaException}.
 *
 * <p>Guarantees: a write of this term applies only while no later leader has bumped {@code /epoch}, and a term that
 * learns its epoch check failed does not go on writing. Not guaranteed: that a deposed term notices at once; it finds
 * out from the answer to its first transaction after the epoch changed (every one it sends meanwhile is refused as a
 * whole, so none applies). A transaction from {@link #begin} committed elsewhere (the dead-lettering of a corrupt
 * record by {@link TaskStore}) is fenced all the same, but its refusal is not examined here.
 */
final class FencedWriter {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final TaskStore store;
    private final long epoch;
    private final int epochVersion;
    private final TermEvents events;

    private FencedWriter(TaskStore store, long epoch, int epochVersion, TermEvents events) {
        this.store = store;
        this.epoch = epoch;
        this.epochVersion = epochVersion;
        this.events = events;
    }

    /**
     * The writer of the term of {@code ctx}, fenced by the current version of {@code /epoch}; null when the epoch
     * has already moved on (a later leader was elected before this term started: it must stand down).
     */
    static FencedWriter forTerm(TaskStore store, LeaderContext ctx, TermEvents events) throws Exception {
        Stat stat = new Stat();
        String path = store.paths().epoch();
        long current = EpochCodec.decode(path, store.client().getData().storingStatIn(stat).forPath(path));
        if (current != ctx.epoch()) {
            LOG.warn("epoch moved on to {} before dispatcher of epoch {} started; standing down", current,
                    ctx.epoch());
            return null;
        }
        return new FencedWriter(store, ctx.epoch(), stat.getVersion(), events);
    }

    long epoch() {
        return epoch;
    }

    /** A new transaction holding the epoch check; room for {@code more} operations after it. */
    List<CuratorOp> begin(int more) throws Exception {
        List<CuratorOp> ops = new ArrayList<>(more + 1);
        ops.add(store.epochCheck(epochVersion));
        return ops;
    }

    /**
     * Commits a transaction from {@link #begin} and waits.
     *
     * @return {@code OK}, or the code of the refusal (a check other than the epoch's failed)
     * @throws HaException when the epoch check refused it
     */
    KeeperException.Code commit(List<CuratorOp> ops) throws Exception {
        return commitNaming(ops).code();
    }

    /** What refused a transaction: the code, and the path of the refused operation (null when applied or unknown). */
    record Refusal(KeeperException.Code code, String path) {
    }

    /** {@link #commit}, also naming the refused operation's path (a caller tells a group conflict from a loss). */
    Refusal commitNaming(List<CuratorOp> ops) throws Exception {
        try {
            store.commit(ops);
            return new Refusal(KeeperException.Code.OK, null);
        } catch (KeeperException e) {
            int failed = failedOperation(e);
            return new Refusal(e.code(), failed < 0 ? null : ops.get(failed).get().getPath());
        }
    }

    /** {@link #commit} for a clean-up nobody waits on: a refusal is only logged, with {@code what} was refused. */
    void commitOrSkip(List<CuratorOp> ops, String what) throws Exception {
        KeeperException.Code code = commit(ops);
        if (code != KeeperException.Code.OK) {
            LOG.debug("{} not applied: {}", what, code);
        }
    }

    /**
     * Sends a transaction from {@link #begin} without waiting; {@code then} gets the answer on the term's thread, and
     * not at all once the term is over.
     */
    void commitInBackground(List<CuratorOp> ops, Consumer<CuratorEvent> then) throws Exception {
        store.client().transaction().inBackground((client, event) -> events.post(() -> then.accept(event)))
                .forOperations(ops);
    }

    /**
     * The index of the operation that made a refused transaction fail, or -1 when the results do not say (the
     * connection failed).
     *
     * @throws HaException when it was the epoch check: the term was deposed
     */
    int failedOperation(KeeperException refused) {
        int failed = GroupCommit.failedOperation(refused);
        checkNotDeposed(failed,
                failed < 0 ? 0 : ((OpResult.ErrorResult) refused.getResults().get(failed)).getErr());
        return failed;
    }

    /** {@link #failedOperation(KeeperException)} for the results a background callback gets (null without any). */
    int failedOperation(List<CuratorTransactionResult> results) {
        int failed = -1;
        for (int i = 0; results != null && i < results.size(); i++) {
            int err = results.get(i).getError();
            // Operations after the failed one report RUNTIMEINCONSISTENCY ("not tried"), not a failure of their own.
            if (err != 0 && err != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                failed = i;
                break;
            }
        }
        checkNotDeposed(failed, failed < 0 ? 0 : results.get(failed).getError());
        return failed;
    }

    private void checkNotDeposed(int failedOp, int err) {
        // The epoch check is always the first operation (begin), and only a later leader changes /epoch's version.
        if (failedOp == 0 && err == KeeperException.Code.BADVERSION.intValue()) {
            throw new HaException("dispatcher of epoch " + epoch + " was deposed: /epoch changed");
        }
    }
}
