# rocketmq-dashboard 1.0.0 against rocketd and the Java 4.9.8 reference, checked with headless Chromium
# (compat/dashboard/check.sh): the cluster, topic, consumer and message pages must show the seeded data, the
# same on both. Screenshots and result.json under build/dashboard/{rocketd,java}/. Not part of `make test`:
# the dashboard's source is in no registry, so DASHBOARD_SRC must point at a rocketmq-dashboard-1.0.0 tree
# (default build/dashboard/src). About 3 minutes once the dashboard is built.
.PHONY: dashboard-check
dashboard-check:
	compat/dashboard/check.sh rocketd
	compat/dashboard/check.sh java
	python3 compat/dashboard/compare.py build/dashboard/rocketd/result.json build/dashboard/java/result.json
