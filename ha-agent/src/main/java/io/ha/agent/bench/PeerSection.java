package io.ha.agent.bench;

/**
 * One section of {@code ha-bench peers}: a system (HA, or a peer users would pick instead) measured on its own and
 * reported as figures in the shared {@link PeerResults}. Sections run one after another in one JVM, so each starts
 * and stops whatever it needs (servers, databases, threads) and leaves nothing running: the next section's figures
 * must not pay for it.
 *
 * <p>A section that cannot run on this machine (a database server not installed) records why with
 * {@link PeerResults#skip} instead of failing, and the report says so; it does not decide whether a skip is
 * acceptable (the smoke test does, by the CI environment).
 */
interface PeerSection {
    /** The name {@code --sections} selects it by, lower case. */
    String name();

    /** What it measures, one line, for the help text. */
    String description();

    /**
     * Measures, putting every figure into {@code results} under its JSON key.
     *
     * @throws Exception when the measurement fails (a run that does not complete, a server that does not start):
     *                   the whole benchmark fails, since figures from a broken run would mislead
     */
    void run(PeerOptions options, PeerResults results) throws Exception;
}
