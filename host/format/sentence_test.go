package format

import "testing"

func TestSentence(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"  ", ""},
		{"cannot open x", "Cannot open x."},
		{" disk full. ", "Disk full."},
		{"Already a sentence.", "Already a sentence."},
		{"élan", "élan."},
	} {
		if got := Sentence(tc.in); got != tc.want {
			t.Errorf("Sentence(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
