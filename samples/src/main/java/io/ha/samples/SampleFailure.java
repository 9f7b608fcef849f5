package io.ha.samples;

/** A sample cannot go on (a process died, something did not happen in time); the message says why, for the console. */
public final class SampleFailure extends Exception {
    public SampleFailure(String message) {
        super(message);
    }
}
