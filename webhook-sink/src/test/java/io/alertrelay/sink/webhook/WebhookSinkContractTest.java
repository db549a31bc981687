package io.alertrelay.sink.webhook;

import io.alertrelay.spi.SinkFactory;
import io.alertrelay.testing.SinkContractTest;
import java.util.List;
import java.util.Map;

final class WebhookSinkContractTest extends SinkContractTest {
    private static final String PATH_TOKEN = "pathSECRETtoken42";
    private static final String BEARER = "bearerSECRETtoken42";
    private static final String API_KEY = "apiKeySECRET42";
    private static final String SIGNING = "signingSECRETsecret42";

    @Override
    protected String sinkType() {
        return "webhook";
    }

    @Override
    protected Class<? extends SinkFactory> factoryClass() {
        return WebhookSinkFactory.class;
    }

    @Override
    protected Map<String, Object> minimalConfig() {
        return Map.of("url", "https://hooks.example.com/alerts");
    }

    @Override
    protected Map<String, Object> configFor(Target target) {
        return TestConfigs.section(
                "url", "http://" + target.host() + ":" + target.port() + "/hooks/" + PATH_TOKEN + "?key=" + API_KEY,
                "headers", Map.of("Authorization", "Bearer " + BEARER, "X-Api-Key", API_KEY),
                "signing-secret", SIGNING,
                "template", "{\"text\": \"{{title}}\", \"labels\": \"{{labels}}\"}",
                "timeout", target.timeoutText(),
                "connect-timeout", target.timeoutText());
    }

    @Override
    protected List<String> secrets() {
        return List.of(PATH_TOKEN, BEARER, API_KEY, SIGNING);
    }
}
