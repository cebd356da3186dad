package dev.stackgan.gateway.http;

import dev.stackgan.serving.Errors;
import dev.stackgan.serving.requests.AccessLog;
import dev.stackgan.serving.requests.RequestIds;
import dev.stackgan.serving.requests.RequestScope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * The request id of every HTTP request (docs/operations.md): the client's {@code x-request-id} header, or a new id
 * without one; a bad one is refused with a 400 naming the header and its limit (under a new id). The request's work
 * runs in its {@link RequestScope}, which carries the id to the model services and into the log lines; the answer
 * has the id in its {@code x-request-id} header and in any error body, and one {@link AccessLog} line.
 * After the tracing filter, so that the trace id is known; before the metrics' response filter, which counts refusals.
 */
@ServerFilter("/**")
public class RequestIdFilter implements Ordered {

    private static final String SCOPE = RequestIdFilter.class.getName() + ".scope";
    private static final String START = RequestIdFilter.class.getName() + ".start";

    @Override
    public int getOrder() {
        return ServerFilterPhase.TRACING.after();
    }

    @RequestFilter
    @Nullable
    public HttpResponse<ErrorBody> accept(HttpRequest<?> request, MutablePropagatedContext propagated) {
        request.setAttribute(START, System.nanoTime());
        String sent = request.getHeaders().get(RequestIds.HEADER);
        String problem = sent == null ? null : RequestIds.problem(sent);
        RequestScope scope = RequestScope.of(sent == null || problem != null ? RequestIds.create() : sent);
        request.setAttribute(SCOPE, scope);
        propagated.add(scope);
        if (problem == null) {
            return null;
        }
        MutableHttpResponse<ErrorBody> refusal = HttpResponse.badRequest(
                ErrorBody.of("INVALID_ARGUMENT", 400, problem, RequestIds.HEADER, scope.id()));
        // a filter's own answer passes none of its response filters
        answer(request, refusal);
        return refusal;
    }

    @ResponseFilter
    public void answer(HttpRequest<?> request, MutableHttpResponse<?> response) {
        RequestScope scope = request.getAttribute(SCOPE, RequestScope.class).orElse(null);
        if (scope == null) {
            return;
        }
        response.header(RequestIds.HEADER, scope.id());
        if (response.body() instanceof Publisher<?> events) {
            // server-sent events go on after the response began: their line when they end, with the whole duration
            Runnable ended = () -> log(request, scope, response.code());
            response.body(Flux.from(events).doOnTerminate(ended).doOnCancel(ended));
        } else {
            log(request, scope, response.code());
        }
    }

    private static void log(HttpRequest<?> request, RequestScope scope, int status) {
        long nanos = System.nanoTime() - request.getAttribute(START, Long.class).orElseThrow();
        String path = request.getPath();
        try (RequestScope.Entered ignored = scope.enter()) {
            // warm-up calls log at INFO as users' calls do (WarmUpCalls says why)
            boolean probe = path.startsWith("/health") || path.equals("/prometheus");
            AccessLog.http(probe, request.getMethodName(), Errors.excerpt(path), status, nanos);
        }
    }

    /** The id of {@code request}; null only for one refused before the filters ran (an over-long request line). */
    static @Nullable String id(HttpRequest<?> request) {
        return request.getAttribute(SCOPE, RequestScope.class).map(RequestScope::id).orElse(null);
    }
}
