package dev.stackgan.trainer.service;

import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;

/** Starts the trainer service; the command line ({@code TrainerCommand serve}) and the pipeline call it. */
public final class TrainerApplication {

    /**
     * The Micronaut environment of the trainer: its beans and {@code application-trainer.yml} apply only in it, so
     * modules that have this jar on their classpath (the serving services' tests) do not start a trainer.
     */
    public static final String ENVIRONMENT = "trainer";

    private TrainerApplication() {
    }

    /** The service could not start; the message says why in one line (e.g. the database it cannot reach). */
    public static final class StartupException extends RuntimeException {
        StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Starts the service (migrating the schema first), its HTTP server (health and metrics, {@code
     * micronaut.server.port}, 8090) and its gRPC server. A database that cannot be reached fails the start at once
     * with a StartupException naming the JDBC URL.
     */
    public static GrpcEmbeddedServer start(String[] args, Map<String, Object> properties) {
        ApplicationContext context = ApplicationContext.builder(TrainerApplication.class).args(args)
                .environments(ENVIRONMENT).properties(properties).build();
        try {
            context.start();
            EmbeddedServer http = context.getBean(EmbeddedServer.class);
            if (!http.isRunning()) {
                http.start();
            }
            GrpcEmbeddedServer server = context.getBean(GrpcEmbeddedServer.class);
            if (!server.isRunning()) {
                server.start();
            }
            return server;
        } catch (RuntimeException e) {
            String url = context.getEnvironment().getProperty("datasources.default.url", String.class)
                    .orElse("(datasources.default.url not set)");
            closeQuietly(context);
            if (isConnectionFailure(e)) {
                throw new StartupException("cannot connect to the database at " + url
                        + " (datasources.default.url): " + Journal.rootMessage(e), e);
            }
            throw new StartupException("cannot start: " + Journal.rootMessage(e), e);
        }
    }

    private static boolean isConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException || t instanceof java.net.ConnectException
                    || t.getClass().getName().contains("PoolInitializationException")) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(ApplicationContext context) {
        try {
            if (context.isRunning()) {
                context.close();
            }
        } catch (RuntimeException ignored) {
            // the start already failed; its cause is what the caller needs
        }
    }
}
