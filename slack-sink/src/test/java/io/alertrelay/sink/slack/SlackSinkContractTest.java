package io.alertrelay.sink.slack;

import io.alertrelay.spi.SinkFactory;
import io.alertrelay.testing.SinkContractTest;
import java.util.List;
import java.util.Map;

final class SlackSinkContractTest extends SinkContractTest {
    private static final String TOKEN = "xoxSECRETslackTOKEN42";

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
        return Map.of("webhook-url", "https://hooks.slack.com/services/T0/B0/" + TOKEN);
    }

    @Override
    protected Map<String, Object> configFor(Target target) {
        return Map.of(
                "webhook-url", "http://" + target.host() + ":" + target.port() + "/services/T0/B0/" + TOKEN,
                "timeout", target.timeoutText(),
                "connect-timeout", target.timeoutText());
    }

    @Override
    protected List<String> secrets() {
        return List.of(TOKEN);
    }
}
