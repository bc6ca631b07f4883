# shellcheck shell=sh
# Shared by every remote script foobarctl runs: a fixed environment and the one
# switch between systemd and init-script hosts.
LC_ALL=C; export LC_ALL
PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"; export PATH

# fb_init: "systemd" when systemd runs this host (as sd_booted(3) decides), else "sysv".
fb_init() {
  if [ -d /run/systemd/system ]; then echo systemd; else echo sysv; fi
}
