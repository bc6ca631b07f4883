# shellcheck shell=sh
# Shared by every remote script foobarctl runs: a fixed environment, the record
# format (tab-separated fields, see docs/plan.md) and the one switch between systemd
# and init-script hosts.
LC_ALL=C; export LC_ALL
PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"; export PATH

# Where the host's state is read from (tests point these at a fake host).
# shellcheck disable=SC2034 # read by the other files
fb_run=/run fb_proc=/proc fb_etc=/etc

# fb_systemd: true when systemd runs this host (as sd_booted(3) decides). The one test
# every systemd-or-init-script choice makes.
fb_systemd() { [ -d "$fb_run/systemd/system" ]; }
fb_init() { if fb_systemd; then echo systemd; else echo sysv; fi; }

# rec KIND FIELD...: one record line. Fields must not hold tabs or newlines (callers
# escape names with fb_esc or send data as base64).
rec() { printf '%s' "$1"; shift; for f in "$@"; do printf '\t%s' "$f"; done; printf '\n'; }
b64() { base64 | tr -d '\n'; }
# to CMD...: CMD with a 20 s limit where timeout(1) exists.
to() { if command -v timeout >/dev/null 2>&1; then timeout 20 "$@"; else "$@"; fi; }

# fb_deadline SECONDS: sets fb_until, the time (epoch seconds) a wait gives up at.
fb_deadline() { fb_until=$(( $(date +%s) + $1 )); }
fb_before_deadline() { [ "$(date +%s)" -lt "$fb_until" ]; }

# fb_clock: fb_cs is the kernel's uptime in hundredths of a second (0 where /proc has
# none), read without a fork: the clock of a step's duration.
fb_clock() {
  fb_up=
  read -r fb_up _ </proc/uptime 2>/dev/null || true
  case $fb_up in
    *[!0-9.]*|'') fb_cs=0 ;;
    *.??) fb_cs=$(( ${fb_up%.*} * 100 + 1${fb_up#*.} - 100 )) ;;
    *) fb_cs=0 ;;
  esac
}

# fb_step N SIZE FUNCTION ARG...: step N of a pipelined script. FUNCTION gets the
# next SIZE bytes of the script's stdin as its own (nothing when 0) and its output is
# kept; then "step N STATUS BASE64_OUTPUT MS" is printed (MS: how long it took;
# parse_step_records in src/apply/pipeline.cc). The script ends at the first failing
# step; one that failed with 3 (a config its checker refused: nothing changed) first
# takes back the journal lines armed for it (fb_undo_run in state.sh).
fb_step() {
  fb_sn=$1; fb_sz=$2; shift 2
  fb_clock; fb_t0=$fb_cs
  if [ "$fb_sz" -gt 0 ]; then
    fb_so=$(head -c "$fb_sz" | "$@" 2>&1)
  else
    fb_so=$("$@" </dev/null 2>&1)
  fi
  fb_st=$?
  fb_clock
  rec step "$fb_sn" "$fb_st" "$(printf '%s' "$fb_so" | b64)" "$(( (fb_cs - fb_t0) * 10 ))"
  [ "$fb_st" = 0 ] && return 0
  if [ "$fb_st" = 3 ]; then fb_undo_run; fi
  exit 0
}
