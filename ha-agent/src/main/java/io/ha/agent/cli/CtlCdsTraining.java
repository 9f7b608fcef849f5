package io.ha.agent.cli;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.EmbeddedZooKeeper;
import io.ha.core.cluster.HaCluster;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The training run of ha-ctl's class-data archive (AppCDS), run by the build (ha-agent's pom, package phase) in a JVM
 * started with {@code -XX:ArchiveClassesAtExit}: what the JVM loads here is what {@code bin/ha-ctl} then maps from
 * the archive instead of loading and verifying it class by class. It runs ha-ctl's common commands ({@code status},
 * {@code agents}, {@code submit}, {@code task}, {@code tasks}, {@code --help}, their JSON forms) in-process against
 * an embedded ZooKeeper server and one member, with ha-ctl's own logging set-up, and exits.
 *
 * <p>Guarantee: exits 0 only when every command exited 0, so a broken ha-ctl fails the build here rather than
 * leaving an archive of a failed path. Not guaranteed: that a command not run here starts faster (its classes load
 * as usual, from the jars).
 */
public final class CtlCdsTraining {
    private CtlCdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        Logging.configureQuiet();
        // The embedded server's start-up warnings would only clutter the build's output.
        if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.ERROR);
        }
        int failures = 0;
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start();
             HaCluster member = HaCluster.builder().connectString(zk.connectString()).clusterName("default")
                     .agentId("cds-training").role(ClusterRole.MEMBER).sessionTimeout(Duration.ofSeconds(10))
                     .build().start()) {
            member.worker().register("cds-training", ctx -> null, 1);
            String cs = zk.connectString();
            PrintWriter out = new PrintWriter(Writer.nullWriter());
            String id = "";
            for (List<String> command : List.of(List.of("status"), List.of("--json", "status"), List.of("agents"),
                    List.of("submit", "--type", "cds-training", "--payload", "x"), List.of("tasks"),
                    List.of("--json", "tasks"), List.of("--help"), List.of("submit", "--help"))) {
                String[] argv = command.contains("--help") ? command.toArray(new String[0])
                        : concat(List.of("--zk", cs), command);
                java.io.StringWriter text = new java.io.StringWriter();
                int code = CtlMain.execute(argv, command.get(0).equals("submit") && !command.contains("--help")
                        ? new PrintWriter(text, true) : out, new PrintWriter(System.err, true),
                        InputStream.nullInputStream(), Map.of());
                if (!text.toString().isBlank()) {
                    id = text.toString().strip();
                }
                failures += code == 0 ? 0 : 1;
                if (code != 0) {
                    System.err.println("ha-ctl CDS training: '" + String.join(" ", command) + "' exited " + code);
                }
            }
            if (!id.isEmpty()) {
                failures += CtlMain.execute(new String[] {"--zk", cs, "task", id}, out, new PrintWriter(System.err,
                        true), InputStream.nullInputStream(), Map.of()) == 0 ? 0 : 1;
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    private static String[] concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toArray(String[]::new);
    }
}
