#!/usr/bin/env bash
# Validates a rendered configuration tree with each service's own checker.
#
# Usage: check_tree.sh DIR
#   DIR/<host>/<absolute path>        rendered files (foobarctl render STACK -o DIR)
#   DIR/<host>/.foobar-render.json    host manifest: {"host", "roles": [...], "files": [...]}
#
# Files the manifest lists without a template but with a `source` are copies of the
# app's source (relative to the current directory): they must equal it, and Python
# files must parse.
# Prints one line per file ("ok" or "FAIL" with the checker's words), checks that every
# role of a host has its files, checks every file (a file no checker knows is an error),
# and exits 1 if anything was rejected or missing. Needs root (network namespace for nft
# and keepalived) and the packages of scripts/setup.sh.
set -uo pipefail

DIR=${1:?usage: check_tree.sh DIR}
[ -d "$DIR" ] || { echo "check_tree: $DIR is not a directory" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "check_tree: needs root (ip netns for nft -c and keepalived -t)" >&2; exit 2; }
DIR=$(cd "$DIR" && pwd)
WORK=$(mktemp -d /tmp/foobar-check.XXXXXX)
NS="foobar-check-$$"
NS_READY=0

cleanup() {
  [ "$NS_READY" = 1 ] && ip netns del "$NS" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

checked=0
rejected=0
LOG="$WORK/out.log"

# Files each role must have; a trailing * is a glob.
expected_files() {
  case "$1" in
    web) echo /etc/nginx/sites-available/foobar ;;
    lb) echo /etc/haproxy/haproxy.cfg ;;
    db) echo /etc/mysql/mariadb.conf.d/60-foobar.cnf ;;
    app) echo /etc/systemd/system/foobar-app.service /etc/init.d/foobar-app /etc/foobar/app.env ;;
    monitoring) echo /etc/prometheus/prometheus.yml /etc/prometheus/foobar-alerts.yml /etc/default/prometheus ;;
    alertmanager) echo /etc/prometheus/alertmanager.yml /etc/default/prometheus-alertmanager ;;
    firewall) echo /etc/nftables.conf ;;
    keepalived) echo /etc/keepalived/keepalived.conf ;;
    node-exporter) echo /etc/default/prometheus-node-exporter ;;
    nginx-exporter) echo /etc/default/prometheus-nginx-exporter ;;
    mysqld-exporter) echo /etc/default/prometheus-mysqld-exporter /etc/foobar/mysqld-exporter.cnf ;;
    dns) echo '/etc/foobar/dns/*.zone' /etc/nsd/nsd.conf /etc/default/nsd ;;
    logs) echo /etc/rsyslog.d/10-foobar.conf ;;
    log-store) echo /etc/logrotate.d/foobar-logs ;;
    ssh) echo /etc/ssh/sshd_config.d/00-foobar.conf ;;
    *) echo "UNKNOWN-ROLE:$1" ;;
  esac
}

report() { # report STATUS HOST PATH CHECKER
  if [ "$1" = ok ]; then
    printf 'ok    %-8s %-45s %s\n' "$2" "$3" "$4"
  else
    rejected=$((rejected + 1))
    printf 'FAIL  %-8s %-45s %s\n' "$2" "$3" "$4"
    [ -s "$LOG" ] && sed 's/^/      | /' "$LOG" | head -n 20
  fi
}

setup_fixtures() {
  # Throwaway self-signed certificate for every TLS path the configs name.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=check.foobar.test \
    -keyout "$WORK/cert.key" -out "$WORK/cert.crt" >/dev/null 2>&1 || return 1
  cat "$WORK/cert.crt" "$WORK/cert.key" >"$WORK/cert.pem"
  # A namespace with an eth0 like a lab host: nft -c and keepalived run there, never on the machine.
  ip netns add "$NS" || return 1
  NS_READY=1
  ip -n "$NS" link set lo up &&
    ip -n "$NS" link add eth0 type veth peer name eth0-peer &&
    ip -n "$NS" link set eth0 up
}

