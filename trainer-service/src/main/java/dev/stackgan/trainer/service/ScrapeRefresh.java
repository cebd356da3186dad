package dev.stackgan.trainer.service;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * Reads runs by state from the database just before Prometheus scrapes them, so the gauges are as fresh as the
 * scrape without a query per gauge or a timer of its own. On a blocking thread: a database that is away makes the
 * query wait for the pool's connection timeout.
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@ServerFilter("/prometheus")
public class ScrapeRefresh {

    private final TrainerMetrics metrics;

    public ScrapeRefresh(TrainerMetrics metrics) {
        this.metrics = metrics;
    }

    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING)
    public void refresh() {
        metrics.refresh();
    }
}
