#include "lab/lab.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <cstdio>
#include <cstring>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "lab/machine.h"
#include "lab/systemd_host.h"
#include "util/file.h"
#include "util/shell.h"
#include "util/thread_pool.h"

namespace foobar::lab {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* kNetnsPrefix = "fbl-";
constexpr const char* kVethPrefix = "fblv";

std::string lab_dir(const std::string& lab) { return std::string(kStateRoot) + "/" + lab; }
std::string netns_prefix(const std::string& lab) { return kNetnsPrefix + lab + "."; }

bool valid_name(const std::string& s, size_t max) {
  static const std::regex re("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  return !s.empty() && s.size() <= max && std::regex_match(s, re);
}

Status require_root() {
  if (::geteuid() == 0) return ok_status();
  return Diagnostic::error("lab", "the lab needs root (network namespaces, mounts, chroot): run "
                                  "foobarctl lab as root, e.g. with sudo");
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// Mount points under dir, deepest first (from the machine's own mount table).
std::vector<std::string> mounts_under(const std::string& dir) {
  std::vector<std::string> out;
  std::istringstream in(read_text("/proc/self/mountinfo"));
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string id, parent, devno, root, point;
    f >> id >> parent >> devno >> root >> point;
    if (point == dir || point.rfind(dir + "/", 0) == 0) out.push_back(point);
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.size() > b.size(); });
  return out;
}

std::vector<std::string> netns_with_prefix(const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/run/netns", ec)) {
    std::string n = e.path().filename();
    if (n.rfind(prefix, 0) == 0) out.push_back(n);
  }
  return out;
}

std::vector<std::string> lab_veths() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/sys/class/net", ec)) {
    std::string n = e.path().filename();
    if (n.rfind(kVethPrefix, 0) == 0) out.push_back(n);
  }
  return out;
}

// Labs with a state directory on this machine.
std::vector<std::string> labs_present() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(kStateRoot, ec))
    if (e.is_directory()) out.push_back(e.path().filename());
  return out;
}

bool ipv4_in_lab_subnet(const std::string& address, int& last_octet) {
  in_addr a{};
  if (::inet_pton(AF_INET, address.c_str(), &a) != 1) return false;
  uint32_t v = ntohl(a.s_addr);
  last_octet = static_cast<int>(v & 0xff);
  return (v & 0xffffff00u) == 0x0a4d0000u;  // 10.77.0.0/24
}

}  // namespace

const char* to_string(LabInit init) { return init == LabInit::systemd ? "systemd" : "sysv"; }

Result<LabInit> parse_lab_init(const std::string& text) {
  if (text == "systemd") return LabInit::systemd;
  if (text == "sysv") return LabInit::sysv;
  return Diagnostic::error("lab", "init '" + text + "' is not known: use systemd (PID 1 is systemd, as on a "
                                  "real VM) or sysv (a light host: sshd and init scripts)");
}

const LabHost* LabState::find(const std::string& name_or_address) const {
  for (const auto& h : hosts)
    if (h.name == name_or_address || h.address == name_or_address) return &h;
  return nullptr;
}

Status validate_lab(const std::string& lab_name, const std::vector<LabHostSpec>& hosts) {
  Diagnostics errs;
  if (!valid_name(lab_name, 32))
    errs.push_back(Diagnostic::error("lab", "lab name '" + lab_name +
                                                "' is not valid: use 1-32 lowercase letters, digits "
                                                "and inner dashes"));
  if (hosts.empty()) errs.push_back(Diagnostic::error("lab", "the lab has no hosts: give at least one"));
  if (hosts.size() > 250)
    errs.push_back(Diagnostic::error("lab", "a lab holds at most 250 hosts (one /24 subnet)"));
  std::set<std::string> names, addresses;
  for (const auto& h : hosts) {
    const std::string where = "lab:" + h.name;
    if (!valid_name(h.name, 63))
      errs.push_back(Diagnostic::error(where, "host name '" + h.name +
                                                  "' is not a valid hostname: use lowercase letters, "
                                                  "digits and inner dashes (at most 63)"));
    int octet = 0;
    if (!ipv4_in_lab_subnet(h.address, octet))
      errs.push_back(Diagnostic::error(where, "address '" + h.address +
                                                  "' is outside the lab subnet: use 10.77.0.2 to "
                                                  "10.77.0.254"));
    else if (octet < 2 || octet == 255)
      errs.push_back(Diagnostic::error(where, "address " + h.address +
                                                  " is reserved (network, machine side 10.77.0.1, "
                                                  "broadcast): use 10.77.0.2 to 10.77.0.254"));
    if (!names.insert(h.name).second)
      errs.push_back(Diagnostic::error(where, "host name '" + h.name + "' is used twice"));
    if (!addresses.insert(h.address).second)
      errs.push_back(Diagnostic::error(where, "address " + h.address + " is used twice"));
  }
  if (!errs.empty()) return errs;
  return ok_status();
}

