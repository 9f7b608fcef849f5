package io.ha.agent.cli;

import io.ha.agent.exec.SecretCipher;
import io.ha.agent.exec.SecretException;
import io.ha.agent.exec.SecretReference;
import io.ha.agent.view.Text;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns what a user gives for a secret exec variable into the reference the payload stores: {@code file:NAME} as it
 * is (the agent reads {@code <exec.secrets.dir>/NAME}), {@code @LOCALFILE} and any other value sealed with the
 * cluster's key ({@code --secret-key-file FILE} or {@value #ENV_KEY_FILE}), a file's one final line break dropped.
 *
 * <p>Guarantee: no clear value leaves ha-ctl, and no error message repeats one; the key file is loaded once, only when
 * a value must be sealed, and refused when group or others can read it. Not guaranteed: that the agents hold the same
 * key or the named file (the task fails on the agent, naming the variable).
 */
final class SecretSealer {
    /** The environment variable naming the key file when {@code --secret-key-file} is not given. */
    static final String ENV_KEY_FILE = "HA_EXEC_SECRET_KEY_FILE";
    private static final int MAX_FILE_BYTES = 64 * 1024;

    private final String keyFile;
    private SecretCipher cipher;

    /** @param keyFileOption {@code --secret-key-file}, or null to take {@value #ENV_KEY_FILE} from {@code env} */
    SecretSealer(String keyFileOption, Map<String, String> env) {
        String fromEnv = env.get(ENV_KEY_FILE);
        this.keyFile = keyFileOption != null ? keyFileOption
                : fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip();
    }

    /**
     * Parses {@code --env-secret} arguments ({@code KEY=VALUE}, {@code KEY=@FILE}, {@code KEY=file:NAME}).
     *
     * @throws CtlException USAGE naming the problem (never the value)
     */
    Map<String, String> fromArguments(List<String> arguments) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String arg : arguments) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw CtlException.usage("--env-secret needs KEY=VALUE, KEY=@FILE or KEY=file:NAME (got an argument "
                        + (eq == 0 ? "without a name" : "without '='") + ")");
            }
            given.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return references(given, "--env-secret");
    }

    /**
     * @param what how the values are named in errors ({@code --env-secret}, {@code 'secretEnv'})
     * @return name to stored reference, in the given order
     * @throws CtlException USAGE naming the variable and the problem
     */
    Map<String, String> references(Map<String, String> given, String what) {
        Map<String, String> refs = new LinkedHashMap<>();
        given.forEach((name, spec) -> refs.put(name, reference(name, spec, what)));
        return refs;
    }

    private String reference(String name, String spec, String what) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw CtlException.usage(what + ": '" + Text.oneLine(name) + "' is not a variable name (letters, digits "
                    + "and '_', not starting with a digit)");
        }
        if (spec.isEmpty()) {
            throw CtlException.usage(what + " " + name + ": empty value");
        }
        if (spec.startsWith(SecretReference.FILE_PREFIX)) {
            try {
                return SecretReference.parse(spec).text();
            } catch (SecretException e) {
                throw CtlException.usage(what + " " + name + ": " + e.getMessage());
            }
        }
        String value = spec.startsWith("@") ? readLocal(name, spec.substring(1), what) : spec;
        return cipher(name, what).seal(name, value);
    }

    private String readLocal(String name, String file, String what) {
        Path path = Path.of(file);
        try {
            if (Files.size(path) > MAX_FILE_BYTES) {
                throw CtlException.usage(what + " " + name + ": " + file + " is over " + MAX_FILE_BYTES + " bytes");
            }
            String s = Files.readString(path, StandardCharsets.UTF_8);
            return s.endsWith("\r\n") ? s.substring(0, s.length() - 2)
                    : s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException e) {
            throw CtlException.usage(what + " " + name + ": cannot read " + file + " (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    private SecretCipher cipher(String name, String what) {
        if (cipher != null) {
            return cipher;
        }
        if (keyFile == null) {
            throw CtlException.usage(what + " " + name + ": a value is sealed with the cluster's secret key: give "
                    + "--secret-key-file FILE or set " + ENV_KEY_FILE + " (make a key with 'ha-ctl secret-key FILE' "
                    + "and give the agents the same file as exec.secret.key.file), or use KEY=file:NAME for a file "
                    + "in the agents' exec.secrets.dir");
        }
        try {
            cipher = SecretCipher.load(Path.of(keyFile));
        } catch (SecretException e) {
            throw CtlException.usage(e.getMessage());
        }
        return cipher;
    }
}
