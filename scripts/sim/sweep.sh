#!/usr/bin/env bash
# Reproducible sweeps for the router's issue 9/10 checks (docs/BENCHMARKS.md
# "Black holes named from first-hand proof"). One run at a time: the machine
# is shared and each run is deterministic from its seed, so sequential runs
# give the same figures as the documented ones.
#
#   scripts/sim/sweep.sh hostile [FIRST LAST]   100 nodes, 10 % loss, 5 hostile: seed honestDirectDelivery forged
#   scripts/sim/sweep.sh clean [FIRST LAST]     same without attack: seed directDelivery txPerDelivered
#   scripts/sim/sweep.sh big [SEEDS...]         1000 nodes (default seeds 1 2): seed directDelivery txPerDelivered
#   scripts/sim/sweep.sh broadcast              30 nodes, random/clusters, seeds 1 2: meow vs managed-flood broadcastDelivery
#
# Each mode ends with a line "mean ..." / "min ..." where it makes sense.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:-hostile}
first=${2:-1}
last=${3:-30}
sim() { npx tsx scripts/sim/main.ts "$@" --json; }
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.trim().split("\n")){const o=JSON.parse(l);console.log(process.argv.slice(1).map(k=>o[k]).join(" "))}})' "$@"; }
summary() { awk '{n++; s+=$2; t+=$3; if (min=="" || $2<min) min=$2} {print} END {printf "mean %.4f %.2f min %s (n=%d)\n", s/n, t/n, min, n}'; }
case "$mode" in
  hostile)
    for s in $(seq "$first" "$last"); do
      echo "$s $(sim --nodes 100 --loss 0.1 --seed "$s" --hostile 5 --routers meow | field honestDirectDelivery forgedBroadcastsStored)"
    done | summary ;;
  clean)
    for s in $(seq "$first" "$last"); do
      echo "$s $(sim --nodes 100 --loss 0.1 --seed "$s" --routers meow | field directDelivery txPerDelivered)"
    done | summary ;;
  big)
    shift || true
    for s in "${@:-1 2}"; do
      for seed in $s; do
        echo "$seed $(sim --nodes 1000 --loss 0.1 --seed "$seed" --routers meow | field directDelivery txPerDelivered latencyP95Ms)"
      done
    done ;;
  broadcast)
    for layout in random clusters; do
      for s in 1 2; do
        echo "$layout $s $(sim --nodes 30 --loss 0.1 --seed "$s" --layout "$layout" --duration 1800 --routers meow,managed-flood | field router broadcastDelivery | tr '\n' ' ')"
      done
    done ;;
  *) echo "unknown mode $mode (hostile|clean|big|broadcast)" >&2; exit 2 ;;
esac