check_nginx() { # FILE: nginx -t binds the addresses of `listen`, which are the host's, not here
  local t="$WORK/nginx.$checked"
  mkdir -p "$t/logs"
  sed -e "s#/var/log/nginx/#$t/logs/#g" \
      -e "s#^\([[:space:]]*ssl_certificate\)[[:space:]][^;]*;#\1 $WORK/cert.crt;#" \
      -e "s#^\([[:space:]]*ssl_certificate_key\)[[:space:]][^;]*;#\1 $WORK/cert.key;#" \
      -e "s#^\([[:space:]]*ssl_client_certificate\)[[:space:]][^;]*;#\1 $WORK/cert.crt;#" \
      -e "s#^\([[:space:]]*listen\)[[:space:]][0-9.]*:#\1 127.0.0.1:#" "$1" >"$t/site.conf"
  cat >"$t/nginx.conf" <<EOF
pid $t/nginx.pid;
error_log $t/logs/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log $t/logs/access.log;
    client_body_temp_path $t/body;
    proxy_temp_path $t/proxy;
    fastcgi_temp_path $t/fastcgi;
    uwsgi_temp_path $t/uwsgi;
    scgi_temp_path $t/scgi;
    include $t/site.conf;
}
EOF
  nginx -t -q -p "$t" -c "$t/nginx.conf"
}

check_haproxy() {
  sed -E -e "s#( crt )[^ ]+#\1$WORK/cert.pem#" -e "s#( ca-file )[^ ]+#\1$WORK/cert.crt#" "$1" >"$WORK/haproxy.cfg"
  haproxy -c -q -f "$WORK/haproxy.cfg"
}

check_keepalived() {
  # keepalived reports some errors only as text, so any output is a rejection.
  local out
  out=$(ip netns exec "$NS" keepalived --config-test -f "$1" 2>&1) || { echo "$out"; return 1; }
  [ -z "$out" ] || { echo "$out"; return 1; }
}

check_nft() { ip netns exec "$NS" nft -c -f "$1"; }

check_mariadb() {
  # Unknown or malformed options make mariadbd fail; warnings about the option file count
  # too, except the open-files limit, which is this machine's and not the file's.
  local out
  out=$(mariadbd --defaults-file="$1" --help --verbose 2>&1) || { echo "$out" | grep -E 'ERROR|unknown' ; return 1; }
  ! echo "$out" | grep -E '\[(ERROR|Warning)\]' | grep -v 'max_open_files'
}

check_prometheus_config() { # FILE HOSTDIR: rule files resolve inside the tree
  sed -E -e "s#([\"'])/etc/prometheus/#\1$2/etc/prometheus/#g" "$1" | monitoring_fixtures >"$WORK/prometheus.yml"
  promtool check config "$WORK/prometheus.yml"
}

# The monitoring certificate and CA a file names, replaced by the fixtures.
monitoring_fixtures() {
  sed -E -e "s#/etc/foobar/monitoring/host.pem#$WORK/cert.pem#g" -e "s#/etc/foobar/monitoring/ca.crt#$WORK/cert.crt#g"
}

check_web_config() { # FILE: exporter-toolkit's web config, with the fixtures as its files
  monitoring_fixtures <"$1" >"$WORK/web.yml"
  promtool check web-config "$WORK/web.yml"
}

check_rsyslog() { # FILE: the drop-in under a master config like Debian's, its files the fixtures
  mkdir -p "$WORK/rsyslog"
  monitoring_fixtures <"$1" >"$WORK/rsyslog/drop-in.conf"
  printf '$WorkDirectory %s\n$IncludeConfig %s\n' "$WORK/rsyslog" "$WORK/rsyslog/drop-in.conf" >"$WORK/rsyslog.conf"
  rsyslogd -N1 -f "$WORK/rsyslog.conf"
}

check_default() { # FILE BINARY: shell syntax, then the daemon must accept its ARGS
  sh -n "$1" || return 1
  ( ARGS=""; . "$1"; exec "$2" $ARGS --version ) >/dev/null
}

