package certs

import (
	"fmt"
	"testing"
)

func benchmarkGenerateKey(b *testing.B, bits int) {
	for b.Loop() {
		if _, err := newKey(bits); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateKey2048(b *testing.B) { benchmarkGenerateKey(b, 2048) }
func BenchmarkGenerateKey3072(b *testing.B) { benchmarkGenerateKey(b, 3072) }
func BenchmarkGenerateKey4096(b *testing.B) { benchmarkGenerateKey(b, 4096) }

// BenchmarkCreateCertificate is certificate creation alone, with the key made
// beforehand: serial, self-signature, PEM encoding and read-back.
func BenchmarkCreateCertificate(b *testing.B) {
	for _, bits := range AllowedBits {
		b.Run(fmt.Sprint(bits), func(b *testing.B) {
			key := testBundle(b, bits).Key
			o := Options{Bits: bits}.withDefaults()
			for b.Loop() {
				if _, err := selfSign(key, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoad is the import path: PEM decoding, key and certificate
// parsing (with the key's validation) and the match check.
func BenchmarkLoad(b *testing.B) {
	for _, bits := range AllowedBits {
		b.Run(fmt.Sprint(bits), func(b *testing.B) {
			gen := testBundle(b, bits)
			for b.Loop() {
				if _, err := Load(gen.KeyPEM, gen.CertPEM); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
