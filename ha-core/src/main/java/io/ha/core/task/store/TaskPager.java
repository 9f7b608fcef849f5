package io.ha.core.task.store;

import com.google.common.base.Preconditions;
import io.ha.core.CorruptDataException;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Buckets;
import io.ha.core.internal.Json;
import io.ha.core.session.ClusterContext;
import io.ha.core.task.TaskPage;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Cursor paging over the task store ({@link io.ha.core.task.TaskQueries#page}) with a bounded cost per page.
 *
 * <p>Pending pointers and ended records live in {@value Buckets#COUNT} buckets chosen by a hash of the id, so no
 * order spans the whole store without listing every bucket. A page therefore walks the buckets one after another
 * from its cursor ({@code STATE/bucket/last-name}): it lists at most {@link #NAMES_PER_PAGE} names (pending names
 * carry the type, so a type filter costs no record read there) and reads at most {@link #RECORDS_PER_PAGE}
 * records (ended tasks filtered by type are read to learn their type), then stops, full or not, with the cursor of
 * where it stopped. Assigned and running tasks are few (at most the cluster's slots) and read in full.
 *
 * <p>Guarantee: a task that stays in its state is on exactly one page of a walk. Not guaranteed: a global order, full
 * pages, or seeing tasks that move meanwhile.
 */
final class TaskPager {
    /** Names listed per page at most (a bucket is listed whole: a page may exceed it by one bucket). */
    static final int NAMES_PER_PAGE = 50_000;
    /** Records read per page at most. */
    static final int RECORDS_PER_PAGE = 2_000;
    private static final int MAX_BUCKETS_PER_ROUND = 32;
    private static final List<TaskState> ALL_STATES = List.of(TaskState.RUNNING, TaskState.ASSIGNED,
            TaskState.PENDING, TaskState.SUCCEEDED, TaskState.FAILED, TaskState.DEAD, TaskState.CANCELLED);

    private final ClusterContext ctx;
    private final TaskReader reader;

    TaskPager(ClusterContext ctx, TaskReader reader) {
        this.ctx = ctx;
        this.reader = reader;
    }

    TaskPage page(TaskState onlyState, String type, String cursor, int limit) throws Exception {
        Preconditions.checkArgument(limit >= 1 && limit <= TaskPage.MAX_LIMIT, "page limit must be in 1-%s, got %s",
                TaskPage.MAX_LIMIT, limit);
        Cursor at = cursor == null || cursor.isEmpty()
                ? new Cursor(onlyState == null ? ALL_STATES.get(0) : onlyState, 0, null) : Cursor.parse(cursor);
        Preconditions.checkArgument(onlyState == null || at.state() == onlyState,
                "the cursor belongs to a listing of another state (%s)", at.state());
        List<TaskRecord> out = new ArrayList<>();
        Budget budget = new Budget();
        while (true) {
            Cursor next = at.state() == TaskState.ASSIGNED || at.state() == TaskState.RUNNING
                    ? inFlight(at, type, limit, out) : buckets(at, type, limit, out, budget);
            if (next == null && onlyState == null) {
                int i = ALL_STATES.indexOf(at.state());
                next = i + 1 < ALL_STATES.size() ? new Cursor(ALL_STATES.get(i + 1), 0, null) : null;
            }
            if (next == null || out.size() >= limit || budget.spent()) {
                return new TaskPage(out, next == null ? null : next.toString());
            }
            at = next;
        }
    }

    /** Adds in-flight tasks of the cursor's state until {@code out} holds {@code target}; null when none are left. */
    private Cursor inFlight(Cursor at, String type, int target, List<TaskRecord> out) throws Exception {
        List<TaskRecord> matching = reader.inFlight(Integer.MAX_VALUE).stream()
                .filter(r -> r.state() == at.state() && (type == null || type.equals(r.type())))
                .filter(r -> at.after() == null || r.id().compareTo(at.after()) < 0)
                .sorted(Comparator.comparing(TaskRecord::id).reversed()).toList();
        List<TaskRecord> taken = matching.subList(0, Math.min(Math.max(0, target - out.size()), matching.size()));
        out.addAll(taken);
        if (taken.size() == matching.size()) {
            return null;
        }
        return new Cursor(at.state(), 0, taken.isEmpty() ? at.after() : taken.get(taken.size() - 1).id());
    }

    /**
     * Walks buckets from {@code at}, adding tasks until {@code out} holds {@code target} or the budget is spent;
     * returns where the next page starts, or null when this state has no more.
     */
    private Cursor buckets(Cursor at, String type, int target, List<TaskRecord> out, Budget budget)
            throws Exception {
        boolean pending = at.state() == TaskState.PENDING;
        int bucket = at.bucket();
        String after = at.after();
        int round = 1;
        while (bucket < Buckets.COUNT) {
            // Few buckets first (one usually fills a page of a large store), more per round when they are sparse.
            int end = Math.min(Buckets.COUNT, bucket + round);
            round = Math.min(round * 2, MAX_BUCKETS_PER_ROUND);
            List<String> dirs = new ArrayList<>();
            for (int b = bucket; b < end; b++) {
                String name = Buckets.all().get(b);
                dirs.add(pending ? ctx.paths().pendingBucket(name) : ctx.paths().doneBucket(at.state().name(), name));
            }
            for (AsyncReads.Result listed : AsyncReads.children(ctx.client(), dirs, timeout())) {
                List<String> names = listed.ok() ? listed.children() : List.of();
                budget.names += names.size();
                List<String> ordered = order(at.state(), names, after, type);
                int used = takeFrom(at.state(), ordered, type, target, out, budget);
                if (used < ordered.size()) {
                    return new Cursor(at.state(), bucket, used == 0 ? after : ordered.get(used - 1));
                }
                after = null;
                bucket++;
                if (out.size() >= target || budget.spent()) {
                    return bucket < Buckets.COUNT ? new Cursor(at.state(), bucket, null) : null;
                }
            }
        }
        return null;
    }

    /**
     * Adds to {@code out} the tasks of {@code ordered} (one bucket's names, in its order) until it holds
     * {@code target} or the record budget is spent.
     *
     * @return how many names of {@code ordered} were examined
     */
    private int takeFrom(TaskState state, List<String> ordered, String type, int target, List<TaskRecord> out,
                         Budget budget) throws Exception {
        int i = 0;
        while (i < ordered.size() && out.size() < target && budget.records < RECORDS_PER_PAGE) {
            int want = target - out.size();
            // Ended tasks filtered by type are read to learn it: read a few more than needed per round trip.
            int chunk = Math.min(ordered.size() - i, Math.min(type == null || state == TaskState.PENDING ? want
                    : Math.max(want, 50), RECORDS_PER_PAGE - budget.records));
            List<String> names = ordered.subList(i, i + chunk);
            budget.records += chunk;
            List<AsyncReads.Result> reads = AsyncReads.getData(ctx.client(), names.stream()
                    .map(n -> state == TaskState.PENDING ? ctx.paths().task(PendingEntry.parse(n).taskId())
                            : ctx.paths().doneRecord(state.name(), n)).toList(), timeout());
            for (int j = 0; j < reads.size(); j++) {
                TaskRecord r = decode(reads.get(j));
                if (r != null && (type == null || type.equals(r.type()))) {
                    out.add(r);
                    if (out.size() >= target) {
                        return i + j + 1;
                    }
                }
            }
            i += chunk;
        }
        return i;
    }

    /** The bucket's names after {@code after}, in the bucket's order, without those a pending name shows unfit. */
    private static List<String> order(TaskState state, List<String> names, String after, String type) {
        if (state == TaskState.PENDING) {
            PendingEntry from = after == null ? null : PendingEntry.parse(after);
            return names.stream().map(PendingEntry::parse).filter(Objects::nonNull)
                    // Names of the former format carry no type: their record decides.
                    .filter(e -> type == null || e.type() == null || type.equals(e.type()))
                    .filter(e -> from == null || PendingEntry.ORDER.compare(e, from) > 0)
                    .sorted(PendingEntry.ORDER).map(PendingEntry::name).toList();
        }
        return names.stream().filter(TaskIds::isValid).filter(id -> after == null || id.compareTo(after) < 0)
                .sorted(Comparator.reverseOrder()).toList();
    }

    private static TaskRecord decode(AsyncReads.Result read) {
        if (!read.ok()) {
            return null;
        }
        try {
            return Json.read(read.path(), read.data(), TaskRecord.class);
        } catch (CorruptDataException e) {
            return null;
        }
    }

    private long timeout() {
        return ctx.sessionTimeout().toMillis();
    }

    /** What one page has spent of its reads. */
    private static final class Budget {
        int names;
        int records;

        boolean spent() {
            return names >= NAMES_PER_PAGE || records >= RECORDS_PER_PAGE;
        }
    }

    /** {@code STATE/bucket/after}: where a page starts; {@code after} is the last name of the previous page. */
    record Cursor(TaskState state, int bucket, String after) {
        static Cursor parse(String text) {
            String[] parts = text.split("/", 3);
            try {
                TaskState state = TaskState.valueOf(parts[0]);
                int bucket = parts.length > 1 ? Integer.parseInt(parts[1], 16) : 0;
                String after = parts.length > 2 && !parts[2].isEmpty() ? parts[2] : null;
                boolean validAfter = after == null || (state == TaskState.PENDING ? PendingEntry.parse(after) != null
                        : TaskIds.isValid(after));
                if (bucket < 0 || bucket >= Buckets.COUNT || !validAfter) {
                    throw new IllegalArgumentException("bad cursor");
                }
                return new Cursor(state, bucket, after);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed page cursor: not one a task listing made");
            }
        }

        @Override
        public String toString() {
            return state + "/" + Integer.toHexString(bucket) + "/" + (after == null ? "" : after);
        }
    }
}
