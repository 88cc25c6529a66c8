package dev.trench.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's Dockerfile and build script, checked as files (no Docker engine needed): what the manifests rely on
 * (uid, ports, the role as argument, java as PID 1) and what the machine's legacy builder accepts.
 */
class ImageTest {
    static final String DOCKERFILE = "examples/auction/Dockerfile";
    static final String BUILD_SCRIPT = "examples/auction/docker-build.sh";
    private static final Pattern JSON_STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The Dockerfile's instructions, continuation lines joined, comments dropped. */
    static List<String> instructions() {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Repo.read(DOCKERFILE).split("\n")) {
            String trimmed = line.strip();
            if (current.length() == 0 && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            out.add(current.toString());
            current.setLength(0);
        }
        return out;
    }

    private static List<String> named(String keyword) {
        return instructions().stream().filter(i -> i.regionMatches(true, 0, keyword + " ", 0, keyword.length() + 1))
                .map(i -> i.substring(keyword.length() + 1).strip()).toList();
    }

    /** The numeric uid and gid of the Dockerfile's last USER (the manifests' runAsUser/runAsGroup). */
    static int[] dockerfileUser() {
        List<String> users = named("USER");
        assertThat(users).as("USER in " + DOCKERFILE).isNotEmpty();
        String user = users.get(users.size() - 1);
        assertThat(user).as("USER must be numeric uid:gid (Kubernetes' runAsNonRoot can only verify numbers)")
                .matches("\\d+:\\d+");
        String[] parts = user.split(":");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    private static List<String> execForm(String instruction, String value) {
        assertThat(value).as(instruction + " must use the exec form (a JSON array)").startsWith("[").endsWith("]");
        List<String> words = new ArrayList<>();
        Matcher m = JSON_STRING.matcher(value);
        while (m.find()) {
            words.add(m.group(1));
        }
        return words;
    }

    @Test
    @DisplayName("the base image comes from BASE_IMAGE, defaulting to a public JRE, with no BuildKit-only syntax")
    void baseImageFromABuildArgument() {
        List<String> all = instructions();
        assertThat(all.get(0)).isEqualTo("ARG BASE_IMAGE=eclipse-temurin:17-jre");
        assertThat(named("FROM")).containsExactly("${BASE_IMAGE}");
        String text = Repo.read(DOCKERFILE);
        assertThat(text).as("no BuildKit-only syntax (the machine's builder is the legacy one)")
                .doesNotContain("--mount=").doesNotContain("<<").doesNotContainPattern("(?m)^#\\s*syntax=");
        assertThat(named("HEALTHCHECK")).as("no HEALTHCHECK: Kubernetes probes the pods").isEmpty();
        assertThat(named("COPY")).as("the jar Maven built").anyMatch(c -> c.startsWith("target/auction.jar "));
    }

    @Test
    @DisplayName("java is PID 1 (exec-form ENTRYPOINT) and the role is the argument, 'all' by default")
    void javaIsPidOneAndTheRoleIsTheArgument() {
        List<String> entrypoints = named("ENTRYPOINT");
        assertThat(entrypoints).hasSize(1);
        List<String> entrypoint = execForm("ENTRYPOINT", entrypoints.get(0));
        assertThat(entrypoint.get(0)).as("SIGTERM must reach the JVM: no shell in front").isEqualTo("java");
        assertThat(entrypoint).containsSubsequence("-jar", "/app/auction.jar")
                .anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage="))
                .contains("-XX:+ExitOnOutOfMemoryError");
        assertThat(entrypoint.get(entrypoint.size() - 1)).isEqualTo("/app/auction.jar");
        List<String> cmd = execForm("CMD", named("CMD").get(0));
        assertThat(cmd).containsExactly("all");
        assertThat(AuctionCode.get().roles).containsKey(cmd.get(0));
    }

    @Test
    @DisplayName("the JVM caches DNS answers for less time than the roles re-resolve the headless Services")
    void dnsCacheShorterThanReResolution() {
        List<String> entrypoint = execForm("ENTRYPOINT", named("ENTRYPOINT").get(0));
        int ttl = entrypoint.stream().filter(a -> a.startsWith("-Dsun.net.inetaddr.ttl=")).findFirst()
                .map(a -> Integer.parseInt(a.substring(a.indexOf('=') + 1)))
                .orElseThrow(() -> new AssertionError("ENTRYPOINT sets no -Dsun.net.inetaddr.ttl: the JVM would cache"
                        + " the headless Services' answers for 30 s"));
        int http = seconds("transport-http/src/main/java/dev/trench/transport/http/HttpCommandSenderConfig.java",
                "dnsRefreshInterval\\s*=\\s*Duration\\.ofSeconds\\((\\d+)\\)");
        int zmq = seconds("transport-zmq/src/main/java/dev/trench/transport/zmq/ZmqTarget.java",
                "new ZmqTarget\\(List\\.of\\(\\), host, port, Duration\\.ofSeconds\\((\\d+)\\)");
        assertThat(ttl).as("DNS cache (s) vs the API's worker re-resolution (%d s) and the workers' websocket-node"
                + " re-resolution (%d s)", http, zmq).isPositive().isLessThan(Math.min(http, zmq));
    }

    private static int seconds(String file, String regex) {
        Matcher m = Pattern.compile(regex).matcher(Repo.read(file));
        if (!m.find()) {
            throw new AssertionError(file + " no longer matches " + regex + ": update this test");
        }
        return Integer.parseInt(m.group(1));
    }

    @Test
    @DisplayName("the image's user and ports are the manifests' runAsUser/runAsGroup and container ports")
    void imageAgreesWithTheManifests() {
        int[] user = dockerfileUser();
        assertThat(user[0]).as("uid").isNotZero();
        Manifests m = Manifests.overlay("dev");
        Set<Integer> exposed = new TreeSet<>();
        for (String expose : named("EXPOSE")) {
            for (String port : expose.split("\\s+")) {
                exposed.add(Integer.parseInt(port.replace("/tcp", "")));
            }
        }
        Set<Integer> containerPorts = m.workloads().stream().filter(w -> w.role().isPresent())
                .flatMap(w -> w.ports().stream()).map(ContainerPort::getContainerPort)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(exposed).as("EXPOSE").isEqualTo(containerPorts);
        m.workloads().stream().filter(w -> w.role().isPresent()).forEach(w -> {
            var psc = w.template().getSpec().getSecurityContext();
            assertThat(psc.getRunAsUser()).as(w.id() + " runAsUser").isEqualTo((long) user[0]);
            assertThat(psc.getRunAsGroup()).as(w.id() + " runAsGroup").isEqualTo((long) user[1]);
        });
    }

    /**
     * A stand-in for the docker CLI: records every call, knows local/jre:17 when the file has-local-jre exists,
     * "builds" by checking the context and remembering the image's inputs label, answers image ls by that label.
     */
    private static final String FAKE_DOCKER = """
            #!/usr/bin/env bash
            state=$FAKE_DOCKER_STATE
            echo "$*" >> "$state/calls"
            case "$1" in
              info) exit 0 ;;
              image)
                case "$2" in
                  inspect)
                    name=${*: -1}
                    if [ "$name" = local/jre:17 ] && [ -f "$state/has-local-jre" ]; then
                      [ "$3" = -f ] && echo "sha256:localjre"
                      exit 0
                    fi
                    exit 1 ;;
                  ls)
                    want=""
                    for a in "$@"; do case $a in label=*) want=${a#label=} ;; esac; done
                    [ -f "$state/labels" ] && grep -F -- " $want" "$state/labels" | head -n 1 | cut -d ' ' -f 1
                    exit 0 ;;
                esac ;;
              build)
                shift; label=""
                while [ $# -gt 1 ]; do case $1 in --label) label=$2; shift 2 ;; *) shift ;; esac; done
                if [ ! -f "$1/Dockerfile" ] || [ ! -f "$1/target/auction.jar" ]; then echo "bad context $1" >&2; exit 1; fi
                n=$(( $(cat "$state/labels" 2>/dev/null | wc -l) + 1 ))
                echo "sha256:image$n $label" >> "$state/labels"
                echo "Successfully built image$n"
                exit 0 ;;
              tag) exit 0 ;;
            esac
            exit 0
            """;

    private record Run(int exit, String output, List<String> calls) {
        List<String> builds() {
            return calls.stream().filter(c -> c.startsWith("build ")).toList();
        }
    }

    private static Run runBuildScript(Path state, Path jar, String baseImage) throws IOException, InterruptedException {
        Path calls = state.resolve("calls");
        Files.deleteIfExists(calls);
        ProcessBuilder pb = new ProcessBuilder("bash", Repo.path(BUILD_SCRIPT).toString()).redirectErrorStream(true);
        pb.environment().put("PATH", state.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("FAKE_DOCKER_STATE", state.toString());
        pb.environment().put("AUCTION_JAR", jar.toString());
        pb.environment().remove("VERSION");
        pb.environment().remove("IMAGE");
        if (baseImage == null) {
            pb.environment().remove("BASE_IMAGE");
        } else {
            pb.environment().put("BASE_IMAGE", baseImage);
        }
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("docker-build.sh finished").isTrue();
        List<String> recorded = Files.exists(calls) ? Files.readAllLines(calls) : List.of();
        return new Run(p.exitValue(), output, recorded);
    }

    @Test
    @DisplayName("docker-build.sh tags version, commit and latest, and rebuilds only when an input changes")
    void buildScriptTagsAndSkipsUnchangedInputs(@TempDir Path state) throws IOException, InterruptedException {
        Path script = Repo.path(BUILD_SCRIPT);
        assertThat(Files.isExecutable(script)).as(script + " executable").isTrue();
        Process syntax = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        String syntaxOutput = new String(syntax.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(syntax.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(syntax.exitValue()).as("bash -n " + script + ": " + syntaxOutput).isZero();

        Path bin = Files.createDirectories(state.resolve("bin"));
        Path docker = bin.resolve("docker");
        Files.writeString(docker, FAKE_DOCKER);
        assertThat(docker.toFile().setExecutable(true)).isTrue();
        Files.createFile(state.resolve("has-local-jre"));
        Path jar = state.resolve("auction.jar");
        Files.writeString(jar, "jar v1");
        String version = Repo.projectVersion();

        Run first = runBuildScript(state, jar, null);
        assertThat(first.exit()).as(first.output()).isZero();
        assertThat(first.builds()).as("first run builds").hasSize(1);
        String build = first.builds().get(0);
        assertThat(build).as("local/jre:17 exists: it is the base")
                .contains("--build-arg BASE_IMAGE=local/jre:17", "--build-arg VERSION=" + version,
                        "-t trench/auction:" + version, "-t trench/auction:latest", "--label dev.trench.auction.inputs=");
        assertThat(build).as("a git commit tag").containsPattern("-t trench/auction:[0-9a-f]{7,}(-dirty)? ");

        Run second = runBuildScript(state, jar, null);
        assertThat(second.exit()).as(second.output()).isZero();
        assertThat(second.output()).contains("up to date");
        assertThat(second.builds()).as("unchanged inputs: no build").isEmpty();
        assertThat(second.calls().stream().filter(c -> c.startsWith("tag ")).toList()).as("tags re-applied")
                .hasSize(3).anyMatch(c -> c.endsWith(" trench/auction:" + version))
                .anyMatch(c -> c.endsWith(" trench/auction:latest"));

        Files.writeString(jar, "jar v2");
        Run changedJar = runBuildScript(state, jar, null);
        assertThat(changedJar.builds()).as("a new jar: rebuilt").hasSize(1);

        Files.delete(state.resolve("has-local-jre"));
        Run publicBase = runBuildScript(state, jar, null);
        assertThat(publicBase.builds()).as("no local/jre:17: the Dockerfile's default base, a new input").hasSize(1);
        assertThat(publicBase.builds().get(0)).doesNotContain("BASE_IMAGE=");

        Run explicitBase = runBuildScript(state, jar, "example/jre:17.0.15");
        assertThat(explicitBase.builds()).hasSize(1);
        assertThat(explicitBase.builds().get(0)).contains("--build-arg BASE_IMAGE=example/jre:17.0.15");

        Run noJar = runBuildScript(state, state.resolve("missing.jar"), null);
        assertThat(noJar.exit()).isEqualTo(1);
        assertThat(noJar.output()).contains("missing.jar is missing", "mvn -pl examples/auction");
    }
}
