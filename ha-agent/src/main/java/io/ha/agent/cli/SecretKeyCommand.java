package io.ha.agent.cli;

import io.ha.agent.exec.SecretCipher;
import io.ha.agent.exec.SecretException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ha-ctl secret-key FILE}: writes a new cluster secret key (base64 of 32 random bytes, mode 0600) and prints its
 * key id. Needs no connection. Refuses (exit 2) an existing file: a new key would make every value sealed under the
 * old one unreadable.
 */
@Command(name = "secret-key", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a new secret key for exec variables to FILE (mode 0600; never overwrites) and print its "
                + "key id.", "Give the file to the agents as exec.secret.key.file and to ha-ctl as --secret-key-file "
                + "(or $" + SecretSealer.ENV_KEY_FILE + ") to seal --env-secret values."})
final class SecretKeyCommand implements Callable<Integer> {
    /** {@code --json} output. */
    record Key(String file, String keyId) {
    }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The key file to create.")
    Path file;

    @Override
    public Integer call() {
        SecretCipher cipher;
        try {
            cipher = SecretCipher.generate(file);
        } catch (SecretException e) {
            throw CtlException.usage(e.getMessage());
        }
        if (CtlMain.rootOf(spec.commandLine()).options().json) {
            Json.print(spec.commandLine().getOut(), new Key(file.toString(), cipher.keyId()));
        } else {
            spec.commandLine().getOut().println(cipher.keyId());
        }
        return CtlException.OK;
    }
}
