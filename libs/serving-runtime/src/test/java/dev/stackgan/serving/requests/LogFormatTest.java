package dev.stackgan.serving.requests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The services' logback.xml as shipped, configured as STACKGAN_LOG_FORMAT chooses, encoding an access line. */
class LogFormatTest {

    @Test
    void jsonLinesCarryTheRequestAndTraceIds() throws Exception {
        Map<String, String> mdc = new LinkedHashMap<>();
        mdc.put(RequestScope.MDC_REQUEST_ID, "req-1");
        mdc.put(RequestScope.MDC_TRACE_ID, "abc");
        String line = new String(encode("json", mdc), StandardCharsets.UTF_8);
        // logback escapes a slash as \/, which JSON allows
        assertEquals("{\"timestamp\":T,\"level\":\"INFO\",\"threadName\":\"main\",\"loggerName\":\"dev.stackgan.access\","
                + "\"mdc\": {\"request_id\":\"req-1\",\"trace_id\":\"abc\"},"
                + "\"formattedMessage\":\"grpc stackgan.v1.Stage1Service\\/Generate OK 12 ms\",\"throwable\":null}\n",
                line.replaceFirst("\"timestamp\":\\d+", "\"timestamp\":T"));
    }

    @Test
    void textLinesNameTheRequestIdOnlyWhenThereIsOne() throws Exception {
        String with = new String(encode(null, Map.of(RequestScope.MDC_REQUEST_ID, "req-2")), StandardCharsets.UTF_8);
        assertEquals(" INFO  [main] dev.stackgan.access [req-2] - grpc stackgan.v1.Stage1Service/Generate OK 12 ms",
                with.substring(12).stripTrailing());
        String without = new String(encode("text", Map.of()), StandardCharsets.UTF_8);
        assertEquals(" INFO  [main] dev.stackgan.access - grpc stackgan.v1.Stage1Service/Generate OK 12 ms",
                without.substring(12).stripTrailing());
    }

    /** An access line with {@code mdc} as the console appender of logback.xml writes it, format null: unset. */
    private static byte[] encode(String format, Map<String, String> mdc) throws Exception {
        LoggerContext context = new LoggerContext();
        if (format != null) {
            context.putProperty("STACKGAN_LOG_FORMAT", format);
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
        Logger logger = context.getLogger(AccessLog.LOGGER);
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "grpc {} {} {} ms", null,
                new Object[] {"stackgan.v1.Stage1Service/Generate", "OK", 12});
        event.setThreadName("main");
        event.setMDCPropertyMap(mdc);
        @SuppressWarnings("unchecked")
        OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>)
                context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
        try {
            return console.getEncoder().encode(event);
        } finally {
            context.stop();
        }
    }
}
