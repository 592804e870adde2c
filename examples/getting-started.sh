#!/usr/bin/env bash
# The README's main command: compile the getting-started cpu_alert task (examples/cpu_alert.tick)
# and replay a recording of 10 cpus over 10 minutes through it (examples/data/cpu.srpl, in
# Kapacitor's recording format), then show the alerts it raised.
set -euo pipefail
cd "$(dirname "$0")/.."

# The task logs its alerts to /tmp/alerts.log, as in Kapacitor's guide; start from an empty log.
rm -f /tmp/alerts.log
cargo run --quiet --release -p tickc -- replay examples/cpu_alert.tick --recording examples/data/cpu.srpl
echo "== $(wc -l < /tmp/alerts.log) alerts in /tmp/alerts.log (time, level, message); the first ten:"
sed -E 's/.*"message":"([^"]*)".*"time":"([^"]*)".*"level":"([^"]*)".*/\2  \3  \1/' /tmp/alerts.log | head -10
