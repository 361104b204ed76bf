package store

// A minimal stand-in for testify's require: testify v1.12.1 needs go.yaml.in/yaml/v3, which go.sum lacks.

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

type requireT struct{}

var require requireT

func msg(args []any) string {
	if len(args) == 0 {
		return ""
	}
	if f, ok := args[0].(string); ok {
		return ": " + fmt.Sprintf(f, args[1:]...)
	}
	return ": " + fmt.Sprint(args...)
}

func (requireT) Equal(t testing.TB, want, got any, args ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("not equal%s\nwant: %#v\n got: %#v", msg(args), want, got)
	}
}

func (requireT) NoError(t testing.TB, err error, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error%s: %v", msg(args), err)
	}
}

func (requireT) Error(t testing.TB, err error, args ...any) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error%s", msg(args))
	}
}

func (requireT) ErrorIs(t testing.TB, err, target error, args ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v is not %v%s", err, target, msg(args))
	}
}

func (requireT) True(t testing.TB, v bool, args ...any) {
	t.Helper()
	if !v {
		t.Fatalf("expected true%s", msg(args))
	}
}

func (requireT) False(t testing.TB, v bool, args ...any) {
	t.Helper()
	if v {
		t.Fatalf("expected false%s", msg(args))
	}
}

func (requireT) Len(t testing.TB, v any, n int, args ...any) {
	t.Helper()
	if l := reflect.ValueOf(v).Len(); l != n {
		t.Fatalf("length %d, want %d%s", l, n, msg(args))
	}
}

func (requireT) NotEmpty(t testing.TB, v any, args ...any) {
	t.Helper()
	if reflect.ValueOf(v).Len() == 0 {
		t.Fatalf("expected non-empty%s", msg(args))
	}
}

func (requireT) NotContains(t testing.TB, s, sub string, args ...any) {
	t.Helper()
	if strings.Contains(s, sub) {
		t.Fatalf("%q contains %q%s", s, sub, msg(args))
	}
}

func (requireT) Contains(t testing.TB, s, sub string, args ...any) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Fatalf("%q does not contain %q%s", s, sub, msg(args))
	}
}

// Eventually polls cond every 5 ms for at most wait.
func (requireT) Eventually(t testing.TB, cond func() bool, wait time.Duration, args ...any) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v%s", wait, msg(args))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
