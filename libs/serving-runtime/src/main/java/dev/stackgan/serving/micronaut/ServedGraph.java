package dev.stackgan.serving.micronaut;

/**
 * What a service application serves: the bundle graph it runs and its gRPC service name (health is reported under
 * it). Each service application provides exactly one such bean.
 *
 * @param graph       one of {@link dev.stackgan.bundle.graph.ModelGraphs#ALL}
 * @param serviceName e.g. {@code stackgan.v1.Stage1Service}
 */
public record ServedGraph(String graph, String serviceName) {
}
