package io.ha.agent.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/**
 * Logging of the ha-ctl process (only when started through {@link CtlMain#main}; in-process callers such as tests
 * keep their own): everything to stderr, so stdout carries command output alone. By default only WARN and above,
 * one line each without stack traces. Dropped: the ZooKeeper client's per-retry connection warnings and Curator's
 * connection-timeout errors (ha-ctl reports an unreachable server itself, naming the connect string), and
 * HaCluster's warning that the servers granted another session timeout than asked for (a tool's short-lived session
 * does not care). {@code --verbose} shows INFO and full stack traces.
 */
final class Logging {
    private static volatile boolean owned;

    private Logging() {
    }

    /**
     * Sets ha-ctl's logging up: through {@link CtlLogConfigurator} when Logback starts now (no logback.xml is read),
     * else by replacing whatever configuration it found on the class path (the agent daemon's).
     */
    static void configureQuiet() {
        System.setProperty(CtlLogConfigurator.PROPERTY, "true");
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        if (!owned) {
            context.reset();
            quiet(context);
        }
    }

    /** ha-ctl's quiet console set-up, on a context with no appenders. */
    static void quiet(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        // The exception (and its causes) without stack frames, on the same line as the message.
        encoder.setPattern("ha-ctl: %level %logger{0}: %msg"
                + "%replace(%replace( %ex{0}){'\\s+$', ''}){'\\s*[\\r\\n]+\\s*', ' / '}%n%nopex");
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        root.setLevel(Level.WARN);
        context.getLogger("org.apache.zookeeper.ClientCnxn").setLevel(Level.ERROR);
        context.getLogger("org.apache.curator.ConnectionState").setLevel(Level.OFF);
        context.getLogger("io.ha.core.cluster.HaCluster").setLevel(Level.ERROR);
        owned = true;
    }

    /** INFO from ZooKeeper, Curator and HA with full stack traces; only if {@link #configureQuiet} ran. */
    static void verbose() {
        if (!owned || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.iteratorForAppenders().forEachRemaining(a -> {
            if (a instanceof ConsoleAppender<ILoggingEvent> console
                    && console.getEncoder() instanceof PatternLayoutEncoder encoder) {
                encoder.stop();
                encoder.setPattern("ha-ctl: %d{HH:mm:ss.SSS} %level [%thread] %logger{36}: %msg%n");
                encoder.start();
            }
        });
        root.setLevel(Level.INFO);
        context.getLogger("org.apache.zookeeper.ClientCnxn").setLevel(null);
        context.getLogger("org.apache.curator.ConnectionState").setLevel(null);
        context.getLogger("io.ha.core.cluster.HaCluster").setLevel(null);
    }
}
