package io.ha.core.cluster;

import com.google.common.base.Preconditions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.zookeeper.data.ACL;

/**
 * Who may do what in one cluster: the ZooKeeper digest identities ({@code user:base64(sha1(user:password))}, as
 * {@code ha-ctl digest} prints them) of its agents, submitters and readers. With roles, every node a process creates
 * grants ALL to the agents, and to submitters and readers what their role needs ({@link Role}); every process of the
 * cluster is given the same roles.
 *
 * <p>Guarantee: an instance has at least one agent, well-formed digest ids only, and no user in two roles. Not
 * guaranteed: that the digests match anyone's password; a process whose own credentials are not listed is refused
 * when it starts. Digest ids are not secrets, but they allow guessing a weak password offline: keep the file private.
 */
public record Roles(Set<String> agents, Set<String> submitters, Set<String> readers) {
    /** What an identity may do. */
    public enum Role {
        /** Register, lead, claim tasks and record their outcomes: everything. */
        AGENT,
        /** Read everything; submit, cancel and retry tasks, groups and schedules; set limits; drain agents. */
        SUBMITTER,
        /** Read everything, change nothing. */
        READER
    }

    public Roles {
        agents = ids("agent", agents);
        submitters = ids("submitter", submitters);
        readers = ids("reader", readers);
        Preconditions.checkArgument(!agents.isEmpty(), "roles need at least one agent identity");
        Map<String, String> roleOfUser = new HashMap<>();
        for (Role role : Role.values()) {
            for (String id : of(role, agents, submitters, readers)) {
                String previous = roleOfUser.put(user(id), role.name().toLowerCase());
                Preconditions.checkArgument(previous == null || previous.equals(role.name().toLowerCase()),
                        "user '%s' is listed as %s and as %s: give each role its own user", user(id), previous,
                        role.name().toLowerCase());
            }
        }
    }

    /**
     * Reads roles text: one identity per line, {@code agent|submitter|reader USER:DIGEST}; {@code #} starts a
     * comment, blank lines are skipped.
     *
     * @throws IllegalArgumentException naming the line number and what is wrong with it (never a password: the file
     *                                  holds none)
     */
    public static Roles parse(String text) {
        List<Set<String>> byRole = List.of(new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].contains("#") ? lines[i].substring(0, lines[i].indexOf('#')) : lines[i];
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\s+");
            Preconditions.checkArgument(parts.length == 2, "roles line %s: expected 'agent|submitter|reader "
                    + "USER:DIGEST' (as 'ha-ctl digest USER' prints it), got %s words", i + 1, parts.length);
            Role role;
            try {
                role = Role.valueOf(parts[0].toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("roles line " + (i + 1) + ": unknown role '" + parts[0]
                        + "' (agent, submitter or reader)");
            }
            try {
                checkId(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("roles line " + (i + 1) + ": " + e.getMessage());
            }
            byRole.get(role.ordinal()).add(parts[1]);
        }
        return new Roles(byRole.get(0), byRole.get(1), byRole.get(2));
    }

    /**
     * {@link #parse} of a file's contents.
     *
     * @throws IllegalArgumentException naming the file and the problem
     */
    public static Roles read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read roles file " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("roles file " + file + ": " + e.getMessage());
        }
    }

    /** The role of these credentials, if they are listed. */
    public Optional<Role> roleOf(Credentials credentials) {
        String id = credentials.digestId();
        for (Role role : Role.values()) {
            if (of(role, agents, submitters, readers).contains(id)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    /** Every listed identity, any role. */
    public Set<String> all() {
        Set<String> all = new TreeSet<>(agents);
        all.addAll(submitters);
        all.addAll(readers);
        return Collections.unmodifiableSet(all);
    }

    /** The canonical text ({@link #parse} reads it back to an equal value): roles in order, ids sorted. */
    public String toText() {
        List<String> lines = new ArrayList<>();
        for (Role role : Role.values()) {
            of(role, agents, submitters, readers).stream().sorted()
                    .forEach(id -> lines.add(role.name().toLowerCase() + " " + id));
        }
        return String.join("\n", lines) + "\n";
    }

    /**
     * The ACL a node at {@code path} gets in the cluster at {@code clusterRoot} when {@code creator} creates it: what
     * {@code ha-ctl secure --roles-file} applies to an existing tree.
     */
    public List<ACL> aclFor(String clusterRoot, String path, Credentials creator) {
        return new RoleAcls(clusterRoot, this, creator).getAclForPath(path);
    }

    /** The user part of a digest id. */
    static String user(String digestId) {
        return digestId.substring(0, digestId.indexOf(':'));
    }

    private static Set<String> of(Role role, Set<String> agents, Set<String> submitters, Set<String> readers) {
        return switch (role) {
            case AGENT -> agents;
            case SUBMITTER -> submitters;
            case READER -> readers;
        };
    }

    private static Set<String> ids(String role, Set<String> ids) {
        Preconditions.checkArgument(ids != null, "%s identities must not be null", role);
        ids.forEach(Roles::checkId);
        return Collections.unmodifiableSet(new TreeSet<>(ids));
    }

    private static void checkId(String id) {
        int colon = id == null ? -1 : id.indexOf(':');
        Preconditions.checkArgument(colon > 0, "a digest identity has the form USER:DIGEST, got '%s'", id);
        byte[] hash;
        try {
            hash = Base64.getDecoder().decode(id.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            hash = new byte[0];
        }
        Preconditions.checkArgument(hash.length == 20, "the digest of user '%s' must be base64 of a SHA-1 hash "
                + "(28 characters, as 'ha-ctl digest' prints it)", id.substring(0, colon));
    }
}
