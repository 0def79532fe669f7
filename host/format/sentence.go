package format

import "strings"

// Sentence makes an error text a PowerShell-style message: trimmed, with a
// capital first letter and a final period ("cannot open x" -> "Cannot open
// x."). Only an ASCII first letter is capitalised.
func Sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if c := s[0]; 'a' <= c && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
