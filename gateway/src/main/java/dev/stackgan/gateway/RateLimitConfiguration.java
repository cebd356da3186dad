package dev.stackgan.gateway;

import io.micronaut.context.annotation.ConfigurationProperties;

/**
 * {@code stackgan.gateway.rate-limit.*}: a token bucket per client address over both published APIs (HTTP /v1 and
 * every gRPC call but health), off by default (docs/operations.md, "Rate limit").
 */
@ConfigurationProperties("stackgan.gateway.rate-limit")
public class RateLimitConfiguration {

    private boolean enabled;
    /** Tokens a client's bucket gains per second: its sustained request rate. */
    private double requestsPerSecond = 5;
    /** Size of a client's bucket: requests it may send at once after being idle. */
    private int burst = 10;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public double getRequestsPerSecond() {
        return requestsPerSecond;
    }

    public void setRequestsPerSecond(double requestsPerSecond) {
        this.requestsPerSecond = requestsPerSecond;
    }

    public int getBurst() {
        return burst;
    }

    public void setBurst(int burst) {
        this.burst = burst;
    }
}
