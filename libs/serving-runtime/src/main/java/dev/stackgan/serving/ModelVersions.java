package dev.stackgan.serving;

import dev.stackgan.bundle.BundleManifest;

/** What a requested model_version must be: a bundle id. Shared by the model services and the gateway. */
public final class ModelVersions {

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
