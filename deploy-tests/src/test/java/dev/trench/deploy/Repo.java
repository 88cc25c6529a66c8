package dev.trench.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository this module lives in: found by walking up to the directory holding {@code k8s/}. */
final class Repo {
    private static final Pattern PARENT_VERSION = Pattern.compile(
            "<artifactId>trench-parent</artifactId>\\s*<version>([^<]+)</version>");

    private static Path root;

    private Repo() {
    }

    /** The repository root: the first directory, from the working directory up, holding {@code k8s/} and a pom. */
    static synchronized Path root() {
        if (root == null) {
            Path start = Path.of("").toAbsolutePath();
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                if (Files.isDirectory(dir.resolve("k8s")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                    root = dir;
                    return root;
                }
            }
            throw new AssertionError("No directory holding k8s/ and pom.xml above " + start);
        }
        return root;
    }

    /** A file of the repository, by its path from the root. */
    static Path path(String relative) {
        return root().resolve(relative);
    }

    /** A file's text (UTF-8); fails the test when it is missing. */
    static String read(String relative) {
        return read(path(relative));
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    /** The project version: the root pom's {@code <version>}, what docker-build.sh tags the image with. */
    static String projectVersion() {
        Matcher m = PARENT_VERSION.matcher(read("pom.xml"));
        if (!m.find()) {
            throw new AssertionError("No trench-parent <version> in " + path("pom.xml"));
        }
        return m.group(1).trim();
    }
}
