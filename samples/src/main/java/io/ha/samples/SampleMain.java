package io.ha.samples;

import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/ha-sample [NAME [--zk CONNECT]]}: without a name, lists the samples (one a line: the name, then what it
 * shows); with one, runs it on an embedded ZooKeeper, or on the ZooKeeper at {@code CONNECT}, and ends with its
 * summary.
 *
 * <p>Exit codes: 0 when the sample's guarantee held (every check passed and no process was left behind), 1 when it
 * did not or the scenario could not run to its end (the last line names what failed), 2 for a bad command line.
 */
public final class SampleMain {
    private static final Logger LOG = LoggerFactory.getLogger(SampleMain.class);
    private static final String USAGE = "usage: ha-sample [NAME [--zk CONNECT]]   (no NAME: list the samples)";

    private SampleMain() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            list();
            System.exit(0);
        }
        if (args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(USAGE);
            list();
            System.exit(0);
        }
        Sample sample = SampleCatalog.find(args[0]).orElse(null);
        if (sample == null) {
            usage("no sample is named '" + args[0] + "'; the samples are: "
                    + SampleCatalog.ALL.stream().map(Sample::name).collect(Collectors.joining(", ")));
        }
        String zk = null;
        if (args.length == 3 && args[1].equals("--zk") && !args[2].isBlank()) {
            zk = args[2];
        } else if (args.length != 1) {
            usage("unexpected arguments after the sample's name; only --zk CONNECT may follow it");
        }
        System.exit(run(sample, zk));
    }

    private static void list() {
        int width = SampleCatalog.ALL.stream().mapToInt(s -> s.name().length()).max().orElse(0);
        for (Sample s : SampleCatalog.ALL) {
            System.out.println(String.format("%-" + width + "s  %s", s.name(), s.shows()));
        }
    }

    private static void usage(String problem) {
        System.err.println("ha-sample: " + problem);
        System.err.println(USAGE);
        System.exit(2);
    }

    private static int run(Sample sample, String zk) {
        Narrator narrator = new Narrator(System.out);
        narrator.say("HA sample '%s': %s", sample.name(), sample.shows());
        String marker = System.getProperty(SampleRun.MARKER_PROPERTY, UUID.randomUUID().toString());
        SampleRun run;
        try {
            run = SampleRun.open(sample.name(), zk, marker, narrator);
        } catch (Exception e) {
            narrator.say("FAILED: cannot set up the sample: %s", e.getMessage() == null ? e : e.getMessage());
            return 1;
        }
        // Ctrl-C or any other exit: no process of the sample may outlive it.
        Thread hook = new Thread(() -> {
            narrator.say("interrupted: cleaning up");
            run.close();
        }, "sample-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            sample.run(run);
        } catch (SampleFailure e) {
            narrator.say("ERROR: %s", e.getMessage());
            run.verdict().aborted(e.getMessage());
        } catch (InterruptedException e) {
            run.verdict().aborted("interrupted");
        } catch (Exception e) {
            LOG.error("the sample failed", e);
            run.verdict().aborted(e.toString());
        } finally {
            narrator.say("cleaning up: stopping every process the sample started");
            run.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C came while the sample ran: the hook has cleaned up too (close runs once).
            }
        }
        Verdict verdict = run.verdict();
        narrator.say("==== summary: %s %s", sample.name(), "=".repeat(Math.max(4, 60 - sample.name().length())));
        verdict.summary().forEach(line -> narrator.say("  %s", line));
        if (verdict.held()) {
            narrator.say("GUARANTEE HELD: sample '%s' finished OK", sample.name());
            return 0;
        }
        narrator.say("GUARANTEE NOT SHOWN: sample '%s' FAILED: %s", sample.name(),
                verdict.failures().isEmpty() ? "it made no check" : String.join("; ", verdict.failures()));
        return 1;
    }
}
