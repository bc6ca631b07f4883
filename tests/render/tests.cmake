foobar_e2e(render-samples tests/render/samples_test.sh)
foobar_e2e(render tests/render/render_test.sh)
