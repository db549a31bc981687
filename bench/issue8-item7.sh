#!/usr/bin/env bash
# The measurements of docs/benchmarks.md "Issue 8, item 7" in one go (about 8 minutes; run on an otherwise idle
# machine: the latency and throughput numbers are wall-clock). Usage: bench/issue8-item7.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -Pbench -pl app,bench -am package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile=target/classpath.txt
CP="bench/target/classes:$(cat bench/target/classpath.txt)"
JAR=app/target/alert-relay.jar
run() { nice -n -15 java "$@" 2>&1 | grep '^|\|^jar\|start-up\|alerts per run\|lost'; }
echo "== latency, outbox on disk";  run -Xmx512m -cp "$CP" io.alertrelay.bench.RelayJarBench --latency "$JAR" 15 1000,10000 disk
echo "== latency, outbox on tmpfs"; run -Xmx512m -cp "$CP" io.alertrelay.bench.RelayJarBench --latency "$JAR" 15 1000,10000 tmpfs
echo "== throughput, no-op sink";   run -Xmx512m -Dbench.sink=bench-noop -cp "$CP" io.alertrelay.bench.RelayJarBench "$JAR" 10 10000,30000,50000,100000
echo "== RSS, -Xmx128m SerialGC";   run -Xmx512m "-Dbench.relay.jvm=-Xmx128m -XX:+UseSerialGC" -cp "$CP" io.alertrelay.bench.RelayJarBench --latency "$JAR" 15 10000 disk
echo "== durable path in-process";  run -Xmx512m -cp "$CP" io.alertrelay.bench.DurablePathBench 200000 2
echo "== in-memory path";           run -Xmx1g -cp "$CP" io.alertrelay.bench.PipelineBench --runs 3
