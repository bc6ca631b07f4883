// Lab hosts that boot systemd as PID 1 (systemd-nspawn --boot on the host's overlay
// root), as real VMs do. This machine has no systemd of its own (no bus, no machined)
// and a cgroup v1 hybrid layout, so:
//  - nspawn runs with --register=no --keep-unit, and each host's nspawn is put in its
//    own cgroup fbl-<lab>.<host> (name=systemd and unified hierarchies) first: nspawn
//    makes payload/ and supervisor/ under its own cgroup, and hosts sharing one would
//    collide. The cgroups stay behind when nspawn exits; lab down removes them.
//  - every unit enabled on the machine's root would boot in every host: all but sshd
//    and the units of the host's roles are disabled in the overlay before boot.
//  - `systemctl reboot` inside ends nspawn with status 133: a small supervisor per host
//    (a shell loop in the host's cgroup) starts it again on the same overlay and
//    network namespace, so the host keeps its disk and address.
//  - SIGTERM to nspawn halts the guest cleanly (it sends SIGRTMIN+3 to the guest's
//    systemd); signalling the guest's PID 1 only makes systemd re-execute.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "lab/lab.h"
#include "util/result.h"

namespace foobar::lab {

// Before boot: the host's own machine-id, and only sshd plus `units` enabled (names
// with or without ".service").
Status prepare_systemd_root(const LabHost& h, const std::vector<std::string>& units);

// Makes the host's cgroups and starts its supervisor (h.pid), which boots the host.
Status start_systemd_host(LabHost& h);

// The host's PID 1 (its systemd) as seen from the machine, or 0 when it is not running.
int systemd_leader(const LabHost& h);
// How often the supervisor booted the host (1 after lab up, +1 per reboot).
int systemd_boots(const LabHost& h);

// Cgroups of a lab's hosts present on this machine (names under the name=systemd
// hierarchy that start with `prefix`).
std::vector<std::string> lab_cgroups(const std::string& prefix);

// Halts the host in cgroup `cgroup` (base: the host's directory, "" if unknown): the
// supervisor is told not to boot again and nspawn is asked to stop the guest. Waits
// up to `timeout` for every process of the host to end. A host without a running
// nspawn (it crashed or was killed) cannot be asked: no_nspawn, at once.
enum class HaltResult { halted, timed_out, no_nspawn };
HaltResult halt_systemd_host(const std::string& cgroup, const std::string& base, std::chrono::seconds timeout);

// Kills what is left in the cgroup (a host whose nspawn crashed or did not halt) and
// removes the cgroup from both hierarchies, then what nspawn left under /run for
// `machine` (its host name).
Status remove_systemd_leftovers(const std::string& cgroup, const std::string& machine);

// Once no lab host is left: the empty directories nspawn made under /run/systemd/nspawn
// (locks/, propagate/) and that directory itself.
void remove_nspawn_run_dirs();

}  // namespace foobar::lab
