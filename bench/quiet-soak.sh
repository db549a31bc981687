#!/usr/bin/env bash
# Issue 7, item 6: the watchdog is quiet when healthy. Starts a throwaway Sentinel topology (master, replica, three
# sentinels, down-after-milliseconds 1000) on free loopback ports, runs the assembled jar on it with
# watchdog.canary.interval 1s and everything else at its defaults, publishes 5 alerts/s to it, waits, then reads
# /metrics and the relay's log and fails unless there were 0 SUSPECT transitions, 0 blind windows and 0
# watchdog-driven resubscribes. Every process it started is stopped on exit.
#
#   bench/quiet-soak.sh [seconds]      (default 600; build the jar first: ./mvnw -q -B package -DskipTests;
#                                       ALERT_RELAY_JAR=path runs another copy of it)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-600}
JAR=${ALERT_RELAY_JAR:-app/target/alert-relay.jar}
[ -f "$JAR" ] || { echo "build the jar first: ./mvnw -q -B package -DskipTests" >&2; exit 2; }
WORK=$(mktemp -d /tmp/alert-relay-soak.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
MASTER=$(free_port); REPLICA=$(free_port); HTTP=$(free_port)
redis-server --port "$MASTER" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" --logfile "$WORK/master.log" &
PIDS+=($!)
redis-server --port "$REPLICA" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" --logfile "$WORK/replica.log" \
  --replicaof 127.0.0.1 "$MASTER" &
PIDS+=($!)
SENTINELS=()
for i in 1 2 3; do
  port=$(free_port)
  cat > "$WORK/sentinel-$i.conf" <<CONF
port $port
bind 127.0.0.1
sentinel monitor mymaster 127.0.0.1 $MASTER 2
sentinel down-after-milliseconds mymaster 1000
sentinel failover-timeout mymaster 10000
CONF
  redis-server "$WORK/sentinel-$i.conf" --sentinel --logfile "$WORK/sentinel-$i.log" &
  PIDS+=($!)
  SENTINELS+=("\"127.0.0.1:$port\"")
done
sleep 2
cat > "$WORK/relay.yaml" <<YAML
redis:
  sentinel:
    master: mymaster
    nodes: [$(IFS=,; echo "${SENTINELS[*]}")]
subscriptions:
  - pattern: "alerts:*"
sinks:
  out:
    type: console
routes:
  - sinks: [out]
watchdog:
  canary:
    interval: 1s
http:
  port: $HTTP
YAML
java -Xmx256m -jar "$JAR" --config "$WORK/relay.yaml" > "$WORK/relay.stdout" 2> "$WORK/relay.stderr" &
PIDS+=($!)
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$HTTP/health/ready" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$HTTP/health/ready" >/dev/null || { echo "relay not ready"; tail -30 "$WORK/relay.stderr"; exit 1; }
echo "soak: relay ready on Sentinel master 127.0.0.1:$MASTER (replica $REPLICA); running ${SECONDS_TO_RUN}s at 5 alerts/s; logs in $WORK"
end=$(( $(date +%s) + SECONDS_TO_RUN ))
n=0
while [ "$(date +%s)" -lt "$end" ]; do
  n=$((n + 1))
  redis-cli -p "$MASTER" publish alerts:soak "{\"title\":\"soak $n\"}" >/dev/null
  sleep 0.2
done
metrics=$(curl -sf "http://127.0.0.1:$HTTP/metrics")
metric() { echo "$metrics" | awk -v name="$1" '$1 == name { print $2 }'; }
suspect=$(grep -c -- '-> SUSPECT' "$WORK/relay.stderr" || true)
windows=$(metric alertrelay_blind_windows); open=$(metric alertrelay_blind_windows_open)
requests=$(metric alertrelay_canary_resubscribe_requests); missed=$(metric alertrelay_canary_missed_rounds)
replacements=$(metric alertrelay_subscription_replacements); received=$(metric alertrelay_canary_received)
delivered=$(grep -c 'FIRING \[warning\] soak ' "$WORK/relay.stdout" || true)
echo "soak result after ${SECONDS_TO_RUN}s: SUSPECT transitions=$suspect, blind windows closed=$windows open=$open," \
     "watchdog resubscribe requests=$requests, missed canary rounds=$missed, make-before-break replacements=$replacements," \
     "canaries received=$received, alerts published=$n delivered=$delivered"
[ "$suspect" = 0 ] && [ "$windows" = "0.0" ] && [ "$open" = "0.0" ] && [ "$requests" = "0.0" ] && [ "$delivered" = "$n" ] \
  && echo "soak: QUIET" || { echo "soak: NOT QUIET"; exit 1; }
