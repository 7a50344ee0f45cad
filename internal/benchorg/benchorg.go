// Package benchorg is the practice org the benchmark programs time tnjwt
// and the exported servers against: one app set up right for a key pair,
// its user pre-authorised, on a free loopback port.
package benchorg

import (
	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/emulator"
)

// The org's app and user.
const (
	ConsumerKey = "3MVG9benchmark.consumer.key.for.the.local.practice.org.only.0123456789abcdef"
	Username    = "embed@acme.com"
	PermSet     = "TableauNextEmbeddingJWT"
)

// Start serves a Spring '26 org (its own address is the audience) whose
// app trusts keys' certificate; onRequest, when given, sees every request.
func Start(keys *certs.Bundle, onRequest func(emulator.RequestRecord)) (*emulator.Server, error) {
	spring, active := false, true
	cfg := &emulator.Config{
		LegacyLoginHosts: &spring,
		Apps: []emulator.AppConfig{{Name: "Tableau Next Embedding", ConsumerKey: ConsumerKey, Certificate: string(keys.CertPEM),
			JWTBearerEnabled: true, Scopes: []string{"web", "refresh_token"}, PermittedUsers: emulator.AdminApproved,
			PermissionSets: []string{PermSet}}},
		Users: []emulator.UserConfig{{Username: Username, Active: &active, PermissionSets: []string{PermSet}}},
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return emulator.Start("127.0.0.1:0", emulator.New(cfg, emulator.Options{OnRequest: onRequest}))
}
