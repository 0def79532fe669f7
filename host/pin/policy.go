package pin

import (
	"crypto/rand"
	"fmt"
	"strings"

	"pinsh/host/store"
)

// MaxPINLength is the longest PIN any policy allows.
const MaxPINLength = 24

// Rule identifies the check a PIN failed; it doubles as the ErrorRecord ID.
type Rule string

// The rules, in the order they are checked.
const (
	RuleDigits     Rule = "PinNotDigits"
	RuleTooShort   Rule = "PinTooShort"
	RuleTooLong    Rule = "PinTooLong"
	RuleAllSame    Rule = "PinAllSameDigit"
	RuleRepeatRuns Rule = "PinRepeatedDigits"
	RuleSequence   Rule = "PinConsecutiveDigits"
	RulePhone      Rule = "PinMatchesPhone"
	RuleHistory    Rule = "PinInHistory"
	RuleLocked     Rule = "PinLocked"
	RuleKey        Rule = "PinKeyUnavailable"
	RuleCrossField Rule = "PinPolicyLifetimeNeedsHistory"
)

// PolicyError is a PIN that a policy rejects (or a refused operation), with
// the message an administrator sees.
type PolicyError struct {
	Rule Rule
	Msg  string
}

// Error returns the message.
func (e *PolicyError) Error() string { return e.Msg }

func commonPattern(rule Rule, what string) *PolicyError {
	return &PolicyError{rule, fmt.Sprintf("The PIN contains a common pattern (%s), which is not allowed by the PIN policy.", what)}
}

// CheckPIN applies checks 1-3 of the package documentation: digits only,
// length, and (unless the policy allows them) common patterns, the phone
// rule using u's telephone number and LineURI (u may be nil).
func CheckPIN(pin string, pol *store.PinPolicy, u *store.User) error {
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return &PolicyError{RuleDigits, "The PIN must contain only digits."}
		}
	}
	if len(pin) < pol.MinPasswordLength {
		return &PolicyError{RuleTooShort, fmt.Sprintf("The PIN must be at least %d digits long.", pol.MinPasswordLength)}
	}
	if len(pin) > MaxPINLength {
		return &PolicyError{RuleTooLong, fmt.Sprintf("The PIN must be at most %d digits long.", MaxPINLength)}
	}
	if pol.AllowCommonPatterns {
		return nil
	}
	if allSame(pin) {
		return commonPattern(RuleAllSame, "all its digits are the same")
	}
	if repeatedRuns(pin) {
		return commonPattern(RuleRepeatRuns, "it is made of runs of repeated digits, like 11223344")
	}
	if hasSequence(pin, 4) {
		return commonPattern(RuleSequence, "it has four or more consecutive ascending or descending digits, like 1234 or 4321")
	}
	if u != nil {
		for _, d := range phoneDigits(u) {
			if strings.Contains(d, pin) {
				return commonPattern(RulePhone, "it matches the digits of the user's phone number or extension")
			}
		}
	}
	return nil
}

func allSame(pin string) bool {
	for i := 1; i < len(pin); i++ {
		if pin[i] != pin[0] {
			return false
		}
	}
	return len(pin) > 0
}

// repeatedRuns reports whether pin is made only of runs of two or more
// equal digits.
func repeatedRuns(pin string) bool {
	if len(pin) < 2 {
		return false
	}
	for i := 0; i < len(pin); {
		j := i
		for j < len(pin) && pin[j] == pin[i] {
			j++
		}
		if j-i < 2 {
			return false
		}
		i = j
	}
	return true
}

// hasSequence reports whether pin has n or more consecutive digits each one
// more (or each one less) than the previous, modulo 10.
func hasSequence(pin string, n int) bool {
	up, down := 1, 1
	for i := 1; i < len(pin); i++ {
		d := (int(pin[i]) - int(pin[i-1]) + 10) % 10
		if d == 1 {
			up++
		} else {
			up = 1
		}
		if d == 9 {
			down++
		} else {
			down = 1
		}
		if up >= n || down >= n {
			return true
		}
	}
	return false
}

// phoneDigits returns the digit strings of a user's telephone number, the
// number of their LineURI and its extension.
func phoneDigits(u *store.User) []string {
	var out []string
	add := func(s string) {
		if d := digitsOf(s); d != "" {
			out = append(out, d)
		}
	}
	add(u.Telephone)
	if u.LineURI != "" {
		num, params, _ := strings.Cut(u.LineURI, ";")
		add(num)
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(strings.TrimSpace(k), "ext") {
				add(v)
			}
		}
	}
	return out
}

