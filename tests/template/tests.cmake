foobar_e2e(template_vs_jinja2 tests/template/compare.sh)
