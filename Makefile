# The two commands of the README:
#   make demo   — install everything, load the Sơn La demo, start the app
#   make test   — install everything, run the whole test suite
PORT ?= 8501

.PHONY: setup demo app test bench

setup:
	bash scripts/setup.sh

demo: setup
	diaban demo
	streamlit run app.py --server.port $(PORT) --server.headless true

app:
	streamlit run app.py --server.port $(PORT) --server.headless true

test: setup
	bash scripts/test.sh

bench: setup
	python3 -m bench
