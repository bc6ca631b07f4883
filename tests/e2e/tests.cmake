# The reference stacks end to end in the lab, on systemd hosts (as real VMs run), and
# stacks 0 and 1 also on sysv hosts so the init-script path stays covered.
# Need root; exit 77 (skipped) otherwise.
foobar_e2e(e2e-stack0 tests/e2e/stack0_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 900)
foobar_e2e(e2e-stack1 tests/e2e/stack1_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 900)
foobar_e2e(e2e-stack2 tests/e2e/stack2_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 900)
foobar_e2e(e2e-stack3 tests/e2e/stack3_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 900)
foobar_e2e(e2e-replica-add tests/e2e/replica_add_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 900)
foobar_e2e(e2e-db-users tests/e2e/db_users_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 900)
foreach(n 0 1)
  foobar_e2e(e2e-stack${n}-sysv tests/e2e/stack${n}_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 900)
  set_property(TEST e2e-stack${n}-sysv APPEND PROPERTY ENVIRONMENT "FOOBAR_LAB_INIT=sysv")
endforeach()
foobar_e2e(e2e-crash tests/e2e/crash_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 900)
# Standby web host, secondary nameserver, sshd hardening and logged drops, on SysV hosts.
foobar_e2e(e2e-failover tests/e2e/failover_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 600)
set_property(TEST e2e-failover APPEND PROPERTY ENVIRONMENT "FOOBAR_LAB_INIT=sysv")
# Rolling changes under a client's load, on SysV hosts (a light lab of 7 hosts).
foobar_e2e(e2e-rolling tests/e2e/rolling_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 600)
set_property(TEST e2e-rolling APPEND PROPERTY ENVIRONMENT "FOOBAR_LAB_INIT=sysv")
# Monitoring: Alertmanager, its receivers and the default rules, on SysV hosts (stack 2).
foobar_e2e(e2e-monitoring tests/e2e/monitoring_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 600)
set_property(TEST e2e-monitoring APPEND PROPERTY ENVIRONMENT "FOOBAR_LAB_INIT=sysv")
# Database switchover under a read/write client, the plan refusal, failover and fencing (stack 1, SysV hosts).
foobar_e2e(e2e-db-day2 tests/e2e/db_day2_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 600)
set_property(TEST e2e-db-day2 APPEND PROPERTY ENVIRONMENT "FOOBAR_LAB_INIT=sysv")
