package conf

import (
	"bufio"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// javaFields reads testdata/java-4.9.8-fields.tsv: for each Java class, its
// field names in declaration order and whether they are @ImportantField.
func javaFields(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("testdata/java-4.9.8-fields.tsv")
	require.NoError(t, err)
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		require.Len(t, cols, 3, line)
		out[cols[0]] = append(out[cols[0]], cols[1]+" "+cols[2])
	}
	require.NoError(t, sc.Err())
	return out
}

func goFields(v any) []string {
	var out []string
	for _, f := range fieldsOf(reflect.TypeOf(v)) {
		if f.since != "" {
			continue // not a 4.9.8 key
		}
		imp := "-"
		if f.important {
			imp = "important"
		}
		out = append(out, f.printName+" "+imp)
	}
	return out
}

func TestEveryJavaFieldInJavaOrder(t *testing.T) {
	java := javaFields(t)
	for name, v := range map[string]any{
		"BrokerConfig":       BrokerConfig{},
		"MessageStoreConfig": MessageStoreConfig{},
		"NettyServerConfig":  NettyServerConfig{},
		"NettyClientConfig":  NettyClientConfig{},
		"NamesrvConfig":      NamesrvConfig{},
	} {
		require.NotEmpty(t, java[name], name)
		require.Equal(t, java[name], goFields(v), name)
	}
}

func TestEveryExportedFieldIsAConfigKey(t *testing.T) {
	for _, v := range []any{BrokerConfig{}, MessageStoreConfig{}, NettyServerConfig{}, NettyClientConfig{}, NamesrvConfig{}} {
		typ := reflect.TypeOf(v)
		require.Len(t, fieldsOf(typ), typ.NumField(), typ.Name())
	}
}
