package emulator

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// assertion is a compact JWS taken apart, not yet trusted.
type assertion struct {
	header, claims map[string]any
	signingInput   string
	signature      []byte
	payloadSize    int
}

// parseAssertion splits and decodes a compact JWS. Anything else (the raw
// private key pasted by mistake, a JWE, junk) fails.
func parseAssertion(s string) (*assertion, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, false
	}
	header, ok := decodeObject(parts[0])
	if !ok {
		return nil, false
	}
	claims, ok := decodeObject(parts[1])
	if !ok {
		return nil, false
	}
	sig, err := decodeSegment(parts[2])
	if err != nil {
		return nil, false
	}
	return &assertion{
		header: header, claims: claims,
		signingInput: parts[0] + "." + parts[1],
		signature:    sig,
		payloadSize:  len(parts[1]),
	}, true
}

// decodeSegment accepts base64url with or without padding, as JWT libraries
// differ on it.
func decodeSegment(seg string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
}

func decodeObject(seg string) (map[string]any, bool) {
	data, err := decodeSegment(seg)
	if err != nil {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		return nil, false
	}
	return m, true
}

// verify accepts only RS256 made with the key of the uploaded certificate;
// none, HS256 (which would sign with the public key as a secret) and every
// other algorithm fail like a bad signature, as on Salesforce.
func (a *assertion) verify(pub *rsa.PublicKey) bool {
	if alg, _ := a.header["alg"].(string); alg != "RS256" || pub == nil {
		return false
	}
	sum := sha256.Sum256([]byte(a.signingInput))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], a.signature) == nil
}

// audienceOK wants aud to be one string equal to want, or want with one
// trailing slash (the Salesforce CLI's form: it signs its login URL as
// normalised, https://acme.my.salesforce.com/). An array, even one holding
// the right value, is refused: Salesforce documents a single value, and the
// emulator should not pass what Salesforce might refuse.
func audienceOK(aud any, want string) bool {
	s, ok := aud.(string)
	return ok && (s == want || s == want+"/")
}

// isLegacyHost reports an aud of login.salesforce.com or test.salesforce.com.
func isLegacyHost(aud any) bool {
	s, _ := aud.(string)
	s = strings.TrimRight(s, "/")
	return s == LoginAudience || s == TestAudience
}

// Compiled on first use, not at start-up (see safetext.ansi for why).
var numericString = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`) })

// expOK wants exp in the future, as a JSON number or a numeric string (the
// form Salesforce's own example uses). There is no upper bound: Salesforce
// accepts the Salesforce CLI's exp in milliseconds, far in the future.
func expOK(exp any, now time.Time) bool {
	var text string
	switch v := exp.(type) {
	case json.Number:
		text = v.String()
	case string:
		text = strings.TrimSpace(v)
		if !numericString().MatchString(text) {
			return false
		}
	default:
		return false
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return false
	}
	nowSec := float64(now.UnixNano()) / 1e9
	return f > nowSec
}

// subject is prn when present (Salesforce's legacy claim wins), else sub.
func subject(claims map[string]any) string {
	if prn, ok := claims["prn"].(string); ok && prn != "" {
		return prn
	}
	sub, _ := claims["sub"].(string)
	return sub
}

// maxLoggedPayload bounds what the request log keeps of odd, huge JWTs.
const maxLoggedPayload = 8 << 10

var standardClaims = []string{"iss", "sub", "prn", "aud", "exp", "iat", "nbf", "jti", "scope"}

// logView is the header and claims for the request log, with iss shortened.
func (a *assertion) logView() (header, claims map[string]any) {
	header = a.header
	if len(a.signingInput)-a.payloadSize-1 > maxLoggedPayload {
		header = pick(a.header, []string{"alg", "typ", "kid"})
	}
	if a.payloadSize > maxLoggedPayload {
		claims = pick(a.claims, standardClaims)
		claims["(note)"] = "other claims left out: the payload is over 8 KB"
	} else {
		claims = make(map[string]any, len(a.claims))
		for k, v := range a.claims {
			claims[k] = v
		}
	}
	if iss, ok := claims["iss"]; ok {
		claims["iss"] = maskKey(iss)
	}
	return header, claims
}

func pick(m map[string]any, keys []string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}
