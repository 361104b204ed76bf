# compat/java/java.mk: the Java 4.9.8 reference harness. Included by the top Makefile
# (`-include compat/java/java.mk`) or run alone: `make -f compat/java/java.mk java-ref-up`.
#
#   java-deps      resolve the 4.9.8 artifacts (cached in ~/.m2), build the reference classes and
#                  write compat/java/target/classpath.txt; a no-op when nothing changed
#   java-ref-up    start a Java NameServer + Broker on free loopback ports (compat/java/ref.sh start);
#                  addresses in compat/java/target/ref/ref.env (REF_* variables, see ref.sh)
#   java-ref-down  stop them
#   java-fixtures  regenerate remoting/testdata/java and namesrv/testdata/java from real Java runs

JAVA_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
MVN         ?= mvn
MVN_FLAGS   ?= -q -B
JAVA_CPFILE := $(JAVA_MK_DIR)/target/classpath.txt
JAVA_STAMP  := $(JAVA_MK_DIR)/target/classes/.rocketd-built
JAVA_SRCS   := $(JAVA_MK_DIR)/pom.xml $(wildcard $(JAVA_MK_DIR)/src/main/java/io/rocketd/*/*.java) \
               $(wildcard $(JAVA_MK_DIR)/src/main/resources/*)

.PHONY: java-deps java-ref-up java-ref-down java-ref-status java-fixtures

java-deps: $(JAVA_STAMP)

# The stamp lives inside target/classes, so deleting the classes (or classpath.txt) forces a rebuild.
$(JAVA_STAMP): $(JAVA_SRCS) $(if $(wildcard $(JAVA_CPFILE)),,java-force)
	cd $(JAVA_MK_DIR) && rm -f target/classpath.txt && \
		$(MVN) $(MVN_FLAGS) compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt.tmp && \
		mv target/classpath.txt.tmp target/classpath.txt && touch target/classes/.rocketd-built

.PHONY: java-force
java-force:

java-ref-up: java-deps
	$(JAVA_MK_DIR)/ref.sh start

java-ref-down:
	$(JAVA_MK_DIR)/ref.sh stop

java-ref-status:
	$(JAVA_MK_DIR)/ref.sh status

java-fixtures: java-deps
	$(JAVA_MK_DIR)/fixtures.sh

# Java client conformance suite (io.rocketd.conformance, rocketmq-client 4.9.8) and mqadmin comparison.
#   conformance-java       against rocketd started from build/ (known failures skipped, see known-failures-rocketd.txt)
#   conformance-java-ref   against the Java 4.9.8 reference (reuses a running one)
#   mqadmin-compare        the same mqadmin commands against both, compared field by field; with build/mqadmin
#                          the Go mqadmin beside Java's on each side (rows "go ...")
#   mqadmin-compare-go     the same run, failing only on the Go-vs-Java rows (what `make test` runs)
# SUITE_ARGS passes runner flags, e.g. SUITE_ARGS='-only push_ -run-known'.
JAVA_ROOT := $(abspath $(JAVA_MK_DIR)/../..)
SUITE_ARGS ?=
#   register-retry         a broker started before its name server is in the routes within Java 4.9.8's bound
#                          (10 s initial delay of the periodic registration), on rocketd and on Java (~30 s)
.PHONY: conformance-java conformance-java-ref mqadmin-compare mqadmin-compare-go rocketd-bin acl-judge register-retry timer-soak

rocketd-bin:
	$(MAKE) --no-print-directory -C $(JAVA_ROOT) -f $(JAVA_ROOT)/Makefile build

conformance-java: java-deps rocketd-bin
	$(JAVA_MK_DIR)/conformance.sh rocketd $(SUITE_ARGS)

conformance-java-ref: java-deps
	$(JAVA_MK_DIR)/conformance.sh ref $(SUITE_ARGS)

# Timer messages (#18) with the Java 4.9.8 client: 1,000 messages over 20 s, a clean broker restart and a
# kill -9 in the middle (about 40 s); `make timer-full` runs 10,000 over 2 minutes.
timer-soak: java-deps rocketd-bin
	$(JAVA_MK_DIR)/timer-soak.sh

mqadmin-compare: java-deps rocketd-bin
	$(JAVA_MK_DIR)/mqadmin-compare.sh

mqadmin-compare-go: java-deps rocketd-bin
	$(JAVA_MK_DIR)/mqadmin-compare.sh -gate go

# The ACL judge (AclJudge.java): signed requests against the Java reference and rocketd, both with aclEnable=true
# and conf/acl/plain_acl.yml; both must answer as Java does.
acl-judge: java-deps rocketd-bin
	$(JAVA_MK_DIR)/acl.sh both

register-retry: java-deps rocketd-bin
	$(JAVA_MK_DIR)/register-retry.sh
