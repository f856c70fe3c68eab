#!/bin/bash
# Samples the modtcp Echo server's threads every 0.2 s while it lives: on-CPU ns, run-queue wait ns, timeslices
# (/proc/PID/task/TID/schedstat) and voluntary/involuntary context switches; prints the last sample per thread.
pat="samples.Echo server --host 192.0.2.2 --port $1"
for i in $(seq 1 900); do pid=$(pgrep -f "$pat" | head -1); [ -n "$pid" ] && break; sleep 0.1; done
[ -z "$pid" ] && { echo "no process"; exit 1; }
declare -A last
while [ -d /proc/$pid ]; do
  for t in /proc/$pid/task/*; do
    c=$(cat $t/comm 2>/dev/null)
    case "$c" in modtcp-stack|echo-[0-9]*) 
      v=$(awk '/^voluntary_ctxt/{v=$2} /^nonvoluntary_ctxt/{n=$2} END{print v, n}' $t/status 2>/dev/null)
      s=$(cat $t/schedstat 2>/dev/null)
      [ -n "$s" ] && last[$(basename $t)]="$c $s $v";;
    esac
  done
  sleep 0.2
done
for k in "${!last[@]}"; do echo "$k ${last[$k]}"; done
