package certs

import "github.com/tnjwt/tnjwt/core/problem"

// ErrorKind names the reason an input was refused, so callers (and tests) can
// tell the cases apart without matching on the wording. It is the shared
// kind, so InputError.Kind takes these constants.
type ErrorKind = problem.Kind

// The reasons an input can be refused.
const (
	KindBadOption   ErrorKind = "bad-option"   // a Generate option out of range
	KindEmpty       ErrorKind = "empty"        // nothing in the file
	KindBinary      ErrorKind = "binary"       // DER or PKCS#12 where PEM text belongs
	KindNotPEM      ErrorKind = "not-pem"      // text, but no PEM block at all
	KindTruncated   ErrorKind = "truncated"    // BEGIN line without its END line
	KindCorrupt     ErrorKind = "corrupt"      // bad base64, mismatched lines, unreadable DER
	KindEncrypted   ErrorKind = "encrypted"    // passphrase-protected key
	KindNotRSA      ErrorKind = "not-rsa"      // EC, Ed25519, DSA, RSA-PSS ...
	KindCertificate ErrorKind = "certificate"  // a certificate where the private key belongs
	KindPrivateKey  ErrorKind = "private-key"  // a private key where the certificate belongs
	KindPublicKey   ErrorKind = "public-key"   // a bare public key
	KindCSR         ErrorKind = "csr"          // a certificate signing request
	KindOtherFormat ErrorKind = "other-format" // OpenSSH, PuTTY, PKCS#7, JSON, unknown PEM type
	KindManyKeys    ErrorKind = "many-keys"    // more than one private key in one file
	KindWeakKey     ErrorKind = "weak-key"     // RSA smaller than 2048 bits
	KindMismatch    ErrorKind = "mismatch"     // key and certificate are not a pair
	KindNoFile      ErrorKind = "no-file"      // no file at that path, or a folder
	KindUnreadable  ErrorKind = "unreadable"   // the file is there but cannot be read
	KindTooBig      ErrorKind = "too-big"      // larger than MaxPEMFile
)

// InputError says, for a Salesforce admin, what is wrong with a file or an
// option (Problem) and what to do about it (Hint). It never quotes the
// contents of a private key. It is the shared input error, so certs and
// salesforce refusals read and unwrap alike.
type InputError = problem.Input
