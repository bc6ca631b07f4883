# shellcheck shell=sh
# The nftables ruleset.

# fact_firewall: firewall loaded|unloaded (parse_firewall_record in src/facts/probe.cc);
# loaded: a ruleset with at least one table is active.
fact_firewall() {
  if command -v nft >/dev/null 2>&1 && nft list ruleset 2>/dev/null | grep -q '^table '; then
    rec firewall loaded
  else
    rec firewall unloaded
  fi
}

# act_firewall RULESET_FILE: loads it (the file flushes what it replaces).
act_firewall() { nft -f "$1" </dev/null; }

# act_firewall_remove TABLE: drops foobarctl's table; the rest of the ruleset stays.
act_firewall_remove() { nft delete table inet "$1" 2>/dev/null || true; }
