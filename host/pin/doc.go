// Package pin is pinsh's PIN security core: every PIN cmdlet and every
// plugin host function that touches a PIN goes through a [Service]. The
// rules it enforces are written down here.
//
// # Effective policy
//
// A user's PIN policy is the per-user policy granted to them (Grant-CsPinPolicy,
// stored as tag:<name>), else the policy of the store's site (the "site"
// setting, site:<name>) when one exists, else the Global policy, which always
// exists. A granted tag whose policy was removed falls back the same way.
//
// # PIN checks, in this order
//
//  1. Digits only: every character must be an ASCII digit 0-9. Arabic-Indic,
//     full-width and other Unicode digits, signs, spaces and letters are
//     rejected: "The PIN must contain only digits." Leading zeros are kept;
//     the PIN is a string, never a number.
//  2. Length: at least MinPasswordLength digits ("The PIN must be at least N
//     digits long.") and at most 24 ("The PIN must be at most 24 digits
//     long.").
//  3. Common patterns, only when the policy's AllowCommonPatterns is false.
//     Each has its own message naming the rule:
//     (a) all digits the same (22222);
//     (b) made only of runs of two or more repeated digits (11223344, 225577);
//     (c) four or more consecutive ascending or descending digits anywhere
//     in the PIN, where 9 wraps to 0 (1234, 4321, 991234, 7890);
//     (d) equal to, or contained in, the digits of the user's telephone
//     number, of their LineURI's number, or of its ;ext= extension.
//  4. History, on the self-service path only ([Service.SetOwnPin]): the new
//     PIN must differ from the last PINHistoryCount PINs, the current one
//     included. The administrator path (Set-CsClientPin, [Service.SetPin])
//     ignores history, as the reference says.
//
// Generated PINs are exactly MinPasswordLength digits drawn uniformly from
// crypto/rand, redrawn until they pass checks 1-3.
//
// # Storage
//
// A PIN is stored only as an argon2id hash (golang.org/x/crypto/argon2,
// m=19456 KiB, t=2, p=1 by default: OWASP's minimum) of
// HMAC-SHA256(pepper, PIN), with a 16-byte random salt, in the PHC string
// format "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" together with the
// pepper's id. The parameters travel with each hash, so they can be raised:
// a hash with older parameters is re-hashed on the next successful
// verification. Hashes are compared in constant time.
//
// The pepper is 32 random bytes kept outside the database: in PINSH_PIN_KEY
// (base64 or hex) or in the key file "<store>.key" (mode 0600) beside the
// store. Someone holding only the database file (a stolen backup) cannot
// test a single guess offline. A store that has no key yet gets a new key
// file the first time a [Service] opens it; from then on the store records
// the key's fingerprint, and a missing or different key makes PIN setting
// and verification fail with a message saying what is missing. pinsh never
// silently creates a new key for a store that already has one, since that
// would invalidate every stored PIN. Reading PIN state, locking and
// unlocking work without the key.
//
// # Verification and lockout
//
// [Service.Verify] (Test-CsClientPin, a dial-in) follows the reference:
//
//   - A failed attempt counts in a local counter and in a global counter.
//   - The first attempt opens a 30-minute window; when the local counter
//     reaches the local limit inside it, the PIN is temporarily locked for
//     one hour (even the right PIN fails), after which the local counter
//     starts again from 0.
//   - When the global counter reaches the global limit the PIN is locked
//     (IsLockedOut); only Unlock-CsClientPin clears that, and it resets both
//     counters.
//   - A successful verification resets the local counter.
//   - Limits when MaximumLogonAttempts is unset: 10 local / 100 global for
//     4-digit PINs, 25 / 1000 for 5 digits, 25 / 5000 for 6 or more (the
//     reference leaves 6 open; we treat it like longer PINs). The length
//     used is the policy's MinPasswordLength, since the store does not keep
//     PIN lengths. MaximumLogonAttempts overrides the local limit only.
//   - Each attempt is reserved atomically (UPDATE ... WHERE counters are
//     below the limits ... RETURNING) in a write transaction before the hash
//     is computed, so concurrent guesses can never exceed a limit; a locked
//     or temporarily locked PIN is refused without hashing; an expired PIN
//     (PINLifetime days after it was set; 0 means never) is refused; any
//     database or key error refuses (fails closed).
//
// Setting a PIN is refused while the PIN is locked ("Unlock it with
// Unlock-CsClientPin before setting a new PIN."). A new PIN resets the local
// counter and temporary lock, and its expiry is computed from the policy at
// the time it is set.
//
// # Bulk setting
//
// Hashing dominates the cost of setting PINs, so the work is split:
// [Service.PrepareSet] does every check (cheap), [PendingSet.Hash] hashes
// (safe to call concurrently on different sets; at most GOMAXPROCS hashes
// run at once per Service), and [Service.CommitSets] applies many sets in
// one write transaction, each atomically with its audit record.
//
// Every change (set, lock, unlock, lockouts, verifications) is recorded in
// the audit trail with the operator, the real OS account, the cmdlet, the
// target, the outcome and the WhatIf flag; never the PIN.
package pin
