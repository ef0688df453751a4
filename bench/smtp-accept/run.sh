#!/usr/bin/env bash
# bench/smtp-accept: Postfix (delivering into Dovecot over LMTP) vs Outpost, same machine, one run, Postfix's
# smtp-source: 20 sessions, one 4 KiB message per connection, 5,000 messages. Timed until the last message is
# visible over IMAP (STATUS INBOX MESSAGES) for both.
# Needs root, postfix, dovecot-imapd, dovecot-lmtpd, python3; run `npx tsc -p tsconfig.json` first.
# Usage: bench/smtp-accept/run.sh [messages] [sessions]
set -euo pipefail
MSGS=${1:-5000}
SESS=${2:-20}
SIZE=4096
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/outpost-bench-XXXXXX)
PF_PORT=${PF_PORT:-12525}; LMTP_PORT=${LMTP_PORT:-12424}; IMAP_PORT=${IMAP_PORT:-12143}; OP_PORT=${OP_PORT:-12526}; OP_IMAPS_PORT=${OP_IMAPS_PORT:-12993}
cleanup() {
  [[ -n "${OP_PID:-}" ]] && kill "$OP_PID" 2>/dev/null || true
  postfix -c "$WORK/postfix" stop >/dev/null 2>&1 || true
  doveadm -c "$WORK/dovecot/dovecot.conf" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
now() { date +%s.%N; }

if [[ -z "${SKIP_POSTFIX:-}" ]]; then
# ---------------------------------------------------------------- Dovecot (LMTP in, IMAP out)
D="$WORK/dovecot"; mkdir -p "$D/base" "$D/state" "$D/mail"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$D/key.pem" -out "$D/cert.pem" -days 2 >/dev/null 2>&1
chown -R dovecot:dovecot "$D/mail"
echo "bench:{PLAIN}benchpass:$(id -u dovecot):$(id -g dovecot)::$D/mail/bench::" > "$D/users"
cat > "$D/dovecot.conf" <<CONF
protocols = imap lmtp
base_dir = $D/base
state_dir = $D/state
log_path = $D/dovecot.log
listen = 127.0.0.1
ssl = no
ssl_cert = <$D/cert.pem
ssl_key = <$D/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain
# LMTP is handed bench@example.test; the passwd-file user is "bench".
auth_username_format = %Ln
# The mail files belong to the system user "dovecot" (a low UID).
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = $D/users
}
userdb {
  driver = passwd-file
  args = $D/users
}
service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
CONF
dovecot -c "$D/dovecot.conf"

# ---------------------------------------------------------------- Postfix (private instance)
P="$WORK/postfix"; mkdir -p "$P"
cp /etc/postfix/master.cf "$P/master.cf"
sed -i "s/^smtp      inet  n       -       y       -       -       smtpd/$PF_PORT      inet  n       -       n       -       -       smtpd/" "$P/master.cf"
cat > "$P/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $WORK/postfix-queue
data_directory = $WORK/postfix-data
mail_owner = postfix
myhostname = bench.localhost
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
disable_dns_lookups = yes
smtp_host_lookup = native
virtual_mailbox_domains = example.test
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
# Nothing may leave the machine or ask its resolver: any other destination fails at once.
default_transport = error:outbound mail is disabled in this benchmark
relay_transport = error:outbound mail is disabled in this benchmark
maillog_file = $WORK/postfix.log
maillog_file_prefixes = /tmp
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
default_process_limit = 200
lmtp_destination_concurrency_limit = 20
CONF
mkdir -p "$WORK/postfix-queue" "$WORK/postfix-data"
chmod 755 "$WORK"   # mktemp makes it 0700; Postfix's unprivileged processes must reach their directories
chown postfix "$WORK/postfix-data"
postfix -c "$P" post-install create-missing >/dev/null 2>&1 || true
postfix -c "$P" set-permissions >/dev/null 2>&1 || true
postfix -c "$P" start 2>&1 | tail -3 || true
sleep 1

