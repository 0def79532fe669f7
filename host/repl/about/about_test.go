package about

import (
	"strings"
	"testing"
)

func TestTopics(t *testing.T) {
	want := []string{"about_identity_forms", "about_pin_policy", "about_pinsh_language", "about_rbac"}
	if got := Names(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, n := range want {
		for _, q := range []string{n, strings.ToUpper(n), strings.TrimPrefix(n, "about_")} {
			text, ok := Topic(q)
			if !ok || !strings.Contains(text, "TOPIC\n    "+n) {
				t.Errorf("Topic(%q) = %v, text starts %.40q", q, ok, text)
			}
		}
		if Synopsis(n) == "" {
			t.Errorf("Synopsis(%q) is empty", n)
		}
		text, _ := Topic(n)
		for i, line := range strings.Split(text, "\n") {
			if len([]rune(line)) > 80 {
				t.Errorf("%s line %d is %d columns wide", n, i+1, len([]rune(line)))
			}
		}
	}
	if _, ok := Topic("about_nothing"); ok {
		t.Error("Topic(about_nothing) found something")
	}
}
