package io.ha.agent.cli;

import io.ha.core.cluster.Credentials;
import io.ha.core.cluster.Roles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ha-ctl digest [ROLE]}: prints the digest identity of credentials ({@code user:base64(sha1(user:password))}),
 * the line a roles file lists for them. Reads the credentials like every command (--auth-file, HA_ZK_AUTH,
 * HA_ZK_AUTH_FILE), else one {@code user:password} line from standard input; never prints the password. Needs no
 * ZooKeeper.
 */
@Command(name = "digest", mixinStandardHelpOptions = true,
        description = {"Print the digest identity of ZooKeeper credentials: the line a roles file (zk.roles.file, "
                + "--roles-file) lists for them, such as 'agent ops:Xyz...='.",
                "The credentials come from --auth-file, $HA_ZK_AUTH or $HA_ZK_AUTH_FILE, else from one "
                + "user:password line on standard input. The password is never printed; the digest allows guessing "
                + "a weak password offline, so keep roles files private."},
        footer = {"", "Examples:", "  ha-ctl digest agent --auth-file /etc/ha/agent.auth >> /etc/ha/roles",
                "  echo \"ci:$CI_SECRET\" | ha-ctl digest submitter"})
final class DigestCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "ROLE",
            description = "agent, submitter or reader: printed before the identity, as a roles file line.")
    String role;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CtlMain root = CtlMain.rootOf(spec.commandLine());
        if (role != null) {
            try {
                Roles.Role.valueOf(role.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw CtlException.usage("unknown role '" + role + "': agent, submitter or reader");
            }
        }
        Credentials credentials = ClusterConnection.credentials(root.options(), root.env());
        if (credentials == null) {
            String line = new BufferedReader(new InputStreamReader(root.stdin(), StandardCharsets.UTF_8)).readLine();
            try {
                credentials = Credentials.parse(line == null ? null : line.strip());
            } catch (IllegalArgumentException e) {
                throw CtlException.usage("digest needs credentials: give --auth-file FILE, set "
                        + ClusterConnection.ENV_AUTH + " or " + ClusterConnection.ENV_AUTH_FILE
                        + ", or write one user:password line to standard input (" + e.getMessage() + ")");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println((role == null ? "" : role.toLowerCase(Locale.ROOT) + " ") + credentials.digestId());
        out.flush();
        return CtlException.OK;
    }
}
