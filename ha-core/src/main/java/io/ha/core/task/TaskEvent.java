package io.ha.core.task;

/**
 * One entry of a task's state history.
 *
 * @param at      epoch milliseconds
 * @param state   the state entered
 * @param attempt the attempt number (1-based) it concerns
 * @param agent   the agent involved, or null
 * @param detail  why (error text, reassignment reason), or null
 */
public record TaskEvent(long at, TaskState state, int attempt, String agent, String detail) {
}