check_unit() {
  if ! command -v systemd-analyze >/dev/null; then echo "systemd-analyze not installed"; return 3; fi
  mkdir -p "$WORK/units"
  cp "$1" "$WORK/units/"
  local out
  out=$(systemd-analyze verify "$WORK/units/$(basename "$1")" 2>&1) || { echo "$out"; return 1; }
  [ -z "$out" ] || { echo "$out"; return 1; }
}

check_init() {
  sh -n "$1" || return 1
  grep -q '^### BEGIN INIT INFO' "$1" || { echo "no LSB header"; return 1; }
  [ -x "$1" ] || { echo "not executable"; return 1; }
}

check_envfile() { # sh-sourceable and systemd EnvironmentFile compatible
  sh -n "$1" || return 1
  # NAME='value', or NAME="value" with \ before " \ $ ` (both readers agree on those)
  ! grep -vnE "^(#.*|[A-Za-z_][A-Za-z0-9_]*=('[^']*'|\"([^\"\\\\\$\`]|\\\\[\"\\\\\$\`])*\")|)\$" "$1"
}

check_zone() {
  local zone
  zone=$(basename "$1" .zone)
  { named-checkzone -k fail -n fail -q "$zone" "$1" || named-checkzone -k fail -n fail "$zone" "$1"; } &&
    nsd-checkzone "$zone" "$1"
}

check_nsd() { nsd-checkconf "$1"; }

# sshd's drop-in, included first as Debian's sshd_config does: sshd -t accepts it and
# sshd -T shows password logins off.
check_sshd() { # FILE
  local d="$WORK/sshd"
  mkdir -p "$d" /run/sshd
  [ -f "$d/host_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$d/host_key"
  printf 'Include %s\nHostKey %s\n' "$1" "$d/host_key" >"$d/sshd_config"
  sshd -t -f "$d/sshd_config" || return
  local effective
  effective=$(sshd -T -f "$d/sshd_config" -C user=root,host=localhost,addr=127.0.0.1) || return
  grep -qx 'passwordauthentication no' <<<"$effective"
}

check_copy() { # FILE SOURCE: a copied app file equals its source; Python must compile
  [ -f "$2" ] || { echo "source $2 not found (run from the directory the stack's source is relative to)"; return 1; }
  cmp "$1" "$2" || return 1
  case "$1" in
    *.py) python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$1" ;;
  esac
}

# The exporter's my.cnf: a [client] section with the keys mysqld_exporter 0.14 requires.
check_mycnf() { # FILE
  local out
  out=$(my_print_defaults --defaults-file="$1" client) || return 1
  echo "$out"
  for key in user password socket; do
    echo "$out" | grep -q "^--$key=." || { echo "[client] has no $key"; return 1; }
  done
}

declare -A COPIED=()

