package io.ha.agent.demo;

/** The demo cannot go on; the message says why, for the console. */
final class DemoFailure extends Exception {
    private static final long serialVersionUID = 1L;

    DemoFailure(String message) {
        super(message);
    }
}
