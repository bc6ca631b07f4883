// The remote library's fact and action functions run under dash against a fake host:
// fake programs first on PATH (each logs its arguments), and /run, /etc and /proc
// pointed at a temporary directory (fb_run, fb_etc, fb_proc in common.sh).
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "remote/library.h"
#include "util/base64.h"
#include "util/shell.h"
#include "util/test_support.h"

using namespace foobar;
using test_support::TempDir;

namespace {

struct FakeHost {
  TempDir dir;
  bool systemd = false;

  // A fake program: logs "NAME ARGS..." to calls.log, then runs `body`.
  void program(const std::string& name, const std::string& body) {
    dir.write("bin/" + name,
              "#!/bin/sh\nprintf '%s\\n' \"" + name + " $*\" >> " + shell_quote(log()) + "\n" + body + "\n", 0755);
  }
  // A live process of the host's /proc whose kernel name is `comm`.
  void process(int pid, const std::string& comm) { dir.write("proc/" + std::to_string(pid) + "/comm", comm + "\n"); }
  std::string log() const { return (dir.path / "calls.log").string(); }
  std::string calls() const { return test_support::slurp(log()); }
  int count(const std::string& prefix) const {
    std::istringstream in(calls());
    int n = 0;
    for (std::string l; std::getline(in, l);) n += l.rfind(prefix, 0) == 0;
    return n;
  }

  // Runs the calls under dash with the library; returns stdout.
  std::string run(const std::vector<std::string>& calls, int* status = nullptr) {
    if (systemd) dir.write("run/systemd/system/.keep", "");
    const std::string root = dir.path.string();
    std::string script = "PATH=" + shell_quote(root + "/bin") + ":$PATH\n" + remote::library() +
                         "fb_run=" + shell_quote(root + "/run") + " fb_etc=" + shell_quote(root + "/etc") +
                         " fb_proc=" + shell_quote(root + "/proc") + "\n";
    for (const auto& c : calls) script += c + "\n";
    const auto path = dir.write("script.sh", script);
    return test_support::command_output("dash " + shell_quote(path) + " 2>&1", status);
  }
};

}  // namespace

TEST_CASE("remote services on an init-script host: pid file and /proc decide, the liars too") {
  FakeHost h;
  const std::string root = h.dir.path.string();
  // haproxy's start leaves a daemon behind (its pid file and process).
  h.program("service", "[ \"$1 $2\" = 'haproxy start' ] && { echo 107 > " + shell_quote(root + "/run/haproxy.pid") +
                           "; mkdir -p " + shell_quote(root + "/proc/107") + "; echo haproxy > " +
                           shell_quote(root + "/proc/107/comm") + "; }\n[ \"$2\" = status ] && [ \"$1\" = withstatus ]");
  h.program("pidof", "exit 1");
  h.dir.write("run/nginx.pid", "101\n");
  h.process(101, "nginx");
  h.dir.write("run/haproxy.pid", "102\n");  // stale: no such process
  h.dir.write("run/keepalived.pid", "103\n");
  h.process(103, "keepalived");
  h.dir.write("run/nsd/nsd.pid", "104\n");
  h.process(104, "nsd: main");  // renames itself
  h.dir.write("run/prometheus/prometheus-node-exporter.pid", "105\n");
  h.process(105, "bash");  // the pid was reused by another program
  // keepalived's init script has no status action: asking it would answer with its usage.
  h.dir.write("etc/init.d/keepalived", "#!/bin/sh\ncase \"$1\" in start) ;; *) echo usage ;; esac\n", 0755);
  h.dir.write("etc/init.d/foobar-app", "#!/bin/sh\nPIDFILE=" + (h.dir.path / "run/app.pid").string() + "\n", 0755);
  h.dir.write("run/app.pid", "106\n");
  h.process(106, "gunicorn");
  h.dir.write("etc/init.d/withstatus", "#!/bin/sh\n# status) ...\n", 0755);
  h.dir.write("etc/init.d/nostatus", "#!/bin/sh\ncase \"$1\" in start) ;; esac\n", 0755);
  h.dir.write("etc/rc2.d/S01nginx", "");
  auto out = h.run({remote::call("fact_services", {"nginx", "haproxy", "keepalived", "nsd", "prometheus-node-exporter",
                                                   "foobar-app", "withstatus", "nostatus"})});
  CHECK(out == "svc\tnginx\trunning\tenabled\n"
               "svc\thaproxy\tstopped\tdisabled\n"
               "svc\tkeepalived\trunning\tdisabled\n"
               "svc\tnsd\trunning\tdisabled\n"
               "svc\tprometheus-node-exporter\tstopped\tdisabled\n"
               "svc\tfoobar-app\trunning\tdisabled\n"
               "svc\twithstatus\trunning\tdisabled\n"
               "svc\tnostatus\tstopped\tdisabled\n");
  // Only the scripts without a known pid file were asked, and the one without a
  // status action only through pidof.
  CHECK(h.calls() == "service withstatus status\npidof -- nostatus\n");

  // Apply's "is it running" is the probe's: a running keepalived is not started again,
  // a stopped haproxy is, and a handler reloads through the init script.
  out = h.run({remote::call("act_service", {"keepalived", "running", "keep"}),
               remote::call("act_service", {"haproxy", "running", "keep"}),
               remote::call("act_service_do", {"nginx", "reload"})});
  CHECK(h.count("service keepalived") == 0);
  CHECK(h.count("service haproxy start") == 1);
  CHECK(h.count("service nginx reload") == 1);
}

