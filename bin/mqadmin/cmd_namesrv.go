package main

import (
	"fmt"
	"strings"
)

var updateKvConfigCmd = &command{
	name: "updateKvConfig", desc: "Create or update KV config.",
	opts: []option{
		{short: "s", long: "namespace", hasArg: true, required: true, desc: "set the namespace"},
		{short: "k", long: "key", hasArg: true, required: true, desc: "set the key name"},
		{short: "v", long: "value", hasArg: true, required: true, desc: "set the key value"},
	},
	run: func(x *invocation) error {
		if err := x.admin.PutKVConfig(x.ctx, x.str("s"), x.str("k"), x.str("v")); err != nil {
			return err
		}
		x.printf("create or update kv config to namespace success.\n")
		return nil
	},
}

var deleteKvConfigCmd = &command{
	name: "deleteKvConfig", desc: "Delete KV config.",
	opts: []option{
		{short: "s", long: "namespace", hasArg: true, required: true, desc: "set the namespace"},
		{short: "k", long: "key", hasArg: true, required: true, desc: "set the key name"},
	},
	run: func(x *invocation) error {
		if err := x.admin.DeleteKVConfig(x.ctx, x.str("s"), x.str("k")); err != nil {
			return err
		}
		x.printf("delete kv config from namespace success.\n")
		return nil
	},
}

func writePermCmd(name, verb, desc string, wipe bool) *command {
	return &command{
		name: name, desc: desc,
		opts: []option{{short: "b", long: "brokerName", hasArg: true, required: true, desc: "broker name"}},
		run: func(x *invocation) error {
			b := x.str("b")
			failed := 0
			for _, ns := range x.admin.Namesrv() {
				var n int
				var err error
				if wipe {
					n, err = x.admin.WipeWritePerm(x.ctx, ns, b)
				} else {
					n, err = x.admin.AddWritePerm(x.ctx, ns, b)
				}
				if err != nil {
					failed++
					x.printf("%s write perm of broker[%s] in name server[%s] Failed\n", verb, b, ns)
					fmt.Fprintf(x.stderr, "mqadmin %s: %s: %v\n", name, ns, err)
					continue
				}
				x.printf("%s write perm of broker[%s] in name server[%s] OK, %d\n", verb, b, ns, n)
			}
			if failed > 0 {
				return fmt.Errorf("failed on %d of %d name servers", failed, len(x.admin.Namesrv()))
			}
			return nil
		},
	}
}

var wipeWritePermCmd = writePermCmd("wipeWritePerm", "wipe", "Wipe write perm of broker in all name server you defined in the -n param", true)
var addWritePermCmd = writePermCmd("addWritePerm", "add", "Add write perm of broker in all name server you defined in the -n param", false)

var getNamesrvConfigCmd = &command{
	name: "getNamesrvConfig", desc: "Get configs of name server.",
	run: func(x *invocation) error {
		cfgs, err := x.admin.NamesrvConfig(x.ctx)
		for _, ns := range x.admin.Namesrv() {
			p, ok := cfgs[ns]
			if !ok {
				continue
			}
			x.printf("============%s============\n", ns)
			printConfig(x, p)
		}
		return err
	},
}

var updateNamesrvConfigCmd = &command{
	name: "updateNamesrvConfig", desc: "Update configs of name server.",
	opts: []option{
		{short: "k", long: "key", hasArg: true, required: true, desc: "config key"},
		{short: "v", long: "value", hasArg: true, required: true, desc: "config value"},
	},
	run: func(x *invocation) error {
		k, v := x.str("k"), x.str("v")
		if err := x.admin.UpdateNamesrvConfig(x.ctx, k, v); err != nil {
			return err
		}
		x.printf("update name server config success!%s\n%s : %s\n", "["+strings.Join(x.admin.Namesrv(), ", ")+"]", k, v)
		return nil
	},
}
