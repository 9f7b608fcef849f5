package io.ha.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a bad {@code ha.*} property as Spring Boot's "APPLICATION FAILED TO START" analysis: the property, what is
 * wrong with it, and what to do. Registered in {@code META-INF/spring.factories}.
 */
public class HaFailureAnalyzer extends AbstractFailureAnalyzer<InvalidHaPropertyException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidHaPropertyException cause) {
        return new FailureAnalysis("The property '" + cause.property() + "' is invalid: " + cause.problem(),
                "Fix '" + cause.property() + "' in the application's configuration (see the ha.* properties of "
                        + "ha-spring-boot-starter).", cause);
    }
}
