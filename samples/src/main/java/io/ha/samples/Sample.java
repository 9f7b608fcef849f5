package io.ha.samples;

/**
 * One runnable scenario of {@code bin/ha-sample}: it plays out a classic high-availability problem on real processes
 * and a real ZooKeeper, and records in the run's {@link Verdict} whether the guarantee it demonstrates held.
 *
 * <p>A sample needs not clean up the processes and clients it made through its {@link SampleRun}: the run stops them
 * on every exit path.
 */
public interface Sample {
    /** The name on the command line, lower case with dashes ({@code master-worker}). */
    String name();

    /** What it shows, in one line, for the list and the README. */
    String shows();

    /**
     * Plays the scenario out, narrating as it goes, and records its checks in {@link SampleRun#verdict()}.
     *
     * @throws SampleFailure when it cannot go on; the message says why
     */
    void run(SampleRun run) throws Exception;
}
