#!/usr/bin/env bash
# A private InfluxDB 1.x for the tests, with its data, config, log and pid file in DIR.
#
#   tests/influxdb.sh start DIR   installs Debian's influxdb package if influxd is missing, starts
#                                 influxd on free loopback ports and prints
#                                 INFLUXDB_URL=http://127.0.0.1:PORT and INFLUXDB_PIDFILE=DIR/influxd.pid
#                                 (run again: prints the same lines for the instance already running)
#   tests/influxdb.sh stop DIR    stops the influxd that `start DIR` started, and nothing else
#
# Needs only bash: ports are probed and /ping is polled through bash's /dev/tcp.
set -euo pipefail

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}

[ $# -eq 2 ] || usage
command=$1
dir=$2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pidfile=$dir/influxd.pid
urlfile=$dir/influxdb.url
config=$dir/influxdb.conf

# The pid in the pid file, when that process is still the influxd started with this folder's
# config (a recycled pid belongs to someone else and must not be touched).
running_pid() {
    [ -f "$pidfile" ] || return 1
    local pid
    pid=$(cat "$pidfile")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [ -r "/proc/$pid/cmdline" ] || return 1
    local cmdline
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
    [[ "$cmdline" == *influxd* && "$cmdline" == *"$config"* ]] || return 1
    echo "$pid"
}

# Whether something accepts connections on 127.0.0.1:$1.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % 40000))
        if ! port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    echo "tests/influxdb.sh: no free loopback port found" >&2
    return 1
}

# The status code of GET /ping, or nothing when nobody answers.
ping_status() {
    (
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
        printf 'GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
        read -r -t 2 _ status _ <&3 || true
        echo "${status:-}"
    ) 2>/dev/null
}

install_influxdb() {
    command -v influxd >/dev/null && return 0
    echo "tests/influxdb.sh: influxd not found; installing Debian's influxdb package" >&2
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        echo "tests/influxdb.sh: need root and apt-get to install influxdb" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q influxdb >&2
    command -v influxd >/dev/null
}

print_instance() {
    echo "INFLUXDB_URL=$(cat "$urlfile")"
    echo "INFLUXDB_PIDFILE=$pidfile"
}

start() {
    if running_pid >/dev/null && [ -f "$urlfile" ]; then
        print_instance
        return 0
    fi
    install_influxdb
    local http_port rpc_port
    http_port=$(free_port)
    rpc_port=$(free_port)
    while [ "$rpc_port" = "$http_port" ]; do rpc_port=$(free_port); done
    mkdir -p "$dir/meta" "$dir/data" "$dir/wal"
    cat >"$config" <<EOF
# Debian's build reads "reporting-enabled"; upstream's is "reporting-disabled = true".
reporting-enabled = false
bind-address = "127.0.0.1:$rpc_port"

[meta]
  dir = "$dir/meta"

[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = true

[monitor]
  store-enabled = false

[subscriber]
  enabled = true

[http]
  enabled = true
  bind-address = "127.0.0.1:$http_port"
  auth-enabled = false
  log-enabled = true
EOF
    nohup influxd -config "$config" >"$dir/influxd.log" 2>&1 </dev/null &
    local pid=$!
    echo "$pid" >"$pidfile"
    echo "http://127.0.0.1:$http_port" >"$urlfile"
    # It answers in about 0.1 s; allow 30 s on a loaded machine (10 s was once too little while
    # gigabytes were being deleted on the same disk).
    for _ in $(seq 1 600); do
        if [ "$(ping_status "$http_port")" = 204 ]; then
            print_instance
            return 0
        fi
        # Gone, not merely still starting: until the child has exec'd influxd, its command line
        # is this script's, which `running_pid` rightly refuses.
        if ! kill -0 "$pid" 2>/dev/null; then
            break
        fi
        sleep 0.05
    done
    echo "tests/influxdb.sh: influxd did not come up; its log ($dir/influxd.log) ends with:" >&2
    tail -n 20 "$dir/influxd.log" >&2 || true
    stop
    return 1
}

stop() {
    local pid
    if pid=$(running_pid); then
        kill -TERM "$pid"
        for _ in $(seq 1 100); do
            [ -d "/proc/$pid" ] || break
            sleep 0.1
        done
        if [ -d "/proc/$pid" ]; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$pidfile" "$urlfile"
}

case "$command" in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
