package dev.stackgan.bundle;

/**
 * A model bundle that cannot be written or must not be served. Checked on purpose: a corrupt or mismatched bundle on
 * disk is an expected failure at a system boundary (like {@link java.io.IOException}), and a service that reloads
 * bundles has to decide what to do with it (keep serving the previous model, stay NOT_SERVING), not crash by accident.
 */
public class BundleException extends Exception {

    private final String file;

    /**
     * @param file    the bundle file (or directory) the problem is in; it starts the message
     * @param problem what is wrong, with the recorded and the expected value where there are two
     */
    public BundleException(String file, String problem) {
        this(file, problem, null);
    }

    public BundleException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file (or directory) named at the start of the message. */
    public String file() {
        return file;
    }
}
