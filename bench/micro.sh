#!/usr/bin/env bash
# Microbenchmarks of Orleans.Tokens (BenchmarkDotNet): what sealing and opening a token costs, in µs per token.
#
#   bench/micro.sh [BenchmarkDotNet options]     default: every benchmark, as --filter '*'
#
# BenchmarkDotNet builds bench/Micro in Release and runs each benchmark in processes of its own; its table
# (Mean per operation, allocations) goes to stdout and bench/results/micro-<timestamp>/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -gt 0 ] || set -- --filter '*'
exec dotnet run -c Release --project "$here/Micro" -- --artifacts "$here/results/micro-$(date +%Y%m%d-%H%M%S)" "$@"
