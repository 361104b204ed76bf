package conf

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// field describes one config field through its struct tags:
//
//	prop:"key"          the Java property key (required to be a config field)
//	print:"name"        the name -p prints, when the Java field name differs
//	important:"true"    Java's @ImportantField (printed by -m)
//	nullable:"true"     the empty string stands for Java null
type field struct {
	index     int
	key       string
	printName string
	important bool
	nullable  bool
	// since marks a key Java 4.9.8 does not have (tag since:"5.x": a RocketMQ 5.x key rocketd implements).
	since string
}

func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		key := sf.Tag.Get("prop")
		if key == "" || !sf.IsExported() {
			continue
		}
		f := field{
			index:     i,
			key:       key,
			printName: key,
			important: sf.Tag.Get("important") == "true",
			nullable:  sf.Tag.Get("nullable") == "true",
			since:     sf.Tag.Get("since"),
		}
		if p := sf.Tag.Get("print"); p != "" {
			f.printName = p
		}
		out = append(out, f)
	}
	return out
}

// structValue accepts a pointer to a struct (or, when !settable, a struct).
func structValue(target any, settable bool) (reflect.Value, error) {
	v := reflect.ValueOf(target)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	} else if settable {
		return reflect.Value{}, fmt.Errorf("conf: target %T must be a non-nil pointer to a config struct", target)
	}
	if v.Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("conf: target %T is not a config struct", target)
	}
	return v, nil
}

// formatValue renders a field value the way Java's String.valueOf would.
func formatValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float32, reflect.Float64:
		return javaFloat(v.Float(), v.Type().Bits())
	}
	return fmt.Sprint(v.Interface())
}

// javaFloat renders ordinary values like Java's Double.toString: always
// with a decimal point. (No RocketMQ 4.9.8 config key is a float; this is here
// so that a future one prints sensibly.)
func javaFloat(f float64, bits int) string {
	s := strconv.FormatFloat(f, 'f', -1, bits)
	if !strings.ContainsAny(s, ".NI") {
		s += ".0"
	}
	return s
}
