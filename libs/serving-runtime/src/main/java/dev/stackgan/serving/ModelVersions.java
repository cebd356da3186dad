package dev.stackgan.serving;

import dev.stackgan.bundle.BundleManifest;
import io.grpc.Metadata;

/** What a requested model_version must be: a bundle id. Shared by the model services and the gateway. */
public final class ModelVersions {

    /**
     * Trailer of a FAILED_PRECONDITION for a version the service has not loaded: the version it serves to unpinned
     * requests. The gateway re-pins to it; asking the service afterwards could reach another replica of it.
     */
    public static final Metadata.Key<String> CURRENT_VERSION_TRAILER =
            Metadata.Key.of("stackgan-current-version", Metadata.ASCII_STRING_MARSHALLER);

    private ModelVersions() {
    }

    /** INVALID_ARGUMENT naming {@code field} unless {@code version} follows the bundle id rule of BundleManifest. */
    public static void requireValid(String field, String version) {
        if (!BundleManifest.isSafeName(version)) {
            throw Errors.invalidArgument(field + " '" + Errors.excerpt(version) + "' is not a bundle id: "
                    + BundleManifest.SAFE_NAME_RULE);
        }
    }
}
