foobar_e2e(render-samples tests/render/samples_test.sh)
foobar_e2e(render tests/render/render_test.sh)
foobar_e2e(render-hostile tests/render/hostile_test.sh SKIP_RETURN_CODE 77)
