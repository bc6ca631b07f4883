#include "lab/systemd_host.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "lab/machine.h"
#include "util/shell.h"

namespace foobar::lab {
namespace fs = std::filesystem;

namespace {

// nspawn keeps the cgroup layout of this machine: v1 name=systemd plus the unified one.
constexpr const char* kHierarchies[] = {"/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"};

std::string unit_name(const std::string& name) {
  return name.find('.') == std::string::npos ? name + ".service" : name;
}

// Every process in the cgroup's subtree (one hierarchy is enough: both hold the same).
std::vector<int> cgroup_pids(const std::string& cgroup) {
  std::vector<int> out;
  std::error_code ec;
  const fs::path root = fs::path(kHierarchies[0]) / cgroup;
  if (!fs::is_directory(root, ec)) return out;
  auto add = [&](const fs::path& dir) {
    std::istringstream in(read_text((dir / "cgroup.procs").string()));
    for (int pid; in >> pid;) out.push_back(pid);
  };
  add(root);
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_directory(ec)) add(it->path());
  return out;
}

bool wait_empty(const std::string& cgroup, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cgroup_pids(cgroup).empty()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

}  // namespace

Status prepare_systemd_root(const LabHost& h, const std::vector<std::string>& units) {
  const std::string R = shell_quote(h.base + "/root");
  std::string keep = " ssh.service ";
  for (const auto& u : units) keep += unit_name(u) + " ";
  // list-unit-files --root reads the overlay offline; disable edits its symlinks only.
  const std::string cmd =
      "set -e; systemd-id128 new > " + R + "/etc/machine-id; keep=" + shell_quote(keep) +
      "; off=; for u in $(systemctl --root=" + R +
      " list-unit-files --state=enabled --no-legend --no-pager | awk '{print $1}'); do "
      "case \"$keep\" in *\" $u \"*) ;; *) off=\"$off $u\" ;; esac; done; "
      "[ -z \"$off\" ] || systemctl --root=" + R + " disable --quiet $off; "
      "systemctl --root=" + R + " enable --quiet ssh.service";
  auto r = run_here("lab:" + h.name, "choosing the units of host " + h.name, cmd);
  if (!r) return r.diagnostics();
  return ok_status();
}

Status start_systemd_host(LabHost& h) {
  const std::string B = shell_quote(h.base), R = shell_quote(h.base + "/root");
  std::string cgroups, join;
  for (const char* hier : kHierarchies) {
    const std::string dir = shell_quote(std::string(hier) + "/" + h.netns);
    cgroups += "mkdir -p " + dir + "; ";
    join += "echo $$ > " + dir + "/cgroup.procs; ";
  }
  // The supervisor: boots the host, and boots it again when it asked for a reboot (133)
  // unless lab down marked it as stopping.
  const std::string supervisor =
      join + "while :; do echo boot >> " + B + "/boots; " +
      "SYSTEMD_NSPAWN_API_VFS_WRITABLE=network systemd-nspawn --boot --directory=" + R +
      " --machine=" + shell_quote(h.name) + " --network-namespace-path=/run/netns/" + shell_quote(h.netns) +
      " --capability=CAP_NET_ADMIN --register=no --keep-unit --console=read-only & echo $! > " + B +
      "/nspawn.pid; rc=0; wait $! || rc=$?; echo \"supervisor: systemd-nspawn exited with status $rc\"; "
      "[ $rc = 133 ] && [ ! -e " + B + "/stopping ] || break; done";
  const std::string cmd = "set -e; " + cgroups + "rm -f " + B + "/stopping " + B + "/boots; setsid sh -c " +
                          shell_quote(supervisor) + " </dev/null >" + B + "/console.log 2>&1 & echo $!";
  auto r = run_here("lab:" + h.name, "starting host " + h.name, cmd);
  if (!r) return r.diagnostics();
  h.pid = std::atoi(r->c_str());
  h.init_pid = 0;
  if (h.pid <= 0) return Diagnostic::error("lab:" + h.name, "the host's supervisor did not start");
  return ok_status();
}

int systemd_leader(const LabHost& h) {
  std::istringstream in(read_text(std::string(kHierarchies[1]) + "/" + h.netns + "/payload/init.scope/cgroup.procs"));
  int pid = 0;
  in >> pid;
  return pid > 0 && ::kill(pid, 0) == 0 ? pid : 0;
}

int systemd_boots(const LabHost& h) {
  std::istringstream in(read_text(h.base + "/boots"));
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line == "boot";
  return n;
}

std::vector<std::string> lab_cgroups(const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const char* hier : kHierarchies)
    for (const auto& e : fs::directory_iterator(hier, ec)) {
      std::string n = e.path().filename();
      if (n.rfind(prefix, 0) == 0 && e.is_directory() && std::find(out.begin(), out.end(), n) == out.end())
        out.push_back(n);
    }
  return out;
}

