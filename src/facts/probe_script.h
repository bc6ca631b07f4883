// The fixed part of the probe: shell functions the generated calls use.
#pragma once

namespace foobar::probe_detail {

// Each function prints exactly one record (db prints several) and never fails the
// script: a missing item is a record saying so.
inline constexpr const char* k_prelude = R"SH(LC_ALL=C; export LC_ALL
PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"; export PATH
rec() { printf '%s' "$1"; shift; for f in "$@"; do printf '\t%s' "$f"; done; printf '\n'; }
b64() { base64 | tr -d '\n'; }
to() { if command -v timeout >/dev/null 2>&1; then timeout 20 "$@"; else "$@"; fi; }
meta() {
  m=$(stat -c '%a:%U:%G' -- "$1" 2>/dev/null) || m='::'
  mode=${m%%:*}; rest=${m#*:}; owner=${rest%%:*}; group=${rest#*:}
  case $mode in ?) mode=000$mode ;; ??) mode=00$mode ;; ???) mode=0$mode ;; esac
}
# file NAME PATH WANT_SHA256 [secret]: content is sent (base64) only when it differs from
# WANT, while the diff budget lasts. A secret file's own hash never leaves the host (it
# would allow guessing the secret offline): it is compared here, and WANT or
# "differs" is printed instead.
budget=@BUDGET@
pfile() {
  if [ -L "$2" ] || { [ -e "$2" ] && [ ! -f "$2" ]; }; then
    meta "$2"; rec file "$1" other "" "$mode" "$owner" "$group" -; return
  fi
  if [ ! -e "$2" ]; then rec file "$1" absent "" "" "" "" -; return; fi
  meta "$2"
  if sum=$(sha256sum < "$2" 2>/dev/null); then sum=${sum%% *}; else sum=; fi
  c=-
  if [ "$4" = secret ]; then
    if [ -z "$sum" ] || [ "$sum" != "$3" ]; then sum=differs; fi
  elif [ -n "$3" ] && [ -n "$sum" ] && [ "$sum" != "$3" ]; then
    sz=$(wc -c < "$2" 2>/dev/null) || sz=0
    if [ $((sz)) -le @LIMIT@ ] && [ $((sz)) -le $budget ]; then c=$(b64 < "$2"); budget=$((budget - sz)); fi
  fi
  rec file "$1" file "$sum" "$mode" "$owner" "$group" "$c"
}
pdir() {
  if [ -d "$2" ] && [ ! -L "$2" ]; then meta "$2"; rec dir "$1" directory "$mode" "$owner" "$group"
  elif [ -e "$2" ] || [ -L "$2" ]; then meta "$2"; rec dir "$1" other "$mode" "$owner" "$group"
  else rec dir "$1" absent "" "" ""; fi
}
if command -v dpkg-query >/dev/null 2>&1; then have_dpkg=1; else have_dpkg=0; fi
ppkg() {
  if [ $have_dpkg = 0 ]; then rec pkg "$1" unknown ""; return; fi
  v=$(dpkg-query -W -f='${Status}\t${Version}\n' -- "$2" 2>/dev/null |
      awk -F'\t' '$1 ~ / installed$/ { print $2; exit }')
  if [ -n "$v" ]; then rec pkg "$1" installed "$v"; else rec pkg "$1" absent ""; fi
}
if [ -d /run/systemd/system ]; then have_systemd=1; else have_systemd=0; fi
psvc() {
  r=stopped; e=disabled
  if [ $have_systemd = 1 ]; then
    if systemctl is-active --quiet -- "$2" 2>/dev/null; then r=running; fi
    if systemctl is-enabled --quiet -- "$2" 2>/dev/null; then e=enabled; fi
  else
    # An init script without a status action (keepalived's) answers with its usage, or
    # with exit 0 before its config exists: then a process of the service's name decides.
    if [ ! -f "/etc/init.d/$2" ] || grep -qE 'status|init-d-script' "/etc/init.d/$2" 2>/dev/null; then
      if to service "$2" status </dev/null >/dev/null 2>&1; then r=running; fi
    elif pidof -- "$2" >/dev/null 2>&1; then r=running; fi
    for f in /etc/rc2.d/S??"$2"; do if [ -e "$f" ]; then e=enabled; fi; done
  fi
  rec svc "$1" "$r" "$e"
}
# cmd NAME CREATES UNLESS: skip when CREATES exists or UNLESS succeeds.
pcmd() {
  s=run
  if [ -n "$2" ] && { [ -e "$2" ] || [ -L "$2" ]; }; then s=skip
  elif [ -n "$3" ] && to sh -c "$3" </dev/null >/dev/null 2>&1; then s=skip; fi
  rec cmd "$1" "$s"
}
pfirewall() {
  if command -v nft >/dev/null 2>&1 && nft list ruleset 2>/dev/null | grep -q '^table '; then
    rec firewall loaded
  else
    rec firewall unloaded
  fi
}
pmanifest() {
  if [ ! -f "$1" ]; then rec manifest absent ""; return; fi
  sz=$(wc -c < "$1" 2>/dev/null) || sz=0
  if [ $((sz)) -gt @MANIFEST_LIMIT@ ]; then rec manifest toobig "$((sz))"; return; fi
  rec manifest present "$(b64 < "$1")"
}
# The holder is one line; more than its first @HOLDER_LIMIT@ bytes is never read.
plock() {
  if [ -d "$1" ]; then rec lock held "$(head -c @HOLDER_LIMIT@ "$1/holder" 2>/dev/null | b64)"
  elif [ -e "$1" ]; then rec lock held "$(head -c @HOLDER_LIMIT@ < "$1" | b64)"
  else rec lock free ""; fi
}
my() { to mysql -uroot --connect-timeout=5 -B "$@" </dev/null; }
dbup=0
pdb() {
  if ! command -v mysql >/dev/null 2>&1; then rec db down "$(printf 'no mysql client' | b64)"; return; fi
  if ! err=$(my -N -e 'SELECT 1' 2>&1 >/dev/null); then rec db down "$(printf '%s' "$err" | b64)"; return; fi
  rec db up ""
  dbup=1
  my -N -e 'SHOW DATABASES' 2>/dev/null | while IFS= read -r l; do rec dbname "$l"; done
  my -N -e 'SELECT User, Host FROM mysql.user' 2>/dev/null | while IFS= read -r l; do
    printf 'dbuser\t%s\n' "$l"; done
  st=$(my -E -e 'SHOW REPLICA STATUS' 2>/dev/null) || st=$(my -E -e 'SHOW SLAVE STATUS' 2>/dev/null) || st=
  if [ -z "$st" ]; then rec replica none; return; fi
  printf '%s\n' "$st" | awk '
    function pick(a, b) { return (a in f) ? f[a] : f[b] }
    /^\*+ [0-9]+\. row/ { rows++; next }
    rows > 1 { next }
    { line = $0; sub(/^ +/, "", line); i = index(line, ":"); if (i == 0) next
      k = substr(line, 1, i - 1); v = substr(line, i + 1); sub(/^ /, "", v); f[k] = v }
    END { printf "replica\tstatus\t%s\t%s\t%s\t%s\t%s\n",
            pick("Slave_IO_Running", "Replica_IO_Running"), pick("Slave_SQL_Running", "Replica_SQL_Running"),
            pick("Master_Host", "Source_Host"), pick("Seconds_Behind_Master", "Seconds_Behind_Source"),
            pick("Gtid_IO_Pos", "Retrieved_Gtid_Set") }'
}
# SQL on mysql's stdin (printf is a builtin): what it holds never shows in a process list.
mysq() { printf '%s\n' "$1" | to mysql -uroot --connect-timeout=5 -B -N 2>/dev/null; }
# dbuser NAME AUTH_SQL GRANTS_SQL: the server's verdict on the account's credential
# and its grants, each line cut before IDENTIFIED, so no password hash is printed.
pdbuser() {
  if [ $dbup = 0 ]; then return; fi
  if a=$(mysq "$2"); then
    if [ -z "$a" ]; then rec dbauth "$1" missing ""; else printf 'dbauth\t%s\t%s\n' "$1" "$a"; fi
  else
    rec dbauth "$1" unchecked ""
  fi
  if g=$(mysq "$3"); then
    printf '%s\n' "$g" | awk '{ i = index($0, " IDENTIFIED ")
      if (i) { r = substr($0, i + 12); j = index(r, " WITH "); $0 = substr($0, 1, i - 1) (j ? substr(r, j) : "") }
      if ($0 != "") print }' | while IFS= read -r l; do printf 'dbgrant\t%s\t%s\n' "$1" "$l"; done
    rec dbgrants "$1" ok
  else
    rec dbgrants "$1" error
  fi
}
)SH";

}  // namespace foobar::probe_detail
