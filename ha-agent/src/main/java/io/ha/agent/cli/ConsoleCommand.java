package io.ha.agent.cli;

import io.ha.agent.config.ConfigLoader;
import io.ha.agent.config.FileAccess;
import io.ha.agent.config.Secret;
import io.ha.agent.console.ConsoleSettings;
import io.ha.agent.http.AgentHttpServer;
import io.ha.core.cluster.ProcessIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ha-ctl console}: the agents' web console served from this process, off the agents, through ha-ctl's own
 * ZooKeeper connection (its credentials, TLS and roles), until Ctrl-C.
 *
 * <p>Guarantees: binds to 127.0.0.1 unless {@code --host} says otherwise; signs in only with the token of
 * {@code --token-file} or {@code HA_CONSOLE_TOKEN}, and without one is read-only for everyone (and says so); the
 * same Host check, CSRF check and headers as on an agent (it is the same {@code ConsoleHandler}). Not guaranteed:
 * TLS to the browser (plain HTTP: keep it on loopback or put TLS in front).
 */
@Command(name = "console", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve the web console (the agents' /ui) from here, until Ctrl-C.",
                "Read-only unless a sign-in token is given (--token-file or $" + ConsoleCommand.ENV_TOKEN + ")."})
final class ConsoleCommand extends CtlCommand {
    static final String ENV_TOKEN = "HA_CONSOLE_TOKEN";
    private static final long STOP_WAIT_SECONDS = 10;

    @Option(names = "--port", paramLabel = "N", defaultValue = "0",
            description = "Port to serve on (default ${DEFAULT-VALUE}: a free one, printed).")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to bind (default ${DEFAULT-VALUE}; anything else exposes the console).")
    String host;

    @Option(names = "--host-name", paramLabel = "NAME", split = ",",
            description = "Further names browsers may reach it by (the Host header check); comma-separated.")
    List<String> hostNames = new ArrayList<>();

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the token that signs operators in (default: $" + ENV_TOKEN + "). "
                    + "Never printed.")
    Path tokenFile;

    private Secret token;

    @Override
    protected void validate() {
        if (port < 0 || port > 65_535) {
            throw CtlException.usage("--port must be in 0-65535 (0 picks a free port), got " + port);
        }
        if (host == null || host.isBlank()) {
            throw CtlException.usage("--host must name an address, such as 127.0.0.1");
        }
        for (String name : hostNames) {
            if (!name.matches("[A-Za-z0-9.:\\[\\]-]{1,253}")) {
                throw CtlException.usage("--host-name '" + name + "' is not a host name");
            }
        }
        token = token();
    }

    private Secret token() {
        String value;
        String origin;
        if (tokenFile != null) {
            origin = "--token-file " + tokenFile;
            try {
                value = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw CtlException.usage(origin + ": cannot read the file (" + e.getClass().getSimpleName() + ")");
            }
            FileAccess.secretExposed(tokenFile).ifPresent(problem -> {
                throw CtlException.usage(origin + ": the token file " + problem);
            });
        } else {
            origin = ENV_TOKEN;
            value = root.env().get(ENV_TOKEN);
            if (value == null || value.isBlank()) {
                return null;
            }
            value = value.strip();
        }
        if (value.length() < ConfigLoader.MIN_TOKEN_LENGTH || value.chars().anyMatch(Character::isWhitespace)) {
            throw CtlException.usage(origin + ": expected a token of at least " + ConfigLoader.MIN_TOKEN_LENGTH
                    + " characters without spaces (the value is not shown)");
        }
        return new Secret(value);
    }

    @Override
    protected int run(ClusterConnection connection) throws Exception {
        ConsoleSettings settings = ConsoleSettings.of(host, ProcessIdentity.hostName(), hostNames, token);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C runs the shutdown hooks and then ends the JVM: the hook wakes run() and waits while it closes the
        // server and the ZooKeeper session (closed, the session ends at once on the server instead of expiring).
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ha-ctl-console-stop");
        try (AgentHttpServer server = AgentHttpServer.startConsole(host, port, settings, connection::cluster)) {
            Runtime.getRuntime().addShutdownHook(hook);
            out().println("HA console for " + connection.describe() + ": http://" + server.endpoint() + "/ui/");
            out().println(token == null
                    ? "read-only: no sign-in token (give --token-file FILE or set " + ENV_TOKEN + " to allow actions)"
                    : "sign in with the token from " + (tokenFile != null ? "--token-file" : ENV_TOKEN)
                    + " to act; read-only until then");
            out().println("Ctrl-C stops it.");
            out().flush();
            stop.await();
        } catch (IOException e) {
            throw CtlException.failed(e.getMessage());
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Shutting down already (Ctrl-C): the hook is running and waits for 'stopped'.
            }
        }
        err().println("ha-ctl: console stopped");
        err().flush();
        connection.close();
        stopped.countDown();
        return CtlException.OK;
    }
}
