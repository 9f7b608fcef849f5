package io.ha.agent.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's first configurator (a service of this jar): in an ha-ctl process ({@link CtlMain#main} sets
 * {@value #PROPERTY} before anything logs) it applies ha-ctl's quiet console set-up itself, so Logback never parses
 * the agent's logback.xml only for ha-ctl to throw it away (a fifth of ha-ctl's start-up: the XML parser and
 * Joran's classes). Anywhere else (the agent, the samples, tests) it steps aside and Logback configures as usual.
 */
public final class CtlLogConfigurator extends ContextAwareBase implements Configurator {
    /** Set to {@code true} by ha-ctl's main only. */
    static final String PROPERTY = "ha.ctl.logging";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (!Boolean.getBoolean(PROPERTY)) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Logging.quiet(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
