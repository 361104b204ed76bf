// Package fastjson speaks the JSON dialect of fastjson 1.2.69, the serializer of RocketMQ 4.9.8 (Java), for
// the broker's config files (config/*.json) and for request/response bodies.
//
// What Java writes (verified by running fastjson 1.2.69_noneautotype from Maven Central with the 4.9.8
// classes on OpenJDK 17, and against config files written by a real 4.9.8 broker; see golden_test.go):
//
//   - Bean fields in alphabetical order, no whitespace, `"key":value`.
//
//   - Map<Integer|Long, V> keys unquoted: {0:120,1:118}. This is not JSON; encoding/json rejects it.
//
//   - Pretty form (JSON.toJSONString(obj, true), used for every persisted config file): one TAB per level,
//     `{` stays on the key's line, each string-keyed entry or bean field on its own line, the closing brace on
//     its own line at the parent's indentation, empty objects and arrays as `{}` / `[]`, no newline at the end
//     of the file. An integer-keyed map prints all its entries on the `{` line and only its closing brace on
//     a new line:
//
//     {
//     →"offsetTable":{
//     →→"TopicTest@groupA":{0:120,1:118
//     →→}
//     →}
//     }
//
//   - Strings: `"` and `\` escaped; \b \t \n \f \r short escapes; every other char < 0x20, DEL (0x7F),
//     U+0080..U+009F, U+2028 and U+2029 as \uXXXX with UPPER-case hex; other non-ASCII raw UTF-8; `/` raw.
//
//   - Standard form (BrowserCompatible, used by a 4.9.8 namesrv for clients with version >= V4_9_4): integer
//     keys quoted, every non-ASCII char as \uXXXX (UTF-16 units), `/` as `\/`, and long values outside
//     ±9007199254740991 written as JSON strings.
//
// What Java accepts (verified the same way): quoted or unquoted integer keys, any whitespace, trailing
// commas, single-quoted strings, unquoted field names, numbers given as strings. Trailing garbage after the
// top-level value is an error. The lenient reader here accepts the same set except numbers-as-strings
// (callers that need them parse those values themselves).
//
// Files are written and read with Java's protocol (MixAll.string2File / ConfigManager.load): see config.go.
// Deliberate differences: fsync of the .tmp/.bak and the directory, rename over the old file instead of
// delete-then-rename, and no .bak copy of an empty previous file.
//
// Verified in the other direction too (broker/offset/java_test.go, opt-in): the 4.9.8 classes decode what
// this package writes, including quoted integer keys ({"0":12} loads as Integer 0).
//
// Also verified: pretty layout of containers nested in arrays and in integer-keyed maps (nested_pretty.json),
// and that fastjson accepts a leading UTF-8 BOM.
package fastjson
