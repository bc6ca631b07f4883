foobar_e2e(template_vs_jinja2 tests/template/compare.sh)
foobar_e2e(template_whitespace_fuzz tests/template/fuzz_whitespace.sh)
foobar_e2e(template_vs_ansible tests/template/ansible_compare.sh SKIP_RETURN_CODE 77)
