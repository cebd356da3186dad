package dev.stackgan.serving.requests;

import io.grpc.Context;
import io.micronaut.core.propagation.ThreadPropagatedContextElement;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * One request as a thread sees it while it works on it: its id in the gRPC context (so that the calls it makes carry
 * the id on) and, with the trace id when a span is current, in the logging MDC (so that every log line names them).
 * {@link #enter()} puts both in place until the returned scope closes. It is also a Micronaut propagated-context
 * element, so an HTTP request's scope follows its work onto other threads.
 */
public final class RequestScope implements ThreadPropagatedContextElement<RequestScope.Entered> {

    /** MDC keys; JSON log lines carry them under {@code mdc}. */
    public static final String MDC_REQUEST_ID = "request_id";
    public static final String MDC_TRACE_ID = "trace_id";

    private final String id;
    private final Map<String, String> mdc;

    private RequestScope(String id, Map<String, String> mdc) {
        this.id = id;
        this.mdc = mdc;
    }

    /** The scope of request {@code id}, with the trace id of the span current on this thread, if any. */
    public static RequestScope of(String id) {
        Map<String, String> mdc = new LinkedHashMap<>();
        mdc.put(MDC_REQUEST_ID, id);
        SpanContext span = Span.current().getSpanContext();
        if (span.isValid()) {
            mdc.put(MDC_TRACE_ID, span.getTraceId());
        }
        return new RequestScope(id, Map.copyOf(mdc));
    }

    public String id() {
        return id;
    }

    /** Puts the id into the gRPC context and the MDC of this thread until the scope closes. */
    public Entered enter() {
        Context attached = Context.current().withValue(RequestIds.CONTEXT, id);
        Map<String, String> previousMdc = MDC.getCopyOfContextMap();
        mdc.forEach(MDC::put);
        return new Entered(attached, attached.attach(), previousMdc);
    }

    /** Restores what the thread had before {@link #enter()}. */
    public static final class Entered implements AutoCloseable {
        private final Context attached;
        private final Context previous;
        private final Map<String, String> previousMdc;

        private Entered(Context attached, Context previous, Map<String, String> previousMdc) {
            this.attached = attached;
            this.previous = previous;
            this.previousMdc = previousMdc;
        }

        @Override
        public void close() {
            if (previousMdc == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(previousMdc);
            }
            attached.detach(previous);
        }
    }

    @Override
    public Entered updateThreadContext() {
        return enter();
    }

    @Override
    public void restoreThreadContext(Entered entered) {
        entered.close();
    }
}
