package io.ha.samples.spring;

import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.EmbeddedZooKeeper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;

/**
 * {@code bin/ha-sample spring}: two instances of {@link ReportService}, each a Spring Boot JVM of its own, on an
 * embedded ZooKeeper (or the one given with {@code --zk CONNECT}). Checks that only one instance publishes the
 * leader-only report, that the report moves to the other instance when the publishing one stops (SIGTERM: Spring's
 * graceful close gives up leadership at once), and that no process is left behind. Like every sample, it gives its
 * cluster credentials of its own (a random secret in a 0600 file, {@code ha.zk.auth-file}); on a given ZooKeeper it
 * works in a chroot of its own, removed afterwards. Exit 0 when all held, 1 otherwise
 * (the last line says what failed), 2 for a usage error.
 */
public final class SpringSample {
    private static final Pattern REPORT = Pattern.compile("REPORT (\\d+) published by (spring-\\d)");
    private static final long WAIT_MS = 60_000;

    private final Map<String, Integer> reports = new ConcurrentHashMap<>();
    private final List<Process> processes = new ArrayList<>();
    private Path authFile;

    private SpringSample() {
    }

    public static void main(String[] args) throws Exception {
        String zk = null;
        if (args.length == 2 && args[0].equals("--zk") && !args[1].isBlank()) {
            zk = args[1];
        } else if (args.length != 0) {
            System.err.println("usage: ha-sample spring [--zk CONNECT]");
            System.exit(2);
        }
        System.exit(new SpringSample().run(zk));
    }

    /** Runs the sample; the exit code. */
    static int run(String zk) throws Exception {
        return new SpringSample().runOn(zk);
    }

    private int runOn(String zk) throws Exception {
        EmbeddedZooKeeper embedded = zk == null ? EmbeddedZooKeeper.start() : null;
        String cluster = "spring-sample-" + UUID.randomUUID().toString().substring(0, 8);
        Path secrets = Files.createTempDirectory("ha-spring-sample-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String auth = "spring-sample:" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        authFile = Files.writeString(Files.createFile(secrets.resolve("zk-auth"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))), auth + "\n");
        // On a given ZooKeeper, a chroot of this run's own: its root path (/ha) may belong to others.
        String chroot = zk == null ? null : "/" + cluster;
        if (chroot != null) {
            try (CuratorFramework c = client(zk, auth)) {
                c.create().withACL(new Credentials("spring-sample", auth.substring(auth.indexOf(':') + 1))
                        .ownerOnlyAcl()).forPath(chroot);
            }
        }
        String connect = zk == null ? embedded.connectString() : zk + chroot;
        try {
            say("two instances of a Spring Boot service join cluster '" + cluster + "' at " + connect);
            Process one = start("spring-1", connect, cluster);
            Process two = start("spring-2", connect, cluster);
            String leader = awaitReporter(null);
            if (leader == null) {
                return fail("no instance published the leader-only report within " + WAIT_MS / 1000 + " s");
            }
            String other = leader.equals("spring-1") ? "spring-2" : "spring-1";
            int otherBefore = reports.getOrDefault(other, 0);
            Thread.sleep(3000);
            if (reports.getOrDefault(other, 0) != otherBefore) {
                return fail(other + " published the report while " + leader + " led");
            }
            say(leader + " leads and publishes alone; stopping it (SIGTERM, Spring's graceful shutdown)");
            Process leaderProcess = leader.equals("spring-1") ? one : two;
            long stoppedAt = System.nanoTime();
            leaderProcess.destroy();
            if (!leaderProcess.waitFor(30, TimeUnit.SECONDS)) {
                return fail(leader + " did not stop within 30 s of SIGTERM");
            }
            if (awaitReporter(other) == null) {
                return fail(other + " did not take the report over within " + WAIT_MS / 1000 + " s");
            }
            say(other + " took the report over " + (System.nanoTime() - stoppedAt) / 1_000_000 + " ms after "
                    + leader + " was told to stop");
            Process otherProcess = leader.equals("spring-1") ? two : one;
            otherProcess.destroy();
            if (!otherProcess.waitFor(30, TimeUnit.SECONDS)) {
                return fail(other + " did not stop within 30 s of SIGTERM");
            }
            say("summary: one publisher at a time, the report moved on a graceful stop, no process left: HELD");
            return 0;
        } finally {
            processes.forEach(Process::destroyForcibly);
            for (Process p : processes) {
                p.waitFor(10, TimeUnit.SECONDS);
            }
            if (chroot != null) {
                try (CuratorFramework c = client(zk, auth)) {
                    c.delete().deletingChildrenIfNeeded().forPath(chroot);
                } catch (Exception e) {
                    say("could not remove the chroot " + chroot + " (" + e + "); remove it by hand");
                }
            }
            Files.deleteIfExists(authFile);
            Files.deleteIfExists(secrets);
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** A plain client of the given ZooKeeper with the run's credentials, for the chroot only. */
    private static CuratorFramework client(String zk, String auth) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk)
                .retryPolicy(new RetryNTimes(3, 500))
                .authorization("digest", auth.getBytes(StandardCharsets.UTF_8)).build();
        c.start();
        if (!c.blockUntilConnected(30, TimeUnit.SECONDS)) {
            c.close();
            throw new IllegalStateException("ZooKeeper at " + zk + " did not answer within 30 s");
        }
        return c;
    }

    private Process start(String id, String connect, String cluster) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path")));
        String logback = System.getProperty("logback.configurationFile");
        if (logback != null) {
            command.add("-Dlogback.configurationFile=" + logback);
        }
        command.addAll(List.of(ReportService.class.getName(), "--ha.zk.connect=" + connect,
                "--ha.cluster.name=" + cluster, "--ha.agent.id=" + id, "--ha.session.timeout=4s",
                "--ha.connection.timeout=4s", "--ha.zk.auth-file=" + authFile, "--spring.main.banner-mode=off"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(p);
        Thread pump = new Thread(() -> pump(id, p), "output-" + id);
        pump.setDaemon(true);
        pump.start();
        return p;
    }

    private void pump(String id, Process p) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                System.out.println("[" + id + "] " + line);
                Matcher m = REPORT.matcher(line);
                if (m.find()) {
                    reports.merge(m.group(2), 1, Integer::sum);
                }
            }
        } catch (IOException e) {
            // The process ended: nothing more to read.
        }
    }

    /** Waits until {@code who} (or anyone, for null) publishes a new report; who did, or null on timeout. */
    private String awaitReporter(String who) throws InterruptedException {
        Map<String, Integer> before = Map.copyOf(reports);
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            for (Map.Entry<String, Integer> e : reports.entrySet()) {
                if ((who == null || who.equals(e.getKey())) && e.getValue() > before.getOrDefault(e.getKey(), 0)) {
                    return e.getKey();
                }
            }
            Thread.sleep(100);
        }
        return null;
    }

    private static void say(String line) {
        System.out.println("ha-sample spring: " + line);
    }

    private static int fail(String why) {
        say("FAILED: " + why);
        return 1;
    }
}
