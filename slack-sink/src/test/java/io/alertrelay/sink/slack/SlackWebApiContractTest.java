package io.alertrelay.sink.slack;

import io.alertrelay.spi.SinkFactory;
import io.alertrelay.testing.SinkContractTest;
import java.util.List;
import java.util.Map;

/** The sink contract kit on the Web API transport (token + channel). */
final class SlackWebApiContractTest extends SinkContractTest {
    private static final String TOKEN = "xoxb-SECRETslackBOTtoken42";

    @Override
    protected String sinkType() {
        return "slack";
    }

    @Override
    protected Class<? extends SinkFactory> factoryClass() {
        return SlackSinkFactory.class;
    }

    @Override
    protected Map<String, Object> minimalConfig() {
        return Map.of("token", TOKEN, "channel", "C0OPS");
    }

    @Override
    protected Map<String, Object> configFor(Target target) {
        return Map.of(
                "token", TOKEN,
                "channel", "C0OPS",
                "api-url", "http://" + target.host() + ":" + target.port() + "/api/",
                "mention", Map.of("critical", "<!subteam^S123>"),
                "timeout", target.timeoutText(),
                "connect-timeout", target.timeoutText());
    }

    @Override
    protected List<String> secrets() {
        return List.of(TOKEN);
    }
}
