# Alert Relay on a Java 17 JRE, as a non-root user, with a health check on /health/ready.
# Build the jar first, then the image:
#   ./mvnw -B -q package -DskipTests && docker build -t alert-relay .
#   docker run --rm -e REDIS_URL=redis://redis:6379 -p 9464:9464 alert-relay
# Configuration: /etc/alert-relay/relay.yaml (packaging/docker/relay.yaml; mount your own over it). The outbox lives in
# /var/lib/alert-relay: mount a volume there so pending notifications survive a new container. docs/deployment.md.
FROM eclipse-temurin:17-jre

RUN groupadd --system --gid 10001 alertrelay \
 && useradd --system --uid 10001 --gid alertrelay --home-dir /var/lib/alert-relay --no-create-home \
      --shell /usr/sbin/nologin alertrelay \
 && mkdir -p /opt/alert-relay /etc/alert-relay /var/lib/alert-relay \
 && chown alertrelay:alertrelay /var/lib/alert-relay

COPY app/target/alert-relay.jar /opt/alert-relay/alert-relay.jar
COPY packaging/docker/relay.yaml /etc/alert-relay/relay.yaml

USER 10001:10001
WORKDIR /var/lib/alert-relay
VOLUME ["/var/lib/alert-relay"]
EXPOSE 9464

# -XX:MaxRAMPercentage sizes the heap from the container's memory limit; SIGTERM exits 0 after draining
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"

# No curl in the JRE image: bash's /dev/tcp asks /health/ready and requires "200" on the status line. The start
# period covers the JVM start and the first verified subscription and canary.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9464 && printf 'GET /health/ready HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["java", "-jar", "/opt/alert-relay/alert-relay.jar"]
CMD ["--config", "/etc/alert-relay/relay.yaml"]
