package io.ha.agent.zk;

import io.ha.agent.config.FileAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes a small TLS setup for ZooKeeper with the JDK's {@code keytool}: a certificate authority, a server certificate
 * for {@code localhost} and {@code 127.0.0.1}, and a client certificate, each key store PKCS12 with a random
 * password in a 0600 file, all in one 0700 directory. For {@code bin/ha-zk --tls} without given stores, and for
 * tests.
 *
 * <p>Guarantee: {@link #create} returns only when every file exists; passwords go to keytool as files
 * ({@code -storepass:file}), never on a command line. Not guaranteed: anything a production CA gives (revocation,
 * rotation); the CA key stays in the directory, so whoever reads it can issue certificates that the setup trusts.
 *
 * @param dir the directory holding everything
 */
public record Certificates(Path dir) {
    private static final Duration KEYTOOL_TIMEOUT = Duration.ofSeconds(60);

    /** The trust store holding the CA's certificate (for clients and the server). */
    public Path trustStore() {
        return dir.resolve("truststore.p12");
    }

    public Path serverKeyStore() {
        return dir.resolve("server.p12");
    }

    public Path clientKeyStore() {
        return dir.resolve("client.p12");
    }

    /** One password file for all stores of the setup (0600). */
    public Path passwordFile() {
        return dir.resolve("store.password");
    }

    /** Makes a fresh setup in {@code dir} (created 0700); the client certificate's name is {@code clientName}. */
    public static Certificates create(Path dir, String clientName) throws IOException, InterruptedException {
        FileAccess.createPrivateDirectories(dir);
        Certificates c = new Certificates(dir);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        Path pw = c.passwordFile();
        Files.deleteIfExists(pw);
        Files.createFile(pw, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pw, HexFormat.of().formatHex(random), StandardCharsets.US_ASCII);
        Path ca = dir.resolve("ca.p12");
        for (Path p : List.of(ca, c.trustStore(), c.serverKeyStore(), c.clientKeyStore())) {
            Files.deleteIfExists(p);
        }
        c.keytool("-genkeypair", "-alias", "ca", "-dname", "CN=HA ZooKeeper CA", "-ext", "bc:c",
                "-validity", "3650", "-keystore", ca.toString());
        Path caCert = dir.resolve("ca.crt");
        c.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file", caCert.toString());
        c.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCert.toString(),
                "-keystore", c.trustStore().toString());
        c.signed(ca, caCert, c.serverKeyStore(), "server", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        c.signed(ca, caCert, c.clientKeyStore(), "client", "CN=" + clientName, null);
        return c;
    }

    private void signed(Path ca, Path caCert, Path store, String alias, String dname, String san)
            throws IOException, InterruptedException {
        keytool("-genkeypair", "-alias", alias, "-dname", dname, "-validity", "825", "-keystore", store.toString());
        Path csr = dir.resolve(alias + ".csr");
        Path crt = dir.resolve(alias + ".crt");
        keytool("-certreq", "-alias", alias, "-keystore", store.toString(), "-file", csr.toString());
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(),
                "-infile", csr.toString(), "-outfile", crt.toString(), "-validity", "825"));
        if (san != null) {
            gencert.addAll(List.of("-ext", san));
        }
        keytool(gencert.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCert.toString(), "-keystore", store.toString());
        keytool("-importcert", "-alias", alias, "-file", crt.toString(), "-keystore", store.toString());
        Files.delete(csr);
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass:file", passwordFile().toString()));
        if (args[0].equals("-genkeypair")) {
            command.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1"));
        }
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(KEYTOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " did not finish within " + KEYTOOL_TIMEOUT.toSeconds()
                    + "s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed (exit " + p.exitValue() + "): "
                    + new String(output, StandardCharsets.UTF_8).strip());
        }
    }
}
