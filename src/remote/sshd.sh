# shellcheck shell=sh
# sshd: the check of foobarctl's drop-in (/etc/ssh/sshd_config.d/00-foobar.conf), the
# check that the key foobarctl logs in with stays authorized once password logins
# are off, and the reload. sshd is never stopped: act_service_remove leaves it alone.

# fb_sshd_effective USER: sshd's effective settings for USER logging in from the
# loopback, one "keyword value" a line (sshd -T reads the files as a new login would).
fb_sshd_effective() { sshd -T -C "user=$1,host=localhost,addr=127.0.0.1" 2>&1; }

# fb_sshd_check: the validation of the drop-in, once it is in place: sshd accepts the
# whole configuration, and the drop-in is in effect (sshd_config includes
# sshd_config.d before its own settings, as Debian's does): password and
# keyboard-interactive logins off, public keys on.
fb_sshd_check() {
  fb_o=$(sshd -t 2>&1) || { printf 'sshd -t rejects the configuration: %s\n' "$fb_o" >&2; return 1; }
  fb_o=$(fb_sshd_effective root) || { printf 'sshd -T: %s\n' "$fb_o" >&2; return 1; }
  for fb_want in 'passwordauthentication no' 'kbdinteractiveauthentication no' 'pubkeyauthentication yes'; do
    printf '%s\n' "$fb_o" | grep -qx -- "$fb_want" && continue
    printf 'sshd does not end up with "%s": /etc/ssh/sshd_config must include /etc/ssh/sshd_config.d/*.conf before its own settings\n' "$fb_want" >&2
    return 1
  done
}

# fb_sshd_key_ok USER FINGERPRINT: exit 0 when USER may log in with the public key of
# FINGERPRINT (SHA256:...) by sshd's effective settings: public keys on and the key in
# one of USER's authorized keys files. Prints why not otherwise.
fb_sshd_key_ok() {
  fb_home=$(getent passwd "$1" | cut -d: -f6)
  [ -n "$fb_home" ] || { echo "there is no user $1" >&2; return 1; }
  fb_o=$(fb_sshd_effective "$1") || { printf 'sshd -T: %s\n' "$fb_o" >&2; return 1; }
  printf '%s\n' "$fb_o" | grep -qx 'pubkeyauthentication yes' ||
    { echo "sshd does not allow public key logins for $1" >&2; return 1; }
  fb_files=$(printf '%s\n' "$fb_o" | awk '$1 == "authorizedkeysfile" { $1 = ""; print }')
  for fb_f in $fb_files; do
    case $fb_f in none) continue ;; esac
    fb_f=$(printf '%s\n' "$fb_f" | awk -v h="$fb_home" -v u="$1" '{
      out = ""; s = $0
      while ((i = index(s, "%")) > 0) {
        c = substr(s, i + 1, 1); out = out substr(s, 1, i - 1)
        out = out (c == "h" ? h : c == "u" ? u : c == "%" ? "%" : "%" c); s = substr(s, i + 2)
      }
      print out s }')
    case $fb_f in /*) ;; *) fb_f=$fb_home/$fb_f ;; esac
    [ -r "$fb_f" ] || continue
    ssh-keygen -lf "$fb_f" 2>/dev/null | awk -v fp="$2" '$2 == fp { found = 1 } END { exit !found }' && return 0
  done
  echo "the key $2 is not in the authorized keys of $1 (sshd reads: $fb_files)" >&2
  return 1
}

# fb_sshd_reload: sshd reads its configuration again, if it accepts it; sessions
# that are open (this one) go on.
fb_sshd_reload() {
  sshd -t >/dev/null 2>&1 || return 0
  if fb_systemd; then systemctl reload ssh </dev/null
  else service ssh reload </dev/null >/dev/null; fi
}
