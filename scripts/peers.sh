#!/usr/bin/env bash
# The real programs Outpost's tests talk to. One list, used by `npm test` (scripts/test.sh) and by .ci/run.
#   scripts/peers.sh check     prints the missing peers (exit 1 if any)
#   scripts/peers.sh install   installs them with apt-get (Debian, as root)
set -euo pipefail

# Debian packages (see ../shared/TESTING.md for how each is used).
PACKAGES=(postfix dovecot-imapd dovecot-pop3d dovecot-lmtpd swaks libnet-ssleay-perl libio-socket-ssl-perl
  libauthen-sasl-perl msmtp curl isync mutt fetchmail postgresql chromium python3-dkim pebble openssl systemd)

# name|how to check it|package that provides it
CHECKS=(
  "postfix|command -v postfix|postfix"
  "smtp-sink|command -v smtp-sink|postfix"
  "dovecot|command -v dovecot|dovecot-imapd"
  "dovecot pop3|test -x /usr/lib/dovecot/pop3|dovecot-pop3d"
  "dovecot lmtp|test -x /usr/lib/dovecot/lmtp|dovecot-lmtpd"
  "swaks|command -v swaks|swaks"
  "swaks TLS (Net::SSLeay)|perl -MNet::SSLeay -e1|libnet-ssleay-perl"
  "swaks TLS (IO::Socket::SSL)|perl -MIO::Socket::SSL -e1|libio-socket-ssl-perl"
  "swaks AUTH (Authen::SASL)|perl -MAuthen::SASL -e1|libauthen-sasl-perl"
  "msmtp|command -v msmtp|msmtp"
  "curl|command -v curl|curl"
  "mbsync|command -v mbsync|isync"
  "mutt|command -v mutt|mutt"
  "fetchmail|command -v fetchmail|fetchmail"
  "postgresql server|ls /usr/lib/postgresql/*/bin/initdb|postgresql"
  "chromium|command -v chromium|chromium"
  "python3 dkim (dkimpy)|/usr/bin/python3 -c 'import dkim'|python3-dkim"
  "pebble|command -v pebble|pebble"
  "openssl|command -v openssl|openssl"
  "systemd-analyze (checks deploy/outpost.service)|command -v systemd-analyze|systemd"
)

missing() {
  local out=()
  for c in "${CHECKS[@]}"; do
    IFS='|' read -r name check pkg <<<"$c"
    if ! bash -c "$check" >/dev/null 2>&1; then out+=("$name ($pkg)"); fi
  done
  printf '%s\n' "${out[@]+"${out[@]}"}"
}

install() {
  export DEBIAN_FRONTEND=noninteractive
  echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
  echo "postfix postfix/mailname string localhost" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
}

case "${1:-check}" in
  check)
    m=$(missing)
    if [ -n "$m" ]; then
      echo "Missing test peers:" >&2
      echo "$m" | sed 's/^/  - /' >&2
      echo "Install them (Debian, as root): bash scripts/peers.sh install" >&2
      echo "  or: apt-get install -y ${PACKAGES[*]}" >&2
      exit 1
    fi
    ;;
  install) install ;;
  list) printf '%s\n' "${PACKAGES[@]}" ;;
  *) echo "usage: $0 check|install|list" >&2; exit 2 ;;
esac
