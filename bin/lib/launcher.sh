# shellcheck shell=bash
# The part every bin/ha-* launcher shares; sourced, never run. It decides where the classes come from:
#
#   installed copy (bin/ha-install made it: lib/INSTALLED next to bin/): lib/*.jar only. Sources, pom.xml and mvn
#     are never looked at, even if they appear beside bin/ (a task able to write there could otherwise plant sources
#     that the next start compiles and runs).
#   source checkout (anything else): <module>/target/classes and <module>/target/lib, rebuilt with Maven when a
#     pom.xml or a file under */src is newer than the launcher's stamp, one build at a time per user (flock).
#
# A launcher sets ha_name (its name, for messages) and ha_build_fail (the exit code when a build is impossible) and
# then calls ha_build_if_stale (a no-op in an installed copy) and ha_classpath.

ha_home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ha_java=java
[[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] && ha_java=$JAVA_HOME/bin/java

# True in a copy made by bin/ha-install.
ha_installed() {
    [[ -f $ha_home/lib/INSTALLED ]]
}

# ha_need_installed MODULE: fails (exit ha_build_fail) unless lib/MODULE.jar is there; the classes are not looked for
# inside the jar, the JVM names a missing one itself.
ha_need_installed() {
    local module=$1
    if [[ ! -f $ha_home/lib/$module.jar ]]; then
        echo "$ha_name: $ha_home/lib/$module.jar is missing: run bin/ha-install $ha_home again from a source" \
            "checkout" >&2
        exit "${ha_build_fail:-1}"
    fi
}

# ha_stale STAMP PATH...: true when one of the given build outputs is missing, the stamp is missing, or a pom.xml or a
# file under */src is newer than the stamp (source checkouts only).
ha_stale() {
    local stamp=$1 path
    shift
    for path in "$@"; do
        [[ -e $ha_home/$path ]] || return 0
    done
    [[ -f $ha_home/$stamp ]] || return 0
    [[ -n $(cd "$ha_home" && find pom.xml ./*/pom.xml ./*/src -newer "$stamp" -type f -print -quit 2>/dev/null) ]]
}

ha_build() {
    local stamp=$1 message=$2
    echo "$ha_name: $message" >&2
    command -v mvn >/dev/null || {
        echo "$ha_name: Maven (mvn) is needed to build HA; install it first" >&2
        exit "${ha_build_fail:-1}"
    }
    # stdout is the program's (ha-ctl's command output): Maven's goes to stderr.
    (cd "$ha_home" && mvn -B -q -DskipTests install) >&2 || {
        echo "$ha_name: the build failed" >&2
        exit "${ha_build_fail:-1}"
    }
    touch "$ha_home/$stamp"
}

# ha_build_if_stale STAMP PATH...: in a source checkout, builds with Maven when ha_stale says so. Several launchers
# started at once (the demo, a test) must not run Maven in the same tree at the same time: the check is repeated
# under a per-user lock, so the second one finds the first one's build. In an installed copy: never (see the top).
ha_build_if_stale() {
    ha_installed && return 0
    ha_stale "$@" || return 0
    local message="rebuilding HA (sources changed)..."
    [[ -d $ha_home/ha-agent/target/classes ]] || message="building HA (first run)..."
    if command -v flock >/dev/null; then
        exec 9>"${TMPDIR:-/tmp}/ha-build-$(id -u).lock"
        flock 9
        if ha_stale "$@"; then ha_build "$1" "$message"; fi
        flock -u 9
        exec 9>&-
    else
        ha_build "$1" "$message"
    fi
}

# ha_classpath MODULE: the class path of a program of MODULE (ha-agent or samples). In an installed copy the module's
# own jar comes first (its resources win), then lib/*, every jar.
ha_classpath() {
    local module=$1
    if ha_installed; then
        ha_need_installed "$module"
        printf '%s' "$ha_home/lib/$module.jar:$ha_home/lib/*"
    else
        printf '%s' "$ha_home/$module/target/classes:$ha_home/$module/target/lib/*"
    fi
}

# ha_logback MODULE [SOURCE_FILE]: sets the array ha_logging to the JVM option naming the Logback configuration: in an
# installed copy MODULE's own logback.xml, by URL inside its jar (ha-agent's and samples' jars each hold one, and
# Logback prints a warning and its whole status to the console when it finds two on the class path); in a source
# checkout SOURCE_FILE, or nothing (the class path's first logback.xml, as before).
ha_logback() {
    ha_logging=()
    if ha_installed; then
        ha_logging=("-Dlogback.configurationFile=jar:file:$ha_home/lib/$1.jar!/logback.xml")
    elif [[ -n ${2:-} ]]; then
        ha_logging=("-Dlogback.configurationFile=$2")
    fi
}