TEST_CASE("remote services on an init-script host: a restart waits for the old daemon, a start must leave one") {
  FakeHost h;
  const std::string root = h.dir.path.string(), pidfile = shell_quote(root + "/run/keepalived.pid");
  // As Debian's scripts do: exit 0 whatever start-stop-daemon said. The old keepalived
  // takes a second to exit after stop; a start while it is there starts nothing.
  h.program("service", "case $2 in\n"
                       "  stop) (sleep 1; rm -rf " + shell_quote(root + "/proc/103") + ") & ;;\n"
                       "  start) [ \"$1\" = keepalived ] && [ ! -d " + shell_quote(root + "/proc/103") + " ] && "
                       "{ mkdir -p " + shell_quote(root + "/proc/104") + "; echo keepalived > " +
                       shell_quote(root + "/proc/104/comm") + "; echo 104 > " + pidfile + "; } ;;\n"
                       "esac\nexit 0");
  h.dir.write("run/keepalived.pid", "103\n");
  h.process(103, "keepalived");
  int st = -1;
  auto out = h.run({remote::call("act_service_do", {"keepalived", "restart"}), "echo rc=$?"}, &st);
  CHECK(out.find("rc=0") != std::string::npos);
  CHECK(h.calls() == "service keepalived stop\nservice keepalived start\n");
  std::ifstream pid(root + "/run/keepalived.pid");
  std::string line;
  CHECK((std::getline(pid, line) && line == "104"));
  // haproxy's script "starts" nothing: the start fails, naming the service.
  out = h.run({"fb_svc_wait=1", remote::call("act_service", {"haproxy", "running", "keep"}), "echo rc=$?"}, &st);
  CHECK(out.find("haproxy is not running 1 s after its init script's start returned") != std::string::npos);
  CHECK(out.find("rc=1") != std::string::npos);
}

TEST_CASE("remote services on a systemd host: one systemctl show for all of them") {
  FakeHost h;
  h.systemd = true;
  // systemctl show prints one block per unit, in argument order, with a blank line between.
  h.program("systemctl", R"(case "$1" in
  show) shift; while [ "$1" != -- ]; do shift; done; shift; sep=
    for u in "$@"; do
      printf '%s' "$sep"; sep='
'
      case $u in
        nginx) printf 'ActiveState=active\nUnitFileState=enabled\n' ;;
        keepalived) printf 'UnitFileState=static\nActiveState=reloading\n' ;;
        *) printf 'ActiveState=inactive\nUnitFileState=\n' ;;
      esac
    done ;;
