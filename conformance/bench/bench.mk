# bench-compare: rocketd against the Java 4.9.8 reference, side by side, with the physical limits (echo server,
# disk). On demand only: not part of `make test` / `make bench` / CI. See BENCHMARKS.md.
# Include from the top Makefile with:  -include conformance/bench/bench.mk
#
#   make bench-compare                                  # full run (~22 min on 2 cores, ~20 GB disk), table on stdout
#   make bench-compare BENCH_ARGS='-java=false'         # rocketd and the limits only
#   make bench-compare BENCH_ARGS='-duration 1s -reps 2 -cold-reps 1 -restart-reps 1 -restart-gib 1 -backlog 200000 -gc-duration 3s'
#
# Each point runs -reps times (3), interleaved over rocketd, Java and echo, which are up side by side; cells are
# medians, ratio cells the median of the per-repetition ratios (min-max). `mqbench compare -h` lists the knobs.
#
# Output: the table and ratio lines on stdout and in $(BENCH_OUT)/compare.txt; progress on stderr and in
# $(BENCH_OUT)/compare.log; results JSON and rocketd pprof profiles (cpu/allocs, with -top summaries) in
# $(BENCH_OUT). rocketd runs under $(BENCH_WORK), the Java reference under REF_WORK_DIR=$(BENCH_REF_WORK).
GO             ?= go
BUILD          ?= build
BENCH_WORK     ?= /tmp/rocketd-bench
BENCH_REF_WORK ?= /tmp/rocketd-bench-ref
BENCH_OUT      ?= $(BUILD)/bench
BENCH_ARGS     ?=

.PHONY: bench-compare mqbench
mqbench:
	@mkdir -p $(BUILD)
	$(GO) build -o $(BUILD)/mqbench ./conformance/bench/cmd/mqbench

bench-compare: build mqbench java-deps
	@mkdir -p $(BENCH_OUT)
	$(BUILD)/mqbench compare -root . -work $(BENCH_WORK) -ref-work $(BENCH_REF_WORK) \
	  -profile-dir $(BENCH_OUT)/pprof -json $(BENCH_OUT)/compare.json \
	  -log $(BENCH_OUT)/compare.log -out $(BENCH_OUT)/compare.txt $(BENCH_ARGS)

# SYNC_MASTER sends: a rocketd pair against a Java 4.9.8 pair, same run (~2 min; on demand, like bench-compare).
.PHONY: bench-syncmaster
bench-syncmaster: build mqbench java-deps
	conformance/bench/syncmaster.sh

# Huge backlog: 1 KiB x64 send TPS on an empty store vs with 100 M x 128 B messages stored unconsumed, rocketd
# then Java 4.9.8 (one at a time; ~25 GB free disk each; ~15-20 min). On demand only.
BENCH_BACKLOG_MSGS ?= 100000000
.PHONY: bench-backlog
bench-backlog: build mqbench java-deps
	@mkdir -p $(BENCH_OUT)
	$(BUILD)/mqbench compare -root . -work $(BENCH_WORK) -ref-work $(BENCH_REF_WORK) -huge-backlog $(BENCH_BACKLOG_MSGS) \
	  -json $(BENCH_OUT)/backlog.json -log $(BENCH_OUT)/backlog.log -out $(BENCH_OUT)/backlog.txt $(BENCH_ARGS)
