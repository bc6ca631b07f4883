# shellcheck shell=sh
# Guarded commands: done when CREATES exists or UNLESS succeeds, for the probe and for
# apply alike. COMMAND and UNLESS are calls of this library (src/compile/resources.cc
# builds them with remote::call), run with the library loaded.

# fb_cmd_done CREATES UNLESS
fb_cmd_done() {
  if [ -n "$1" ] && { [ -e "$1" ] || [ -L "$1" ]; }; then return 0; fi
  [ -n "$2" ] && ( eval "$2" ) </dev/null >/dev/null 2>&1
}

# fact_command NAME CREATES UNLESS: cmd NAME run|skip (parse_command_record).
fact_command() {
  if fb_cmd_done "$2" "$3"; then rec cmd "$1" skip; else rec cmd "$1" run; fi
}

# act_command COMMAND CREATES UNLESS
act_command() {
  fb_cmd_done "$2" "$3" && return 0
  eval "$1"
}

# The guarded commands of the stacks.

# fb_tls_self_signed CN ALT_NAMES KEY CERT [BUNDLE]: a self-signed certificate (825
# days) for CN and the comma-separated DNS names ALT_NAMES, key and certificate 0600;
# with BUNDLE, certificate and key concatenated there and the two files removed.
fb_tls_self_signed() (
  set -ef
  umask 077
  san="DNS:$1"
  IFS=,
  for n in $2; do san="$san,DNS:$n"; done
  unset IFS
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$1" -addext "subjectAltName=$san" \
    -keyout "$3" -out "$4" 2>/dev/null </dev/null
  if [ -n "${5:-}" ]; then cat -- "$4" "$3" > "$5"; rm -f -- "$4" "$3"; fi
)

# fb_absent PATH: PATH is neither a file nor a symlink.
fb_absent() { [ ! -e "$1" ] && [ ! -L "$1" ]; }

# fb_link_is LINK TARGET: LINK is a symlink to exactly TARGET.
fb_link_is() { [ -L "$1" ] && [ "$(readlink -- "$1")" = "$2" ]; }

# fb_link LINK TARGET
fb_link() { ln -sfn -- "$2" "$1"; }
