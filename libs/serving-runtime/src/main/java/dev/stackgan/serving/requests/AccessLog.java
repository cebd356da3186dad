package dev.stackgan.serving.requests;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per call, on the logger {@value #LOGGER} (docs/operations.md): INFO for the API's calls, DEBUG for probes
 * (health checks, readiness's model info, reflection, metrics scrapes), so that probes do not drown the requests.
 * Operators silence it by that logger's level. Written inside the call's {@link RequestScope}: the MDC names the
 * request id and, when tracing is on, the trace id.
 */
public final class AccessLog {

    public static final String LOGGER = "dev.stackgan.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private AccessLog() {
    }

    /** Calls that probes and tools make over and over: health, reflection, and model info (the gateway's readiness). */
    public static boolean probe(MethodDescriptor<?, ?> method) {
        String service = method.getServiceName();
        return service == null || service.startsWith("grpc.")
                || method.getFullMethodName().equals("stackgan.v1.ModelManagementService/GetModelInfo");
    }

    /** {@code grpc stackgan.v1.Stage1Service/Generate OK 12 ms} */
    static void grpc(boolean probe, MethodDescriptor<?, ?> method, Status status, long nanos) {
        line(probe, "grpc {} {} {} ms", method.getFullMethodName(), status.getCode(), millis(nanos));
    }

    /** {@code http POST /v1/images 200 245 ms}; the path without its query, which may hold a prompt. */
    public static void http(boolean probe, String method, String path, int status, long nanos) {
        line(probe, "http {} {} {} {} ms", method, path, status, millis(nanos));
    }

    private static void line(boolean probe, String format, Object... values) {
        if (probe) {
            LOG.debug(format, values);
        } else {
            LOG.info(format, values);
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
