package dev.stackgan.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.nio.file.Path;

/**
 * {@code stackgan.access.*} (docs/operations.md, "Authentication"): the bearer tokens of management calls and of the
 * API, each given as a value or as a file holding it (a mounted secret). Environment:
 * {@code STACKGAN_ACCESS_MANAGEMENT_TOKEN}, {@code STACKGAN_ACCESS_MANAGEMENT_TOKEN_FILE}, and the same with API.
 */
@ConfigurationProperties("stackgan.access")
public class AccessSettings {

    private String managementToken;
    private Path managementTokenFile;
    private String apiToken;
    private Path apiTokenFile;

    public @Nullable String getManagementToken() {
        return managementToken;
    }

    public void setManagementToken(@Nullable String managementToken) {
        this.managementToken = managementToken;
    }

    public @Nullable Path getManagementTokenFile() {
        return managementTokenFile;
    }

    public void setManagementTokenFile(@Nullable Path managementTokenFile) {
        this.managementTokenFile = managementTokenFile;
    }

    public @Nullable String getApiToken() {
        return apiToken;
    }

    public void setApiToken(@Nullable String apiToken) {
        this.apiToken = apiToken;
    }

    public @Nullable Path getApiTokenFile() {
        return apiTokenFile;
    }

    public void setApiTokenFile(@Nullable Path apiTokenFile) {
        this.apiTokenFile = apiTokenFile;
    }
}
