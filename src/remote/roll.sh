# shellcheck shell=sh
# Rolling changes: the drains run before a host changes and the health gates after
# (src/apply/rolling.h). Every wait is bounded by its SECONDS argument; each function
# prints one line saying what it saw, and exits non-zero when the check failed.

# fb_hap_name NAME: a proxy or server name as HAProxy's runtime API takes it in one word.
fb_hap_name() { case $1 in ''|*[!A-Za-z0-9._-]*) return 1 ;; esac; }

# fb_hap SOCKET COMMAND: one command to HAProxy's runtime API; the answer on stdout.
fb_hap() { printf '%s\n' "$2" | socat -t 5 - "UNIX-CONNECT:$1" 2>/dev/null; }

# fb_hap_stat SOCKET BACKEND SERVER FIELD: a field of the server's `show stat` row
# (CSV, counted from 1: 5 is scur, the current sessions; 18 is status); empty when
# HAProxy does not answer or does not know the server.
fb_hap_stat() {
  fb_hap "$1" 'show stat' | awk -F, -v b="$2" -v s="$3" -v f="$4" '$1 == b && $2 == s { print $f; exit }'
}

# fb_hap_has SOCKET BACKEND SERVER: HAProxy runs here and balances to SERVER. Where it
# does not (a first apply, HAProxy stopped) there is nothing to drain or put back.
# Exit 1 (and says so) when it does not; 2 when the question cannot be asked.
fb_hap_has() {
  if ! fb_hap_name "$2" || ! fb_hap_name "$3"; then echo "invalid backend or server name"; return 2; fi
  command -v socat >/dev/null 2>&1 || { echo "socat is not installed: HAProxy's runtime API is out of reach"; return 2; }
  [ -S "$1" ] && [ -n "$(fb_hap_stat "$1" "$2" "$3" 18)" ] && return 0
  echo "HAProxy here does not balance to $3: nothing to do"
  return 1
}

# roll_hap_drain SOCKET BACKEND SERVER SECONDS: HAProxy sends SERVER no new requests;
# then waits up to SECONDS for the sessions it has to end.
roll_hap_drain() {
  fb_hap_has "$1" "$2" "$3" || { [ $? = 1 ]; return; }
  fb_out=$(fb_hap "$1" "set server $2/$3 state drain")
  [ -z "$(printf '%s' "$fb_out" | tr -d '[:space:]')" ] || { echo "HAProxy refused the drain: $fb_out"; return 1; }
  fb_deadline "$4"
  while fb_before_deadline; do
    fb_cur=$(fb_hap_stat "$1" "$2" "$3" 5)
    [ "${fb_cur:-0}" = 0 ] && { echo "drained"; return 0; }
    sleep 0.2
  done
  echo "drained, $fb_cur sessions still open after $4 s"
}

# roll_hap_ready SOCKET BACKEND SERVER SECONDS: SERVER back in rotation, and UP in
# HAProxy's health checks within SECONDS.
roll_hap_ready() {
  fb_hap_has "$1" "$2" "$3" || { [ $? = 1 ]; return; }
  fb_out=$(fb_hap "$1" "set server $2/$3 state ready")
  [ -z "$(printf '%s' "$fb_out" | tr -d '[:space:]')" ] || { echo "HAProxy refused: $fb_out"; return 1; }
  fb_deadline "$4"
  fb_st=
  while fb_before_deadline; do
    fb_st=$(fb_hap_stat "$1" "$2" "$3" 18)
    case $fb_st in UP*) echo "$3 is $fb_st"; return 0 ;; esac
    sleep 0.5
  done
  echo "$3 is ${fb_st:-unknown} in HAProxy, not UP, after $4 s"
  return 1
}