esac)");
  h.program("service", "exit 0");
  auto out = h.run({remote::call("fact_services", {"nginx", "keepalived", "haproxy"})});
  CHECK(out == "svc\tnginx\trunning\tenabled\nsvc\tkeepalived\trunning\tenabled\nsvc\thaproxy\tstopped\tdisabled\n");
  CHECK(h.count("systemctl show") == 1);
  CHECK(h.count("service") == 0);

  out = h.run({remote::call("act_service", {"nginx", "running", "enabled"}),
               remote::call("act_service", {"haproxy", "running", "enabled"}),
               remote::call("act_service_do", {"keepalived", "reload"})});
  CHECK(h.count("systemctl enable -- nginx") == 1);
  CHECK(h.count("systemctl start -- nginx") == 0);
  CHECK(h.count("systemctl start -- haproxy") == 1);
  CHECK(h.count("systemctl reload -- keepalived") == 1);
  CHECK(h.count("service") == 0);
}

TEST_CASE("remote packages: one dpkg-query for all, and apply installs only what it does not find") {
  FakeHost h;
  h.program("dpkg-query", R"(shift 2; [ "$1" = -- ] && shift
for p in "$@"; do
  case $p in
    nginx) printf 'nginx\tinstall ok installed\t1.22.1-9\n' ;;
    haproxy) printf 'haproxy\tdeinstall ok config-files\t2.6.12-1\n' ;;
    *) echo "dpkg-query: no packages found matching $p" >&2 ;;
  esac
done)");
  h.program("apt-get", "exit 0");
  auto out = h.run({remote::call("fact_packages", {"nginx", "haproxy", "nsd"})});
  CHECK(out == "pkg\tnginx\tinstalled\t1.22.1-9\npkg\thaproxy\tabsent\t\npkg\tnsd\tabsent\t\n");
  CHECK(h.count("dpkg-query") == 1);
  h.run({remote::call("act_package", {"nginx"}), remote::call("act_package", {"haproxy"})});
  CHECK(h.count("apt-get") == 1);
  CHECK(h.count("apt-get install -y -q -- haproxy") == 1);
}

TEST_CASE("remote replication: apply waits on the replica status the probe parses, in either server's words") {
  FakeHost h;
  // A MySQL 8 server: SHOW REPLICA STATUS with Replica_/Source_ names.
  h.program("mysql", R"(case "$*" in
  *'REPLICA STATUS'*) printf '*** 1. row ***\n   Replica_IO_Running: Yes\n  Replica_SQL_Running: Yes\n          Source_Host: 10.77.0.41\nSeconds_Behind_Source: 0\n' ;;
  *) cat > /dev/null ;;
esac)");
  int status = -1;
  auto out = h.run({remote::call("fb_replica_status"), "act_replication </dev/null && echo linked"}, &status);
  CHECK(status == 0);
  CHECK(out == "replica\tstatus\tYes\tYes\t10.77.0.41\t0\t\nlinked\n");
}

TEST_CASE("remote pipeline: each step reads its own bytes of stdin, reports, and the first failure ends it") {
  TempDir work;
  const auto target = (work.path / "f").string();
  auto inv = remote::invoke({remote::call("fb_step", {"0", "5", "act_file", target, "root", "root", "0600", ""}),
                             remote::call("fb_step", {"1", "3", "cat"}),
                             remote::call("fb_step", {"2", "0", "false"}),
                             remote::call("fb_step", {"3", "0", "echo", "not reached"})},
                            "firstabc");
  const auto in = work.write("in", inv.input);
  int status = -1;
  auto out = test_support::command_output(inv.command + " < " + shell_quote(in), &status);
  CHECK(status == 0);
  // The last field is how long the step ran, in ms (10 ms resolution): kept apart.
  std::string records, times;
  std::istringstream lines(out);
  for (std::string l; std::getline(lines, l);) {
    auto tab = l.rfind('\t');
    records += l.substr(0, tab + 1) + "\n";
    times += l.substr(tab + 1) + " ";
  }
  CHECK(records == "step\t0\t0\t\t\nstep\t1\t0\tYWJj\t\nstep\t2\t1\t\t\n");  // YWJj: "abc"
  CHECK(std::regex_match(times, std::regex("([0-9]*0 ){3}")));
  std::ifstream f(target);
  std::string content;
  std::getline(f, content);
  CHECK(content == "first");
}

