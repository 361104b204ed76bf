// Package compat holds Java behaviour rocketd must reproduce exactly in several places (String.hashCode,
// message id codecs, property encoding, fastjson-compatible JSON). MATRIX.md beside it lists every 4.9.8
// request code with its status and the test that proves it.
package compat
