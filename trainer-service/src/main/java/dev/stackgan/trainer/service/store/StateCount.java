package dev.stackgan.trainer.service.store;

import io.micronaut.core.annotation.Introspected;

/** How many runs are in one state ({@code runs.status}). */
@Introspected
public record StateCount(String status, long runs) {
}