check_file() { # HOSTDIR HOST PATH
  local f="$1$3" name rc
  if [ -n "${COPIED[$3]:-}" ]; then
    name="copy of ${COPIED[$3]}"; check_copy "$f" "${COPIED[$3]}" >"$LOG" 2>&1
    rc=$?; checked=$((checked + 1))
    if [ $rc -eq 0 ]; then report ok "$2" "$3" "$name"; else report FAIL "$2" "$3" "$name"; fi
    return
  fi
  case "$3" in
    /etc/nginx/sites-available/*) name="nginx -t"; check_nginx "$f" ;;
    /etc/haproxy/haproxy.cfg) name="haproxy -c"; check_haproxy "$f" ;;
    /etc/keepalived/keepalived.conf) name="keepalived --config-test"; check_keepalived "$f" ;;
    /etc/nftables.conf) name="nft -c (netns)"; check_nft "$f" ;;
    /etc/mysql/mariadb.conf.d/*.cnf) name="mariadbd --help --verbose"; check_mariadb "$f" ;;
    /etc/prometheus/prometheus.yml) name="promtool check config"; check_prometheus_config "$f" "$1" ;;
    /etc/prometheus/alertmanager.yml) name="amtool check-config"; amtool check-config "$f" ;;
    /etc/prometheus/*.yml) name="promtool check rules"; promtool check rules "$f" ;;
    /etc/default/prometheus) name="prometheus \$ARGS"; check_default "$f" prometheus ;;
    /etc/default/prometheus-*-exporter | /etc/default/prometheus-alertmanager)
      name="$(basename "$f") \$ARGS"; check_default "$f" "$(basename "$f")" ;;
    /etc/systemd/system/*.service) name="systemd-analyze verify"; check_unit "$f" ;;
    /etc/init.d/*) name="sh -n + LSB header"; check_init "$f" ;;
    /etc/foobar/*.env) name="env file syntax"; check_envfile "$f" ;;
    /etc/foobar/dns/*.zone) name="named-checkzone + nsd-checkzone"; check_zone "$f" ;;
    /etc/nsd/nsd.conf) name="nsd-checkconf"; check_nsd "$f" ;;
    /etc/default/nsd) name="sh -n + COMMAND_NAME"; sh -n "$f" && grep -qx 'COMMAND_NAME=none' "$f" ;;
    /etc/foobar/mysqld-exporter.cnf) name="my_print_defaults [client]"; check_mycnf "$f" ;;
    /etc/foobar/monitoring/*-web.yml) name="promtool check web-config"; check_web_config "$f" ;;
    /etc/rsyslog.d/*.conf) name="rsyslogd -N1"; check_rsyslog "$f" ;;
    /etc/logrotate.d/*) name="logrotate -d"; logrotate -d "$f" ;;
    /etc/ssh/sshd_config.d/*.conf) name="sshd -t + sshd -T"; check_sshd "$f" ;;
    *) name="no checker knows this file"; false ;;
  esac >"$LOG" 2>&1
  rc=$?
  checked=$((checked + 1))
  if [ $rc -eq 0 ]; then report ok "$2" "$3" "$name"
  elif [ $rc -eq 3 ]; then printf 'skip  %-8s %-45s %s\n' "$2" "$3" "$name: $(cat "$LOG")"
  else report FAIL "$2" "$3" "$name"; fi
}

check_host() { # HOSTDIR
  local hd="$1" host manifest role want path found
  host=$(basename "$hd")
  manifest="$hd/.foobar-render.json"
  if [ ! -f "$manifest" ]; then
    : >"$LOG"; report FAIL "$host" "(.foobar-render.json)" "host manifest missing"; return
  fi
  COPIED=()
  while IFS=$'\t' read -r path source; do
    [ -n "$path" ] && COPIED[$path]=$source
  done < <(python3 -c 'import json, sys
for f in json.load(open(sys.argv[1]))["files"]:
    if f.get("template") is None and f.get("source"):
        print(f["path"] + "\t" + f["source"])' "$manifest")
  for role in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["roles"]))' "$manifest"); do
    for want in $(expected_files "$role"); do
      # shellcheck disable=SC2086
      found=$(compgen -G "$hd$want" | head -n 1)
      if [ -z "$found" ]; then
        : >"$LOG"; report FAIL "$host" "$want" "missing (role $role)"
      fi
    done
  done
  while IFS= read -r path; do
    check_file "$hd" "$host" "${path#"$hd"}"
  done < <(find "$hd" -type f ! -name .foobar-render.json | sort)
}

if ! setup_fixtures >"$LOG" 2>&1; then
  report FAIL "-" "(fixtures)" "could not create certificate or network namespace"
  exit 1
fi
hosts=0
for hd in "$DIR"/*/; do
  [ -d "$hd" ] || continue
  hosts=$((hosts + 1))
  check_host "${hd%/}"
done
[ "$hosts" -gt 0 ] || { echo "check_tree: no host directories in $DIR" >&2; exit 1; }
echo "check_tree: $DIR: $hosts hosts, $checked files checked, $rejected rejected"
[ "$rejected" -eq 0 ]
