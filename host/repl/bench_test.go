package repl

import "testing"

// Completion runs on every Tab and masking on every accepted line; both
// must stay far below what a person notices (~10 ms).
func BenchmarkComplete(b *testing.B) {
	s := testSources()
	line := "Get-CsUser -OU 'OU=Sales,DC=litwareinc,DC=com' | Get-CsClientPinInfo | Where-Object { $_.IsLockedOut -and $_.Last"
	for b.Loop() {
		s.Complete(line, len(line))
	}
}

func BenchmarkMask(b *testing.B) {
	m := NewMasker(testRegistry())
	line := "Get-CsUser -OU 'OU=Sales,DC=litwareinc,DC=com' | ForEach-Object { Set-CsClientPin $_ -Pin 24680 -Confirm:$false }"
	for b.Loop() {
		m.Mask(line)
	}
}
