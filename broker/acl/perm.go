package acl

import (
	"fmt"
	"strings"

	"github.com/rocketd/rocketd/remoting/code"
)

// Permission bits (Java's acl.common.Permission).
const (
	permDeny byte = 1
	permAny  byte = 1 << 1
	permPub  byte = 1 << 2
	permSub  byte = 1 << 3
)

// adminCodes need admin=true on the account.
var adminCodes = map[int32]bool{
	code.UpdateAndCreateTopic:             true,
	code.UpdateBrokerConfig:               true,
	code.DeleteTopicInBroker:              true,
	code.UpdateAndCreateSubscriptiongroup: true,
	code.DeleteSubscriptiongroup:          true,
}

// parsePerm reads "PUB", "SUB", "PUB|SUB", "SUB|PUB", "DENY"; anything else (and absent) is DENY.
func parsePerm(s string, present bool) byte {
	if !present {
		return permDeny
	}
	switch strings.TrimSpace(s) {
	case "PUB":
		return permPub
	case "SUB":
		return permSub
	case "PUB|SUB", "SUB|PUB":
		return permPub | permSub
	default:
		return permDeny
	}
}

// checkPerm is Java's Permission.checkPermission.
func checkPerm(needed, owned byte) bool {
	if owned&permDeny != 0 {
		return false
	}
	if needed&permAny != 0 {
		return owned&(permPub|permSub) != 0
	}
	return needed&owned != 0
}

// splitEq is commons-lang StringUtils.split(s, "="): tokens between runs of '=', empty ones dropped.
func splitEq(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '=' })
}

// parseResourcePerms adds "res=PERM" items to perms; a group name becomes its retry topic.
func parseResourcePerms(perms map[string]byte, isTopic bool, items []string) error {
	for _, item := range items {
		kv := splitEq(item)
		if len(kv) != 2 {
			kind := "group"
			if isTopic {
				kind = "topic"
			}
			return fmt.Errorf("Parse resource permission failed for %s:%s", kind, item)
		}
		res := strings.TrimSpace(kv[0])
		if !isTopic {
			res = retryPrefix + res
		}
		perms[res] = parsePerm(kv[1], true)
	}
	return nil
}

// checkResourcePerms is Java's Permission.checkResourcePerms, used when an admin request updates an account.
func checkResourcePerms(items []string) error {
	for _, item := range items {
		kv := splitEq(item)
		if len(kv) != 2 {
			return fmt.Errorf("Parse Resource format error for %s.\nThe expected resource format is 'Res=Perm'. For example: topicA=SUB", item)
		}
		if v := strings.TrimSpace(kv[1]); v != "DENY" && parsePerm(v, true) == permDeny {
			return fmt.Errorf("Parse resource permission error for %s.\nThe expected permissions are 'SUB' or 'PUB' or 'SUB|PUB' or 'PUB|SUB'.", item)
		}
	}
	return nil
}

const (
	retryPrefix    = "%RETRY%"
	traceTopic     = "RMQ_SYS_TRACE_TOPIC"
	accessKeyField = "AccessKey"
	signatureField = "Signature"
	tokenField     = "SecurityToken"
	uniqueKeyQuery = "_UNIQUE_KEY_QUERY"
)

// printRes is PlainAccessResource.printStr.
func printRes(res string, isGroup bool) string {
	if isGroup {
		return "group:" + strings.TrimPrefix(res, retryPrefix)
	}
	return "topic:" + res
}
