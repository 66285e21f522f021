# shellcheck shell=bash disable=SC2034  # sourced: the variables are used by the scripts that source this file
# Shared settings and helpers for scripts/cluster-up, scripts/cluster-down and scripts/e2e-smoke. Sourced, not run.
# Every setting can be overridden from the environment.

DDX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DDX_CLUSTER_DIR=${DDX_CLUSTER_DIR:-$DDX_ROOT/.cluster}
DDX_CONFIGURATION=${DDX_CONFIGURATION:-Release}
DDX_GATEWAY_PORT=${DDX_GATEWAY_PORT:-8080}
DDX_GATEWAY_URL=http://127.0.0.1:$DDX_GATEWAY_PORT        # the gateway cluster-up starts (set DDX_GATEWAY_PORT to move it)
DDX_GATEWAYS=${DDX_GATEWAYS:-1}                          # 2: a second gateway, gateway-2 (stateless: any gateway routes any upload)
DDX_GATEWAY2_PORT=${DDX_GATEWAY2_PORT:-8090}
DDX_SILO_COUNT=3
DDX_SILO_PORT_BASE=${DDX_SILO_PORT_BASE:-11111}         # Orleans silo-to-silo ports 11111..11113
DDX_SILO_GATEWAY_PORT_BASE=${DDX_SILO_GATEWAY_PORT_BASE:-30000}  # Orleans client gateway ports 30000..30002
DDX_SILO_HTTP_PORT_BASE=${DDX_SILO_HTTP_PORT_BASE:-8081}  # silo /healthz, /readyz, /metrics, /dashboard: 8081..8083
# Each silo's memory cap (MemoryBudget__MemoryLimitBytes): 2, 3 and 4 GiB, so their headroom differs.
DDX_SILO_MEMORY_LIMITS=${DDX_SILO_MEMORY_LIMITS:-"2147483648 3221225472 4294967296"}
DDX_READY_TIMEOUT=${DDX_READY_TIMEOUT:-120}
# Failure detection (Orleans:Membership, as compose.yaml sets it): probe every silo with a 2 s timeout, two missed
# probes make a suspicion, and suspicions older than 20 s no longer count; a killed silo is declared dead in ~10 s.
DDX_PROBE_TIMEOUT=${DDX_PROBE_TIMEOUT:-00:00:02}
DDX_MISSED_PROBES=${DDX_MISSED_PROBES:-2}
DDX_DEATH_VOTE_EXPIRATION=${DDX_DEATH_VOTE_EXPIRATION:-00:00:20}
DDX_STOP_TIMEOUT=${DDX_STOP_TIMEOUT:-30}
# 1: every process cluster-up starts is supervised (scripts/lib/supervise: started again after a crash, with backoff).
DDX_SUPERVISE=${DDX_SUPERVISE:-1}
# Where uploads' bytes are kept: file (one directory every process shares, data/), s3 (an s3rver of the cluster's
# own) or azure (Azurite's blob service): scripts/object-store starts the store as the process named object-store, and
# each silo and gateway then has a scratch directory of its own, data/NAME. cluster-up writes the choice to store.env.
DDX_STORE=${DDX_STORE:-file}
# The state store: single (one redis-server, the default) or sentinel (a primary, a replica and three redis-sentinel).
DDX_REDIS=${DDX_REDIS:-single}
DDX_SENTINEL_SERVICE=${DDX_SENTINEL_SERVICE:-ddx}
DDX_SENTINEL_DOWN_AFTER_MS=${DDX_SENTINEL_DOWN_AFTER_MS:-2000}
# The state store's processes, in the order they are stopped: sentinels first (no failover while everything stops).
ddx_redis_names() { echo sentinel-1 sentinel-2 sentinel-3 redis-replica redis; }
# The port the state store's process $1 listens on (written by cluster-up).
ddx_port_of() { cat "$DDX_CLUSTER_DIR/ports/$1" 2>/dev/null || cut -d: -f2 "$DDX_CLUSTER_DIR/redis.address"; }

DDX_PID_DIR=$DDX_CLUSTER_DIR/pids
DDX_LOG_DIR=$DDX_CLUSTER_DIR/logs
DDX_DATA_DIR=$DDX_CLUSTER_DIR/data
DDX_REDIS_DIR=$DDX_CLUSTER_DIR/redis
DDX_LAUNCH_DIR=$DDX_CLUSTER_DIR/launch
DDX_OBJECT_STORE_DIR=$DDX_CLUSTER_DIR/object-store         # the object store's data (s3/azure)
# 1: a .NET process that crashes writes a mini dump and a crash report (native stack, module offsets) here, so that a
# crash such as issue 17's start-up segfault in a Server GC thread leaves evidence (DOTNET_DbgEnableMiniDump); 0: none.
DDX_CRASH_DUMPS=${DDX_CRASH_DUMPS:-1}
DDX_DUMP_DIR=$DDX_CLUSTER_DIR/dumps
DDX_OBJECT_STORE_SETTINGS=$DDX_CLUSTER_DIR/object-store.env # its FileStore settings, written once it answers
DDX_STORE_ENV=$DDX_CLUSTER_DIR/store.env                    # the store cluster-up gave the cluster (source it)