std::string state_to_json(const LabState& s) {
  nlohmann::json j;
  j["name"] = s.name;
  j["dir"] = s.dir;
  j["key"] = s.key;
  j["known_hosts"] = s.known_hosts;
  j["bridge_created"] = s.bridge_created;
  j["hosts"] = nlohmann::json::array();
  for (const auto& h : s.hosts)
    j["hosts"].push_back({{"name", h.name},
                          {"address", h.address},
                          {"netns", h.netns},
                          {"veth", h.veth},
                          {"base", h.base},
                          {"pid", h.pid},
                          {"init_pid", h.init_pid},
                          {"init", to_string(h.init)}});
  return j.dump(2) + "\n";
}

Result<LabState> state_from_json(const std::string& text, const std::string& where) {
  try {
    auto j = nlohmann::json::parse(text);
    LabState s;
    s.name = j.at("name").get<std::string>();
    s.dir = j.at("dir").get<std::string>();
    s.key = j.at("key").get<std::string>();
    s.known_hosts = j.at("known_hosts").get<std::string>();
    s.bridge_created = j.value("bridge_created", false);
    for (const auto& h : j.at("hosts")) {
      auto init = parse_lab_init(h.value("init", std::string("sysv")));
      if (!init) return Diagnostic::error(where, init.error().message);
      s.hosts.push_back({h.at("name").get<std::string>(), h.at("address").get<std::string>(),
                         h.at("netns").get<std::string>(), h.at("veth").get<std::string>(),
                         h.at("base").get<std::string>(), h.value("pid", 0), h.value("init_pid", 0), *init});
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    return Diagnostic::error(where, std::string("lab state is unreadable: ") + e.what());
  }
}

Result<LabState> load_lab_state(const std::string& lab_name) {
  const std::string path = lab_dir(lab_name) + "/state.json";
  if (!fs::exists(path))
    return Diagnostic::error("lab", "no lab named '" + lab_name + "' is up (no " + path + ")");
  return state_from_json(read_text(path), path);
}

Result<std::string> current_lab() {
  auto labs = labs_present();
  if (labs.empty()) return Diagnostic::error("lab", "no lab is up: start one with 'foobarctl lab up'");
  if (labs.size() > 1)
    return Diagnostic::error("lab", "several labs have state under " + std::string(kStateRoot) +
                                        ": name the lab to use");
  return labs.front();
}

bool sshd_answers(const std::string& address, int port, int timeout_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::inet_pton(AF_INET, address.c_str(), &a.sin_addr) == 1;
  if (ok && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS)
    ok = false;
  std::string banner;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (ok && banner.size() < 4) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buf[64];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    banner.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return banner.rfind("SSH-", 0) == 0;
}

namespace {

Status write_state(const LabState& s) { return write_file_atomic(s.dir + "/state.json", state_to_json(s), 0644); }

std::string etc_hosts(const LabState& s) {
  std::string out = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  out += std::string(kBridgeAddress) + "\tlab-machine\n";
  for (const auto& h : s.hosts) out += h.address + "\t" + h.name + "\n";
  return out;
}

Status ensure_bridge(LabState& s) {
  std::string br = kBridge, addr = std::string(kBridgeAddress) + "/24";
  if (!fs::exists("/sys/class/net/" + br)) {
    s.bridge_created = true;
    auto st = write_state(s);  // recorded first, so a crash still removes it
    if (!st) return st;
    auto r = run_here("lab", "creating bridge " + br,
                "ip link add " + br + " type bridge && ip link set " + br + " up");
    if (!r) return r.diagnostics();
  }
  auto r = run_here("lab", "adding " + addr + " to " + br,
              "ip -4 addr show dev " + br + " | grep -q ' " + addr + " ' || ip addr add " + addr +
                  " dev " + br + "; ip link set " + br + " up");
  if (!r) return r.diagnostics();
  return ok_status();
}

// The overlay root with fresh host keys, hostname, lab key and network.
Status prepare_host(const LabState& s, const LabHost& h, const std::string& lab_pub) {
  const std::string B = shell_quote(h.base), R = shell_quote(h.base + "/root");
  std::string cmd =
      "set -e; mkdir -p " + B + "; mountpoint -q " + B + " || mount -t tmpfs -o size=4g,mode=0755 fbl-tmpfs " + B +
      "; mkdir -p " + B + "/upper " + B + "/work " + R + "; mountpoint -q " + R +
      " || mount -t overlay fbl-overlay -o lowerdir=/,upperdir=" + B + "/upper,workdir=" + B + "/work " + R +
      // Own host keys, generated inside; services may start; the lab's state is not for hosts.
      "; rm -f " + R + "/etc/ssh/ssh_host_* " + R + "/usr/sbin/policy-rc.d" +
      // Other hosts' directories appear in the lower layer meanwhile, so the tree removal
      // may race; the private lab key must be gone in any case.
      "; rm -rf " + R + "/var/lib/foobarctl 2>/dev/null || rm -f " + R + s.key +
      "; test ! -e " + R + s.key +
      "; ssh-keygen -q -t ed25519 -N '' -C root@" + h.name + " -f " + R +
      "/etc/ssh/ssh_host_ed25519_key" + "; echo " + h.name + " > " + R + "/etc/hostname" +
      // root's dotfiles as on a fresh install: the machine's own shell setup (version
      // managers that rehash under a lock on every bash start) must not run on each command.
      "; cp /etc/skel/.bashrc /etc/skel/.profile " + R + "/root/ 2>/dev/null || true" +
      "; mkdir -p " + R + "/root/.ssh; chmod 700 " + R + "/root/.ssh; cat > " + R +
      "/root/.ssh/authorized_keys; chmod 600 " + R + "/root/.ssh/authorized_keys" +
      "; mkdir -p " + R + "/etc/ssh/sshd_config.d; printf 'PasswordAuthentication no\\nUseDNS no\\n' > " + R +
      "/etc/ssh/sshd_config.d/foobar-lab.conf" +
      "; ip netns add " + h.netns + "; ip link add " + h.veth + " type veth peer name eth0 netns " + h.netns +
      "; ip link set " + h.veth + " master " + kBridge + " up; ip -n " + h.netns + " addr add " + h.address +
      "/24 dev eth0; ip -n " + h.netns + " link set eth0 up; ip -n " + h.netns + " link set lo up";
  auto r = run_here("lab:" + h.name, "preparing host " + h.name, cmd, lab_pub);
  if (!r) return r.diagnostics();
  return write_file_atomic(h.base + "/root/etc/hosts", etc_hosts(s), 0644);
}

// Starts the host's namespaces with sshd; fills in pid and init_pid.
Status start_host(LabHost& h) {
  const std::string R = h.base + "/root";
  const std::string inside =
      "mkdir -p /run/sshd; /usr/sbin/sshd -D -E /var/log/foobar-lab-sshd.log & "
      // PID 1 must reap orphans (daemons whose parent exited), or they stay zombies and
      // init scripts that wait for a stopped daemon to vanish wait for their whole timeout.
      // The shell's wait collects any child, its own or adopted.
      "while :; do wait; sleep 1; done";
  const std::string init = "hostname " + h.name + "; mount --rbind /dev " + R + "/dev; mount -t tmpfs tmpfs " +
                           R + "/run; mount -t tmpfs tmpfs " + R + "/tmp; mount -t sysfs sysfs " + R +
                           "/sys; exec chroot " + R + " /bin/sh -c " + shell_quote(inside);
  // setsid: out of our process group, so that nothing aimed at foobarctl hits the host.
  const std::string cmd = "setsid ip netns exec " + h.netns +
                          " unshare --mount --uts --pid --fork --mount-proc=" + R + "/proc sh -c " +
                          shell_quote(init) + " </dev/null >" + h.base + "/init.log 2>&1 & echo $!";
  auto r = run_here("lab:" + h.name, "starting host " + h.name, cmd);
  if (!r) return r.diagnostics();
  h.pid = std::atoi(r->c_str());
  // The host's PID 1 is unshare's forked child.
  const std::string children = "/proc/" + std::to_string(h.pid) + "/task/" + std::to_string(h.pid) + "/children";
  for (int i = 0; i < 200 && h.init_pid == 0; ++i) {
    h.init_pid = std::atoi(read_text(children).c_str());
    if (h.init_pid == 0) std::this_thread::sleep_for(10ms);
  }
  if (h.init_pid == 0)
    return Diagnostic::error("lab:" + h.name, "host did not start: see " + h.base + "/init.log: " +
                                                  read_text(h.base + "/init.log"));
  return ok_status();
}

Status wait_for_sshd(const LabHost& h, std::chrono::seconds timeout) {
  const bool systemd = h.init == LabInit::systemd;
  const std::string log = systemd ? h.base + "/console.log" : h.base + "/init.log";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (sshd_answers(h.address, 22, 500)) return ok_status();
    if (::kill(systemd ? h.pid : h.init_pid, 0) != 0)
      return Diagnostic::error("lab:" + h.name, "host stopped while starting: see " + log);
    std::this_thread::sleep_for(100ms);
  }
  return Diagnostic::error("lab:" + h.name, "sshd on " + h.address + " did not answer within " +
                                                std::to_string(timeout.count()) + " s; see " +
                                                (systemd ? log : h.base + "/root/var/log/foobar-lab-sshd.log"));
}

Status check_no_other_lab(const std::string& lab_name) {
  for (const auto& other : labs_present()) {
    if (other == lab_name)
      return Diagnostic::error("lab", "lab '" + lab_name + "' is already up: run 'foobarctl lab down " +
                                          lab_name + "' first");
    return Diagnostic::error("lab", "another lab ('" + other +
                                        "') is up, and labs share the bridge subnet 10.77.0.0/24: run "
                                        "'foobarctl lab down " + other + "' first");
  }
  auto left = netns_with_prefix(kNetnsPrefix);
  if (!left.empty())
    return Diagnostic::error("lab", "namespace " + left.front() +
                                        " is left over from an earlier lab: remove it with "
                                        "'foobarctl lab down <that lab>' first");
  return ok_status();
}

// Prepares and starts the hosts s.hosts[i] for each i of `which` (specs[k] is the
// spec of which[k]), in parallel, records them in state.json, and waits until each
// sshd answers; returns their known_hosts lines.
Result<std::string> start_hosts(LabState& s, const std::vector<std::size_t>& which,
                                const std::vector<LabHostSpec>& specs, const std::string& lab_pub) {
  // Hosts are independent once the bridge exists: prepare and start them in parallel.
  Diagnostics errs;
  {
    ThreadPool pool(std::min<size_t>(8, which.size()));
    std::vector<std::future<Status>> done;
    for (size_t k = 0; k < which.size(); ++k)
      done.push_back(pool.submit([&s, &h = s.hosts[which[k]], &units = specs[k].units, &lab_pub]() -> Status {
        if (auto st = prepare_host(s, h, lab_pub); !st) return st;
        if (h.init == LabInit::sysv) return start_host(h);
        if (auto st = prepare_systemd_root(h, units); !st) return st;
        return start_systemd_host(h);
      }));
    for (auto& f : done)
      if (auto st = f.get(); !st) errs.insert(errs.end(), st.diagnostics().begin(), st.diagnostics().end());
  }
  if (auto st = write_state(s); !st) errs.push_back(st.error());
  if (!errs.empty()) return errs;
  std::string known;
  for (std::size_t i : which) {
    const LabHost& h = s.hosts[i];
    // Booting systemd takes seconds per host, and hosts boot together on few cores.
    if (auto st = wait_for_sshd(h, h.init == LabInit::systemd ? 180s : 60s); !st) return st.diagnostics();
    auto pub = lines_of(read_text(h.base + "/root/etc/ssh/ssh_host_ed25519_key.pub"));
    std::istringstream f(pub.empty() ? "" : pub.front());
    std::string type, b64;
    f >> type >> b64;
    if (b64.empty()) return Diagnostic::error("lab:" + h.name, "host key is missing in the overlay");
    known += h.address + " " + type + " " + b64 + "\n";
  }
  return known;
}

// Every process in network namespace `n` gets SIGKILL (a namespace init ignores TERM).
std::string kill_namespace_cmd(const std::string& n) {
  return "for i in $(seq 50); do p=$(ip netns pids " + n +
         " 2>/dev/null); [ -z \"$p\" ] && exit 0; kill -9 $p 2>/dev/null; sleep 0.1; done; "
         "echo \"processes still in " + n + ": $p\" >&2; exit 1";
}

}  // namespace

