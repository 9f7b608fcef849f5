package io.ha.testkit.check;

import java.util.Collection;

/** Text of a report: a headline, then each non-empty finding with at most {@value #SHOWN} of its entries. */
final class Describe {
    static final int SHOWN = 20;

    private final StringBuilder text;

    Describe(String headline) {
        this.text = new StringBuilder(headline);
    }

    Describe section(String title, Collection<?> items) {
        if (items.isEmpty()) {
            return this;
        }
        text.append(System.lineSeparator()).append(title).append(" (").append(items.size()).append("):");
        int shown = 0;
        for (Object item : items) {
            if (shown++ == SHOWN) {
                text.append(System.lineSeparator()).append("  ... and ").append(items.size() - SHOWN).append(" more");
                break;
            }
            text.append(System.lineSeparator()).append("  ").append(item);
        }
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
