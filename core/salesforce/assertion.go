package salesforce

import (
	"crypto/rsa"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// AssertionLifetime is how far ahead exp is set. Salesforce documents "within
// 3 minutes"; no nbf is sent, so a client clock a little ahead cannot make the
// assertion "not yet valid".
const AssertionLifetime = 3 * time.Minute

// assertionClaims is the claim set Salesforce expects. aud is a plain string:
// jwt.RegisteredClaims would write a one-element array, which Salesforce
// refuses, and the library-wide MarshalSingleStringAsArray switch would change
// every other user of the library in the process.
type assertionClaims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Aud string `json:"aud"`
	Exp int64  `json:"exp"`
}

func (c assertionClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Exp, 0)), nil
}
func (c assertionClaims) GetIssuedAt() (*jwt.NumericDate, error)  { return nil, nil }
func (c assertionClaims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }
func (c assertionClaims) GetIssuer() (string, error)              { return c.Iss, nil }
func (c assertionClaims) GetSubject() (string, error)             { return c.Sub, nil }
func (c assertionClaims) GetAudience() (jwt.ClaimStrings, error) {
	return jwt.ClaimStrings{c.Aud}, nil
}

// SignAssertion builds the RS256 JWT for the token request: iss = consumer
// key, sub = username, aud = audience, exp = now + 3 minutes.
func SignAssertion(key *rsa.PrivateKey, clientID, username, audience string, now time.Time) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	if clientID == "" || username == "" || audience == "" {
		return "", &InputError{Problem: "the consumer key, username and audience are all needed to sign the assertion"}
	}
	claims := assertionClaims{
		Iss: clientID,
		Sub: username,
		Aud: audience,
		Exp: now.Add(AssertionLifetime).Unix(),
	}
	return jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
}
