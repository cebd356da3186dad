package dev.stackgan.security;

import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may make a call of each {@link Scope} (docs/operations.md, "Authentication"). Management calls need the
 * management token; API calls the API token (or the management token) when one is configured, else nothing; open
 * calls nothing. Without a management token management calls are allowed, so that a developer's stack and the tests
 * run as before, and the service says so in a WARN line at startup; compose and Kubernetes always set one.
 * Tokens are compared as SHA-256 digests in constant time: neither a token's bytes nor its length show in timing.
 * Every refusal is counted as {@code stackgan_access_refusals_total{scope, reason, protocol}}.
 */
@Singleton
public class AccessPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(AccessPolicy.class);
    /** 128 bits of a random base64 token; shorter ones are guessable. */
    static final int MIN_TOKEN_LENGTH = 22;

    private final String managementToken;
    private final String selfToken;
    private final byte[] management;
    private final byte[] api;
    private final MeterRegistry registry;

    public AccessPolicy(AccessSettings settings, MeterRegistry registry) {
        this.registry = registry;
        this.managementToken = token("stackgan.access.management-token", settings.getManagementToken(),
                settings.getManagementTokenFile());
        String apiToken = token("stackgan.access.api-token", settings.getApiToken(), settings.getApiTokenFile());
        if (apiToken != null && apiToken.equals(managementToken)) {
            throw new ConfigurationException("stackgan.access.api-token must differ from the management token: an"
                    + " API client would otherwise be allowed management calls");
        }
        this.selfToken = managementToken != null ? managementToken : apiToken;
        this.management = managementToken == null ? null : digest(managementToken);
        this.api = apiToken == null ? null : digest(apiToken);
        if (managementToken == null) {
            LOG.warn("NO MANAGEMENT TOKEN: management calls (model reload; the trainer's create, cancel, resume,"
                    + " export and promote) are allowed to anyone who reaches this service. Set"
                    + " stackgan.access.management-token-file (STACKGAN_ACCESS_MANAGEMENT_TOKEN_FILE) or"
                    + " stackgan.access.management-token in any deployment (docs/operations.md, \"Authentication\").");
        }
    }

    /** The value of {@code value} or of the file at {@code file} (a mounted secret), checked; null when neither. */
    private static @Nullable String token(String setting, @Nullable String value, @Nullable Path file) {
        if (value != null && !value.isEmpty() && file != null) {
            throw new ConfigurationException(setting + " and " + setting + "-file are both set: set one");
        }
        String token = value == null || value.isEmpty() ? null : value;
        if (file != null) {
            try {
                // a secret file written by echo or kubectl ends with a newline that is no part of the token
                token = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new ConfigurationException(setting + "-file: cannot read " + file + ": " + e);
            }
            if (token.isEmpty()) {
                throw new ConfigurationException(setting + "-file: " + file + " is empty");
            }
        }
        if (token != null && (token.length() < MIN_TOKEN_LENGTH || !BearerToken.TOKEN.matcher(token).matches())) {
            throw new ConfigurationException(setting + " must be at least " + MIN_TOKEN_LENGTH + " characters of"
                    + " A-Z a-z 0-9 - . _ ~ + / (then any '='), e.g. from 'openssl rand -base64 32'; got "
                    + token.length() + " characters");
        }
        return token;
    }

    /** The management token this service checks, which the gateway also sends on to the model services. */
    public Optional<String> managementToken() {
        return Optional.ofNullable(managementToken);
    }

    /**
     * The token a service's calls to its own API carry (the gateway's warm-up): the management token, which API calls
     * accept too, else the API token; empty when neither is set.
     */
    public Optional<String> selfToken() {
        return Optional.ofNullable(selfToken);
    }

    /**
     * Null when a call of {@code scope} with this {@code authorization} header (null when absent) may go on, else
     * why not; a refusal is counted under {@code protocol} ({@code grpc} or {@code http}).
     */
    public @Nullable Refusal check(Scope scope, @Nullable String authorization, String protocol) {
        Refusal refusal = switch (scope) {
            case OPEN -> null;
            case MANAGEMENT -> management == null ? null : refusal(authorization, "management", management);
            case API -> api == null ? null : refusal(authorization, "API", api, management);
        };
        if (refusal != null) {
            registry.counter("stackgan.access.refusals", "scope", scope.name().toLowerCase(Locale.ROOT),
                    "reason", refusal.reason(), "protocol", protocol).increment();
        }
        return refusal;
    }

    /** Refused unless the header bears one of {@code accepted}; the first is the scope's own token. */
    private Refusal refusal(@Nullable String authorization, String scope, byte[]... accepted) {
        if (authorization == null) {
            return new Refusal(Status.Code.UNAUTHENTICATED, "missing_token", (scope.equals("API")
                    ? "this API needs" : "management calls need") + " an 'authorization: Bearer <token>' header");
        }
        String token = BearerToken.parse(authorization);
        if (token == null) {
            return new Refusal(Status.Code.UNAUTHENTICATED, "malformed_token", "the authorization header must be"
                    + " 'Bearer <token>'");
        }
        byte[] sent = digest(token);
        for (byte[] expected : accepted) {
            if (expected != null && MessageDigest.isEqual(sent, expected)) {
                return null;
            }
        }
        if (api != null && MessageDigest.isEqual(sent, api)) {
            return new Refusal(Status.Code.PERMISSION_DENIED, "api_token", "the API token does not allow"
                    + " management calls");
        }
        return new Refusal(Status.Code.PERMISSION_DENIED, "wrong_token", "the bearer token is not this service's "
                + scope + " token");
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
