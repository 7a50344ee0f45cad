package cli

// PLACEHOLDER: replaced by the helper that owns `tnjwt emulator`.
func runEmulator(args []string, env *Env) int {
	return usageErr(env, "emulator: not implemented yet")
}
