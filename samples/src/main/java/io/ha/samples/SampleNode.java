package io.ha.samples;

import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.HaCluster;
import io.ha.core.cluster.HaClusterBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The command line of a sample's "machine" (a process started with {@link SampleRun#node}):
 * {@code --zk CONNECT --cluster NAME --id ID [--secret-file FILE] [--OPTION VALUE]...}, and what every such process
 * does alike: join with the same settings, and exit when the sample that started it is gone.
 *
 * <p>Guarantee: a malformed command line ends the process with exit code 2 and a message naming the problem. Not
 * guaranteed: anything about the sample-specific options beyond their presence; each program checks its own.
 */
public record SampleNode(String connectString, String cluster, String id, Optional<Credentials> credentials,
                         Map<String, String> options) {
    /** Short, so that the death of a process is noticed within seconds; ZooKeeper's default minimum is 2 ticks. */
    public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(4);
    public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);

    public SampleNode {
        options = Map.copyOf(options);
    }

    /** Parses the command line; prints the problem and exits with 2 when it is malformed. */
    public static SampleNode parse(String program, String[] args) {
        Map<String, String> given = new LinkedHashMap<>();
        if (args.length % 2 != 0) {
            usage(program, "every option needs a value; got " + String.join(" ", args));
        }
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || given.put(args[i].substring(2), args[i + 1]) != null) {
                usage(program, "bad or repeated option '" + args[i] + "'");
            }
        }
        String zk = given.remove("zk");
        String cluster = given.remove("cluster");
        String id = given.remove("id");
        if (zk == null || cluster == null || id == null) {
            usage(program, "--zk, --cluster and --id are required");
        }
        String secretFile = given.remove("secret-file");
        Optional<Credentials> credentials = Optional.empty();
        if (secretFile != null) {
            try {
                credentials = Optional.of(Credentials.parse(Files.readString(Path.of(secretFile)).trim()));
            } catch (IOException | IllegalArgumentException e) {
                usage(program, "cannot read the cluster's credentials from " + secretFile + ": " + e.getMessage());
            }
        }
        return new SampleNode(zk, cluster, id, credentials, given);
    }

    private static void usage(String program, String problem) {
        System.err.println(program + ": " + problem);
        System.err.println("usage: " + program + " --zk CONNECT --cluster NAME --id ID [--secret-file FILE] "
                + "[--OPTION VALUE]...");
        System.exit(2);
    }

    /** A builder for this process's {@link HaCluster}: address, cluster, id, credentials and timeouts set. */
    public HaClusterBuilder clusterBuilder() {
        HaClusterBuilder builder = HaCluster.builder().connectString(connectString).clusterName(cluster).agentId(id)
                .sessionTimeout(SESSION_TIMEOUT).connectionTimeout(CONNECTION_TIMEOUT);
        credentials.ifPresent(builder::credentials);
        return builder;
    }

    /** A sample-specific option; exits with 2, naming it, when it is missing. */
    public String option(String name) {
        String value = options.get(name);
        if (value == null) {
            usage(id, "option --" + name + " is required");
        }
        return value;
    }

    /** A sample-specific whole-number option, or {@code defaultValue} when it is not given. */
    public int intOption(String name, int defaultValue) {
        String value = options.get(name);
        try {
            return value == null ? defaultValue : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            usage(id, "option --" + name + " must be a whole number, got '" + value + "'");
            return defaultValue;
        }
    }

    /**
     * Orphan guard: when the process that started this one dies (even by SIGKILL), nobody else would stop this
     * one, so it exits by itself.
     */
    public void exitWithParent() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.out.println(id + ": the process that started me is gone; exiting");
            System.exit(0);
        }));
    }

    /** One line of this process's narrative, which the sample prints under the process's id. */
    public void say(String format, Object... args) {
        System.out.println(String.format(format, args));
    }
}
