package remoting

import "strconv"

// LanguageCode is the sender's language as carried in every header (one byte in ROCKETMQ, a name in JSON).
type LanguageCode byte

// The 4.9.8 LanguageCode values.
const (
	Java LanguageCode = iota
	CPP
	DotNet
	Python
	Delphi
	Erlang
	Ruby
	Other
	HTTP
	Go
	PHP
	OMS
	Rust
)

var languageNames = [...]string{"JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY", "OTHER", "HTTP", "GO", "PHP", "OMS", "RUST"}

// String returns the Java enum name; unknown values print as OTHER(<n>).
func (l LanguageCode) String() string {
	if int(l) < len(languageNames) {
		return languageNames[l]
	}
	return "OTHER(" + strconv.Itoa(int(l)) + ")"
}

// Valid reports whether l is one of the 4.9.8 LanguageCode values.
func (l LanguageCode) Valid() bool { return int(l) < len(languageNames) }

// ParseLanguage maps a Java enum name to its code. Unknown names give Other and false.
func ParseLanguage(name string) (LanguageCode, bool) {
	for i, n := range languageNames {
		if n == name {
			return LanguageCode(i), true
		}
	}
	return Other, false
}
