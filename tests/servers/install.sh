#!/usr/bin/env bash
# Installs the real IMAP servers of the test matrix (tests/support/{dovecot,cyrus,courier}.rs):
# Dovecot from Debian's packages, and Cyrus IMAP 3.6 and Courier-IMAP 5.0, whose daemons
# conflict with dovecot-imapd, unpacked from their .debs into target/real-servers/root.
# Their support packages are installed with maintainer scripts kept from starting daemons.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=target/real-servers/root

packages=(dovecot-imapd libssl-dev pkg-config cyrus-common cyrus-clients sasl2-bin
  libsasl2-modules courier-base courier-authlib courier-authlib-userdb libcourier-unicode4
  libgamin0 libidn12 libgdbm6 prometheus isync curl python3)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ] || [ ! -x "$root/usr/lib/cyrus/bin/imapd" ] \
   || [ ! -x "$root/usr/bin/imapd" ]; then
  apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  had_policy=0
  [ -e /usr/sbin/policy-rc.d ] && had_policy=1
  if [ $had_policy = 0 ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
  fi
  apt-get install -y -qq "${missing[@]}" >/dev/null
  [ $had_policy = 1 ] || rm -f /usr/sbin/policy-rc.d
fi
if [ ! -x "$root/usr/lib/cyrus/bin/imapd" ] || [ ! -x "$root/usr/bin/imapd" ]; then
  debs=$(mktemp -d)
  chmod 755 "$debs"
  (cd "$debs" && apt-get download cyrus-imapd courier-imap >/dev/null 2>&1)
  mkdir -p "$root"
  for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$root"; done
  rm -rf "$debs"
  echo "unpacked cyrus-imapd and courier-imap into $root"
fi
