package io.ha.agent.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Section {@code quartz}: Quartz's JDBC job store (JobStoreTX, the PostgreSQL delegate) in cluster mode on a
 * PostgreSQL server of its own: {@code workers} scheduler instances of one clustered scheduler, {@code concurrency}
 * threads each, no-op jobs with a trigger that fires once, now. The first instance also schedules them, in
 * {@code scheduleJobs} calls of {@value HaQueueBench#SUBMIT_CHUNK} (one transaction each), so that it starts
 * acquiring at once (the others find them within their idle wait). Timed from the first schedule to the moment no
 * trigger is left (every job ran and its trigger and fired-trigger rows were deleted), in {@link PeerRounds}. The
 * tables are Quartz's own {@code tables_postgres.sql} from its jar.
 *
 * <p>Tuning, for throughput as its configuration reference suggests: {@code batchTriggerAcquisitionMaxCount} = the
 * threads (default 1) with {@code acquireTriggersWithinLock}, {@code idleWaitTime} 1 s (the least it accepts; default
 * 30 s), misfires ignored (nothing here is late by design), one HikariCP pool per instance of threads + 2
 * connections (its advice: at least the threads).
 */
final class QuartzPeerSection implements PeerSection {
    private static final String SCHEDULER = "bench-quartz";

    /** The job class stored with every job; the instances' job factory returns the counting job instead. */
    public static final class NoopJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
        }
    }

    @Override
    public String name() {
        return "quartz";
    }

    @Override
    public String description() {
        return "Quartz JDBC job store (JobStoreTX, clustered) on PostgreSQL (no-op jobs fired once)";
    }

    @Override
    public void run(PeerOptions options, PeerResults results) throws Exception {
        var why = LocalPostgres.unavailable();
        if (why.isPresent()) {
            results.skip(name(), why.get());
            return;
        }
        int poolSize = options.concurrency() + 2;
        try (LocalPostgres pg = LocalPostgres.start(options.fsync(), options.workers() * poolSize + 20)) {
            pg.script(ddl());
            measure(pg, poolSize, options, results);
        }
        results.put("quartz_postgres_fsync", options.fsync(), "Quartz, PostgreSQL syncs its WAL on commit");
    }

    private static String ddl() throws IOException, BenchException {
        try (InputStream in = StdSchedulerFactory.class.getResourceAsStream(
                "/org/quartz/impl/jdbcjobstore/tables_postgres.sql")) {
            if (in == null) {
                throw new BenchException("tables_postgres.sql is not in the Quartz jar");
            }
            // Its last statement is a COMMIT, which the connection (in auto-commit) has no use for.
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?im)^\\s*COMMIT;\\s*$", "");
        }
    }

    private static void measure(LocalPostgres pg, int poolSize, PeerOptions options, PeerResults results)
            throws Exception {
        LongAdder executed = new LongAdder();
        Job counting = context -> executed.increment();
        List<HikariDataSource> pools = new ArrayList<>();
        List<Scheduler> schedulers = new ArrayList<>();
        try {
            for (int i = 1; i <= options.workers(); i++) {
                HikariDataSource ds = pg.pool("bench-quartz-" + i, poolSize);
                pools.add(ds);
                String dsName = "bench-quartz-ds-" + i;
                DBConnectionManager.getInstance().addConnectionProvider(dsName, provider(ds));
                Scheduler s = new StdSchedulerFactory(properties(i, dsName, options.concurrency())).getScheduler();
                // Quartz keeps one scheduler per name per JVM; the instances of a cluster share the name, so each
                // leaves the repository before the next is made (each keeps its own job store and threads).
                SchedulerRepository.getInstance().remove(SCHEDULER);
                s.setJobFactory((bundle, scheduler) -> counting);
                schedulers.add(s);
                s.start();
            }
            Scheduler producer = schedulers.get(0);
            DataSource probe = pools.get(0);
            results.progress(String.format(Locale.ROOT, "quartz_jdbc: %d clustered instances x %d threads, "
                    + "PostgreSQL fsync %s", options.workers(), options.concurrency(), options.fsync() ? "on" : "off"));
            PeerRounds.measure("quartz_jdbc", "Quartz JDBC cluster", options, results, (round, n) -> {
                long base = executed.sum();
                long t0 = System.nanoTime();
                for (int from = 0; from < n; from += HaQueueBench.SUBMIT_CHUNK) {
                    Map<JobDetail, Set<? extends Trigger>> batch = new LinkedHashMap<>();
                    for (int i = from; i < Math.min(n, from + HaQueueBench.SUBMIT_CHUNK); i++) {
                        String id = "r" + round + "-" + i;
                        JobDetail job = JobBuilder.newJob(NoopJob.class).withIdentity(id, "bench").build();
                        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(id, "bench").startNow()
                                .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                                        .withMisfireHandlingInstructionIgnoreMisfires())
                                .build();
                        batch.put(job, Set.of(trigger));
                    }
                    producer.scheduleJobs(batch, false);
                }
                PeerRounds.await("quartz_jdbc", n, () -> executed.sum() - base, t0);
                // The deadline of the whole round (n tasks), not of one step begun at t0.
                PeerRounds.await("quartz_jdbc (trigger rows deleted)", n, () -> left(probe) == 0 ? n : 0, t0);
                return (System.nanoTime() - t0) / 1e9;
            }, pg::cpuNanos);
        } finally {
            for (Scheduler s : schedulers) {
                s.shutdown(true);
            }
            pools.forEach(HikariDataSource::close);
        }
    }

    private static Properties properties(int instance, String dsName, int threads) {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", SCHEDULER);
        p.setProperty("org.quartz.scheduler.instanceId", "q" + instance);
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.scheduler.idleWaitTime", "1000");
        p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount", String.valueOf(threads));
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(threads));
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", dsName);
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "600000");
        return p;
    }

    /** Quartz takes connections by data source name; the pool is the bench's, closed by the bench. */
    private static ConnectionProvider provider(DataSource ds) {
        return new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return ds.getConnection();
            }

            @Override
            public void shutdown() {
            }

            @Override
            public void initialize() {
            }
        };
    }

    /** Triggers not yet deleted, fired or not. */
    private static long left(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select (select count(*) from qrtz_triggers) "
                     + "+ (select count(*) from qrtz_fired_triggers)")) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("counting Quartz's triggers failed: " + e.getMessage(), e);
        }
    }
}
