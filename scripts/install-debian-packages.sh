#!/usr/bin/env bash
# Installs the Debian packages Tripline's tests drive for real: PostgreSQL, Alertmanager, dig,
# the AWS CLI, kubectl, git, Chromium, openssl for the TLS certificate kubectl insists on, and
# the servers and clients the later token kinds and outputs are tested with (see the list).
# Only what is missing is installed; apt-get update runs at most once. Services the packages
# would start on their own are kept from starting: the tests run their own instances on loopback.
set -euo pipefail

# `install-debian-packages.sh build` installs only what compiling the native addon needs (make
# start); with no argument, everything the tests drive as well.
build_packages=(build-essential python3)
if [ "${1:-}" = build ]; then
  packages=("${build_packages[@]}")
else
packages=(
  postgresql
  prometheus-alertmanager
  bind9-dnsutils
  awscli
  git
  curl
  openssh-client  # ssh-keygen: decoy SSH keys are checked with the real parser
  openssl
  chromium
  util-linux
  iproute2
  python3
  build-essential
  wrk
  containerd      # pods over the CRI socket, with runc and busybox-static images built locally
  runc
  busybox-static
  mariadb-server  # the MySQL dump token is imported into a real server
  mariadb-client
  swaks
  wireguard-go    # no WireGuard kernel module here: the userspace implementation
  wireguard-tools
  libreoffice-writer-nogui  # documents are opened headless by the real office suite
  libreoffice-calc-nogui
  zbar-tools
  subversion
  poppler-utils
  rsyslog
  rsyslog-gnutls
  pebble          # Let's Encrypt's ACME test server
)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# kubectl may come from another package (e.g. a vendor's); Debian's is kubernetes-client.
[ "${1:-}" = build ] || command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-debian-packages: missing ${missing[*]}; run as root (or install them) first" >&2
  exit 1
fi

echo "install-debian-packages: installing ${missing[*]}"
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  created_policy=1
fi
cleanup() { [ "$created_policy" -eq 1 ] && rm -f "$policy"; return 0; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
