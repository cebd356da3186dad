package dev.stackgan.datasets;

import java.nio.file.Path;

/** The data set cannot be used at all (a missing index file or folder, a malformed index line); names the path. */
public final class DataLayoutException extends RuntimeException {

    public DataLayoutException(Path path, String problem) {
        super(path.toAbsolutePath() + ": " + problem);
    }

    public DataLayoutException(Path path, String problem, Throwable cause) {
        super(path.toAbsolutePath() + ": " + problem, cause);
    }
}
