#!/usr/bin/env bash
# bench/imap-dovecot: Outpost vs Dovecot 2.3, one run, same machine, same client code (bench.ts).
# Needs root (Dovecot runs its private instance as root with mail_uid nobody), dovecot-imapd, dovecot-lmtpd.
# Full run: bench/imap-dovecot/run.sh (its one full run took 48 min on a 2-core machine under heavy load from other
# work: the 100,000-message fill and Dovecot's 2,000 argon2id logins dominate).
# Quick run: N=10000 IDLE=200 MIX_SECONDS=5 bench/imap-dovecot/run.sh
# Environment: N, IDLE, MIX_SECONDS, ROUNDS, ONLY=a,b,c, PROFILE=<dir> (outpost serve under --cpu-prof), SKIP_BUILD=1.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
# 2,000 IDLE clients: the client process holds 2,000 sockets, each server as many (Dovecot inherits this limit).
ulimit -n 20000
[[ -n "${SKIP_BUILD:-}" ]] || npx tsc -p tsconfig.json || echo "(tsc reported errors; dist/ was emitted anyway)"
exec node --import tsx "$HERE/bench.ts"
