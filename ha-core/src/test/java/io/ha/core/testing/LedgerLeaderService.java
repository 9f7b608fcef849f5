package io.ha.core.testing;

import io.ha.core.leader.LeaderService;
import io.ha.testkit.check.LeaderLedger;

/**
 * A leader service, shared by several members, that feeds each of its terms of leader-only work into a
 * {@link LeaderLedger} ({@link LeaderLedger#begin}: {@link System#nanoTime()} of this JVM, so members of one test are
 * directly comparable). A term is open while the service runs and ends when its thread is interrupted.
 */
public final class LedgerLeaderService {
    private LedgerLeaderService() {
    }

    /** The service to register on each member; its terms go to {@code ledger}. */
    public static LeaderService recordingInto(LeaderLedger ledger) {
        return ctx -> {
            LeaderLedger.Interval term = ledger.begin(ctx.agentId(), ctx.epoch());
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                // Leadership ended: the term ends below and the service returns until the next term.
                Thread.currentThread().interrupt();
            } finally {
                term.end();
            }
        };
    }
}
