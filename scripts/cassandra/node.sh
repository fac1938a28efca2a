#!/usr/bin/env bash
# A single Apache Cassandra node on 127.0.0.1 for the tests of the Cassandra store (CQL on port 9042).
# Apache Cassandra is published on Maven Central as org.apache.cassandra:cassandra-all; Maven fetches it
# and its dependencies (pom.xml beside this script), and the JDK runs its CassandraDaemon directly: no
# Debian package, no tarball, no Docker.
#
#   node.sh start   fetch what is missing, write the configuration, launch the node in the background
#   node.sh wait    wait until CQL answers on 127.0.0.1:9042 (MISSIVE_CASSANDRA_WAIT seconds, default 300)
#   node.sh up      start, then wait (the default)
#   node.sh stop    stop the node this script started
#
# Idempotent: a node that already answers on the port, or one that is still booting from an earlier
# `start`, is left alone. Everything lives under MISSIVE_CASSANDRA_DIR (default /var/tmp/missive-cassandra):
# lib/ (the jars), conf/, data/, log/ and the node's pid file.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=${MISSIVE_CASSANDRA_DIR:-/var/tmp/missive-cassandra}
host=127.0.0.1
port=${MISSIVE_CASSANDRA_PORT:-9042}
# 5.0 is the first Cassandra line that runs on Java 17 (4.1 supports Java 8 and 11 only).
version=${MISSIVE_CASSANDRA_VERSION:-5.0.9}
# Small enough to fit beside PostgreSQL, MariaDB and the tests on a 2-core, shared CI machine.
heap_min=${MISSIVE_CASSANDRA_HEAP_MIN:-256m}
heap_max=${MISSIVE_CASSANDRA_HEAP_MAX:-768m}
pidfile=$dir/cassandra.pid