TEST_CASE("remote sshd: never stopped, reloaded when its drop-in goes, keys checked as sshd reads them") {
  FakeHost h;
  h.program("service", "exit 0");
  h.program("sshd", R"SH(case "$1" in
  -t) exit 0 ;;
  -T) printf 'port 22\npubkeyauthentication yes\nauthorizedkeysfile .ssh/authorized_keys /etc/keys/%u\n' ;;
esac)SH");
  h.program("getent", "printf 'admin:x:1000:1000::" + (h.dir.path / "home").string() + ":/bin/sh\\n'");
  h.program("ssh-keygen", R"SH(case "$2" in
  */etc/keys/admin) echo "256 SHA256:good admin@laptop (ED25519)" ;;
  *) echo "256 SHA256:other someone (ED25519)" ;;
esac)SH");
  h.dir.write("home/.ssh/authorized_keys", "ssh-ed25519 AAAA other\n");
  int st = 0;
  h.run({remote::call("act_service_remove", {"ssh"}), remote::call("act_service_remove", {"sshd"})}, &st);
  CHECK(st == 0);
  CHECK(h.count("service") == 0);  // neither stopped nor disabled
  h.run({remote::call("act_file_remove", {(h.dir.path / "etc/nginx.conf").string()})});
  CHECK(h.count("service ssh reload") == 0);
  h.run({remote::call("act_file_remove", {"/etc/ssh/sshd_config.d/00-foobar-test-absent.conf"})});
  CHECK(h.count("sshd -t") == 1);
  CHECK(h.count("service ssh reload") == 1);

  auto out = h.run({remote::call("fb_sshd_key_ok", {"admin", "SHA256:other"})}, &st);
  CHECK(st == 0);
  CHECK(h.count("sshd -T -C user=admin,host=localhost,addr=127.0.0.1") == 1);
  out = h.run({remote::call("fb_sshd_key_ok", {"admin", "SHA256:nowhere"})}, &st);
  CHECK(st != 0);
  CHECK(out.find("the key SHA256:nowhere is not in the authorized keys of admin") != std::string::npos);
}

TEST_CASE("remote sshd: the drop-in's check wants it in effect") {
  FakeHost h;
  h.program("sshd", R"SH(case "$1" in
  -t) exit 0 ;;
  -T) printf 'passwordauthentication %s\nkbdinteractiveauthentication no\npubkeyauthentication yes\n' "$(cat )" ;;
esac)SH");
  int st = 0;
  h.run({"echo no | fb_sshd_check"}, &st);
  CHECK(st == 0);
  auto out = h.run({"echo yes | fb_sshd_check"}, &st);
  CHECK(st != 0);
  CHECK(out.find("must include /etc/ssh/sshd_config.d/*.conf") != std::string::npos);
}

