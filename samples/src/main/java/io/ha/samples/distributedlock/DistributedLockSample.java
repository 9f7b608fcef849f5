/*
 * Sample "distributed-lock": three processes update one shared file under a cluster-wide lock; a holder frozen past
 * its session loses the lock, and its late write is refused by the storage's fencing token check.
 *
 * Guarantee shown: no update of the shared counter is lost, even though one lock holder is frozen (SIGSTOP) while it
 * holds the lock and writes when it runs again: every acquisition gets a fencing token that strictly increases, the
 * storage refuses a write whose token is lower than one it has already accepted, and so the final counter equals the
 * number of accepted writes. A frozen holder does not block the others forever: once its session expires, ZooKeeper
 * deletes its lock node and the next waiter holds the lock.
 * Not shown (not guaranteed): mutual exclusion by the lock alone. For a while after the session expired, the frozen
 * process still believes it holds the lock (it cannot know it was frozen) and does write; only a storage that checks
 * the token stops that write. A hand-rolled lock (a Redis SETNX key with an expiry) has the same window and no token
 * to close it with.
 */
package io.ha.samples.distributedlock;

import io.ha.samples.Sample;
import io.ha.samples.SampleFailure;
import io.ha.samples.SampleNode;
import io.ha.samples.SampleProcess;
import io.ha.samples.SampleRun;
import io.ha.samples.distributedlock.FencedFileStore.Write;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** See the comment at the top of this file. */
public final class DistributedLockSample implements Sample {
    private static final int CLIENTS = 3;
    private static final int TARGET = 30;
    /** The client that will be frozen, and on which of its acquisitions. */
    private static final String FROZEN = "client-1";
    private static final int PAUSE_AT = 3;
    private static final Duration STARTUP = Duration.ofSeconds(60);
    /** The frozen holder's session expires after 4 s; the rest is slack for a loaded machine. */
    private static final Duration TAKEOVER = Duration.ofSeconds(30);
    private static final Duration ALL_DONE = Duration.ofMinutes(1);

    @Override
    public String name() {
        return "distributed-lock";
    }

    @Override
    public String shows() {
        return "three processes add to one shared counter under runExclusively; a holder frozen past its session"
                + " loses the lock, and its late write is refused by the storage's fencing token check";
    }