Result<LabState> lab_up(const std::string& lab_name, const std::vector<LabHostSpec>& specs, LabInit init) {
  if (auto st = validate_lab(lab_name, specs); !st) return st.diagnostics();
  if (auto st = require_root(); !st) return st.diagnostics();
  if (auto st = check_no_other_lab(lab_name); !st) return st.diagnostics();

  LabState s;
  s.name = lab_name;
  s.dir = lab_dir(lab_name);
  s.key = s.dir + "/id_ed25519";
  s.known_hosts = s.dir + "/known_hosts";
  for (size_t i = 0; i < specs.size(); ++i)
    s.hosts.push_back({specs[i].name, specs[i].address, netns_prefix(lab_name) + specs[i].name,
                       kVethPrefix + std::to_string(i), s.dir + "/hosts/" + specs[i].name, 0, 0, init});
  std::error_code ec;
  fs::create_directories(s.dir + "/hosts", ec);
  if (ec) return Diagnostic::error("lab", "cannot create " + s.dir + ": " + ec.message());
  fs::permissions(s.dir, fs::perms::owner_all, ec);
  auto fail = [&](Diagnostics errs) -> Result<LabState> {
    (void)lab_down(lab_name);  // leave nothing half made
    return errs;
  };
  if (auto st = write_state(s); !st) return fail(st.diagnostics());
  auto key = run_here("lab", "generating the lab key",
                "ssh-keygen -q -t ed25519 -N '' -C foobarctl-lab-" + lab_name + " -f " + shell_quote(s.key));
  if (!key) return fail(key.diagnostics());
  if (auto st = ensure_bridge(s); !st) return fail(st.diagnostics());
  const std::string lab_pub = read_text(s.key + ".pub");

  std::vector<std::size_t> all(s.hosts.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  auto known = start_hosts(s, all, specs, lab_pub);
  if (!known) return fail(known.diagnostics());
  if (auto st = write_file_atomic(s.known_hosts, *known, 0644); !st) return fail(st.diagnostics());
  return s;
}

namespace {

// Halts every systemd host of the lab at once (a clean shutdown takes 2-3 s each); a
// host that does not halt in time is killed with the rest of its cgroup afterwards.
void halt_systemd_hosts(const LabState& s, const std::string& lab_name) {
  std::map<std::string, std::string> bases;  // cgroup -> host directory
  for (const auto& cg : lab_cgroups(netns_prefix(lab_name))) bases[cg] = "";
  for (const auto& h : s.hosts)
    if (h.init == LabInit::systemd && bases.count(h.netns)) bases[h.netns] = h.base;
  if (bases.empty()) return;
  ThreadPool pool(std::min<size_t>(16, bases.size()));
  std::vector<std::pair<std::string, std::future<HaltResult>>> done;
  for (const auto& entry : bases) {
    // Named copies: clang 14 cannot capture a structured binding.
    std::string cg = entry.first, base = entry.second;
    done.emplace_back(cg, pool.submit([cg, base] { return halt_systemd_host(cg, base, 30s); }));
  }
  for (auto& [cg, f] : done) {
    auto r = f.get();
    if (r == HaltResult::timed_out) std::fprintf(stderr, "lab: host %s did not halt within 30 s; killing it\n", cg.c_str());
    if (r == HaltResult::no_nspawn)
      std::fprintf(stderr, "lab: host %s has no running systemd-nspawn (it crashed or was killed); killing what is left\n",
                   cg.c_str());
  }
}

}  // namespace

Status lab_down(const std::string& lab_name) {
  if (!valid_name(lab_name, 32))
    return Diagnostic::error("lab", "lab name '" + lab_name + "' is not valid");
  if (auto st = require_root(); !st) return st;
  const std::string dir = lab_dir(lab_name);
  LabState s;
  if (auto loaded = load_lab_state(lab_name)) s = std::move(*loaded);
  std::set<std::string> namespaces;
  for (const auto& h : s.hosts) namespaces.insert(h.netns);
  for (const auto& n : netns_with_prefix(netns_prefix(lab_name))) namespaces.insert(n);

  Diagnostics errs;
  auto note = [&](const Result<std::string>& r) {
    if (!r) errs.insert(errs.end(), r.diagnostics().begin(), r.diagnostics().end());
  };
  halt_systemd_hosts(s, lab_name);
  // Every process in a host's network namespace gets SIGKILL (a namespace init
  // ignores TERM). Namespaces are independent: work on them in parallel.
  auto each_namespace = [&](auto make_cmd, const std::string& what) {
    ThreadPool pool(std::min<size_t>(8, std::max<size_t>(1, namespaces.size())));
    std::vector<std::future<Result<std::string>>> done;
    for (const auto& n : namespaces)
      done.push_back(pool.submit([n, make_cmd, what] { return run_here("lab", what + " " + n, make_cmd(n)); }));
    for (auto& f : done) note(f.get());
  };
  each_namespace(kill_namespace_cmd, "stopping processes in");
  for (const auto& m : mounts_under(dir)) note(run_here("lab", "unmounting " + m, "umount -l " + shell_quote(m)));
  each_namespace([](const std::string& n) { return "ip netns del " + n; }, "deleting namespace");
  // The veths went with their namespaces; remove strays only when no other lab owns them.
  bool alone = true;
  for (const auto& other : labs_present()) alone = alone && other == lab_name;
  if (alone)
    for (const auto& v : lab_veths()) note(run_here("lab", "deleting veth " + v, "ip link del " + v + " 2>/dev/null || ! test -e /sys/class/net/" + v));
  for (const auto& cg : lab_cgroups(netns_prefix(lab_name)))
    if (auto st = remove_systemd_leftovers(cg, cg.substr(netns_prefix(lab_name).size())); !st)
      errs.insert(errs.end(), st.diagnostics().begin(), st.diagnostics().end());
  // Without state (a crash before it was written) the bridge is taken to be the lab's.
  const bool bridge_ours = s.bridge_created || s.name.empty();
  if (bridge_ours && fs::exists(std::string("/sys/class/net/") + kBridge) && alone &&
      fs::is_empty(std::string("/sys/class/net/") + kBridge + "/brif"))
    note(run_here("lab", "deleting bridge", std::string("ip link del ") + kBridge));
  if (alone) remove_nspawn_run_dirs();
  if (!mounts_under(dir).empty()) {
    errs.push_back(Diagnostic::error("lab", "mounts remain under " + dir + "; state kept for another 'lab down'"));
    return errs;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) errs.push_back(Diagnostic::error("lab", "cannot remove " + dir + ": " + ec.message()));
  if (!errs.empty()) return errs;
  return ok_status();
}

Result<std::vector<LabHostStatus>> lab_status(const std::string& lab_name) {
  auto s = load_lab_state(lab_name);
  if (!s) return s.diagnostics();
  std::vector<LabHostStatus> out;
  for (const auto& h : s->hosts) {
    LabHostStatus st{h.name, h.address, h.init, false, false, 0};
    const int pid1 = h.init == LabInit::systemd ? systemd_leader(h) : h.init_pid;
    st.up = pid1 > 0 && ::kill(pid1, 0) == 0 && fs::exists("/run/netns/" + h.netns);
    if (h.init == LabInit::systemd) st.boots = systemd_boots(h);
    st.sshd = st.up && sshd_answers(h.address, 22, 1000);
    out.push_back(st);
  }
  return out;
}


Result<std::vector<LabHostSpec>> hosts_to_add(const LabState& s, const std::vector<LabHostSpec>& specs) {
  std::vector<LabHostSpec> out;
  Diagnostics errs;
  for (const auto& spec : specs) {
    const LabHost* running = nullptr;
    for (const auto& h : s.hosts)
      if (h.name == spec.name) running = &h;
    if (!running) {
      out.push_back(spec);
      continue;
    }
    if (running->address != spec.address)
      errs.push_back(Diagnostic::error("lab:" + spec.name, "runs at " + running->address + " in lab '" + s.name +
                                                               "', the stack gives " + spec.address +
                                                               ": a lab host keeps its address; run 'foobarctl lab "
                                                               "down " + s.name + "' first to move it"));
  }
  // New hosts must fit beside the running ones: names, addresses, no address twice.
  std::vector<LabHostSpec> all;
  for (const auto& h : s.hosts) all.push_back({h.name, h.address});
  all.insert(all.end(), out.begin(), out.end());
  if (errs.empty())
    if (auto st = validate_lab(s.name, all); !st) return st.diagnostics();
  if (!errs.empty()) return errs;
  return out;
}

namespace {

// Removes the hosts s.hosts[i] for i in `which` (halted, killed, unmounted, their
// namespace and veth deleted) and drops them from the state.
Diagnostics remove_hosts(LabState& s, const std::vector<std::size_t>& which) {
  Diagnostics errs;
  auto note = [&](const Result<std::string>& r) {
    if (!r) errs.insert(errs.end(), r.diagnostics().begin(), r.diagnostics().end());
  };
  std::set<std::string> gone;
  for (std::size_t i : which) {
    const LabHost& h = s.hosts[i];
    gone.insert(h.name);
    if (h.init == LabInit::systemd) (void)halt_systemd_host(h.netns, h.base, 30s);
    if (fs::exists("/run/netns/" + h.netns))
      note(run_here("lab", "stopping processes in " + h.netns, kill_namespace_cmd(h.netns)));
    for (const auto& m : mounts_under(h.base)) note(run_here("lab", "unmounting " + m, "umount -l " + shell_quote(m)));
    if (fs::exists("/run/netns/" + h.netns)) note(run_here("lab", "deleting namespace " + h.netns, "ip netns del " + h.netns));
    note(run_here("lab", "deleting veth " + h.veth, "ip link del " + h.veth + " 2>/dev/null || ! test -e /sys/class/net/" + h.veth));
    if (h.init == LabInit::systemd)
      if (auto st = remove_systemd_leftovers(h.netns, h.name); !st)
        errs.insert(errs.end(), st.diagnostics().begin(), st.diagnostics().end());
    std::error_code ec;
    fs::remove_all(h.base, ec);
  }
  s.hosts.erase(std::remove_if(s.hosts.begin(), s.hosts.end(), [&](const LabHost& h) { return gone.count(h.name) > 0; }),
                s.hosts.end());
  if (auto st = write_state(s); !st) errs.push_back(st.error());
  return errs;
}

// The veth of a new host: fblv<n>, n one more than the highest the lab uses.
std::string next_veth(const LabState& s) {
  int n = -1;
  for (const auto& h : s.hosts)
    if (h.veth.rfind(kVethPrefix, 0) == 0) n = std::max(n, std::atoi(h.veth.c_str() + std::strlen(kVethPrefix)));
  return kVethPrefix + std::to_string(n + 1);
}

}  // namespace

Result<LabGrowth> lab_add_hosts(const std::string& lab_name, const std::vector<LabHostSpec>& specs, LabInit init) {
  if (auto st = require_root(); !st) return st.diagnostics();
  auto loaded = load_lab_state(lab_name);
  if (!loaded) return loaded.diagnostics();
  LabGrowth g{std::move(*loaded), {}, {}};
  LabState& s = g.state;
  auto missing = hosts_to_add(s, specs);
  if (!missing) return missing.diagnostics();
  for (const auto& h : s.hosts) {
    bool named = std::any_of(specs.begin(), specs.end(), [&](const LabHostSpec& sp) { return sp.name == h.name; });
    if (!named) g.not_in_stack.push_back(h.name);
  }
  if (missing->empty()) return g;
  std::vector<std::size_t> which;
  for (const auto& spec : *missing) {
    which.push_back(s.hosts.size());
    s.hosts.push_back({spec.name, spec.address, netns_prefix(lab_name) + spec.name, next_veth(s),
                       s.dir + "/hosts/" + spec.name, 0, 0, init});
    g.added.push_back(spec.name);
  }
  // Recorded first, so that a crash leaves them for 'lab down' to remove.
  if (auto st = write_state(s); !st) return st.diagnostics();
  auto fail = [&](Diagnostics errs) -> Result<LabGrowth> {
    auto left = remove_hosts(s, which);
    errs.insert(errs.end(), left.begin(), left.end());
    return errs;
  };
  if (auto st = ensure_bridge(s); !st) return fail(st.diagnostics());
  auto known = start_hosts(s, which, *missing, read_text(s.key + ".pub"));
  if (!known) return fail(known.diagnostics());
  // The running hosts' /etc/hosts names the new ones too (a file; nothing restarts).
  for (const auto& h : s.hosts) {
    if (std::find(g.added.begin(), g.added.end(), h.name) != g.added.end()) continue;
    if (auto st = write_file_atomic(h.base + "/root/etc/hosts", etc_hosts(s), 0644); !st) return fail(st.diagnostics());
  }
  std::ofstream kh(s.known_hosts, std::ios::app);
  kh << *known;
  if (!kh.flush()) return fail({Diagnostic::error("lab", "cannot write " + s.known_hosts)});
  return g;
}

}  // namespace foobar::lab
