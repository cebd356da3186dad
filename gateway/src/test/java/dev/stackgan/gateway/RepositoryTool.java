package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A command-line tool (docker-compose, kubectl) run by the tests on the repository's deployment files. */
final class RepositoryTool {

    private RepositoryTool() {
    }

    /** The repository's root: the nearest directory above the working directory holding docker-compose.yml. */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("docker-compose.yml not found above " + Path.of("").toAbsolutePath());
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Standard output of {@code command} run in {@code dir}, which must exit 0. Standard error (warnings, such as
     * kubectl's deprecation notices) is kept apart and shown only when the command fails.
     */
    static String run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path errors = Files.createTempFile("tool-stderr", ".txt");
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectError(errors.toFile()).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
            assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + Files.readString(errors)
                    + output);
            return output;
        } finally {
            Files.delete(errors);
        }
    }
}
