package dev.stackgan.security;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.util.regex.Pattern;

/** The {@code authorization: Bearer <token>} header (RFC 6750) as gRPC metadata and HTTP header. */
public final class BearerToken {

    public static final String HEADER = "authorization";
    public static final Metadata.Key<String> METADATA = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
    /** RFC 6750's b64token: what a bearer token may be made of, so any configured token can be sent as is. */
    static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");
    private static final String SCHEME = "Bearer ";

    private BearerToken() {
    }

    public static String header(String token) {
        return SCHEME + token;
    }

    /** The token of an authorization header, or null when the header is not {@code Bearer <token>}. */
    static String parse(String header) {
        if (header.length() <= SCHEME.length() || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        String token = header.substring(SCHEME.length());
        return TOKEN.matcher(token).matches() ? token : null;
    }

    /** Sends {@code token} on every call of a channel or stub it intercepts. */
    public static ClientInterceptor attach(String token) {
        Metadata headers = new Metadata();
        headers.put(METADATA, header(token));
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }
}
