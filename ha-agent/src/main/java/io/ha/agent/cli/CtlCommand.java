package io.ha.agent.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every ha-ctl command shares: the global options (through the parent {@link CtlMain}), the output streams, and
 * the connect-run-close sequence. A command checks its own arguments in {@link #validate()} before any connection is
 * made (so usage errors are fast and exit 2), then does its work in {@link #run(ClusterConnection)} and returns the
 * exit code.
 */
abstract class CtlCommand implements Callable<Integer> {
    /** The top command; found by walking up, as a command may sit below a group ({@code schedule add}). */
    CtlMain root;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        root = CtlMain.rootOf(spec.commandLine());
        validate();
        if (root.options().verbose) {
            Logging.verbose();
        }
        try (ClusterConnection connection = ClusterConnection.open(root.options(), root.env())) {
            int code = run(connection);
            out().flush();
            return code;
        }
    }

    /** Checks arguments that need no connection. @throws CtlException USAGE naming the problem */
    protected void validate() {
    }

    protected abstract int run(ClusterConnection connection) throws Exception;

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    protected boolean json() {
        return root.options().json;
    }

    /** Prints {@code value} as indented JSON on stdout. */
    protected void printJson(Object value) {
        Json.print(out(), value);
    }

    /** One line on stderr, prefixed like every ha-ctl message. */
    protected void warn(String message) {
        err().println("ha-ctl: " + message);
    }
}
