package dev.stackgan.serving;

import dev.stackgan.bundle.BundleManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The model bundle shipped inside the serving runtime's jar, served while no bundle is promoted in the model
 * repository ({@code stackgan.serving.default-bundle}). Its files are class-path resources under
 * {@value #RESOURCES}; since a jar's resources cannot be listed reliably, the index {@value #INDEX} names the bundle
 * id and the files ({@code scripts/ship-bundle.sh} writes both).
 *
 * <p>The files are extracted on first use into a private temporary directory (never into the repository, which may
 * be mounted read-only) and verified there by {@link dev.stackgan.bundle.BundleReader} like any promoted bundle.
 * {@link #close()} deletes the extraction.
 */
public final class DefaultBundle implements AutoCloseable {

    public static final String RESOURCES = "dev/stackgan/serving/default-bundle/";
    public static final String INDEX = "dev/stackgan/serving/default-bundle.index";

    private final ClassLoader loader;
    private final String bundleId;
    private final List<String> files;
    /** The temporary directory holding the extracted bundle directory; null until extracted. */
    private Path extraction;

    private DefaultBundle(ClassLoader loader, String bundleId, List<String> files) {
        this.loader = loader;
        this.bundleId = bundleId;
        this.files = List.copyOf(files);
    }

    /** The bundle shipped with this runtime. Fails when the index resource is missing or malformed. */
    public static DefaultBundle shipped() {
        return fromIndex(DefaultBundle.class.getClassLoader());
    }

    static DefaultBundle fromIndex(ClassLoader loader) {
        String bundleId = null;
        List<String> files = new ArrayList<>();
        for (String raw : readIndex(loader)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] entry = line.split("\\s+", 2);
            String value = entry.length == 2 ? entry[1] : "";
            if (!BundleManifest.isSafeName(value)) {
                throw invalidIndex("'" + line + "': the value must be " + BundleManifest.SAFE_NAME_RULE);
            }
            switch (entry[0]) {
                case "bundle-id" -> bundleId = value;
                case "file" -> files.add(value);
                default -> throw invalidIndex("'" + line + "': expected 'bundle-id ID' or 'file NAME'");
            }
        }
        if (bundleId == null || !files.contains(BundleManifest.FILE)) {
            throw invalidIndex("it needs a 'bundle-id' line and a 'file " + BundleManifest.FILE + "' line");
        }
        return new DefaultBundle(loader, bundleId, files);
    }

    private static List<String> readIndex(ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream(INDEX)) {
            if (in == null) {
                throw new IllegalStateException("the shipped default bundle's index " + INDEX + " is not on the"
                        + " class path (a packaging error); set stackgan.serving.default-bundle: false to run without");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + INDEX, e);
        }
    }

    private static IllegalStateException invalidIndex(String why) {
        return new IllegalStateException("invalid default bundle index " + INDEX + ": " + why);
    }

    /** The bundle id the index names; the manifest must say the same (checked when the bundle is loaded). */
    public String bundleId() {
        return bundleId;
    }

    /** The bundle directory, extracted from the class path on the first call. */
    public synchronized Path directory() throws IOException {
        if (extraction == null) {
            Path temp = Files.createTempDirectory("stackgan-default-bundle-"); // owner-only permissions
            try {
                Path bundle = Files.createDirectory(temp.resolve(bundleId));
                for (String file : files) {
                    try (InputStream in = loader.getResourceAsStream(RESOURCES + file)) {
                        if (in == null) {
                            throw new IOException("resource " + RESOURCES + file + " listed in " + INDEX
                                    + " is not on the class path");
                        }
                        Files.copy(in, bundle.resolve(file));
                    }
                }
            } catch (IOException | RuntimeException e) {
                delete(temp);
                throw e;
            }
            extraction = temp;
        }
        return extraction.resolve(bundleId);
    }

    @Override
    public synchronized void close() {
        if (extraction != null) {
            delete(extraction);
            extraction = null;
        }
    }

    private static void delete(Path tree) {
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a leftover in the temporary directory is harmless
        }
    }
}
