// The local lab: real isolated hosts on this machine. Each host is a network
// namespace on the bridge labbr0, an overlay root (lower '/', upper and work on the
// host's own tmpfs), its own PID/UTS/mount namespaces, and a real sshd with its own
// host keys. Its PID 1 is systemd (booted by systemd-nspawn, as on a real VM) or, for
// light hosts, a shell that runs sshd and init scripts (sysv).
// State lives under /var/lib/foobarctl/lab/<lab>/.
// One lab at a time per machine: the hosts share the bridge subnet 10.77.0.0/24.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace foobar::lab {

inline constexpr const char* kBridge = "labbr0";
inline constexpr const char* kBridgeAddress = "10.77.0.1";
inline constexpr const char* kStateRoot = "/var/lib/foobarctl/lab";

// What runs as a host's PID 1.
enum class LabInit { systemd, sysv };
const char* to_string(LabInit init);
Result<LabInit> parse_lab_init(const std::string& text);

struct LabHostSpec {
  std::string name;
  std::string address;
  // Units the host's roles run (systemd hosts): these stay enabled before boot, every
  // other unit enabled on the machine's root is disabled in the host.
  std::vector<std::string> units = {};
};

struct LabHost {
  std::string name;
  std::string address;
  std::string netns;  // fbl-<lab>.<host>
  std::string veth;   // machine side of the pair, fblv<index> (<= 15 chars)
  std::string base;   // the host's tmpfs: upper/, work/, root/ (the overlay), init.log
  int pid = 0;        // `unshare` (sysv) or the host's supervisor (systemd) on the machine
  int init_pid = 0;   // the host's PID 1, as seen from the machine (sysv; systemd: 0, it
                      // changes on each reboot, see systemd_host.h)
  LabInit init = LabInit::sysv;
};

struct LabState {
  std::string name;
  std::string dir;          // kStateRoot/<name>
  std::string key;          // private lab key (its .pub is in each host's authorized_keys)
  std::string known_hosts;  // one "address ssh-ed25519 base64" line per host
  bool bridge_created = false;
  std::vector<LabHost> hosts;

  const LabHost* find(const std::string& name_or_address) const;
};

struct LabHostStatus {
  std::string name;
  std::string address;
  LabInit init = LabInit::sysv;
  bool up = false;    // the host's PID 1 runs and its namespace exists
  bool sshd = false;  // sshd answers with an SSH banner
  int boots = 0;      // systemd hosts: boots so far (1 + reboots)
};

// Checks names and addresses without touching the machine.
Status validate_lab(const std::string& lab_name, const std::vector<LabHostSpec>& hosts);

// Brings every host up (in parallel) and waits until each sshd answers. On failure,
// everything made so far is removed again.
Result<LabState> lab_up(const std::string& lab_name, const std::vector<LabHostSpec>& hosts,
                        LabInit init = LabInit::systemd);
// What lab_add_hosts did: the hosts it brought up, and the lab's hosts the stack no
// longer names (left running: apply or destroy may still need to reach them).
struct LabGrowth {
  LabState state;
  std::vector<std::string> added, not_in_stack;
};

// The hosts of `specs` the running lab `s` lacks, in order; an error for a host the lab
// runs at another address (moving it would restart it), naming it and the fix.
Result<std::vector<LabHostSpec>> hosts_to_add(const LabState& s, const std::vector<LabHostSpec>& specs);

// Adds to the running lab the hosts of `specs` it lacks (of init `init`), as lab_up
// brings hosts up; the running hosts keep running as they are (same processes,
// addresses, keys and disks), only their /etc/hosts gains the new hosts' lines. On
// failure the hosts it made are removed again and the lab is as before.
Result<LabGrowth> lab_add_hosts(const std::string& lab_name, const std::vector<LabHostSpec>& specs, LabInit init);

// Halts systemd hosts (systemd-nspawn asked to stop the guest), then removes everything
// the lab made: processes, cgroups, mounts, namespaces, veths, its tmpfs, what
// systemd-nspawn left under /run, the bridge if the lab created it, and the state
// directory. Works from state.json and from scanning for names with the lab's prefix,
// so it also cleans after a crash (of foobarctl or of a host).
Status lab_down(const std::string& lab_name);
Result<std::vector<LabHostStatus>> lab_status(const std::string& lab_name);

Result<LabState> load_lab_state(const std::string& lab_name);
// The name of the lab that is up (state present), or an error if none is.
Result<std::string> current_lab();

// state.json (de)serialization, exposed for tests.
std::string state_to_json(const LabState& state);
Result<LabState> state_from_json(const std::string& text, const std::string& where);

// Whether something listens on address:port and greets with "SSH-".
bool sshd_answers(const std::string& address, int port, int timeout_ms);

}  // namespace foobar::lab
