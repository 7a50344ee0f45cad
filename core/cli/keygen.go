package cli

// PLACEHOLDER: replaced by the helper that owns `tnjwt keygen`.
func runKeygen(args []string, env *Env) int {
	return usageErr(env, "keygen: not implemented yet")
}
