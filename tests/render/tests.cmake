foobar_e2e(render-samples tests/render/samples_test.sh)
