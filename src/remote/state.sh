# shellcheck shell=sh
# foobarctl's own state on a host: the manifest of what it manages and the apply lock.

# fact_manifest PATH: manifest present BASE64|absent "" (parse_probe_output's manifest).
fact_manifest() {
  if [ -f "$1" ]; then rec manifest present "$(b64 < "$1")"; else rec manifest absent ""; fi
}

# fact_lock LOCK: lock held BASE64_HOLDER|free "" (parse_probe_output's lock).
fact_lock() {
  if [ -d "$1" ]; then rec lock held "$( { b64 < "$1/holder"; } 2>/dev/null)"
  elif [ -e "$1" ]; then rec lock held "$(b64 < "$1")"
  else rec lock free ""; fi
}

# act_lock_take STATE_DIR LOCK: the holder's description on stdin. mkdir is atomic:
# exit 75 (k_lock_held_status in src/apply/executor.cc) with the other holder on stdout.
act_lock_take() {
  mkdir -p -- "$1" || return
  if mkdir -- "$2" 2>/dev/null; then cat > "$2/holder"; else cat "$2/holder" 2>/dev/null; return 75; fi
}

act_lock_release() { rm -rf -- "$1"; }

act_manifest_remove() { rm -f -- "$1"; }
