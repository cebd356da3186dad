package dev.stackgan.gateway;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.exceptions.ConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code stackgan.gateway.retry.*}: calls to a model service that fail UNAVAILABLE (its replica stopped or restarted,
 * the connection broke) are sent again, to another replica where the channel has one. Every model service call is a
 * pure function of its request (seeds included), so a retry returns what the first attempt would have.
 */
@ConfigurationProperties("stackgan.gateway.retry")
public class RetryConfiguration {

    /** Attempts per call, the first included; 1 turns retries off (gRPC caps it at 5). */
    private int maxAttempts = 3;
    /** The first retry waits a random time up to this; each later one up to twice the last, at most maxBackoff. */
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(1);

    /** The gRPC service config that applies this policy to every method of a channel; empty for one attempt. */
    Map<String, ?> serviceConfig() {
        if (maxAttempts < 1 || maxAttempts > 5) {
            throw new ConfigurationException("stackgan.gateway.retry.max-attempts is "
                    + maxAttempts + ", must be 1 to 5");
        }
        if (maxAttempts == 1) {
            return Map.of();
        }
        Map<String, Object> policy = Map.of(
                "maxAttempts", (double) maxAttempts,
                "initialBackoff", seconds(initialBackoff),
                "maxBackoff", seconds(maxBackoff),
                "backoffMultiplier", 2.0,
                "retryableStatusCodes", List.of("UNAVAILABLE"));
        // an empty name matches every service and method of the channel
        Map<String, Object> everyMethod = Map.of("name", List.of(Map.of()), "retryPolicy", policy);
        return Map.of("methodConfig", List.of(everyMethod));
    }

    private static String seconds(Duration duration) {
        return duration.toNanos() / 1e9 + "s";
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public Duration getInitialBackoff() {
        return initialBackoff;
    }

    public void setInitialBackoff(Duration initialBackoff) {
        this.initialBackoff = initialBackoff;
    }

    public Duration getMaxBackoff() {
        return maxBackoff;
    }

    public void setMaxBackoff(Duration maxBackoff) {
        this.maxBackoff = maxBackoff;
    }
}
