package cli

import "errors"

// PLACEHOLDER: replaced by the helper that owns `tnjwt profile`.
func runProfile(args []string, env *Env) int {
	return usageErr(env, "profile: not implemented yet")
}

// openProfileTarget loads a saved profile and its secrets for `tnjwt test --profile`.
func openProfileTarget(env *Env, name string) (testTarget, error) {
	return testTarget{}, errNotYet
}

// recordProfileTest saves the outcome of a test run into the profile.
func recordProfileTest(env *Env, name string, r testRecord) error { return errNotYet }

var errNotYet = errors.New("profiles are not implemented yet")
