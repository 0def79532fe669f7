// Package about holds pinsh's conceptual help topics, the about_ pages
// that Get-Help about_* shows: the language, the identity forms, PIN policy
// and role-based access control. Each topic is a text file embedded here.
package about

import (
	"embed"
	"sort"
	"strings"
)

//go:embed *.txt
var files embed.FS

// Topic returns the text of a topic, looked up case-insensitively by its
// name ("about_pin_policy"; the "about_" prefix may be left out).
func Topic(name string) (string, bool) {
	key := strings.ToLower(strings.TrimSpace(name))
	key = strings.TrimSuffix(key, ".txt")
	if !strings.HasPrefix(key, "about_") {
		key = "about_" + key
	}
	for _, n := range Names() {
		if strings.ToLower(n) == key {
			b, err := files.ReadFile(n + ".txt")
			if err != nil {
				return "", false
			}
			return string(b), true
		}
	}
	return "", false
}

// Names lists the topics, sorted.
func Names() []string {
	entries, _ := files.ReadDir(".")
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".txt"); ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Synopsis returns a topic's one-line summary: the first non-empty line
// after its SHORT DESCRIPTION heading.
func Synopsis(name string) string {
	text, ok := Topic(name)
	if !ok {
		return ""
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "SHORT DESCRIPTION" {
			for _, m := range lines[i+1:] {
				if s := strings.TrimSpace(m); s != "" {
					return s
				}
			}
		}
	}
	return ""
}