TEST_CASE("remote rolling drains and gates: HAProxy's runtime API, bounded waits, names kept to one word") {
  FakeHost h;
  const std::string sock = (h.dir.path / "admin.sock").string();
  test_support::command_output("python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' " +
                               shell_quote(sock));
  // socat: the runtime API command comes on stdin; web-01 is UP with no session, web-02 DOWN.
  h.program("socat", "read -r cmd; printf '%s\\n' \"api $cmd\" >> " + shell_quote(h.log()) +
                         "\ncase $cmd in 'show stat') printf '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,"
                         "dreq,dresp,ereq,econ,eresp,wretr,wredis,status\\nbe_web,web-01,0,0,0,1,,9,0,0,,0,,0,0,0,0,"
                         "UP\\nbe_web,web-02,0,0,0,1,,9,0,0,,0,,0,0,0,0,DOWN\\nbe_web,BACKEND,0,0,0,1,,9,0,0,,0,,0,0,"
                         "0,0,UP\\n' ;; *) echo ;; esac");
  int status = -1;
  std::string out = h.run({remote::call("roll_hap_drain", {sock, "be_web", "web-01", "2"})}, &status);
  CHECK(status == 0);
  CHECK(out.find("drained") != std::string::npos);
  CHECK(h.count("api set server be_web/web-01 state drain") == 1);
  // A server HAProxy does not balance to (a first apply): nothing to do, and no command.
  out = h.run({remote::call("roll_hap_drain", {sock, "be_web", "web-09", "2"})}, &status);
  CHECK(status == 0);
  CHECK(out.find("nothing to do") != std::string::npos);
  CHECK(h.count("api set server be_web/web-09") == 0);
  // A name that would be two commands of the runtime API never reaches it.
  out = h.run({remote::call("roll_hap_drain", {sock, "be_web", "web-01 state maint\nshutdown", "2"})}, &status);
  CHECK(status != 0);
  CHECK(out.find("invalid backend or server name") != std::string::npos);
  CHECK(h.count("api shutdown") == 0);
  // Back in rotation: UP passes; DOWN fails once the bound is over, saying so.
  out = h.run({remote::call("roll_hap_ready", {sock, "be_web", "web-01", "2"})}, &status);
  CHECK(status == 0);
  CHECK(h.count("api set server be_web/web-01 state ready") == 1);
  out = h.run({remote::call("roll_hap_ready", {sock, "be_web", "web-02", "1"})}, &status);
  CHECK(status != 0);
  CHECK(out.find("web-02 is DOWN in HAProxy, not UP, after 1 s") != std::string::npos);
  out = h.run({remote::call("roll_hap_gate", {sock, "be_web", "1"})}, &status);
  CHECK(status == 0);
  CHECK(out.find("1 servers of be_web UP") != std::string::npos);

  // The HTTP gate: the status wanted, or any answer; a wrong one fails after the bound.
  h.program("curl", "printf 503");
  out = h.run({remote::call("roll_http_gate", {"http://10.77.0.31:8000/healthz", "1", "200"})}, &status);
  CHECK(status != 0);
  CHECK(out.find("did not answer 200 within 1 s (last status 503)") != std::string::npos);
  out = h.run({remote::call("roll_http_gate", {"http://127.0.0.1/healthz", "1", "any"})}, &status);
  CHECK(status == 0);
}

TEST_CASE("remote boot wait: systemd hosts wait for the boot's end, init-script hosts not at all") {
  FakeHost sysv;
  sysv.program("systemctl", "exit 0");
  int st = -1;
  sysv.run({remote::call("fb_boot_wait")}, &st);
  CHECK(st == 0);
  CHECK(sysv.count("systemctl") == 0);
  FakeHost sd;
  sd.systemd = true;
  sd.program("systemctl", "echo degraded; exit 1");  // a unit failed: still settled
  sd.run({remote::call("fb_boot_wait")}, &st);
  CHECK(st == 0);
  CHECK(sd.count("systemctl is-system-running --wait") == 1);
}

