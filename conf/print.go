package conf

import (
	"fmt"
	"io"
)

// PrintAll writes "key=value" lines for each target in turn, fields in Java
// declaration order, like the Java -p (all) and -m (onlyImportant) options.
// Values that are null in Java print as an empty value. Targets are config
// structs or pointers to them.
func PrintAll(w io.Writer, onlyImportant bool, targets ...any) error {
	for _, t := range targets {
		v, err := structValue(t, false)
		if err != nil {
			return err
		}
		for _, f := range fieldsOf(v.Type()) {
			if onlyImportant && !f.important {
				continue
			}
			if _, err := fmt.Fprintf(w, "%s=%s\n", f.printName, formatValue(v.Field(f.index))); err != nil {
				return err
			}
		}
	}
	return nil
}

// ToProperties lists the targets' fields as Java's MixAll.object2Properties
// does (the content of GET_BROKER_CONFIG / GET_NAMESRV_CONFIG replies): field
// names, in order, fields that are null in Java left out. A name present in
// two targets keeps the later target's value.
func ToProperties(targets ...any) (*Properties, error) {
	p := NewProperties()
	for _, t := range targets {
		v, err := structValue(t, false)
		if err != nil {
			return nil, err
		}
		for _, f := range fieldsOf(v.Type()) {
			fv := v.Field(f.index)
			if f.nullable && fv.String() == "" {
				continue
			}
			p.Set(f.printName, formatValue(fv))
		}
	}
	return p, nil
}
