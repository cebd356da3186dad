package dev.stackgan.trainer.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackgan.bundle.FileDigest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The checksum of a directory (a checkpoint): the sha256 of its sorted listing of "name sha256" lines, one per file
 * (names relative to the directory, '/'-separated). The per-file sums are kept too, so a mismatch names the file.
 *
 * @param files     file name to sha256 (hex), sorted by name
 * @param sizeBytes bytes of all files
 * @param sha256    sha256 (hex) of the listing
 */
public record DirectoryDigest(Map<String, String> files, long sizeBytes, String sha256) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static DirectoryDigest of(Path directory) throws IOException {
        TreeMap<String, String> files = new TreeMap<>();
        long size = 0;
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path file : paths.filter(Files::isRegularFile).toList()) {
                files.put(directory.relativize(file).toString().replace('\\', '/'), FileDigest.sha256(file));
                size += Files.size(file);
            }
        }
        return new DirectoryDigest(files, size, listingSha256(files));
    }

    /** The sha256 of the sorted "name sha256" listing. */
    static String listingSha256(Map<String, String> files) {
        StringBuilder listing = new StringBuilder();
        new TreeMap<>(files).forEach((name, sha) -> listing.append(name).append(' ').append(sha).append('\n'));
        return FileDigest.sha256(listing.toString().getBytes(StandardCharsets.UTF_8));
    }

    public String filesJson() {
        try {
            return JSON.writeValueAsString(files);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, String> parseFiles(String json) {
        try {
            return JSON.readValue(json, new TypeReference<TreeMap<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks {@code directory} against its record; IllegalStateException naming the first file that is missing,
     * changed or not on record, by its name in the directory (callers' clients do not see where it lies).
     */
    public static void verify(Path directory, Map<String, String> recordedFiles, String recordedSha256)
            throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IllegalStateException("its directory is missing");
        }
        DirectoryDigest now = of(directory);
        for (Map.Entry<String, String> file : recordedFiles.entrySet()) {
            String actual = now.files.get(file.getKey());
            if (actual == null) {
                throw new IllegalStateException("file " + file.getKey() + " is missing");
            }
            if (!actual.equals(file.getValue())) {
                throw new IllegalStateException("file " + file.getKey() + " has sha256 " + actual
                        + " but the record says " + file.getValue() + ": the file changed after it was written");
            }
        }
        for (String name : now.files.keySet()) {
            if (!recordedFiles.containsKey(name)) {
                throw new IllegalStateException("file " + name + " is not in the checkpoint's record");
            }
        }
        if (!listingSha256(recordedFiles).equals(recordedSha256)) {
            throw new IllegalStateException("the recorded file list does not hash to the recorded"
                    + " sha256 " + recordedSha256);
        }
    }
}