# A CQL OPTIONS request (protocol v4, stream 1, no body): the node answers SUPPORTED (0x84 = a v4
# response) only once its native transport is up, which a mere open port would not prove.
cql_answers() {
  local reply
  reply=$(timeout 5 bash -c "exec 3<>/dev/tcp/$host/$port || exit 1
    printf '\\x04\\x00\\x00\\x01\\x05\\x00\\x00\\x00\\x00' >&3
    head -c 1 <&3 | od -An -tx1" 2>/dev/null) || return 1
  [ "$(echo "$reply" | tr -d ' \n')" = 84 ]
}

# The pid file may be left from a machine's earlier life: its pid counts only while it is a CassandraDaemon.
running() {
  [ -f "$pidfile" ] && tr '\0' ' ' <"/proc/$(cat "$pidfile")/cmdline" 2>/dev/null | grep -q CassandraDaemon
}

fetch() {
  if ls "$dir/lib/cassandra-all-$version.jar" >/dev/null 2>&1; then return; fi
  echo "cassandra: fetching cassandra-all $version and its dependencies with Maven"
  mkdir -p "$dir"
  rm -rf "$dir/lib.partial"
  mvn -B -q -Dstyle.color=never -f "$here/pom.xml" -Dcassandra.version="$version" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$dir/lib.partial"
  rm -rf "$dir/lib"
  mv "$dir/lib.partial" "$dir/lib"
}

configure() {
  mkdir -p "$dir/conf" "$dir/data" "$dir/log"
  # Only what a single test node needs; everything else keeps Cassandra's defaults.
  cat >"$dir/conf/cassandra.yaml" <<YAML
cluster_name: missive-test
num_tokens: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
listen_address: $host
rpc_address: $host
broadcast_rpc_address: $host
storage_port: ${MISSIVE_CASSANDRA_STORAGE_PORT:-7000}
native_transport_port: $port
start_native_transport: true
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "$host:${MISSIVE_CASSANDRA_STORAGE_PORT:-7000}"
endpoint_snitch: SimpleSnitch
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
data_file_directories:
  - $dir/data/data
commitlog_directory: $dir/data/commitlog
saved_caches_directory: $dir/data/saved_caches
hints_directory: $dir/data/hints
cdc_raw_directory: $dir/data/cdc_raw
commitlog_sync: periodic
commitlog_sync_period: 10000ms
# Tests create and drop a keyspace per case: no snapshot of each dropped table.
auto_snapshot: false
# Few threads and small caches: the node shares two cores with everything else.
concurrent_reads: 4
concurrent_writes: 4
concurrent_counter_writes: 4
concurrent_compactors: 1
key_cache_size: 8MiB
counter_cache_size: 4MiB
# A journal transaction is one batch holding whole messages (the store bounds a message at 8 MiB).
batch_size_warn_threshold: 16MiB
batch_size_fail_threshold: 64MiB
YAML
  cat >"$dir/conf/logback.xml" <<'XML'
<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>${cassandra.logdir}/system.log</file>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
XML
}

launch() {
  local jamm
  jamm=$(ls "$dir"/lib/jamm-*.jar | head -n 1)
  # The module exports and opens Cassandra needs on Java 17 (its conf/jvm17-server.options), a small heap,
  # and no waiting for a gossip ring that a single node does not have.
  local opts=(
    -Xms"$heap_min" -Xmx"$heap_max" -XX:+UseG1GC -XX:+HeapDumpOnOutOfMemoryError
    -XX:HeapDumpPath="$dir/log" -Xss512k
    -javaagent:"$jamm"
    -Djdk.attach.allowAttachSelf=true
    --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
    --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
    --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
    --add-exports java.sql/java.sql=ALL-UNNAMED
    --add-exports java.base/java.lang.ref=ALL-UNNAMED
    --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
    --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
    --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED
    --add-opens java.base/java.lang.module=ALL-UNNAMED
    --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
    --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
    --add-opens java.base/jdk.internal.math=ALL-UNNAMED
    --add-opens java.base/jdk.internal.module=ALL-UNNAMED
    --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens java.base/java.io=ALL-UNNAMED
    --add-opens java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED
    --add-opens java.base/java.util=ALL-UNNAMED
    -Dio.netty.tryReflectionSetAccessible=true
    -Dcassandra.config="file://$dir/conf/cassandra.yaml"
    -Dlogback.configurationFile="$dir/conf/logback.xml"
    -Dcassandra.logdir="$dir/log"
    -Dcassandra.storagedir="$dir/data"
    -Dcassandra.skip_wait_for_gossip_to_settle=0
    -Dcassandra.ring_delay_ms=0
    -Dcassandra.superuser_setup_delay_ms=0
    # Test node only: schema changes do not wait for the system tables to flush (tests create a keyspace
    # and its tables per case), as Cassandra's own distributed tests run it.
    -Dcassandra.unsafesystem=true
    -Dcassandra-pidfile="$pidfile"
  )
  echo "cassandra: starting a node on $host:$port (data and log in $dir)"
  # setsid: the node outlives this script and the CI step that ran it.
  setsid nohup java "${opts[@]}" -cp "$dir/lib/*" org.apache.cassandra.service.CassandraDaemon \
    >"$dir/log/stdout.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

start() {
  if cql_answers; then
    echo "cassandra: a node already answers on $host:$port"
    return
  fi
  if running; then
    echo "cassandra: the node (pid $(cat "$pidfile")) is still starting"
    return
  fi
  fetch
  configure
  launch
}

wait_for_cql() {
  local limit=${MISSIVE_CASSANDRA_WAIT:-300} waited=0
  until cql_answers; do
    if [ -f "$pidfile" ] && ! running; then
      echo "cassandra: the node exited; the end of its log:" >&2
      tail -n 40 "$dir/log/system.log" "$dir/log/stdout.log" >&2 2>/dev/null || true
      return 1
    fi
    if [ "$waited" -ge "$limit" ]; then
      echo "cassandra: CQL did not answer on $host:$port within ${limit}s" >&2
      tail -n 40 "$dir/log/system.log" >&2 2>/dev/null || true
      return 1
    fi
    sleep 2
    waited=$((waited + 2))
  done
  echo "cassandra: CQL answers on $host:$port"
}

stop() {
  if running; then
    kill "$(cat "$pidfile")"
    for _ in $(seq 1 30); do running || break; sleep 1; done
  fi
  rm -f "$pidfile"
}

case "${1:-up}" in
  start) start ;;
  wait) wait_for_cql ;;
  up) start && wait_for_cql ;;
  stop) stop ;;
  *) echo "usage: $0 [start|wait|up|stop]" >&2; exit 2 ;;
esac
