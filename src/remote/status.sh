# shellcheck shell=sh disable=SC2154 # fb_proc is set in common.sh
# foobarctl status: what SSH can see of a host, as "status KIND FIELD..." records
# (parse_status_output in src/facts/status.cc) beside the probe's own svc and replica
# records. Read-only: nothing here changes the host.

# status_host MANIFEST: seconds since boot, and when apply last wrote the stack's
# manifest here (epoch seconds; "none" when it never did).
status_host() {
  read -r fb_up _ <"$fb_proc/uptime" || fb_up=0
  rec status uptime "${fb_up%.*}"
  if [ -f "$1" ]; then rec status applied "$(stat -c %Y -- "$1")"; else rec status applied none; fi
}

# status_address ADDRESS: whether an interface of this host holds ADDRESS (the
# floating IP): status address ADDRESS held|absent.
status_address() {
  if ip -o addr show 2>/dev/null | awk -v a="$1" '{ split($4, p, "/"); if (p[1] == a) f = 1 } END { exit !f }'
  then rec status address "$1" held
  else rec status address "$1" absent
  fi
}

# status_clock: the time of a sample, in seconds with a fraction.
status_clock() { date +%s.%N; }

# status_hap SOCKET: one sample of HAProxy's counters from its runtime API, located by
# the CSV header's names (not positions): "status hap TIME PROXY SERVER STATUS
# REQUESTS RESPONSES_5XX" per frontend and server row. REQUESTS is req_tot for a
# frontend, the sum of the responses (hrsp_*) for a server, which does not count the
# health checks. Nothing when HAProxy does not answer.
status_hap() {
  command -v socat >/dev/null 2>&1 && [ -S "$1" ] || return 0
  fb_t=$(status_clock)
  # shellcheck disable=SC2016 # awk's own $fields
  printf 'show stat\n' | socat -t 5 - "UNIX-CONNECT:$1" 2>/dev/null | awk -F, -v t="$fb_t" '
    /^# / { sub(/^# /, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
    !("pxname" in col) || NF < 2 { next }
    { sv = $col["svname"]
      if (sv == "BACKEND") next
      if (sv == "FRONTEND") n = $col["req_tot"]
      else n = $col["hrsp_1xx"] + $col["hrsp_2xx"] + $col["hrsp_3xx"] + $col["hrsp_4xx"] + $col["hrsp_5xx"] + $col["hrsp_other"]
      printf "status\thap\t%s\t%s\t%s\t%s\t%d\t%d\n", t, $col["pxname"], sv, $col["status"], n, $col["hrsp_5xx"] }'
}

# status_lines FILE: one sample of the number of lines of a log (nginx's access log:
# one line a request): status lines TIME FILE COUNT, nothing when it is not there.
status_lines() {
  [ -r "$1" ] || return 0
  rec status lines "$(status_clock)" "$1" "$(wc -l <"$1")"
}

# status_pause SECONDS: the wait between two samples of the counters.
status_pause() { sleep "$1"; }

# status_prom URL QUERY...: each QUERY to the Prometheus HTTP API at URL (on this
# host, the collector): status prom INDEX OK|ERROR BASE64_ANSWER, INDEX from 0.
status_prom() {
  fb_url=$1; shift; fb_i=0
  for fb_q in "$@"; do
    if fb_a=$(curl -fsS -m 5 -G --data-urlencode "query=$fb_q" -- "$fb_url/api/v1/query" 2>&1)
    then rec status prom "$fb_i" ok "$(printf '%s' "$fb_a" | b64)"
    else rec status prom "$fb_i" error "$(printf '%s' "$fb_a" | b64)"
    fi
    fb_i=$((fb_i + 1))
  done
}
