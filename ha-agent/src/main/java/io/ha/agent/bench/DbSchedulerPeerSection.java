package io.ha.agent.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * Section {@code dbscheduler}: db-scheduler (com.github.kagkarlsson) on a PostgreSQL server of its own, with each of
 * its two polling strategies in turn: {@code fetch} (fetch-and-lock-on-execute, its default) and
 * {@code lock-and-fetch} ({@code select ... for update skip locked}, which its documentation advises above 1,000
 * executions/s). {@code workers} scheduler instances with {@code concurrency} threads each, as HA's members; a
 * separate client schedules one-time no-op tasks due now, in batches of {@value HaQueueBench#SUBMIT_CHUNK} (its
 * {@code scheduleBatch}, one JDBC batch each), as HA's producer submits; timed from the first schedule to the moment
 * the table is empty (every execution completed and its row deleted), in {@link PeerRounds}.
 *
 * <p>Tuning, for throughput as its documentation suggests: polling interval 50 ms (default 10 s: only an idle
 * instance waits for it, since a full batch triggers the next fetch at once); lock-and-fetch limits 1.0 and 4.0 of
 * the threads (its "high throughput" example), fetch at its defaults 0.5 and 3.0; one HikariCP pool per instance.
 * Tasks carry no data (HA's carry 16 bytes).
 */
final class DbSchedulerPeerSection implements PeerSection {
    /** db-scheduler's documented PostgreSQL table (postgresql_tables.sql of its repository, with its migrations). */
    static final String DDL = """
            create table scheduled_tasks (
              task_name text not null,
              task_instance text not null,
              task_data bytea,
              execution_time timestamp with time zone not null,
              picked BOOLEAN not null,
              picked_by text,
              last_success timestamp with time zone,
              last_failure timestamp with time zone,
              consecutive_failures INT,
              last_heartbeat timestamp with time zone,
              version BIGINT not null,
              priority SMALLINT,
              PRIMARY KEY (task_name, task_instance)
            );
            CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
            CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
            CREATE INDEX priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc);
            ALTER TABLE scheduled_tasks ALTER COLUMN execution_time DROP NOT NULL;
            ALTER TABLE scheduled_tasks ADD COLUMN state text;
            """;
    static final Duration POLLING_INTERVAL = Duration.ofMillis(50);
    /** Connections per scheduler instance. */
    static final int POOL_SIZE = 10;

    private record Strategy(String key, String label, UnaryOperator<SchedulerBuilder> apply) {
    }

    private static final List<Strategy> STRATEGIES = List.of(
            new Strategy("dbscheduler_fetch", "db-scheduler fetch-and-lock-on-execute",
                    b -> b.pollUsingFetchAndLockOnExecute(0.5, 3.0)),
            new Strategy("dbscheduler_lock_and_fetch", "db-scheduler lock-and-fetch",
                    b -> b.pollUsingLockAndFetch(1.0, 4.0)));

    @Override
    public String name() {
        return "dbscheduler";
    }

    @Override
    public String description() {
        return "db-scheduler on PostgreSQL, polling strategies fetch and lock-and-fetch (no-op one-time tasks)";
    }

    @Override
    public void run(PeerOptions options, PeerResults results) throws Exception {
        var why = LocalPostgres.unavailable();
        if (why.isPresent()) {
            results.skip(name(), why.get());
            return;
        }
        for (Strategy strategy : STRATEGIES) {
            // A fresh server and table for each strategy: neither inherits the other's dead rows or warm caches.
            try (LocalPostgres pg = LocalPostgres.start(options.fsync(), options.workers() * POOL_SIZE + 20)) {
                pg.script(DDL);
                measure(strategy, pg, options, results);
            }
        }
        results.put("dbscheduler_postgres_fsync", options.fsync(), "db-scheduler, PostgreSQL syncs its WAL on commit");
    }

    private static void measure(Strategy strategy, LocalPostgres pg, PeerOptions options, PeerResults results)
            throws Exception {
        LongAdder executed = new LongAdder();
        OneTimeTask<Void> task = Tasks.oneTime("noop").execute((instance, ctx) -> executed.increment());
        List<HikariDataSource> pools = new ArrayList<>();
        List<Scheduler> schedulers = new ArrayList<>();
        try {
            for (int i = 1; i <= options.workers(); i++) {
                HikariDataSource ds = pg.pool("bench-dbs-" + i, POOL_SIZE);
                pools.add(ds);
                SchedulerBuilder b = Scheduler.create(ds, task).threads(options.concurrency())
                        .pollingInterval(POLLING_INTERVAL).schedulerName(new SchedulerName.Fixed("dbs-" + i))
                        .shutdownMaxWait(Duration.ofSeconds(10));
                Scheduler s = strategy.apply().apply(b).build();
                schedulers.add(s);
                s.start();
            }
            HikariDataSource producerPool = pg.pool("bench-dbs-producer", 2);
            pools.add(producerPool);
            SchedulerClient client = SchedulerClient.Builder.create(producerPool, task).build();
            results.progress(String.format(Locale.ROOT, "%s: %d instances x %d threads, PostgreSQL fsync %s",
                    strategy.key(), options.workers(), options.concurrency(), options.fsync() ? "on" : "off"));
            PeerRounds.measure(strategy.key(), strategy.label(), options, results, (round, n) -> {
                long base = executed.sum();
                long t0 = System.nanoTime();
                for (int from = 0; from < n; from += HaQueueBench.SUBMIT_CHUNK) {
                    List<TaskInstance<?>> batch = new ArrayList<>();
                    for (int i = from; i < Math.min(n, from + HaQueueBench.SUBMIT_CHUNK); i++) {
                        batch.add(task.instance("r" + round + "-" + i));
                    }
                    client.scheduleBatch(batch, Instant.now());
                }
                PeerRounds.await(strategy.key(), n, () -> executed.sum() - base, t0);
                awaitEmpty(producerPool, strategy.key(), n, t0);
                return (System.nanoTime() - t0) / 1e9;
            }, pg::cpuNanos);
        } finally {
            schedulers.forEach(Scheduler::stop);
            pools.forEach(HikariDataSource::close);
        }
    }

    /** An execution's handler returns before its row is deleted: done means the table is empty. */
    private static void awaitEmpty(DataSource ds, String what, int n, long t0) throws Exception {
        // The deadline of the whole round (n tasks), not of one step begun at t0.
        PeerRounds.await(what + " (rows deleted)", n, () -> count(ds) == 0 ? n : 0, t0);
    }

    private static long count(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select count(*) from scheduled_tasks")) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("counting scheduled_tasks failed: " + e.getMessage(), e);
        }
    }
}
