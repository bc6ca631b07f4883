#!/usr/bin/env bash
# Hostile stack values fed straight into the templates' context (validation bypassed):
# every template either refuses the value with an error naming template:line:col, or
# prints it so that the service's own checker accepts the file and sees no extra
# directive (the hostile text stays inside one quoted token). Then the nftables
# ruleset: no `flush ruleset`, and a foreign table survives loading it twice.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${FOOBARCTL:?set FOOBARCTL to the foobarctl binary}"
[ "$(id -u)" -eq 0 ] || { echo "hostile_test: needs root (ip netns for nft and keepalived)"; exit 77; }

OUT=$(mktemp -d /tmp/foobar-hostile.XXXXXX)
NS="foobar-hostile-$$"
cleanup() { ip netns del "$NS" 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT
C=tests/render/contexts
TREE="$OUT/tree"
fail() { echo "FAIL: $*"; exit 1; }

# vars CASE SAMPLE PYTHON: the sample context with PYTHON applied to it as `d`.
vars() {
  python3 - "$C/$2.json" "$OUT/$1.json" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
}

# place CASE TEMPLATE DEST: renders into the check tree as host CASE.
place() {
  mkdir -p "$TREE/$1$(dirname "$3")"
  "$FOOBARCTL" template "templates/$2" --vars "$OUT/$1.json" >"$TREE/$1$3" ||
    fail "$2 refused the values of case $1"
  echo >>"$TREE/$1$3"  # `template` drops the final newline as Jinja2 does; `render` keeps it
  printf '{"host": "%s", "roles": [], "files": []}\n' "$1" >"$TREE/$1/.foobar-render.json"
}

# refused CASE TEMPLATE FILTER: rendering must fail at a position, naming the filter.
refused() {
  if "$FOOBARCTL" template "templates/$2" --vars "$OUT/$1.json" >"$OUT/out" 2>"$OUT/err"; then
    fail "$2 printed the hostile value of case $1"
  fi
  grep -qE "^$2:[0-9]+:[0-9]+: error: $3: " "$OUT/err" || { cat "$OUT/err"; fail "case $1: no $2:line:col error from $3"; }
  ! grep -qP '[\x00-\x08\x0b-\x1f]' "$OUT/err" || fail "case $1: the error echoes control characters raw"
  echo "refused as expected: $1 ($(sed -E 's/^[^ ]+ error: //' "$OUT/err" | head -c 100))"
}

# same_count REGEX CASE PLAIN FILE: as many matching lines as in the plain render.
same_count() {
  local a b
  a=$(grep -cE "$1" "$TREE/$2$4" || true)
  b=$(grep -cE "$1" "$TREE/$3$4" || true)
  [ "$a" = "$b" ] || { grep -nE "$1" "$TREE/$2$4"; fail "case $2: $a lines match '$1' in $4, the plain render has $b"; }
}

# --- nginx -----------------------------------------------------------------------------
NGINX=/etc/nginx/sites-available/foobar
vars nginx-plain stack2/web-01 ''
vars nginx-evil stack2/web-01 '
d["web"]["static"][0]["location"] = "/static { return 404; } location /etc/ { alias /etc/; autoindex on; } location /z"
d["web"]["root"] = "/srv/foobar/public; autoindex on"
d["web"]["server_aliases"].append("evil.com; listen 8081")
d["web"]["health_path"] = "/healthz {} # \"q\" \\\\"'
place nginx-plain nginx-site.conf.j2 $NGINX
place nginx-evil nginx-site.conf.j2 $NGINX
vars nginx-newline stack2/web-01 'd["web"]["static"][0]["location"] = "/static/\nlocation /etc/ { alias /etc/; }"'
refused nginx-newline nginx-site.conf.j2 nginx_str
vars nginx-dollar stack2/web-01 'd["web"]["static"][0]["location"] = "/$document_root"'
refused nginx-dollar nginx-site.conf.j2 nginx_str

# --- HAProxy ---------------------------------------------------------------------------
HAP=/etc/haproxy/haproxy.cfg
vars haproxy-plain stack1/lb-01 ''
vars haproxy-evil stack1/lb-01 '
d["lb"]["health_check"]["path"] = "/healthz listen admin bind :9999 # $HOME \"x\" '"'"'y"
d["lb"]["health_check"]["host"] = "www.foobar.com %[src] #"'
place haproxy-plain haproxy.cfg.j2 $HAP
place haproxy-evil haproxy.cfg.j2 $HAP
vars haproxy-newline stack1/lb-01 'd["lb"]["health_check"]["path"] = "/healthz\nlisten admin\n    bind :9999\n    stats socket /tmp/s level admin"'
refused haproxy-newline haproxy.cfg.j2 haproxy_arg

# --- keepalived ------------------------------------------------------------------------
KA=/etc/keepalived/keepalived.conf
vars keepalived-plain stack3/lb-01 ''
vars keepalived-evil stack3/lb-01 '
d["keepalived"]["check"]["script"] = "/usr/bin/killall -0 haproxy } vrrp_script evil { script /bin/sh"
d["keepalived"]["instance"] = "VI_FOOBAR { nopreempt }"'
place keepalived-plain keepalived.conf.j2 $KA
place keepalived-evil keepalived.conf.j2 $KA
for sep in '\n' '\u000b' '\r'; do
  vars keepalived-iface stack3/lb-01 "d['keepalived']['interface'] = 'eth0${sep}nopreempt'"
  refused keepalived-iface keepalived.conf.j2 keepalived_str
done
vars keepalived-dollar stack3/lb-01 'd["keepalived"]["check"]["script"] = "${EVIL}"'
refused keepalived-dollar keepalived.conf.j2 keepalived_str

# --- systemd unit ----------------------------------------------------------------------
UNIT=/etc/systemd/system/foobar-app.service
vars unit-plain stack3/app-01 ''
vars unit-evil stack3/app-01 '
d["app"]["description"] = "50% off; $USER `id` \"q\" \\\\ # not a comment"
d["app"]["wsgi_app"] = "app:app; /bin/sh -c id %h $HOME"'
place unit-plain foobar-app.service.j2 $UNIT
place unit-evil foobar-app.service.j2 $UNIT
grep -qF 'ExecStart=/usr/bin/gunicorn ' "$TREE/unit-evil$UNIT" &&
  grep -qF ' "app:app; /bin/sh -c id %%h $$HOME"' "$TREE/unit-evil$UNIT" ||
  fail "the hostile wsgi_app is not one quoted ExecStart= argument"
vars unit-newline stack3/app-01 'd["app"]["directory"] = "/opt/foobar\nExecStartPre=+/bin/sh -c \"id > /tmp/x\""'
refused unit-newline foobar-app.service.j2 systemd_value
vars unit-continuation stack3/app-01 'd["app"]["description"] = "x \\"'
refused unit-continuation foobar-app.service.j2 systemd_value

# --- init script and env file (POSIX sh) ----------------------------------------------
INIT=/etc/init.d/foobar-app
ENVF=/etc/foobar/app.env
MARK="$OUT/pwned"
vars sh-plain stack3/app-01 ''
vars sh-evil stack3/app-01 "
m = '$MARK'
d['app']['description'] = 'X=1;touch ' + m + ' \$(touch ' + m + ') \`touch ' + m + '\`'
d['app']['directory'] = \"/opt/x'; touch \" + m + \"; '\"
d['app']['environment'].append({'name': 'LOG_LEVEL2', 'value': \"info'; touch \" + m + \"; : '\"})
d['app']['environment'].append({'name': 'QUOTES', 'value': \"it's \\\$(touch \" + m + ') \`x\` \"q\" \\\\ \$HOME'})"
place sh-plain foobar-app.init.j2 $INIT
place sh-evil foobar-app.init.j2 $INIT
place sh-plain app.env.j2 $ENVF
place sh-evil app.env.j2 $ENVF
chmod 0755 "$TREE/sh-plain$INIT" "$TREE/sh-evil$INIT"
# The variables the init script sets, read back by sh: each holds exactly the value.
sed -n '/^PATH=/,/^DAEMON_ARGS=/p' "$TREE/sh-evil$INIT" >"$OUT/init-vars.sh"
python3 - "$OUT/sh-evil.json" "$OUT/init-vars.sh" "$TREE/sh-evil$ENVF" <<'PY'
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
got = subprocess.run(["sh", "-c", '. "$1"; printf "%s\\0%s\\0" "$DESC" "$APP_DIR"', "sh", sys.argv[2]],
                     capture_output=True, check=True).stdout.split(b"\0")
want = [d["app"]["description"].encode(), d["app"]["directory"].encode()]
assert got[:2] == want, (got, want)
env = {e["name"]: e["value"] for e in d["app"]["environment"]}
out = subprocess.run(["sh", "-c", 'set -a; . "$1"; printf "%s\\0%s\\0" "$LOG_LEVEL2" "$QUOTES"', "sh", sys.argv[3]],
                     capture_output=True, check=True).stdout.split(b"\0")
assert out[:2] == [env["LOG_LEVEL2"].encode(), env["QUOTES"].encode()], (out, env)
PY
[ ! -e "$MARK" ] || fail "a hostile value ran a command when the init script or env file was read"
echo "sh reads back every hostile value exactly, and runs none of it"
vars sh-args stack3/app-01 'd["app"]["bind_address"] = "10.77.0.31 --config /tmp/evil.py"'
refused sh-args foobar-app.init.j2 word
vars env-newline stack3/app-01 'd["app"]["environment"][0]["value"] = "x\nPATH=/tmp"'
refused env-newline app.env.j2 env_value
vars env-name stack3/app-01 'd["app"]["environment"][0]["name"] = "X;touch /tmp/x;Y"'
refused env-name app.env.j2 env_name
vars exporter-args stack3/web-01 'd["monitoring"]["exporters"]["node"]["collectors"].append("cpu --web.config.file=/etc/shadow")'
refused exporter-args default-node-exporter.j2 word

# --- zone file -------------------------------------------------------------------------
ZONE=/etc/foobar/dns/foobar.com.zone
vars zone-plain stack3/mon-01 'd["dns"]["records"].append({"name": "@", "type": "TXT", "value": "v=spf1 -all", "ttl": None})'
vars zone-evil stack3/mon-01 '
d["dns"]["records"].append({"name": "@", "type": "TXT", "value": "x\"\nevil 300 IN A 6.6.6.6\n@ IN TXT \"\\\\ ; ( $ORIGIN", "ttl": None})'
place zone-plain zone.j2 $ZONE
place zone-evil zone.j2 $ZONE
vars zone-long stack3/mon-01 'd["dns"]["records"].append({"name": "@", "type": "TXT", "value": "k=" + "a" * 400, "ttl": None})'
place zone-long zone.j2 $ZONE
for c in zone-plain zone-evil zone-long; do
  named-checkzone -q -D -o "$OUT/$c.canon" foobar.com "$TREE/$c$ZONE" >/dev/null ||
    fail "named-checkzone rejected case $c"
done
# Canonical form: NAME TTL CLASS TYPE RDATA; count records by their type field.
rtype() { awk -v t="$1" '$4 == t' "$2" | wc -l; }
[ "$(rtype A "$OUT/zone-evil.canon")" = "$(rtype A "$OUT/zone-plain.canon")" ] ||
  fail "the hostile TXT value added an A record"
! grep -q 6.6.6.6 <(grep -vE '\sTXT\s' "$OUT/zone-evil.canon") || fail "6.6.6.6 appears outside the TXT record"
[ "$(rtype TXT "$OUT/zone-evil.canon")" = 1 ] || fail "the hostile TXT value is not one TXT record"
grep -qE '\sTXT\s+"k=a{253}" "a{147}"$' "$OUT/zone-long.canon" || fail "a 402-byte TXT value is not two character-strings"
vars zone-name stack3/mon-01 'd["dns"]["records"][0]["name"] = "www\nevil"'
refused zone-name zone.j2 zone_word

# --- nftables, NSD, MariaDB, Prometheus ------------------------------------------------
vars nft-comment stack2/web-01 'd["firewall"]["inbound"][0]["comment"] = "x\" accept; tcp dport 22 accept comment \"y"'
refused nft-comment nftables.conf.j2 nft_str
vars nft-source stack2/web-01 'd["firewall"]["inbound"][0]["sources"] = ["10.0.0.0/8 } tcp dport 22 accept; ip saddr { 1.2.3.4"]'
refused nft-source nftables.conf.j2 word
vars nsd-zone stack3/mon-01 'd["dns"]["zonefile"] = "foobar.com\"\nzone:\n    name: \"evil"'
refused nsd-zone nsd.conf.j2 nsd_str
vars mariadb-line stack3/db-01 'd["db"]["innodb_buffer_pool_size"] = "256M\nskip_grant_tables = ON"'
refused mariadb-line mariadb.cnf.j2 one_line
vars nft-log-prefix stack2/web-01 'd["firewall"]["log_drops"] = True; d["firewall"]["log_prefix"] = "x\" accept; tcp dport 22 accept; log prefix \"y"'
refused nft-log-prefix nftables.conf.j2 nft_str
vars nsd-peer stack3/mon-01 'd["dns"]["is_primary"] = True; d["dns"]["transfer"] = {"key_name": "k", "key_file": "/etc/nsd/k", "algorithm": "hmac-sha256", "peers": ["0.0.0.0/0 NOKEY provide-xfr: 0.0.0.0/0"]}'
refused nsd-peer nsd.conf.j2 word
vars sshd-line stack3/mon-01 'd["ssh"] = {"dropin": "/x", "password_authentication": "no\nPasswordAuthentication yes", "kbd_interactive_authentication": "no", "permit_root_login": "prohibit-password"}'
refused sshd-line sshd-foobar.conf.j2 word
vars prom-yaml stack3/mon-01 'd["monitoring"]["jobs"][0]["job"] = "x\n  - job_name: evil"'
refused prom-yaml prometheus.yml.j2 yaml_str
AM=/etc/prometheus/alertmanager.yml
vars am-plain stack3/mon-01 'd["monitoring"]["alertmanager"]["receivers"]["webhooks"] = [{"url": "http://10.0.0.1/hook"}]'
place am-plain alertmanager.yml.j2 $AM
vars am-evil stack3/mon-01 'd["monitoring"]["alertmanager"]["receivers"]["webhooks"] = [{"url": "http://10.0.0.1/h" + chr(39) + "ook\" - url: http://evil/ #"}]'
place am-evil alertmanager.yml.j2 $AM
vars am-newline stack3/mon-01 'd["monitoring"]["alertmanager"]["receivers"]["emails"] = [{"to": "a@b.com\n      - to: evil@x.com", "from": "a@b.com", "smarthost": "x:25"}]'
refused am-newline alertmanager.yml.j2 yaml_str

# rsyslog: a host name that would end its string and add a statement or an action.
vars rsyslog-peer stack2/mon-01 'd["monitoring"]["logs"]["senders"][1]["name"] = "lb-01\" then stop"'
refused rsyslog-peer rsyslog-foobar.conf.j2 rsyslog_str
vars rsyslog-target stack2/web-01 'd["monitoring"]["logs"]["collector"]["name"] = "mon-01\" action(type=\"omfile\" file=\"/etc/cron.d/x"'
refused rsyslog-target rsyslog-foobar.conf.j2 rsyslog_str

# Every placed file through its service's own checker (the same checks as render).
bash tests/render/check_tree.sh "$TREE"

# No extra directive: the checked files have the plain render's structure.
same_count '^\s*location\b' nginx-evil nginx-plain $NGINX
same_count '^\s*(listen|alias|autoindex|root|server_name)\b' nginx-evil nginx-plain $NGINX
grep -qF 'location "/static { return 404; } location /etc/ { alias /etc/; autoindex on; } location /z" {' "$TREE/nginx-evil$NGINX" ||
  fail "the hostile static location is not one quoted nginx token"
same_count '^(global|defaults|frontend|backend|listen)\b' haproxy-evil haproxy-plain $HAP
same_count '^\s*(bind|server|stats socket|http-check)\b' haproxy-evil haproxy-plain $HAP
grep -qF "uri '/healthz listen admin bind :9999 # \$HOME \"x\" '\\''y' ver HTTP/1.1 hdr Host 'www.foobar.com %%[src] #'" "$TREE/haproxy-evil$HAP" ||
  fail "the hostile health check is not quoted as single HAProxy arguments"
same_count '^\s*(vrrp_instance|vrrp_script|nopreempt|script|unicast_peer)\b' keepalived-evil keepalived-plain $KA
same_count '^[A-Za-z]+=' unit-evil unit-plain $UNIT
same_count '^[A-Z_]+=' sh-evil sh-plain $INIT
same_count '^\s*- (url|to|name):' am-evil am-plain $AM
grep -qF "url: 'http://10.0.0.1/h''ook\" - url: http://evil/ #'" "$TREE/am-evil$AM" ||
  fail "the hostile webhook URL is not one quoted YAML scalar"
echo "hostile: every checker accepted the quoted values and saw no extra directive"

# --- nftables: only table inet foobar is replaced -------------------------------------
NFT=$TREE/nft/etc/nftables.conf
vars nft stack2/web-01 ''
place nft nftables.conf.j2 /etc/nftables.conf
! grep -qE '^\s*flush\s+ruleset' "$NFT" || fail "the ruleset flushes every table"
ip netns add "$NS"
ip netns exec "$NS" nft -f - <<'EOF'
table inet other {
    chain input { type filter hook input priority 10; policy accept; }
    set keep { type ipv4_addr; elements = { 192.0.2.1 } }
}
EOF
for load in 1 2; do
  ip netns exec "$NS" nft -f "$NFT" || fail "loading the ruleset failed (load $load)"
  ip netns exec "$NS" nft list tables >"$OUT/tables"
  grep -qx 'table inet other' "$OUT/tables" || fail "load $load removed the foreign table"
  grep -qx 'table inet foobar' "$OUT/tables" || fail "load $load did not create table inet foobar"
done
# Read whole before grep: `grep -q` stops reading at its match, and under pipefail the
# writer's SIGPIPE would fail the line.
ip netns exec "$NS" nft list set inet other keep >"$OUT/keep"
grep -q 192.0.2.1 "$OUT/keep" || fail "the foreign set lost its element"
[ "$(ip netns exec "$NS" nft list table inet foobar | grep -c 'chain input')" = 1 ] ||
  fail "loading twice left two input chains in table inet foobar"
echo "nftables: no flush ruleset; table inet other survives two loads, table inet foobar is replaced"
