#!/usr/bin/env bash
# Installs everything foobarctl needs to build, test and run its lab, from Debian's
# archive only. Services are kept from starting on this machine's own root: they run
# inside lab hosts (which drop policy-rc.d on their overlay), never here.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "setup.sh: run as root (apt-get needs it)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

build_pkgs=(cmake g++ make pkg-config libyaml-cpp-dev libssh2-1-dev libcxxopts-dev
  libspdlog-dev libfmt-dev doctest-dev nlohmann-json3-dev libssl-dev libcrypt-dev)
test_pkgs=(python3 clang libclang-rt-14-dev python3-jinja2 ansible-core python3-jsonschema python3-yaml graphviz time bind9-dnsutils shellcheck
  dpkg-dev fakeroot)
lab_pkgs=(iproute2 openssh-server openssh-client nginx haproxy mariadb-server mariadb-client
  nftables keepalived prometheus prometheus-alertmanager prometheus-node-exporter bind9-utils nsd curl ca-certificates
  openssl procps psmisc socat util-linux time rsyslog rsyslog-relp logrotate)
# Exporters and the app server (examples/foobar-app) the templates configure; HAProxy
# exports its own metrics, so prometheus-haproxy-exporter is not needed. systemd is
# here for systemd-analyze, which checks the rendered unit; systemd-container gives
# systemd-nspawn, which boots systemd as PID 1 in a lab host (lab up --init systemd).
# --no-install-recommends keeps libnss-mymachines out: the machine's nsswitch.conf stays.
lab_pkgs+=(prometheus-nginx-exporter prometheus-mysqld-exporter gunicorn python3-flask python3-pymysql
  lsb-base systemd systemd-container)

missing=()
for p in "${build_pkgs[@]}" "${test_pkgs[@]}" "${lab_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  # Keep daemons from starting on the machine itself while (and after) installing.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all packages present"
