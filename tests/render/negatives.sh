#!/usr/bin/env bash
# Proves check_tree.sh rejects broken trees: one broken copy of each kind of file of a
# stack-3 tree, a tree with a missing file and one with a file nobody can check.
# Usage: negatives.sh STACK3_TREE WORKDIR   (prints the number of rejected trees last)
set -euo pipefail
TREE=${1:?usage: negatives.sh STACK3_TREE WORKDIR}
OUT=${2:?usage: negatives.sh STACK3_TREE WORKDIR}

# Each case: host of stack3, file, sed expression that breaks it in a way only the
# service's own checker can see, and optionally a file whose check includes it.
cases=(
  "web-01|/etc/nginx/sites-available/foobar|s/proxy_pass http/proxy_passs http/"
  "lb-01|/etc/haproxy/haproxy.cfg|s/balance roundrobin/balance roundrobbin/"
  "lb-01|/etc/keepalived/keepalived.conf|s/advert_int 1/advert_intt 1/"
  "lb-01|/etc/nftables.conf|s/policy drop;/policy dropp;/"
  "db-01|/etc/mysql/mariadb.conf.d/60-foobar.cnf|s/^gtid_strict_mode = ON/gtid_strict_modes = ON/"
  "mon-01|/etc/prometheus/prometheus.yml|s/scrape_timeout:/scrape_timeoutt:/"
  "mon-01|/etc/prometheus/foobar-alerts.yml|s/expr: up == 0/expr: up === 0/|/etc/prometheus/prometheus.yml"
  "mon-01|/etc/default/prometheus|s/--storage.tsdb.retention.time/--storage.tsdb.retention.tme/"
  "web-01|/etc/default/prometheus-node-exporter|s/--web.listen-address/--web.listen-adress/"
  "web-01|/etc/default/prometheus-nginx-exporter|s/-nginx.scrape-uri/-nginx.scrape-url/"
  "db-01|/etc/default/prometheus-mysqld-exporter|s/--collect.slave_status/--collect.slave_statuss/"
  "app-01|/etc/systemd/system/foobar-app.service|s/^Type=simple/Type=simplex/"
  "app-01|/etc/init.d/foobar-app|s/^esac\$/esca/"
  "app-01|/etc/foobar/app.env|s/^FOOBAR_STACK='\\(.*\\)'\$/FOOBAR_STACK='\\1/"
  "mon-01|/etc/foobar/dns/foobar.com.zone|s/IN  SOA/IN  SOAX/"
  "mon-01|/etc/nsd/nsd.conf|s/refuse-any: yes/refuse-anything: yes/"
)
negatives=0
for c in "${cases[@]}"; do
  IFS='|' read -r host path expr also <<<"$c"
  bad="$OUT/bad"
  rm -rf "$bad" && mkdir -p "$bad"
  cp -a "$TREE/$host" "$bad/"
  before=$(sha256sum "$bad/$host$path")
  sed -i "$expr" "$bad/$host$path"
  [ "$(sha256sum "$bad/$host$path")" != "$before" ] || { echo "negative case did not change $host$path"; exit 1; }
  if bash tests/render/check_tree.sh "$bad" >"$OUT/neg.log" 2>&1; then
    cat "$OUT/neg.log"; echo "check_tree accepted a broken $host:$path"; exit 1
  fi
  grep -qE "^FAIL +$host +$path " "$OUT/neg.log" || { cat "$OUT/neg.log"; echo "check_tree failed, but not on $host:$path"; exit 1; }
  if grep -E '^FAIL' "$OUT/neg.log" | grep -vE "^FAIL +$host +($path|${also:-/none}) "; then
    cat "$OUT/neg.log"; echo "check_tree rejected more than the broken $host:$path"; exit 1
  fi
  echo "rejected as expected: $host:$path ($expr)"
  negatives=$((negatives + 1))
done

# A role whose file is missing is an error too, and so is a file nobody can check.
rm -rf "$OUT/bad" && mkdir -p "$OUT/bad" && cp -a "$TREE/lb-01" "$OUT/bad/"
rm "$OUT/bad/lb-01/etc/keepalived/keepalived.conf"
if bash tests/render/check_tree.sh "$OUT/bad" >"$OUT/neg.log" 2>&1 ||
   ! grep -qE '^FAIL +lb-01 +/etc/keepalived/keepalived.conf +missing' "$OUT/neg.log"; then
  cat "$OUT/neg.log"; echo "check_tree did not report the missing keepalived.conf"; exit 1
fi
echo "rejected as expected: missing lb-01:/etc/keepalived/keepalived.conf"
echo 'stray' >"$OUT/bad/lb-01/etc/haproxy/stray.cfg"
if bash tests/render/check_tree.sh "$OUT/bad" >"$OUT/neg.log" 2>&1 ||
   ! grep -qE '^FAIL +lb-01 +/etc/haproxy/stray.cfg +no checker' "$OUT/neg.log"; then
  cat "$OUT/neg.log"; echo "check_tree did not reject a file it cannot check"; exit 1
fi
echo "rejected as expected: unknown file lb-01:/etc/haproxy/stray.cfg"
echo "negatives: $((negatives + 2)) broken trees rejected"
