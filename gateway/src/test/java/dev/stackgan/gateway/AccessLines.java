package dev.stackgan.gateway;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.stackgan.serving.requests.AccessLog;
import dev.stackgan.serving.requests.RequestScope;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The access lines of every service in this JVM (the four applications of a {@link ServingStack} share the access
 * logger), kept by a logback list appender from {@link #attach()} to {@link #close()}.
 */
final class AccessLines implements AutoCloseable {

    /** One line: its message without the duration, and its request and trace ids from the MDC. */
    record Line(String call, String requestId, String traceId) {
    }

    private final Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private AccessLines() {
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    static AccessLines attach() {
        return new AccessLines();
    }

    /** The lines of request {@code requestId}, in the order they were written. */
    List<Line> of(String requestId) {
        return all().stream().filter(line -> requestId.equals(line.requestId())).toList();
    }

    /** Their calls: {@code grpc stackgan.v1.Stage1Service/Generate OK}, {@code http POST /v1/images 200}. */
    List<String> calls(String requestId) {
        return of(requestId).stream().map(Line::call).toList();
    }

    List<Line> all() {
        List<ILoggingEvent> events;
        synchronized (appender) {
            events = List.copyOf(appender.list);
        }
        return events.stream().map(event -> new Line(
                event.getFormattedMessage().replaceFirst(" \\d+ ms$", ""),
                event.getMDCPropertyMap().get(RequestScope.MDC_REQUEST_ID),
                event.getMDCPropertyMap().get(RequestScope.MDC_TRACE_ID))).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