# Each gateway's management port (Management:Urls: its dashboard, /metrics and /api/v1/cluster/nodes; not on the upload
# port): the gateway's port + 5 (8085, 8095 by default).
DDX_MANAGEMENT_PORT_OFFSET=${DDX_MANAGEMENT_PORT_OFFSET:-5}
# The management address of gateway URL $1 (cluster-up writes them to management.urls: "GATEWAY_URL MANAGEMENT_URL"
# lines); $1 itself for a process without one.
ddx_management_url() {
  local url=${1%/} found=""
  [ ! -f "$DDX_CLUSTER_DIR/management.urls" ] || found=$(awk -v u="$url" '$1 == u { print $2; exit }' "$DDX_CLUSTER_DIR/management.urls")
  echo "${found:-$url}"
}

# The gateways' process names (gateway, gateway-2 with DDX_GATEWAYS=2) and the URL of one of them.
ddx_gateway_names() { if [ "$DDX_GATEWAYS" -ge 2 ]; then echo gateway gateway-2; else echo gateway; fi; }
ddx_gateway_url() { if [ "$1" = gateway-2 ]; then echo "http://127.0.0.1:$DDX_GATEWAY2_PORT"; else echo "$DDX_GATEWAY_URL"; fi; }

# True when the object store has written its settings (it does so only once it listens) and answers HTTP at the
# address cluster-up wrote to object-store.url (any status: an unsigned request may well be refused).
ddx_object_store_ready() {
  [ -s "$DDX_OBJECT_STORE_SETTINGS" ] && [ -s "$DDX_CLUSTER_DIR/object-store.url" ] \
    && [ "$(ddx_http_status "$(cat "$DDX_CLUSTER_DIR/object-store.url")")" != 000 ]
}

# Starts the process named $1 as launch/$1 says (written by cluster-up): its output appended to logs/$1.log, its PID
# recorded (pids/$1.pid). Supervised unless DDX_SUPERVISE=0: scripts/lib/supervise runs it (its own PID in
# pids/$1.supervisor.pid) and starts it again after a crash, with backoff; returns once the process has started.
ddx_launch() {
  local name=$1 dir command
  # shellcheck disable=SC1090  # written by cluster-up's start_process
  source "$DDX_LAUNCH_DIR/$name"
  if [ "$DDX_SUPERVISE" = 1 ]; then
    rm -f "$DDX_PID_DIR/$name.pid"
    # shellcheck disable=SC2094 # the supervisor and the process it starts append to the same log, one after the other
    (cd "$dir" && exec "$DDX_ROOT/scripts/lib/supervise" "$name" "$DDX_PID_DIR" "$DDX_LOG_DIR/$name.log" env "${command[@]}" \
      >>"$DDX_LOG_DIR/$name.log" 2>&1 </dev/null) &
    ddx_record_pid "$name.supervisor" $!
    local i
    for i in $(seq 1 50); do [ -s "$DDX_PID_DIR/$name.pid" ] && break; sleep 0.1; done
  else
    (cd "$dir" && exec env "${command[@]}" >>"$DDX_LOG_DIR/$name.log" 2>&1 </dev/null) &
    ddx_record_pid "$name" $!
  fi
}

# Asks the process named $1 to stop (SIGTERM): through its supervisor when it has one, so that it is not started again.
ddx_stop() {
  local supervisor pid
  supervisor=$(ddx_live_pid "$1.supervisor")
  pid=$(ddx_live_pid "$1")
  if [ -n "$supervisor" ]; then kill -TERM "$supervisor" 2>/dev/null || true; fi
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
}

# Ends the supervision of $1 (its supervisor SIGKILLed; the process itself runs on), so that a chaos scenario can keep it
# down: scripts/cluster-restart NAME --start supervises it again.
ddx_unsupervise() {
  local supervisor
  supervisor=$(ddx_live_pid "$1.supervisor")
  [ -z "$supervisor" ] || kill -KILL "$supervisor" 2>/dev/null || true
  rm -f "$DDX_PID_DIR/$1.supervisor.pid"
}

# True when the process named $1, or its supervisor (about to start it again), is alive.
ddx_alive_or_restarting() { [ -n "$(ddx_live_pid "$1")" ] || [ -n "$(ddx_live_pid "$1.supervisor")" ]; }

ddx_log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
ddx_fail() { ddx_log "FAILED: $*"; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
ddx_port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first port from $1 upwards that nothing listens on.
ddx_free_port_from() {
  local port=$1
  while ddx_port_in_use "$port"; do port=$((port + 1)); done
  echo "$port"
}

# The process start time (clock ticks since boot, field 22 of /proc/PID/stat): with the PID it names one process
# for good, so a PID reused by the system after ours exited is never mistaken for ours.
ddx_start_time() { awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }

# Records PID $2 as the process named $1 (pids/$1.pid holds "PID STARTTIME").
ddx_record_pid() { echo "$2 $(ddx_start_time "$2")" >"$DDX_PID_DIR/$1.pid"; }

# The PID recorded for $1 when that very process is still alive; empty otherwise.
ddx_live_pid() {
  local file=$DDX_PID_DIR/$1.pid pid start
  [ -f "$file" ] || return 0
  read -r pid start <"$file"
  if [ -n "$pid" ] && [ "$(ddx_start_time "$pid")" = "$start" ]; then echo "$pid"; fi
}

# HTTP status of GET $1 ("000" when nothing answers).
ddx_http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true; }

# Polls the command "$2..." until it succeeds, for at most $1 seconds; 0 when it did, 1 when the deadline passed.
ddx_wait_until() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.25
  done
}