# roll_hap_gate SOCKET BACKEND SECONDS: HAProxy answers on its runtime API and has a
# server of BACKEND UP within SECONDS.
roll_hap_gate() {
  fb_hap_name "$2" || { echo "invalid backend name"; return 2; }
  fb_deadline "$3"
  while fb_before_deadline; do
    fb_up=$(fb_hap "$1" 'show stat' | awk -F, -v b="$2" '$1 == b && $2 != "BACKEND" && $18 ~ /^UP/ { n++ } END { print n + 0 }')
    [ "${fb_up:-0}" -gt 0 ] && { echo "HAProxy answers, $fb_up servers of $2 UP"; return 0; }
    sleep 0.5
  done
  echo "HAProxy has no server of $2 UP after $3 s"
  return 1
}

# roll_http_gate URL SECONDS STATUS: URL answers with STATUS (a code, or "any": any
# HTTP answer) within SECONDS. TLS is not verified: this checks the service answers.
roll_http_gate() {
  fb_deadline "$2"
  fb_code=000
  while fb_before_deadline; do
    fb_code=$(curl -sk -o /dev/null -m 2 -w '%{http_code}' -- "$1" 2>/dev/null) || true
    case $fb_code in
      ''|000) ;;
      "$3") echo "$1 answered $fb_code"; return 0 ;;
      *) [ "$3" = any ] && { echo "$1 answered $fb_code"; return 0; } ;;
    esac
    sleep 0.5
  done
  echo "$1 did not answer $3 within $2 s (last status ${fb_code:-000})"
  return 1
}

# roll_settle SECONDS: waits SECONDS, so the nginx hosts try a host they had marked
# failed (fail_timeout) again before the next host of its tier stops.
roll_settle() { sleep "$1"; echo "waited $1 s"; }

# fb_holds_ip ADDRESS: ADDRESS is on one of this host's interfaces.
fb_holds_ip() {
  fb_addrs=$(ip -o -4 addr show 2>/dev/null) || return 1
  case $fb_addrs in *" inet $1/"*) return 0 ;; esac
  return 1
}

# fb_hold_write FILE VALUE: keepalived's track file FILE holds VALUE (written whole,
# then renamed: keepalived never reads half a file).
fb_hold_write() {
  printf '%s\n' "$2" >"$1.new" && chmod 644 "$1.new" && mv -f "$1.new" "$1"
}

# roll_vip_hold FILE ADDRESS SECONDS: before a change that stops or restarts HAProxy
# or keepalived on the holder of the floating IP ADDRESS: its track file FILE set to
# 1 puts its VRRP instance in FAULT, the peer takes the address over; waits up to
# SECONDS until it left this host. A restart meanwhile keeps the file's value.
roll_vip_hold() {
  fb_hold_write "$1" 1 || { echo "cannot write $1"; return 1; }
  fb_deadline "$3"
  while fb_before_deadline; do
    fb_holds_ip "$2" || { echo "$2 left this host"; return 0; }
    sleep 0.2
  done
  echo "$2 is still on this host after $3 s (is keepalived running with the track file in its config?)"
  return 1
}

# roll_vip_held ADDRESS SECONDS: on the peer: ADDRESS is here within SECONDS.
roll_vip_held() {
  fb_deadline "$2"
  while fb_before_deadline; do
    fb_holds_ip "$1" && { echo "holds $1"; return 0; }
    sleep 0.2
  done
  echo "$1 did not arrive here within $2 s"
  return 1
}

# roll_vip_release FILE ADDRESS SECONDS: after the change and its gates: the track
# file back at 0, and ADDRESS back on this host (it has the higher priority and
# preempts) within SECONDS. The file is written again every second: a keepalived that
# just restarted watches it only once its VRRP process is up, and misses a change
# made before (it would stay in FAULT).
roll_vip_release() {
  fb_deadline "$3"
  fb_n=0
  while fb_before_deadline; do
    if [ $((fb_n % 5)) = 0 ]; then fb_hold_write "$1" 0 || { echo "cannot write $1"; return 1; }; fi
    fb_n=$((fb_n + 1))
    fb_holds_ip "$2" && { echo "holds $2 again"; return 0; }
    sleep 0.2
  done
  echo "$2 did not come back within $3 s (the peer keeps serving it)"
  return 1
}
