package cli

// PLACEHOLDER: replaced by the helper that owns `tnjwt test`.
func runTest(args []string, env *Env) int {
	return usageErr(env, "test: not implemented yet")
}
