package acl

// yamlfile.go reads an ACL file as an ordered document and writes it back the way Java's snakeyaml
// dumpAsMap does (AclUtils.writeDataObject), so that a file edited through the admin requests is the same
// text a Java 4.9.8 broker writes:
//
//	accounts:
//	- accessKey: RocketMQ
//	  secretKey: '12345678'
//	  admin: false
//	  topicPerms:
//	  - topicA=DENY
//	dataVersion:
//	- counter: 1
//	  timestamp: 1700000000000
//
// Block style, two-space indent, sequence dashes at the parent key's indent, plain scalars unless YAML 1.1
// would read them as something other than a string (then single quotes, or double quotes when needed).

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/rocketd/rocketd/compat"
)

// ymap is a YAML mapping with its key order. Values are string, bool, int64, nil, []any or *ymap.
type ymap struct {
	keys []string
	vals map[string]any
	// hashed marks a map Java builds as a java.util.HashMap (its key order is HashMap iteration order);
	// otherwise insertion order (snakeyaml's LinkedHashMap on load, Java's LinkedHashMap on create).
	hashed bool
}

func newYmap(hashed bool) *ymap { return &ymap{vals: map[string]any{}, hashed: hashed} }

func (m *ymap) get(k string) (any, bool) { v, ok := m.vals[k]; return v, ok }

// put keeps an existing key's position, as Java's maps do.
func (m *ymap) put(k string, v any) {
	if _, ok := m.vals[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.vals[k] = v
}

func (m *ymap) order() []string {
	keys := append([]string(nil), m.keys...)
	if m.hashed {
		compat.JavaHashMapOrder(keys, 0)
	}
	return keys
}

// parseDoc reads a YAML document into ordered values; nil for an empty document (Java: null).
func parseDoc(data []byte) (any, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return nil, err
	}
	if n.Kind == 0 || len(n.Content) == 0 {
		return nil, nil
	}
	budget := maxNodes
	return fromNode(n.Content[0], 0, &budget)
}

// maxNodes bounds the values one document expands to (aliases can make a small file huge).
const maxNodes = 100000

func fromNode(n *yaml.Node, depth int, budget *int) (any, error) {
	if depth > 64 {
		return nil, fmt.Errorf("line %d: nested too deeply", n.Line)
	}
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("line %d: document too large (aliases?)", n.Line)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return fromNode(n.Alias, depth+1, budget)
	case yaml.MappingNode:
		m := newYmap(false)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := fromNode(n.Content[i+1], depth+1, budget)
			if err != nil {
				return nil, err
			}
			m.put(n.Content[i].Value, v)
		}
		return m, nil
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			v, err := fromNode(c, depth+1, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, err
			}
			return b, nil
		case "!!int":
			var i int64
			if err := n.Decode(&i); err == nil {
				return i, nil
			}
		}
		return n.Value, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// dump writes m as snakeyaml's dumpAsMap does.
func dump(m *ymap) []byte {
	var b strings.Builder
	writeMap(&b, m, 0)
	return []byte(b.String())
}

func writeMap(b *strings.Builder, m *ymap, indent int) {
	if len(m.keys) == 0 {
		b.WriteString("{}\n")
		return
	}
	for _, k := range m.order() {
		b.WriteString(pad(indent))
		writeKeyValue(b, k, m.vals[k], indent)
	}
}

func pad(n int) string { return strings.Repeat(" ", n) }

// writeKeyValue writes "key: value" for a key at indent, the indent itself already written.
func writeKeyValue(b *strings.Builder, k string, v any, indent int) {
	b.WriteString(scalar(k))
	b.WriteString(":")
	switch v := v.(type) {
	case *ymap:
		if len(v.keys) == 0 {
			b.WriteString(" {}\n")
			return
		}
		b.WriteString("\n")
		for _, kk := range v.order() {
			b.WriteString(pad(indent + 2))
			writeKeyValue(b, kk, v.vals[kk], indent+2)
		}
	case []any:
		if len(v) == 0 {
			b.WriteString(" []\n")
			return
		}
		b.WriteString("\n")
		writeSeq(b, v, indent)
	default:
		b.WriteString(" ")
		b.WriteString(scalarValue(v))
		b.WriteString("\n")
	}
}

// writeSeq writes the items of a block sequence whose dashes sit at indent.
func writeSeq(b *strings.Builder, items []any, indent int) {
	for _, it := range items {
		b.WriteString(pad(indent))
		b.WriteString("- ")
		switch it := it.(type) {
		case *ymap:
			if len(it.keys) == 0 {
				b.WriteString("{}\n")
				continue
			}
			for i, kk := range it.order() {
				if i > 0 {
					b.WriteString(pad(indent + 2))
				}
				writeKeyValue(b, kk, it.vals[kk], indent+2)
			}
		case []any:
			if len(it) == 0 {
				b.WriteString("[]\n")
				continue
			}
			// A sequence in a sequence: snakeyaml starts it on the dash line.
			var sub strings.Builder
			writeSeq(&sub, it, indent+2)
			b.WriteString(strings.TrimLeft(sub.String(), " "))
		default:
			b.WriteString(scalarValue(it))
			b.WriteString("\n")
		}
	}
}

func scalarValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case string:
		return scalar(v)
	}
	return scalar(fmt.Sprint(v))
}

// YAML 1.1 implicit types (snakeyaml's Resolver): a string matching one of them must be quoted.
var (
	yamlBool  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	yamlInt   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	yamlFloat = regexp.MustCompile(`^(?:[-+]?(?:\.[0-9]+|[0-9_]+(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	yamlNull  = regexp.MustCompile(`^(?:~|null|Null|NULL)$`)
	yamlTime  = regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)
)

// scalar writes s plain when YAML reads it back as the same string, else quoted.
func scalar(s string) string {
	if plainOK(s) {
		return s
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return strconv.Quote(s)
		}
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func plainOK(s string) bool {
	if s == "" || s == "=" || s == "<<" || yamlBool.MatchString(s) || yamlInt.MatchString(s) ||
		yamlFloat.MatchString(s) || yamlNull.MatchString(s) || yamlTime.MatchString(s) {
		return false
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' || s[0] == '\t' || s[len(s)-1] == '\t' {
		return false
	}
	switch s[0] {
	case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	case '-', '?', ':':
		if len(s) == 1 || s[1] == ' ' || s[1] == '\t' {
			return false
		}
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") || strings.ContainsAny(s, "\n\r") {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r > 0x7e {
			return false
		}
	}
	return true
}
