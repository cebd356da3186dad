package dev.stackgan.trainer.service;

import dev.stackgan.trainer.service.store.BundleRow;
import dev.stackgan.trainer.service.store.CheckpointRow;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only places the trainer reads what a request names: data sets and checkpoints to import inside the data root,
 * checkpoints inside the runs directory, bundles inside the bundle store, each also after following symbolic links. A checkpoint or bundle
 * is named by id and read from the path on record; the record is not trusted to stay inside (a hand-edited row, a
 * link swapped in later). Refusals name the request field and never the path, so a client learns nothing about the
 * trainer's disk; the log has the path for the operator.
 */
@Singleton
public class ConfinedPaths {

    private static final Logger LOG = LoggerFactory.getLogger(ConfinedPaths.class);
    /** Longest piece of a caller's value an error message repeats: enough to recognise it, never unbounded. */
    private static final int SHOWN_CHARS = 64;

    private final TrainerConfiguration config;

    public ConfinedPaths(TrainerConfiguration config) {
        this.config = config;
    }

    /** {@code value} quoted for an error message, cut to {@value #SHOWN_CHARS} characters. */
    public static String shown(String value) {
        return "'" + (value.length() <= SHOWN_CHARS ? value : value.substring(0, SHOWN_CHARS) + "...") + "'";
    }

    /** A recorded checkpoint's directory, named by {@code field}; NOT_FOUND when its files are gone. */
    public Path checkpoint(String field, CheckpointRow row) {
        String what = field + " " + row.id();
        return inside(config.getRunsDirectory(), "the trainer's runs directory", row.path(), field, what)
                .orElseThrow(() -> new NotFoundException(field, what + ": the checkpoint's files are no longer in"
                        + " the trainer's runs directory"));
    }

    /** A recorded bundle's directory; NOT_FOUND (bundle_id) when it is gone. */
    public Path bundle(BundleRow row) {
        String what = "bundle_id " + shown(row.bundleId());
        return inside(config.getBundlesDirectory(), "the trainer's bundle store", row.path(), "bundle_id", what)
                .orElseThrow(() -> new NotFoundException("bundle_id", what + ": the bundle's files are no longer in"
                        + " the trainer's bundle store"));
    }

    /** A data set directory named relative to the data root; empty when there is none. */
    public Optional<Path> dataset(String dataset) {
        return underDataRoot("dataset", dataset);
    }

    /** A checkpoint directory to import, named relative to the data root; NOT_FOUND (path) when there is none. */
    public Path importSource(String path) {
        return underDataRoot("path", path).filter(Files::isDirectory).orElseThrow(() -> new NotFoundException("path",
                "path " + shown(path) + " is not a directory under the data root"));
    }

    private Optional<Path> underDataRoot(String field, String path) {
        if (isAbsolute(path)) {
            throw new InvalidFieldException(field, field + " must be a directory relative to the data root, got"
                    + " an absolute path");
        }
        return inside(config.getDataRoot(), "the data root", path, field, field + " " + shown(path));
    }

    private static boolean isAbsolute(String path) {
        try {
            return Path.of(path).isAbsolute();
        } catch (InvalidPathException e) {
            return false; // refused as outside below
        }
    }

    /**
     * The real path of {@code path} (relative to {@code root}, or absolute), if it exists and lies strictly inside
     * {@code root}; empty if it does not exist. INVALID_ARGUMENT naming {@code field} if it contains "..", is
     * elsewhere, or links out.
     */
    static Optional<Path> inside(Path root, String rootName, String path, String field, String what) {
        Path base = root.toAbsolutePath().normalize();
        Path realBase;
        try {
            realBase = base.toRealPath();
        } catch (IOException e) {
            return Optional.empty(); // no root yet: nothing is inside it
        }
        Path candidate;
        try {
            candidate = Path.of(path);
        } catch (InvalidPathException e) {
            throw outside(field, what, rootName, path);
        }
        for (Path part : candidate) {
            if (part.toString().equals("..")) {
                throw new InvalidFieldException(field, what + " must not contain '..': it is read only from "
                        + rootName);
            }
        }
        Path absolute = base.resolve(candidate).normalize();
        if (!absolute.startsWith(base) && !absolute.startsWith(realBase)) {
            throw outside(field, what, rootName, path);
        }
        Path real;
        try {
            real = absolute.toRealPath();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (!real.startsWith(realBase) || real.equals(realBase)) {
            throw outside(field, what, rootName, path + " -> " + real);
        }
        return Optional.of(real);
    }

    private static InvalidFieldException outside(String field, String what, String rootName, String path) {
        LOG.warn("refused {}: {} is outside {}", what, path, rootName);
        return new InvalidFieldException(field, what + " is outside " + rootName + ": refused");
    }
}
