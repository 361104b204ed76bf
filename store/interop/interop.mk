# store/interop/interop.mk: Java 4.9.8 <-> rocketd store interop (binary swap on the same directory).
# Included by the top Makefile (`-include store/interop/interop.mk`) or run alone:
#   make -f store/interop/interop.mk compat-store
#
#   compat-store   Java writes -> rocketd reads and rocketd writes -> Java reads, each after a clean stop and
#                  after kill -9 (store/interop, ROCKETD_INTEROP=1); the Java reference runs with
#                  REF_WORK_DIR under a private temp dir on free loopback ports; about 1 min once java-deps is built;
#                  plus master/slave replication both ways with Java (ha_test.go), about 1.5 min more, and
#                  reads from the slave with the Java client on a rocketd pair and a Java pair
#                  (slaveread_test.go), about 2 min more
#   compat-store-fixtures  regenerate compat/testdata/store from a small Java 4.9.8 run

GO ?= go
INTEROP_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
INTEROP_ROOT   := $(abspath $(INTEROP_MK_DIR)/../..)

.PHONY: compat-store compat-store-fixtures compat-store-java-deps

compat-store-java-deps:
	$(MAKE) -C $(INTEROP_ROOT) -f compat/java/java.mk java-deps

compat-store: compat-store-java-deps
	cd $(INTEROP_ROOT) && ROCKETD_INTEROP=1 $(GO) test -count=1 -timeout 15m -v ./store/interop/

compat-store-fixtures: compat-store-java-deps
	cd $(INTEROP_ROOT) && ROCKETD_INTEROP=1 ROCKETD_INTEROP_FIXTURES=1 $(GO) test -count=1 -timeout 5m -v -run TestJavaGoldenFixtures ./store/interop/