TEST_CASE("remote status: HAProxy's counters by column name, log lines, the floating IP, Prometheus answers") {
  FakeHost h;
  const std::string sock = (h.dir.path / "admin.sock").string();
  test_support::command_output("python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' " +
                               shell_quote(sock));
  // Columns in an order of their own: the function finds them by the header's names.
  h.program("socat", "read -r cmd; [ \"$cmd\" = 'show stat' ] || exit 1; printf '%s\\n' "
                     "'# svname,pxname,status,req_tot,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,' "
                     "'FRONTEND,fe_http,OPEN,50,0,40,3,2,5,0,' 'web-01,be_web,UP,,0,20,1,1,2,0,' "
                     "'BACKEND,be_web,UP,,0,40,3,2,5,0,'");
  h.dir.write("access.log", "a\nb\nc\n");
  h.program("ip", "echo '2: eth0    inet 10.77.0.11/24 brd 10.77.0.255 scope global eth0'; "
                  "echo '2: eth0    inet 10.77.0.10/32 scope global eth0'");
  h.program("curl", "for a; do case $a in query=up) echo '{\"status\":\"success\"}'; exit 0 ;; esac; done; "
                    "echo 'curl: (7) Failed to connect' >&2; exit 7");
  h.dir.write("proc/uptime", "3600.52 7000.00\n");
  int status = -1;
  std::string out = h.run({remote::call("status_hap", {sock}),
                           remote::call("status_lines", {(h.dir.path / "access.log").string()}),
                           remote::call("status_lines", {(h.dir.path / "none.log").string()}),
                           remote::call("status_address", {"10.77.0.10"}), remote::call("status_address", {"10.77.0.1"}),
                           remote::call("status_prom", {"http://127.0.0.1:9090", "up", "rate(x[1m])"}),
                           remote::call("status_host", {(h.dir.path / "none.json").string()})},
                          &status);
  CHECK(status == 0);
  CHECK(out.find("\tfe_http\tFRONTEND\tOPEN\t50\t5\n") != std::string::npos);
  CHECK(out.find("\tbe_web\tweb-01\tUP\t24\t2\n") != std::string::npos);  // responses, health checks aside
  CHECK(out.find("BACKEND") == std::string::npos);
  CHECK(out.find("access.log\t3\n") != std::string::npos);
  CHECK(out.find("none.log") == std::string::npos);
  CHECK(out.find("status\taddress\t10.77.0.10\theld\n") != std::string::npos);
  CHECK(out.find("status\taddress\t10.77.0.1\tabsent\n") != std::string::npos);
  CHECK(out.find("status\tprom\t0\tok\t" + base64_encode("{\"status\":\"success\"}")) != std::string::npos);
  CHECK(out.find("status\tprom\t1\terror\t") != std::string::npos);
  CHECK(out.find("status\tuptime\t3600\n") != std::string::npos);
  CHECK(out.find("status\tapplied\tnone\n") != std::string::npos);
  // A query is one argument to curl, whatever it holds: no word of it runs.
  h.run({remote::call("status_prom", {"http://127.0.0.1:9090", "up'; touch /tmp/x; '$(id)"})});
  CHECK(h.calls().find("query=up'; touch /tmp/x; '$(id)") != std::string::npos);
}

TEST_CASE("remote db day 2: GTID positions are checked before they go anywhere") {
  FakeHost h;
  auto valid = [&](const std::string& pos) {
    int st = -1;
    h.run({remote::call("fb_gtid_valid", {pos})}, &st);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
  };
  CHECK(valid(""));
  CHECK(valid("0-1-42"));
  CHECK(valid("0-1-42,1-2-7"));
  CHECK_FALSE(valid("0-1"));
  CHECK_FALSE(valid("0-1-42,"));
  CHECK_FALSE(valid(",0-1-42"));
  CHECK_FALSE(valid("0-1-42,,1-2-7"));
  CHECK_FALSE(valid("0-1-42'; DROP TABLE entries; -- "));
  CHECK_FALSE(valid("0-1-42\n0-1-43"));
  CHECK_FALSE(valid("a-b-c"));
}

TEST_CASE("remote db day 2: positions, the wait and the promotion, in the server's words") {
  FakeHost h;
  h.program("mysql", R"SH(case "$*" in
  *'SELECT @@read_only'*) printf '1\t0-1-42\t0-1-40\t0-1-42\n' ;;
  *'SLAVE STATUS'*|*'REPLICA STATUS'*) printf '*************************** 1. row ***************************\n                Slave_IO_State: Connecting\n                   Master_Host: 10.77.0.41\n               Master_Log_File: mysql-bin.000002\n           Read_Master_Log_Pos: 900\n         Relay_Master_Log_File: mysql-bin.000002\n              Slave_IO_Running: Connecting\n             Slave_SQL_Running: Yes\n           Exec_Master_Log_Pos: 900\n                   Gtid_IO_Pos: 0-1-40\n       Slave_SQL_Running_State: Slave has read all relay log; waiting for more updates\n' ;;
  *-N) cat > "$0.sql"; cat "$0.answer" 2>/dev/null ;;
  *) cat > /dev/null ;;
