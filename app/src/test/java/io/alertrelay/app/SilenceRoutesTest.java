package io.alertrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.alertrelay.core.Silences;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Who may use /api/silences: http.token for every request when set; without it, only on a loopback bind. */
class SilenceRoutesTest {
    private static final String TOKEN = "s3cret-s3cret-s3cret";
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void withoutATokenOffLoopbackEveryRequestIsRefused() throws Exception {
        String url = serve(Optional.empty(), false);
        HttpResponse<String> list = send(HttpRequest.newBuilder(URI.create(url)).GET());
        assertThat(list.statusCode()).isEqualTo(403);
        assertThat(list.body()).contains("http.token");
        assertThat(send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(
                "{\"matchers\":[\"service=batch\"],\"until\":\"2030-01-01T00:00:00Z\"}"))).statusCode()).isEqualTo(403);
    }

    @Test
    void withoutATokenOnLoopbackItAnswers() throws Exception {
        String url = serve(Optional.empty(), true);
        assertThat(send(HttpRequest.newBuilder(URI.create(url)).GET()).statusCode()).isEqualTo(200);
    }

    @Test
    void withATokenEveryRequestNeedsItAndNoAnswerEchoesIt() throws Exception {
        String url = serve(Optional.of(TOKEN), false);
        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(URI.create(url)).GET());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).doesNotContain(TOKEN);
        assertThat(send(HttpRequest.newBuilder(URI.create(url)).GET().header("Authorization", "Bearer wrong-token-0123"))
                .statusCode()).isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(URI.create(url)).GET().header("Authorization", "Bearer " + TOKEN))
                .statusCode()).isEqualTo(200);
    }

    private String serve(Optional<String> token, boolean loopback) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(SilenceRoutes.PATH,
                new SilenceRoutes(Silences.inMemory(Clock.systemUTC()), token, loopback, Clock.systemUTC()));
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + SilenceRoutes.PATH;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
