package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No committed deployment file holds a password or token (docs/operations.md, "Secrets"): compose reads them from
 * .env with no fallback, Kubernetes from Secrets, and .env.example leaves them empty.
 */
class NoDefaultSecretsTest {

    /** A compose variable of a secret with a fallback value: ${STACKGAN_DB_PASSWORD:-stackgan}. */
    private static final Pattern FALLBACK = Pattern.compile("\\$\\{(\\w*(PASSWORD|TOKEN)\\w*):?-([^}]*)}");

    @Test
    void composeFilesHaveNoFallbackSecrets() throws IOException {
        Path root = RepositoryTool.root();
        List<Path> files;
        try (Stream<Path> listed = Files.list(root)) {
            files = listed.filter(f -> f.getFileName().toString().matches("docker-compose.*\\.yml")).toList();
        }
        assertTrue(files.size() >= 3, files.toString());
        for (Path file : files) {
            Matcher fallback = FALLBACK.matcher(Files.readString(file));
            while (fallback.find()) {
                // an optional secret may fall back to nothing (the API token: the API stays open), never to a value
                assertEquals("", fallback.group(3), file.getFileName() + ": " + fallback.group());
            }
        }
        assertTrue(Files.readString(root.resolve("docker-compose.yml"))
                .contains("${STACKGAN_DB_PASSWORD:?"), "compose refuses to start without the database password");
    }

    @Test
    void theEnvExampleLeavesTheSecretsEmptyAndGitIgnoresEnv() throws IOException {
        Path root = RepositoryTool.root();
        for (String line : Files.readAllLines(root.resolve(".env.example"))) {
            if (line.matches("\\w*(PASSWORD|TOKEN)\\w*=.*")) {
                assertTrue(line.endsWith("="), ".env.example sets no secret: " + line);
            }
        }
        assertTrue(Files.readAllLines(root.resolve(".gitignore")).contains("/.env"));
    }
}