esac)SH");
  auto out = h.run({remote::call("fact_db_position")});
  // parse_position_output (src/facts/db_position_test.cc has this very output).
  CHECK(out == "dbpos\tup\t1\t0-1-42\t0-1-40\t0-1-42\n"
               "dbrelay\t10.77.0.41\tConnecting\tYes\tmysql-bin.000002\t900\tmysql-bin.000002\t900\t0-1-40\n"
               "dbsqlstate\tU2xhdmUgaGFzIHJlYWQgYWxsIHJlbGF5IGxvZzsgd2FpdGluZyBmb3IgbW9yZSB1cGRhdGVzCg==\n");

  // MASTER_GTID_WAIT answers -1 on a timeout: the wait fails with exit status 1.
  h.dir.write("bin/mysql.answer", "-1\n");
  int st = -1;
  out = h.run({"printf \"SELECT MASTER_GTID_WAIT('0-1-42', 2);\\n\" | act_db_wait 2"}, &st);
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 1);
  CHECK(out.find("did not reach the position within 2 s") != std::string::npos);
  h.dir.write("bin/mysql.answer", "0\n");
  out = h.run({"printf \"SELECT MASTER_GTID_WAIT('0-1-42', 2);\\n\" | act_db_wait 2 && echo reached"}, &st);
  CHECK(WEXITSTATUS(st) == 0);
  CHECK(out == "reached\n");

  h.run({remote::call("act_db_promote")});
  const auto calls = h.calls();
  CHECK(calls.find("STOP SLAVE; RESET SLAVE ALL") != std::string::npos);
  CHECK(calls.find("SET GLOBAL read_only=0") != std::string::npos);
  int bad = -1;
  h.run({remote::call("act_db_readonly", {"1; DROP DATABASE foobar"})}, &bad);
  CHECK(WEXITSTATUS(bad) == 2);
  CHECK(h.calls().find("DROP DATABASE") == std::string::npos);
}

TEST_CASE("remote db day 2: the fence drops the app hosts' port, refuses what is not an address") {
  FakeHost h;
  h.program("mysql", "cat > /dev/null");
  h.program("nft", "cat > \"$0.in\"");
  int st = -1;
  h.run({remote::call("act_db_fence", {"3306", "10.77.0.21", "fd00::21", "10.77.0.22"})}, &st);
  CHECK(WEXITSTATUS(st) == 0);
  const std::string ruleset = test_support::slurp(h.dir.path / "bin/nft.in");
  CHECK(ruleset.find("table inet foobar_fence {") != std::string::npos);
  CHECK(ruleset.find("    ip saddr { 10.77.0.21, 10.77.0.22 } tcp dport 3306 drop\n") != std::string::npos);
  CHECK(ruleset.find("    ip6 saddr { fd00::21 } tcp dport 3306 drop\n") != std::string::npos);
  CHECK(h.calls().find("SET GLOBAL read_only=1") != std::string::npos);
  CHECK(test_support::slurp(h.dir.path / "etc/mysql/mariadb.conf.d/99-foobar-fence.cnf").find("read_only = ON") !=
        std::string::npos);

  FakeHost hostile;
  hostile.program("nft", "cat > /dev/null");
  for (const auto& addr : {std::string("10.0.0.1 } ; flush ruleset ; {"), std::string("$(reboot)"), std::string("")}) {
    hostile.run({remote::call("act_db_fence", {"3306", addr})}, &st);
    CHECK(WEXITSTATUS(st) == 2);
  }
  hostile.run({remote::call("act_db_fence", {"3306; reboot", "10.0.0.1"})}, &st);
  CHECK(WEXITSTATUS(st) == 2);
  CHECK(hostile.count("nft") == 0);
}

TEST_CASE("remote db day 2: the record of the running primary is written whole and read back as base64") {
  FakeHost h;
  const auto path = (h.dir.path / "state/s.db-primary").string();
  auto out = h.run({remote::call("fact_db_record", {path})});
  CHECK(out == "dbrecord\tabsent\n");
  h.run({remote::call("act_db_record", {path, "primary db-02\nfence db-01"})});
  out = h.run({remote::call("fact_db_record", {path})});
  CHECK(out == "dbrecord\tpresent\t" + base64_encode("primary db-02\nfence db-01\n") + "\n");
}