imap_count() {
  python3 - "$IMAP_PORT" <<'PY'
import imaplib, sys
try:
    m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1])); m.login('bench', 'benchpass')
    typ, data = m.status('INBOX', '(MESSAGES)'); m.logout()
    print(int(data[0].split(b'MESSAGES ')[1].rstrip(b')')))
except Exception:
    print(0)
PY
}

echo "Postfix + Dovecot: $MSGS messages, $SESS sessions, $SIZE bytes each"
T0=$(now)
smtp-source -s "$SESS" -l "$SIZE" -m "$MSGS" -f sender@bench.test -t bench@example.test "127.0.0.1:$PF_PORT"
T1=$(now)
while [[ $(imap_count) -lt $MSGS ]]; do sleep 0.2; done
T2=$(now)
PF_ACCEPT=$(echo "$T1 - $T0" | bc -l); PF_TOTAL=$(echo "$T2 - $T0" | bc -l)

fi

# ---------------------------------------------------------------- Outpost
O="$WORK/outpost"
node "$ROOT/bin/outpost.js" --data "$O" init --hostname mail.example.test --domain example.test --dns 127.0.0.1:1 >/dev/null
sed -i "s/^mx *=.*/mx = \"127.0.0.1:$OP_PORT\"/" "$O/outpost.toml"
sed -i "s/^imaps *=.*/imaps = \"127.0.0.1:$OP_IMAPS_PORT\"/" "$O/outpost.toml"
for role in submission submissions imap pop3 pop3s http https submission_fallback; do sed -i "/^$role *=/d" "$O/outpost.toml"; done

echo 'correct horse battery staple 42' | node "$ROOT/bin/outpost.js" --data "$O" account add bench@example.test --password-stdin >/dev/null
node "$ROOT/bin/outpost.js" --data "$O" serve > "$WORK/outpost.log" 2>&1 &
OP_PID=$!
for _ in $(seq 100); do grep -q "stop: " "$WORK/outpost.log" && break; sleep 0.1; done

# Visible means visible to a mail client: STATUS over IMAPS, as for Dovecot.
outpost_imap_count() {
  python3 - "$OP_IMAPS_PORT" <<'PY'
import imaplib, ssl, sys
try:
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    m = imaplib.IMAP4_SSL('127.0.0.1', int(sys.argv[1]), ssl_context=ctx); m.login('bench@example.test', 'correct horse battery staple 42')
    typ, data = m.status('INBOX', '(MESSAGES)'); m.logout()
    print(int(data[0].split(b'MESSAGES ')[1].rstrip(b')')))
except Exception:
    print(0)
PY
}

echo "Outpost: $MSGS messages, $SESS sessions, $SIZE bytes each"
T0=$(now)
smtp-source -s "$SESS" -l "$SIZE" -m "$MSGS" -f sender@bench.test -t bench@example.test "127.0.0.1:$OP_PORT"
T1=$(now)
while [[ $(outpost_imap_count) -lt $MSGS ]]; do sleep 0.2; done
T2=$(now)
OP_ACCEPT=$(echo "$T1 - $T0" | bc -l); OP_TOTAL=$(echo "$T2 - $T0" | bc -l)

printf '\n| server | accepted in (s) | visible in (s) | messages/s (to visible) |\n|---|---|---|---|\n'
[[ -z "${SKIP_POSTFIX:-}" ]] && printf '| Postfix 3.7 → LMTP → Dovecot 2.3 (IMAP) | %.2f | %.2f | %.0f |\n' "$PF_ACCEPT" "$PF_TOTAL" "$(echo "$MSGS / $PF_TOTAL" | bc -l)"
printf '| Outpost (IMAP) | %.2f | %.2f | %.0f |\n' "$OP_ACCEPT" "$OP_TOTAL" "$(echo "$MSGS / $OP_TOTAL" | bc -l)"
[[ -z "${SKIP_POSTFIX:-}" ]] && printf '\nratio Outpost / Postfix+Dovecot (messages/s to visible): %.2f\n' "$(echo "$PF_TOTAL / $OP_TOTAL" | bc -l)"