func digitsOf(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// Generate draws a PIN of exactly the policy's MinPasswordLength digits from
// crypto/rand, redrawing until it passes [CheckPIN].
func Generate(pol *store.PinPolicy, u *store.User) (string, error) {
	n := pol.MinPasswordLength
	if n < 1 || n > MaxPINLength {
		return "", fmt.Errorf("cannot generate a PIN of %d digits", n)
	}
	buf := make([]byte, n)
	for tries := 0; tries < 10000; tries++ {
		if err := randomDigits(buf); err != nil {
			return "", err
		}
		pin := string(buf)
		if CheckPIN(pin, pol, u) == nil {
			return pin, nil
		}
	}
	return "", fmt.Errorf("could not generate a PIN of %d digits that passes the PIN policy", n)
}

// randomDigits fills b with uniform ASCII digits, rejecting random bytes
// >= 250 so that every digit is equally likely.
func randomDigits(b []byte) error {
	var raw [32]byte
	for i := 0; i < len(b); {
		if _, err := rand.Read(raw[:]); err != nil {
			return fmt.Errorf("the system random generator failed: %w", err)
		}
		for _, r := range raw {
			if r < 250 && i < len(b) {
				b[i] = '0' + r%10
				i++
			}
		}
	}
	return nil
}

// Limits returns the local and global failed-attempt limits of a policy
// (see the package documentation).
func Limits(pol *store.PinPolicy) (local, global int) {
	switch {
	case pol.MinPasswordLength <= 4:
		local, global = 10, 100
	case pol.MinPasswordLength == 5:
		local, global = 25, 1000
	default:
		local, global = 25, 5000
	}
	if pol.MaximumLogonAttempts > 0 {
		local = pol.MaximumLogonAttempts
	}
	return local, global
}

// RangeError is a policy property outside its allowed range; its message is
// PowerShell's ValidateRange message.
type RangeError struct {
	Param    string
	Value    int64
	Min, Max int64
}

// Error returns PowerShell's ValidateRange message.
func (e *RangeError) Error() string {
	if e.Value < e.Min {
		return fmt.Sprintf("Cannot validate argument on parameter '%s'. The %d argument is less than the minimum allowed range of %d. Supply an argument that is greater than or equal to %d and then try the command again.", e.Param, e.Value, e.Min, e.Min)
	}
	return fmt.Sprintf("Cannot validate argument on parameter '%s'. The %d argument is greater than the maximum allowed range of %d. Supply an argument that is less than or equal to %d and then try the command again.", e.Param, e.Value, e.Max, e.Max)
}

// Ranges of the policy properties (the reference's).
var (
	RangeMinPasswordLength    = [2]int64{4, 24}
	RangePINHistoryCount      = [2]int64{0, 20}
	RangePINLifetime          = [2]int64{0, 999}
	RangeMaximumLogonAttempts = [2]int64{1, 999}
)

// CheckRange returns a [*RangeError] when v is outside r.
func CheckRange(param string, v int64, r [2]int64) error {
	if v < r[0] || v > r[1] {
		return &RangeError{param, v, r[0], r[1]}
	}
	return nil
}

// ValidatePolicy checks every property's range and the cross-field rule:
// a PINLifetime above 0 needs a PINHistoryCount above 0.
func ValidatePolicy(p *store.PinPolicy) error {
	if err := CheckRange("MinPasswordLength", int64(p.MinPasswordLength), RangeMinPasswordLength); err != nil {
		return err
	}
	if err := CheckRange("PINHistoryCount", int64(p.PINHistoryCount), RangePINHistoryCount); err != nil {
		return err
	}
	if err := CheckRange("PINLifetime", int64(p.PINLifetime), RangePINLifetime); err != nil {
		return err
	}
	if p.MaximumLogonAttempts != 0 {
		if err := CheckRange("MaximumLogonAttempts", int64(p.MaximumLogonAttempts), RangeMaximumLogonAttempts); err != nil {
			return err
		}
	}
	if p.PINLifetime > 0 && p.PINHistoryCount == 0 {
		return &PolicyError{RuleCrossField, fmt.Sprintf("When PINLifetime is greater than 0, PINHistoryCount must also be greater than 0 (the policy %s has PINLifetime %d and PINHistoryCount 0).", p.Identity(), p.PINLifetime)}
	}
	return nil
}
