package conf

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// ErrInvalidValue is matched (errors.Is) by every ValueError.
var ErrInvalidValue = errors.New("invalid config value")

// ValueError is a value that does not fit the type of its key.
type ValueError struct {
	Key   string
	Value string
	Type  string // what was expected, e.g. "int (32-bit integer)"
	Err   error  // detail, may be nil
}

func (e *ValueError) Error() string {
	msg := fmt.Sprintf("config key %s: value %q is not a valid %s", e.Key, e.Value, e.Type)
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg + "; fix the value or remove the line to keep the default"
}

// Unwrap exposes ErrInvalidValue and the detail.
func (e *ValueError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalidValue}
	}
	return []error{ErrInvalidValue, e.Err}
}

// Apply assigns every key of props to each target struct that declares it
// (targets are pointers to config structs), the way Java's
// MixAll.properties2Object is called once per config object with the same
// file. Keys are applied in file order.
//
// A key that no target declares yields a warning line; the Java servers
// ignore such keys silently. A value that cannot be converted to the field's
// type is an error naming key, value and expected type; all such errors are
// returned together (errors.Join) and the other keys are still applied.
// Numbers, booleans and enum names are trimmed first; a trimmed value also
// yields a warning because Java would not have accepted it.
func Apply(props *Properties, targets ...any) (warnings []string, err error) {
	ts := make([]applyTarget, 0, len(targets))
	for _, t := range targets {
		v, err := structValue(t, true)
		if err != nil {
			return nil, err
		}
		byKey := map[string]field{}
		for _, f := range fieldsOf(v.Type()) {
			byKey[f.key] = f
		}
		ts = append(ts, applyTarget{v: v, byKey: byKey})
	}
	var errs []error
	for _, key := range props.Keys() {
		value, _ := props.Get(key)
		found := false
		trimmedWarned := false
		for _, t := range ts {
			f, ok := t.byKey[key]
			if !ok {
				continue
			}
			found = true
			trimmed, err := setField(t.v.Field(f.index), key, value)
			if err != nil {
				errs = append(errs, err)
				break // the same value fails the same way in every target
			}
			if trimmed && !trimmedWarned {
				trimmedWarned = true
				warnings = append(warnings, fmt.Sprintf(
					"config key %s: whitespace around %q ignored; Java 4.9.8 would reject this value and keep the default", key, value))
			}
		}
		if !found {
			warnings = append(warnings, fmt.Sprintf("unknown config key %s ignored (no such key in %s); check its spelling against the -p output", key, targetNames(ts)))
		}
	}
	return warnings, errors.Join(errs...)
}

type applyTarget struct {
	v     reflect.Value
	byKey map[string]field
}

func targetNames(ts []applyTarget) string {
	names := make([]string, 0, len(ts))
	for _, t := range ts {
		names = append(names, t.v.Type().Name())
	}
	return strings.Join(names, ", ")
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// setField converts value to the field's type and stores it. trimmed reports
// that surrounding whitespace had to be removed.
func setField(fv reflect.Value, key, value string) (trimmed bool, err error) {
	s := strings.TrimSpace(value)
	if fv.CanAddr() && fv.Addr().Type().Implements(textUnmarshaler) {
		if err := fv.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return false, &ValueError{Key: key, Value: value, Type: fv.Type().Name(), Err: err}
		}
		return s != value, nil
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(value) // kept verbatim, trailing blanks included, as Java does
		return false, nil
	case reflect.Bool:
		switch {
		case strings.EqualFold(s, "true"):
			fv.SetBool(true)
		case strings.EqualFold(s, "false"):
			fv.SetBool(false)
		default:
			return false, &ValueError{Key: key, Value: value, Type: "boolean (true or false)",
				Err: errors.New("Java would silently read it as false")}
		}
	case reflect.Int, reflect.Int32:
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return false, &ValueError{Key: key, Value: value, Type: "int (32-bit integer)", Err: numErr(err)}
		}
		fv.SetInt(n)
	case reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return false, &ValueError{Key: key, Value: value, Type: "long (64-bit integer)", Err: numErr(err)}
		}
		fv.SetInt(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, fv.Type().Bits())
		if err != nil {
			return false, &ValueError{Key: key, Value: value, Type: "decimal number", Err: numErr(err)}
		}
		fv.SetFloat(n)
	default:
		return false, fmt.Errorf("conf: config key %s has unsupported field type %s", key, fv.Type())
	}
	return s != value, nil
}

func numErr(err error) error {
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return errors.New("out of range")
	}
	return nil
}