    @Override
    public void run(SampleRun run) throws Exception {
        // 1. The shared file, behind a storage that remembers the highest fencing token it has accepted.
        Path file = run.workDir().resolve("counter");
        FencedFileStore store = FencedFileStore.create(file);

        // 2. Three client machines, each adding 1 to the counter under the lock until it reaches the target. One of
        //    them will, on its third acquisition, announce its token and pause before writing: our chance to freeze
        //    it while it holds the lock.
        List<SampleProcess> clients = new ArrayList<>();
        for (int i = 1; i <= CLIENTS; i++) {
            String id = "client-" + i;
            List<String> args = new ArrayList<>(List.of("--store", file.toString(), "--target",
                    Integer.toString(TARGET)));
            if (id.equals(FROZEN)) {
                args.addAll(List.of("--pause-at", Integer.toString(PAUSE_AT)));
            }
            clients.add(run.node(id, CounterClient.class, args.toArray(String[]::new)));
        }
        SampleProcess holder = clients.get(0);

        // 3. Freeze the holder (SIGSTOP) while it holds token T and is about to write: a long GC pause, a suspended
        //    VM. It sends nothing any more, not even the heartbeats that keep its ZooKeeper session alive.
        long token = Long.parseLong(holder.awaitLine("holds token (\\d+)", STARTUP).group(1));
        holder.freeze();
        long frozenAt = System.currentTimeMillis();
        run.say("froze %s (SIGSTOP) while it holds the lock with token %d", FROZEN, token);
        if (store.log().stream().anyMatch(w -> w.token() == token)) {
            throw new SampleFailure(FROZEN + " wrote with token " + token + " before it could be frozen");
        }

        // 4. The others wait in line for the lock. ZooKeeper cannot tell a frozen process from a dead one: after
        //    the session timeout it expires the holder's session, deletes its lock node, and the next waiter holds
        //    the lock, with a higher token.
        boolean passed = run.within(TAKEOVER, () -> firstOtherWrite(store, token).isPresent());
        Optional<Write> takeover = firstOtherWrite(store, token);
        run.say("%s", takeover.map(w -> String.format("%s took the lock with token %d and wrote %.1f s after the "
                + "freeze", w.writer(), w.token(), (w.atMillis() - frozenAt) / 1000.0))
                .orElse("nobody else took the lock while " + FROZEN + " was frozen"));

        // 5. Thaw the old holder. It does not know it was frozen: it goes on with its write, with token T.
        holder.thaw();
        long thawedAt = System.currentTimeMillis();
        run.say("thawed %s after %.1f s; it goes on with its write, with token %d", FROZEN,
                (thawedAt - frozenAt) / 1000.0, token);
        run.within(TAKEOVER, () -> lateWrite(store, token).isPresent());
        Optional<Write> late = lateWrite(store, token);

        // 6. Every client stops by itself once the counter has reached the target.
        for (SampleProcess c : clients) {
            if (c.awaitExit(ALL_DONE).isEmpty()) {
                throw new SampleFailure(c.id() + " did not finish within " + ALL_DONE.toSeconds() + " s");
            }
        }

        // 7. The guarantee, from the storage's own log.
        List<Write> log = store.log();
        List<Write> accepted = log.stream().filter(Write::accepted).toList();
        long counter = store.read();
        run.verdict().check("no update was lost", counter == accepted.size(),
                "the counter is %d after %d accepted writes (%d refused)", counter, accepted.size(),
                log.size() - accepted.size());
        boolean increasing = true;
        for (int i = 1; i < accepted.size(); i++) {
            increasing &= accepted.get(i).token() > accepted.get(i - 1).token();
        }
        run.verdict().check("the accepted writes' fencing tokens strictly increase", increasing && !accepted.isEmpty(),
                "tokens %s", accepted.stream().map(Write::token).toList());
        long duringFreeze = log.stream().filter(w -> w.accepted() && !w.writer().equals(FROZEN)
                && w.atMillis() >= frozenAt && w.atMillis() < thawedAt).count();
        run.verdict().check("the lock passed to another process while the holder was frozen", passed
                        && duringFreeze > 0, "%s; %d write(s) by the others during the %.1f s freeze",
                takeover.map(w -> String.format("%s wrote with token %d %.1f s after the freeze", w.writer(),
                        w.token(), (w.atMillis() - frozenAt) / 1000.0)).orElse("nobody else wrote"), duringFreeze,
                (thawedAt - frozenAt) / 1000.0);
        run.verdict().check("the frozen holder's late write was refused", late.isPresent() && !late.get().accepted()
                        && late.get().highestBefore() > token, "%s", late.map(w -> String.format(
                        "%s's write of %d with token %d was %s; the highest token accepted before it was %d",
                        w.writer(), w.value(), w.token(), w.accepted() ? "ACCEPTED" : "refused", w.highestBefore()))
                        .orElse(FROZEN + " never wrote with token " + token));
        String learned = holder.lines().stream().filter(l -> l.startsWith("learned from")).findFirst().orElse(null);
        run.verdict().check("the frozen holder learned that it had lost the lock", learned != null,
                "%s said \"%s\"", FROZEN, learned == null ? "nothing of the kind" : learned);
        Map<String, Integer> perClient = new TreeMap<>();
        accepted.forEach(w -> perClient.merge(w.writer(), 1, Integer::sum));
        run.verdict().fact("accepted writes per client", "%s", perClient);
        takeover.ifPresent(w -> run.verdict().fact("the lock passed on", "%.1f s after the freeze (session timeout "
                + "%d ms: that long ZooKeeper waits for a silent holder)", (w.atMillis() - frozenAt) / 1000.0,
                SampleNode.SESSION_TIMEOUT.toMillis()));
    }

    /** The first write accepted from a process other than the frozen one with a token above its own. */
    private static Optional<Write> firstOtherWrite(FencedFileStore store, long token) {
        return read(store).stream().filter(w -> w.accepted() && !w.writer().equals(FROZEN) && w.token() > token)
                .findFirst();
    }

    /** What the storage made of the frozen holder's write with its old token. */
    private static Optional<Write> lateWrite(FencedFileStore store, long token) {
        return read(store).stream().filter(w -> w.writer().equals(FROZEN) && w.token() == token).findFirst();
    }

    private static List<Write> read(FencedFileStore store) {
        try {
            return store.log();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
