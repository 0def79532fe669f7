package pin

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams is OWASP's minimum for argon2id: 19 MiB, t=2, p=1.
var DefaultParams = Params{Memory: 19456, Time: 2, Threads: 1}

var randRead = rand.Read

const (
	saltLen = 16
	hashLen = 32
)

// String returns the parameters as the PHC string writes them.
func (p Params) String() string {
	return fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads)
}

// hashPIN returns the PHC string of argon2id(HMAC-SHA256(key, pin), salt).
func hashPIN(key []byte, pin string, p Params, salt []byte) string {
	sum := argon2.IDKey(pepper(key, pin), salt, p.Time, p.Memory, p.Threads, hashLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$%s$%s$%s", argon2.Version, p, enc.EncodeToString(salt), enc.EncodeToString(sum))
}

func pepper(key []byte, pin string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(pin))
	return m.Sum(nil)
}

func newSalt() ([]byte, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("the system random generator failed: %w", err)
	}
	return salt, nil
}

// phc is a parsed PHC argon2id string.
type phc struct {
	params Params
	salt   []byte
	sum    []byte
}

func parsePHC(s string) (*phc, error) {
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return nil, errors.New("not an argon2id PHC string")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	var h phc
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("bad argon2 parameter %q", kv)
		}
		switch k {
		case "m":
			h.params.Memory = uint32(n)
		case "t":
			h.params.Time = uint32(n)
		case "p":
			if n > 255 {
				return nil, fmt.Errorf("bad argon2 parameter %q", kv)
			}
			h.params.Threads = uint8(n)
		default:
			return nil, fmt.Errorf("unknown argon2 parameter %q", kv)
		}
	}
	if h.params.Memory < 8 || h.params.Time < 1 || h.params.Threads < 1 || h.params.Memory > 4<<20 {
		return nil, fmt.Errorf("argon2 parameters %q out of range", parts[3])
	}
	var err error
	if h.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return nil, errors.New("bad salt encoding")
	}
	if h.sum, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(h.sum) == 0 {
		return nil, errors.New("bad hash encoding")
	}
	return &h, nil
}

// verifyPIN reports whether pin matches the PHC string under key, comparing
// in constant time.
func verifyPIN(key []byte, pin, stored string) (bool, *phc, error) {
	h, err := parsePHC(stored)
	if err != nil {
		return false, nil, err
	}
	sum := argon2.IDKey(pepper(key, pin), h.salt, h.params.Time, h.params.Memory, h.params.Threads, uint32(len(h.sum)))
	return subtle.ConstantTimeCompare(sum, h.sum) == 1, h, nil
}

// keyID is the fingerprint of a pepper stored in the database to recognise
// the right key; it reveals nothing about the key.
func keyID(key []byte) string {
	h := sha256.New()
	h.Write([]byte("pinsh PIN key id v1\x00"))
	h.Write(key)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// decodeKey reads a 32-byte key given as hex or base64 text (or, from a
// file, as 32 raw bytes).
func decodeKey(b []byte, allowRaw bool) ([]byte, error) {
	t := strings.TrimSpace(string(b))
	if k, err := hex.DecodeString(t); err == nil && len(k) == 32 {
		return k, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(t); err == nil && len(k) == 32 {
			return k, nil
		}
	}
	if allowRaw && len(b) == 32 {
		return append([]byte(nil), b...), nil
	}
	return nil, errors.New("it must hold 32 bytes written as 64 hex digits or in base64")
}