HaltResult halt_systemd_host(const std::string& cgroup, const std::string& base, std::chrono::seconds timeout) {
  if (cgroup_pids(cgroup).empty()) return HaltResult::halted;
  std::error_code ec;
  if (base.empty() || !fs::is_directory(base, ec)) return HaltResult::no_nspawn;
  std::ofstream(base + "/stopping").put('\n');
  std::istringstream in(read_text(base + "/nspawn.pid"));
  int pid = 0;
  if (!(in >> pid) || pid <= 0 || ::kill(pid, SIGTERM) != 0) return HaltResult::no_nspawn;
  return wait_empty(cgroup, timeout) ? HaltResult::halted : HaltResult::timed_out;
}

Status remove_systemd_leftovers(const std::string& cgroup, const std::string& machine) {
  for (int i = 0; i < 50; ++i) {
    auto pids = cgroup_pids(cgroup);
    if (pids.empty()) break;
    for (int pid : pids) ::kill(pid, SIGKILL);
    wait_empty(cgroup, std::chrono::milliseconds(200));
  }
  if (!cgroup_pids(cgroup).empty())
    return Diagnostic::error("lab", "processes are still in cgroup " + cgroup + " after SIGKILL");
  Diagnostics errs;
  for (const char* hier : kHierarchies) {
    const fs::path root = fs::path(hier) / cgroup;
    std::error_code ec;
    if (!fs::exists(root, ec)) continue;
    std::vector<fs::path> dirs{root};
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_directory(ec)) dirs.push_back(it->path());
    // Deepest first; a cgroup directory goes with rmdir alone (its files are not real).
    std::sort(dirs.begin(), dirs.end(), [](auto& a, auto& b) { return a.string().size() > b.string().size(); });
    for (const auto& d : dirs)
      if (::rmdir(d.c_str()) != 0 && errno != ENOENT)
        errs.push_back(Diagnostic::error("lab", "cannot remove cgroup " + d.string() + ": " + std::strerror(errno)));
  }
  // nspawn keeps per-machine directories under /run/systemd/nspawn (the propagation
  // directory for mounts into the guest, and the like).
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/run/systemd/nspawn", ec)) {
    fs::path p = e.path() / machine;
    if (fs::exists(fs::symlink_status(p, ec))) {
      (void)run_here("lab", "unmounting " + p.string(), "! mountpoint -q " + shell_quote(p.string()) +
                                                             " || umount -l " + shell_quote(p.string()));
      fs::remove_all(p, ec);
    }
  }
  if (!errs.empty()) return errs;
  return ok_status();
}

void remove_nspawn_run_dirs() {
  const fs::path top = "/run/systemd/nspawn";
  std::error_code ec;
  // locks/ holds one lock file per booted directory; a killed nspawn leaves its own.
  // With no nspawn running on the machine, none of them is held.
  bool nspawn_running = false;
  for (const auto& e : fs::directory_iterator("/proc", ec))
    if (read_text((e.path() / "comm").string()) == "systemd-nspawn\n") nspawn_running = true;
  if (!nspawn_running)
    for (const auto& e : fs::directory_iterator(top / "locks", ec))
      if (e.path().filename().string().rfind("inode-", 0) == 0) fs::remove(e.path(), ec);
  for (const auto& e : fs::directory_iterator(top, ec))
    if (e.is_directory(ec)) ::rmdir(e.path().c_str());  // only when empty
  ::rmdir(top.c_str());
}

}  // namespace foobar::lab
