package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// orgID15 is the practice org's fixed 15-character id, so a saved profile
// keeps pointing at the same org across runs.
const orgID15 = "00D5g00000PRACT"

// userIDPrefix plus five base-62 digits make a 15-character user id.
const userIDPrefix = "0055g00000"

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// id18 adds Salesforce's case-safe suffix to a 15-character id: for each
// 5-character chunk, a bit per upper-case letter picks one of 32 characters.
func id18(id15 string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	var suffix [3]byte
	for chunk := 0; chunk < 3; chunk++ {
		n := 0
		for i := 0; i < 5; i++ {
			c := id15[chunk*5+i]
			if c >= 'A' && c <= 'Z' {
				n |= 1 << i
			}
		}
		suffix[chunk] = alphabet[n]
	}
	return id15 + string(suffix[:])
}

// userID15 makes the n-th user's 15-character id (n from 1).
func userID15(n int) string {
	var digits [5]byte
	for i := 4; i >= 0; i-- {
		digits[i] = base62[n%62]
		n /= 62
	}
	return userIDPrefix + string(digits[:])
}

// randomToken returns n random bytes as text in the characters Salesforce
// uses for tokens ([A-Za-z0-9._]), safe in a URL query without escaping.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on supported platforms (Go 1.24+ panics
		// itself); keep the guard so a failure cannot yield a guessable token.
		panic("emulator: crypto/rand failed: " + err.Error())
	}
	return strings.ReplaceAll(base64.RawURLEncoding.EncodeToString(b), "-", ".")
}
