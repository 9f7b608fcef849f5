package io.ha.spring;

/**
 * A bad {@code ha.*} property, found while building the cluster at start-up. {@link HaFailureAnalyzer} turns it into
 * Spring Boot's failure report naming the property. The message never holds a secret's value.
 */
public class InvalidHaPropertyException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String property;

    public InvalidHaPropertyException(String property, String problem) {
        super(property + ": " + problem);
        this.property = property;
    }

    /** The property's name, such as {@code ha.session.timeout}. */
    public String property() {
        return property;
    }

    /** What is wrong with it, without the property's name. */
    public String problem() {
        return getMessage().substring(property.length() + 2);
    }
}
