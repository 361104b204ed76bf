// Package acl is Apache RocketMQ 4.9.8's plain ACL on the broker (aclEnable=true): accounts, white lists and
// permissions read from YAML files, every request checked before its handler runs, the files reloaded when
// they change.
//
// Files (as Java's PlainPermissionManager): the default file <ROCKETMQ_HOME>/conf/plain_acl.yml (Java takes
// the path relative to the home from the system property rocketmq.acl.plain.file; here from the environment
// variable ROCKETMQ_ACL_PLAIN_FILE) is created empty when missing, and every *.yml / *.yaml file under
// <ROCKETMQ_HOME>/conf/acl (recursively) is read too. An access key defined in several files counts in the first
// one only. The files are polled every 5 s; a changed modification time or a changed number of files reloads
// them all.
//
// Schema of one file (Java's names; every key optional):
//
//	globalWhiteRemoteAddresses:   # requests from these addresses skip every check
//	  - 10.10.103.*
//	  - 192.168.0.*
//	accounts:
//	  - accessKey: RocketMQ       # more than 6 characters
//	    secretKey: 12345678       # more than 6 characters
//	    whiteRemoteAddress: ""    # requests from here skip the signature and permission checks
//	    admin: false              # admin-only codes: 17, 25, 215, 200, 207
//	    defaultTopicPerm: DENY    # PUB, SUB, PUB|SUB (or SUB|PUB), DENY; absent means DENY
//	    defaultGroupPerm: SUB
//	    topicPerms: [topicA=DENY, topicB=PUB|SUB]
//	    groupPerms: [groupA=DENY, groupB=PUB|SUB]
//	dataVersion:                  # written by the ACL admin requests
//	  - counter: 1
//	    timestamp: 1700000000000
//
// Address patterns (whiteRemoteAddress and globalWhiteRemoteAddresses): blank (never matches), "*" or
// "*.*.*.*" or "*:*:*:*:*:*:*:*" (always), one address, a comma list of addresses, "192.168.1.{1,2,3}", and
// ranges "192.168.1.*", "192.168.*.*", "192.168.1.1-10", "192.168.0-10.*" (and the IPv6 forms).
//
// Check order (PlainPermissionManager.validate): global white list → allow; no AccessKey → deny; unknown
// AccessKey → deny; the account's white list → allow; signature (HMAC-SHA1 over the sorted extFields values
// except Signature and _UNIQUE_KEY_QUERY, then the body, Base64) → deny on mismatch; PUB to
// RMQ_SYS_TRACE_TOPIC → allow; admin-only code from a non-admin → deny; per-resource permissions.
//
// A denial is a SYSTEM_ERROR (1) whose remark is Java's: the exception, then its first stack frame (the Java
// source line numbers of 4.9.8), e.g.
//
//	org.apache.rocketmq.acl.common.AclException: No acl config for bob1234, org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:668)
//
// Secret keys never appear in logs or errors.
package acl
